//! The canonical export of a finished job, as a streamed zip (see `jobs::export`).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::auth::ApiUser;
use migrationai_api_types::error::ErrorBody;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::workflow::export;

#[utoipa::path(get, path = "/v1/jobs/{job_id}/export", tag = "report", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>,
            description = "One JSON-lines file per kind (canonical id, source id and row, fields, resolved references, document blob keys and SHA-256) and report.json"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn download(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Response> {
    let body = export::zip_body(&s, &p.tenant, &job_id).await?;
    Ok(zip_response(body, &job_id))
}

pub fn zip_response(body: axum::body::Body, job_id: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{job_id}-canonical-export.zip\""),
            ),
        ],
        body,
    )
        .into_response()
}
