//! Checks of a job's data before it starts: a full read of the export with the mapping under
//! review (`jobs::check`), asked for by the review and run by tfp. One row per job holds the
//! mapping last asked for and the result of the last check, each with the digest of the
//! mapping it is about, so a result never passes for a mapping it was not made with.

use migrationai_domain::CheckStatus;
use sqlx::Row;

use super::{now, Db};

/// A job's check as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRow {
    pub tenant: String,
    pub id: String,
    /// Digest of the mapping the latest request is about.
    pub wanted: String,
    pub status: CheckStatus,
    /// Digest of the mapping `result` was made with.
    pub result_for: Option<String>,
    /// The result, JSON.
    pub result: Option<String>,
    pub error: Option<String>,
    pub updated_at: i64,
}

fn row(r: &sqlx::any::AnyRow) -> Result<CheckRow, sqlx::Error> {
    Ok(CheckRow {
        tenant: r.try_get("tenant")?,
        id: r.try_get("id")?,
        wanted: r.try_get("wanted")?,
        status: super::status(r)?,
        result_for: r.try_get("result_for")?,
        result: r.try_get("result")?,
        error: r.try_get("error")?,
        updated_at: r.try_get("updated_at")?,
    })
}

const COLUMNS: &str = "tenant, id, wanted, status, result_for, result, error, updated_at";

impl Db {
    /// Asks for a check of the mapping with digest `wanted`; the last result stays until a
    /// new one replaces it.
    pub async fn request_check(
        &self,
        tenant: &str,
        id: &str,
        wanted: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO svc_checks (tenant, id, wanted, status, claimed_until, updated_at) VALUES ($1, $2, $3, $4, 0, $5) \
             ON CONFLICT (tenant, id) DO UPDATE SET wanted = excluded.wanted, status = excluded.status, claimed_until = 0, error = NULL, updated_at = excluded.updated_at",
        )
        .bind(tenant)
        .bind(id)
        .bind(wanted)
        .bind(CheckStatus::Waiting.as_str())
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn check(&self, tenant: &str, id: &str) -> Result<Option<CheckRow>, sqlx::Error> {
        let r = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM svc_checks WHERE tenant = $1 AND id = $2"
        ))
        .bind(tenant)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(row).transpose()
    }

    /// Checks waiting, and checks whose runner's claim lapsed (it crashed), oldest first.
    pub async fn open_checks(&self, now: i64) -> Result<Vec<CheckRow>, sqlx::Error> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM svc_checks WHERE (status = $1 OR status = $2) AND claimed_until < $3 ORDER BY updated_at"
        ))
        .bind(CheckStatus::Waiting.as_str())
        .bind(CheckStatus::Running.as_str())
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row).collect()
    }

    /// Claims the check of `wanted` until `until`, if nobody holds it; true for the caller
    /// that got it.
    pub async fn claim_check(
        &self,
        c: &CheckRow,
        now: i64,
        until: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE svc_checks SET status = $1, claimed_until = $2 WHERE tenant = $3 AND id = $4 AND wanted = $5 AND claimed_until < $6 AND (status = $7 OR status = $1)",
        )
        .bind(CheckStatus::Running.as_str())
        .bind(until)
        .bind(&c.tenant)
        .bind(&c.id)
        .bind(&c.wanted)
        .bind(now)
        .bind(CheckStatus::Waiting.as_str())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Stores the result of checking the mapping `made_for` (the job's mapping when the check
    /// ran, whatever `c` asked for). The check is done, unless another was asked for since
    /// it was claimed: that one then waits its turn.
    pub async fn finish_check(
        &self,
        c: &CheckRow,
        made_for: &str,
        result: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE svc_checks SET result = $1, result_for = $2, error = NULL, claimed_until = 0, updated_at = $3, \
             status = CASE WHEN wanted = $4 THEN $5 ELSE $6 END, \
             wanted = CASE WHEN wanted = $4 THEN $2 ELSE wanted END \
             WHERE tenant = $7 AND id = $8",
        )
        .bind(result)
        .bind(made_for)
        .bind(now())
        .bind(&c.wanted)
        .bind(CheckStatus::Done.as_str())
        .bind(CheckStatus::Waiting.as_str())
        .bind(&c.tenant)
        .bind(&c.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn fail_check(&self, c: &CheckRow, error: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE svc_checks SET status = $1, error = $2, claimed_until = 0, updated_at = $3 WHERE tenant = $4 AND id = $5 AND wanted = $6",
        )
        .bind(CheckStatus::Failed.as_str())
        .bind(error)
        .bind(now())
        .bind(&c.tenant)
        .bind(&c.id)
        .bind(&c.wanted)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
