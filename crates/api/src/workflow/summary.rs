//! The report as a firm reads it: the verdict first, then an executive summary (share loaded
//! per kind, trust held, receivables, documents verified), and every balance, invoice,
//! document and duplicate with the names of the records beside their ids. Built from the
//! job's reconciliation report and the records it loaded.

use migrationai_api_types::jobs::report::{
    Balance, Cause, DuplicateGroup, Evidence, ExportFile, FileCheck, KindLine, Named, ReportView,
    Summary, UndecidedColumn, Verdict,
};
use std::collections::BTreeMap;

use migrationai_domain::{Kind, Value};
use migrationai_pipeline::record_pages::Pages;
use migrationai_pipeline::Report;
use rust_decimal::Decimal;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// What the report needs of the loaded records: names, and who belongs to whom.
#[derive(Default)]
struct Names {
    contacts: BTreeMap<String, String>,
    /// matter id → (name, client id)
    matters: BTreeMap<String, (Option<String>, Option<String>)>,
    /// invoice id → (number, matter id)
    invoices: BTreeMap<String, (Option<String>, Option<String>)>,
    /// document or email id → (name, matter id)
    files: BTreeMap<String, (Option<String>, Option<String>)>,
}

fn text(fields: &BTreeMap<String, Value>, name: &str) -> Option<String> {
    fields
        .get(name)
        .and_then(Value::as_text)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A contact's name as a person would say it.
fn contact_name(fields: &BTreeMap<String, Value>) -> Option<String> {
    text(fields, "full_name")
        .or_else(|| {
            let parts: Vec<String> = ["first_name", "last_name"]
                .iter()
                .filter_map(|n| text(fields, n))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
        .or_else(|| text(fields, "organization"))
}

impl Names {
    async fn load(state: &AppState, tenant: &str, job: &str) -> ApiResult<Names> {
        let store = state.app.services.store.as_ref();
        let mut names = Names::default();
        for kind in [
            Kind::Contacts,
            Kind::Projects,
            Kind::BillingInvoice,
            Kind::Document,
            Kind::ProjectEmail,
        ] {
            let mut pages = Pages::new(store, tenant, job, kind);
            while let Some(page) = pages.next().await.map_err(ApiError::internal)? {
                for r in page {
                    let f = &r.fields;
                    match kind {
                        Kind::Contacts => {
                            if let Some(n) = contact_name(f) {
                                names.contacts.insert(r.source_id, n);
                            }
                        }
                        Kind::Projects => {
                            let name = match (text(f, "number"), text(f, "name")) {
                                (Some(num), Some(n)) if !n.contains(&num) => {
                                    Some(format!("{num} · {n}"))
                                }
                                (num, n) => n.or(num),
                            };
                            names
                                .matters
                                .insert(r.source_id, (name, text(f, "client_id")));
                        }
                        Kind::BillingInvoice => {
                            names.invoices.insert(
                                r.source_id,
                                (text(f, "invoice_number"), text(f, "project_id")),
                            );
                        }
                        _ => {
                            let name = text(f, "name")
                                .or_else(|| text(f, "subject"))
                                .or_else(|| text(f, "file_path"));
                            names
                                .files
                                .insert(r.source_id, (name, text(f, "project_id")));
                        }
                    }
                }
            }
        }
        Ok(names)
    }

    fn contact(&self, id: &str) -> Named {
        Named {
            id: id.to_string(),
            name: self.contacts.get(id).cloned(),
        }
    }

    fn matter(&self, id: &str) -> Named {
        Named {
            id: id.to_string(),
            name: self.matters.get(id).and_then(|m| m.0.clone()),
        }
    }

    fn client_of(&self, matter: &str) -> Option<Named> {
        let client = self.matters.get(matter)?.1.as_deref()?;
        Some(self.contact(client))
    }
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The report's verdict, in words for people.
fn verdict(r: &Report) -> Verdict {
    let v = &r.verdict;
    Verdict {
        accounted_for: v.accounted_for,
        migrated: v.migrated,
        threshold: v.threshold.to_string(),
        headline: v.headline(),
        failures: v.failures.clone(),
        causes: v
            .causes
            .iter()
            .map(|c| Cause {
                what: format!("{}: {} {} ({})", c.kind.label(), c.file, c.field, c.code),
                rows: c.rows,
                cascade: c.cascade,
                every_row: c.every_row,
                example: c.example.clone(),
                fix: c.fix.clone(),
            })
            .collect(),
    }
}

fn balances(
    map: &BTreeMap<String, Decimal>,
    mut describe: impl FnMut(&str, Decimal) -> Balance,
) -> Vec<Balance> {
    map.iter()
        .map(|(id, amount)| describe(id, *amount))
        .collect()
}

fn view(r: &Report, names: &Names) -> ReportView {
    let kinds: Vec<KindLine> = Kind::ALL
        .iter()
        .filter_map(|k| r.kinds.get(k.as_str()).map(|c| (k, c)))
        .map(|(k, c)| KindLine {
            kind: k.as_str().into(),
            label: k.label().into(),
            source_rows: c.source_rows,
            loaded: c.loaded,
            rejected: c.rejected,
            orphans: r.orphans.get(k.as_str()).copied().unwrap_or(0),
            share_loaded: share(c.loaded, c.source_rows),
        })
        .collect();
    let (source_rows, loaded, rejected) = kinds.iter().fold((0, 0, 0), |(s, l, x), k| {
        (s + k.source_rows, l + k.loaded, x + k.rejected)
    });
    let trust_mismatch: BTreeMap<&str, Decimal> = r
        .trust_mismatches
        .iter()
        .map(|m| (m.project_id.as_str(), m.source_balance))
        .collect();
    let negative = |scope: &str, id: &str| {
        r.negative_trust
            .iter()
            .any(|n| n.scope == scope && n.id == id)
    };
    let trust_by_matter = balances(&r.trust_by_project, |id, amount| Balance {
        id: id.into(),
        name: names.matter(id).name,
        client: names.client_of(id),
        matter: None,
        amount,
        source_amount: trust_mismatch.get(id).copied(),
        status: if trust_mismatch.contains_key(id) {
            "mismatch"
        } else if negative("project", id) {
            "negative"
        } else {
            "ok"
        }
        .into(),
    });
    let trust_by_client = balances(&r.trust_by_client, |id, amount| Balance {
        id: id.into(),
        name: names.contact(id).name,
        client: None,
        matter: None,
        amount,
        source_amount: None,
        status: if negative("client", id) {
            "negative"
        } else {
            "ok"
        }
        .into(),
    });
    let receivables_by_matter = balances(&r.receivable_by_project, |id, amount| Balance {
        id: id.into(),
        name: names.matter(id).name,
        client: names.client_of(id),
        matter: None,
        amount,
        source_amount: None,
        status: "ok".into(),
    });
    let invoice_mismatch: BTreeMap<&str, Decimal> = r
        .invoice_mismatches
        .iter()
        .map(|m| (m.invoice_id.as_str(), m.source_balance_due))
        .collect();
    let invoices = balances(&r.invoice_balance, |id, amount| {
        let (number, matter) = names.invoices.get(id).cloned().unwrap_or_default();
        Balance {
            id: id.into(),
            name: number,
            client: matter.as_deref().and_then(|m| names.client_of(m)),
            matter: matter.as_deref().map(|m| names.matter(m)),
            amount,
            source_amount: invoice_mismatch.get(id).copied(),
            status: if invoice_mismatch.contains_key(id) {
                "mismatch"
            } else {
                "ok"
            }
            .into(),
        }
    });
    let problem_of = |kind: Kind, id: &str| {
        r.document_problems
            .iter()
            .find(|p| p.kind == kind && p.source_id == id)
            .map(|p| p.detail.clone())
    };
    let file_check = |kind: Kind, id: &str, sha256: Vec<String>| {
        let (name, matter) = names.files.get(id).cloned().unwrap_or_default();
        FileCheck {
            kind: kind.as_str().into(),
            id: id.into(),
            name,
            matter: matter.as_deref().map(|m| names.matter(m)),
            sha256,
            problem: problem_of(kind, id),
        }
    };
    let mut files: Vec<FileCheck> = r
        .documents
        .iter()
        .map(|(id, sha)| file_check(Kind::Document, id, vec![sha.clone()]))
        .chain(
            r.email_attachments
                .iter()
                .map(|(id, shas)| file_check(Kind::ProjectEmail, id, shas.clone())),
        )
        .collect();
    // Records whose files could not be checked are listed too, with the reason.
    for p in &r.document_problems {
        if !files
            .iter()
            .any(|f| f.kind == p.kind.as_str() && f.id == p.source_id)
        {
            files.push(file_check(p.kind, &p.source_id, Vec::new()));
        }
    }
    let duplicates = r
        .duplicate_groups
        .iter()
        .map(|g| DuplicateGroup {
            contacts: g.iter().map(|id| names.contact(id)).collect(),
            evidence: r
                .duplicate_pairs
                .iter()
                .filter(|l| g.contains(&l.a) && g.contains(&l.b))
                .map(|l| Evidence {
                    a: l.a.clone(),
                    b: l.b.clone(),
                    score: l.score,
                    fields: l
                        .evidence
                        .iter()
                        .map(|e| format!("{} {}", e.field, e.outcome))
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let verified = files.iter().filter(|f| f.problem.is_none()).count() as u64;
    let export_files = r
        .files
        .iter()
        .map(|f| ExportFile {
            path: f.path.clone(),
            role: f.role.as_str().into(),
            kind: f.kind.clone(),
            encoding: f.encoding.clone(),
            loaded: f.loaded,
            rejected: f.rejected,
            problem: f.problem(),
            undecided: f
                .undecided
                .iter()
                .map(|c| UndecidedColumn {
                    header: c.header.clone(),
                    values: c.values,
                    holds: c.holds.as_str().into(),
                })
                .collect(),
        })
        .collect();
    ReportView {
        job: r.job.clone(),
        job_name: r.job_name.clone(),
        export: r.export.clone(),
        currency: r.currency.clone(),
        verdict: verdict(r),
        summary: Summary {
            source_rows,
            loaded,
            rejected,
            share_loaded: share(loaded, source_rows),
            trust_total: r.trust_by_project.values().copied().sum(),
            receivables_total: r.receivable_by_project.values().copied().sum(),
            documents: files.len() as u64,
            documents_verified: verified,
            document_problems: r.document_problems.len() as u64,
            duplicate_groups: r.duplicate_groups.len() as u64,
        },
        kinds,
        trust_by_matter,
        trust_by_client,
        receivables_by_matter,
        invoices,
        files,
        export_files,
        duplicates,
        reject_totals: r.reject_totals.clone(),
        problems: r.problems(),
    }
}

pub async fn get(state: &AppState, tenant: &str, job: &str) -> ApiResult<ReportView> {
    let report = super::run::report(state, tenant, job).await?;
    let names = Names::load(state, tenant, job).await?;
    let mut v = view(&report, &names);
    let currency = report
        .currency
        .parse::<migrationai_domain::value::Currency>()
        .ok();
    if let Some(c) = currency {
        v.summary.trust_total = c.in_minor_digits(v.summary.trust_total);
        v.summary.receivables_total = c.in_minor_digits(v.summary.receivables_total);
    }
    Ok(v)
}
