//! Admin endpoints. Each takes [`AdminUser`]; each change is audited.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use migrationai_api_types::admin::{
    AuditEntry, Count, DeadLetterView, Lockout, NewTenant, NewUser, Purge, QueueView, Redrive,
    Tenant, Throughput,
};
use migrationai_api_types::auth::{IssuedSession, Me, SignIn, User};
use migrationai_api_types::jobs::JobView;

use super::queues;
use crate::auth::session;
use crate::auth::AdminUser;
use crate::db::accounts::AccountRole;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

async fn audit(
    s: &AppState,
    who: &AdminUser,
    action: &str,
    target: &str,
    detail: &str,
) -> ApiResult<()> {
    s.db.audit(&who.0.email, action, target, detail).await?;
    tracing::info!(actor = %who.0.email, action, target, "admin action");
    Ok(())
}

pub async fn tenants(State(s): State<AppState>, _a: AdminUser) -> ApiResult<Json<Vec<Tenant>>> {
    Ok(Json(
        s.db.tenants()
            .await?
            .into_iter()
            .map(Tenant::from)
            .collect(),
    ))
}

pub async fn create_tenant(
    State(s): State<AppState>,
    a: AdminUser,
    Json(req): Json<NewTenant>,
) -> ApiResult<(StatusCode, Json<Tenant>)> {
    let valid = !req.id.is_empty()
        && req.id.len() <= 40
        && req
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid || req.name.trim().is_empty() {
        return Err(ApiError::BadRequest(
            "tenant id: 1 to 40 of a-z, 0-9, '-'; name required".into(),
        ));
    }
    if !s.db.create_tenant(&req.id, req.name.trim()).await? {
        return Err(ApiError::Conflict("a tenant with that id exists".into()));
    }
    s.app
        .services
        .store
        .ensure_tenant(&req.id, req.name.trim())
        .await?;
    audit(&s, &a, "tenant.create", &req.id, req.name.trim()).await?;
    let t = s.db.tenant(&req.id).await?.ok_or(ApiError::NotFound)?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

pub async fn users(State(s): State<AppState>, _a: AdminUser) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(
        s.db.users(None)
            .await?
            .into_iter()
            .map(User::from)
            .collect(),
    ))
}

pub async fn create_user(
    State(s): State<AppState>,
    a: AdminUser,
    Json(req): Json<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    if s.db.tenant(&req.tenant).await?.is_none() {
        return Err(ApiError::NotFound);
    }
    let role = match req.role.as_deref() {
        None => AccountRole::Member,
        Some(word) => word
            .parse::<AccountRole>()
            .map_err(|_| ApiError::BadRequest("role is member or admin".into()))?,
    };
    let u = crate::auth::create_user(&s, &req.tenant, &req.email, &req.password, role).await?;
    audit(
        &s,
        &a,
        "user.create",
        &u.id,
        &format!("{} in {} as {role}", u.email, u.tenant),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(u.into())))
}

pub async fn jobs(State(s): State<AppState>, _a: AdminUser) -> ApiResult<Json<Vec<JobView>>> {
    Ok(Json(crate::workflow::list(&s, None).await?))
}

pub async fn cancel_job(
    State(s): State<AppState>,
    a: AdminUser,
    Path((tenant, job_id)): Path<(String, String)>,
) -> ApiResult<Json<JobView>> {
    let v = crate::workflow::run::cancel(&s, &tenant, &job_id).await?;
    audit(&s, &a, "job.cancel", &format!("{tenant}/{job_id}"), "").await?;
    Ok(Json(v))
}

pub async fn queues(State(s): State<AppState>, _a: AdminUser) -> ApiResult<Json<Vec<QueueView>>> {
    Ok(Json(queues::queues(&s).await?))
}

/// Messages processed per minute per queue and rows per minute, the last hour.
pub async fn throughput(State(s): State<AppState>, _a: AdminUser) -> ApiResult<Json<Throughput>> {
    Ok(Json(crate::throughput::last_hour(&s).await?))
}

pub async fn dlq(
    State(s): State<AppState>,
    _a: AdminUser,
    Path(kind): Path<String>,
) -> ApiResult<Json<Vec<DeadLetterView>>> {
    Ok(Json(queues::dead_letters(&s, &kind).await?))
}

pub async fn redrive(
    State(s): State<AppState>,
    a: AdminUser,
    Path(kind): Path<String>,
    body: Option<Json<Redrive>>,
) -> ApiResult<Json<Count>> {
    let req = body.map(|Json(r)| r).unwrap_or_default();
    let count = queues::redrive(&s, &kind, req.message_ids.as_deref()).await?;
    let detail = match &req.message_ids {
        Some(ids) => format!("{count} of {} chosen: {}", ids.len(), ids.join(" ")),
        None => format!("{count} (all)"),
    };
    audit(&s, &a, "dlq.redrive", &kind, &detail).await?;
    Ok(Json(Count { count }))
}

pub async fn purge(
    State(s): State<AppState>,
    a: AdminUser,
    Path(kind): Path<String>,
    Json(req): Json<Purge>,
) -> ApiResult<Json<Count>> {
    let k = queues::kind(&kind)?;
    // Either the queue or its DLQ, named in full as the confirmation.
    let names = &s.app.services.names;
    let target = [names.queue(k), names.dlq(k)]
        .into_iter()
        .find(|n| *n == req.confirm)
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "confirm with the full name of the queue ({}) or its DLQ ({})",
                names.queue(k),
                names.dlq(k)
            ))
        })?;
    let st = s.app.services.queue.stats(&target).await?;
    s.app.services.queue.purge(&target).await?;
    let count = (st.visible + st.in_flight + st.delayed) as usize;
    audit(&s, &a, "queue.purge", &target, &format!("{count} messages")).await?;
    Ok(Json(Count { count }))
}

/// Accounts locked out of sign-in now, after too many failed attempts.
pub async fn lockouts(State(s): State<AppState>, _a: AdminUser) -> ApiResult<Json<Vec<Lockout>>> {
    Ok(Json(
        s.db.lockouts(crate::db::now())
            .await?
            .into_iter()
            .map(Lockout::from)
            .collect(),
    ))
}

pub async fn audit_log(
    State(s): State<AppState>,
    _a: AdminUser,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    Ok(Json(
        s.db.audit_log(500)
            .await?
            .into_iter()
            .map(AuditEntry::from)
            .collect(),
    ))
}

/// A browser session for the admin console. Only operators get one; a firm user's correct
/// password is answered like a wrong one, so the console does not reveal who is a user.
pub async fn start_session(
    State(s): State<AppState>,
    from: migrationai_api_types::client::ClientAddr,
    Json(req): Json<SignIn>,
) -> ApiResult<(StatusCode, Json<IssuedSession>)> {
    let user = crate::auth::sign_in_limited(&s, &req.email, &req.password, from).await?;
    if user.role != AccountRole::Admin {
        return Err(ApiError::Unauthorized);
    }
    let session = session::issue(&s, user).await?;
    s.db.audit(&session.user.email, "session.start", "admin-console", "")
        .await?;
    Ok((StatusCode::CREATED, Json(session)))
}

pub async fn me(a: AdminUser) -> Json<Me> {
    Json(a.0.into())
}
