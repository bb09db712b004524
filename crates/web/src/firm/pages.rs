//! The firm app's pages and form handlers. Every state change checks the CSRF token; every
//! page is built from the backend API's answers to the viewer's own session.

use std::collections::HashMap;

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use migrationai_api_types::jobs::check::CheckView;
use migrationai_api_types::jobs::mapping::MappingView;
use migrationai_api_types::jobs::progress::ProgressView;
use migrationai_api_types::jobs::push::PushView;
use migrationai_api_types::jobs::report::ReportView;
use migrationai_api_types::jobs::JobView;
use migrationai_domain::Kind;
use migrationai_domain::{DraftStatus, JobStatus};
use serde::Serialize;

use super::review::{changes_from_form, review, Only, Review};
use super::BRAND;
use crate::error::WebError;
use crate::kit::backend::{path, with_query};
use crate::kit::render::render;
use crate::kit::session::{check_csrf, Viewer, WebUser};
use crate::kit::signin::CsrfForm;
use crate::kit::Front;

type Page = Result<Response, WebError>;

async fn jobs_page(front: &Front, u: &Viewer, error: Option<WebError>) -> Page {
    let jobs: Vec<JobView> = front.backend.get("/v1/jobs", &u.token).await?;
    let labels: Vec<&str> = jobs.iter().map(status_label).collect();
    let jobs: Vec<(JobView, &str)> = jobs.into_iter().zip(labels).collect();
    let status = error.as_ref().map(WebError::status);
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
        Err(e @ (WebError::BadRequest(_) | WebError::Conflict(_))) => {
            jobs_page(&front, &u, Some(e)).await
        }
        Err(e) => Err(e),
    }
}

/// What the job page shows besides the job: the review in review; progress once started;
/// the verdict and summary once done.
#[derive(Serialize, Default)]
struct JobParts {
    review: Option<Review>,
    progress: Option<ProgressView>,
    report: Option<ReportView>,
    correction_tables: Vec<String>,
    /// The job's push into Filevine, once sent.
    push: Option<PushView>,
}

#[derive(serde::Deserialize, Default)]
pub struct JobQuery {
    /// Changes saved by the form just sent (shown as a confirmation).
    pub saved: Option<usize>,
    /// low or problems: which review rows to show.
    pub only: Option<String>,
}

async fn job_parts(
    front: &Front,
    u: &Viewer,
    job: &JobView,
    only: Only,
) -> Result<JobParts, WebError> {
    let base = |rest: &str| path(&["v1", "jobs", &job.id, rest]);
    let mut parts = JobParts::default();
    if job.status == DraftStatus::Review {
        let view: MappingView = front.backend.get(&base("mapping"), &u.token).await?;
        let check: CheckView = front.backend.get(&base("check"), &u.token).await?;
        parts.review = Some(review(&view, check, only));
    }
    if job.status.may_have_run() {
        parts.progress = Some(front.backend.get(&base("progress"), &u.token).await?);
    }
    if job.run_status == Some(JobStatus::Done) {
        parts.report = Some(front.backend.get(&base("summary"), &u.token).await?);
        parts.correction_tables = front
            .backend
            .get(
                &path(&["v1", "jobs", &job.id, "corrections", "tables"]),
                &u.token,
            )
            .await?;
        parts.push = match front.backend.get(&base("push"), &u.token).await {
            Ok(push) => Some(push),
            // Never sent to Filevine.
            Err(WebError::NotFound) => None,
            Err(e) => return Err(e),
        };
    }
    Ok(parts)
}

/// The job page; `error` (a refused change) is shown on it with the API's status.
async fn job_page(
    front: &Front,
    u: &Viewer,
    job_id: &str,
    q: &JobQuery,
    error: Option<WebError>,
) -> Page {
    let job: JobView = front
        .backend
        .get(&path(&["v1", "jobs", job_id]), &u.token)
        .await?;
    let only = Only::from_query(q.only.as_deref());
    let parts = job_parts(front, u, &job, only).await?;
    let status = error.as_ref().map(WebError::status);
    let error = error.map(|e| e.to_string());
    let notice = q.saved.map(|n| match n {
        0 => "Nothing to save: the mapping was already as the form shows it.".to_string(),
        1 => "Saved 1 change. The data is being checked again with it.".to_string(),
        n => format!("Saved {n} changes. The data is being checked again with them."),
    });
    let mut r = render(
        "job.html",
        minijinja::context! {
            brand => BRAND, user => u, csrf => &u.csrf, job, parts, error, notice,
            status_label => status_label(&job),
        },
    )?;
    if let Some(status) = status {
        *r.status_mut() = status;
    }
    Ok(r)
}

