use std::collections::BTreeMap;
use std::sync::Arc;

use migrationai_domain::value::date::When;
use migrationai_domain::{Kind, Value};
use migrationai_ports::store::JobRow;
use rust_decimal::Decimal;

use super::ledger::{self, Line};
use super::stored;
use super::verdict;
use super::{
    DocumentProblem, InvoiceMismatch, KindCounts, LedgerSummary, NegativeBalance, RejectEntry,
    Report, TrustMismatch,
};
use crate::duplicates::{self, Contact, Contacts};
use crate::error::ProcessingError;
use crate::record_pages::{Loaded, Pages};
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

/// A sortable moment of a ledger row: its date (at midnight), or its local date-time.
fn moment(fields: &BTreeMap<String, Value>, name: &str) -> Option<chrono::NaiveDateTime> {
    match fields.get(name) {
        Some(Value::Date(d)) | Some(Value::When(When::AllDay { date: d })) => {
            d.and_hms_opt(0, 0, 0)
        }
        Some(Value::When(When::At(t))) => Some(t.local),
        _ => None,
    }
}

/// The job's report; the duplicate-contact links it found are its `duplicate_pairs` (the
/// caller keeps them).
pub async fn build(s: &Services, job: &JobRow) -> Result<Report, ProcessingError> {
    let (tenant, id) = (job.tenant.as_str(), job.id.as_str());
    let mut report = Report {
        job: job.id.clone(),
        job_name: job.name.clone(),
        export: Services::settings(job)?.export.display().to_string(),
        currency: s.mapping(job)?.currency.clone(),
        ..Report::default()
    };
    for f in &s.mapping(job)?.files {
        let id = f.kind.map(migrationai_domain::catalogue::kind_def);
        if let (Some(def), false) = (id, f.key == migrationai_ingest::mapping::Key::Field) {
            report
                .keys
                .insert(f.table.clone(), f.key.describe(def.id_field().name));
        }
    }
    for p in s.store.progress(tenant, id).await? {
        report.kinds.insert(
            p.kind.to_string(),
            KindCounts {
                source_rows: p.rows as u64,
                loaded: p.loaded as u64,
                rejected: p.rejected as u64,
            },
        );
    }
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
        (a.kind.phase(), a.kind.as_str(), &a.file, a.row).cmp(&(
            b.kind.phase(),
            b.kind.as_str(),
            &b.file,
            b.row,
        ))
    });
    for r in &rejects {
        *report.reject_totals.entry(r.code.clone()).or_default() += 1;
        if r.code == "orphan_reference" {
            *report.orphans.entry(r.kind.to_string()).or_default() += 1;
        }
    }
    report.rejects = rejects;

    let store = s.store.as_ref();
    // Duplicate contacts are scored on a thread of their own while the rest of the report
    // reads the store.
    let contacts = contacts(store, tenant, id).await?;
    let duplicates = tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let count = contacts.len();
        let found = duplicates::detect(contacts, &duplicates::Settings::default());
        tracing::info!(
            contacts = count,
            pairs = found.links.len(),
            groups = found.groups.len(),
            seconds = started.elapsed().as_secs_f64(),
            "duplicate contacts scored"
        );
        found
    });

    let projects = project_facts(store, tenant, id).await?;
    // An export with no payments at all (an invoice summary) states what was paid on each
    // invoice; with any payment rows, the payments applied are what was paid.
    let payments = matches!(
        report.kinds.get(Kind::Payment.as_str()),
        Some(k) if k.source_rows > 0
    );
    // The trust, receivables and documents passes fill separate parts of the report, so
    // they run at once: while one waits on the store's connection or a file, another
    // decodes its page. Errors are taken in the order the passes ran one after another.
    let (trust, receivables, documents) = futures::join!(
        trust_pass(store, tenant, id, &projects),
        receivables_pass(store, tenant, id, payments),
        documents_pass(s, tenant, id),
    );
    let (trust, receivables, documents) = (trust?, receivables?, documents?);
    report.trust_by_project = trust.trust_by_project;
    report.trust_by_client = trust.trust_by_client;
    report.trust_ledgers = trust.trust_ledgers;
    report.trust_mismatches = trust.trust_mismatches;
    report.negative_trust = trust.negative_trust;
    report.invoice_balance = receivables.invoice_balance;
    report.receivable_by_project = receivables.receivable_by_project;
    report.invoice_mismatches = receivables.invoice_mismatches;
    report.document_problems = documents.document_problems;
    report.documents = documents.documents;
    report.email_attachments = documents.email_attachments;

    let found = duplicates.await?;
    report.duplicate_groups = found.groups;
    report.suspicious_groups = found.suspicious;
    // Moved, not copied: with their evidence, a large export's links are tens of MiB.
    report.duplicate_pairs = found.links;

    report.amounts_in_minor_digits();
    report.files = file_lines(s, tenant, id).await?;
    let settings = Services::settings(job)?;
    let mapping = s.mapping(job)?;
    report.verdict = verdict::judge(&report, settings.threshold, Some(mapping.as_ref()));
    Ok(report)
}

