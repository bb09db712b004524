//! Resumable uploads: a large file sent as a sequence of chunks, each a `Content-Range`
//! PUT that must start where the server's copy ends, so a client that lost its connection
//! asks for the offset and carries on from there.
//!
//! Everything lives in the blob store under `upload-parts/<tenant>/<job>/<upload>/`: a
//! manifest (`upload.json`: name and declared size) and one object per chunk
//! (`part-<offset, 20 digits>`). No server keeps state, so any API instance can take the
//! next chunk, and it works the same on S3. The offset is the length of the contiguous run
//! of parts from 0; a chunk is streamed to its own multipart upload and aborted if it is
//! cut off or longer than announced, so a stored part is always whole. When the offset
//! reaches the declared size the parts are streamed, in order, into the job's file (the
//! same key and file row a single-shot upload makes) and then deleted.

use migrationai_api_types::jobs::uploads::{NewUpload, OffsetConflict, UploadView};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use futures::{SinkExt, Stream, StreamExt, TryStreamExt};
use migrationai_domain::DraftStatus;
use migrationai_ports::BlobError;
use serde::{Deserialize, Serialize};

use crate::db::drafts::UploadedFile;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::workflow::upload::{blob_prefix, check_name};

/// The chunk size clients are told to use; chunks may be smaller, never larger.
pub const PART_SIZE: u64 = 8 * 1024 * 1024;
const MANIFEST: &str = "upload.json";
const PART: &str = "part-";

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    name: String,
    size: u64,
}

/// A failed chunk: an ordinary API error, or a chunk at the wrong offset (answered with
/// the offset in the body and in an `Upload-Offset` header so the client can resume).
#[derive(Debug)]
pub enum ChunkError {
    Api(ApiError),
    Offset(u64),
}

impl From<ApiError> for ChunkError {
    fn from(e: ApiError) -> Self {
        ChunkError::Api(e)
    }
}

impl IntoResponse for ChunkError {
    fn into_response(self) -> Response {
        match self {
            ChunkError::Api(e) => e.into_response(),
            ChunkError::Offset(offset) => {
                let body = OffsetConflict {
                    error: "conflict".into(),
                    message: format!(
                        "the chunk must start at byte {offset}, where the server's copy ends"
                    ),
                    offset,
                };
                let mut resp = (StatusCode::CONFLICT, Json(body)).into_response();
                resp.headers_mut()
                    .insert("upload-offset", HeaderValue::from(offset));
                resp
            }
        }
    }
}

/// `bytes first-last/total` (inclusive, as in RFC 9110 §14.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    pub first: u64,
    pub last: u64,
    pub total: u64,
}

impl ContentRange {
    /// Bytes in the range; never zero (`last >= first` is checked on parsing).
    pub fn bytes(&self) -> u64 {
        self.last - self.first + 1
    }

    pub fn parse(value: &str) -> ApiResult<ContentRange> {
        let bad = || {
            ApiError::BadRequest(format!(
                "Content-Range {value:?} is not of the form 'bytes FIRST-LAST/TOTAL'"
            ))
        };
        let rest = value.trim().strip_prefix("bytes ").ok_or_else(bad)?;
        let (range, total) = rest.split_once('/').ok_or_else(bad)?;
        let (first, last) = range.split_once('-').ok_or_else(bad)?;
        let num = |s: &str| s.trim().parse::<u64>().map_err(|_| bad());
        let r = ContentRange {
            first: num(first)?,
            last: num(last)?,
            total: num(total)?,
        };
        if r.last < r.first || r.last >= r.total {
            return Err(bad());
        }
        Ok(r)
    }
}

fn upload_prefix(tenant: &str, job: &str, upload: &str) -> String {
    format!("upload-parts/{tenant}/{job}/{upload}/")
}

fn part_key(prefix: &str, offset: u64) -> String {
    format!("{prefix}{PART}{offset:020}")
}

