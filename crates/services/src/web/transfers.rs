//! The firm app's file transfers behind the session cookie: resumable uploads (the same
//! calls as the API's, with the CSRF token in `X-CSRF-Token` on every change; app.js drives
//! them with chunks, a progress bar and retry of a failed chunk) and the canonical export.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

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
