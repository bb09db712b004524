//! A job's rejected rows, a page at a time.
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RejectsQuery {
    /// Only this kind (e.g. project-funds).
    pub kind: Option<String>,
    /// Only this source table.
    pub file: Option<String>,
    /// Only this reason code (e.g. invalid_amount).
    pub code: Option<String>,
    /// Only rows whose id, field, reason or raw value contains this text (any case).
    pub q: Option<String>,
    /// kind, file, row, source_id, field, code or reason (default: kind, file, row).
    pub sort: Option<String>,
    /// asc (default) or desc.
    pub dir: Option<String>,
    /// From 1.
    pub page: Option<usize>,
    /// 1 to 500, 50 by default.
    pub per_page: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RejectView {
    pub kind: String,
    /// The kind's name for people.
    pub label: String,
    pub file: String,
    pub row: i64,
    pub source_id: Option<String>,
    pub field: String,
    pub code: String,
    pub reason: String,
    /// The source row as read.
    pub raw: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RejectsPage {
    /// Rows matching the filters.
    pub total: usize,
    /// Every reject of the job.
    pub all: usize,
    pub page: usize,
    pub per_page: usize,
    pub items: Vec<RejectView>,
    /// The values each filter can take, with their counts over the whole job.
    pub kinds: Vec<(String, usize)>,
    pub files: Vec<(String, usize)>,
    pub codes: Vec<(String, usize)>,
}