/// Trust balances by project and client, the ledgers' running balances checked, and the
/// balances the projects state compared: the trust parts of a report.
async fn trust_pass(
    store: &dyn migrationai_ports::store::Store,
    tenant: &str,
    job: &str,
    projects: &ProjectFacts,
) -> Result<Report, ProcessingError> {
    let mut part = Report::default();
    let mut trust = Trust::default();
    let mut funds = Pages::new(store, tenant, job, Kind::ProjectFunds);
    while let Some(page) = funds.next().await? {
        for f in &page {
            trust.add(&mut part, projects, f);
        }
    }
    trust.finish(&mut part, projects);
    Ok(part)
}

/// Each invoice's balance from its total and what was paid on it (`payments`: the
/// payments applied, else the invoice's own paid amount): the receivables parts of a report.
async fn receivables_pass(
    store: &dyn migrationai_ports::store::Store,
    tenant: &str,
    job: &str,
    payments: bool,
) -> Result<Report, ProcessingError> {
    let mut part = Report::default();
    let mut paid: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut pages = Pages::new(store, tenant, job, Kind::Payment);
    while let Some(page) = pages.next().await? {
        for p in page {
            if let Some(invoice) = reference(&p.fields, "invoice_id") {
                *paid.entry(invoice.to_string()).or_default() +=
                    money(&p.fields, "amount").unwrap_or_default();
            }
        }
    }
    let paid_from = if payments {
        Paid::Payments(&paid)
    } else {
        Paid::Stated
    };
    let mut invoices = Pages::new(store, tenant, job, Kind::BillingInvoice);
    while let Some(page) = invoices.next().await? {
        for i in &page {
            receivable(&mut part, paid_from, i);
        }
    }
    part.invoice_mismatches
        .sort_by(|a, b| a.invoice_id.cmp(&b.invoice_id));
    Ok(part)
}

/// Every stored document and email file hashed and checked: the documents parts of a report.
async fn documents_pass(s: &Services, tenant: &str, job: &str) -> Result<Report, ProcessingError> {
    let mut part = Report::default();
    for kind in [Kind::Document, Kind::ProjectEmail] {
        let mut pages = Pages::new(s.store.as_ref(), tenant, job, kind);
        while let Some(page) = pages.next().await? {
            documents(s, &mut part, kind, &page).await;
        }
    }
    Ok(part)
}

