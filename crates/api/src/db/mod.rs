//! The services' own tables: tenants, users, tokens and sessions, draft jobs with their
//! uploaded files and mapping proposal, the jobs waiting for tfp to split them, and the
//! admin audit log. Every query that reads tenant data filters by the tenant in its WHERE
//! clause.
//!
//! Same `Any` pool approach as the canonical store: SQLite on one machine, PostgreSQL when
//! deployed (the SQL is portable; bind parameters are written `$n`). The database is opened the
//! one way every database is (`migrationai_adapters::sql::open`), which applies the services'
//! migrations (`crates/adapters/migrations/services`) before [`Db::connect`] returns.

pub mod accounts;
pub mod audit;
pub mod checks;
pub mod drafts;
pub mod lockouts;
pub mod plans;
pub mod throughput;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use migrationai_adapters::sql::{PoolSize, Schema, Tables};
use migrationai_domain::UnknownStatus;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A row's `status` column as its state machine's status; a word the machine does not know
/// is a decode error naming it, not a guess.
fn status<T: std::str::FromStr<Err = UnknownStatus>>(r: &AnyRow) -> Result<T, sqlx::Error> {
    word(r, "status")
}

/// A column that stores one word of a closed set (a status, a role, a token's kind) as its
/// type; a word the type does not know is a decode error naming it.
fn word<T>(r: &AnyRow, column: &str) -> Result<T, sqlx::Error>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let word: String = r.try_get(column)?;
    word.parse().map_err(|e| sqlx::Error::ColumnDecode {
        index: column.into(),
        source: Box::new(e),
    })
}

impl Db {
    /// Opens the services' tables at `url` with a pool of at most `size`: migrated, or
    /// (`Schema::Expect`, the runtime user on AWS) checked to be up to date.
    pub async fn connect(url: &str, size: PoolSize, schema: Schema) -> Result<Db, sqlx::Error> {
        let pool = migrationai_adapters::sql::open(url, size, Tables::Services, schema).await?;
        Ok(Db { pool })
    }

    /// Opens (creating when missing) an SQLite database file.
    pub async fn open_sqlite(path: &Path) -> Result<Db, sqlx::Error> {
        Db::connect(
            &migrationai_adapters::sql::sqlite_url(path),
            PoolSize::LOCAL,
            Schema::Migrate,
        )
        .await
    }

    /// A trivial round trip, for readiness.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}
