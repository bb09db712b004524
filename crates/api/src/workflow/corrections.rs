//! Re-running corrected rejects. A finished job's rejected rows of one table come as a CSV
//! (the table's columns, then source_row, field, code, reason); a person fixes cells and
//! sends it back. That creates a NEW job, "<name> (corrections N)", whose export is the
//! parent's export with that table rewritten: each corrected row substituted at its source
//! row, everything else as it was (`migrationai_ingest::overlay`). A worksheet or a JSON
//! table is rewritten as a CSV table beside its file, and the new job's mapping follows it.
//! It runs with the parent's mapping and is started at once, like any job, so its report
//! reconciles the whole data set again: fixed rows load, rows still bad are rejected again
//! with their reason. The parent is never changed.

use migrationai_api_types::jobs::corrections::CorrectionsRun;
use std::path::Path;

use migrationai_domain::DraftStatus;
use migrationai_ingest::mapping::Mapping;
use migrationai_ingest::overlay::{overlay, OverlayError, OverlaySummary};
use migrationai_ingest::tables::{self, list_tables, TableRef};
use migrationai_ingest::{open_table, Export, Format, Limits, ReadOptions};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::workflow::upload::blob_prefix;

/// The parent must have finished (its report exists).
async fn finished_parent(
    state: &AppState,
    tenant: &str,
    job: &str,
) -> ApiResult<crate::db::drafts::Draft> {
    let d = super::draft(state, tenant, job).await?;
    super::run::report(state, tenant, job).await?;
    if d.status != DraftStatus::Started {
        return Err(ApiError::Conflict(format!(
            "corrections apply to a finished job (this one is {})",
            d.status
        )));
    }
    Ok(d)
}

/// The rejects of one table as the correction file to fill in.
pub async fn template(state: &AppState, tenant: &str, job: &str, table: &str) -> ApiResult<String> {
    let (run, rejects) = super::rejects::of_run(state, tenant, job).await?;
    super::run::reported(&run)?;
    let rejects: Vec<_> = rejects.into_iter().filter(|r| r.file == table).collect();
    migrationai_pipeline::report::csv::rejects_csv(&rejects)
        .remove(table)
        .ok_or(ApiError::NotFound)
}

