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
use axum::Json;
use migrationai_api_types::auth::Me;
use migrationai_api_types::system::Health;
use moka::sync::Cache;
use sha2::{Digest, Sha256};

use backend::Backend;
use session::Viewer;

use crate::error::WebError;

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
    brand: crate::firm::BRAND,
    sessions: "/v1/auth/sessions",
    me: "/v1/me",
    sign_out: "/v1/auth/sign-out",
    cookie: "mai_session",
};

pub const CONSOLE: FrontRole = FrontRole {
    brand: crate::console::BRAND,
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
    /// Who a session token stands for, asked of the API at most once per TTL. Keyed by
    /// the token's SHA-256, so the cache holds no token as a key.
    viewers: Cache<String, Viewer>,
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
            viewers: Cache::builder()
                .time_to_live(VIEWER_TTL)
                .max_capacity(10_000)
                .build(),
        }))
    }

    /// Who holds this session token: from the short memo or the API; `None` when the API
    /// does not accept it.
    pub async fn viewer(&self, token: &str) -> Result<Option<Viewer>, WebError> {
        let key = digest(token);
        if let Some(v) = self.viewers.get(&key) {
            return Ok(Some(v));
        }
        let rb = self.backend.request(Method::GET, self.role.me, Some(token));
        let found = match self.backend.json::<Me>(rb).await {
            Ok(me) => Some(Viewer::new(token, me)),
            Err(WebError::Unauthorized | WebError::Forbidden) => None,
            Err(e) => return Err(e),
        };
        match &found {
            Some(v) => self.viewers.insert(key, v.clone()),
            None => self.viewers.invalidate(&key),
        }
        Ok(found)
    }

    pub fn forget(&self, token: &str) {
        self.viewers.invalidate(&digest(token));
    }
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The frontend's own liveness: it answers without asking the backend, so a load balancer
/// keeps a frontend whose API is down (its pages say so).
pub async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}
