//! Browser sessions: a random secret in an HttpOnly, SameSite=Strict (and Secure) cookie;
//! its hash is a token row of kind "session" carrying the CSRF secret that every form and
//! script request must echo.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};

use crate::db::accounts::{Principal, User, KIND_SESSION};
use crate::error::ApiError;
use crate::state::AppState;

pub const COOKIE: &str = "mai_session";

/// A signed-in browser user.
pub struct WebUser(pub Principal);

/// What a missing or expired session turns into: back to the sign-in page.
pub struct SignInRedirect;

impl IntoResponse for SignInRedirect {
    fn into_response(self) -> Response {
        Redirect::to("/sign-in").into_response()
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
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = SignInRedirect;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, SignInRedirect> {
        let token = cookie_value(&parts.headers, COOKIE).ok_or(SignInRedirect)?;
        match state.principal(&token).await {
            Ok(Some(p)) if p.kind == KIND_SESSION => Ok(WebUser(p)),
            _ => Err(SignInRedirect),
        }
    }
}

/// Starts a session: the Set-Cookie header value.
pub async fn start(state: &AppState, user: &User) -> Result<HeaderValue, ApiError> {
    let (secret, hash) = super::token::issue();
    let csrf = super::token::random_id(16);
    state
        .db
        .store_token(
            user,
            &hash,
            KIND_SESSION,
            &csrf,
            state.settings.session_ttl_secs,
        )
        .await?;
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        state.settings.session_ttl_secs
    ))
    .map_err(ApiError::internal)
}

/// Ends the session: revokes it and clears the cookie.
pub async fn end(state: &AppState, p: &Principal) -> Result<HeaderValue, ApiError> {
    if let Some(hash) = state
        .db
        .revoke_token(&p.tenant, &p.user_id, &p.token_id)
        .await?
    {
        state.forget(&hash);
    }
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"
    ))
    .map_err(ApiError::internal)
}

/// The form's (or header's) CSRF token must equal the session's secret.
pub fn check_csrf(p: &Principal, presented: Option<&str>) -> Result<(), ApiError> {
    match presented {
        Some(t) if !p.csrf.is_empty() && super::token::same(t, &p.csrf) => Ok(()),
        _ => Err(ApiError::Forbidden),
    }
}

/// The CSRF token sent by scripts in the `X-CSRF-Token` header.
pub fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}
