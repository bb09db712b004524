//! Splitting a started job: tfp fetches the upload again, unpacks it, runs the planner
//! (`migrationai_pipeline::jobs::plan::plan`: every mapped table cut into batch blobs and
//! the batches recorded), copies the remaining files (documents, emails) to the blob store,
//! deletes everything it put on its disk, then hands the job to the jobs queue, whose
//! worker only fans the batches out. The API process never reads the export.

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use migrationai_domain::JobStatus;
use migrationai_pipeline::jobs::{self, plan::plan};
use migrationai_pipeline::message::JobAction;
use migrationai_pipeline::services::Services;
use migrationai_pipeline::staged::stage;
use migrationai_ports::store::JobRow;
use tokio_util::sync::CancellationToken;

use crate::db::drafts::Draft;
use crate::db::now;
use crate::db::plans::PlanRequest;
use crate::state::AppState;

use super::fetch;

/// How long a claim on a request lasts; renewed at a third of it while the split runs.
const CLAIM_SECS: i64 = 300;

/// What one split produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Split {
    pub batches: usize,
    pub staged_files: usize,
    pub staged_bytes: u64,
}

/// Splits requested jobs until shut down.
pub async fn run(state: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        if let Err(e) = pass(&state).await {
            tracing::warn!(error = %e, "tfp cannot list jobs to split");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// Splits every open request this instance manages to claim.
pub async fn pass(state: &AppState) -> anyhow::Result<()> {
    for req in state.db.open_plan_requests(now()).await? {
        let t = now();
        if !state.db.claim_plan(&req, t, t + CLAIM_SECS).await? {
            continue;
        }
        let (s, r) = (state.clone(), req.clone());
        // A task of its own: a panic while splitting fails this job, not tfp.
        let outcome =
            match tokio::spawn(async move { with_renewal(&s, &r, split_request(&s, &r)).await })
                .await
            {
                Ok(outcome) => outcome,
                Err(e) => {
                    let msg = format!("splitting the export crashed: {}", super::panic_text(e));
                    jobs::fail(&state.app.services, &req.tenant, &req.id, &msg).await?;
                    state.db.finish_plan(&req).await?;
                    Err(anyhow::anyhow!(msg))
                }
            };
        match outcome {
            Ok(Some(s)) => tracing::info!(
                job = %req.id,
                batches = s.batches,
                files = s.staged_files,
                "job split; handed to the jobs queue"
            ),
            Ok(None) => {}
            Err(e) => tracing::warn!(job = %req.id, error = %e, "split failed"),
        }
    }
    Ok(())
}

/// Keeps the claim alive while `work` runs.
async fn with_renewal<F: Future>(state: &AppState, req: &PlanRequest, work: F) -> F::Output {
    let mut work = std::pin::pin!(work);
    let every = Duration::from_secs((CLAIM_SECS / 3) as u64);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = tokio::time::sleep(every) => {
                if let Err(e) = state.db.renew_plan(req, now() + CLAIM_SECS).await {
                    tracing::warn!(job = %req.id, error = %e, "cannot renew the split claim");
                }
            }
        }
    }
}

/// Splits one claimed job. `None`: nothing to do (cancelled, already split, gone).
pub async fn split_request(state: &AppState, req: &PlanRequest) -> anyhow::Result<Option<Split>> {
    let s = &state.app.services;
    let row = s.store.job(&req.tenant, &req.id).await?;
    let draft = state.db.draft(&req.tenant, &req.id).await?;
    let (Some(row), Some(draft)) = (row, draft) else {
        state.db.finish_plan(req).await?;
        return Ok(None);
    };
    if row.status != JobStatus::Planning || row.phase >= 0 {
        state.db.finish_plan(req).await?;
        return Ok(None);
    }
    let result = split_job(state, &draft, &row).await;
    // Whatever happened, nothing of the job stays on this disk.
    s.forget_export(&row.id);
    let cleaned = fetch::remove(&fetch::export_dir(state, &draft)).await;
    let split = match result {
        Ok(split) => split,
        Err(e) => {
            let msg = format!("splitting the export failed: {e}");
            jobs::fail(s, &row.tenant, &row.id, &msg).await?;
            state.db.finish_plan(req).await?;
            return Err(anyhow::anyhow!(msg));
        }
    };
    cleaned?;
    if let Err(e) = jobs::ask(s, &row.tenant, &row.id, JobAction::Planned).await {
        // The batches are recorded; splitting again is harmless, so let the next pass retry.
        state.db.renew_plan(req, 0).await?;
        return Err(anyhow::anyhow!("handing over to the jobs queue: {e}"));
    }
    state.db.finish_plan(req).await?;
    Ok(Some(split))
}

async fn split_job(state: &AppState, draft: &Draft, row: &JobRow) -> anyhow::Result<Split> {
    let s = &state.app.services;
    let settings = Services::settings(row)?;
    let fetched = fetch::fetch(state, draft).await?;
    if fetched != settings.export {
        anyhow::bail!(
            "the upload was fetched to {}, the job expects {}",
            fetched.display(),
            settings.export.display()
        );
    }
    // Unpacked once into the cache the planner reads from; the fetched zip is then of no
    // more use, so it goes before the planner writes its batches.
    let export = s.export(row).await?;
    if fetched.is_file() {
        tokio::fs::remove_file(&fetched).await?;
    }
    let batches = plan(s, row).await?;
    let mapping = s.mapping(row)?;
    // Mapped tables live on as batches; every other file may be a row's document.
    let skip: HashSet<String> = mapping
        .files
        .iter()
        .filter(|f| f.kind.is_some())
        .map(|f| match f.table.split_once('#') {
            Some((file, _sheet)) => file.to_string(),
            None => f.table.clone(),
        })
        .collect();
    let staged = stage(s, &export, &skip, &row.tenant, &row.id).await?;
    Ok(Split {
        batches,
        staged_files: staged.len(),
        staged_bytes: staged.iter().map(|f| f.size).sum(),
    })
}
