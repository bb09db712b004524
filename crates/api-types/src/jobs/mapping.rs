//! The mapping under review and the changes a person makes to it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MappingView {
    /// The mapping file the job will run with (TOML).
    pub toml: String,
    /// The proposal per table: detected kind with confidence, and per column the proposed
    /// field, its confidence, evidence and sample values; and the questions the evidence
    /// left for a person.
    #[schema(value_type = Object)]
    pub proposal: serde_json::Value,
    /// The currency amounts without one are in.
    pub currency: String,
    /// The time zone of local times.
    pub time_zone: String,
    pub country: Option<String>,
    pub tables: Vec<TableView>,
}

/// The mapping as it stands, table by table.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TableView {
    pub table: String,
    pub kind: Option<String>,
    /// Left out on purpose by a person. A table with no kind that is not left out was not
    /// recognised and waits for a decision: its rows are not migrated, and the job's verdict
    /// says so.
    #[serde(default)]
    pub left_out: bool,
    /// "mdy" or "dmy"; none when not set.
    pub date_order: Option<String>,
    /// Where the rows' ids come from: the column mapped to the kind's source id, several
    /// columns ("A + B"), or [`DERIVED`].
    pub key: Option<String>,
    /// What the kind requires and no column gives: fields, and "one of a, b" groups.
    pub unmet: Vec<String>,
    /// Values given to fields no column holds, on every row: (field, value).
    pub defaults: Vec<(String, String)>,
    pub columns: Vec<ColumnView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ColumnView {
    pub header: String,
    pub field: Option<String>,
}

/// One change. With a table: its kind ("skip" leaves the table out, "" leaves it undecided; the columns are mapped
/// again by their headers for the new kind), its date order ("mdy", "dmy", or "" for none),
/// or one column's field (null or "" leaves the column out; a field taken by another column
/// moves). Without a table: the currency or time zone of the whole export.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct MappingChange {
    pub table: Option<String>,
    /// The column header to change; omit to change the table itself.
    pub column: Option<String>,
    /// The canonical field for the column (null: not migrated).
    pub field: Option<String>,
    /// A new kind for the table ("skip" leaves the table out).
    pub kind: Option<String>,
    pub date_order: Option<String>,
    pub currency: Option<String>,
    pub time_zone: Option<String>,
}

/// How the view names a key derived from the file and row (the table has no key column).
pub const DERIVED: &str = "(derived from the file and row)";
