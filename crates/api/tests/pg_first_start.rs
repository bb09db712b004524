//! First start on PostgreSQL: every role that opens the database, started at once against
//! one fresh database, comes up. The services' tables and the store's are made by sqlx
//! migrators (which hold a `pg_advisory_lock` while they run), so concurrent first starts
//! never race on `CREATE TABLE` (`duplicate key ... pg_type_typname_nsp_index`). Runs under
//! scripts/services.sh; skipped (with a notice) without its variables, failed under CI.

#[path = "../../host/tests/aws_common/mod.rs"]
mod aws_common;

use migrationai_api::db::Db;
use migrationai_api::Settings;
use migrationai_host::{open, Config};
use sqlx::Connection;
use std::sync::{Arc, Barrier};

/// The services' tables as the CREATE strings run at start made them before migrations.
const BEFORE_MIGRATIONS: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS svc_tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svc_users (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svc_tokens (hash TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL, csrf TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT)",
    "CREATE TABLE IF NOT EXISTS svc_jobs (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, mapping TEXT, proposal TEXT, export_path TEXT, error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, id))",
    "CREATE TABLE IF NOT EXISTS svc_files (tenant TEXT NOT NULL, job TEXT NOT NULL, name TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (tenant, job, name))",
    "CREATE TABLE IF NOT EXISTS svc_plan_requests (tenant TEXT NOT NULL, id TEXT NOT NULL, requested_at BIGINT NOT NULL, claimed_until BIGINT NOT NULL, PRIMARY KEY (tenant, id))",
    "CREATE TABLE IF NOT EXISTS svc_audit (id TEXT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svc_checks (tenant TEXT NOT NULL, id TEXT NOT NULL, wanted TEXT NOT NULL, status TEXT NOT NULL, result_for TEXT, result TEXT, error TEXT, claimed_until BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, id))",
    "CREATE TABLE IF NOT EXISTS svc_analysis_attempts (tenant TEXT NOT NULL, id TEXT NOT NULL, attempts BIGINT NOT NULL, PRIMARY KEY (tenant, id))",
    "CREATE TABLE IF NOT EXISTS svc_lockouts (email TEXT PRIMARY KEY, locked_until BIGINT NOT NULL, failures BIGINT NOT NULL, address TEXT NOT NULL, at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svc_throughput (at BIGINT NOT NULL, kind TEXT NOT NULL, batches BIGINT NOT NULL, rows_done BIGINT NOT NULL, PRIMARY KEY (at, kind))",
];

/// How the roles open the database: api, admin-api and tfp through `open::state` (the
/// store, then the services' tables), two workers through `open::services` (the store).
async fn open_role(index: usize, url: String, data_dir: std::path::PathBuf) -> anyhow::Result<()> {
    // The services' tables live in the store's database.
    let config = Config {
        store_url: Some(url.into()),
        ..Config::embedded(data_dir)
    };
    if index < 3 {
        open::state(&config, Settings::default())
            .await
            .map(|_| ())?;
    } else {
        open::services(&config).await.map(|_| ())?;
    }
    Ok(())
}

#[tokio::test]
async fn five_roles_start_together_on_a_fresh_database() {
    let Some(env) = aws_common::env() else {
        return;
    };
    for round in 0..5 {
        let url =
            aws_common::fresh_database(&env.database, &aws_common::unique("first_start_")).await;
        let dirs: Vec<tempfile::TempDir> = (0..5)
            .map(|_| tempfile::tempdir().expect("tempdir"))
            .collect();
        // One thread and runtime per role, as separate processes have, released together.
        let start = Arc::new(Barrier::new(dirs.len()));
        let roles: Vec<_> = dirs
            .iter()
            .enumerate()
            .map(|(index, dir)| {
                let (url, dir, start) = (url.clone(), dir.path().to_path_buf(), start.clone());
                std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    start.wait();
                    runtime.block_on(open_role(index, url, dir))
                })
            })
            .collect();
        let failures: Vec<String> = roles
            .into_iter()
            .filter_map(|role| role.join().expect("role thread").err())
            .map(|e| format!("{e:#}"))
            .collect();
        assert!(
            failures.is_empty(),
            "round {round}: {} of 5 roles failed to open: {failures:?}",
            failures.len()
        );

        // Every table came from a migrator, each migration recorded once.
        let mut conn = sqlx::postgres::PgConnection::connect(&url)
            .await
            .expect("connect");
        let applied: Vec<(i64, bool)> =
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&mut conn)
                .await
                .expect("migrations");
        let store = migrationai_adapters::sql::migrations::store();
        let services = migrationai_adapters::sql::migrations::services();
        let expected: Vec<(i64, bool)> = store
            .iter()
            .chain(services.iter())
            .map(|m| (m.version, true))
            .collect();
        assert_eq!(applied, expected, "round {round}");
        let svc_tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'svc\\_%'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("tables");
        assert_eq!(svc_tables, BEFORE_MIGRATIONS.len() as i64, "round {round}");
    }
}

