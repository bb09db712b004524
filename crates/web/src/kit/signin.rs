//! Sign-in and sign-out pages, shared by the firm app and the admin console. Before a
//! session exists, a random value in a cookie must match the form's hidden field (login
//! CSRF); afterwards the session's own CSRF secret protects every form.

use axum::extract::State;
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use migrationai_api_types::auth::IssuedSession;
use serde::Deserialize;

use super::render::render;
use super::session::{check_csrf, cookie_value, random_id, same, set_cookie, WebUser};
use super::Front;
use crate::error::WebError;
use migrationai_api_types::client::{ClientAddr, FORWARDED_FOR};

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

pub async fn page(State(front): State<Front>) -> Result<Response, WebError> {
    form_page(&front, None)
}

fn form_page(front: &Front, error: Option<&str>) -> Result<Response, WebError> {
    let pre = random_id(16);
    let ctx = minijinja::context! { brand => front.role.brand, csrf => &pre, error };
    let mut resp = render("sign_in.html", ctx)?;
    if let Some(v) = set_cookie(front, PRE, &pre, 3600) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

pub async fn submit(
    State(front): State<Front>,
    from: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let pre = cookie_value(&headers, PRE).unwrap_or_default();
    if pre.is_empty() || !same(&pre, &form.csrf) {
        return form_page(&front, Some("Your sign-in form expired. Please try again."));
    }
    let rb = front
        .backend
        .request(Method::POST, front.role.sessions, None)
        // The API limits sign-in per client address: it must see the browser's, not ours.
        .header(FORWARDED_FOR, from.0.to_string())
        .json(&serde_json::json!({ "email": form.email, "password": form.password }));
    let session = match front.backend.json::<IssuedSession>(rb).await {
        Ok(s) => s,
        Err(WebError::Unauthorized | WebError::Forbidden) => {
            return form_page(&front, Some("Email or password is not right."))
        }
        Err(WebError::TooManyRequests(message)) => {
            let shown = format!("Sign-in is paused: {message}.");
            return form_page(&front, Some(&shown));
        }
        Err(e) => return Err(e),
    };
    let mut resp = Redirect::to("/").into_response();
    if let Some(v) = set_cookie(
        &front,
        front.role.cookie,
        &session.token,
        session.expires_in,
    ) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    if let Some(v) = set_cookie(&front, PRE, "", 0) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}

pub async fn sign_out(
    State(front): State<Front>,
    WebUser(u): WebUser,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    check_csrf(&u, Some(&form.csrf))?;
    let rb = front
        .backend
        .request(Method::POST, front.role.sign_out, Some(&u.token));
    match front.backend.send(rb).await {
        Ok(_) | Err(WebError::Unauthorized) => {}
        Err(e) => return Err(e),
    }
    front.forget(&u.token);
    let mut resp = Redirect::to("/sign-in").into_response();
    if let Some(v) = set_cookie(&front, front.role.cookie, "", 0) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(resp)
}
