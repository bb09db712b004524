//! Single-record writes of a migrated job, queued to the kind's worker like a planned batch
//! (processing's `handlers::direct` holds the batch format and the handler's side).

use migrationai_api_types::records::{NewRecord, WriteRequest, WriteStatus};
use std::collections::BTreeMap;

use migrationai_domain::Kind;
use migrationai_pipeline::handlers::direct::{self, RequestStatus, WriteError};
use serde_json::Value;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn kind(slug: &str) -> ApiResult<Kind> {
    match slug.parse::<Kind>() {
        Ok(k) => Ok(k),
        Err(_) => Err(ApiError::NotFound),
    }
}

fn text(field: &str, v: &Value) -> ApiResult<String> {
    let bad = || {
        ApiError::Unprocessable(format!(
            "\"{field}\": expected text, a number, a boolean or a list of text"
        ))
    };
    Ok(match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(bad))
            .collect::<ApiResult<Vec<_>>>()?
            .join(";"),
        Value::Object(_) => return Err(bad()),
    })
}

/// The tenant's store job, if it is done: writes go to a finished migration only, so that
/// no phase of a running job waits for (or re-sends) the written batch.
async fn done_job(
    state: &AppState,
    tenant: &str,
    job: &str,
) -> ApiResult<migrationai_ports::store::JobRow> {
    crate::workflow::draft(state, tenant, job).await?;
    let run = state.app.services.store.job(tenant, job).await?;
    match run {
        Some(r) if r.status == migrationai_domain::JobStatus::Done => Ok(r),
        _ => Err(ApiError::Conflict(
            "records can be written once the job's migration is done".into(),
        )),
    }
}

pub async fn submit(
    state: &AppState,
    tenant: &str,
    job: &str,
    kind_slug: &str,
    record: &NewRecord,
) -> ApiResult<WriteRequest> {
    let kind = kind(kind_slug)?;
    let run = done_job(state, tenant, job).await?;
    let fields = record
        .0
        .iter()
        .map(|(f, v)| Ok((f.clone(), text(f, v)?)))
        .collect::<ApiResult<BTreeMap<_, _>>>()?;
    let request_id = direct::submit(&state.app.services, &run, kind, &fields)
        .await
        .map_err(|e| match e {
            WriteError::Processing(e) => ApiError::from(e),
            e => ApiError::Unprocessable(e.to_string()),
        })?;
    Ok(pending(request_id, kind))
}

fn pending(request_id: String, kind: Kind) -> WriteRequest {
    WriteRequest {
        request_id,
        kind,
        status: WriteStatus::Pending,
        source_id: None,
        canonical_id: None,
        field: None,
        code: None,
        reason: None,
    }
}

pub async fn status(
    state: &AppState,
    tenant: &str,
    job: &str,
    kind_slug: &str,
    request_id: &str,
) -> ApiResult<WriteRequest> {
    let kind = kind(kind_slug)?;
    crate::workflow::draft(state, tenant, job).await?;
    let found = direct::status(&state.app.services, tenant, job, kind, request_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut view = pending(request_id.to_string(), kind);
    match found {
        RequestStatus::Pending => return Ok(view),
        RequestStatus::Loaded {
            source_id,
            canonical_id,
        } => {
            view.status = WriteStatus::Loaded;
            view.source_id = Some(source_id);
            view.canonical_id = Some(canonical_id);
        }
        RequestStatus::Rejected {
            field,
            code,
            reason,
        } => {
            view.status = WriteStatus::Rejected;
            view.field = Some(field);
            view.code = Some(code);
            view.reason = Some(reason);
        }
    }
    // The write has landed: cached record pages of the job are stale from here on (the
    // invalidator would see it too, but only every half second and only in its process).
    let _ = state
        .cache
        .bump(&crate::records::namespace(tenant, job))
        .await;
    Ok(view)
}
