//! Reads of migrated records, cached through the cache port per (tenant, job) namespace.
//! The namespace is bumped when a job writes (see [`invalidator`]), so a cached page is
//! never older than the last observed write.

use migrationai_api_types::records::{
    RecordDetail, RecordLink, RecordPage, RecordQuery, RecordView,
};
use std::collections::HashMap;
use std::time::Duration;

use bytes::Bytes;
use migrationai_domain::DraftStatus;
use migrationai_domain::Kind;
use tokio_util::sync::CancellationToken;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

const TTL: Duration = Duration::from_secs(300);
const MAX_PER_PAGE: usize = 500;
/// Records read from the store at a time while a list is built.
const WALK_PAGE: usize = 1000;

pub fn namespace(tenant: &str, job: &str) -> String {
    format!("records:{tenant}:{job}")
}

fn kind(k: &str) -> ApiResult<Kind> {
    match k.parse::<Kind>() {
        Ok(k) => Ok(k),
        Err(_) => Err(ApiError::NotFound),
    }
}

/// A stored record as the API shows it. A record whose stored data is not JSON is a
/// corrupt store, an error, never an empty record.
fn view(r: migrationai_ports::store::RecordRow) -> ApiResult<RecordView> {
    let data = serde_json::from_str(&r.data).map_err(|e| {
        ApiError::internal(format!(
            "stored {} record {:?} of {} row {} is not JSON: {e}",
            r.kind, r.source_id, r.file, r.row
        ))
    })?;
    Ok(RecordView {
        data,
        kind: r.kind.to_string(),
        source_id: r.source_id,
        canonical_id: r.canonical_id,
        file: r.file,
        row: r.row,
    })
}

async fn check_job(state: &AppState, tenant: &str, job: &str) -> ApiResult<()> {
    crate::workflow::draft(state, tenant, job).await.map(|_| ())
}

/// One page of a kind's records as JSON bytes, from the cache when it can.
pub async fn list_json(
    state: &AppState,
    tenant: &str,
    job: &str,
    kind_slug: &str,
    q: &RecordQuery,
) -> ApiResult<Bytes> {
    let kind = kind(kind_slug)?;
    let page = q.page.unwrap_or(1).max(1);
    let per_page = q.per_page.unwrap_or(50).clamp(1, MAX_PER_PAGE);
    let needle = q.q.as_deref().unwrap_or("").to_lowercase();
    let file = q.file.as_deref().unwrap_or("");
    let ns = namespace(tenant, job);
    let key = format!("{}|{page}|{per_page}|{file}|{needle}", kind.as_str());
    // A cached page exists only for a job the tenant owns (it was checked when stored).
    if let Ok(Some(hit)) = state.cache.get_in(&ns, &key).await {
        return Ok(hit);
    }
    check_job(state, tenant, job).await?;
    // The kind is walked a page at a time, so a list of a kind of any size takes the memory
    // of one page; the answer is cached until the job writes again.
    let store = &state.app.services.store;
    let skip = (page - 1).saturating_mul(per_page);
    let mut total = 0usize;
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let rows = store
            .records_page(tenant, job, kind, after.as_deref(), WALK_PAGE)
            .await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.source_id.clone());
        for r in rows {
            let matches = (file.is_empty() || r.file == file)
                && (needle.is_empty()
                    || r.data.to_lowercase().contains(&needle)
                    || r.source_id.to_lowercase().contains(&needle));
            if !matches {
                continue;
            }
            if total >= skip && items.len() < per_page {
                items.push(view(r)?);
            }
            total += 1;
        }
    }
    let body = serde_json::to_vec(&RecordPage {
        items,
        total,
        page,
        per_page,
    })
    .map_err(ApiError::internal)?;
    let body = Bytes::from(body);
    let _ = state.cache.set_in(&ns, &key, body.clone(), TTL).await;
    Ok(body)
}

/// One record with its links: the fields that name other records, and possible duplicates.
pub async fn one(
    state: &AppState,
    tenant: &str,
    job: &str,
    kind_slug: &str,
    source_id: &str,
) -> ApiResult<RecordDetail> {
    let kind = kind(kind_slug)?;
    check_job(state, tenant, job).await?;
    let store = &state.app.services.store;
    let record = store
        .record(tenant, job, kind, source_id)
        .await?
        .map(view)
        .transpose()?
        .ok_or(ApiError::NotFound)?;
    let mut links = Vec::new();
    if let Some(obj) = record.data.as_object() {
        for (field, value) in obj {
            let is_ref = field.ends_with("_id") && field != "id" && field != "source_id";
            if let (true, Some(v)) = (is_ref, value.as_str()) {
                links.push(RecordLink {
                    rel: "reference".into(),
                    field: field.clone(),
                    target: v.to_string(),
                });
            }
        }
    }
    if kind == Kind::Contacts {
        for l in store.contact_links(tenant, job).await? {
            let other = if l.a == record.canonical_id || l.a == record.source_id {
                Some(l.b.clone())
            } else if l.b == record.canonical_id || l.b == record.source_id {
                Some(l.a.clone())
            } else {
                None
            };
            if let Some(target) = other {
                links.push(RecordLink {
                    rel: "duplicate".into(),
                    field: l.strongest().to_string(),
                    target,
                });
            }
        }
    }
    Ok(RecordDetail { record, links })
}

/// Bumps a running job's cache namespace whenever its progress moves (a batch committed,
/// the status changed), so cached reads follow the writes.
pub async fn invalidator(state: AppState, shutdown: CancellationToken) {
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
        let Ok(started) = state.db.drafts_with_status(DraftStatus::Started).await else {
            continue;
        };
        for d in started {
            let store = &state.app.services.store;
            let Ok(Some(run)) = store.job(&d.tenant, &d.id).await else {
                continue;
            };
            let Ok(progress) = store.progress(&d.tenant, &d.id).await else {
                continue;
            };
            let mark = format!(
                "{}:{}:{}",
                run.status,
                run.phase,
                progress
                    .iter()
                    .map(|k| k.batches_done + k.loaded + k.rejected)
                    .sum::<i64>()
            );
            let key = (d.tenant.clone(), d.id.clone());
            if seen.get(&key) != Some(&mark) {
                let _ = state.cache.bump(&namespace(&d.tenant, &d.id)).await;
                seen.insert(key, mark);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrationai_ports::store::RecordRow;

    fn row(data: &str) -> RecordRow {
        RecordRow {
            kind: Kind::Contacts,
            source_id: "C7".into(),
            canonical_id: "c-7".into(),
            file: "people.csv".into(),
            row: 9,
            data: data.into(),
        }
    }

    #[test]
    fn a_record_shows_its_data() {
        let v = view(row(r#"{"email":"a@b.co"}"#)).expect("view");
        assert_eq!(v.data["email"], "a@b.co");
        assert_eq!((v.kind.as_str(), v.row), ("contacts", 9));
    }

    #[test]
    fn corrupt_stored_data_is_an_error_not_an_empty_record() {
        match view(row("{not json")) {
            Err(ApiError::Internal(detail)) => {
                assert!(
                    detail.contains("\"C7\"") && detail.contains("people.csv"),
                    "{detail}"
                )
            }
            other => panic!("expected an internal error, got {other:?}"),
        }
    }
}
