//! Resumable uploads over REST: start, send chunks with `Content-Range`, ask the offset
//! after a drop, abort. The logic is in `jobs::resumable`.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;

use crate::auth::ApiUser;
use migrationai_api_types::error::ErrorBody;
use migrationai_api_types::jobs::uploads::{NewUpload, OffsetConflict, UploadView};

use crate::error::ApiResult;
use crate::state::AppState;
use crate::workflow::resumable::{self, ChunkError};

#[utoipa::path(post, path = "/v1/jobs/{job_id}/uploads", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path)), request_body = NewUpload,
    responses((status = 201, body = UploadView, description = "The upload, at offset 0 (an empty file is complete at once)"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn begin(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
    Json(req): Json<NewUpload>,
) -> ApiResult<(StatusCode, Json<UploadView>)> {
    let v = resumable::begin(&s, &p.tenant, &job_id, &req).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/uploads/{upload_id}", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path), ("upload_id" = String, Path)),
    responses((status = 200, body = UploadView, description = "Where the next chunk must start"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn status(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path((job_id, upload_id)): Path<(String, String)>,
) -> ApiResult<Json<UploadView>> {
    Ok(Json(
        resumable::status(&s, &p.tenant, &job_id, &upload_id).await?,
    ))
}

#[utoipa::path(put, path = "/v1/jobs/{job_id}/uploads/{upload_id}", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path), ("upload_id" = String, Path),
        ("Content-Range" = String, Header, pattern = r"^bytes [0-9]{1,15}-[0-9]{1,15}/[0-9]{1,15}$",
            description = "bytes FIRST-LAST/TOTAL; FIRST must be the upload's offset")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The chunk's bytes"),
    responses((status = 200, body = UploadView, description = "The new offset; `file` is set once the last chunk arrived"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = OffsetConflict, description = "The chunk does not start at the server's offset"),
        (status = 413, body = ErrorBody)))]
pub async fn chunk(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path((job_id, upload_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<UploadView>, ChunkError> {
    let range = resumable::range_header(&headers);
    let v = resumable::put_chunk(
        &s,
        &p.tenant,
        &job_id,
        &upload_id,
        range,
        body.into_data_stream(),
    )
    .await?;
    Ok(Json(v))
}

#[utoipa::path(delete, path = "/v1/jobs/{job_id}/uploads/{upload_id}", tag = "jobs", security(("bearer" = [])),
    params(("job_id" = String, Path), ("upload_id" = String, Path)),
    responses((status = 204, description = "Aborted; every part removed"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn abort(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path((job_id, upload_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    resumable::abort(&s, &p.tenant, &job_id, &upload_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
