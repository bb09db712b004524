//! Sign-in and sign-out pages, shared by the firm app and the admin console. Before a
//! session exists, a random value in a cookie must match the form's hidden field (login
//! CSRF); afterwards the session's own CSRF secret protects every form.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::render::{render, WebError};
use crate::auth::session::{self, cookie_value, WebUser};
use crate::error::ApiError;
use crate::state::AppState;

const PRE: &str = "mai_pre";

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    pub csrf: String,
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub fn page(state: &AppState, brand: &str, error: Option<&str>) -> Result<Response, WebError> {
    let pre = crate::auth::token::random_id(16);
    let ctx = minijinja::context! { brand, csrf => &pre, error };
    let mut resp = render("sign_in.html", ctx)?;
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!("{PRE}={pre}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{secure}");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

pub async fn submit(
    state: &AppState,
    brand: &str,
    admin_only: bool,
    headers: &HeaderMap,
    form: SignInForm,
) -> Result<Response, WebError> {
    let pre = cookie_value(headers, PRE).unwrap_or_default();
    if pre.is_empty() || !crate::auth::token::same(&pre, &form.csrf) {
        return page(
            state,
            brand,
            Some("Your sign-in form expired. Please try again."),
        );
    }
    let user = match crate::auth::check_password(state, &form.email, &form.password).await {
        Ok(u) if !admin_only || u.role == crate::db::accounts::ROLE_ADMIN => u,
        Ok(_) | Err(ApiError::Unauthorized) => {
            return page(state, brand, Some("Email or password is not right."))
        }
        Err(e) => return Err(e.into()),
    };
    let cookie = session::start(state, &user).await?;
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(resp)
}

pub async fn sign_out(
    state: &AppState,
    user: &WebUser,
    form: &CsrfForm,
) -> Result<Response, WebError> {
    session::check_csrf(&user.0, Some(&form.csrf))?;
    let cookie = session::end(state, &user.0).await?;
    let mut resp = Redirect::to("/sign-in").into_response();
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(resp)
}
