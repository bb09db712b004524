//! What the firm app passes between the browser and the API as it streams: uploads (whole
//! files and resumable chunks; app.js sends them with the CSRF token in `X-CSRF-Token`),
//! progress, the report, the rejects, the canonical export and corrected rejects. Answers,
//! errors included, reach the browser as the API gave them.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};

use crate::kit::backend::{path, with_query};
use crate::kit::session::{check_csrf, csrf_header, WebUser};
use crate::kit::Front;

/// Request headers an upload keeps on its way to the API.
const FORWARDED: [header::HeaderName; 3] = [
    header::CONTENT_TYPE,
    header::CONTENT_LENGTH,
    header::CONTENT_RANGE,
];

async fn relay_get(front: &Front, u: &WebUser, target: &str) -> Response {
    let rb = front.backend.request(Method::GET, target, Some(&u.0.token));
    front.backend.relay(rb).await
}

/// A change sent by the page's script, with its body streamed through.
async fn relay_change(
    front: &Front,
    u: &WebUser,
    method: Method,
    target: &str,
    headers: &HeaderMap,
    body: Option<Body>,
) -> Response {
    if let Err(e) = check_csrf(&u.0, csrf_header(headers)) {
        return e.into_response();
    }
    let mut rb = front.backend.request(method, target, Some(&u.0.token));
    for name in FORWARDED {
        if let Some(v) = headers.get(&name) {
            rb = rb.header(name.as_str(), v.as_bytes());
        }
    }
    if let Some(body) = body {
        rb = rb.body(reqwest::Body::wrap_stream(body.into_data_stream()));
    }
    front.backend.relay(rb).await
}

pub async fn upload(
    State(front): State<Front>,
    u: WebUser,
    Path((job_id, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let target = path(&["v1", "jobs", &job_id, "files", &name]);
    relay_change(&front, &u, Method::PUT, &target, &headers, Some(body)).await
}

pub async fn begin(
    State(front): State<Front>,
    u: WebUser,
    Path(job_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let target = path(&["v1", "jobs", &job_id, "uploads"]);
    relay_change(&front, &u, Method::POST, &target, &headers, Some(body)).await
}

pub async fn status(
    State(front): State<Front>,
    u: WebUser,
    Path((job_id, upload_id)): Path<(String, String)>,
) -> Response {
    relay_get(
        &front,
        &u,
        &path(&["v1", "jobs", &job_id, "uploads", &upload_id]),
    )
    .await
}

pub async fn chunk(
    State(front): State<Front>,
    u: WebUser,
    Path((job_id, upload_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let target = path(&["v1", "jobs", &job_id, "uploads", &upload_id]);
    relay_change(&front, &u, Method::PUT, &target, &headers, Some(body)).await
}

pub async fn abort(
    State(front): State<Front>,
    u: WebUser,
    Path((job_id, upload_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let target = path(&["v1", "jobs", &job_id, "uploads", &upload_id]);
    relay_change(&front, &u, Method::DELETE, &target, &headers, None).await
}

pub async fn progress(
    State(front): State<Front>,
    u: WebUser,
    Path(job_id): Path<String>,
) -> Response {
    relay_get(&front, &u, &path(&["v1", "jobs", &job_id, "progress"])).await
}

/// The report file itself (one self-contained HTML page), to download and keep.
pub async fn report_file(
    State(front): State<Front>,
    u: WebUser,
    Path(job_id): Path<String>,
) -> Response {
    relay_get(&front, &u, &path(&["v1", "jobs", &job_id, "report.html"])).await
}

/// The check of the data, for the review's script to follow.
pub async fn check(State(front): State<Front>, u: WebUser, Path(job_id): Path<String>) -> Response {
    relay_get(&front, &u, &path(&["v1", "jobs", &job_id, "check"])).await
}

pub async fn rejects(
    State(front): State<Front>,
    u: WebUser,
    Path(job_id): Path<String>,
) -> Response {
    relay_get(&front, &u, &path(&["v1", "jobs", &job_id, "rejects.csv"])).await
}

pub async fn export(
    State(front): State<Front>,
    u: WebUser,
    Path(job_id): Path<String>,
) -> Response {
    relay_get(&front, &u, &path(&["v1", "jobs", &job_id, "export"])).await
}

/// The correction file of one table.
pub async fn corrections_template(
    State(front): State<Front>,
    u: WebUser,
    Path(job_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let target = path(&["v1", "jobs", &job_id, "corrections"]);
    relay_get(&front, &u, &with_query(target, query.as_deref())).await
}

/// Corrected rejects sent back by app.js (the file's bytes as the body): the API starts the
/// corrections job and answers with it, for the script to open its page.
pub async fn corrections_submit(
    State(front): State<Front>,
    u: WebUser,
    Path(job_id): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let target = path(&["v1", "jobs", &job_id, "corrections"]);
    let target = with_query(target, query.as_deref());
    relay_change(&front, &u, Method::POST, &target, &headers, Some(body)).await
}
