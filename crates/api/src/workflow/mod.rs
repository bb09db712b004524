//! The migration life cycle as the firm drives it, shared by the API, the web app and tfp:
//! create → upload files → analyse (tfp proposes the mapping) → review → start (through the
//! jobs queue) → progress → report, rejects, records; cancel at any point.

use migrationai_api_types::jobs::JobView;
pub mod check;
pub mod corrections;
pub mod export;
pub mod mapping;
pub mod push;
pub mod rejects;
pub mod resumable;
pub mod run;
pub mod summary;
pub mod upload;

use crate::db::drafts::Draft;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn new_job_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub async fn create(state: &AppState, tenant: &str, name: &str) -> ApiResult<JobView> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "name must have 1 to 100 printable characters".into(),
        ));
    }
    if state
        .db
        .drafts(Some(tenant))
        .await?
        .iter()
        .any(|d| d.name == name)
    {
        return Err(ApiError::Conflict("a job with that name exists".into()));
    }
    let d = state.db.create_draft(tenant, &new_job_id(), name).await?;
    view(state, d).await
}

/// The tenant's job, or 404 (whether it does not exist or belongs to another tenant).
pub async fn draft(state: &AppState, tenant: &str, id: &str) -> ApiResult<Draft> {
    state.db.draft(tenant, id).await?.ok_or(ApiError::NotFound)
}

pub async fn view(state: &AppState, d: Draft) -> ApiResult<JobView> {
    let run = if d.status.may_have_run() {
        state.app.services.store.job(&d.tenant, &d.id).await?
    } else {
        None
    };
    let files = state.db.files(&d.tenant, &d.id).await?;
    Ok(JobView {
        run_status: run.as_ref().map(|r| r.status),
        phase: run.as_ref().map(|r| r.phase),
        error: d.error.clone().or_else(|| run.and_then(|r| r.error)),
        tenant: d.tenant.clone(),
        id: d.id,
        name: d.name,
        status: d.status,
        files: files.into_iter().map(Into::into).collect(),
        created_at: d.created_at,
        updated_at: d.updated_at,
    })
}

pub async fn get(state: &AppState, tenant: &str, id: &str) -> ApiResult<JobView> {
    let d = draft(state, tenant, id).await?;
    view(state, d).await
}

pub async fn list(state: &AppState, tenant: Option<&str>) -> ApiResult<Vec<JobView>> {
    let mut out = Vec::new();
    for d in state.db.drafts(tenant).await? {
        out.push(view(state, d).await?);
    }
    Ok(out)
}
