//! Uploads stream into the blob store under `uploads/<tenant>/<job>/<file>`, counted as they
//! arrive: past the limit the multipart upload is aborted, so nothing half-written remains.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use migrationai_domain::DraftStatus;
use migrationai_ports::BlobError;

use crate::db::drafts::UploadedFile;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn blob_prefix(tenant: &str, job: &str) -> String {
    format!("uploads/{tenant}/{job}/")
}

/// File names are kept plain: letters, digits, `.`, `_`, `-`; no leading dot.
pub fn check_name(name: &str) -> ApiResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::BadRequest(
            "file name must be 1 to 200 letters, digits, '.', '_' or '-', not starting with '.'"
                .into(),
        ))
    }
}

pub async fn upload<S, E>(
    state: &AppState,
    tenant: &str,
    job: &str,
    name: &str,
    body: S,
) -> ApiResult<UploadedFile>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    check_name(name)?;
    let d = super::draft(state, tenant, job).await?;
    if d.status != DraftStatus::Created {
        return Err(ApiError::Conflict(format!(
            "files can be added only before analysis (the job is {})",
            d.status
        )));
    }
    let limit = state.settings.upload_limit;
    let over = Arc::new(AtomicBool::new(false));
    let mut seen: u64 = 0;
    let flag = over.clone();
    let limited = body.map(move |chunk| match chunk {
        Ok(c) => {
            seen += c.len() as u64;
            if seen > limit {
                flag.store(true, Ordering::Relaxed);
                Err(BlobError::Io(std::io::Error::other(
                    "upload exceeds the size limit",
                )))
            } else {
                Ok(c)
            }
        }
        Err(e) => Err(BlobError::Io(std::io::Error::other(e.to_string()))),
    });
    let key = format!("{}{name}", blob_prefix(tenant, job));
    let stored = state.app.services.blobs.put_stream(&key, limited).await;
    let stored = match stored {
        Ok(s) => s,
        Err(_) if over.load(Ordering::Relaxed) => {
            return Err(ApiError::TooLarge(format!(
                "the file is larger than the limit of {limit} bytes"
            )))
        }
        Err(e) => return Err(ApiError::BadRequest(format!("upload failed: {e}"))),
    };
    let size = i64::try_from(stored.size).unwrap_or(i64::MAX);
    state
        .db
        .add_file(tenant, job, name, size, &stored.sha256)
        .await?;
    Ok(UploadedFile {
        name: name.to_string(),
        size,
        sha256: stored.sha256,
        created_at: crate::db::now(),
    })
}