/// A database whose services' tables the old CREATE strings made (and which holds data)
/// opens: the first migration keeps tables that exist (`IF NOT EXISTS`) and is recorded.
async fn opens_a_database_made_before_migrations(url: &str) {
    {
        let db = sqlx::AnyPool::connect(url).await.expect("connect");
        for stmt in BEFORE_MIGRATIONS {
            sqlx::query(stmt).execute(&db).await.expect("old schema");
        }
        sqlx::query("INSERT INTO svc_tenants (id, name, created_at) VALUES ('t1', 'Firm', 1)")
            .execute(&db)
            .await
            .expect("old row");
        db.close().await;
    }
    let db = Db::connect(
        url,
        migrationai_adapters::sql::PoolSize::LOCAL,
        migrationai_adapters::sql::migrations::Schema::Migrate,
    )
    .await
    .expect("open an old database");
    let name: String = sqlx::query_scalar("SELECT name FROM svc_tenants WHERE id = 't1'")
        .fetch_one(&db.pool)
        .await
        .expect("old row kept");
    assert_eq!(name, "Firm");
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&db.pool)
        .await
        .expect("recorded");
    assert_eq!(
        recorded,
        migrationai_adapters::sql::migrations::services()
            .iter()
            .count() as i64
    );
    // Opening again applies nothing new.
    Db::connect(
        url,
        migrationai_adapters::sql::PoolSize::LOCAL,
        migrationai_adapters::sql::migrations::Schema::Migrate,
    )
    .await
    .expect("open again");
}

#[tokio::test]
async fn an_old_postgres_database_opens() {
    let Some(env) = aws_common::env() else {
        return;
    };
    sqlx::any::install_default_drivers();
    let url = aws_common::fresh_database(&env.database, &aws_common::unique("old_svc_")).await;
    opens_a_database_made_before_migrations(&url).await;
}

#[tokio::test]
async fn an_old_sqlite_database_opens() {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("services.db").display()
    );
    opens_a_database_made_before_migrations(&url).await;
}

/// sqlx unlocks its advisory lock only after a successful run. A migration that fails must
/// not leave the lock held by a pooled connection, or every later start waits on it.
#[tokio::test]
async fn a_failed_migration_does_not_keep_the_lock() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let name = aws_common::unique("failed_migration_");
    let url = aws_common::fresh_database(&env.database, &name).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .expect("pool");
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("1_good.sql"), "CREATE TABLE t (id INT);").expect("write");
    std::fs::write(
        dir.path().join("2_bad.sql"),
        "SELECT no_such_column FROM t;",
    )
    .expect("write");
    let failing = sqlx::migrate::Migrator::new(dir.path())
        .await
        .expect("migrator");
    let failed = migrationai_adapters::sql::migrations::apply(&failing, &pool).await;
    assert!(failed.is_err(), "the bad migration should fail: {failed:?}");

    let mut other = sqlx::PgConnection::connect(&url)
        .await
        .expect("a second connection");
    let held: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND a.datname = $1",
    )
    .bind(&name)
    .fetch_one(&mut other)
    .await
    .expect("count advisory locks");
    assert_eq!(held, 0, "the failed run's advisory lock is still held");

    // A corrected set then applies without waiting on anyone.
    std::fs::write(dir.path().join("2_bad.sql"), "SELECT id FROM t;").expect("write");
    let fixed = sqlx::migrate::Migrator::new(dir.path())
        .await
        .expect("migrator");
    tokio::time::timeout(
        std::time::Duration::from_secs(30),
        migrationai_adapters::sql::migrations::apply(&fixed, &pool),
    )
    .await
    .expect("the lock was free")
    .expect("the corrected migrations apply");
}
