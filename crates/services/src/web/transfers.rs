//! The firm app's file transfers behind the session cookie: resumable uploads (the same
//! calls as the API's, with the CSRF token in `X-CSRF-Token` on every change; app.js drives
//! them with chunks, a progress bar and retry of a failed chunk), the canonical export, and
//! corrected rejects sent back.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api::corrections::TableQuery;
use crate::auth::session::{check_csrf, csrf_header, WebUser};
use crate::error::ApiResult;
use crate::jobs::resumable::{self, ChunkError, NewUpload};
use crate::state::AppState;

pub async fn begin(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    Json(req): Json<NewUpload>,
) -> ApiResult<Response> {
    check_csrf(&u, csrf_header(&headers))?;
    let v = resumable::begin(&s, &u.tenant, &job_id, &req).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub async fn status(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path((job_id, upload_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let v = resumable::status(&s, &u.tenant, &job_id, &upload_id).await?;
    Ok(Json(v).into_response())
}

pub async fn chunk(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path((job_id, upload_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ChunkError> {
    check_csrf(&u, csrf_header(&headers))?;
    let range = resumable::range_header(&headers);
    let v = resumable::put_chunk(
        &s,
        &u.tenant,
        &job_id,
        &upload_id,
        range,
        body.into_data_stream(),
    )
    .await?;
    Ok(Json(v).into_response())
}

pub async fn abort(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path((job_id, upload_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    check_csrf(&u, csrf_header(&headers))?;
    resumable::abort(&s, &u.tenant, &job_id, &upload_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The canonical export (the API's `GET /v1/jobs/{job_id}/export`) behind the session.
pub async fn export(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
) -> ApiResult<Response> {
    let body = crate::jobs::export::zip_body(&s, &u.tenant, &job_id).await?;
    Ok(crate::api::export::zip_response(body, &job_id))
}

/// The correction file of one table (the API's `GET /v1/jobs/{job_id}/corrections`).
pub async fn corrections_template(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Query(q): Query<TableQuery>,
) -> ApiResult<Response> {
    crate::jobs::draft(&s, &u.tenant, &job_id).await?;
    let table = q.table()?;
    let csv = crate::jobs::corrections::template(&s, &u.tenant, &job_id, table).await?;
    Ok(crate::api::corrections::csv_file(csv, table))
}

/// Corrected rejects sent back by app.js (the file's bytes as the body): starts the
/// corrections job and answers with it, for the script to open its page.
pub async fn corrections_submit(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Query(q): Query<TableQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    check_csrf(&u, csrf_header(&headers))?;
    let run = crate::api::corrections::submit_body(&s, &u.tenant, &job_id, &q, body).await?;
    Ok((StatusCode::CREATED, Json(run)).into_response())
}