/// The tables of a finished job that have rejected rows.
pub async fn tables_with_rejects(
    state: &AppState,
    tenant: &str,
    job: &str,
) -> ApiResult<Vec<String>> {
    let (_, rejects) = super::rejects::of_run(state, tenant, job).await?;
    let mut files: Vec<String> = rejects.into_iter().map(|r| r.file).collect();
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
    let parent_map = Mapping::parse(
        "mapping.toml",
        parent.mapping.as_deref().unwrap_or_default(),
    )
    .map_err(ApiError::internal)?;
    let (build_out, build_zip) = (out.clone(), zip_path.clone());
    let built = tokio::task::spawn_blocking(move || {
        let built = build_export(&export, &table_owned, &csv, &build_out, &parent_map)?;
        if !built.summary.corrected.is_empty() {
            zip_folder(&build_out, &build_zip)?;
        }
        Ok::<_, ApiError>(built)
    })
    .await
    .map_err(ApiError::internal)??;
    let summary = built.summary;
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
    db.set_draft_status(
        tenant,
        &created.id,
        &[DraftStatus::Created],
        DraftStatus::Analysing,
        None,
    )
    .await?;
    let new_draft = super::draft(state, tenant, &created.id).await?;
    let export_path = crate::tfp::fetch::export_dir(state, &new_draft).join("export.zip");
    let parent_mapping = parent.mapping.as_deref().unwrap_or_default();
    let mapping = follow_table(parent_mapping, &built.table, built.moved.as_ref())?;
    db.set_proposal(
        tenant,
        &created.id,
        &mapping,
        parent.proposal.as_deref().unwrap_or("[]"),
        &export_path.display().to_string(),
    )
    .await?;
    // The parent ran with this mapping, unmet fields confirmed or not there.
    let job = super::run::start(state, tenant, &created.id, true).await?;
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

/// The corrected export: where the corrected table went, and what the overlay did.
struct Built {
    summary: OverlaySummary,
    /// (the table, its new CSV table) when the original was not CSV (a worksheet, JSON);
    /// the job's mapping must follow it there.
    moved: Option<(String, String)>,
    /// The table's name in the parent's mapping.
    table: String,
}

/// The parent's export copied into `out` with `table` rewritten by the corrections. A CSV
/// table is rewritten in place; any other table (a worksheet, JSON lines) is written as a new
/// CSV table beside its file, which stays as it was for its other tables.
fn build_export(
    export: &Path,
    table: &str,
    csv: &[u8],
    out: &Path,
    mapping: &Mapping,
) -> ApiResult<Built> {
    let work = out.join(".work");
    std::fs::create_dir_all(&work).map_err(ApiError::internal)?;
    let opened = Export::open_in(export, &Limits::default(), &work).map_err(unprocessable)?;
    let (tables, _) = list_tables(&opened);
    let by_file: Vec<&TableRef> = tables.iter().filter(|t| t.entry.path == table).collect();
    let found = match tables.iter().find(|t| t.name == table) {
        Some(t) => t,
        None if by_file.len() == 1 => by_file[0],
        None => return Err(unprocessable(format!("the export has no table {table:?}"))),
    }
    .clone();
    let in_place = found.entry.format == Format::Csv;
    let moved = (!in_place).then(|| (found.name.clone(), corrected_name(&opened, &found.name)));
    // The corrections are read with the same readers as any table (encoding, BOM...).
    let fixes_dir = work.join("corrections");
    std::fs::create_dir_all(&fixes_dir).map_err(ApiError::internal)?;
    std::fs::write(fixes_dir.join("corrections.csv"), csv).map_err(ApiError::internal)?;
    let fixes = Export::open(&fixes_dir, &Limits::default()).map_err(unprocessable)?;
    let fixes_entry = fixes
        .entry("corrections.csv")
        .ok_or_else(|| ApiError::internal("corrections file vanished"))?;
    let mut fixes_reader = open_table(&fixes, fixes_entry).map_err(unprocessable)?;
    // Read the way the parent job read it: in the encoding its mapping names.
    let read = ReadOptions {
        encoding: mapping.file(&found.name).and_then(|f| f.encoding),
        ..ReadOptions::default()
    };
    let mut original = tables::open(&opened, &found, &read).map_err(unprocessable)?;
    let target_of = |path: &str| path.split('/').fold(out.to_path_buf(), |p, c| p.join(c));
    let corrected_path = target_of(
        moved
            .as_ref()
            .map_or(found.entry.path.as_str(), |(_, to)| to.as_str()),
    );
    for e in opened.entries() {
        let target = target_of(&e.path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(ApiError::internal)?;
        }
        if in_place && e.path == found.entry.path {
            continue;
        }
        // Documents can be large: link rather than copy where the file system allows.
        let source = opened.entry_path(e);
        if std::fs::hard_link(&source, &target).is_err() {
            std::fs::copy(&source, &target).map_err(ApiError::internal)?;
        }
    }
    let delimiter = if in_place && found.entry.path.to_ascii_lowercase().ends_with(".tsv") {
        b'\t'
    } else {
        b','
    };
    if let Some(parent) = corrected_path.parent() {
        std::fs::create_dir_all(parent).map_err(ApiError::internal)?;
    }
    let file = std::fs::File::create(&corrected_path).map_err(ApiError::internal)?;
    let summary = overlay(
        &mut original,
        &mut fixes_reader,
        delimiter,
        std::io::BufWriter::new(file),
    )
    .map_err(|e| match e {
        OverlayError::Write(w) => ApiError::internal(format!("{table}: {w}")),
        other => unprocessable(other),
    })?;
    drop(original);
    drop(opened);
    std::fs::remove_dir_all(&work).map_err(ApiError::internal)?;
    Ok(Built {
        summary,
        moved,
        table: found.name.clone(),
    })
}

/// "<table> (corrected).csv" beside the original, "#" of a worksheet's name spelled " - ",
/// numbered when the export already has such a file.
fn corrected_name(export: &Export, table: &str) -> String {
    let stem = table.replace('#', " - ");
    (1..)
        .map(|n| match n {
            1 => format!("{stem} (corrected).csv"),
            n => format!("{stem} (corrected {n}).csv"),
        })
        .find(|name| export.entry(name).is_none())
        .unwrap_or_else(|| format!("{stem} (corrected).csv"))
}

/// The parent's mapping with the corrected table's entry following its rewritten CSV table:
/// to its new name when it moved, and to UTF-8, which the table is now written in.
fn follow_table(mapping: &str, table: &str, moved: Option<&(String, String)>) -> ApiResult<String> {
    let mut m = Mapping::parse("mapping.toml", mapping).map_err(ApiError::internal)?;
    let entry = m
        .files
        .iter_mut()
        .find(|f| f.table == table)
        .ok_or_else(|| unprocessable(format!("{table} is not in the job's mapping")))?;
    if let Some((_, to)) = moved {
        entry.table = to.clone();
    }
    entry.encoding = Some(migrationai_ingest::TextEncoding::Utf8);
    Ok(m.to_toml(&[]))
}
