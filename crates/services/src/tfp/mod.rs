//! tfp, the transform and file processor: picks up jobs waiting for analysis, brings their
//! uploaded files out of the blob store, opens the export (a zip is unpacked by
//! `Export::open_in`, which refuses zip bombs and path traversal), detects each table's kind,
//! profiles its columns and proposes the mapping. The API host only streams bytes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;
use migrationai_ingest::inspect::{propose, InspectOptions};
use migrationai_ingest::mapping::Mapping;
use migrationai_ingest::tables::list_tables;
use migrationai_ingest::{Export, Limits};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use crate::db::drafts::{Draft, ANALYSING, CREATED, REVIEW};
use crate::error::{ApiError, ApiResult};
use crate::jobs::upload::blob_prefix;
use crate::state::AppState;

/// Asks tfp to analyse the uploaded files.
pub async fn request(state: &AppState, tenant: &str, job: &str) -> ApiResult<crate::jobs::JobView> {
    let d = crate::jobs::draft(state, tenant, job).await?;
    if state.db.files(tenant, job).await?.is_empty() {
        return Err(ApiError::Conflict("upload the export files first".into()));
    }
    if !state
        .db
        .set_draft_status(tenant, job, &[CREATED], ANALYSING, None)
        .await?
    {
        return Err(ApiError::Conflict(format!(
            "only a job with new uploads can be analysed (the job is {})",
            d.status
        )));
    }
    crate::jobs::resumable::discard_unfinished(state, tenant, job).await;
    crate::jobs::get(state, tenant, job).await
}

/// Polls for jobs to analyse until shut down.
pub async fn run(state: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        match state.db.drafts_with_status(ANALYSING).await {
            Ok(waiting) => {
                for d in waiting {
                    if let Err(e) = analyse(&state, &d).await {
                        tracing::warn!(job = %d.id, error = %e, "analysis failed");
                        let msg = format!("analysis failed: {e}");
                        let _ = state
                            .db
                            .set_draft_status(&d.tenant, &d.id, &[ANALYSING], CREATED, Some(&msg))
                            .await;
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "tfp cannot list jobs"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

fn export_dir(state: &AppState, d: &Draft) -> PathBuf {
    state.data_dir().join("exports").join(&d.tenant).join(&d.id)
}

/// Analyses one job: files out of the blob store into its export folder, then the proposal.
pub async fn analyse(state: &AppState, d: &Draft) -> anyhow::Result<()> {
    let dir = export_dir(state, d);
    if dir.exists() {
        tokio::fs::remove_dir_all(&dir).await?;
    }
    tokio::fs::create_dir_all(&dir).await?;
    let files = state.db.files(&d.tenant, &d.id).await?;
    let blobs = &state.app.services.blobs;
    for f in &files {
        crate::jobs::upload::check_name(&f.name).map_err(|e| anyhow::anyhow!("{e}"))?;
        let key = format!("{}{}", blob_prefix(&d.tenant, &d.id), f.name);
        let mut stream = blobs.get_stream(&key).await?;
        let mut out = tokio::fs::File::create(dir.join(&f.name)).await?;
        while let Some(chunk) = stream.next().await {
            out.write_all(&chunk?).await?;
        }
        out.flush().await?;
    }
    // One zip is the export; otherwise the folder of files is.
    let export_path = match files.as_slice() {
        [one] if one.name.to_lowercase().ends_with(".zip") => dir.join(&one.name),
        _ => dir.clone(),
    };
    let work = state.data_dir().join("work").join(&d.tenant).join(&d.id);
    let config = state.app.config.clone();
    let path = export_path.clone();
    let (mapping, proposal) =
        tokio::task::spawn_blocking(move || propose_mapping(&path, &work, &config)).await??;
    let moved = state
        .db
        .set_proposal(
            &d.tenant,
            &d.id,
            &mapping,
            &proposal,
            &export_path.display().to_string(),
        )
        .await?;
    if moved {
        tracing::info!(job = %d.id, status = REVIEW, "mapping proposed");
    }
    Ok(())
}

/// (mapping TOML, proposal JSON) for an export.
fn propose_mapping(
    export: &Path,
    work: &Path,
    config: &migrationai_processing::Config,
) -> anyhow::Result<(String, String)> {
    std::fs::create_dir_all(work)?;
    let opened = Export::open_in(export, &Limits::default(), work)?;
    let (tables, _) = list_tables(&opened);
    if tables.is_empty() {
        anyhow::bail!("no readable table (CSV, XLSX, JSON) in the upload");
    }
    let (suggestions, _, _) = propose(&opened, &tables, &InspectOptions::default());
    let mut mapping = Mapping::from_suggestions(&suggestions);
    mapping.currency = config.currency.clone();
    mapping.country = config.country.clone();
    mapping.time_zone = config.time_zone.clone();
    // The annotated file carries each column's evidence as comments; when a sample value
    // breaks those comments, fall back to the plain file (the proposal JSON keeps it all).
    let mut text = mapping.to_toml(&suggestions);
    if let Err(e) = Mapping::parse("proposed mapping", &text) {
        tracing::warn!(error = %e, "annotated mapping does not parse; keeping it plain");
        text = mapping.to_toml(&[]);
    }
    Ok((text, serde_json::to_string(&suggestions)?))
}
