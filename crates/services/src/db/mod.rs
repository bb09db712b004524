//! The services' own tables: tenants, users, tokens and sessions, draft jobs with their
//! uploaded files and mapping proposal, the jobs waiting for tfp to split them, and the
//! admin audit log. Every query that reads tenant data filters by the tenant in its WHERE
//! clause.
//!
//! Same `Any` pool approach as the canonical store: SQLite on one machine, PostgreSQL when
//! deployed (the SQL is portable; bind parameters are written `$n`). The tables are made by the
//! services' migrations (`crates/adapters/migrations/services`), run by [`Db::connect`].

pub mod accounts;
pub mod audit;
pub mod checks;
pub mod drafts;
pub mod lockouts;
pub mod plans;
pub mod throughput;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use migrationai_adapters::sql::migrations::{self, Schema};
use migrationai_adapters::sql::PoolSize;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

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

impl Db {
    /// Connects to `url` with a pool of at most `size` and applies the services' migrations,
    /// or (`Schema::Expect`, the runtime user on AWS) checks that they are applied.
    pub async fn connect(url: &str, size: PoolSize, schema: Schema) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(size.for_url(url))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA busy_timeout = 30000").await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        // The tables come from migrations (under an advisory lock on PostgreSQL), never from
        // CREATE statements at start: roles starting together would race on those.
        migrations::prepare(&pool, &migrations::services(), schema)
            .await
            .map_err(|e| sqlx::Error::Configuration(e.into()))?;
        Ok(Db { pool })
    }

    pub async fn open_sqlite(path: &Path) -> Result<Db, sqlx::Error> {
        Db::connect(
            &format!("sqlite://{}?mode=rwc", path.display()),
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
