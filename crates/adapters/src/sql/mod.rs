//! The canonical store over SQL, through sqlx's `Any` driver: the same code and the same
//! migrations serve SQLite (embedded default) and PostgreSQL (a connection string away).
//!
//! [`open`] is the one way to open a database, for the store and for the services' tables
//! alike: it connects and migrates, or checks the schema as a runtime user (see [`migrations`]
//! for why the two are one step).

mod filevine_ids;
mod kind_codes;
pub mod migrations;
mod names;
mod packed;
mod push_ledger;
mod report_text;
pub mod roles;
mod store;

use std::path::Path;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

pub use filevine_ids::SqlIdMap;
pub use migrations::{Schema, Tables};
pub use store::SqlStore;

/// Connects a pool of at most `size` to `url` (`sqlite://...` or `postgres://...`) and, before
/// handing it out, applies the migrations of `tables` (`Schema::Migrate`) or checks that they
/// are applied (`Schema::Expect`: a runtime user that may not change the schema).
pub async fn open(
    url: &str,
    size: PoolSize,
    tables: Tables,
    schema: Schema,
) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    let sqlite = url.starts_with("sqlite:");
    // The store takes whole batches per transaction; the services' tables take single rows.
    let bulk = tables == Tables::Store;
    // SQLite takes one writer at a time; one connection avoids lock upgrades between
    // concurrent transactions (SQLITE_BUSY that no busy timeout resolves).
    let pool = AnyPoolOptions::new()
        .max_connections(size.for_url(url))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite && bulk {
                    // 8 KiB pages for a new store (an existing one keeps its size): a page
                    // holds about 30 records rather than 15, so less of each is left unused.
                    // It must come before WAL, which fixes the page size of a new file.
                    conn.execute("PRAGMA page_size = 8192").await?;
                }
                if sqlite {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 30000").await?;
                }
                if sqlite && bulk {
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    // A 32 MiB page cache keeps the key indexes of a large job in memory
                    // (the default 2 MiB turns every insert into page reads).
                    conn.execute("PRAGMA cache_size = -32768").await?;
                    conn.execute("PRAGMA temp_store = MEMORY").await?;
                    // Checkpoint every 64 MiB of WAL rather than every 4 MiB: the hot
                    // index pages are then written back once per checkpoint, not each time.
                    conn.execute("PRAGMA wal_autocheckpoint = 16384").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?;
    // The tables come from migrations (under an advisory lock on PostgreSQL), never from
    // CREATE statements at start: roles starting together would race on those.
    migrations::prepare(&pool, &tables.migrator(), schema).await?;
    Ok(pool)
}

/// The URL of an SQLite database file, created when missing.
pub fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The most connections one pool may hold. Every process's pools together must fit the
/// database's (or RDS Proxy's) connection limit; README, "Connection budget". A pool on SQLite
/// always holds one (one writer at a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolSize(std::num::NonZeroU32);

impl PoolSize {
    /// A process on one machine (`migrate`, `up`, operator commands): nothing else shares
    /// the database.
    pub const LOCAL: PoolSize = PoolSize::of(8);

    /// `n`, at least one.
    pub const fn of(n: u32) -> PoolSize {
        match std::num::NonZeroU32::new(n) {
            Some(n) => PoolSize(n),
            None => PoolSize(std::num::NonZeroU32::MIN),
        }
    }

    /// The size for a pool on `url`: SQLite pools hold one connection whatever the budget.
    pub fn for_url(self, url: &str) -> u32 {
        if url.starts_with("sqlite:") {
            1
        } else {
            self.0.get()
        }
    }
}

impl std::str::FromStr for PoolSize {
    type Err = String;
    fn from_str(s: &str) -> Result<PoolSize, String> {
        s.trim()
            .parse::<std::num::NonZeroU32>()
            .map(PoolSize)
            .map_err(|_| format!("{s:?} is not a number of connections (1 or more)"))
    }
}

impl std::fmt::Display for PoolSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn applied(pool: &AnyPool) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(pool)
            .await
            .expect("recorded migrations")
    }

    #[tokio::test]
    async fn opening_migrates_and_opening_again_changes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = sqlite_url(&dir.path().join("one.db"));
        let store = open(&url, PoolSize::LOCAL, Tables::Store, Schema::Migrate)
            .await
            .expect("open the store");
        sqlx::query("SELECT count(*) FROM jobs")
            .fetch_one(&store)
            .await
            .expect("the store's tables exist once opened");
        assert_eq!(
            applied(&store).await,
            migrations::store().iter().count() as i64
        );
        // The services' tables in the same database, as on AWS.
        let services = open(&url, PoolSize::LOCAL, Tables::Services, Schema::Migrate)
            .await
            .expect("open the services' tables");
        sqlx::query("SELECT count(*) FROM svc_jobs")
            .fetch_one(&services)
            .await
            .expect("the services' tables exist once opened");
        let both =
            (migrations::store().iter().count() + migrations::services().iter().count()) as i64;
        assert_eq!(applied(&services).await, both);
        let again = open(&url, PoolSize::LOCAL, Tables::Store, Schema::Migrate)
            .await
            .expect("open again");
        assert_eq!(applied(&again).await, both);
    }

    #[tokio::test]
    async fn a_runtime_user_only_checks_the_schema() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = sqlite_url(&dir.path().join("expect.db"));
        let err = open(&url, PoolSize::LOCAL, Tables::Store, Schema::Expect)
            .await
            .expect_err("a database never migrated is behind");
        let text = err.to_string();
        assert!(text.contains("db setup"), "{text}");
        open(&url, PoolSize::LOCAL, Tables::Store, Schema::Migrate)
            .await
            .expect("migrate");
        let checked = open(&url, PoolSize::LOCAL, Tables::Store, Schema::Expect)
            .await
            .expect("an up-to-date schema passes the check");
        assert_eq!(
            applied(&checked).await,
            migrations::store().iter().count() as i64
        );
        // The services' tables were never migrated in this database.
        let err = open(&url, PoolSize::LOCAL, Tables::Services, Schema::Expect)
            .await
            .expect_err("the services' migrations are missing");
        assert!(err.to_string().contains("1001"), "{err}");
    }
}
