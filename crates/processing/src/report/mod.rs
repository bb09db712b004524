//! The reconciliation report: what was loaded and rejected per kind (and why, to the row),
//! trust and receivables recomputed from the loaded ledger and compared with what the source
//! says, documents checked against their stored blobs, duplicate contacts found.
//!
//! Money is `Decimal` throughout; comparisons are exact and every mismatch is listed.

mod build;
pub mod csv;
pub mod files;
pub mod html;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use build::build;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub source_rows: u64,
    pub loaded: u64,
    pub rejected: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectEntry {
    pub kind: String,
    pub file: String,
    pub row: u64,
    pub source_id: Option<String>,
    pub field: String,
    pub code: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustMismatch {
    pub project_id: String,
    /// "running_balance" (last ledger row of the matter) or "trust_balance" (projects file).
    pub source_column: String,
    pub source_balance: Decimal,
    pub computed_balance: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NegativeBalance {
    /// "project" or "client".
    pub scope: String,
    pub id: String,
    pub balance: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceMismatch {
    pub invoice_id: String,
    pub source_balance_due: Decimal,
    pub computed_balance: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentProblem {
    pub kind: String,
    pub source_id: String,
    /// "blob_missing", "checksum_mismatch" or "source_checksum_mismatch".
    pub code: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub job: String,
    pub job_name: String,
    pub export: String,
    pub currency: String,
    pub kinds: BTreeMap<String, KindCounts>,
    /// By kind phase, then file and row.
    pub rejects: Vec<RejectEntry>,
    pub reject_totals: BTreeMap<String, u64>,
    /// Rows rejected because a reference named no loaded record, per kind.
    pub orphans: BTreeMap<String, u64>,
    pub duplicate_groups: Vec<Vec<String>>,
    pub duplicate_links: u64,
    pub trust_by_project: BTreeMap<String, Decimal>,
    pub trust_by_client: BTreeMap<String, Decimal>,
    pub trust_mismatches: Vec<TrustMismatch>,
    pub negative_trust: Vec<NegativeBalance>,
    pub invoice_balance: BTreeMap<String, Decimal>,
    pub receivable_by_project: BTreeMap<String, Decimal>,
    pub invoice_mismatches: Vec<InvoiceMismatch>,
    /// Loaded document source id → SHA-256 of its stored file.
    pub documents: BTreeMap<String, String>,
    /// Loaded email source id → SHA-256 of each attachment, in order.
    pub email_attachments: BTreeMap<String, Vec<String>>,
    pub document_problems: Vec<DocumentProblem>,
    /// Every file of the export and what became of it.
    #[serde(default)]
    pub files: Vec<files::FileLine>,
    /// Every kind balances (source rows = loaded + rejected) and nothing mismatches.
    pub reconciled: bool,
}

impl Report {
    /// The problems that make the run fail to reconcile, one line each.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (kind, c) in &self.kinds {
            if c.source_rows != c.loaded + c.rejected {
                out.push(format!(
                    "{kind}: {} source rows but {} loaded + {} rejected",
                    c.source_rows, c.loaded, c.rejected
                ));
            }
        }
        for m in &self.trust_mismatches {
            out.push(format!(
                "trust of {}: source {} {} but the ledger sums to {}",
                m.project_id, m.source_column, m.source_balance, m.computed_balance
            ));
        }
        for m in &self.invoice_mismatches {
            out.push(format!(
                "invoice {}: source balance due {} but total minus payments is {}",
                m.invoice_id, m.source_balance_due, m.computed_balance
            ));
        }
        for p in &self.document_problems {
            out.push(format!("{} {}: {}", p.kind, p.source_id, p.detail));
        }
        out.extend(self.files.iter().filter_map(files::FileLine::problem));
        out
    }
}
