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

use migrationai_adapters::sql::PoolSize;
use migrationai_domain::UnknownStatus;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor, Row};

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
    let word: String = r.try_get("status")?;
    word.parse().map_err(|e| sqlx::Error::ColumnDecode {
        index: "status".into(),
        source: Box::new(e),
    })
}

impl Db {
    /// Connects to `url` with a pool of at most `size` and applies the services' migrations.
    pub async fn connect(url: &str, size: PoolSize) -> Result<Db, sqlx::Error> {
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
        migrationai_adapters::sql::migrations::migrate_services(&pool).await?;
        Ok(Db { pool })
    }

    pub async fn open_sqlite(path: &Path) -> Result<Db, sqlx::Error> {
        Db::connect(
            &format!("sqlite://{}?mode=rwc", path.display()),
            PoolSize::LOCAL,
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
