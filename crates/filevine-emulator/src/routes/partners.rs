//! `PartnerIdentifiers/{scope}/{id}` and `PartnerItemIdentifiers/{scope}/{id}`: an
//! integration's own key for a Filevine record. `{id}` is the native id, or `@partner` to
//! look a record up by the integration's key.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use serde_json::{Map, Value};
use std::sync::Arc;

use crate::http::{body, Answer, ApiError};
use crate::state::State as Org;
use crate::Shared;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/fv-app/v2/PartnerIdentifiers/{scope}/{id}",
            get(read).put(write),
        )
        .route(
            "/fv-app/v2/PartnerItemIdentifiers/{scope}/{id}",
            get(read_item).put(write_item),
        )
}

/// The native id a path id names: `@partner` through the registry, else the id itself,
/// which must name an existing record of the scope.
fn native(org: &Org, scope: &str, raw: &str) -> Result<String, ApiError> {
    let exists = |n: &str| org.exists(scope, n);
    if exists("0").is_none() {
        return Err(ApiError::bad(format!("Unknown entity scope '{scope}'")));
    }
    if let Some(partner) = raw.strip_prefix('@') {
        return org
            .partner_native(scope, partner)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No {scope} has partner id '{partner}'")));
    }
    if exists(raw) == Some(true) {
        Ok(raw.to_string())
    } else {
        Err(ApiError::not_found(format!("{scope} {raw} was not found")))
    }
}

fn identifier(org: &Org, scope: &str, native: &str, numeric: bool) -> Value {
    let mut id = Map::new();
    let n = match (numeric, native.parse::<i64>()) {
        (true, Ok(n)) => Value::from(n),
        _ => Value::from(native),
    };
    id.insert("Native".into(), n);
    id.insert(
        "Partner".into(),
        org.native_partner(scope, native)
            .map(|p| Value::from(p.clone()))
            .unwrap_or(Value::Null),
    );
    Value::Object(id)
}

async fn read(State(s): State<Arc<Shared>>, Path((scope, id)): Path<(String, String)>) -> Answer {
    let org = s.state();
    let n = native(&org, &scope, &id)?;
    Ok(Json(identifier(&org, &scope, &n, true)))
}

async fn write(
    State(s): State<Arc<Shared>>,
    Path((scope, id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    put(s, scope, id, headers, bytes, true)
}

async fn read_item(
    State(s): State<Arc<Shared>>,
    Path((scope, id)): Path<(String, String)>,
) -> Answer {
    let org = s.state();
    let n = native(&org, &scope, &id)?;
    Ok(Json(identifier(&org, &scope, &n, false)))
}

async fn write_item(
    State(s): State<Arc<Shared>>,
    Path((scope, id)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    put(s, scope, id, headers, bytes, false)
}

fn put(
    s: Arc<Shared>,
    scope: String,
    id: String,
    headers: HeaderMap,
    bytes: Bytes,
    numeric: bool,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let partner = match req.get("Partner") {
        Some(Value::String(p)) if !p.trim().is_empty() => p.clone(),
        _ => return Err(ApiError::bad("Partner is required")),
    };
    let mut org = s.state();
    let n = native(&org, &scope, &id)?;
    org.set_partner(&scope, &n, &partner)
        .map_err(ApiError::bad)?;
    Ok(Json(identifier(&org, &scope, &n, numeric)))
}
