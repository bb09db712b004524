//! What the two frontends share. A frontend (App Runner on AWS) holds no data and opens no
//! database: it signs its users in through a backend API, keeps the session token in an
//! HttpOnly cookie, and builds every page from calls to that API made with the token.

pub mod backend;
pub mod render;
pub mod session;
pub mod signin;

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;

use backend::Backend;
use session::Viewer;

use crate::error::ApiError;
use crate::memo::Memo;

/// How long a session checked with the API is trusted without asking again. Every data call
/// goes to the API with the token anyway, so a revoked session gets no data even inside it.
const VIEWER_TTL: Duration = Duration::from_secs(5);

/// Which frontend this is: its name on the page and the backend calls it signs in and out
/// with.
pub struct FrontRole {
    pub brand: &'static str,
    pub sessions: &'static str,
    pub me: &'static str,
    pub sign_out: &'static str,
    /// The session cookie's name: the two frontends may share a host name.
    pub cookie: &'static str,
}

pub const FIRM: FrontRole = FrontRole {
    brand: crate::web::BRAND,
    sessions: "/v1/auth/sessions",
    me: "/v1/me",
    sign_out: "/v1/auth/sign-out",
    cookie: "mai_session",
};

pub const CONSOLE: FrontRole = FrontRole {
    brand: crate::admin_web::BRAND,
    sessions: "/admin/v1/auth/sessions",
    me: "/admin/v1/me",
    sign_out: "/admin/v1/auth/sign-out",
    cookie: "mai_console",
};

pub struct FrontInner {
    pub backend: Backend,
    pub role: &'static FrontRole,
    /// Mark cookies `Secure` (off only for plain-http local runs).
    pub secure_cookies: bool,
    viewers: Memo<Viewer>,
}

#[derive(Clone)]
pub struct Front(Arc<FrontInner>);

impl Deref for Front {
    type Target = FrontInner;
    fn deref(&self) -> &FrontInner {
        &self.0
    }
}

impl Front {
    pub fn new(backend: Backend, role: &'static FrontRole, secure_cookies: bool) -> Front {
        Front(Arc::new(FrontInner {
            backend,
            role,
            secure_cookies,
            viewers: Memo::new(VIEWER_TTL, 10_000),
        }))
    }

    /// Who holds this session token: from the short memo or the API; `None` when the API
    /// does not accept it.
    pub async fn viewer(&self, token: &str) -> Result<Option<Viewer>, ApiError> {
        let key = crate::auth::token::digest(token);
        if let Some(v) = self.viewers.get(&key) {
            return Ok(Some(v));
        }
        let rb = self.backend.request(Method::GET, self.role.me, Some(token));
        let found = match self
            .backend
            .json::<migrationai_api_types::auth::Me>(rb)
            .await
        {
            Ok(me) => Some(Viewer::new(token, me)),
            Err(ApiError::Unauthorized | ApiError::Forbidden) => None,
            Err(e) => return Err(e),
        };
        self.viewers.put(key, found.as_ref());
        Ok(found)
    }

    pub fn forget(&self, token: &str) {
        self.viewers.forget(&crate::auth::token::digest(token));
    }
}
