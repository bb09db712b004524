//! What every handler shares: errors in Filevine's shape, body and query parsing, identifiers
//! (native or `@partner`), paging, dates and money.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::str::FromStr;

use crate::state::{Json as Obj, State};

/// An error answer: the status and the reason Filevine gives in its `Message`.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub String);

impl ApiError {
    pub fn bad(reason: impl Into<String>) -> ApiError {
        ApiError(StatusCode::BAD_REQUEST, reason.into())
    }
    pub fn not_found(reason: impl Into<String>) -> ApiError {
        ApiError(StatusCode::NOT_FOUND, reason.into())
    }
    pub fn forbidden(reason: impl Into<String>) -> ApiError {
        ApiError(StatusCode::FORBIDDEN, reason.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "Message": self.1 }))).into_response()
    }
}

pub type Answer = Result<Json<Value>, ApiError>;

/// A JSON request body. Filevine's gateway consumes `application/json` only.
pub fn body(headers: &HeaderMap, bytes: &Bytes) -> Result<Obj, ApiError> {
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !json_type {
        return Err(ApiError(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "The request body must be application/json".into(),
        ));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad("The request body must be a JSON object")),
        Err(e) => Err(ApiError::bad(format!(
            "The request body is not valid JSON: {e}"
        ))),
    }
}

/// An optional JSON body: empty means none.
pub fn optional_body(headers: &HeaderMap, bytes: &Bytes) -> Result<Option<Obj>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    body(headers, bytes).map(Some)
}

pub type Query = HashMap<String, String>;

pub fn query_int(q: &Query, name: &str) -> Result<Option<i64>, ApiError> {
    match q.get(name) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::bad(format!("Query parameter '{name}' must be an integer"))),
    }
}

/// Offset paging as the list endpoints do it: limit defaults to 50 and is capped at 1000.
pub struct Page {
    pub offset: usize,
    pub limit: usize,
}

impl Page {
    pub fn of(q: &Query) -> Result<Page, ApiError> {
        let offset = query_int(q, "offset")?.unwrap_or(0);
        let limit = query_int(q, "limit")?.unwrap_or(50);
        if offset < 0 || limit < 0 {
            return Err(ApiError::bad("offset and limit must not be negative"));
        }
        Ok(Page {
            offset: offset as usize,
            limit: (limit as usize).min(1000),
        })
    }

    /// The `ItemList` envelope for one page of `all`.
    pub fn list(&self, path: &str, all: Vec<Value>) -> Value {
        let total = all.len();
        let items: Vec<Value> = all.into_iter().skip(self.offset).take(self.limit).collect();
        let has_more = self.offset + items.len() < total;
        let mut links = Map::new();
        links.insert(
            "self".into(),
            Value::from(format!(
                "{path}?offset={}&limit={}",
                self.offset, self.limit
            )),
        );
        if has_more {
            links.insert(
                "next".into(),
                Value::from(format!(
                    "{path}?offset={}&limit={}",
                    self.offset + items.len(),
                    self.limit
                )),
            );
        }
        json!({
            "Count": items.len(),
            "Offset": self.offset,
            "Limit": self.limit,
            "HasMore": has_more,
            "Links": links,
            "Items": items,
        })
    }
}

/// Resolves a path id: a native integer, or `@partner` in the given scope.
pub fn resolve_int(state: &State, scope: &str, raw: &str) -> Result<i64, ApiError> {
    if let Some(partner) = raw.strip_prefix('@') {
        if partner.is_empty() {
            return Err(ApiError::bad("A bare '@' is not an identifier"));
        }
        return state
            .partner_native(scope, partner)
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| ApiError::not_found(format!("No {scope} has partner id '{partner}'")));
    }
    raw.parse::<i64>()
        .map_err(|_| ApiError::bad(format!("'{raw}' is not a valid {scope} identifier")))
}

/// A route parameter the spec types as an integer (no partner ids there).
pub fn path_int(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .map_err(|_| ApiError::bad(format!("{what} must be an integer, not '{raw}'")))
}

