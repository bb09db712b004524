//! The firm app's pages and form handlers. Every state change checks the CSRF token; every
//! page is built from the backend API's answers to the viewer's own session.

use std::collections::HashMap;

use axum::extract::{Path, RawQuery, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use migrationai_domain::{kind_def, Kind};
use serde::Serialize;

use super::BRAND;
use crate::error::ApiError;
use crate::frontend::backend::{path, with_query};
use crate::frontend::render::{render, WebError};
use crate::frontend::session::{check_csrf, WebUser};
use crate::frontend::signin::CsrfForm;
use crate::frontend::Front;
use crate::jobs::mapping::{MappingChange, MappingView};
use crate::jobs::JobView;

type Page = Result<Response, WebError>;

async fn jobs_page(
    front: &Front,
    u: &crate::frontend::session::Viewer,
    error: Option<ApiError>,
) -> Page {
    let jobs: Vec<JobView> = front.backend.get("/v1/jobs", &u.token).await?;
    let status = error.as_ref().map(ApiError::status);
    let error = error.map(|e| e.to_string());
    let mut r = render(
        "jobs.html",
        minijinja::context! { brand => BRAND, user => u, csrf => &u.csrf, jobs, error },
    )?;
    if let Some(status) = status {
        *r.status_mut() = status;
    }
    Ok(r)
}

pub async fn home(State(front): State<Front>, WebUser(u): WebUser) -> Page {
    jobs_page(&front, &u, None).await
}

#[derive(serde::Deserialize)]
pub struct NewJobForm {
    pub csrf: String,
    pub name: String,
}

pub async fn create(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Form(f): Form<NewJobForm>,
) -> Page {
    check_csrf(&u, Some(&f.csrf))?;
    let rb = front
        .backend
        .request(Method::POST, "/v1/jobs", Some(&u.token))
        .json(&serde_json::json!({ "name": f.name }));
    match front.backend.json::<JobView>(rb).await {
        Ok(j) => Ok(Redirect::to(&format!("/jobs/{}", j.id)).into_response()),
        Err(e @ (ApiError::BadRequest(_) | ApiError::Conflict(_))) => {
            jobs_page(&front, &u, Some(e)).await
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
fn review_tables(view: &MappingView) -> Vec<TableRow> {
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
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
) -> Page {
    let job: JobView = front
        .backend
        .get(&path(&["v1", "jobs", &job_id]), &u.token)
        .await?;
    let tables = if job.status == crate::db::drafts::REVIEW {
        let view: MappingView = front
            .backend
            .get(&path(&["v1", "jobs", &job_id, "mapping"]), &u.token)
            .await?;
        review_tables(&view)
    } else {
        Vec::new()
    };
    // Tables whose rejects can be corrected and sent back, once the run is done.
    let correction_tables: Vec<String> = if job.run_status.as_deref() == Some("done") {
        front
            .backend
            .get(
                &path(&["v1", "jobs", &job_id, "corrections", "tables"]),
                &u.token,
            )
            .await?
    } else {
        Vec::new()
    };
    render(
        "job.html",
        minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, job, tables, correction_tables },
    )
}

/// A form that asks the API for one change of the job, then shows the job again.
async fn job_action(
    front: &Front,
    u: &crate::frontend::session::Viewer,
    job_id: &str,
    action: &str,
    csrf: &str,
) -> Page {
    check_csrf(u, Some(csrf))?;
    let rb = front.backend.request(
        Method::POST,
        &path(&["v1", "jobs", job_id, action]),
        Some(&u.token),
    );
    front.backend.send(rb).await?;
    Ok(Redirect::to(&format!("/jobs/{job_id}")).into_response())
}

pub async fn analyse(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    job_action(&front, &u, &job_id, "analyse", &f.csrf).await
}

pub async fn start(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    job_action(&front, &u, &job_id, "start", &f.csrf).await
}

pub async fn cancel(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    job_action(&front, &u, &job_id, "cancel", &f.csrf).await
}

pub async fn save_mapping(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Page {
    check_csrf(&u, form.get("csrf").map(String::as_str))?;
    let mapping = path(&["v1", "jobs", &job_id, "mapping"]);
    let view: MappingView = front.backend.get(&mapping, &u.token).await?;
    let changes = changes_from_form(&view, &form);
    let rb = front
        .backend
        .request(Method::PATCH, &mapping, Some(&u.token))
        .json(&changes);
    front.backend.send(rb).await?;
    Ok(Redirect::to(&format!("/jobs/{job_id}")).into_response())
}

/// The review form names each column `f.<table>.<column>`; only the fields the user changed
/// become changes.
fn changes_from_form(view: &MappingView, form: &HashMap<String, String>) -> Vec<MappingChange> {
    let mut changes = Vec::new();
    for (key, value) in form {
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
    changes
}

pub async fn records(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path((job_id, kind)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Page {
    let job: JobView = front
        .backend
        .get(&path(&["v1", "jobs", &job_id]), &u.token)
        .await?;
    let target = with_query(
        path(&["v1", "jobs", &job_id, "records", &kind]),
        query.as_deref(),
    );
    let page: serde_json::Value = front.backend.get(&target, &u.token).await?;
    let search = query.as_deref().map(search_term).unwrap_or_default();
    let kinds: Vec<&str> = Kind::ALL
        .iter()
        .filter(|k| **k != Kind::Jobs)
        .map(|k| k.as_str())
        .collect();
    render(
        "records.html",
        minijinja::context! { brand => BRAND, user => &u, csrf => &u.csrf, job, kind, kinds, page, q => search },
    )
}

/// The search box's value, read back from the query string.
fn search_term(query: &str) -> String {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "q")
        .map(|(_, v)| {
            percent_encoding::percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
        .unwrap_or_default()
}
