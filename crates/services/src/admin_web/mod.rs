//! `migrationai admin-web`: the operators' console. Tenants, jobs, queues and DLQs with
//! their depths, DLQ inspection and redrive, job cancel. Only the admin role signs in;
//! every change is audited.

pub mod chart;

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::admin::queues;
use crate::auth::session::{check_csrf, WebUser};
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::render::{render, static_css, static_js, WebError};
use crate::web::signin;

pub const BRAND: &str = "MigrationAI console";

type Page = Result<Response, WebError>;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/health", get(crate::api::system::health))
        .route("/static/app.js", get(|| async { static_js() }))
        .route("/static/app.css", get(|| async { static_css() }))
        .route("/sign-in", get(sign_in_page).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/", get(home))
        .route("/dlq/{kind}", get(dlq))
        .route("/dlq/{kind}/redrive", post(redrive))
        .route("/jobs/{tenant}/{job_id}/cancel", post(cancel))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
        .with_state(state)
}

/// A signed-in operator.
fn admin(u: &WebUser) -> Result<(), WebError> {
    if u.0.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden.into())
    }
}

async fn sign_in_page(State(s): State<AppState>) -> Page {
    signin::page(&s, BRAND, None)
}

async fn sign_in(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<signin::SignInForm>,
) -> Page {
    signin::submit(&s, BRAND, true, &headers, form).await
}

async fn sign_out(
    State(s): State<AppState>,
    user: WebUser,
    Form(form): Form<signin::CsrfForm>,
) -> Page {
    signin::sign_out(&s, &user, &form).await
}

async fn home(State(s): State<AppState>, u: WebUser) -> Page {
    admin(&u)?;
    let tenants = s.db.tenants().await?;
    let drafts = s.db.drafts(None).await?;
    let mut jobs = Vec::new();
    for d in drafts {
        let tenant = d.tenant.clone();
        let v = crate::jobs::view(&s, d).await?;
        jobs.push(minijinja::context! { tenant, ..minijinja::Value::from_serialize(&v) });
    }
    let queues = queues::queues(&s).await?;
    let t = crate::throughput::last_hour(&s).await?;
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
        minijinja::context! { brand => BRAND, user => &u.0, csrf => &u.0.csrf, tenants, jobs, queues, throughput },
    )
}

async fn dlq(State(s): State<AppState>, u: WebUser, Path(kind): Path<String>) -> Page {
    admin(&u)?;
    let messages = queues::dead_letters(&s, &kind).await?;
    render(
        "admin_dlq.html",
        minijinja::context! { brand => BRAND, user => &u.0, csrf => &u.0.csrf, kind, messages },
    )
}

async fn redrive(
    State(s): State<AppState>,
    u: WebUser,
    Path(kind): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Page {
    admin(&u)?;
    check_csrf(&u.0, form.get("csrf").map(String::as_str))?;
    let chosen: Vec<String> = form
        .iter()
        .filter(|(k, _)| k.starts_with("m."))
        .map(|(_, v)| v.clone())
        .collect();
    let all = form.get("scope").map(String::as_str) == Some("all");
    let count = queues::redrive(&s, &kind, if all { None } else { Some(&chosen) }).await?;
    let detail = if all {
        format!("{count} (all)")
    } else {
        format!("{count} chosen: {}", chosen.join(" "))
    };
    s.db.audit(&u.0.email, "dlq.redrive", &kind, &detail)
        .await?;
    Ok(Redirect::to(&format!("/dlq/{kind}")).into_response())
}

async fn cancel(
    State(s): State<AppState>,
    u: WebUser,
    Path((tenant, job_id)): Path<(String, String)>,
    Form(form): Form<signin::CsrfForm>,
) -> Page {
    admin(&u)?;
    check_csrf(&u.0, Some(&form.csrf))?;
    crate::jobs::run::cancel(&s, &tenant, &job_id).await?;
    s.db.audit(&u.0.email, "job.cancel", &format!("{tenant}/{job_id}"), "")
        .await?;
    Ok(Redirect::to("/").into_response())
}
