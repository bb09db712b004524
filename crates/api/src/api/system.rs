//! Health, readiness, metrics and the field catalogue.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use migrationai_api_types::error::ErrorBody;
use migrationai_api_types::system::{Health, Readiness};

use crate::auth::ApiUser;
use crate::state::AppState;

#[utoipa::path(get, path = "/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// Checks every dependency; 503 when one is unreachable.
pub async fn check(s: &AppState) -> Readiness {
    let svc = &s.app.services;
    let store = svc.store.jobs("__ready__").await.is_ok();
    let queue = svc
        .queue
        .stats(&svc.names.queue(migrationai_domain::QueueKind::Jobs))
        .await
        .is_ok();
    let blob = svc.blobs.list("ready/").await.is_ok();
    let cache = s.cache.generation("ready").await.is_ok();
    let database = s.db.ping().await.is_ok();
    Readiness {
        ready: store && queue && blob && cache && database,
        store,
        queue,
        blob,
        cache,
        database,
    }
}

#[utoipa::path(get, path = "/ready", tag = "system", security(("bearer" = [])),
    responses((status = 200, body = Readiness), (status = 401, body = ErrorBody), (status = 503, body = Readiness)))]
pub async fn ready(State(s): State<AppState>, _u: ApiUser) -> (StatusCode, Json<Readiness>) {
    let r = check(&s).await;
    let status = if r.ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(r))
}

#[utoipa::path(get, path = "/metrics", tag = "system", security(("bearer" = [])),
    responses((status = 200, content_type = "text/plain", body = String), (status = 401, body = ErrorBody)))]
pub async fn metrics(State(s): State<AppState>, _u: ApiUser) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::metrics::render(&s).await,
    )
        .into_response()
}

#[utoipa::path(get, path = "/v1/catalogue", tag = "system", security(("bearer" = [])),
    responses((status = 200, description = "`kinds`: every kind with its fields", body = Object), (status = 401, body = ErrorBody)))]
pub async fn catalogue(_u: ApiUser) -> Json<serde_json::Value> {
    let kinds = serde_json::to_value(migrationai_domain::CATALOGUE).unwrap_or_default();
    Json(serde_json::json!({ "kinds": kinds }))
}
