//! The store's id map of deliveries into Filevine (`filevine_ids`): the entry a push writes
//! before it sends a create (pending) and after Filevine answers (delivered, with its id and
//! the payload's digest). Kept in the store so that a rerun, a redelivered message or a
//! worker on another machine sees what an earlier attempt left behind.

use async_trait::async_trait;
use migrationai_domain::Kind;
use migrationai_filevine::{FvId, IdEntry, IdKey, IdMap, IdMapError, JobRef};
use sqlx::{AnyPool, Row};
use std::time::Duration;

const PENDING: &str = "pending";
const DELIVERED: &str = "delivered";

/// The id map on the store's database (SQLite or PostgreSQL).
#[derive(Debug, Clone)]
pub struct SqlIdMap {
    pool: AnyPool,
}

impl SqlIdMap {
    /// The id map on a pool opened for the store's tables (`Tables::Store`), whose
    /// migrations make `filevine_ids`.
    pub fn new(pool: AnyPool) -> SqlIdMap {
        SqlIdMap { pool }
    }

    /// Every delivered record of a job's kind: source id → Filevine id.
    pub async fn delivered(
        &self,
        job: &JobRef,
        kind: Kind,
    ) -> Result<Vec<(String, FvId)>, IdMapError> {
        let rows = sqlx::query(
            "SELECT source_id, fv_id FROM filevine_ids \
             WHERE tenant = $1 AND job = $2 AND kind = $3 AND state = $4 ORDER BY source_id",
        )
        .bind(&job.tenant)
        .bind(&job.job)
        .bind(kind.to_string())
        .bind(DELIVERED)
        .fetch_all(&self.pool)
        .await
        .map_err(failed)?;
        rows.iter()
            .map(|r| {
                let source: String = r.try_get("source_id").map_err(failed)?;
                let fv: Option<String> = r.try_get("fv_id").map_err(failed)?;
                let fv = fv.ok_or_else(|| no_id(kind, &source))?;
                Ok((source, FvId(fv)))
            })
            .collect()
    }
}

fn failed(e: sqlx::Error) -> IdMapError {
    IdMapError(e.to_string())
}

fn no_id(kind: Kind, source: &str) -> IdMapError {
    IdMapError(format!(
        "filevine_ids: the {kind} record {source:?} is marked delivered without a Filevine id"
    ))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[async_trait]
impl IdMap for SqlIdMap {
    async fn get(&self, key: &IdKey) -> Result<Option<IdEntry>, IdMapError> {
        let row = sqlx::query(
            "SELECT state, fv_id, digest FROM filevine_ids \
             WHERE tenant = $1 AND job = $2 AND kind = $3 AND source_id = $4",
        )
        .bind(&key.job.tenant)
        .bind(&key.job.job)
        .bind(key.kind.to_string())
        .bind(&key.source_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let state: String = row.try_get("state").map_err(failed)?;
        match state.as_str() {
            PENDING => Ok(Some(IdEntry::Pending)),
            DELIVERED => {
                let fv_id: Option<String> = row.try_get("fv_id").map_err(failed)?;
                let digest: Option<String> = row.try_get("digest").map_err(failed)?;
                Ok(Some(IdEntry::Delivered {
                    fv_id: FvId(fv_id.ok_or_else(|| no_id(key.kind, &key.source_id))?),
                    digest: digest.unwrap_or_default(),
                }))
            }
            other => Err(IdMapError(format!(
                "filevine_ids: the {} record {:?} has the state {other:?}, neither pending nor delivered",
                key.kind, key.source_id
            ))),
        }
    }

    async fn put(&self, key: &IdKey, entry: IdEntry) -> Result<(), IdMapError> {
        let (state, fv_id, digest) = match entry {
            IdEntry::Pending => (PENDING, None, None),
            IdEntry::Delivered { fv_id, digest } => (DELIVERED, Some(fv_id.0), Some(digest)),
        };
        sqlx::query(
            "INSERT INTO filevine_ids (tenant, job, kind, source_id, state, fv_id, digest, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (tenant, job, kind, source_id) DO UPDATE SET \
             state = excluded.state, fv_id = excluded.fv_id, digest = excluded.digest, \
             updated_at = excluded.updated_at",
        )
        .bind(&key.job.tenant)
        .bind(&key.job.job)
        .bind(key.kind.to_string())
        .bind(&key.source_id)
        .bind(state)
        .bind(fv_id)
        .bind(digest)
        .bind(now())
        .execute(&self.pool)
        .await
        .map_err(failed)?;
        Ok(())
    }

    /// One statement, so two workers cannot both take the key: the insert takes a key with no
    /// entry, the conditional update one pending since before `stale`; a delivered key or a
    /// fresh claim changes no row.
    async fn claim(&self, key: &IdKey, stale: Duration) -> Result<bool, IdMapError> {
        let now = now();
        let before = now.saturating_sub(i64::try_from(stale.as_secs()).unwrap_or(i64::MAX));
        let done = sqlx::query(
            "INSERT INTO filevine_ids (tenant, job, kind, source_id, state, fv_id, digest, updated_at) \
             VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6) \
             ON CONFLICT (tenant, job, kind, source_id) DO UPDATE SET updated_at = excluded.updated_at \
             WHERE filevine_ids.state = $7 AND filevine_ids.updated_at <= $8",
        )
        .bind(&key.job.tenant)
        .bind(&key.job.job)
        .bind(key.kind.to_string())
        .bind(&key.source_id)
        .bind(PENDING)
        .bind(now)
        .bind(PENDING)
        .bind(before)
        .execute(&self.pool)
        .await
        .map_err(failed)?;
        Ok(done.rows_affected() == 1)
    }

    async fn owner(
        &self,
        job: &JobRef,
        kind: Kind,
        fv_id: &FvId,
    ) -> Result<Option<String>, IdMapError> {
        let row = sqlx::query(
            "SELECT source_id FROM filevine_ids \
             WHERE tenant = $1 AND job = $2 AND kind = $3 AND fv_id = $4 AND state = $5 \
             ORDER BY source_id LIMIT 1",
        )
        .bind(&job.tenant)
        .bind(&job.job)
        .bind(kind.to_string())
        .bind(fv_id.as_str())
        .bind(DELIVERED)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed)?;
        row.map(|r| r.try_get("source_id").map_err(failed))
            .transpose()
    }
}
