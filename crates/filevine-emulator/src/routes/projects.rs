//! `Projects`, `ProjectTypes` and their custom sections, and a project's `Forms` (static
//! sections, one record) and `Collections` (sections of rows).

use axum::extract::{Path, Query as Q, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use chrono::Utc;
use serde_json::{json, Map, Value};
use std::sync::Arc;

use crate::config::SectionDef;
use crate::http::{
    self, body, copy, identifier, partner_of, resolve_int, stamp, Answer, ApiError, Page, Query,
};
use crate::state::{CollectionItem, Json as Obj, State as Org};
use crate::Shared;

const SCOPE: &str = "Project";
const ITEM_SCOPE: &str = "CollectionItem";

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/fv-app/v2/Projects", get(list).post(create))
        .route("/fv-app/v2/Projects/{projectId}", get(read).patch(update))
        .route("/fv-app/v2/ProjectTypes", get(project_types))
        .route(
            "/fv-app/v2/ProjectTypes/{projectTypeId}/sections",
            get(sections),
        )
        .route(
            "/fv-app/v2/Projects/{projectId}/Forms/{selector}",
            get(form).patch(update_form),
        )
        .route(
            "/fv-app/v2/Projects/{projectId}/Collections/{selector}",
            get(items).post(create_item),
        )
        .route(
            "/fv-app/v2/Projects/{projectId}/Collections/{selector}/{uniqueId}",
            get(item).patch(update_item),
        )
}

fn view(org: &Org, id: i64, p: &Obj) -> Value {
    let mut out = p.clone();
    out.insert("ProjectId".into(), org.identifier(SCOPE, id));
    Value::Object(out)
}

fn project<'a>(org: &'a Org, raw: &str) -> Result<(i64, &'a Obj), ApiError> {
    let id = resolve_int(org, SCOPE, raw)?;
    org.projects
        .get(&id)
        .map(|p| (id, p))
        .ok_or_else(|| ApiError::not_found(format!("Project {id} was not found")))
}

async fn create(State(s): State<Arc<Shared>>, headers: HeaderMap, raw: Bytes) -> Answer {
    let req = body(&headers, &raw)?;
    let partner = partner_of(req.get("ProjectId"))?;
    let mut org = s.state();
    if let Some(p) = &partner {
        if let Some(id) = org
            .partner_native(SCOPE, p)
            .and_then(|n| n.parse::<i64>().ok())
        {
            s.replayed(SCOPE);
            let p = org.projects.get(&id).cloned().unwrap_or_default();
            return Ok(Json(view(&org, id, &p)));
        }
    }
    let type_id = identifier(&org, "ProjectType", req.get("ProjectTypeId"))?
        .ok_or_else(|| ApiError::bad("ProjectTypeId is required"))?;
    let type_name = org
        .project_type(type_id)
        .map(|t| t.def.name.clone())
        .ok_or_else(|| {
            ApiError::bad(format!(
                "ProjectTypeId {type_id} is not a project type of this org"
            ))
        })?;
    let client = identifier(&org, "Contact", req.get("ClientId"))?
        .ok_or_else(|| ApiError::bad("ClientId is required"))?;
    let client_name = org
        .contacts
        .get(&client)
        .and_then(|c| c.get("FullName").cloned())
        .ok_or_else(|| ApiError::bad(format!("ClientId {client} is not a contact of this org")))?;
    if let Some(created) = http::string(&req, "CreatedDate")? {
        if !created.ends_with('Z') {
            return Err(ApiError::bad(
                "CreatedDate must be in UTC with a Z suffix (e.g. 2024-10-31T00:00:00Z)",
            ));
        }
        http::datetime(&req, "CreatedDate")?;
    }
    http::datetime(&req, "IncidentDate")?;
    let mut p = Map::new();
    copy(
        &req,
        &mut p,
        &[
            "ProjectName",
            "Description",
            "Number",
            "IncidentDate",
            "CreatedDate",
        ],
    );
    if http::string(&p, "ProjectName")?.is_none_or(|n| n.trim().is_empty()) {
        p.insert("ProjectName".into(), client_name.clone());
    }
    if !p.contains_key("CreatedDate") {
        p.insert("CreatedDate".into(), stamp(Utc::now()));
    }
    p.insert("ProjectTypeId".into(), json!({ "Native": type_id }));
    p.insert("ProjectTypeCode".into(), Value::from(type_name));
    p.insert("ClientId".into(), org.identifier("Contact", client));
    p.insert("ClientName".into(), client_name);
    p.insert("PhaseName".into(), Value::from("Intake"));
    p.insert("IsArchived".into(), Value::Bool(false));
    p.insert("OrgId".into(), Value::from(s.config.credentials.org_id));
    let id = org.next();
    if let Some(partner) = &partner {
        org.set_partner(SCOPE, &id.to_string(), partner)
            .map_err(ApiError::bad)?;
    }
    org.projects.insert(id, p.clone());
    Ok(Json(view(&org, id, &p)))
}

async fn read(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let org = s.state();
    let (id, p) = project(&org, &raw)?;
    Ok(Json(view(&org, id, p)))
}

