//! Browser sessions, issued by the APIs to the two frontends: a token of kind "session"
//! that lives as long as a working day and carries a CSRF secret. The frontend keeps the
//! token in its HttpOnly cookie, presents it as the bearer on every call it makes for the
//! browser, and checks the secret on every form.

use migrationai_api_types::auth::IssuedSession;

use crate::db::accounts::{TokenKind, User};
use crate::error::ApiError;
use crate::state::AppState;

/// Starts a session for a user whose password was checked.
pub async fn issue(state: &AppState, user: User) -> Result<IssuedSession, ApiError> {
    let (token, hash) = super::token::issue();
    let csrf = super::token::random_id(16);
    let ttl = state.settings.session_ttl_secs;
    state
        .db
        .store_token(&user, &hash, TokenKind::Session, &csrf, ttl)
        .await?;
    Ok(IssuedSession {
        token,
        csrf,
        expires_in: ttl,
        user: user.into(),
    })
}