/// An `Identifier` object in a body: `Native` (integer) or `Partner` (string) in a scope.
pub fn identifier(state: &State, scope: &str, v: Option<&Value>) -> Result<Option<i64>, ApiError> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let Some(obj) = v.as_object() else {
        return Err(ApiError::bad(format!(
            "{scope} identifier must be an object with Native or Partner"
        )));
    };
    if let Some(n) = obj.get("Native").filter(|n| !n.is_null()) {
        return n
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::bad(format!("{scope} Native id must be an integer")));
    }
    if let Some(p) = obj.get("Partner").and_then(Value::as_str) {
        return state
            .partner_native(scope, p)
            .and_then(|n| n.parse().ok())
            .map(Some)
            .ok_or_else(|| ApiError::not_found(format!("No {scope} has partner id '{p}'")));
    }
    Err(ApiError::bad(format!(
        "{scope} identifier has neither Native nor Partner"
    )))
}

/// The `Partner` of an identifier property, for idempotent creates.
pub fn partner_of(v: Option<&Value>) -> Result<Option<String>, ApiError> {
    match v.and_then(|v| v.get("Partner")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad("Partner must be a non-empty string")),
    }
}

pub fn string(obj: &Obj, name: &str) -> Result<Option<String>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad(format!("{name} must be a string"))),
    }
}

pub fn required_string(obj: &Obj, name: &str) -> Result<String, ApiError> {
    match string(obj, name)? {
        Some(s) if !s.trim().is_empty() => Ok(s),
        _ => Err(ApiError::bad(format!("{name} is required"))),
    }
}

pub fn boolean(obj: &Obj, name: &str) -> Result<Option<bool>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::bad(format!("{name} must be true or false"))),
    }
}

pub fn required_bool(obj: &Obj, name: &str) -> Result<bool, ApiError> {
    boolean(obj, name)?.ok_or_else(|| ApiError::bad(format!("{name} is required")))
}

pub fn integer(obj: &Obj, name: &str) -> Result<Option<i64>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| ApiError::bad(format!("{name} must be an integer"))),
    }
}

/// A decimal JSON number (`format: decimal`), kept exact.
pub fn decimal(obj: &Obj, name: &str) -> Result<Option<Decimal>, ApiError> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            let text = n.to_string();
            Decimal::from_str(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .map(Some)
                .map_err(|_| ApiError::bad(format!("{name} is not a decimal number")))
        }
        Some(_) => Err(ApiError::bad(format!("{name} must be a number"))),
    }
}

pub fn required_decimal(obj: &Obj, name: &str) -> Result<Decimal, ApiError> {
    decimal(obj, name)?.ok_or_else(|| ApiError::bad(format!("{name} is required")))
}

/// A JSON number for a decimal amount.
pub fn number(d: Decimal) -> Value {
    let text = d.normalize().to_string();
    serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)
}

/// A `format: date` value. A date-time is accepted and its date kept, as .NET binds it.
pub fn date(obj: &Obj, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    let Some(s) = string(obj, name)? else {
        return Ok(None);
    };
    parse_date(&s)
        .map(Some)
        .ok_or_else(|| ApiError::bad(format!("{name} '{s}' is not an ISO date")))
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let head = s.get(..10).unwrap_or(s);
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

/// A `format: date-time` value in UTC, written with its `Z` (or an offset).
pub fn datetime(obj: &Obj, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(s) = string(obj, name)? else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(&s)
        .map(|d| Some(d.with_timezone(&Utc)))
        .map_err(|_| {
            ApiError::bad(format!(
                "{name} '{s}' is not an ISO 8601 date-time with a time zone (e.g. 2025-02-20T14:00:00Z)"
            ))
        })
}

pub fn stamp(t: DateTime<Utc>) -> Value {
    Value::from(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Copies the named properties that are present in `from` into `to`.
pub fn copy(from: &Obj, to: &mut Obj, names: &[&str]) {
    for name in names {
        if let Some(v) = from.get(*name) {
            to.insert((*name).to_string(), v.clone());
        }
    }
}
