//! Signing in, sessions, tokens and who is signed in.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IssuedToken {
    /// The bearer token. Shown once; only its SHA-256 is stored.
    pub token: String,
    pub token_id: String,
    pub tenant: String,
    pub user: User,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Me {
    pub user_id: String,
    pub email: String,
    pub tenant: String,
    pub role: String,
    pub token_id: String,
    /// The CSRF secret, when the caller is a browser session (see `/v1/auth/sessions`).
    pub csrf: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IssuedSession {
    /// The session's bearer token. Shown once; only its SHA-256 is stored.
    pub token: String,
    /// The secret every form and script call of this session must echo.
    pub csrf: String,
    /// Seconds until the session expires.
    pub expires_in: i64,
    pub user: User,
}

/// A token as listed: never the secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenInfo {
    pub id: String,
    pub kind: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: String,
    pub tenant: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
}
