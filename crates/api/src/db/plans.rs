//! Jobs waiting to be split into batches by tfp. The start endpoint asks; any tfp instance
//! claims a request for a while (renewing the claim while it works), so two instances never
//! split the same job at once and a crashed instance's job is picked up after the claim
//! lapses.

use sqlx::Row;

use super::Db;

/// A job to split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRequest {
    pub tenant: String,
    pub id: String,
}

impl Db {
    /// Asks tfp to split the job; asking twice is one request.
    pub async fn request_plan(&self, tenant: &str, id: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO svc_plan_requests (tenant, id, requested_at, claimed_until) VALUES ($1, $2, $3, 0) ON CONFLICT (tenant, id) DO NOTHING",
        )
        .bind(tenant)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Requests nobody holds a claim on at `now`, oldest first.
    pub async fn open_plan_requests(&self, now: i64) -> Result<Vec<PlanRequest>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT tenant, id FROM svc_plan_requests WHERE claimed_until < $1 ORDER BY requested_at, tenant, id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanRequest {
                    tenant: r.try_get("tenant")?,
                    id: r.try_get("id")?,
                })
            })
            .collect()
    }

    /// Claims the request until `until` if nobody holds it at `now`; true when this caller
    /// got it.
    pub async fn claim_plan(
        &self,
        req: &PlanRequest,
        now: i64,
        until: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE svc_plan_requests SET claimed_until = $1 WHERE tenant = $2 AND id = $3 AND claimed_until < $4",
        )
        .bind(until)
        .bind(&req.tenant)
        .bind(&req.id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Extends a claim this caller holds.
    pub async fn renew_plan(&self, req: &PlanRequest, until: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE svc_plan_requests SET claimed_until = $1 WHERE tenant = $2 AND id = $3",
        )
        .bind(until)
        .bind(&req.tenant)
        .bind(&req.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The job is split (or can never be): the request is done.
    pub async fn finish_plan(&self, req: &PlanRequest) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM svc_plan_requests WHERE tenant = $1 AND id = $2")
            .bind(&req.tenant)
            .bind(&req.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
