//! `migrationai api`: the backend REST API, versioned under /v1.

pub mod auth;
pub mod corrections;
pub mod export;
pub mod jobs;
pub mod openapi;
pub mod records;
pub mod system;
pub mod uploads;

use axum::middleware;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(system::health))
        .route("/ready", get(system::ready))
        .route("/metrics", get(system::metrics))
        .route("/openapi.json", get(openapi_json))
        .route("/v1/catalogue", get(system::catalogue))
        .route("/v1/auth/sign-in", post(auth::sign_in))
        .route("/v1/auth/sessions", post(auth::start_session))
        .route("/v1/auth/sign-out", post(auth::sign_out))
        .route("/v1/auth/tokens", get(auth::tokens))
        .route(
            "/v1/auth/tokens/{token_id}",
            axum::routing::delete(auth::revoke),
        )
        .route("/v1/me", get(auth::me))
        .route("/v1/users", get(auth::users))
        .route("/v1/jobs", get(jobs::list).post(jobs::create))
        .route("/v1/jobs/{job_id}", get(jobs::get))
        .route("/v1/jobs/{job_id}/files", get(jobs::files))
        .route("/v1/jobs/{job_id}/files/{name}", put(jobs::upload))
        .route("/v1/jobs/{job_id}/uploads", post(uploads::begin))
        .route(
            "/v1/jobs/{job_id}/uploads/{upload_id}",
            get(uploads::status)
                .put(uploads::chunk)
                .delete(uploads::abort),
        )
        .route("/v1/jobs/{job_id}/analyse", post(jobs::analyse))
        .route(
            "/v1/jobs/{job_id}/mapping",
            get(jobs::mapping)
                .put(jobs::put_mapping)
                .patch(jobs::patch_mapping),
        )
        .route(
            "/v1/jobs/{job_id}/check",
            get(jobs::check).post(jobs::request_check),
        )
        .route("/v1/jobs/{job_id}/start", post(jobs::start))
        .route("/v1/jobs/{job_id}/cancel", post(jobs::cancel))
        .route("/v1/jobs/{job_id}/progress", get(jobs::progress))
        .route(
            "/v1/jobs/{job_id}/push",
            post(jobs::push).get(jobs::push_status),
        )
        .route("/v1/jobs/{job_id}/events", get(jobs::events))
        .route("/v1/jobs/{job_id}/report", get(jobs::report))
        .route("/v1/jobs/{job_id}/report.html", get(jobs::report_html))
        .route("/v1/jobs/{job_id}/summary", get(jobs::summary))
        .route("/v1/jobs/{job_id}/rejects", get(jobs::rejects_page))
        .route("/v1/jobs/{job_id}/rejects.csv", get(jobs::rejects))
        .route("/v1/jobs/{job_id}/export", get(export::download))
        .route(
            "/v1/jobs/{job_id}/corrections",
            get(corrections::template).post(corrections::submit),
        )
        .route(
            "/v1/jobs/{job_id}/corrections/tables",
            get(corrections::tables),
        )
        .route(
            "/v1/jobs/{job_id}/records/{kind}",
            get(records::list).post(records::write),
        )
        .route(
            "/v1/jobs/{job_id}/records/{kind}/requests/{request_id}",
            get(records::request),
        )
        .route(
            "/v1/jobs/{job_id}/records/{kind}/{source_id}",
            get(records::one),
        )
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .with_state(state)
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi::ApiDoc::openapi())
}
