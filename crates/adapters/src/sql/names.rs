//! Numbers for the names records repeat on every row (their job's id and their source
//! file's name), so a row holds a small integer where it held up to 36 characters, twice for
//! the job (in the table and in its key). A number, once given, never changes: each process
//! asks the database once per name and remembers the answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use migrationai_ports::store::StoreError;
use sqlx::AnyPool;

/// Tries at giving a name its number before giving up: a try fails only when another writer
/// took the same number for another name in between (PostgreSQL, several writers).
const TRIES: usize = 8;

#[derive(Debug, Clone, Default)]
pub struct Names {
    known: Arc<Mutex<Known>>,
}

#[derive(Debug, Default)]
struct Known {
    numbers: HashMap<(String, String), i64>,
    names: HashMap<(String, i64), String>,
}

fn backend(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl Names {
    fn remember(&self, tenant: &str, name: &str, number: i64) {
        if let Ok(mut k) = self.known.lock() {
            k.numbers
                .insert((tenant.to_string(), name.to_string()), number);
            k.names
                .insert((tenant.to_string(), number), name.to_string());
        }
    }

    /// The number of `name`, or None when it was never given one (nothing stored uses it).
    pub async fn number(
        &self,
        pool: &AnyPool,
        tenant: &str,
        name: &str,
    ) -> Result<Option<i64>, StoreError> {
        let key = (tenant.to_string(), name.to_string());
        if let Some(n) = self
            .known
            .lock()
            .ok()
            .and_then(|k| k.numbers.get(&key).copied())
        {
            return Ok(Some(n));
        }
        let n: Option<i64> =
            sqlx::query_scalar("SELECT number FROM names WHERE tenant = $1 AND name = $2")
                .bind(tenant)
                .bind(name)
                .fetch_optional(pool)
                .await
                .map_err(backend)?;
        if let Some(n) = n {
            self.remember(tenant, name, n);
        }
        Ok(n)
    }

    /// The number of `name`, given now (the tenant's next) when it has none. It commits on
    /// its own, before the rows that use it: a number a failed write leaves costs nothing.
    pub async fn number_given(
        &self,
        pool: &AnyPool,
        tenant: &str,
        name: &str,
    ) -> Result<i64, StoreError> {
        for _ in 0..TRIES {
            if let Some(n) = self.number(pool, tenant, name).await? {
                return Ok(n);
            }
            // DO NOTHING on any conflict: the name got its number meanwhile, or another name
            // took this one (the next try takes the next). The WHERE keeps SQLite from
            // reading ON CONFLICT as part of the SELECT.
            sqlx::query(
                "INSERT INTO names (tenant, name, number) SELECT $1, $2, COALESCE(MAX(number), 0) + 1 FROM names WHERE tenant = $3 ON CONFLICT DO NOTHING",
            )
            .bind(tenant)
            .bind(name)
            .bind(tenant)
            .execute(pool)
            .await
            .map_err(backend)?;
        }
        Err(StoreError::Backend(format!(
            "{name:?} got no number in {TRIES} tries"
        )))
    }

    /// The name numbered `number`; a number nothing names is `StoreError::Data`.
    pub async fn name(
        &self,
        pool: &AnyPool,
        tenant: &str,
        number: i64,
    ) -> Result<String, StoreError> {
        let key = (tenant.to_string(), number);
        if let Some(n) = self
            .known
            .lock()
            .ok()
            .and_then(|k| k.names.get(&key).cloned())
        {
            return Ok(n);
        }
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM names WHERE tenant = $1 AND number = $2")
                .bind(tenant)
                .bind(number)
                .fetch_optional(pool)
                .await
                .map_err(backend)?;
        let name = name.ok_or_else(|| {
            StoreError::Data(format!("no name is numbered {number} for tenant {tenant}"))
        })?;
        self.remember(tenant, &name, number);
        Ok(name)
    }
}
