//! The firm app's pages and form handlers. Every state change checks the CSRF token.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use migrationai_domain::{kind_def, Kind};
use serde::Serialize;

use super::render::{render, WebError};
use super::signin::CsrfForm;
use super::BRAND;
use crate::auth::session::{check_csrf, csrf_header, WebUser};
use crate::jobs::mapping::MappingChange;
use crate::jobs::{self};
use crate::records::RecordQuery;
use crate::state::AppState;

type Page = Result<Response, WebError>;

pub async fn home(State(s): State<AppState>, WebUser(u): WebUser) -> Page {
    let jobs = jobs::list(&s, Some(&u.tenant)).await?;
    render(
        "jobs.html",
        minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, jobs },
    )
}

#[derive(serde::Deserialize)]
pub struct NewJobForm {
    pub csrf: String,
    pub name: String,
}

pub async fn create(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Form(f): Form<NewJobForm>,
) -> Page {
    check_csrf(&u, Some(&f.csrf))?;
    match jobs::create(&s, &u.tenant, &f.name).await {
        Ok(j) => Ok(Redirect::to(&format!("/jobs/{}", j.id)).into_response()),
        Err(e @ (crate::ApiError::BadRequest(_) | crate::ApiError::Conflict(_))) => {
            let jobs = jobs::list(&s, Some(&u.tenant)).await?;
            let mut r = render(
                "jobs.html",
                minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, jobs, error => e.to_string() },
            )?;
            *r.status_mut() = e.status();
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
struct ColumnRow {
    idx: usize,
    header: String,
    field: Option<String>,
    confidence: f64,
    examples: String,
}

#[derive(Serialize)]
struct TableRow {
    idx: usize,
    table: String,
    kind: Option<String>,
    kind_confidence: f64,
    options: Vec<&'static str>,
    columns: Vec<ColumnRow>,
}

/// The review table: the mapping as it stands with the proposal's confidence and samples.
fn review_tables(view: &crate::jobs::mapping::MappingView) -> Vec<TableRow> {
    let proposal = view.proposal.as_array().cloned().unwrap_or_default();
    view.tables
        .iter()
        .enumerate()
        .map(|(ti, t)| {
            let sugg = proposal
                .iter()
                .find(|p| p.get("table").and_then(|v| v.as_str()) == Some(t.table.as_str()));
            let cols = sugg
                .and_then(|p| p.get("columns"))
                .and_then(|c| c.as_array())
                .cloned()
                .unwrap_or_default();
            let options = t
                .kind
                .as_deref()
                .and_then(|k| k.parse::<Kind>().ok())
                .and_then(kind_def)
                .map(|d| d.fields.iter().map(|f| f.name).collect())
                .unwrap_or_default();
            TableRow {
                idx: ti,
                table: t.table.clone(),
                kind: t.kind.clone(),
                kind_confidence: sugg
                    .and_then(|p| p.get("kind_confidence"))
                    .and_then(|v| v.as_f64())
                    .unwrap_or(0.0),
                options,
                columns: t
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(ci, c)| {
                        let sc = cols.iter().find(|x| {
                            x.get("header").and_then(|h| h.as_str()) == Some(c.header.as_str())
                        });
                        ColumnRow {
                            idx: ci,
                            header: c.header.clone(),
                            field: c.field.clone(),
                            confidence: sc
                                .and_then(|x| x.get("confidence"))
                                .and_then(|v| v.as_f64())
                                .unwrap_or(0.0),
                            examples: sc
                                .and_then(|x| x.get("examples"))
                                .and_then(|v| v.as_array())
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|e| e.as_str())
                                        .take(3)
                                        .collect::<Vec<_>>()
                                        .join(" · ")
                                })
                                .unwrap_or_default(),
                        }
                    })
                    .collect(),
            }
        })
        .collect()
}