/// `PATCH` takes a `PatchProjectRequest`: name, phase, incident date, description, number.
async fn update(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    http::datetime(&req, "IncidentDate")?;
    let mut org = s.state();
    let (id, _) = project(&org, &raw)?;
    let p = org
        .projects
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("gone"))?;
    copy(
        &req,
        p,
        &["ProjectName", "IncidentDate", "Description", "Number"],
    );
    let p = p.clone();
    Ok(Json(view(&org, id, &p)))
}

async fn list(State(s): State<Arc<Shared>>, Q(q): Q<Query>) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let number = q.get("number");
    let all: Vec<Value> = org
        .projects
        .iter()
        .filter(|(_, p)| number.is_none_or(|n| p.get("Number").and_then(Value::as_str) == Some(n)))
        .map(|(id, p)| view(&org, *id, p))
        .collect();
    Ok(Json(page.list("/fv-app/v2/Projects", all)))
}

async fn project_types(State(s): State<Arc<Shared>>, Q(q): Q<Query>) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let name = q.get("name").map(|n| n.to_lowercase());
    let all: Vec<Value> = org
        .project_types
        .iter()
        .filter(|t| {
            name.as_ref()
                .is_none_or(|n| t.def.name.to_lowercase().contains(n.as_str()))
        })
        .map(|t| json!({ "ProjectTypeId": { "Native": t.id }, "Name": t.def.name, "Links": {} }))
        .collect();
    Ok(Json(page.list("/fv-app/v2/ProjectTypes", all)))
}

async fn sections(State(s): State<Arc<Shared>>, Path(raw): Path<String>, Q(q): Q<Query>) -> Answer {
    let page = Page::of(&q)?;
    let type_id = http::path_int(&raw, "projectTypeId")?;
    let org = s.state();
    let t = org
        .project_type(type_id)
        .ok_or_else(|| ApiError::not_found(format!("Project type {type_id} was not found")))?;
    let all: Vec<Value> = t
        .def
        .sections
        .iter()
        .enumerate()
        .map(|(n, sec)| {
            let fields: Vec<Value> = sec
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    json!({
                        "ID": type_id * 100 + (n as i64) * 10 + i as i64,
                        "FieldSelector": f.selector,
                        "Name": f.name,
                        "CustomFieldType": f.field_type,
                        "Row": i,
                        "OrderInRow": 0,
                        "IsLocked": false,
                        "IsRequired": false,
                    })
                })
                .collect();
            json!({
                "Id": type_id * 10 + n as i64,
                "SectionSelector": sec.selector,
                "IsCollection": sec.is_collection,
                "Name": sec.name,
                "IsProtected": false,
                "CustomFields": fields,
                "Links": {},
            })
        })
        .collect();
    Ok(Json(page.list(
        &format!("/fv-app/v2/ProjectTypes/{type_id}/sections"),
        all,
    )))
}

/// The section a selector names on the project's type, if it is of the expected shape.
fn section(
    org: &Org,
    project: &Obj,
    selector: &str,
    collection: bool,
) -> Result<SectionDef, ApiError> {
    let type_id = project
        .get("ProjectTypeId")
        .and_then(|t| t.get("Native"))
        .and_then(Value::as_i64)
        .unwrap_or_default();
    let sec = org
        .project_type(type_id)
        .and_then(|t| t.def.sections.iter().find(|s| s.selector == selector))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Section '{selector}' is not on this project's type"
            ))
        })?;
    if sec.is_collection != collection {
        let (is, use_) = if sec.is_collection {
            ("a collection", "Collections")
        } else {
            ("a static form", "Forms")
        };
        return Err(ApiError::bad(format!(
            "Section '{selector}' is {is}; use {use_}"
        )));
    }
    Ok(sec.clone())
}

/// Checks each key of a data object is a field of the section, and its value fits the type.
fn check_fields(sec: &SectionDef, data: &Obj) -> Result<(), ApiError> {
    for (key, value) in data {
        let Some(f) = sec.fields.iter().find(|f| &f.selector == key) else {
            return Err(ApiError::bad(format!(
                "'{key}' is not a field of section '{}'",
                sec.selector
            )));
        };
        let ok = match (f.field_type.as_str(), value) {
            (_, Value::Null) => true,
            ("Integer", v) => v.is_i64(),
            ("Decimal" | "Currency", v) => v.is_number(),
            ("YesNo", v) => v.is_boolean(),
            ("Date", Value::String(s)) => http::parse_date(s).is_some(),
            ("Date", _) => false,
            (_, v) => v.is_string(),
        };
        if !ok {
            return Err(ApiError::bad(format!(
                "Field '{key}' is a {} field; {value} does not fit it",
                f.field_type
            )));
        }
    }
    Ok(())
}

async fn form(
    State(s): State<Arc<Shared>>,
    Path((raw, selector)): Path<(String, String)>,
) -> Answer {
    let org = s.state();
    let (id, p) = project(&org, &raw)?;
    let sec = section(&org, p, &selector, false)?;
    let stored = org.forms.get(&(id, selector.clone()));
    let mut out = Map::new();
    out.insert("OrgId".into(), Value::from(s.config.credentials.org_id));
    for f in &sec.fields {
        let v = stored
            .and_then(|d| d.get(&f.selector))
            .cloned()
            .unwrap_or(Value::Null);
        out.insert(f.selector.clone(), v);
    }
    Ok(Json(Value::Object(out)))
}

