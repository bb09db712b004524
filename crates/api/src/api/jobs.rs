//! The job life cycle over REST.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use futures::Stream;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::ApiUser;
use migrationai_api_types::error::ErrorBody;
use migrationai_api_types::jobs::check::CheckView;
use migrationai_api_types::jobs::mapping::{MappingChange, MappingView};
use migrationai_api_types::jobs::progress::ProgressView;
use migrationai_api_types::jobs::push::{PushRequest, PushView};
use migrationai_api_types::jobs::rejects::{RejectsPage, RejectsQuery};
use migrationai_api_types::jobs::report::ReportView;
use migrationai_api_types::jobs::{JobView, NewJob, UploadedFile};

use crate::error::ApiResult;
use crate::state::AppState;
use crate::workflow;

#[utoipa::path(get, path = "/v1/jobs", tag = "jobs", security(("bearer" = [])),
    responses((status = 200, body = Vec<JobView>), (status = 401, body = ErrorBody)))]
pub async fn list(State(s): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<Json<Vec<JobView>>> {
    Ok(Json(workflow::list(&s, Some(&p.tenant)).await?))
}

#[utoipa::path(post, path = "/v1/jobs", tag = "jobs", security(("bearer" = [])), request_body = NewJob,
    responses((status = 201, body = JobView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Json(req): Json<NewJob>,
) -> ApiResult<(StatusCode, Json<JobView>)> {
    Ok((
        StatusCode::CREATED,
        Json(workflow::create(&s, &p.tenant, &req.name).await?),
    ))
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, body = JobView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<JobView>> {
    Ok(Json(workflow::get(&s, &p.tenant, &job_id).await?))
}

#[utoipa::path(put, path = "/v1/jobs/{job_id}/files/{name}", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path), ("name" = String, Path, description = "File name: letters, digits, '.', '_', '-'")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes, streamed"),
    responses((status = 201, body = UploadedFile), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path((job_id, name)): Path<(String, String)>,
    body: Body,
) -> ApiResult<(StatusCode, Json<UploadedFile>)> {
    let f =
        workflow::upload::upload(&s, &p.tenant, &job_id, &name, body.into_data_stream()).await?;
    Ok((StatusCode::CREATED, Json(f.into())))
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/files", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, body = Vec<UploadedFile>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn files(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Vec<UploadedFile>>> {
    workflow::draft(&s, &p.tenant, &job_id).await?;
    Ok(Json(
        s.db.files(&p.tenant, &job_id)
            .await?
            .into_iter()
            .map(UploadedFile::from)
            .collect(),
    ))
}

#[utoipa::path(post, path = "/v1/jobs/{job_id}/analyse", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 202, body = JobView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn analyse(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<(StatusCode, Json<JobView>)> {
    Ok((
        StatusCode::ACCEPTED,
        Json(crate::tfp::request(&s, &p.tenant, &job_id).await?),
    ))
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/mapping", tag = "mapping", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, body = MappingView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn mapping(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<MappingView>> {
    Ok(Json(workflow::mapping::get(&s, &p.tenant, &job_id).await?))
}

#[utoipa::path(put, path = "/v1/jobs/{job_id}/mapping", tag = "mapping", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    request_body(content = String, content_type = "text/plain", description = "The whole mapping file (TOML)"),
    responses((status = 200, body = MappingView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_mapping(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
    text: String,
) -> ApiResult<Json<MappingView>> {
    Ok(Json(
        workflow::mapping::put(&s, &p.tenant, &job_id, &text).await?,
    ))
}

#[utoipa::path(patch, path = "/v1/jobs/{job_id}/mapping", tag = "mapping", security(("bearer" = [])),
    params(("job_id" = String, Path)), request_body = Vec<MappingChange>,
    responses((status = 200, body = MappingView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn patch_mapping(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
    Json(changes): Json<Vec<MappingChange>>,
) -> ApiResult<Json<MappingView>> {
    Ok(Json(
        workflow::mapping::change(&s, &p.tenant, &job_id, &changes).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartQuery {
    /// Start although a mapped table leaves a required field unmapped (its rows are then
    /// rejected); without it such a start is refused with the fields named.
    pub confirm_unmet: Option<bool>,
}

#[utoipa::path(post, path = "/v1/jobs/{job_id}/start", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path), StartQuery),
    responses((status = 202, body = JobView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
    Query(q): Query<StartQuery>,
) -> ApiResult<(StatusCode, Json<JobView>)> {
    let confirm = q.confirm_unmet.unwrap_or(false);
    Ok((
        StatusCode::ACCEPTED,
        Json(workflow::run::start(&s, &p.tenant, &job_id, confirm).await?),
    ))
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/check", tag = "mapping", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, body = CheckView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn check(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<CheckView>> {
    Ok(Json(workflow::check::get(&s, &p.tenant, &job_id).await?))
}

/// Asks for a full read of the export with the mapping as it stands: rows, rows that would
/// load, problems per table and the share expected to load per kind.
#[utoipa::path(post, path = "/v1/jobs/{job_id}/check", tag = "mapping", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 202, body = CheckView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request_check(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<(StatusCode, Json<CheckView>)> {
    Ok((
        StatusCode::ACCEPTED,
        Json(workflow::check::request(&s, &p.tenant, &job_id).await?),
    ))
}

#[utoipa::path(post, path = "/v1/jobs/{job_id}/cancel", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, body = JobView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<JobView>> {
    Ok(Json(workflow::run::cancel(&s, &p.tenant, &job_id).await?))
}

/// Sends the finished job to Filevine through the queues ("Send to Filevine"): its loaded
/// records are pushed phase by phase by the workers, then Filevine is read back. A push in
/// progress is picked up, not started twice.
#[utoipa::path(post, path = "/v1/jobs/{job_id}/push", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path)), request_body = PushRequest,
    responses((status = 202, body = PushView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn push(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
    Json(request): Json<PushRequest>,
) -> ApiResult<(StatusCode, Json<PushView>)> {
    Ok((
        StatusCode::ACCEPTED,
        Json(workflow::push::start(&s, &p.tenant, &job_id, &request).await?),
    ))
}

/// The job's latest push: progress per kind and, once done, what reading Filevine back found.
#[utoipa::path(get, path = "/v1/jobs/{job_id}/push", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, body = PushView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn push_status(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<PushView>> {
    Ok(Json(workflow::push::get(&s, &p.tenant, &job_id).await?))
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/progress", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, body = ProgressView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn progress(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<ProgressView>> {
    Ok(Json(workflow::run::progress(&s, &p.tenant, &job_id).await?))
}

/// Progress as server-sent events: a `progress` event when it changes, until finished.
#[utoipa::path(get, path = "/v1/jobs/{job_id}/events", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, content_type = "text/event-stream", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn events(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    workflow::draft(&s, &p.tenant, &job_id).await?;
    Ok(progress_events(s, p.tenant, job_id))
}

pub fn progress_events(
    s: AppState,
    tenant: String,
    job: String,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = futures::stream::unfold(
        (s, tenant, job, String::new(), false),
        |(s, tenant, job, last, ended)| async move {
            if ended {
                return None;
            }
            let mut last = last;
            loop {
                let view = match workflow::run::progress(&s, &tenant, &job).await {
                    Ok(v) => v,
                    Err(e) => {
                        let ev = Event::default().event("error").data(e.to_string());
                        return Some((Ok(ev), (s, tenant, job, last, true)));
                    }
                };
                let json = serde_json::to_string(&view).unwrap_or_default();
                if json != last {
                    let ev = Event::default().event("progress").data(json.clone());
                    return Some((Ok(ev), (s, tenant, job, json, view.finished)));
                }
                last = json;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/report", tag = "report", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, description = "The reconciliation report", body = Object), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn report(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<migrationai_pipeline::Report>> {
    Ok(Json(workflow::run::report(&s, &p.tenant, &job_id).await?))
}

/// The report as a firm reads it: the verdict, an executive summary, and every balance,
/// invoice, document and duplicate with names beside ids.
#[utoipa::path(get, path = "/v1/jobs/{job_id}/summary", tag = "report", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, body = ReportView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn summary(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<ReportView>> {
    Ok(Json(workflow::summary::get(&s, &p.tenant, &job_id).await?))
}

/// The rejected rows, filtered, sorted and a page at a time.
#[utoipa::path(get, path = "/v1/jobs/{job_id}/rejects", tag = "report", security(("bearer" = [])),
    params(("job_id" = String, Path), RejectsQuery),
    responses((status = 200, body = RejectsPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn rejects_page(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
    Query(q): Query<RejectsQuery>,
) -> ApiResult<Json<RejectsPage>> {
    Ok(Json(
        workflow::rejects::get(&s, &p.tenant, &job_id, &q).await?,
    ))
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/report.html", tag = "report", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, content_type = "text/html", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn report_html(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Html<String>> {
    Ok(Html(
        workflow::run::report_html(&s, &p.tenant, &job_id).await?,
    ))
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/rejects.csv", tag = "report", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn rejects(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Response> {
    let csv = workflow::rejects::rejects_csv(&s, &p.tenant, &job_id).await?;
    Ok(csv_response(csv, &format!("{job_id}-rejects.csv")))
}

pub fn csv_response(csv: String, file: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        csv,
    )
        .into_response()
}
