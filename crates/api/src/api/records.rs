//! Read endpoints for the migrated kinds, served from the cache when they can.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::auth::ApiUser;
use migrationai_api_types::error::ErrorBody;
use migrationai_api_types::records::{
    NewRecord, RecordDetail, RecordPage, RecordQuery, WriteRequest,
};

use crate::error::ApiResult;
use crate::state::AppState;
use crate::{records, writes};

#[utoipa::path(get, path = "/v1/jobs/{job_id}/records/{kind}", tag = "records", security(("bearer" = [])),
    params(("job_id" = String, Path), ("kind" = String, Path, description = "A kind slug, e.g. contacts, billing-items"), RecordQuery),
    responses((status = 200, body = RecordPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path((job_id, kind)): Path<(String, String)>,
    Query(q): Query<RecordQuery>,
) -> ApiResult<Response> {
    let body = records::list_json(&s, &p.tenant, &job_id, &kind, &q).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/records/{kind}/{source_id}", tag = "records", security(("bearer" = [])),
    params(("job_id" = String, Path), ("kind" = String, Path), ("source_id" = String, Path, description = "The record's id in the source export")),
    responses((status = 200, body = RecordDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path((job_id, kind, source_id)): Path<(String, String, String)>,
) -> ApiResult<Json<RecordDetail>> {
    Ok(Json(
        records::one(&s, &p.tenant, &job_id, &kind, &source_id).await?,
    ))
}

#[utoipa::path(post, path = "/v1/jobs/{job_id}/records/{kind}", tag = "records", security(("bearer" = [])),
    params(("job_id" = String, Path), ("kind" = String, Path, description = "A kind slug without files, e.g. contacts, projects")),
    request_body = NewRecord,
    responses((status = 202, body = WriteRequest, description = "Queued; poll the request"), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The job's migration is not done"),
        (status = 422, body = ErrorBody, description = "Unknown field, bad value type or a kind that carries files")))]
pub async fn write(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path((job_id, kind)): Path<(String, String)>,
    Json(record): Json<NewRecord>,
) -> ApiResult<(StatusCode, Json<WriteRequest>)> {
    let queued = writes::submit(&s, &p.tenant, &job_id, &kind, &record).await?;
    Ok((StatusCode::ACCEPTED, Json(queued)))
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/records/{kind}/requests/{request_id}", tag = "records", security(("bearer" = [])),
    params(("job_id" = String, Path), ("kind" = String, Path), ("request_id" = String, Path, description = "The id a write returned")),
    responses((status = 200, body = WriteRequest), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn request(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path((job_id, kind, request_id)): Path<(String, String, String)>,
) -> ApiResult<Json<WriteRequest>> {
    Ok(Json(
        writes::status(&s, &p.tenant, &job_id, &kind, &request_id).await?,
    ))
}
