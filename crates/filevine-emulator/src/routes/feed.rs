//! A project's activity feed: `Notes`, `tasks` and `emails` are all `Note` objects, told
//! apart by their type tag. All three take a `Partner` in their id for idempotent creates.

use axum::extract::{Path, Query as Q, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use bytes::Bytes;
use chrono::{NaiveTime, Utc};
use serde_json::{json, Map, Value};
use std::sync::Arc;

use crate::http::{
    self, body, copy, identifier, optional_body, partner_of, resolve_int, stamp, Answer, ApiError,
    Page, Query,
};
use crate::state::{Document, FeedItem, FeedKind, Json as Obj, State as Org};
use crate::Shared;

const SCOPE: &str = "Note";

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/fv-app/v2/Notes", post(create_note))
        .route(
            "/fv-app/v2/Notes/{noteId}",
            get(read_note).patch(update_note),
        )
        .route("/fv-app/v2/Projects/{projectId}/Notes", get(project_notes))
        .route("/fv-app/v2/tasks", post(create_task))
        .route(
            "/fv-app/v2/tasks/{taskId}",
            get(read_task).patch(update_task),
        )
        .route("/fv-app/v2/tasks/{taskId}/complete", post(complete_task))
        .route("/fv-app/v2/projects/{projectId}/tasks", get(project_tasks))
        .route(
            "/fv-app/v2/projects/{projectId}/emails",
            get(project_emails).post(create_email),
        )
}

fn view(org: &Org, id: i64, item: &FeedItem) -> Value {
    let mut out = item.body.clone();
    out.insert("NoteId".into(), org.identifier(SCOPE, id));
    out.insert("ProjectId".into(), org.identifier("Project", item.project));
    for flag in [
        "IsUnread",
        "IsCompleted",
        "IsEdited",
        "IsLoaded",
        "CanBeShared",
        "IsPinnedToProject",
        "IsPinnedToFeed",
    ] {
        out.entry(flag.to_string()).or_insert(Value::Bool(false));
    }
    out.entry("AllowEditing".to_string())
        .or_insert(Value::Bool(true));
    Value::Object(out)
}

/// The project a create names, which must exist.
fn project_of(org: &Org, req: &Obj) -> Result<i64, ApiError> {
    let id = identifier(org, "Project", req.get("ProjectId"))?
        .ok_or_else(|| ApiError::bad("ProjectId is required"))?;
    if !org.projects.contains_key(&id) {
        return Err(ApiError::not_found(format!("Project {id} was not found")));
    }
    Ok(id)
}

fn not_in_future(req: &Obj) -> Result<(), ApiError> {
    if let Some(at) = http::datetime(req, "CreatedAt")? {
        if at > Utc::now() {
            return Err(ApiError::bad("CreatedAt must not be in the future"));
        }
    }
    Ok(())
}

/// The record an earlier create made under this partner id, if any.
fn replay(s: &Shared, org: &Org, partner: &Option<String>, kind: FeedKind) -> Option<Value> {
    let p = partner.as_ref()?;
    let id: i64 = org.partner_native(SCOPE, p)?.parse().ok()?;
    let item = org.feed.get(&id).filter(|i| i.kind == kind)?;
    s.replayed(SCOPE);
    Some(view(org, id, item))
}

fn insert(org: &mut Org, partner: Option<String>, item: FeedItem) -> Result<Value, ApiError> {
    let id = org.next();
    if let Some(p) = &partner {
        org.set_partner(SCOPE, &id.to_string(), p)
            .map_err(ApiError::bad)?;
    }
    let v = view(org, id, &item);
    org.index.feed.add(item.project, id);
    org.feed.insert(id, item);
    Ok(v)
}

async fn create_note(State(s): State<Arc<Shared>>, headers: HeaderMap, raw: Bytes) -> Answer {
    let req = body(&headers, &raw)?;
    let partner = partner_of(req.get("NoteId"))?;
    let mut org = s.state();
    if let Some(v) = replay(&s, &org, &partner, FeedKind::Note) {
        return Ok(Json(v));
    }
    let project = project_of(&org, &req)?;
    not_in_future(&req)?;
    let mut b = Map::new();
    copy(
        &req,
        &mut b,
        &[
            "Body",
            "Subject",
            "CreatedAt",
            "Source",
            "Destination",
            "TypeTag",
        ],
    );
    b.entry("Body".to_string()).or_insert(Value::from(""));
    b.entry("CreatedAt".to_string())
        .or_insert(stamp(Utc::now()));
    b.entry("TypeTag".to_string())
        .or_insert(Value::from("note"));
    b.insert(
        "AuthorId".into(),
        req.get("AuthorId")
            .cloned()
            .unwrap_or(json!({ "Native": s.config.credentials.user_id })),
    );
    let item = FeedItem {
        project,
        kind: FeedKind::Note,
        body: b,
    };
    Ok(Json(insert(&mut org, partner, item)?))
}