async fn update_form(
    State(s): State<Arc<Shared>>,
    Path((raw, selector)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let mut org = s.state();
    let (id, p) = project(&org, &raw)?;
    let sec = section(&org, p, &selector, false)?;
    check_fields(&sec, &req)?;
    let stored = org.forms.entry((id, selector.clone())).or_default();
    for (k, v) in req {
        stored.insert(k, v);
    }
    let stored = stored.clone();
    let mut out = Map::new();
    out.insert("OrgId".into(), Value::from(s.config.credentials.org_id));
    for f in &sec.fields {
        out.insert(
            f.selector.clone(),
            stored.get(&f.selector).cloned().unwrap_or(Value::Null),
        );
    }
    Ok(Json(Value::Object(out)))
}

fn item_view(org: &Org, uid: &str, it: &CollectionItem) -> Value {
    let mut id = Map::new();
    id.insert("Native".into(), Value::from(uid));
    if let Some(p) = org.native_partner(ITEM_SCOPE, uid) {
        id.insert("Partner".into(), Value::from(p.clone()));
    }
    json!({
        "ItemId": id,
        "CreatedDate": stamp(it.created),
        "DataObject": it.data,
        "Links": {},
    })
}

async fn create_item(
    State(s): State<Arc<Shared>>,
    Path((raw, selector)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let mut org = s.state();
    let (id, p) = project(&org, &raw)?;
    let sec = section(&org, p, &selector, true)?;
    let partner = partner_of(req.get("ItemId"))?;
    if let Some(partner) = &partner {
        if let Some(uid) = org.partner_native(ITEM_SCOPE, partner).cloned() {
            s.replayed(ITEM_SCOPE);
            let it = org
                .collection_items
                .get(&uid)
                .cloned()
                .ok_or_else(|| ApiError::not_found("gone"))?;
            return Ok(Json(item_view(&org, &uid, &it)));
        }
    }
    let data = match req.get("DataObject") {
        Some(Value::Object(d)) => d.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(ApiError::bad("DataObject must be an object")),
    };
    check_fields(&sec, &data)?;
    let uid = org.guid();
    if let Some(partner) = &partner {
        org.set_partner(ITEM_SCOPE, &uid, partner)
            .map_err(ApiError::bad)?;
    }
    let it = CollectionItem {
        project: id,
        selector,
        created: Utc::now(),
        data,
    };
    org.index.collection_items.add(id, uid.clone());
    org.collection_items.insert(uid.clone(), it.clone());
    Ok(Json(item_view(&org, &uid, &it)))
}

async fn items(
    State(s): State<Arc<Shared>>,
    Path((raw, selector)): Path<(String, String)>,
    Q(q): Q<Query>,
) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let (id, p) = project(&org, &raw)?;
    section(&org, p, &selector, true)?;
    let all: Vec<Value> = org
        .index
        .collection_items
        .of(id)
        .filter_map(|uid| Some((uid, org.collection_items.get(uid)?)))
        .filter(|(_, it)| it.selector == selector)
        .map(|(uid, it)| item_view(&org, uid, it))
        .collect();
    Ok(Json(page.list(
        &format!("/fv-app/v2/Projects/{id}/Collections/{selector}"),
        all,
    )))
}

fn find_item<'a>(
    org: &'a Org,
    project: i64,
    selector: &str,
    uid: &str,
) -> Result<&'a CollectionItem, ApiError> {
    org.collection_items
        .get(uid)
        .filter(|it| it.project == project && it.selector == selector)
        .ok_or_else(|| ApiError::not_found(format!("Collection item {uid} was not found")))
}

async fn item(
    State(s): State<Arc<Shared>>,
    Path((raw, selector, uid)): Path<(String, String, String)>,
) -> Answer {
    let org = s.state();
    let (id, _) = project(&org, &raw)?;
    let it = find_item(&org, id, &selector, &uid)?;
    Ok(Json(item_view(&org, &uid, it)))
}

/// Merges the sent fields into the item's data; fields not sent keep their values.
async fn update_item(
    State(s): State<Arc<Shared>>,
    Path((raw, selector, uid)): Path<(String, String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let mut org = s.state();
    let (id, p) = project(&org, &raw)?;
    let sec = section(&org, p, &selector, true)?;
    find_item(&org, id, &selector, &uid)?;
    let data = match req.get("DataObject") {
        Some(Value::Object(d)) => d.clone(),
        _ => return Err(ApiError::bad("DataObject is required")),
    };
    check_fields(&sec, &data)?;
    let it = org
        .collection_items
        .get_mut(&uid)
        .ok_or_else(|| ApiError::not_found("gone"))?;
    for (k, v) in data {
        it.data.insert(k, v);
    }
    let it = it.clone();
    Ok(Json(item_view(&org, &uid, &it)))
}