/// The job's state in words.
fn status_label(job: &JobView) -> &'static str {
    match (job.status, job.run_status) {
        (DraftStatus::Created, _) => "Waiting for the export",
        (DraftStatus::Analysing, _) => "Analysing the files",
        (DraftStatus::Review, _) => "Ready for review",
        (DraftStatus::Started, Some(JobStatus::Done)) => "Finished",
        (DraftStatus::Started, Some(JobStatus::Failed)) => "Failed",
        (DraftStatus::Started, _) => "Migrating",
        (DraftStatus::Cancelled, _) => "Cancelled",
        (DraftStatus::Failed, _) => "Failed",
    }
}

pub async fn job(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Query(q): Query<JobQuery>,
) -> Page {
    job_page(&front, &u, &job_id, &q, None).await
}

/// A form that asks the API for one change of the job, then shows the job again; a change
/// the API refuses is shown on the job page.
async fn job_action(
    front: &Front,
    u: &Viewer,
    job_id: &str,
    action: &str,
    query: Option<&str>,
    csrf: &str,
) -> Page {
    check_csrf(u, Some(csrf))?;
    let target = with_query(path(&["v1", "jobs", job_id, action]), query);
    let rb = front.backend.request(Method::POST, &target, Some(&u.token));
    match front.backend.send(rb).await {
        Ok(_) => Ok(Redirect::to(&format!("/jobs/{job_id}")).into_response()),
        Err(e @ (WebError::Conflict(_) | WebError::Unprocessable(_))) => {
            job_page(front, u, job_id, &JobQuery::default(), Some(e)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn analyse(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    job_action(&front, &u, &job_id, "analyse", None, &f.csrf).await
}

#[derive(serde::Deserialize)]
pub struct StartForm {
    pub csrf: String,
    /// The box saying the person knows required fields are unmapped.
    pub confirm_unmet: Option<String>,
}

pub async fn start(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<StartForm>,
) -> Page {
    let confirmed = f.confirm_unmet.is_some().then_some("confirm_unmet=true");
    job_action(&front, &u, &job_id, "start", confirmed, &f.csrf).await
}

#[derive(serde::Deserialize)]
pub struct PushForm {
    pub csrf: String,
    /// The Filevine project type of matters whose type names none.
    pub default_project_type: Option<String>,
}

/// "Send to Filevine": asks the API to push the finished job; the job page then follows it.
pub async fn push(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<PushForm>,
) -> Page {
    check_csrf(&u, Some(&f.csrf))?;
    let default = f
        .default_project_type
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let rb = front
        .backend
        .request(
            Method::POST,
            &path(&["v1", "jobs", &job_id, "push"]),
            Some(&u.token),
        )
        .json(&serde_json::json!({ "default_project_type": default }));
    match front.backend.send(rb).await {
        Ok(_) => Ok(Redirect::to(&format!("/jobs/{job_id}#push-h")).into_response()),
        Err(e @ (WebError::Conflict(_) | WebError::Unprocessable(_))) => {
            job_page(&front, &u, &job_id, &JobQuery::default(), Some(e)).await
        }
        Err(e) => Err(e),
    }
}

pub async fn cancel(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    job_action(&front, &u, &job_id, "cancel", None, &f.csrf).await
}

/// Asks for the data to be checked with the mapping as it stands.
pub async fn check(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Path(job_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Page {
    job_action(&front, &u, &job_id, "check", None, &f.csrf).await
}

/// Saves the review form: the changes it makes to the mapping, then a check of the data
/// with them; the page says how many were saved.
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
    if !changes.is_empty() {
        let rb = front
            .backend
            .request(Method::PATCH, &mapping, Some(&u.token))
            .json(&changes);
        match front.backend.send(rb).await {
            Ok(_) => {}
            Err(e @ (WebError::Conflict(_) | WebError::Unprocessable(_))) => {
                return job_page(&front, &u, &job_id, &JobQuery::default(), Some(e)).await;
            }
            Err(e) => return Err(e),
        }
        let rb = front.backend.request(
            Method::POST,
            &path(&["v1", "jobs", &job_id, "check"]),
            Some(&u.token),
        );
        front.backend.send(rb).await?;
    }
    let only = form
        .get("only")
        .filter(|o| matches!(o.as_str(), "low" | "problems"))
        .map(|o| format!("&only={o}"))
        .unwrap_or_default();
    Ok(Redirect::to(&format!(
        "/jobs/{job_id}?saved={}{only}#review",
        changes.len()
    ))
    .into_response())
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
    let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
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