/// Upload ids are ours (UUID hex); anything else cannot name an upload, and must not be
/// allowed to reach into the key space.
fn check_upload_id(id: &str) -> ApiResult<()> {
    if id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// The job must belong to the tenant and still accept files.
async fn open_job(state: &AppState, tenant: &str, job: &str) -> ApiResult<()> {
    let d = super::draft(state, tenant, job).await?;
    if d.status != DraftStatus::Created {
        return Err(ApiError::Conflict(format!(
            "files can be added only before analysis (the job is {})",
            d.status
        )));
    }
    Ok(())
}

fn too_large(size: u64, limit: u64) -> ApiError {
    ApiError::TooLarge(format!(
        "the file is {size} bytes, larger than the limit of {limit} bytes"
    ))
}

pub async fn begin(
    state: &AppState,
    tenant: &str,
    job: &str,
    req: &NewUpload,
) -> ApiResult<UploadView> {
    check_name(&req.name)?;
    open_job(state, tenant, job).await?;
    let limit = state.settings.upload_limit;
    if req.size > limit {
        return Err(too_large(req.size, limit));
    }
    let upload_id = super::new_job_id();
    if req.size == 0 {
        // Nothing to resume: store the empty file at once.
        let empty = futures::stream::empty::<Result<Bytes, std::io::Error>>();
        let file = super::upload::upload(state, tenant, job, &req.name, empty).await?;
        return Ok(view(upload_id, req.name.clone(), 0, 0, Some(file)));
    }
    let manifest = Manifest {
        name: req.name.clone(),
        size: req.size,
    };
    let json = serde_json::to_vec(&manifest).map_err(ApiError::internal)?;
    let prefix = upload_prefix(tenant, job, &upload_id);
    state
        .app
        .services
        .blobs
        .put(&format!("{prefix}{MANIFEST}"), Bytes::from(json))
        .await?;
    Ok(view(upload_id, req.name.clone(), req.size, 0, None))
}

fn view(
    upload_id: String,
    name: String,
    size: u64,
    offset: u64,
    file: Option<UploadedFile>,
) -> UploadView {
    UploadView {
        upload_id,
        name,
        size,
        part_size: PART_SIZE,
        offset,
        file: file.map(Into::into),
    }
}

async fn manifest(state: &AppState, prefix: &str) -> ApiResult<Manifest> {
    let key = format!("{prefix}{MANIFEST}");
    let bytes = state.app.services.blobs.get(&key).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::internal(format!("upload manifest {key}: {e}")))
}

/// The contiguous parts from offset 0, as (key, size), and where they end.
async fn parts(state: &AppState, prefix: &str) -> ApiResult<(Vec<(String, u64)>, u64)> {
    let mut run = Vec::new();
    let mut offset = 0;
    for meta in state.app.services.blobs.list(prefix).await? {
        let Some(start) = meta
            .key
            .strip_prefix(prefix)
            .and_then(|n| n.strip_prefix(PART))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        // Keys sort by offset (zero-padded); a part that does not continue the run is
        // unreachable (it can only come from a race) and is ignored.
        if start == offset {
            offset += meta.size;
            run.push((meta.key, meta.size));
        }
    }
    Ok((run, offset))
}

pub async fn status(
    state: &AppState,
    tenant: &str,
    job: &str,
    upload_id: &str,
) -> ApiResult<UploadView> {
    check_upload_id(upload_id)?;
    super::draft(state, tenant, job).await?;
    let prefix = upload_prefix(tenant, job, upload_id);
    let m = manifest(state, &prefix).await?;
    let (_, offset) = parts(state, &prefix).await?;
    if offset >= m.size {
        // Every byte arrived but assembling was interrupted: finish it now.
        open_job(state, tenant, job).await?;
        let file = assemble(state, tenant, job, &prefix, &m).await?;
        return Ok(view(upload_id.into(), m.name, m.size, m.size, Some(file)));
    }
    Ok(view(upload_id.into(), m.name, m.size, offset, None))
}

/// Stores one chunk; the last one completes the file.
pub async fn put_chunk<S, E>(
    state: &AppState,
    tenant: &str,
    job: &str,
    upload_id: &str,
    range: Option<&str>,
    body: S,
) -> Result<UploadView, ChunkError>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    check_upload_id(upload_id)?;
    open_job(state, tenant, job).await?;
    let prefix = upload_prefix(tenant, job, upload_id);
    let m = manifest(state, &prefix).await?;
    let range = range.ok_or_else(|| {
        ApiError::BadRequest("a chunk needs a Content-Range header: bytes FIRST-LAST/TOTAL".into())
    })?;
    let range = ContentRange::parse(range)?;
    if range.total != m.size {
        return Err(ApiError::BadRequest(format!(
            "Content-Range total {} differs from the upload's size {}",
            range.total, m.size
        ))
        .into());
    }
    if range.bytes() > PART_SIZE {
        return Err(ApiError::TooLarge(format!(
            "a chunk may hold at most {PART_SIZE} bytes; this one announces {}",
            range.bytes()
        ))
        .into());
    }
    let (_, offset) = parts(state, &prefix).await?;
    if range.first != offset {
        return Err(ChunkError::Offset(offset));
    }
    store_part(state, &part_key(&prefix, offset), range.bytes(), body).await?;
    let end = offset + range.bytes();
    if end < m.size {
        return Ok(view(upload_id.into(), m.name, m.size, end, None));
    }
    let file = assemble(state, tenant, job, &prefix, &m).await?;
    Ok(view(upload_id.into(), m.name, m.size, m.size, Some(file)))
}

