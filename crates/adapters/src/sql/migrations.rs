//! Every table of the SQL database comes from a sqlx migrator: the store's (`migrations/store`)
//! and the services' (`migrations/services`). Nothing creates a table at start any other way.
//!
//! The migrators run in one place: [`super::open`], the one way to open a database, applies
//! the migrations of the tables asked for before it hands the pool out. Opening is migrating,
//! so no caller holds a pool on tables that may not exist yet, and no caller has a second
//! step to forget; the migrators are idempotent, so every process start runs them.
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
use sqlx::{AnyPool, Connection, Row};

/// The tables a pool is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tables {
    /// The canonical store's: tenants, jobs, batches, records, rejects, links, failures,
    /// and the id map of deliveries into Filevine.
    Store,
    /// The services' own.
    Services,
}

impl Tables {
    /// The migrations that make these tables.
    pub fn migrator(self) -> Migrator {
        match self {
            Tables::Store => store(),
            Tables::Services => services(),
        }
    }
}

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

/// Runs `migrator` on a connection of its own; after a failure the connection is closed
/// rather than returned to the pool, so its advisory lock goes with it.
pub async fn apply(migrator: &Migrator, pool: &AnyPool) -> Result<(), MigrateError> {
    let mut conn = pool.acquire().await?;
    let result = migrator.run_direct(&mut *conn).await;
    if result.is_err() {
        // Released on the server before the connection goes: a closed connection's locks go
        // only when its backend exits, which a busy server does a moment later.
        if conn.backend_name() == "PostgreSQL" {
            if let Err(e) = sqlx::query("SELECT pg_advisory_unlock_all()")
                .execute(&mut *conn)
                .await
            {
                tracing::warn!(error = %e, "releasing the advisory locks of a failed migration");
            }
        }
        if let Err(e) = conn.detach().close().await {
            tracing::warn!(error = %e, "closing the connection of a failed migration");
        }
    }
    result
}

/// What a process does with the schema when it opens the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Apply the migrations that are missing (one machine, local PostgreSQL, `db setup`).
    Migrate,
    /// Only check that every migration is applied: a runtime user on AWS has no right to
    /// change the schema, which `migrationai db setup` brings up to date once per deploy.
    Expect,
}

/// The schema is not what this build needs.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error(
        "the database schema is behind this build (migrations {missing} are not applied): \
         run `migrationai db setup` with the master secret first; a role running as the \
         runtime user never changes the schema{detail}"
    )]
    Behind { missing: String, detail: String },
    #[error(transparent)]
    Query(#[from] sqlx::Error),
}

impl From<SchemaError> for sqlx::Error {
    fn from(e: SchemaError) -> sqlx::Error {
        match e {
            SchemaError::Migrate(e) => sqlx::Error::Migrate(Box::new(e)),
            SchemaError::Query(e) => e,
            behind @ SchemaError::Behind { .. } => sqlx::Error::Configuration(Box::new(behind)),
        }
    }
}

/// Applies `migrator` on `pool` (`Schema::Migrate`) or checks that its database has every
/// one of `migrator`'s versions (`Schema::Expect`), without any statement that needs more
/// than SELECT.
pub async fn prepare(
    pool: &AnyPool,
    migrator: &Migrator,
    schema: Schema,
) -> Result<(), SchemaError> {
    match schema {
        Schema::Migrate => Ok(apply(migrator, pool).await?),
        Schema::Expect => expect_applied(pool, migrator).await,
    }
}

async fn expect_applied(pool: &AnyPool, migrator: &Migrator) -> Result<(), SchemaError> {
    let wanted: Vec<i64> = migrator.iter().map(|m| m.version).collect();
    let applied: Vec<i64> =
        match sqlx::query("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_all(pool)
            .await
        {
            Ok(rows) => rows
                .iter()
                .map(|r| r.try_get::<i64, _>(0))
                .collect::<Result<_, _>>()?,
            // No migration table at all: nothing was ever applied (or the user cannot see it).
            Err(sqlx::Error::Database(e)) => {
                return Err(SchemaError::Behind {
                    missing: "all".into(),
                    detail: format!(" ({})", e.message()),
                })
            }
            Err(e) => return Err(e.into()),
        };
    let missing: Vec<String> = wanted
        .iter()
        .filter(|v| !applied.contains(v))
        .map(i64::to_string)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(SchemaError::Behind {
            missing: missing.join(", "),
            detail: String::new(),
        })
    }
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
