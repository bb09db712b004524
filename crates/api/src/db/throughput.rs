//! Throughput samples: cumulative counters per entity kind (batches processed, source rows
//! loaded or rejected) taken by the admin roles' samplers. Counters, not rates, are kept so
//! that any number of processes can sample into the same table: each sample is a reading of
//! the same ever-growing total, and rates are worked out on reading.

use migrationai_domain::Kind;
use sqlx::Row;

use super::Db;

/// One reading of the totals of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub at: i64,
    pub kind: Kind,
    pub batches: i64,
    pub rows: i64,
}

impl Db {
    /// Stores one reading per kind; a reading at the same second by another process is kept
    /// as the first one wrote it.
    pub async fn add_samples(&self, samples: &[Sample]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for s in samples {
            sqlx::query(
                "INSERT INTO svc_throughput (at, kind, batches, rows_done) VALUES ($1, $2, $3, $4) ON CONFLICT (at, kind) DO NOTHING",
            )
            .bind(s.at)
            .bind(s.kind.as_str())
            .bind(s.batches)
            .bind(s.rows)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Readings taken at or after `since`, oldest first.
    pub async fn samples_since(&self, since: i64) -> Result<Vec<Sample>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT at, kind, batches, rows_done FROM svc_throughput WHERE at >= $1 ORDER BY at, kind",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Sample {
                    at: r.try_get("at")?,
                    kind: r
                        .try_get::<String, _>("kind")?
                        .parse::<Kind>()
                        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                    batches: r.try_get("batches")?,
                    rows: r.try_get("rows_done")?,
                })
            })
            .collect()
    }

    /// Forgets readings older than `before` (the chart shows the last hour).
    pub async fn prune_samples(&self, before: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM svc_throughput WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}
