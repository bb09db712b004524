//! `migrationai web`: the firm's web app, server-rendered from calls to the backend API.
//! Sign in, create a migration, upload with progress, review the mapping file by file and
//! column by column with a check of the data, start, follow progress per kind, read the
//! verdict and the report, sign it off, sort and filter the rejects and fix them in a grid,
//! download the rejects and the export, browse records, send the job to Filevine and follow
//! the push per kind to its read-back.

pub mod pages;
pub mod report;
pub mod review;
pub mod transfers;

use axum::routing::{get, post, put};
use axum::Router;

use crate::kit::render::{static_css, static_js};
use crate::kit::{signin, Front};

pub const BRAND: &str = "MigrationAI";

pub fn router(front: Front) -> Router {
    Router::new()
        .route("/health", get(crate::kit::health))
        .route("/static/app.js", get(|| async { static_js() }))
        .route("/static/app.css", get(|| async { static_css() }))
        .route("/sign-in", get(signin::page).post(signin::submit))
        .route("/sign-out", post(signin::sign_out))
        .route("/", get(pages::home))
        .route("/jobs", post(pages::create))
        .route("/jobs/{job_id}", get(pages::job))
        .route("/jobs/{job_id}/files/{name}", put(transfers::upload))
        .route("/jobs/{job_id}/uploads", post(transfers::begin))
        .route(
            "/jobs/{job_id}/uploads/{upload_id}",
            get(transfers::status)
                .put(transfers::chunk)
                .delete(transfers::abort),
        )
        .route("/jobs/{job_id}/analyse", post(pages::analyse))
        .route("/jobs/{job_id}/mapping", post(pages::save_mapping))
        .route("/jobs/{job_id}/check", post(pages::check))
        .route("/jobs/{job_id}/check.json", get(transfers::check))
        .route("/jobs/{job_id}/start", post(pages::start))
        .route("/jobs/{job_id}/cancel", post(pages::cancel))
        .route("/jobs/{job_id}/push", post(pages::push))
        .route("/jobs/{job_id}/progress.json", get(transfers::progress))
        .route("/jobs/{job_id}/report", get(report::report))
        .route("/jobs/{job_id}/report.html", get(transfers::report_file))
        .route("/jobs/{job_id}/signoff", get(report::signoff))
        .route("/jobs/{job_id}/rejects", get(report::rejects))
        .route(
            "/jobs/{job_id}/fix",
            get(report::fix).post(report::fix_submit),
        )
        .route("/jobs/{job_id}/rejects.csv", get(transfers::rejects))
        .route("/jobs/{job_id}/export.zip", get(transfers::export))
        .route(
            "/jobs/{job_id}/corrections",
            get(transfers::corrections_template).post(transfers::corrections_submit),
        )
        .route("/jobs/{job_id}/records/{kind}", get(pages::records))
        .with_state(front)
}
