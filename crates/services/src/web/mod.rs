//! `migrationai web`: the firm's web app, server-rendered. Sign in, create a migration,
//! upload with progress, review the mapping, start, follow progress, read the report,
//! download rejects, browse records.

pub mod pages;
pub mod render;
pub mod signin;
pub mod transfers;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Form, Router};

use crate::auth::session::WebUser;
use crate::state::AppState;
use render::WebError;

pub const BRAND: &str = "MigrationAI";

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(crate::api::system::health))
        .route("/static/app.js", get(|| async { render::static_js() }))
        .route("/static/app.css", get(|| async { render::static_css() }))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/", get(pages::home))
        .route("/jobs", post(pages::create))
        .route("/jobs/{job_id}", get(pages::job))
        .route("/jobs/{job_id}/files/{name}", put(pages::upload))
        .route("/jobs/{job_id}/uploads", post(transfers::begin))
        .route(
            "/jobs/{job_id}/uploads/{upload_id}",
            get(transfers::status)
                .put(transfers::chunk)
                .delete(transfers::abort),
        )
        .route("/jobs/{job_id}/analyse", post(pages::analyse))
        .route("/jobs/{job_id}/mapping", post(pages::save_mapping))
        .route("/jobs/{job_id}/start", post(pages::start))
        .route("/jobs/{job_id}/cancel", post(pages::cancel))
        .route("/jobs/{job_id}/progress.json", get(pages::progress))
        .route("/jobs/{job_id}/report", get(pages::report))
        .route("/jobs/{job_id}/rejects.csv", get(pages::rejects))
        .route("/jobs/{job_id}/export.zip", get(transfers::export))
        .route(
            "/jobs/{job_id}/corrections",
            get(transfers::corrections_template).post(transfers::corrections_submit),
        )
        .route("/jobs/{job_id}/records/{kind}", get(pages::records))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .with_state(state)
}

async fn sign_in_page(State(s): State<AppState>) -> Result<Response, WebError> {
    signin::page(&s, BRAND, None)
}

async fn sign_in(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<signin::SignInForm>,
) -> Result<Response, WebError> {
    signin::submit(&s, BRAND, false, &headers, form).await
}

async fn sign_out(
    State(s): State<AppState>,
    user: WebUser,
    Form(form): Form<signin::CsrfForm>,
) -> Result<Response, WebError> {
    signin::sign_out(&s, &user, &form).await
}