fn feed_item<'a>(org: &'a Org, raw: &str, kind: FeedKind) -> Result<(i64, &'a FeedItem), ApiError> {
    let id = resolve_int(org, SCOPE, raw)?;
    org.feed
        .get(&id)
        .filter(|i| i.kind == kind)
        .map(|i| (id, i))
        .ok_or_else(|| ApiError::not_found(format!("{kind:?} {id} was not found")))
}

async fn read_note(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let org = s.state();
    let id = resolve_int(&org, SCOPE, &raw)?;
    let item = org
        .feed
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Note {id} was not found")))?;
    Ok(Json(view(&org, id, item)))
}

async fn update_note(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let mut org = s.state();
    let (id, _) = feed_item(&org, &raw, FeedKind::Note)?;
    let item = org
        .feed
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("gone"))?;
    if item.body.get("AllowEditing") == Some(&Value::Bool(false)) {
        return Err(ApiError::bad("This note cannot be edited"));
    }
    copy(&req, &mut item.body, &["Body", "Subject"]);
    item.body.insert("IsEdited".into(), Value::Bool(true));
    let item = item.clone();
    Ok(Json(view(&org, id, &item)))
}

fn list(org: &Org, project: i64, kinds: &[FeedKind]) -> Vec<Value> {
    org.index
        .feed
        .of(project)
        .filter_map(|id| Some((id, org.feed.get(id)?)))
        .filter(|(_, i)| kinds.contains(&i.kind))
        .map(|(id, i)| view(org, *id, i))
        .collect()
}

fn project_id(org: &Org, raw: &str) -> Result<i64, ApiError> {
    let id = resolve_int(org, "Project", raw)?;
    if org.projects.contains_key(&id) {
        Ok(id)
    } else {
        Err(ApiError::not_found(format!("Project {id} was not found")))
    }
}

async fn project_notes(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    Q(q): Q<Query>,
) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let project = project_id(&org, &raw)?;
    let kinds: &[FeedKind] = match q
        .get("filterByType")
        .map(|t| t.to_ascii_lowercase())
        .as_deref()
    {
        Some("note") => &[FeedKind::Note],
        Some("task") => &[FeedKind::Task],
        Some("email") => &[FeedKind::Email],
        _ => &[FeedKind::Note, FeedKind::Task, FeedKind::Email],
    };
    let all = list(&org, project, kinds);
    Ok(Json(page.list(
        &format!("/fv-app/v2/Projects/{project}/Notes"),
        all,
    )))
}

async fn create_task(State(s): State<Arc<Shared>>, headers: HeaderMap, raw: Bytes) -> Answer {
    let req = body(&headers, &raw)?;
    let partner = partner_of(req.get("NoteId"))?;
    let mut org = s.state();
    if let Some(v) = replay(&s, &org, &partner, FeedKind::Task) {
        return Ok(Json(v));
    }
    let project = project_of(&org, &req)?;
    let text = http::required_string(&req, "Body")?;
    let assignee = identifier(&org, "User", req.get("AssigneeId"));
    let assignee = match assignee {
        Ok(Some(a)) => Some(a),
        Ok(None) if text.contains('@') => None,
        Ok(None) => {
            return Err(ApiError::bad(
                "An assignee is required: AssigneeId or @username in Body",
            ))
        }
        Err(e) => return Err(e),
    };
    not_in_future(&req)?;
    let target = match http::string(&req, "TargetDate")? {
        Some(t) => http::parse_date(&t)
            .ok_or_else(|| ApiError::bad(format!("TargetDate '{t}' is not a date")))?,
        None => Utc::now().date_naive(),
    };
    let mut b = Map::new();
    copy(&req, &mut b, &["Body", "Subject", "CreatedAt"]);
    b.entry("CreatedAt".to_string())
        .or_insert(stamp(Utc::now()));
    b.insert("TypeTag".into(), Value::from("task"));
    b.insert(
        "TargetDate".into(),
        stamp(target.and_time(NaiveTime::MIN).and_utc()),
    );
    if let Some(a) = assignee {
        b.insert("AssigneeId".into(), json!({ "Native": a }));
    }
    b.insert(
        "AuthorId".into(),
        json!({ "Native": s.config.credentials.user_id }),
    );
    b.insert("IsCompleted".into(), Value::Bool(false));
    let item = FeedItem {
        project,
        kind: FeedKind::Task,
        body: b,
    };
    Ok(Json(insert(&mut org, partner, item)?))
}

async fn read_task(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let org = s.state();
    let (id, item) = feed_item(&org, &raw, FeedKind::Task)?;
    Ok(Json(view(&org, id, item)))
}

