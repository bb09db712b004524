//! Templates compiled into the binary (minijinja, HTML auto-escaped), and HTML errors.

use std::sync::OnceLock;

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use serde::Serialize;

use crate::error::ApiError;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    ("sign_in.html", include_str!("../../templates/sign_in.html")),
    ("jobs.html", include_str!("../../templates/jobs.html")),
    ("job.html", include_str!("../../templates/job.html")),
    ("records.html", include_str!("../../templates/records.html")),
    (
        "admin_home.html",
        include_str!("../../templates/admin_home.html"),
    ),
    (
        "admin_dlq.html",
        include_str!("../../templates/admin_dlq.html"),
    ),
    ("error.html", include_str!("../../templates/error.html")),
];

pub const APP_JS: &str = include_str!("../../templates/app.js");
pub const APP_CSS: &str = include_str!("../../templates/app.css");

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "template does not compile");
            }
        }
        env
    })
}

pub fn render(name: &str, ctx: impl Serialize) -> Result<Response, WebError> {
    let t = env().get_template(name).map_err(ApiError::internal)?;
    let html = t.render(ctx).map_err(ApiError::internal)?;
    Ok(Html(html).into_response())
}

/// An error shown as a page rather than JSON.
pub struct WebError(pub ApiError);

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        WebError(e)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/sign-in").into_response();
        }
        if let ApiError::Internal(detail) = &self.0 {
            tracing::error!(%detail, "page failed");
        }
        let ctx = minijinja::context! { brand => "MigrationAI", error => self.0.to_string(), status => status.as_u16() };
        let body = env()
            .get_template("error.html")
            .and_then(|t| t.render(ctx))
            .unwrap_or_else(|_| self.0.to_string());
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    }
}

pub fn static_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        APP_JS,
    )
        .into_response()
}

pub fn static_css() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS).into_response()
}
