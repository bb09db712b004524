//! Sign-in (email + password → API token), the caller, their tokens, revocation.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use migrationai_api_types::auth::{IssuedSession, IssuedToken, Me, SignIn, TokenInfo, User};
use migrationai_api_types::error::ErrorBody;

use crate::auth::session;
use crate::auth::{issue_api_token, sign_in_limited, ApiUser};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use migrationai_api_types::client::ClientAddr;

impl From<crate::db::accounts::Principal> for Me {
    fn from(p: crate::db::accounts::Principal) -> Me {
        let csrf = (p.kind == crate::db::accounts::TokenKind::Session).then_some(p.csrf);
        Me {
            user_id: p.user_id,
            email: p.email,
            tenant: p.tenant,
            role: p.role.as_str().into(),
            token_id: p.token_id,
            csrf,
        }
    }
}

#[utoipa::path(post, path = "/v1/auth/sign-in", tag = "auth", request_body = SignIn,
    responses((status = 200, body = IssuedToken), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many attempts; see Retry-After")))]
pub async fn sign_in(
    State(state): State<AppState>,
    from: ClientAddr,
    Json(req): Json<SignIn>,
) -> ApiResult<Json<IssuedToken>> {
    let user = sign_in_limited(&state, &req.email, &req.password, from).await?;
    let (token, token_id) = issue_api_token(&state, &user).await?;
    tracing::info!(user = %user.id, tenant = %user.tenant, "signed in");
    Ok(Json(IssuedToken {
        token,
        token_id,
        tenant: user.tenant.clone(),
        user: user.into(),
    }))
}

#[utoipa::path(post, path = "/v1/auth/sign-out", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn sign_out(State(state): State<AppState>, ApiUser(p): ApiUser) -> ApiResult<StatusCode> {
    state.revoke(&p, &p.token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(ApiUser(p): ApiUser) -> Json<Me> {
    Json(p.into())
}

/// A browser session for a frontend: the firm web app signs its users in here and keeps
/// the token in its own HttpOnly cookie.
#[utoipa::path(post, path = "/v1/auth/sessions", tag = "auth", request_body = SignIn,
    responses((status = 201, body = IssuedSession), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "Too many attempts; see Retry-After")))]
pub async fn start_session(
    State(state): State<AppState>,
    from: ClientAddr,
    Json(req): Json<SignIn>,
) -> ApiResult<(StatusCode, Json<IssuedSession>)> {
    let user = sign_in_limited(&state, &req.email, &req.password, from).await?;
    let session = session::issue(&state, user).await?;
    tracing::info!(user = %session.user.id, tenant = %session.user.tenant, "session started");
    Ok((StatusCode::CREATED, Json(session)))
}

#[utoipa::path(get, path = "/v1/auth/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenInfo>), (status = 401, body = ErrorBody)))]
pub async fn tokens(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
) -> ApiResult<Json<Vec<TokenInfo>>> {
    Ok(Json(
        state
            .db
            .tokens(&p.tenant, &p.user_id)
            .await?
            .into_iter()
            .map(TokenInfo::from)
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/v1/auth/tokens/{token_id}", tag = "auth", security(("bearer" = [])),
    params(("token_id" = String, Path, description = "Id of one of the caller's tokens")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
    Path(token_id): Path<String>,
) -> ApiResult<StatusCode> {
    if !state.revoke(&p, &token_id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/users", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<User>), (status = 401, body = ErrorBody)))]
pub async fn users(
    State(state): State<AppState>,
    ApiUser(p): ApiUser,
) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(
        state
            .db
            .users(Some(&p.tenant))
            .await?
            .into_iter()
            .map(User::from)
            .collect(),
    ))
}