/// The planner's list of the export's files, with each table's loaded and rejected rows.
async fn file_lines(
    s: &Services,
    tenant: &str,
    job: &str,
) -> Result<Vec<super::files::FileLine>, ProcessingError> {
    let key = super::files::files_key(tenant, job);
    let mut files: Vec<super::files::FileLine> = match s.blobs.get(&key).await {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(crate::error::json(key.clone()))?,
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

/// Every loaded contact as the duplicate matcher sees it, a page at a time.
async fn contacts(
    store: &dyn migrationai_ports::store::Store,
    tenant: &str,
    job: &str,
) -> Result<Contacts, ProcessingError> {
    let mut out = Contacts::default();
    let mut pages = Pages::new(store, tenant, job, Kind::Contacts);
    while let Some(page) = pages.next().await? {
        for c in &page {
            out.push(Contact::from_fields(&c.source_id, &c.fields));
        }
    }
    Ok(out)
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

/// Trust balances summed from the ledger one row at a time; the rows' running balances are
/// kept (compactly) to be checked in the order the export keeps them.
#[derive(Default)]
struct Trust {
    lines: Vec<Line>,
    /// The matters', clients' and files' names the lines share.
    names: std::collections::HashSet<Arc<str>>,
}

impl Trust {
    /// The one shared copy of `name`.
    fn name(&mut self, name: &str) -> Arc<str> {
        if let Some(shared) = self.names.get(name) {
            return shared.clone();
        }
        let shared: Arc<str> = name.into();
        self.names.insert(shared.clone());
        shared
    }

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
        let line = Line {
            transaction_id: f.source_id.as_str().into(),
            project: self.name(project),
            client: client.map(|c| self.name(c)),
            file: self.name(&f.file),
            row: f.row,
            when: moment(&f.fields, "date"),
            amount,
            stated: money(&f.fields, "running_balance"),
        };
        self.lines.push(line);
    }

    fn finish(self, report: &mut Report, projects: &ProjectFacts) {
        let findings = ledger::check(&self.lines);
        drop(self.lines);
        drop(self.names);
        report.trust_ledgers = LedgerSummary {
            scope: findings.scope,
            consistent: findings.consistent,
            broken: findings.breaks.len() as u64,
        };
        for b in findings.breaks {
            report.trust_mismatches.push(TrustMismatch {
                project_id: b.project_id.clone(),
                source_column: "running_balance".into(),
                source_balance: b.stated,
                computed_balance: b.expected,
                at: Some(b),
            });
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
                    at: None,
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

/// Where what was paid on an invoice comes from.
#[derive(Clone, Copy)]
enum Paid<'a> {
    /// The payments applied to it, by invoice.
    Payments(&'a BTreeMap<String, Decimal>),
    /// Its own paid amount, when the export holds no payments.
    Stated,
}

/// Invoice total minus what was paid, compared with the balance the source states.
fn receivable(report: &mut Report, paid: Paid<'_>, i: &Loaded) {
    let total = money(&i.fields, "total").unwrap_or_default();
    let paid = match paid {
        Paid::Payments(by_invoice) => by_invoice.get(i.source_id.as_str()).copied(),
        Paid::Stated => money(&i.fields, "paid_amount"),
    };
    let balance = total - paid.unwrap_or_default();
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
    use futures::StreamExt;

    if kind == Kind::ProjectEmail {
        for r in records.iter().filter(|r| !r.files.is_empty()) {
            report
                .email_attachments
                .insert(r.source_id.clone(), Vec::new());
        }
    }
    let mut files = Vec::new();
    for r in records {
        for f in &r.files {
            let key = f
                .get("blob_key")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            files.push(((r, f), key));
        }
    }
    // In the files' own order, so the report's lines are those of one read at a time.
    let mut hashed = stored::sha256_in_order(&s.blobs, files.into_iter(), stored::AT_ONCE);
    while let Some(((r, f), key, hash)) = hashed.next().await {
        let expected = f.get("sha256").and_then(|v| v.as_str()).unwrap_or_default();
        let role = f.get("role").and_then(|v| v.as_str()).unwrap_or_default();
        let actual = match hash {
            Ok(actual) => actual,
            Err(e) => {
                report.document_problems.push(DocumentProblem {
                    kind,
                    source_id: r.source_id.clone(),
                    code: "blob_missing".into(),
                    detail: format!("{key}: {e}"),
                });
                continue;
            }
        };
        if actual != expected {
            report.document_problems.push(DocumentProblem {
                kind,
                source_id: r.source_id.clone(),
                code: "checksum_mismatch".into(),
                detail: format!("stored {key} hashes to {actual}, recorded {expected}"),
            });
        }
        match role {
            "document" => {
                if let Some(Value::Code(source)) = r.fields.get("sha256") {
                    if *source != actual {
                        report.document_problems.push(DocumentProblem {
                            kind,
                            source_id: r.source_id.clone(),
                            code: "source_checksum_mismatch".into(),
                            detail: format!(
                                "the export says {source}, the file hashes to {actual}"
                            ),
                        });
                    }
                }
                report.documents.insert(r.source_id.clone(), actual);
            }
            "attachment" if kind == Kind::ProjectEmail => {
                if let Some(list) = report.email_attachments.get_mut(&r.source_id) {
                    list.push(actual);
                }
            }
            _ => {}
        }
    }
}
