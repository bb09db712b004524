//! A corrections upload and the job it started.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::JobView;
/// What a corrections upload started.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CorrectionsRun {
    /// The new job, started.
    pub job: JobView,
    /// Source rows of the table replaced by a correction.
    pub corrected_rows: Vec<u64>,
    /// Rows sent back unchanged (not counted as corrections).
    pub unchanged_rows: Vec<u64>,
}
