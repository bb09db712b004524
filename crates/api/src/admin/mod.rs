//! `migrationai admin-api`: the operators' REST API (admin role only). Every action that
//! changes something is written to the audit log.

pub mod handlers;
pub mod queues;

use axum::middleware;
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(crate::api::system::health))
        .route("/admin/v1/auth/sessions", post(handlers::start_session))
        .route("/admin/v1/auth/sign-out", post(crate::api::auth::sign_out))
        .route("/admin/v1/me", get(handlers::me))
        .route(
            "/admin/v1/tenants",
            get(handlers::tenants).post(handlers::create_tenant),
        )
        .route(
            "/admin/v1/users",
            get(handlers::users).post(handlers::create_user),
        )
        .route("/admin/v1/jobs", get(handlers::jobs))
        .route(
            "/admin/v1/jobs/{tenant}/{job_id}/cancel",
            post(handlers::cancel_job),
        )
        .route("/admin/v1/queues", get(handlers::queues))
        .route("/admin/v1/throughput", get(handlers::throughput))
        .route("/admin/v1/queues/{kind}/purge", post(handlers::purge))
        .route("/admin/v1/dlq/{kind}", get(handlers::dlq))
        .route("/admin/v1/dlq/{kind}/redrive", post(handlers::redrive))
        .route("/admin/v1/audit", get(handlers::audit_log))
        .route("/admin/v1/lockouts", get(handlers::lockouts))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .with_state(state)
}
