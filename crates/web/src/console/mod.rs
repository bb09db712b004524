//! `migrationai admin-web`: the operators' console, built from calls to the admin API.
//! Tenants, jobs, queues and DLQs with their depths and throughput, DLQ inspection and
//! redrive, job cancel. Only operators get a session; the admin API audits every change.

pub mod chart;

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use migrationai_api_types::admin::{DeadLetterView, Lockout, QueueView, Tenant, Throughput};
use migrationai_api_types::jobs::JobView;

use crate::error::WebError;
use crate::kit::backend::path;
use crate::kit::render::{render, static_css, static_js};
use crate::kit::session::{check_csrf, WebUser};
use crate::kit::{signin, Front};

pub const BRAND: &str = "MigrationAI console";

type Page = Result<Response, WebError>;

pub fn router(front: Front) -> Router {
    Router::new()
        .route("/health", get(crate::kit::health))
        .route("/static/app.js", get(|| async { static_js() }))
        .route("/static/app.css", get(|| async { static_css() }))
        .route("/sign-in", get(signin::page).post(signin::submit))
        .route("/sign-out", post(signin::sign_out))
        .route("/", get(home))
        .route("/dlq/{kind}", get(dlq))
        .route("/dlq/{kind}/redrive", post(redrive))
        .route("/jobs/{tenant}/{job_id}/cancel", post(cancel))
        .with_state(front)
}

async fn home(State(front): State<Front>, WebUser(u): WebUser) -> Page {
    let b = &front.backend;
    let (tenants, jobs, queues, t, lockouts) = tokio::try_join!(
        b.get::<Vec<Tenant>>("/admin/v1/tenants", &u.token),
        b.get::<Vec<JobView>>("/admin/v1/jobs", &u.token),
        b.get::<Vec<QueueView>>("/admin/v1/queues", &u.token),
        b.get::<Throughput>("/admin/v1/throughput", &u.token),
        b.get::<Vec<Lockout>>("/admin/v1/lockouts", &u.token),
    )?;
    let now = chrono::Utc::now().timestamp();
    let lockouts: Vec<_> = lockouts
        .iter()
        .map(|l| {
            let minutes = ((l.locked_until - now).max(0) + 59) / 60;
            minijinja::context! { email => &l.email, failures => l.failures, address => &l.address, minutes }
        })
        .collect();
    let throughput = minijinja::context! {
        rows_svg => minijinja::Value::from_safe_string(chart::rows_svg(&t)),
        messages_svg => minijinja::Value::from_safe_string(chart::messages_svg(&t)),
        legend => chart::legend(&t),
        table => chart::table(&t),
        total_rows => t.total_rows(),
        total_messages => t.total_messages(),
    };
    render(
        "admin_home.html",
        minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, tenants, jobs, queues, throughput, lockouts },
    )
}

async fn dlq(State(front): State<Front>, WebUser(u): WebUser, Path(kind): Path<String>) -> Page {
    let messages: Vec<DeadLetterView> = front
        .backend
        .get(&path(&["admin", "v1", "dlq", &kind]), &u.token)
        .await?;
    render(
        "admin_dlq.html",
        minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, kind, messages },
    )
}

async fn redrive(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(kind): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Page {
    check_csrf(&u, form.get("csrf").map(String::as_str))?;
    let chosen: Vec<String> = form
        .iter()
        .filter(|(k, _)| k.starts_with("m."))
        .map(|(_, v)| v.clone())
        .collect();
    let all = form.get("scope").map(String::as_str) == Some("all");
    let body = if all {
        serde_json::json!({})
    } else {
        serde_json::json!({ "message_ids": chosen })
    };
    let rb = front
        .backend
        .request(
            Method::POST,
            &path(&["admin", "v1", "dlq", &kind, "redrive"]),
            Some(&u.token),
        )
        .json(&body);
    front.backend.send(rb).await?;
    Ok(Redirect::to(&format!("/dlq/{kind}")).into_response())
}

async fn cancel(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path((tenant, job_id)): Path<(String, String)>,
    Form(form): Form<signin::CsrfForm>,
) -> Page {
    check_csrf(&u, Some(&form.csrf))?;
    let rb = front.backend.request(
        Method::POST,
        &path(&["admin", "v1", "jobs", &tenant, &job_id, "cancel"]),
        Some(&u.token),
    );
    front.backend.send(rb).await?;
    Ok(Redirect::to("/").into_response())
}
