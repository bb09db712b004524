//! The identity service's token exchange and the gateway's checks of every call: a live
//! bearer token, then the org and user headers.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use crate::http::ApiError;
use crate::Shared;

/// The scopes the gateway needs; Filevine's documentation lists them space-separated.
const NEEDED_SCOPES: [&str; 2] = ["fv.api.gateway.access", "filevine.v2.api.*"];

fn oauth_error(code: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response()
}

/// `POST /connect/token`: a personal access token, with the client id and secret, for a
/// bearer token. The body must be `application/x-www-form-urlencoded`.
pub async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let form_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return oauth_error(
            "invalid_request",
            "Requests must have Content-Type application/x-www-form-urlencoded",
        );
    }
    let form: HashMap<String, String> = url_form(&body);
    let creds = &shared.config.credentials;
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    if field("grant_type") != "personal_access_token" {
        return oauth_error(
            "unsupported_grant_type",
            "grant_type must be personal_access_token",
        );
    }
    if field("client_id") != creds.client_id || field("client_secret") != creds.client_secret {
        return oauth_error("invalid_client", "The client id or secret is not valid");
    }
    if field("token") != creds.pat {
        return oauth_error("invalid_grant", "The personal access token is not valid");
    }
    let scope = field("scope");
    if scope.contains(',') {
        return oauth_error(
            "invalid_scope",
            "Scopes must be space-separated, not comma-delimited",
        );
    }
    let granted: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if let Some(missing) = NEEDED_SCOPES.iter().find(|s| !granted.contains(s)) {
        return oauth_error("invalid_scope", &format!("The scope {missing} is required"));
    }
    let access_token = hex::encode(rand::random::<[u8; 24]>());
    let ttl = shared.config.token_ttl;
    shared
        .state()
        .tokens
        .insert(access_token.clone(), Instant::now() + ttl);
    shared.stats().token_exchanges += 1;
    Json(json!({
        "access_token": access_token,
        "expires_in": ttl.as_secs(),
        "token_type": "Bearer",
        "scope": granted.join(" "),
    }))
    .into_response()
}

fn url_form(body: &[u8]) -> HashMap<String, String> {
    url_decode_pairs(body).collect()
}

fn url_decode_pairs(body: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    body.split(|b| *b == b'&').filter_map(|pair| {
        if pair.is_empty() {
            return None;
        }
        let mut it = pair.splitn(2, |b| *b == b'=');
        let k = decode(it.next()?);
        let v = decode(it.next().unwrap_or(b""));
        Some((k, v))
    })
}

fn decode(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every gateway call: `Authorization: Bearer` with a live token (else 401), then
/// `x-fv-orgid` and `x-fv-userid` as integers (else 400) naming this org and user (else 403).
pub async fn guard(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let live = bearer.as_ref().is_some_and(|t| {
        shared
            .state()
            .tokens
            .get(t)
            .is_some_and(|expires| *expires > Instant::now())
    });
    if !live {
        shared.stats().unauthorized += 1;
        let mut res = ApiError(
            StatusCode::UNAUTHORIZED,
            "Authorization has been denied for this request.".into(),
        )
        .into_response();
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return res;
    }
    let creds = &shared.config.credentials;
    for (name, expected) in [("x-fv-orgid", creds.org_id), ("x-fv-userid", creds.user_id)] {
        let value = req
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        match value {
            None => {
                return ApiError::bad(format!(
                    "Required org context header {name} is missing or invalid"
                ))
                .into_response()
            }
            Some(v) if v != expected => {
                return ApiError::forbidden(format!(
                    "The {name} {v} does not match the token's user and org"
                ))
                .into_response()
            }
            Some(_) => {}
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_decode() {
        let f = url_form(b"grant_type=personal_access_token&scope=a+b%2Ac&client_secret=x%3Dy%25");
        assert_eq!(f["grant_type"], "personal_access_token");
        assert_eq!(f["scope"], "a b*c");
        assert_eq!(f["client_secret"], "x=y%");
    }
}
