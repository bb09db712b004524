//! Re-running corrected rejects. A finished job's rejected rows of one table come as a CSV
//! (the table's columns, then source_row, field, code, reason); a person fixes cells and
//! sends it back. That creates a NEW job, "<name> (corrections N)", whose export is the
//! parent's export with that table rewritten: each corrected row substituted at its source
//! row, everything else as it was (`migrationai_ingest::overlay`). It runs with the
//! parent's mapping and is started at once, like any job, so its report reconciles the
//! whole data set again: fixed rows load, rows still bad are rejected again with their
//! reason. The parent is never changed.

use std::path::Path;

use migrationai_ingest::overlay::{overlay, OverlayError, OverlaySummary};
use migrationai_ingest::{open_table, Export, Format, Limits};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::drafts::{ANALYSING, CREATED, STARTED};
use crate::error::{ApiError, ApiResult};
use crate::jobs::upload::blob_prefix;
use crate::jobs::JobView;
use crate::state::AppState;

/// What a corrections upload started.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CorrectionsRun {
    /// The new job, started.
    pub job: JobView,
    /// Source rows of the table replaced by a correction.
    pub corrected_rows: Vec<u64>,
    /// Rows sent back unchanged (not counted as corrections).
    pub unchanged_rows: Vec<u64>,
}

/// The parent must have finished (its report exists).
async fn finished_parent(
    state: &AppState,
    tenant: &str,
    job: &str,
) -> ApiResult<crate::db::drafts::Draft> {
    let d = super::draft(state, tenant, job).await?;
    super::run::report(state, tenant, job).await?;
    if d.status != STARTED {
        return Err(ApiError::Conflict(format!(
            "corrections apply to a finished job (this one is {})",
            d.status
        )));
    }
    Ok(d)
}

/// The rejects of one table as the correction file to fill in.
pub async fn template(state: &AppState, tenant: &str, job: &str, table: &str) -> ApiResult<String> {
    super::run::report(state, tenant, job).await?;
    let rejects: Vec<_> = state
        .app
        .services
        .store
        .rejects(tenant, job)
        .await?
        .into_iter()
        .filter(|r| r.file == table)
        .collect();
    migrationai_processing::report::csv::rejects_csv(&rejects)
        .remove(table)
        .ok_or(ApiError::NotFound)
}

/// The tables of a finished job that have rejected rows.
pub async fn tables_with_rejects(
    state: &AppState,
    tenant: &str,
    job: &str,
) -> ApiResult<Vec<String>> {
    let mut files: Vec<String> = state
        .app
        .services
        .store
        .rejects(tenant, job)
        .await?
        .into_iter()
        .map(|r| r.file)
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

pub async fn submit(
    state: &AppState,
    tenant: &str,
    job: &str,
    table: &str,
    csv: bytes::Bytes,
) -> ApiResult<CorrectionsRun> {
    let parent = finished_parent(state, tenant, job).await?;
    let base = state.data_dir().join("exports").join(tenant);
    tokio::fs::create_dir_all(&base)
        .await
        .map_err(ApiError::internal)?;
    // Everything is built in a temporary folder: a refused file leaves nothing behind, and
    // the parent's upload is fetched from the blob store (no host keeps an export).
    let staging = tempfile::Builder::new()
        .prefix(".corrections-")
        .tempdir_in(&base)
        .map_err(ApiError::internal)?;
    let export = crate::tfp::fetch::fetch_into(state, &parent, &staging.path().join("parent"))
        .await
        .map_err(ApiError::internal)?;
    let out = staging.path().join("export");
    let zip_path = staging.path().join("export.zip");
    let table_owned = table.to_string();
    let (build_out, build_zip) = (out.clone(), zip_path.clone());
    let summary = tokio::task::spawn_blocking(move || {
        let summary = build_export(&export, &table_owned, &csv, &build_out)?;
        if !summary.corrected.is_empty() {
            zip_folder(&build_out, &build_zip)?;
        }
        Ok::<_, ApiError>(summary)
    })
    .await
    .map_err(ApiError::internal)??;
    if summary.corrected.is_empty() {
        return Err(ApiError::Unprocessable(format!(
            "no row of the file differs from the original {table}; nothing to re-run"
        )));
    }
    let name = next_name(state, tenant, &parent.name).await?;
    let created = super::create(state, tenant, &name).await?;
    // The corrected export becomes the new job's upload, so tfp splits it like any other.
    let key = format!("{}export.zip", blob_prefix(tenant, &created.id));
    let stored = state
        .app
        .services
        .blobs
        .put_file(&key, &zip_path)
        .await
        .map_err(ApiError::internal)?;
    let db = &state.db;
    db.add_file(
        tenant,
        &created.id,
        "export.zip",
        i64::try_from(stored.size).unwrap_or(i64::MAX),
        &stored.sha256,
    )
    .await?;
    db.set_draft_status(tenant, &created.id, &[CREATED], ANALYSING, None)
        .await?;
    let new_draft = super::draft(state, tenant, &created.id).await?;
    let export_path = crate::tfp::fetch::export_dir(state, &new_draft).join("export.zip");
    db.set_proposal(
        tenant,
        &created.id,
        parent.mapping.as_deref().unwrap_or_default(),
        parent.proposal.as_deref().unwrap_or("[]"),
        &export_path.display().to_string(),
    )
    .await?;
    let job = super::run::start(state, tenant, &created.id).await?;
    Ok(CorrectionsRun {
        job,
        corrected_rows: summary.corrected,
        unchanged_rows: summary.unchanged,
    })
}

/// "<name> (corrections N)", N one more than the corrections runs made so far.
async fn next_name(state: &AppState, tenant: &str, parent: &str) -> ApiResult<String> {
    // Job names are at most 100 characters; a long parent name is shortened.
    let stem: String = parent.chars().take(80).collect();
    let prefix = format!("{stem} (corrections ");
    let taken = state
        .db
        .drafts(Some(tenant))
        .await?
        .into_iter()
        .filter(|d| d.name.starts_with(&prefix))
        .count();
    Ok(format!("{prefix}{})", taken + 1))
}

fn unprocessable(e: impl std::fmt::Display) -> ApiError {
    ApiError::Unprocessable(e.to_string())
}

/// The parent's export copied into `out` with `table` rewritten by the corrections.
/// Zips every file under `dir` (paths relative to it) into `out`.
fn zip_folder(dir: &Path, out: &Path) -> ApiResult<()> {
    let file = std::fs::File::create(out).map_err(ApiError::internal)?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&folder)
            .map_err(ApiError::internal)?
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(dir)
                .map_err(ApiError::internal)?
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            zip.start_file(name, options).map_err(ApiError::internal)?;
            let mut source = std::fs::File::open(&path).map_err(ApiError::internal)?;
            std::io::copy(&mut source, &mut zip).map_err(ApiError::internal)?;
        }
    }
    zip.finish().map_err(ApiError::internal)?;
    Ok(())
}

