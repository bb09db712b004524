use std::collections::BTreeMap;

use migrationai_domain::value::date::When;
use migrationai_domain::{Kind, Value};
use migrationai_ports::store::{JobRow, RecordRow};
use rust_decimal::Decimal;

use super::{
    DocumentProblem, InvoiceMismatch, KindCounts, NegativeBalance, RejectEntry, Report,
    TrustMismatch,
};
use crate::error::ProcessingError;
use crate::handlers::contacts::{detect, ContactKeys};
use crate::jobs::fields_of;
use crate::services::Services;

/// A loaded record with its fields decoded.
struct Loaded {
    source_id: String,
    file: String,
    row: i64,
    fields: BTreeMap<String, Value>,
    files: Vec<serde_json::Value>,
}

fn decode(r: &RecordRow) -> Loaded {
    let files = serde_json::from_str::<serde_json::Value>(&r.data)
        .ok()
        .and_then(|v| v.get("files").and_then(|f| f.as_array().cloned()))
        .unwrap_or_default();
    Loaded {
        source_id: r.source_id.clone(),
        file: r.file.clone(),
        row: r.row,
        fields: fields_of(&r.data),
        files,
    }
}

fn money(fields: &BTreeMap<String, Value>, name: &str) -> Option<Decimal> {
    match fields.get(name) {
        Some(Value::Money(m)) => Some(m.amount),
        Some(Value::Decimal(d)) => Some(*d),
        _ => None,
    }
}

fn reference<'a>(fields: &'a BTreeMap<String, Value>, name: &str) -> Option<&'a str> {
    match fields.get(name) {
        Some(Value::Ref(s)) => Some(s),
        _ => None,
    }
}

/// A sortable date of a ledger row: its date, or the local day of its date-time.
fn day(fields: &BTreeMap<String, Value>, name: &str) -> Option<chrono::NaiveDate> {
    match fields.get(name) {
        Some(Value::Date(d)) => Some(*d),
        Some(Value::When(When::AllDay { date })) => Some(*date),
        Some(Value::When(When::At(t))) => Some(t.local.date()),
        _ => None,
    }
}

pub async fn build(s: &Services, job: &JobRow) -> Result<Report, ProcessingError> {
    let (tenant, id) = (job.tenant.as_str(), job.id.as_str());
    let mut report = Report {
        job: job.id.clone(),
        job_name: job.name.clone(),
        export: Services::settings(job)?.export.display().to_string(),
        currency: s.mapping(job)?.currency.clone(),
        ..Report::default()
    };
    for p in s.store.progress(tenant, id).await? {
        report.kinds.insert(
            p.kind.clone(),
            KindCounts {
                source_rows: p.rows as u64,
                loaded: p.loaded as u64,
                rejected: p.rejected as u64,
            },
        );
    }
    let phase_of = |kind: &str| kind.parse::<Kind>().map(|k| k.phase()).unwrap_or(u8::MAX);
    let mut rejects: Vec<RejectEntry> = s
        .store
        .rejects(tenant, id)
        .await?
        .into_iter()
        .map(|r| RejectEntry {
            kind: r.kind,
            file: r.file,
            row: r.row as u64,
            source_id: r.source_id,
            field: r.field,
            code: r.code,
            reason: r.reason,
        })
        .collect();
    rejects.sort_by(|a, b| {
        (phase_of(&a.kind), &a.kind, &a.file, a.row).cmp(&(
            phase_of(&b.kind),
            &b.kind,
            &b.file,
            b.row,
        ))
    });
    for r in &rejects {
        *report.reject_totals.entry(r.code.clone()).or_default() += 1;
        if r.code == "orphan_reference" {
            *report.orphans.entry(r.kind.clone()).or_default() += 1;
        }
    }
    report.rejects = rejects;

    let load = |kind: Kind| async move {
        s.store
            .records(tenant, id, kind.as_str())
            .await
            .map(|rs| rs.iter().map(decode).collect::<Vec<_>>())
    };
    let contacts = load(Kind::Contacts).await?;
    let keys: Vec<ContactKeys> = contacts
        .iter()
        .map(|c| ContactKeys::from_fields(&c.source_id, &c.fields))
        .collect();
    let (links, groups) = detect(&keys);
    report.duplicate_groups = groups;
    report.duplicate_links = links.len() as u64;

    let projects = load(Kind::Projects).await?;
    trust(&mut report, &projects, &load(Kind::ProjectFunds).await?);
    receivables(
        &mut report,
        &load(Kind::BillingInvoice).await?,
        &load(Kind::Payment).await?,
    );
    documents(s, &mut report, Kind::Document, &load(Kind::Document).await?).await;
    documents(
        s,
        &mut report,
        Kind::ProjectEmail,
        &load(Kind::ProjectEmail).await?,
    )
    .await;

    report.reconciled = report.problems().is_empty();
    Ok(report)
}

