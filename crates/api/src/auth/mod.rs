//! Authentication: Argon2 passwords, hashed bearer tokens for the APIs, cookie sessions
//! with a CSRF secret for the web apps.

pub mod limit;
pub mod password;
pub mod session;
pub mod token;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::db::accounts::{AccountRole, Principal, TokenKind, User};
use crate::error::ApiError;
use crate::state::AppState;

/// A request authenticated by `Authorization: Bearer <token>`: an API token, or a session
/// token presented by a frontend on behalf of its browser.
pub struct ApiUser(pub Principal);

/// A bearer-authenticated operator holding the admin role.
pub struct AdminUser(pub Principal);

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?;
        state
            .principal(token)
            .await?
            .map(ApiUser)
            .ok_or(ApiError::Unauthorized)
    }
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiUser(p) = ApiUser::from_request_parts(parts, state).await?;
        if !p.is_admin() {
            return Err(ApiError::Forbidden);
        }
        Ok(AdminUser(p))
    }
}

/// Checks the email and password; the same answer (and similar time) whether the email
/// is unknown or the password wrong.
pub async fn check_password(
    state: &AppState,
    email: &str,
    password: &str,
) -> Result<User, ApiError> {
    let found = state.db.user_by_email(email).await?;
    let (user, hash) = match found {
        Some(f) => f,
        None => {
            // Spend the time a verification takes so unknown emails are not revealed.
            let dummy = DUMMY_HASH
                .get_or_init(|| password::hash("not a real password").unwrap_or_default());
            let _ = password::verify(password, dummy);
            return Err(ApiError::Unauthorized);
        }
    };
    let ok = tokio::task::spawn_blocking({
        let password = password.to_string();
        move || password::verify(&password, &hash)
    })
    .await
    .map_err(ApiError::internal)?;
    if ok {
        Ok(user)
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// Signs a user in by email and password within the sign-in limits: too many attempts from
/// one address, or too many failures on one account, answer 429 with `Retry-After`.
pub async fn sign_in_limited(
    state: &AppState,
    email: &str,
    password: &str,
    from: migrationai_api_types::client::ClientAddr,
) -> Result<User, ApiError> {
    limit::before_attempt(state, email, from).await?;
    match check_password(state, email, password).await {
        Ok(user) => {
            limit::after_success(state, email).await;
            Ok(user)
        }
        Err(ApiError::Unauthorized) => {
            limit::after_failure(state, email, from).await?;
            Err(ApiError::Unauthorized)
        }
        Err(e) => Err(e),
    }
}

/// An API token for a user whose password was checked: (token shown once, token id).
pub async fn issue_api_token(state: &AppState, user: &User) -> Result<(String, String), ApiError> {
    let (token, hash) = token::issue();
    let id = state
        .db
        .store_token(
            user,
            &hash,
            TokenKind::Api,
            "",
            state.settings.token_ttl_secs,
        )
        .await?;
    Ok((token, id))
}

/// Creates a user with an Argon2 hash of the password.
pub async fn create_user(
    state: &AppState,
    tenant: &str,
    email: &str,
    password: &str,
    role: AccountRole,
) -> Result<User, ApiError> {
    if !email.contains('@') || email.len() > 254 {
        return Err(ApiError::BadRequest("email is not valid".into()));
    }
    if password.chars().count() < 10 {
        return Err(ApiError::BadRequest(
            "password must have at least 10 characters".into(),
        ));
    }
    let hash = tokio::task::spawn_blocking({
        let password = password.to_string();
        move || password::hash(&password)
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    state
        .db
        .create_user(tenant, email, &hash, role)
        .await?
        .ok_or_else(|| ApiError::Conflict("a user with that email exists".into()))
}

/// An Argon2 hash verified against when the email is unknown.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