fn build_export(export: &Path, table: &str, csv: &[u8], out: &Path) -> ApiResult<OverlaySummary> {
    let work = out.join(".work");
    std::fs::create_dir_all(&work).map_err(ApiError::internal)?;
    let opened = Export::open_in(export, &Limits::default(), &work).map_err(unprocessable)?;
    let entry = opened
        .entry(table)
        .ok_or_else(|| unprocessable(format!("the export has no table {table:?}")))?
        .clone();
    if entry.format != Format::Csv {
        return Err(unprocessable(format!(
            "{table} is not a CSV table; corrections are taken for CSV tables"
        )));
    }
    // The corrections are read with the same readers as any table (encoding, BOM...).
    let fixes_dir = work.join("corrections");
    std::fs::create_dir_all(&fixes_dir).map_err(ApiError::internal)?;
    std::fs::write(fixes_dir.join("corrections.csv"), csv).map_err(ApiError::internal)?;
    let fixes = Export::open(&fixes_dir, &Limits::default()).map_err(unprocessable)?;
    let fixes_entry = fixes
        .entry("corrections.csv")
        .ok_or_else(|| ApiError::internal("corrections file vanished"))?;
    let mut fixes_reader = open_table(&fixes, fixes_entry).map_err(unprocessable)?;
    let mut original = open_table(&opened, &entry).map_err(unprocessable)?;
    let mut summary = None;
    for e in opened.entries() {
        let target = e.path.split('/').fold(out.to_path_buf(), |p, c| p.join(c));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(ApiError::internal)?;
        }
        if e.path == table {
            let delimiter = if table.to_ascii_lowercase().ends_with(".tsv") {
                b'\t'
            } else {
                b','
            };
            let file = std::fs::File::create(&target).map_err(ApiError::internal)?;
            let writer = std::io::BufWriter::new(file);
            let s =
                overlay(&mut original, &mut fixes_reader, delimiter, writer).map_err(
                    |e| match e {
                        OverlayError::Write(w) => ApiError::internal(format!("{table}: {w}")),
                        other => unprocessable(other),
                    },
                )?;
            summary = Some(s);
        } else {
            // Documents can be large: link rather than copy where the file system allows.
            let source = opened.entry_path(e);
            if std::fs::hard_link(&source, &target).is_err() {
                std::fs::copy(&source, &target).map_err(ApiError::internal)?;
            }
        }
    }
    drop(opened);
    std::fs::remove_dir_all(&work).map_err(ApiError::internal)?;
    summary.ok_or_else(|| ApiError::internal(format!("{table} was not written")))
}
