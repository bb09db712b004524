//! A migration job as the firm drives it: the job, its files, uploads, mapping review, the
//! check, progress, the report, rejects and corrections.

pub mod check;
pub mod corrections;
pub mod mapping;
pub mod progress;
pub mod push;
pub mod rejects;
pub mod report;
pub mod uploads;

use migrationai_domain::{DraftStatus, JobStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A job as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobView {
    /// The firm the job belongs to.
    pub tenant: String,
    pub id: String,
    pub name: String,
    pub status: DraftStatus,
    /// The run's status once started.
    pub run_status: Option<JobStatus>,
    pub phase: Option<i64>,
    pub error: Option<String>,
    pub files: Vec<UploadedFile>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewJob {
    /// A name for the migration, unique within the firm (1 to 100 characters).
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UploadedFile {
    pub name: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}