fn trust(report: &mut Report, projects: &[Loaded], funds: &[Loaded]) {
    let client_of: BTreeMap<&str, &str> = projects
        .iter()
        .filter_map(|p| reference(&p.fields, "client_id").map(|c| (p.source_id.as_str(), c)))
        .collect();
    // The last ledger row of each matter, by date then (file, row).
    let mut last: BTreeMap<String, (Option<chrono::NaiveDate>, &str, i64, Option<Decimal>)> =
        BTreeMap::new();
    for f in funds {
        let Some(project) = reference(&f.fields, "project_id") else {
            continue;
        };
        let amount = money(&f.fields, "amount").unwrap_or_default();
        *report
            .trust_by_project
            .entry(project.to_string())
            .or_default() += amount;
        let client = reference(&f.fields, "contact_id").or_else(|| client_of.get(project).copied());
        if let Some(client) = client {
            *report
                .trust_by_client
                .entry(client.to_string())
                .or_default() += amount;
        }
        let key = (
            day(&f.fields, "date"),
            f.file.as_str(),
            f.row,
            money(&f.fields, "running_balance"),
        );
        let later = match last.get(project) {
            Some(prev) => (key.0, key.1, key.2) > (prev.0, prev.1, prev.2),
            None => true,
        };
        if later {
            last.insert(project.to_string(), key);
        }
    }
    for (project, (_, _, _, balance)) in &last {
        let computed = report
            .trust_by_project
            .get(project)
            .copied()
            .unwrap_or_default();
        if let Some(source) = balance {
            if *source != computed {
                report.trust_mismatches.push(TrustMismatch {
                    project_id: project.clone(),
                    source_column: "running_balance".into(),
                    source_balance: *source,
                    computed_balance: computed,
                });
            }
        }
    }
    for p in projects {
        if let Some(source) = money(&p.fields, "trust_balance") {
            let computed = report
                .trust_by_project
                .get(&p.source_id)
                .copied()
                .unwrap_or_default();
            if source != computed {
                report.trust_mismatches.push(TrustMismatch {
                    project_id: p.source_id.clone(),
                    source_column: "trust_balance".into(),
                    source_balance: source,
                    computed_balance: computed,
                });
            }
        }
    }
    report
        .trust_mismatches
        .sort_by(|a, b| (&a.project_id, &a.source_column).cmp(&(&b.project_id, &b.source_column)));
    for (scope, map) in [
        ("project", &report.trust_by_project),
        ("client", &report.trust_by_client),
    ] {
        for (id, balance) in map {
            if balance.is_sign_negative() && !balance.is_zero() {
                report.negative_trust.push(NegativeBalance {
                    scope: scope.into(),
                    id: id.clone(),
                    balance: *balance,
                });
            }
        }
    }
}

fn receivables(report: &mut Report, invoices: &[Loaded], payments: &[Loaded]) {
    let mut paid: BTreeMap<&str, Decimal> = BTreeMap::new();
    for p in payments {
        if let Some(invoice) = reference(&p.fields, "invoice_id") {
            *paid.entry(invoice).or_default() += money(&p.fields, "amount").unwrap_or_default();
        }
    }
    for i in invoices {
        let total = money(&i.fields, "total").unwrap_or_default();
        let balance = total - paid.get(i.source_id.as_str()).copied().unwrap_or_default();
        report.invoice_balance.insert(i.source_id.clone(), balance);
        let void = matches!(i.fields.get("status"), Some(Value::Code(s)) if s == "void");
        if !void {
            if let Some(project) = reference(&i.fields, "project_id") {
                *report
                    .receivable_by_project
                    .entry(project.to_string())
                    .or_default() += balance;
            }
        }
        if let Some(source) = money(&i.fields, "balance_due") {
            if source != balance {
                report.invoice_mismatches.push(InvoiceMismatch {
                    invoice_id: i.source_id.clone(),
                    source_balance_due: source,
                    computed_balance: balance,
                });
            }
        }
    }
}

async fn documents(s: &Services, report: &mut Report, kind: Kind, records: &[Loaded]) {
    for r in records {
        let mut attachments = Vec::new();
        for f in &r.files {
            let key = f
                .get("blob_key")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            let expected = f.get("sha256").and_then(|v| v.as_str()).unwrap_or_default();
            let role = f.get("role").and_then(|v| v.as_str()).unwrap_or_default();
            // Hashed as it streams: a document is never held in memory whole.
            match s.blobs.sha256_of(key).await {
                Ok(actual) => {
                    if actual != expected {
                        report.document_problems.push(DocumentProblem {
                            kind: kind.as_str().into(),
                            source_id: r.source_id.clone(),
                            code: "checksum_mismatch".into(),
                            detail: format!("stored {key} hashes to {actual}, recorded {expected}"),
                        });
                    }
                    match role {
                        "document" => {
                            report.documents.insert(r.source_id.clone(), actual.clone());
                            if let Some(Value::Code(source)) = r.fields.get("sha256") {
                                if *source != actual {
                                    report.document_problems.push(DocumentProblem {
                                        kind: kind.as_str().into(),
                                        source_id: r.source_id.clone(),
                                        code: "source_checksum_mismatch".into(),
                                        detail: format!(
                                            "the export says {source}, the file hashes to {actual}"
                                        ),
                                    });
                                }
                            }
                        }
                        "attachment" => attachments.push(actual),
                        _ => {}
                    }
                }
                Err(e) => report.document_problems.push(DocumentProblem {
                    kind: kind.as_str().into(),
                    source_id: r.source_id.clone(),
                    code: "blob_missing".into(),
                    detail: format!("{key}: {e}"),
                }),
            }
        }
        if kind == Kind::ProjectEmail && !r.files.is_empty() {
            report
                .email_attachments
                .insert(r.source_id.clone(), attachments);
        }
    }
}
