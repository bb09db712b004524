//! The browser's side of a session: the cookie holding the session token, the signed-in
//! viewer it stands for, and the CSRF check on every change.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use migrationai_api_types::auth::Me;
use rand::RngCore;
use serde::Serialize;
use subtle::ConstantTimeEq;

use super::Front;
use crate::error::WebError;

/// A signed-in browser user, as the API knows them. The token never reaches a template.
#[derive(Debug, Clone, Serialize)]
pub struct Viewer {
    #[serde(skip)]
    pub token: String,
    pub user_id: String,
    pub email: String,
    pub tenant: String,
    pub role: String,
    #[serde(skip)]
    pub csrf: String,
}

impl Viewer {
    pub fn new(token: &str, me: Me) -> Viewer {
        Viewer {
            token: token.to_string(),
            user_id: me.user_id,
            email: me.email,
            tenant: me.tenant,
            role: me.role,
            csrf: me.csrf.unwrap_or_default(),
        }
    }
}

/// The extractor of a signed-in viewer: without a session, the browser goes to sign in.
pub struct WebUser(pub Viewer);

impl FromRequestParts<Front> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, front: &Front) -> Result<Self, Response> {
        let Some(token) = cookie_value(&parts.headers, front.role.cookie) else {
            return Err(Redirect::to("/sign-in").into_response());
        };
        match front.viewer(&token).await {
            Ok(Some(v)) if !v.csrf.is_empty() => Ok(WebUser(v)),
            Ok(_) => Err(Redirect::to("/sign-in").into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// A Set-Cookie value: HttpOnly, SameSite=Strict, and Secure unless running on plain http.
pub fn set_cookie(front: &Front, name: &str, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = if front.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// The form's (or header's) CSRF token must equal the session's secret.
pub fn check_csrf(v: &Viewer, presented: Option<&str>) -> Result<(), WebError> {
    match presented {
        Some(t) if !v.csrf.is_empty() && same(t, &v.csrf) => Ok(()),
        _ => Err(WebError::Forbidden),
    }
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A random value (a sign-in form's CSRF secret), hex.
pub fn random_id(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// The CSRF token sent by scripts in the `X-CSRF-Token` header.
pub fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}