/// Streams the body into its part, refusing (and aborting the part) when it is longer or
/// shorter than its Content-Range says.
async fn store_part<S, E>(state: &AppState, key: &str, expected: u64, body: S) -> ApiResult<()>
where
    S: Stream<Item = Result<Bytes, E>> + Send,
    E: std::fmt::Display,
{
    let seen = Arc::new(AtomicU64::new(0));
    let counter = seen.clone();
    let counted = body.map(move |chunk| match chunk {
        Ok(c) => {
            let total = counter.fetch_add(c.len() as u64, Ordering::Relaxed) + c.len() as u64;
            if total > expected {
                Err(BlobError::Io(std::io::Error::other("chunk too long")))
            } else {
                Ok(c)
            }
        }
        Err(e) => Err(BlobError::Io(std::io::Error::other(e.to_string()))),
    });
    // After the body ends, one last check: a cut-off chunk must not be stored.
    let end_check = seen.clone();
    let checked = counted
        .chain(futures::stream::once(async move {
            if end_check.load(Ordering::Relaxed) == expected {
                Ok(Bytes::new())
            } else {
                Err(BlobError::Io(std::io::Error::other("chunk cut off")))
            }
        }))
        .try_filter(|b| futures::future::ready(!b.is_empty()));
    match state.app.services.blobs.put_stream(key, checked).await {
        Ok(_) => Ok(()),
        Err(e) => {
            let got = seen.load(Ordering::Relaxed);
            Err(if got > expected {
                ApiError::TooLarge(format!(
                    "the chunk is longer than its Content-Range ({expected} bytes); it was not kept"
                ))
            } else if got < expected {
                ApiError::BadRequest(format!(
                    "the chunk ended after {got} of {expected} bytes; it was not kept, resend it"
                ))
            } else {
                ApiError::internal(format!("storing {key}: {e}"))
            })
        }
    }
}

/// Streams the parts in order into the job's file, records it, and drops the parts.
async fn assemble(
    state: &AppState,
    tenant: &str,
    job: &str,
    prefix: &str,
    m: &Manifest,
) -> ApiResult<UploadedFile> {
    let (run, offset) = parts(state, prefix).await?;
    if offset != m.size {
        return Err(ApiError::internal(format!(
            "upload {prefix} holds {offset} bytes of {}",
            m.size
        )));
    }
    // The parts are read one after another by a task feeding a small bounded channel:
    // memory holds a few chunks, and the reader's future stays a plain spawned task
    // (composing the reads as stream combinators inside a handler defeats the compiler's
    // Send inference).
    let (mut tx, rx) = futures::channel::mpsc::channel::<Result<Bytes, BlobError>>(4);
    let blobs = state.app.services.blobs.clone();
    tokio::spawn(async move {
        for (key, _) in run {
            let mut stream = match blobs.get_stream(&key).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
            };
            while let Some(chunk) = stream.next().await {
                let failed = chunk.is_err();
                // A closed channel means the writer gave up; stop reading.
                if tx.send(chunk).await.is_err() || failed {
                    return;
                }
            }
        }
    });
    let joined = rx;
    let key = format!("{}{}", blob_prefix(tenant, job), m.name);
    let stored = state.app.services.blobs.put_stream(&key, joined).await?;
    let size = i64::try_from(stored.size).map_err(ApiError::internal)?;
    state
        .db
        .add_file(tenant, job, &m.name, size, &stored.sha256)
        .await?;
    remove_all(state, prefix).await?;
    Ok(UploadedFile {
        name: m.name.clone(),
        size,
        sha256: stored.sha256,
        created_at: crate::db::now(),
    })
}

async fn remove_all(state: &AppState, prefix: &str) -> ApiResult<()> {
    let blobs = &state.app.services.blobs;
    for meta in blobs.list(prefix).await? {
        blobs.delete(&meta.key).await?;
    }
    Ok(())
}

/// Removes the parts of every unfinished upload of a job that no longer takes files
/// (analysed or cancelled): nothing can complete them any more. A failure is only logged,
/// since the job's own change has been made.
pub async fn discard_unfinished(state: &AppState, tenant: &str, job: &str) {
    let prefix = format!("upload-parts/{tenant}/{job}/");
    if let Err(e) = remove_all(state, &prefix).await {
        tracing::warn!(%tenant, %job, error = %e, "unfinished upload parts were not removed");
    }
}

/// Abandons the upload and removes every part of it.
pub async fn abort(state: &AppState, tenant: &str, job: &str, upload_id: &str) -> ApiResult<()> {
    check_upload_id(upload_id)?;
    super::draft(state, tenant, job).await?;
    let prefix = upload_prefix(tenant, job, upload_id);
    manifest(state, &prefix).await?;
    remove_all(state, &prefix).await
}

/// The Content-Range header of a request, if any and readable.
pub fn range_header(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::ContentRange;

    #[test]
    fn content_range_is_parsed_and_checked() {
        let r = ContentRange::parse("bytes 0-99/250").expect("valid");
        assert_eq!((r.first, r.last, r.total, r.bytes()), (0, 99, 250, 100));
        for bad in [
            "bytes 5-4/10",
            "bytes 0-10/10",
            "0-1/2",
            "bytes */10",
            "bytes a-b/c",
        ] {
            assert!(ContentRange::parse(bad).is_err(), "{bad}");
        }
    }
}
