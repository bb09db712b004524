//! Migrated records: listing, one record with its links, and writes through the queue.

use std::collections::BTreeMap;

use migrationai_domain::Kind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct RecordQuery {
    /// Case-insensitive text that the record's fields must contain.
    pub q: Option<String>,
    /// Only records from this source file.
    pub file: Option<String>,
    /// 1-based page number.
    pub page: Option<usize>,
    /// Records per page (1 to 500, default 50).
    pub per_page: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordView {
    pub kind: String,
    pub source_id: String,
    pub canonical_id: String,
    pub file: String,
    pub row: i64,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordPage {
    pub items: Vec<RecordView>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordLink {
    /// "reference" (a field naming another record) or "duplicate" (a possible duplicate
    /// contact, with the reason).
    pub rel: String,
    pub field: String,
    pub target: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordDetail {
    pub record: RecordView,
    pub links: Vec<RecordLink>,
}

/// A record to write: canonical field name → value, as in /v1/catalogue. Strings are taken
/// as they are; numbers and booleans as their JSON text; a list (of a reference-list field)
/// is joined with ";"; null leaves the field empty.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(value_type = Object, example = json!({"contact_id": "C-9001", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}))]
pub struct NewRecord(pub BTreeMap<String, Value>);

/// Where a write stands. Not stored: read from the write's batch each time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WriteStatus {
    Pending,
    Loaded,
    Rejected,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WriteRequest {
    pub request_id: String,
    pub kind: Kind,
    pub status: WriteStatus,
    /// Set once loaded.
    pub source_id: Option<String>,
    pub canonical_id: Option<String>,
    /// Set once rejected: the field at fault, a stable code and the reason.
    pub field: Option<String>,
    pub code: Option<String>,
    pub reason: Option<String>,
}
