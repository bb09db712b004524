//! `Contacts`: create, read, list and update contact cards.

use axum::extract::{Path, Query as Q, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use chrono::Utc;
use serde_json::{Map, Value};
use std::sync::Arc;

use crate::http::{
    self, body, copy, partner_of, resolve_int, stamp, Answer, ApiError, Page, Query,
};
use crate::state::{Json as Obj, State as Org};
use crate::Shared;

const SCOPE: &str = "Contact";

/// The `Contact` properties a client may write.
const WRITABLE: &[&str] = &[
    "FirstName",
    "MiddleName",
    "LastName",
    "IsSingleName",
    "FullName",
    "PrimaryEmail",
    "PrimaryEmailLabel",
    "Ssn",
    "BirthDate",
    "DeathDate",
    "Notes",
    "FromCompany",
    "Specialty",
    "Gender",
    "Language",
    "PrimaryLanguage",
    "MaritalStatus",
    "AbbreviatedName",
    "PersonTypes",
    "Salutation",
    "BarNumber",
    "Phones",
    "Emails",
    "Addresses",
    "Prefix",
    "Suffix",
    "JobTitle",
    "Department",
];

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/fv-app/v2/Contacts", get(list).post(create))
        .route("/fv-app/v2/Contacts/{contactId}", get(read).patch(update))
}

fn check(obj: &Obj) -> Result<(), ApiError> {
    for name in [
        "FirstName",
        "MiddleName",
        "LastName",
        "FullName",
        "FromCompany",
        "JobTitle",
    ] {
        http::string(obj, name)?;
    }
    http::boolean(obj, "IsSingleName")?;
    http::datetime(obj, "BirthDate")?;
    for list in ["Phones", "Emails", "Addresses", "PersonTypes"] {
        if let Some(v) = obj.get(list).filter(|v| !v.is_null()) {
            if !v.is_array() {
                return Err(ApiError::bad(format!("{list} must be an array")));
            }
        }
    }
    if let Some(Value::Array(emails)) = obj.get("Emails") {
        for e in emails {
            let address = e.get("Address").and_then(Value::as_str).unwrap_or("");
            if !address.contains('@') {
                return Err(ApiError::bad(format!(
                    "Emails: '{address}' is not an email address"
                )));
            }
        }
    }
    Ok(())
}

fn full_name(c: &Obj) -> String {
    let part = |k: &str| {
        c.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    [part("FirstName"), part("MiddleName"), part("LastName")]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn view(org: &Org, id: i64, c: &Obj) -> Value {
    let mut out = c.clone();
    out.insert("PersonId".into(), org.identifier(SCOPE, id));
    Value::Object(out)
}

async fn create(State(s): State<Arc<Shared>>, headers: HeaderMap, raw: Bytes) -> Answer {
    let req = body(&headers, &raw)?;
    check(&req)?;
    let partner = partner_of(req.get("PersonId"))?;
    let mut org = s.state();
    if let Some(p) = &partner {
        if let Some(id) = org
            .partner_native(SCOPE, p)
            .and_then(|n| n.parse::<i64>().ok())
        {
            s.replayed(SCOPE);
            let c = org.contacts.get(&id).cloned().unwrap_or_default();
            return Ok(Json(view(&org, id, &c)));
        }
    }
    let mut c = Map::new();
    copy(&req, &mut c, WRITABLE);
    let name = match http::string(&c, "FullName")? {
        Some(n) if !n.trim().is_empty() => n,
        _ => full_name(&c),
    };
    if name.is_empty() {
        return Err(ApiError::bad(
            "A contact needs a name: FirstName, LastName or FullName",
        ));
    }
    c.insert("FullName".into(), Value::from(name));
    if !c.contains_key("IsSingleName") {
        c.insert("IsSingleName".into(), Value::Bool(false));
    }
    c.insert("ModifiedDate".into(), stamp(Utc::now()));
    let id = org.next();
    if let Some(p) = &partner {
        org.set_partner(SCOPE, &id.to_string(), p)
            .map_err(ApiError::bad)?;
    }
    org.contacts.insert(id, c.clone());
    Ok(Json(view(&org, id, &c)))
}

async fn read(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let org = s.state();
    let id = resolve_int(&org, SCOPE, &raw)?;
    let c = org
        .contacts
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Contact {id} was not found")))?;
    Ok(Json(view(&org, id, c)))
}

async fn update(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    check(&req)?;
    let mut org = s.state();
    let id = resolve_int(&org, SCOPE, &raw)?;
    let c = org
        .contacts
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found(format!("Contact {id} was not found")))?;
    copy(&req, c, WRITABLE);
    if !req.contains_key("FullName")
        && ["FirstName", "MiddleName", "LastName"]
            .iter()
            .any(|k| req.contains_key(*k))
    {
        let name = full_name(c);
        c.insert("FullName".into(), Value::from(name));
    }
    c.insert("ModifiedDate".into(), stamp(Utc::now()));
    let c = c.clone();
    Ok(Json(view(&org, id, &c)))
}

async fn list(State(s): State<Arc<Shared>>, Q(q): Q<Query>) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let name = q.get("fullName").map(|n| n.to_lowercase());
    let all: Vec<Value> = org
        .contacts
        .iter()
        .filter(|(_, c)| {
            name.as_ref().is_none_or(|n| {
                c.get("FullName")
                    .and_then(Value::as_str)
                    .is_some_and(|f| f.to_lowercase().contains(n.as_str()))
            })
        })
        .map(|(id, c)| view(&org, *id, c))
        .collect();
    Ok(Json(page.list("/fv-app/v2/Contacts", all)))
}
