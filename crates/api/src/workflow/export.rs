//! The canonical export of a finished job: a zip with one JSON-lines file per kind
//! (`contacts.jsonl`, ...) and the reconciliation report (`report.json`).
//!
//! Each line is one migrated record: `canonical_id`, `source_id`, `source_file`,
//! `source_row`, then the stored canonical data: `fields`, `refs` (reference field →
//! canonical ids it resolved to) and `files` (document blob keys with their SHA-256).
//!
//! The records are read a page at a time through `Store::records_page` (keyset paging)
//! and deflated into an anonymous temporary file, which is then streamed to the client;
//! memory holds one page whatever the job's size. The zip crate needs a seekable writer
//! (it patches each entry's header once the entry is written), hence the file rather than
//! writing straight into the response.

use std::io::{Seek, SeekFrom, Write};
use std::sync::Arc;

use axum::body::Body;
use bytes::Bytes;
use migrationai_domain::Kind;
use migrationai_ports::store::{RecordRow, Store};
use serde_json::{Map, Value};
use tokio::io::AsyncReadExt;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Records fetched per store round trip.
const PAGE: usize = 2000;
/// Bytes per chunk of the response body.
const CHUNK: usize = 64 * 1024;

/// The export as a streamed response body. 409 until the job's report exists.
pub async fn zip_body(state: &AppState, tenant: &str, job: &str) -> ApiResult<Body> {
    let report = super::run::report(state, tenant, job).await?;
    let report = serde_json::to_vec_pretty(&report).map_err(ApiError::internal)?;
    let store = state.app.services.store.clone();
    let rt = tokio::runtime::Handle::current();
    let (tenant, job) = (tenant.to_string(), job.to_string());
    let file = tokio::task::spawn_blocking(move || write_zip(&rt, store, &tenant, &job, &report))
        .await
        .map_err(ApiError::internal)??;
    let file = tokio::fs::File::from_std(file);
    let stream = futures::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; CHUNK];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok(Body::from_stream(stream))
}

fn write_zip(
    rt: &tokio::runtime::Handle,
    store: Arc<dyn Store>,
    tenant: &str,
    job: &str,
    report: &[u8],
) -> ApiResult<std::fs::File> {
    let io = |e: std::io::Error| ApiError::internal(format!("export of job {job}: {e}"));
    let zerr = |e: zip::result::ZipError| ApiError::internal(format!("export of job {job}: {e}"));
    let opts = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true);
    let mut zip = ZipWriter::new(tempfile::tempfile().map_err(io)?);
    for kind in Kind::ALL {
        zip.start_file(format!("{kind}.jsonl"), opts)
            .map_err(zerr)?;
        let mut after: Option<String> = None;
        loop {
            let page =
                rt.block_on(store.records_page(tenant, job, kind, after.as_deref(), PAGE))?;
            let Some(last) = page.last() else { break };
            after = Some(last.source_id.clone());
            for r in &page {
                serde_json::to_writer(&mut zip, &line(r)?).map_err(ApiError::internal)?;
                zip.write_all(b"\n").map_err(io)?;
            }
        }
    }
    zip.start_file("report.json", opts).map_err(zerr)?;
    zip.write_all(report).map_err(io)?;
    let mut file = zip.finish().map_err(zerr)?;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(file)
}

/// One record's export line: where it came from, then its canonical data.
fn line(r: &RecordRow) -> ApiResult<Value> {
    let data: Value = serde_json::from_str(&r.data).map_err(|e| {
        ApiError::internal(format!(
            "record {}/{} ({} row {}): stored data is not JSON: {e}",
            r.kind, r.source_id, r.file, r.row
        ))
    })?;
    let mut out = Map::new();
    out.insert("canonical_id".into(), r.canonical_id.clone().into());
    out.insert("source_id".into(), r.source_id.clone().into());
    out.insert("source_file".into(), r.file.clone().into());
    out.insert("source_row".into(), r.row.into());
    if let Value::Object(fields) = data {
        out.extend(fields);
    } else {
        out.insert("data".into(), data);
    }
    Ok(Value::Object(out))
}
