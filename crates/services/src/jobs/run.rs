//! Starting a reviewed job through the jobs queue (the same handlers as `migrationai
//! migrate`), following it, and reading what it produced.

use std::path::PathBuf;

use migrationai_domain::Kind;
use migrationai_ports::store::JobRow;
use migrationai_processing::message::{JobAction, JobMessage};
use migrationai_processing::services::JobSettings;
use migrationai_processing::Report;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::drafts::{ANALYSING, CANCELLED, CREATED, REVIEW, STARTED};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const PLANNING: &str = "planning";
const DONE: &str = "done";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindProgressView {
    pub kind: String,
    pub batches: i64,
    pub batches_done: i64,
    pub rows: i64,
    pub loaded: i64,
    pub rejected: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressView {
    pub status: String,
    pub run_status: Option<String>,
    pub phase: Option<i64>,
    /// True once the report is ready (or the job can make no more progress).
    pub finished: bool,
    pub kinds: Vec<KindProgressView>,
}

fn now() -> i64 {
    crate::db::now()
}

pub async fn start(state: &AppState, tenant: &str, job: &str) -> ApiResult<crate::jobs::JobView> {
    let d = super::draft(state, tenant, job).await?;
    if d.status != REVIEW {
        return Err(ApiError::Conflict(format!(
            "a job starts from review (the job is {})",
            d.status
        )));
    }
    let mapping = d.mapping.clone().unwrap_or_default();
    migrationai_ingest::mapping::Mapping::parse("mapping", &mapping)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let export = d
        .export_path
        .clone()
        .ok_or_else(|| ApiError::Conflict("the export has not been analysed".into()))?;
    let settings = JobSettings {
        export: PathBuf::from(export),
        batch_size: state.app.config.batch_size,
        threshold: state.app.config.threshold,
    };
    let row = JobRow {
        tenant: tenant.to_string(),
        id: d.id.clone(),
        name: d.name.clone(),
        status: PLANNING.into(),
        phase: -1,
        fanout: -1,
        settings: serde_json::to_string(&settings).map_err(ApiError::internal)?,
        mapping,
        report: None,
        error: None,
        created_at: now(),
        updated_at: now(),
    };
    if !state
        .db
        .set_draft_status(tenant, job, &[REVIEW], STARTED, None)
        .await?
    {
        return Err(ApiError::Conflict("the job left review".into()));
    }
    state
        .app
        .services
        .store
        .ensure_tenant(tenant, tenant)
        .await?;
    let created = state.app.services.store.create_job(&row).await?;
    if created.id != row.id {
        return Err(ApiError::Conflict(
            "another run of that name exists in the store".into(),
        ));
    }
    // tfp splits the export into batches (the heavy part), then hands over to the jobs
    // queue; this host only records the request.
    state.db.request_plan(tenant, &created.id, now()).await?;
    super::get(state, tenant, job).await
}

/// Sends an action to the jobs queue.
pub(crate) async fn send(state: &AppState, job: &JobRow, action: JobAction) -> ApiResult<()> {
    let m = JobMessage {
        tenant: job.tenant.clone(),
        job: job.id.clone(),
        action,
    };
    let body = serde_json::to_string(&m).map_err(ApiError::internal)?;
    let s = &state.app.services;
    s.queue
        .send(&s.names.queue(Kind::Jobs.as_str()), &body, None)
        .await?;
    Ok(())
}

pub async fn progress(state: &AppState, tenant: &str, job: &str) -> ApiResult<ProgressView> {
    let d = super::draft(state, tenant, job).await?;
    let store = &state.app.services.store;
    let run = if d.status == STARTED || d.status == CANCELLED {
        store.job(tenant, job).await?
    } else {
        None
    };
    let kinds = match &run {
        Some(r) => store
            .progress(tenant, &r.id)
            .await?
            .into_iter()
            .map(|k| KindProgressView {
                kind: k.kind,
                batches: k.batches,
                batches_done: k.batches_done,
                rows: k.rows,
                loaded: k.loaded,
                rejected: k.rejected,
            })
            .collect(),
        None => Vec::new(),
    };
    let run_status = run.as_ref().map(|r| r.status.clone());
    let finished = matches!(run_status.as_deref(), Some(DONE) | Some("failed"))
        || d.status == CANCELLED
        || d.status == crate::db::drafts::FAILED;
    Ok(ProgressView {
        status: d.status,
        phase: run.as_ref().map(|r| r.phase),
        run_status,
        finished,
        kinds,
    })
}

async fn run_row(state: &AppState, tenant: &str, job: &str) -> ApiResult<JobRow> {
    super::draft(state, tenant, job).await?;
    state
        .app
        .services
        .store
        .job(tenant, job)
        .await?
        .ok_or_else(|| ApiError::Conflict("the job has not started".into()))
}

pub async fn report(state: &AppState, tenant: &str, job: &str) -> ApiResult<Report> {
    let row = run_row(state, tenant, job).await?;
    let text = row
        .report
        .ok_or_else(|| ApiError::Conflict(format!("no report yet (the run is {})", row.status)))?;
    serde_json::from_str(&text).map_err(ApiError::internal)
}

pub async fn report_html(state: &AppState, tenant: &str, job: &str) -> ApiResult<String> {
    let r = report(state, tenant, job).await?;
    Ok(migrationai_processing::report::html::render(&r))
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Every reject of the job: where it was and why, one row each.
pub async fn rejects_csv(state: &AppState, tenant: &str, job: &str) -> ApiResult<String> {
    let row = run_row(state, tenant, job).await?;
    let rejects = state.app.services.store.rejects(tenant, &row.id).await?;
    let mut out = String::from("kind,file,row,source_id,field,code,reason,raw\n");
    for r in rejects {
        let cells = [
            r.kind,
            r.file,
            r.row.to_string(),
            r.source_id.unwrap_or_default(),
            r.field,
            r.code,
            r.reason,
            r.raw,
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    Ok(out)
}

pub async fn cancel(state: &AppState, tenant: &str, job: &str) -> ApiResult<crate::jobs::JobView> {
    let d = super::draft(state, tenant, job).await?;
    let was_started = d.status == STARTED;
    if was_started {
        if let Some(run) = state.app.services.store.job(tenant, job).await? {
            if run.status == DONE {
                return Err(ApiError::Conflict("the job is done".into()));
            }
        }
    }
    if !state
        .db
        .set_draft_status(
            tenant,
            job,
            &[CREATED, ANALYSING, REVIEW, STARTED],
            CANCELLED,
            Some("cancelled"),
        )
        .await?
    {
        return Err(ApiError::Conflict(format!(
            "the job cannot be cancelled (it is {})",
            d.status
        )));
    }
    super::resumable::discard_unfinished(state, tenant, job).await;
    if was_started {
        let store = &state.app.services.store;
        if let Some(run) = store.job(tenant, job).await? {
            if run.status != DONE {
                store
                    .set_job_status(
                        tenant,
                        job,
                        migrationai_processing::jobs::CANCELLED,
                        Some("cancelled"),
                    )
                    .await?;
            }
        }
    }
    super::get(state, tenant, job).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_are_quoted_when_needed() {
        assert_eq!(super::csv_cell("a"), "a");
        assert_eq!(super::csv_cell("a,b"), "\"a,b\"");
        assert_eq!(super::csv_cell("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
