//! A running job's progress per kind.

use migrationai_domain::{DraftStatus, JobStatus, Kind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct KindProgressView {
    pub kind: Kind,
    /// The kind's name for people ("Trust ledger").
    pub label: String,
    pub batches: i64,
    pub batches_done: i64,
    pub rows: i64,
    pub loaded: i64,
    pub rejected: i64,
    /// Estimated seconds until the kind is done, at the run's pace so far; none until
    /// there is a pace (0 once done).
    pub eta_seconds: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgressView {
    pub status: DraftStatus,
    pub run_status: Option<JobStatus>,
    pub phase: Option<i64>,
    /// True once the report is ready (or the job can make no more progress).
    pub finished: bool,
    /// Source rows loaded or rejected per second since the start.
    pub rows_per_second: Option<f64>,
    /// Estimated seconds until every kind is done.
    pub eta_seconds: Option<u64>,
    pub kinds: Vec<KindProgressView>,
}
