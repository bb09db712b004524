//! Resumable uploads.

use super::UploadedFile;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewUpload {
    /// The file's name: letters, digits, '.', '_', '-'.
    pub name: String,
    /// The whole file's size in bytes.
    pub size: u64,
}

/// A resumable upload as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UploadView {
    pub upload_id: String,
    pub name: String,
    pub size: u64,
    /// Largest chunk accepted.
    pub part_size: u64,
    /// Bytes the server holds; the next chunk must start here.
    pub offset: u64,
    /// The job's file, once every byte has arrived.
    pub file: Option<UploadedFile>,
}

/// The body of a 409 for a chunk that does not start at the server's offset.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OffsetConflict {
    pub error: String,
    pub message: String,
    /// Where the next chunk must start.
    pub offset: u64,
}
