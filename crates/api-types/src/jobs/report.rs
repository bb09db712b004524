//! The report as a firm reads it: the verdict, the summary, balances, files, duplicates.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Whether the migration migrated, and what stops it when it did not: the report's verdict
/// in words for people.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Verdict {
    /// Every source row was loaded or rejected with a reason.
    pub accounted_for: bool,
    /// The job migrated (accounted for, every kind at or above the threshold, no balance or
    /// document problem).
    pub migrated: bool,
    /// The share each kind had to load, e.g. "99%".
    pub threshold: String,
    /// One sentence.
    pub headline: String,
    /// Why it did not migrate, one line each.
    pub failures: Vec<String>,
    /// The largest causes of rejected rows, each with what fixes it.
    pub causes: Vec<Cause>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Cause {
    /// The kind's name for people, the file, the field and the reason code.
    pub what: String,
    /// Rows rejected for it.
    pub rows: u64,
    /// Rows rejected as orphans because of them.
    pub cascade: u64,
    /// Every row of the kind was rejected for this one reason.
    pub every_row: bool,
    /// One of the rejects' own words.
    pub example: String,
    pub fix: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KindLine {
    pub kind: String,
    /// The kind's name for people ("Trust ledger"); `kind` is Filevine's.
    pub label: String,
    pub source_rows: u64,
    pub loaded: u64,
    pub rejected: u64,
    /// Rejected because a reference named no loaded record.
    pub orphans: u64,
    /// loaded / source rows (1 for no rows).
    pub share_loaded: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    pub source_rows: u64,
    pub loaded: u64,
    pub rejected: u64,
    pub share_loaded: f64,
    /// Trust held, summed over matters.
    #[schema(value_type = String)]
    pub trust_total: Decimal,
    /// Invoice balances of matters, summed (void invoices left out).
    #[schema(value_type = String)]
    pub receivables_total: Decimal,
    pub documents: u64,
    /// Documents and emails whose stored files hash as recorded.
    pub documents_verified: u64,
    pub document_problems: u64,
    pub duplicate_groups: u64,
}

/// An amount of one record (a matter, a client, an invoice), with its name.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Balance {
    pub id: String,
    pub name: Option<String>,
    /// The matter's client (for matters and invoices).
    pub client: Option<Named>,
    /// The invoice's matter.
    pub matter: Option<Named>,
    #[schema(value_type = String)]
    pub amount: Decimal,
    /// What the source says, when it differs.
    #[schema(value_type = Option<String>)]
    pub source_amount: Option<Decimal>,
    /// ok, mismatch or negative.
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FileCheck {
    /// document or project-email.
    pub kind: String,
    pub id: String,
    pub name: Option<String>,
    pub matter: Option<Named>,
    /// SHA-256 of each stored file (a document's file, or an email's attachments).
    pub sha256: Vec<String>,
    /// The problem found, when one was.
    pub problem: Option<String>,
}

/// One file of the export and what became of it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportFile {
    /// The path inside the export, "file.xlsx#Sheet" for a worksheet.
    pub path: String,
    /// table, left out, not mapped, document, email or unreadable.
    pub role: String,
    pub kind: Option<String>,
    /// The text encoding a table was read in.
    pub encoding: Option<String>,
    pub loaded: u64,
    pub rejected: u64,
    /// Why it could not be read, or where its reading stopped.
    pub problem: Option<String>,
    /// A table's columns no field takes and nobody left out on purpose: values no record
    /// carries.
    #[serde(default)]
    pub undecided: Vec<UndecidedColumn>,
}

/// A column no field takes, with what its rows held in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UndecidedColumn {
    pub header: String,
    pub values: u64,
    /// "amounts", "dates" or "other".
    pub holds: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DuplicateGroup {
    pub contacts: Vec<Named>,
    /// Why they look like one person: each pair with the key they share.
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    pub a: String,
    pub b: String,
    /// Match weight in bits: log2 of the odds that the two are one contact.
    pub score: f64,
    /// Each field compared and how: "email agrees", "phone disagrees"...
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReportView {
    pub job: String,
    pub job_name: String,
    /// The files the firm uploaded.
    pub export: String,
    pub currency: String,
    pub verdict: Verdict,
    pub summary: Summary,
    pub kinds: Vec<KindLine>,
    pub trust_by_matter: Vec<Balance>,
    pub trust_by_client: Vec<Balance>,
    pub receivables_by_matter: Vec<Balance>,
    pub invoices: Vec<Balance>,
    pub files: Vec<FileCheck>,
    /// Every file of the export: each table, document and email, and each that could not
    /// be read.
    pub export_files: Vec<ExportFile>,
    pub duplicates: Vec<DuplicateGroup>,
    pub reject_totals: BTreeMap<String, u64>,
    /// Every problem, one line each.
    pub problems: Vec<String>,
}
