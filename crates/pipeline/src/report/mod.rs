//! The reconciliation report: the verdict first (`verdict`: accounted for, migrated, the top
//! causes of rejects), then what was loaded and rejected per kind (and why, to the row),
//! trust and receivables recomputed from the loaded ledger and compared with what the source
//! says (running balances read in the order the export keeps them: `ledger`), documents
//! checked against their stored blobs, duplicate contacts as scored pairs.
//!
//! Money is `Decimal` throughout; comparisons are exact and every mismatch is listed.

mod build;
pub mod csv;
pub mod files;
pub mod filevine;
pub mod html;
pub mod ledger;
pub mod stored;
pub mod verdict;

use std::collections::BTreeMap;

use migrationai_domain::Kind;
use migrationai_ports::store::ContactLink;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use build::build;
pub use ledger::{LedgerBreak, LedgerOrder, LedgerScope};
pub use verdict::{Cause, Threshold, Verdict};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub source_rows: u64,
    pub loaded: u64,
    pub rejected: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectEntry {
    pub kind: Kind,
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
    /// "running_balance" (a ledger row's) or "trust_balance" (projects file).
    pub source_column: String,
    /// What the source states.
    pub source_balance: Decimal,
    /// What the loaded ledger adds up to at the same point.
    pub computed_balance: Decimal,
    /// For a running balance: the first row where no reading order makes it agree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<LedgerBreak>,
}

/// How the trust ledgers' running balances were read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerSummary {
    /// What the running balance runs over; none when the export states no running balance.
    pub scope: Option<LedgerScope>,
    /// Ledgers whose running balance agrees throughout, per order it agrees in.
    pub consistent: BTreeMap<LedgerOrder, u64>,
    /// Ledgers that agree in no order (each is a trust mismatch).
    pub broken: u64,
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
    pub kind: Kind,
    pub source_id: String,
    /// "blob_missing", "checksum_mismatch" or "source_checksum_mismatch".
    pub code: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Read first: whether the job migrated, and why not.
    #[serde(default)]
    pub verdict: Verdict,
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
    /// Contacts joined by strong links, at most a handful each (ids sorted, groups sorted).
    pub duplicate_groups: Vec<Vec<String>>,
    /// Strong links that joined more contacts than one person plausibly has entries: a
    /// shared value, for a person to look at, not one contact.
    #[serde(default)]
    pub suspicious_groups: Vec<Vec<String>>,
    /// Scored pairs at or above the review line, with their evidence, by (a, b).
    #[serde(default)]
    pub duplicate_pairs: Vec<ContactLink>,
    pub trust_by_project: BTreeMap<String, Decimal>,
    pub trust_by_client: BTreeMap<String, Decimal>,
    pub trust_mismatches: Vec<TrustMismatch>,
    #[serde(default)]
    pub trust_ledgers: LedgerSummary,
    pub negative_trust: Vec<NegativeBalance>,
    pub invoice_balance: BTreeMap<String, Decimal>,
    pub receivable_by_project: BTreeMap<String, Decimal>,
    pub invoice_mismatches: Vec<InvoiceMismatch>,
    /// Loaded document source id → SHA-256 of its stored file.
    pub documents: BTreeMap<String, String>,
    /// Loaded email source id → SHA-256 of each attachment, in order.
    pub email_attachments: BTreeMap<String, Vec<String>>,
    pub document_problems: Vec<DocumentProblem>,
    /// Tables whose ids did not come from a column mapped to the id field, and where they
    /// came from instead (a key column, columns together, or derived from file and row).
    #[serde(default)]
    pub keys: BTreeMap<String, String>,
    /// Every file of the export and what became of it.
    #[serde(default)]
    pub files: Vec<files::FileLine>,
    /// The delivery into Filevine, once the job has been pushed there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filevine: Option<filevine::FilevineSection>,
}

impl Report {
    /// Writes every amount with at least the currency's minor digits, so a zero balance reads
    /// "0.00" beside "12.50" wherever the report is shown.
    pub fn amounts_in_minor_digits(&mut self) {
        let Ok(currency) = self.currency.parse::<migrationai_domain::value::Currency>() else {
            return;
        };
        let fix = |d: &mut Decimal| *d = currency.in_minor_digits(*d);
        for map in [
            &mut self.trust_by_project,
            &mut self.trust_by_client,
            &mut self.invoice_balance,
            &mut self.receivable_by_project,
        ] {
            map.values_mut().for_each(fix);
        }
        for m in &mut self.trust_mismatches {
            fix(&mut m.source_balance);
            fix(&mut m.computed_balance);
        }
        for n in &mut self.negative_trust {
            fix(&mut n.balance);
        }
        for m in &mut self.invoice_mismatches {
            fix(&mut m.source_balance_due);
            fix(&mut m.computed_balance);
        }
    }

    /// The problems that make the run fail to reconcile, one line each; every one of them
    /// fails the verdict.
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
            out.push(match &m.at {
                Some(b) => format!(
                    "trust ledger of {} {} ({}) breaks at {} row {}, transaction {}: the amounts add up to {} but the running balance says {}",
                    b.scope.label(),
                    b.ledger,
                    b.order.label(),
                    b.file,
                    b.row,
                    b.transaction_id,
                    b.expected,
                    b.stated
                ),
                None => format!(
                    "trust of {}: source {} {} but the ledger sums to {}",
                    m.project_id, m.source_column, m.source_balance, m.computed_balance
                ),
            });
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
        if let Some(f) = &self.filevine {
            out.extend(f.problems());
        }
        out
    }
}