/// Updates a task's body; only `Body` is used.
async fn update_task(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let text = http::required_string(&req, "Body")?;
    let mut org = s.state();
    let (id, _) = feed_item(&org, &raw, FeedKind::Task)?;
    let item = org
        .feed
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("gone"))?;
    item.body.insert("Body".into(), Value::from(text));
    item.body.insert("IsEdited".into(), Value::Bool(true));
    let item = item.clone();
    Ok(Json(view(&org, id, &item)))
}

async fn complete_task(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    optional_body(&headers, &bytes)?;
    let mut org = s.state();
    let (id, _) = feed_item(&org, &raw, FeedKind::Task)?;
    let item = org
        .feed
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("gone"))?;
    if item.body.get("IsCompleted") != Some(&Value::Bool(true)) {
        item.body.insert("IsCompleted".into(), Value::Bool(true));
        item.body.insert("CompletedDate".into(), stamp(Utc::now()));
    }
    let item = item.clone();
    Ok(Json(view(&org, id, &item)))
}

async fn project_tasks(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    Q(q): Q<Query>,
) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let project = project_id(&org, &raw)?;
    let all = list(&org, project, &[FeedKind::Task]);
    Ok(Json(page.list(
        &format!("/fv-app/v2/projects/{project}/tasks"),
        all,
    )))
}

fn addresses(req: &Obj, name: &str) -> Result<Vec<String>, ApiError> {
    match req.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|a| {
                a.get("Address")
                    .and_then(Value::as_str)
                    .filter(|a| a.contains('@'))
                    .map(str::to_string)
                    .ok_or_else(|| ApiError::bad(format!("{name}: every entry needs an Address")))
            })
            .collect(),
        Some(_) => Err(ApiError::bad(format!("{name} must be a non-empty array"))),
    }
}

/// Posts an email to the project's feed; attachments become documents of the project.
async fn create_email(
    State(s): State<Arc<Shared>>,
    Path(raw_project): Path<String>,
    headers: HeaderMap,
    raw: Bytes,
) -> Answer {
    let req = body(&headers, &raw)?;
    let from = req
        .get("From")
        .and_then(|f| f.get("Address"))
        .and_then(Value::as_str)
        .filter(|a| !a.trim().is_empty())
        .map(str::to_string)
        .ok_or_else(|| ApiError::bad("From with a non-empty Address is required"))?;
    let to = addresses(&req, "To")?;
    addresses(&req, "Cc")?;
    let partner = partner_of(req.get("EmailId"))?;
    let mut org = s.state();
    if let Some(v) = replay(&s, &org, &partner, FeedKind::Email) {
        return Ok(Json(v));
    }
    let project = project_id(&org, &raw_project)?;
    let mut docs = Vec::new();
    if let Some(Value::Array(atts)) = req.get("Attachments") {
        for a in atts {
            let name = a
                .get("Name")
                .and_then(Value::as_str)
                .unwrap_or("attachment");
            let content = a.get("Content").and_then(Value::as_str).unwrap_or("");
            let bytes = if a.get("IsBase64") == Some(&Value::Bool(true)) {
                base64::engine::general_purpose::STANDARD
                    .decode(content)
                    .map_err(|_| {
                        ApiError::bad(format!("Attachment '{name}' is not valid base64"))
                    })?
            } else {
                content.as_bytes().to_vec()
            };
            let id = org.next();
            org.index.documents.add(project, id);
            org.documents.insert(
                id,
                Document {
                    id,
                    project: Some(project),
                    filename: name.to_string(),
                    size: bytes.len() as i64,
                    content: Some(Bytes::from(bytes)),
                    committed: true,
                    uploaded: Utc::now(),
                },
            );
            docs.push(json!({ "Native": id }));
        }
    }
    let text = http::string(&req, "Text")?
        .or(http::string(&req, "Html")?)
        .unwrap_or_default();
    let mut b = Map::new();
    b.insert("TypeTag".into(), Value::from("email"));
    b.insert(
        "Subject".into(),
        req.get("Subject").cloned().unwrap_or(Value::Null),
    );
    b.insert("Body".into(), Value::from(text));
    b.insert("Source".into(), Value::from(from));
    b.insert("Destination".into(), Value::from(to.join(", ")));
    b.insert("CreatedAt".into(), stamp(Utc::now()));
    b.insert("Documents".into(), Value::Array(docs));
    if let Some(h) = req.get("Headers") {
        b.insert("Headers".into(), h.clone());
    }
    let item = FeedItem {
        project,
        kind: FeedKind::Email,
        body: b,
    };
    Ok(Json(insert(&mut org, partner, item)?))
}

async fn project_emails(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    Q(q): Q<Query>,
) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let project = project_id(&org, &raw)?;
    let all = list(&org, project, &[FeedKind::Email]);
    Ok(Json(page.list(
        &format!("/fv-app/v2/projects/{project}/emails"),
        all,
    )))
}
