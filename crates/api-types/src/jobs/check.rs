//! The check before a start: per table what would load, per kind "will this migrate?".

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// A row-level problem the check found.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProblemView {
    pub row: Option<u64>,
    /// The source column.
    pub column: Option<String>,
    /// The canonical field.
    pub field: Option<String>,
    pub code: String,
    pub message: String,
}

/// One table as the check read it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FileCheck {
    pub table: String,
    /// The kind it is mapped to; none when it is left out.
    pub kind: Option<String>,
    pub rows: u64,
    /// Rows that pass the mapping, validation, a unique id and present files (references
    /// between records are checked only by the migration).
    pub valid_rows: u64,
    pub encoding: String,
    /// Problems by reason, all counted.
    pub problem_totals: BTreeMap<String, u64>,
    /// The first problems, with their rows.
    pub problems: Vec<ProblemView>,
}

/// "Will this migrate?" for one kind.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KindEstimate {
    pub kind: String,
    /// The kind's name for people ("Trust ledger").
    pub label: String,
    pub rows: u64,
    pub valid_rows: u64,
    /// valid_rows / rows (1 for no rows).
    pub share: f64,
    /// "yes" (every row), "mostly" (at least 90%) or "no".
    pub verdict: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckResult {
    pub files: Vec<FileCheck>,
    pub kinds: Vec<KindEstimate>,
    /// Files that could not be read at all.
    pub unreadable: Vec<ProblemView>,
}

/// A job's check as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CheckView {
    /// none, waiting, running, done or failed.
    pub status: String,
    /// The result was made with the mapping as it stands now.
    pub current: bool,
    pub error: Option<String>,
    pub result: Option<CheckResult>,
    pub updated_at: Option<i64>,
}