pub async fn job(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
) -> Page {
    let job = jobs::get(&s, &u.tenant, &job_id).await?;
    let tables = if job.status == crate::db::drafts::REVIEW {
        review_tables(&jobs::mapping::get(&s, &u.tenant, &job_id).await?)
    } else {
        Vec::new()
    };
    // Tables whose rejects can be corrected and sent back, once the run is done.
    let correction_tables = if job.run_status.as_deref() == Some("done") {
        jobs::corrections::tables_with_rejects(&s, &u.tenant, &job_id).await?
    } else {
        Vec::new()
    };
    render(
        "job.html",
        minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, job, tables, correction_tables },
    )
}

pub async fn upload(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path((job_id, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, crate::ApiError> {
    check_csrf(&u, csrf_header(&headers))?;
    let f = jobs::upload::upload(&s, &u.tenant, &job_id, &name, body.into_data_stream()).await?;
    Ok((StatusCode::CREATED, Json(f)).into_response())
}

pub async fn analyse(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    check_csrf(&u, Some(&f.csrf))?;
    crate::tfp::request(&s, &u.tenant, &job_id).await?;
    Ok(Redirect::to(&format!("/jobs/{job_id}")).into_response())
}

pub async fn save_mapping(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Page {
    check_csrf(&u, form.get("csrf").map(String::as_str))?;
    let view = jobs::mapping::get(&s, &u.tenant, &job_id).await?;
    let mut changes = Vec::new();
    for (key, value) in &form {
        let mut parts = key.split('.');
        let (Some("f"), Some(t), Some(c)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Ok(t), Ok(c)) = (t.parse::<usize>(), c.parse::<usize>()) else {
            continue;
        };
        let Some(table) = view.tables.get(t) else {
            continue;
        };
        let Some(col) = table.columns.get(c) else {
            continue;
        };
        let field = (!value.is_empty()).then(|| value.clone());
        if field != col.field {
            changes.push(MappingChange {
                table: table.table.clone(),
                column: Some(col.header.clone()),
                field,
                kind: None,
            });
        }
    }
    jobs::mapping::change(&s, &u.tenant, &job_id, &changes).await?;
    Ok(Redirect::to(&format!("/jobs/{job_id}")).into_response())
}

pub async fn start(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    check_csrf(&u, Some(&f.csrf))?;
    jobs::run::start(&s, &u.tenant, &job_id).await?;
    Ok(Redirect::to(&format!("/jobs/{job_id}")).into_response())
}

pub async fn cancel(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    check_csrf(&u, Some(&f.csrf))?;
    jobs::run::cancel(&s, &u.tenant, &job_id).await?;
    Ok(Redirect::to(&format!("/jobs/{job_id}")).into_response())
}

pub async fn progress(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
) -> Result<Response, crate::ApiError> {
    Ok(Json(jobs::run::progress(&s, &u.tenant, &job_id).await?).into_response())
}

pub async fn report(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
) -> Page {
    Ok(Html(jobs::run::report_html(&s, &u.tenant, &job_id).await?).into_response())
}

pub async fn rejects(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
) -> Page {
    let csv = jobs::run::rejects_csv(&s, &u.tenant, &job_id).await?;
    Ok(crate::api::jobs::csv_response(
        csv,
        &format!("{job_id}-rejects.csv"),
    ))
}

pub async fn records(
    State(s): State<AppState>,
    WebUser(u): WebUser,
    Path((job_id, kind)): Path<(String, String)>,
    Query(q): Query<RecordQuery>,
) -> Page {
    let job = jobs::get(&s, &u.tenant, &job_id).await?;
    let bytes = crate::records::list_json(&s, &u.tenant, &job_id, &kind, &q).await?;
    let page: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(crate::ApiError::internal)?;
    let kinds: Vec<&str> = Kind::ALL
        .iter()
        .filter(|k| **k != Kind::Jobs)
        .map(|k| k.as_str())
        .collect();
    render(
        "records.html",
        minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, job, kind, kinds, page, q => q.q.unwrap_or_default() },
    )
}
