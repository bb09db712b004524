//! Every file of the export, in the report: each table with what was loaded and rejected
//! from it, each document and email, each file that could not be read (and why), and each
//! table whose reading stopped early. A file the report does not name was never looked at,
//! so the planner lists them all and the report says what became of each.

use migrationai_ingest::undecided::{Holds, UndecidedColumn};
use serde::{Deserialize, Serialize};

/// What a file of the export is to the migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileRole {
    /// A table (or worksheet) migrated into a kind.
    Table,
    /// A readable table a person left out of the mapping on purpose.
    Ignored,
    /// A readable table no kind was recognised for and nobody left out: its rows are
    /// neither loaded nor rejected, so a job with such rows does not count as migrated.
    Unmapped,
    /// A document file rows may refer to.
    Document,
    /// An email message file.
    Email,
    /// A table that could not be read at all.
    Unreadable,
}

/// One file (or worksheet) of the export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLine {
    /// The path inside the export, "file.xlsx#Sheet" for a worksheet.
    pub path: String,
    pub role: FileRole,
    /// The kind a table was migrated into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The text encoding a table was read in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// The rows of a table that was not migrated (left out or not mapped).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rows: u64,
    #[serde(default)]
    pub loaded: u64,
    #[serde(default)]
    pub rejected: u64,
    /// Why the file could not be read, or why reading it stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The row at which reading stopped, for a table cut short.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<u64>,
    /// A table's columns that no field takes and nobody left out on purpose, with what they
    /// held: values no record carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecided: Vec<UndecidedColumn>,
    /// What reading the table did that a person should know and that loses nothing: title
    /// lines above the header skipped, a blank or repeated header renamed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl FileLine {
    /// A line with nothing yet known but the file and its role.
    pub fn new(path: &str, role: FileRole) -> FileLine {
        FileLine {
            path: path.to_string(),
            role,
            kind: None,
            encoding: None,
            rows: 0,
            loaded: 0,
            rejected: 0,
            reason: None,
            stopped_at: None,
            undecided: Vec::new(),
            notes: Vec::new(),
        }
    }
}

impl FileRole {
    /// The role as people read it.
    pub fn as_str(self) -> &'static str {
        match self {
            FileRole::Table => "table",
            FileRole::Ignored => "left out",
            FileRole::Unmapped => "not mapped",
            FileRole::Document => "document",
            FileRole::Email => "email",
            FileRole::Unreadable => "unreadable",
        }
    }
}

impl FileLine {
    /// The reason this file makes the migration fail, if it does.
    pub fn problem(&self) -> Option<String> {
        let reason = self.reason.as_deref().unwrap_or("no reason given");
        match (self.role, self.stopped_at) {
            (FileRole::Unmapped, _) if self.rows > 0 => Some(format!(
                "{}: {} rows not migrated: no kind of record was recognised in it and the mapping does not leave it out; give it a kind in the mapping, or kind = \"ignore\" to leave it out on purpose",
                self.path, self.rows
            )),
            (FileRole::Unreadable, _) => Some(format!(
                "{}: could not be read, nothing of it was migrated: {reason}",
                self.path
            )),
            (_, Some(row)) => Some(format!(
                "{}: reading stopped at row {row} and no row after it was read: {reason}",
                self.path
            )),
            (FileRole::Table, None) => self.undecided_amounts(),
            _ => None,
        }
    }

    /// Amounts in columns nobody decided about: money the migration would drop without a
    /// word, so the job does not count as migrated until a person maps or leaves them out.
    fn undecided_amounts(&self) -> Option<String> {
        let amounts: Vec<String> = self
            .undecided
            .iter()
            .filter(|c| c.holds == Holds::Amounts)
            .map(|c| format!("\"{}\" ({} values)", c.header, c.values))
            .collect();
        if amounts.is_empty() {
            return None;
        }
        Some(format!(
            "{}: {} {} amounts that no field takes, so no record carries them; map {}, or set {} to \"ignore\" in the mapping to leave {} out on purpose",
            self.path,
            amounts.join(", "),
            if amounts.len() == 1 { "holds" } else { "hold" },
            if amounts.len() == 1 { "it" } else { "them" },
            if amounts.len() == 1 { "it" } else { "each" },
            if amounts.len() == 1 { "it" } else { "them" },
        ))
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The blob the planner leaves the file list in.
pub fn files_key(tenant: &str, job: &str) -> String {
    format!("tenants/{tenant}/jobs/{job}/files.json")
}
