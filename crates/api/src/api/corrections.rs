//! Corrected rejects over REST: the correction file of one table, and sending it back to
//! re-run the job with the corrections (see `jobs::corrections` for the semantics).

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::ApiUser;
use migrationai_api_types::error::ErrorBody;
use migrationai_api_types::jobs::corrections::CorrectionsRun;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::workflow::corrections;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TableQuery {
    /// The source table, as the rejects name it (e.g. "contacts.csv").
    pub table: Option<String>,
}

impl TableQuery {
    pub fn table(&self) -> ApiResult<&str> {
        self.table
            .as_deref()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::BadRequest("name the table: ?table=<file>".into()))
    }
}

#[utoipa::path(get, path = "/v1/jobs/{job_id}/corrections", tag = "report", security(("bearer" = [])),
    params(("job_id" = String, Path), TableQuery),
    responses((status = 200, content_type = "text/csv", body = String,
            description = "The table's rejected rows: its columns, then source_row, field, code, reason"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn template(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
    Query(q): Query<TableQuery>,
) -> ApiResult<Response> {
    crate::workflow::draft(&s, &p.tenant, &job_id).await?;
    let table = q.table()?;
    let csv = corrections::template(&s, &p.tenant, &job_id, table).await?;
    Ok(csv_file(csv, table))
}

/// The source tables of a finished job that have rejected rows, which a correction file
/// can be asked for.
#[utoipa::path(get, path = "/v1/jobs/{job_id}/corrections/tables", tag = "report", security(("bearer" = [])),
    params(("job_id" = String, Path)),
    responses((status = 200, body = Vec<String>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn tables(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
) -> ApiResult<Json<Vec<String>>> {
    let job = crate::workflow::get(&s, &p.tenant, &job_id).await?;
    if job.run_status != Some(migrationai_domain::JobStatus::Done) {
        return Ok(Json(Vec::new()));
    }
    Ok(Json(
        corrections::tables_with_rejects(&s, &p.tenant, &job_id).await?,
    ))
}

pub fn csv_file(csv: String, table: &str) -> Response {
    let stem: String = table
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"rejects-{stem}\""),
            ),
        ],
        csv,
    )
        .into_response()
}

#[utoipa::path(post, path = "/v1/jobs/{job_id}/corrections", tag = "report", security(("bearer" = [])),
    params(("job_id" = String, Path), TableQuery),
    request_body(content = String, content_type = "text/plain",
        description = "The table's correction file with cells fixed; unchanged lines are ignored"),
    responses((status = 201, body = CorrectionsRun, description = "A new job, started with the corrected rows"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    ApiUser(p): ApiUser,
    Path(job_id): Path<String>,
    Query(q): Query<TableQuery>,
    body: Body,
) -> ApiResult<(StatusCode, Json<CorrectionsRun>)> {
    let run = submit_body(&s, &p.tenant, &job_id, &q, body).await?;
    Ok((StatusCode::CREATED, Json(run)))
}

/// Shared with the web app. The body is read (within the upload limit) before anything
/// is answered: a reply sent while the client is still sending leaves the connection
/// unusable, and a keep-alive client then fails its next request.
pub async fn submit_body(
    s: &AppState,
    tenant: &str,
    job_id: &str,
    q: &TableQuery,
    body: Body,
) -> ApiResult<CorrectionsRun> {
    let limit = usize::try_from(s.settings.upload_limit).unwrap_or(usize::MAX);
    let csv = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::TooLarge(format!(
            "the corrections file is larger than the limit of {limit} bytes"
        ))
    })?;
    crate::workflow::draft(s, tenant, job_id).await?;
    let table = q.table()?;
    corrections::submit(s, tenant, job_id, table, csv).await
}
