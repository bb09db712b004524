//! tfp, the transform and file processor: picks up jobs waiting for analysis, brings their
//! uploaded files out of the blob store, opens the export (a zip is unpacked by
//! `Export::open_in`, which refuses zip bombs and path traversal), detects each table's kind,
//! profiles its columns and proposes the mapping; and, once a job is started, splits its
//! tables into batches and copies its documents to the blob store ([`split`]). The API host
//! only streams bytes.

pub mod fetch;
pub mod split;

use std::path::{Path, PathBuf};
use std::time::Duration;

use migrationai_domain::DraftStatus;
use migrationai_ingest::inspect::{propose, InspectOptions};
use migrationai_ingest::mapping::Mapping;
use migrationai_ingest::tables::list_tables;
use migrationai_ingest::{Export, Limits};
use tokio_util::sync::CancellationToken;

use crate::db::drafts::Draft;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Asks tfp to analyse the uploaded files.
pub async fn request(
    state: &AppState,
    tenant: &str,
    job: &str,
) -> ApiResult<migrationai_api_types::jobs::JobView> {
    let d = crate::workflow::draft(state, tenant, job).await?;
    if state.db.files(tenant, job).await?.is_empty() {
        return Err(ApiError::Conflict("upload the export files first".into()));
    }
    if !state
        .db
        .set_draft_status(
            tenant,
            job,
            &[DraftStatus::Created],
            DraftStatus::Analysing,
            None,
        )
        .await?
    {
        return Err(ApiError::Conflict(format!(
            "only a job with new uploads can be analysed (the job is {})",
            d.status
        )));
    }
    crate::workflow::resumable::discard_unfinished(state, tenant, job).await;
    crate::workflow::get(state, tenant, job).await
}

/// Polls for jobs to analyse, data to check and jobs to split until shut down. The three
/// run side by side, so a long split does not hold up the analysis of another upload.
pub async fn run(state: AppState, every: Duration, shutdown: CancellationToken) {
    tokio::join!(
        analyse_loop(state.clone(), every, shutdown.clone()),
        check_loop(state.clone(), every, shutdown.clone()),
        split::run(state, every, shutdown),
    );
}

async fn check_loop(state: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        if let Err(e) = crate::workflow::check::run_open(&state).await {
            tracing::warn!(error = %e, "tfp cannot run checks");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

async fn analyse_loop(state: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        if let Err(e) = analyse_pending(&state).await {
            tracing::warn!(error = %e, "tfp cannot list jobs");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Analyses begun this many times without ending (each time the process went down with it)
/// are not begun again.
const MAX_ANALYSIS_ATTEMPTS: i64 = 2;

/// Analyses every job waiting for it, each isolated: a failure or a panic fails that job
/// alone, with its reason, and the others go on.
pub async fn analyse_pending(state: &AppState) -> anyhow::Result<()> {
    for d in state.db.drafts_with_status(DraftStatus::Analysing).await? {
        let attempts = state.db.begin_analysis(&d.tenant, &d.id).await?;
        let outcome = if attempts > MAX_ANALYSIS_ATTEMPTS {
            Err(anyhow::anyhow!(
                "it stopped the analysis {} times before it could finish, so it is not tried \
                 again; check the upload (a damaged or hostile file) and upload it again",
                attempts - 1
            ))
        } else {
            let (s, job) = (state.clone(), d.clone());
            // A task of its own: a panic anywhere in the analysis ends that task, not tfp.
            match tokio::spawn(async move { analyse(&s, &job).await }).await {
                Ok(result) => result,
                Err(e) => Err(anyhow::anyhow!("the analysis crashed: {}", panic_text(e))),
            }
        };
        if let Err(e) = outcome {
            tracing::warn!(job = %d.id, error = %e, "analysis failed");
            let msg = format!("analysis failed: {e}");
            state
                .db
                .set_draft_status(
                    &d.tenant,
                    &d.id,
                    &[DraftStatus::Analysing],
                    DraftStatus::Created,
                    Some(&msg),
                )
                .await?;
        }
        state.db.end_analysis(&d.tenant, &d.id).await?;
    }
    Ok(())
}

/// What a panicking task said, for the job's error.
pub(crate) fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into()),
        Err(e) => e.to_string(),
    }
}

/// Analyses one job: files out of the blob store, then the proposal. Both copies (the
/// fetched files and the unpacked zip) are deleted before it returns; splitting fetches
/// the files again when the job is started.
pub async fn analyse(state: &AppState, d: &Draft) -> anyhow::Result<()> {
    let result = propose_for(state, d).await;
    fetch::remove(&fetch::export_dir(state, d)).await?;
    fetch::remove(&fetch::analysis_dir(state, d)).await?;
    let (mapping, proposal, export_path) = result?;
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
        tracing::info!(job = %d.id, status = %DraftStatus::Review, "mapping proposed");
        // The review shows what a full read finds with the proposal as soon as it is ready.
        let digest =
            crate::workflow::check::mapping_digest(&mapping).map_err(|e| anyhow::anyhow!("{e}"))?;
        state.db.request_check(&d.tenant, &d.id, &digest).await?;
    }
    Ok(())
}

async fn propose_for(state: &AppState, d: &Draft) -> anyhow::Result<(String, String, PathBuf)> {
    let export_path = fetch::fetch(state, d).await?;
    let work = fetch::analysis_dir(state, d);
    let config = state.app.config.clone();
    let path = export_path.clone();
    let (mapping, proposal) =
        match tokio::task::spawn_blocking(move || propose_mapping(&path, &work, &config)).await {
            Ok(result) => result?,
            Err(e) => anyhow::bail!("the analysis crashed: {}", panic_text(e)),
        };
    Ok((mapping, proposal, export_path))
}

/// (mapping TOML, proposal JSON) for an export.
fn propose_mapping(
    export: &Path,
    work: &Path,
    config: &migrationai_pipeline::Config,
) -> anyhow::Result<(String, String)> {
    std::fs::create_dir_all(work)?;
    // The documents are not needed to propose a mapping: only the tables are unpacked.
    let opened = Export::open_tables_in(export, &Limits::default(), work)?;
    // The fetched zip is not read again once unpacked.
    if export.is_file() {
        std::fs::remove_file(export)?;
    }
    let (tables, _) = list_tables(&opened);
    if tables.is_empty() {
        anyhow::bail!("no readable table (CSV, XLSX, JSON) in the upload");
    }
    let (suggestions, _, _) = propose(&opened, &tables, &InspectOptions::default());
    let mut mapping = Mapping::from_suggestions(&suggestions);
    if let Some(c) = &config.currency {
        mapping.currency = c.clone();
    }
    if config.country.is_some() {
        mapping.country = config.country.clone();
    }
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
