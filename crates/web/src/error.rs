//! The frontends' error: what the backend answered (its message is safe to show), or a
//! failure of the frontend itself. A page shows it as HTML; a sign-in that lapsed goes back
//! to the sign-in page.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Unavailable(String),
    /// The backend refused for now; its message says when to try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// Details go to the log, never to the page.
    #[error("internal error")]
    Internal(String),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        WebError::Internal(e.to_string())
    }

    /// The error for a backend's answer other than 2xx, keeping the API's message.
    pub fn from_backend(status: u16, message: String) -> Self {
        match status {
            400 => WebError::BadRequest(message),
            401 => WebError::Unauthorized,
            403 => WebError::Forbidden,
            404 => WebError::NotFound,
            409 => WebError::Conflict(message),
            413 => WebError::TooLarge(message),
            422 => WebError::Unprocessable(message),
            429 => WebError::TooManyRequests(message),
            503 => WebError::Unavailable(message),
            _ => WebError::Internal(format!("backend answered {status}: {message}")),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status == StatusCode::UNAUTHORIZED {
            return Redirect::to("/sign-in").into_response();
        }
        if let WebError::Internal(detail) = &self {
            tracing::error!(%detail, "page failed");
        }
        let body = crate::kit::render::error_page(status, &self.to_string());
        (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            body,
        )
            .into_response()
    }
}
