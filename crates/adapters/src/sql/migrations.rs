//! Every table of the SQL database comes from a sqlx migrator: the store's (`migrations/store`)
//! and the services' (`migrations/services`). Nothing creates a table at start any other way.
//!
//! On PostgreSQL a migrator holds `pg_advisory_lock` (keyed on the database's name) from
//! before it creates `_sqlx_migrations` until it has applied everything, so roles starting
//! together against a fresh database take turns: the first applies, the others find the
//! migrations recorded. SQLite needs no lock (one writer at a time).
//!
//! sqlx releases that lock only when the run succeeds. A run that fails part-way would leave
//! it held by the pooled connection, and every later start would wait on it for ever, so
//! [`apply`] runs each migrator on a connection of its own and closes it after a failure:
//! ending the session is what releases a session-level advisory lock.
//!
//! On AWS both sets share one database and one `_sqlx_migrations` table, so their versions are
//! kept apart (the store's from 1, the services' from 1001) and each migrator ignores the
//! other's applied versions instead of calling them missing.

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::{AnyPool, Connection};

/// The services' versions start here; the store's stay below.
pub const SERVICES_FIRST_VERSION: i64 = 1001;

/// The canonical store's migrations.
pub fn store() -> Migrator {
    shared(sqlx::migrate!("./migrations/store"))
}

/// The services' tables: accounts, tokens, drafts, plan requests, audit, checks, lockouts,
/// throughput.
pub fn services() -> Migrator {
    shared(sqlx::migrate!("./migrations/services"))
}

fn shared(mut migrator: Migrator) -> Migrator {
    migrator.set_ignore_missing(true);
    migrator
}

/// Applies the store's migrations that `pool`'s database has not recorded.
pub async fn migrate_store(pool: &AnyPool) -> Result<(), MigrateError> {
    apply(&store(), pool).await
}

/// Applies the services' migrations that `pool`'s database has not recorded.
pub async fn migrate_services(pool: &AnyPool) -> Result<(), MigrateError> {
    apply(&services(), pool).await
}

/// Runs `migrator` on a connection of its own; after a failure the connection is closed
/// rather than returned to the pool, so its advisory lock goes with it.
pub async fn apply(migrator: &Migrator, pool: &AnyPool) -> Result<(), MigrateError> {
    let mut conn = pool.acquire().await?;
    let result = migrator.run_direct(&mut *conn).await;
    if result.is_err() {
        if let Err(e) = conn.detach().close().await {
            tracing::warn!(error = %e, "closing the connection of a failed migration");
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_sets_of_versions_never_meet() {
        let store: Vec<i64> = store().iter().map(|m| m.version).collect();
        let services: Vec<i64> = services().iter().map(|m| m.version).collect();
        assert!(!store.is_empty() && !services.is_empty());
        assert!(
            store.iter().all(|v| *v < SERVICES_FIRST_VERSION),
            "{store:?}"
        );
        assert!(
            services.iter().all(|v| *v >= SERVICES_FIRST_VERSION),
            "{services:?}"
        );
    }
}
