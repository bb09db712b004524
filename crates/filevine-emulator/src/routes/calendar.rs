//! A project's `Appointments` (`CalendarEvent`): times in UTC, an all-day flag, at least one
//! attendee; `AppointmentId.Partner` makes a create idempotent.

use axum::extract::{Path, Query as Q, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Map, Value};
use std::sync::Arc;

use crate::http::{
    self, body, copy, identifier, partner_of, resolve_int, Answer, ApiError, Page, Query,
};
use crate::state::{Appointment, Json as Obj, State as Org};
use crate::Shared;

const SCOPE: &str = "Appointment";
const FIELDS: &[&str] = &[
    "CalendarEventType",
    "AllDay",
    "StartUtc",
    "EndUtc",
    "Location",
    "Notes",
    "Title",
    "Attendees",
];

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/fv-app/v2/Projects/{projectId}/Appointments",
            get(list).post(create),
        )
        .route(
            "/fv-app/v2/Appointments/{appointmentId}",
            get(read).patch(update),
        )
}

fn view(org: &Org, id: i64, a: &Appointment) -> Value {
    let mut out = a.body.clone();
    out.insert("AppointmentId".into(), org.identifier(SCOPE, id));
    out.insert("ProjectId".into(), org.identifier("Project", a.project));
    out.insert(
        "EventUniqueId".into(),
        Value::from(format!("{id:024x}@calendar.filevine.com")),
    );
    Value::Object(out)
}

/// Checks times and attendees of a full or partial event.
fn check(ev: &Obj) -> Result<(), ApiError> {
    let start = http::datetime(ev, "StartUtc")?;
    let end = http::datetime(ev, "EndUtc")?;
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(ApiError::bad("EndUtc must not be before StartUtc"));
        }
    }
    http::boolean(ev, "AllDay")?;
    if let Some(t) = ev.get("Title") {
        if t.as_str().is_none_or(|t| t.trim().is_empty()) {
            return Err(ApiError::bad("Title must not be empty"));
        }
    }
    if let Some(a) = ev.get("Attendees") {
        if a.as_array().is_none_or(|a| a.is_empty()) {
            return Err(ApiError::bad("Attendees needs at least one attendee"));
        }
    }
    if let Some(Value::String(l)) = ev.get("Location") {
        if l.chars().count() > 4000 {
            return Err(ApiError::bad("Location is longer than 4000 characters"));
        }
    }
    Ok(())
}

fn project_id(org: &Org, raw: &str) -> Result<i64, ApiError> {
    let id = resolve_int(org, "Project", raw)?;
    if org.projects.contains_key(&id) {
        Ok(id)
    } else {
        Err(ApiError::not_found(format!("Project {id} was not found")))
    }
}

async fn create(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let partner = partner_of(req.get("AppointmentId"))?;
    let mut org = s.state();
    if let Some(p) = &partner {
        if let Some(id) = org
            .partner_native(SCOPE, p)
            .and_then(|n| n.parse::<i64>().ok())
        {
            if let Some(a) = org.appointments.get(&id) {
                s.replayed(SCOPE);
                return Ok(Json(view(&org, id, a)));
            }
        }
    }
    let project = project_id(&org, &raw)?;
    let named = identifier(&org, "Project", req.get("ProjectId"))?
        .ok_or_else(|| ApiError::bad("ProjectId is required"))?;
    if named != project {
        return Err(ApiError::bad(
            "ProjectId must identify the project of the route",
        ));
    }
    for required in ["Title", "StartUtc", "EndUtc", "Attendees"] {
        if req.get(required).is_none_or(Value::is_null) {
            return Err(ApiError::bad(format!("{required} is required")));
        }
    }
    check(&req)?;
    let mut b = Map::new();
    copy(&req, &mut b, FIELDS);
    b.entry("CalendarEventType".to_string())
        .or_insert(Value::from("Appointment"));
    b.entry("AllDay".to_string()).or_insert(Value::Bool(false));
    let id = org.next();
    if let Some(p) = &partner {
        org.set_partner(SCOPE, &id.to_string(), p)
            .map_err(ApiError::bad)?;
    }
    let a = Appointment { project, body: b };
    let v = view(&org, id, &a);
    org.index.appointments.add(project, id);
    org.appointments.insert(id, a);
    Ok(Json(v))
}

async fn read(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let org = s.state();
    let id = resolve_int(&org, SCOPE, &raw)?;
    let a = org
        .appointments
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Appointment {id} was not found")))?;
    Ok(Json(view(&org, id, a)))
}

/// A partial update: only the fields sent change.
async fn update(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let mut org = s.state();
    let id = resolve_int(&org, SCOPE, &raw)?;
    let current = org
        .appointments
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Appointment {id} was not found")))?;
    let mut merged = current.body.clone();
    copy(&req, &mut merged, FIELDS);
    check(&merged)?;
    let a = org
        .appointments
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("gone"))?;
    a.body = merged;
    let a = a.clone();
    Ok(Json(view(&org, id, &a)))
}

async fn list(State(s): State<Arc<Shared>>, Path(raw): Path<String>, Q(q): Q<Query>) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let project = project_id(&org, &raw)?;
    let all: Vec<Value> = org
        .index
        .appointments
        .of(project)
        .filter_map(|id| Some((id, org.appointments.get(id)?)))
        .map(|(id, a)| view(&org, *id, a))
        .collect();
    Ok(Json(page.list(
        &format!("/fv-app/v2/Projects/{project}/Appointments"),
        all,
    )))
}
