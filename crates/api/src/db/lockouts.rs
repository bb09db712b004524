//! Accounts locked out of sign-in after too many failed attempts, for the admin console. The
//! lock itself is enforced through the cache (see `auth::limit`); this is its record.

use sqlx::Row;

use super::{now, Db};

#[derive(Debug, Clone)]
pub struct Lockout {
    pub email: String,
    /// Unix time the lock ends.
    pub locked_until: i64,
    pub failures: i64,
    /// The client address of the failure that locked the account.
    pub address: String,
    /// Unix time the lock began.
    pub at: i64,
}

impl From<Lockout> for migrationai_api_types::admin::Lockout {
    fn from(l: Lockout) -> Self {
        Self {
            email: l.email,
            locked_until: l.locked_until,
            failures: l.failures,
            address: l.address,
            at: l.at,
        }
    }
}

impl Db {
    pub async fn record_lockout(
        &self,
        email: &str,
        until: i64,
        failures: i64,
        address: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO svc_lockouts (email, locked_until, failures, address, at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (email) DO UPDATE SET locked_until = $2, failures = $3, address = $4, at = $5",
        )
        .bind(email)
        .bind(until)
        .bind(failures)
        .bind(address)
        .bind(now())
        .execute(&self.pool)
        .await
        .map(|_| ())
    }

    /// Locks still in force at `at`, latest first.
    pub async fn lockouts(&self, at: i64) -> Result<Vec<Lockout>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT email, locked_until, failures, address, at FROM svc_lockouts \
             WHERE locked_until > $1 ORDER BY at DESC, email",
        )
        .bind(at)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Lockout {
                    email: r.try_get("email")?,
                    locked_until: r.try_get("locked_until")?,
                    failures: r.try_get("failures")?,
                    address: r.try_get("address")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }
}
