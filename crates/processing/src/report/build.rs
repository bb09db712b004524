use std::collections::BTreeMap;

use migrationai_domain::value::date::When;
use migrationai_domain::{Kind, Value};
use migrationai_ports::store::{ContactLink, JobRow};
use rust_decimal::Decimal;

use super::{
    DocumentProblem, InvoiceMismatch, KindCounts, NegativeBalance, RejectEntry, Report,
    TrustMismatch,
};
use crate::error::ProcessingError;
use crate::handlers::contacts::{detect, ContactKeys};
use crate::pages::{Loaded, Pages};
use crate::services::Services;

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

/// The job's report, and the duplicate-contact links it found (the caller keeps them).
pub async fn build(
    s: &Services,
    job: &JobRow,
) -> Result<(Report, Vec<ContactLink>), ProcessingError> {
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

    let store = s.store.as_ref();
    let (links, groups) = detect(&contact_keys(store, tenant, id).await?);
    report.duplicate_groups = groups;
    report.duplicate_links = links.len() as u64;

    let projects = project_facts(store, tenant, id).await?;
    let mut trust = Trust::default();
    let mut funds = Pages::new(store, tenant, id, Kind::ProjectFunds);
    while let Some(page) = funds.next().await? {
        for f in &page {
            trust.add(&mut report, &projects, f);
        }
    }
    trust.finish(&mut report, &projects);

    let mut paid: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut payments = Pages::new(store, tenant, id, Kind::Payment);
    while let Some(page) = payments.next().await? {
        for p in page {
            if let Some(invoice) = reference(&p.fields, "invoice_id") {
                *paid.entry(invoice.to_string()).or_default() +=
                    money(&p.fields, "amount").unwrap_or_default();
            }
        }
    }
    let mut invoices = Pages::new(store, tenant, id, Kind::BillingInvoice);
    while let Some(page) = invoices.next().await? {
        for i in &page {
            receivable(&mut report, &paid, i);
        }
    }
    report
        .invoice_mismatches
        .sort_by(|a, b| a.invoice_id.cmp(&b.invoice_id));

    for kind in [Kind::Document, Kind::ProjectEmail] {
        let mut pages = Pages::new(store, tenant, id, kind);
        while let Some(page) = pages.next().await? {
            documents(s, &mut report, kind, &page).await;
        }
    }

    report.files = file_lines(s, tenant, id).await?;
    report.reconciled = report.problems().is_empty();
    Ok((report, links))
}

/// The planner's list of the export's files, with each table's loaded and rejected rows.
async fn file_lines(
    s: &Services,
    tenant: &str,
    job: &str,
) -> Result<Vec<super::files::FileLine>, ProcessingError> {
    let key = super::files::files_key(tenant, job);
    let mut files: Vec<super::files::FileLine> = match s.blobs.get(&key).await {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| ProcessingError::Other(format!("{key}: {e}")))?,
        // A job planned before files were listed.
        Err(migrationai_ports::BlobError::NotFound { .. }) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for b in s.store.batches(tenant, job).await? {
        let c = counts.entry(b.file).or_default();
        c.0 += b.loaded.max(0) as u64;
        c.1 += b.rejected.max(0) as u64;
    }
    for f in &mut files {
        if let Some((loaded, rejected)) = counts.get(&f.path) {
            f.loaded = *loaded;
            f.rejected = *rejected;
        }
    }
    Ok(files)
}

/// The contacts' match keys in (file, row) order: a duplicate links to the first contact
/// holding its key, so the order is the source's, not the store's.
async fn contact_keys(
    store: &dyn migrationai_ports::store::Store,
    tenant: &str,
    job: &str,
) -> Result<Vec<ContactKeys>, ProcessingError> {
    let mut keyed = Vec::new();
    let mut pages = Pages::new(store, tenant, job, Kind::Contacts);
    while let Some(page) = pages.next().await? {
        for c in page {
            let keys = ContactKeys::from_fields(&c.source_id, &c.fields);
            keyed.push(((c.file, c.row), keys));
        }
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(keyed.into_iter().map(|(_, k)| k).collect())
}

/// What reconciliation needs of each project: its client and the balance the source states.
struct ProjectFacts {
    client_of: BTreeMap<String, String>,
    stated: Vec<(String, Decimal)>,
}

async fn project_facts(
    store: &dyn migrationai_ports::store::Store,
    tenant: &str,
    job: &str,
) -> Result<ProjectFacts, ProcessingError> {
    let mut facts = ProjectFacts {
        client_of: BTreeMap::new(),
        stated: Vec::new(),
    };
    let mut pages = Pages::new(store, tenant, job, Kind::Projects);
    while let Some(page) = pages.next().await? {
        for p in page {
            if let Some(client) = reference(&p.fields, "client_id") {
                facts
                    .client_of
                    .insert(p.source_id.clone(), client.to_string());
            }
            if let Some(balance) = money(&p.fields, "trust_balance") {
                facts.stated.push((p.source_id, balance));
            }
        }
    }
    Ok(facts)
}

/// The last ledger row of a matter: by date, then (file, row); with its stated balance.
type LastRow = (Option<chrono::NaiveDate>, String, i64, Option<Decimal>);

/// Trust balances summed from the ledger, one ledger row at a time.
#[derive(Default)]
struct Trust {
    last: BTreeMap<String, LastRow>,
}

impl Trust {
    fn add(&mut self, report: &mut Report, projects: &ProjectFacts, f: &Loaded) {
        let Some(project) = reference(&f.fields, "project_id") else {
            return;
        };
        let amount = money(&f.fields, "amount").unwrap_or_default();
        *report
            .trust_by_project
            .entry(project.to_string())
            .or_default() += amount;
        let client = reference(&f.fields, "contact_id")
            .or_else(|| projects.client_of.get(project).map(String::as_str));
        if let Some(client) = client {
            *report
                .trust_by_client
                .entry(client.to_string())
                .or_default() += amount;
        }
        let date = day(&f.fields, "date");
        let later = match self.last.get(project) {
            Some(prev) => (date, f.file.as_str(), f.row) > (prev.0, prev.1.as_str(), prev.2),
            None => true,
        };
        if later {
            let balance = money(&f.fields, "running_balance");
            self.last
                .insert(project.to_string(), (date, f.file.clone(), f.row, balance));
        }
    }

    fn finish(self, report: &mut Report, projects: &ProjectFacts) {
        for (project, (_, _, _, balance)) in &self.last {
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
        for (project, source) in &projects.stated {
            let computed = report
                .trust_by_project
                .get(project)
                .copied()
                .unwrap_or_default();
            if *source != computed {
                report.trust_mismatches.push(TrustMismatch {
                    project_id: project.clone(),
                    source_column: "trust_balance".into(),
                    source_balance: *source,
                    computed_balance: computed,
                });
            }
        }
        report.trust_mismatches.sort_by(|a, b| {
            (&a.project_id, &a.source_column).cmp(&(&b.project_id, &b.source_column))
        });
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
}

/// Invoice total minus payments, compared with the balance the source states.
fn receivable(report: &mut Report, paid: &BTreeMap<String, Decimal>, i: &Loaded) {
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
