//! The services' own tables: tenants, users, tokens and sessions, draft jobs with their
//! uploaded files and mapping proposal, the jobs waiting for tfp to split them, and the
//! admin audit log. Every query that reads tenant data filters by the tenant in its WHERE
//! clause.
//!
//! Same `Any` pool approach as the canonical store: SQLite on one machine, PostgreSQL when
//! deployed (the SQL is portable; placeholders are `$n`).

pub mod accounts;
pub mod audit;
pub mod drafts;
pub mod lockouts;
pub mod plans;
pub mod throughput;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS svc_tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svc_users (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svc_tokens (hash TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL, csrf TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT)",
    "CREATE TABLE IF NOT EXISTS svc_jobs (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, mapping TEXT, proposal TEXT, export_path TEXT, error TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (tenant, id))",
    "CREATE TABLE IF NOT EXISTS svc_files (tenant TEXT NOT NULL, job TEXT NOT NULL, name TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (tenant, job, name))",
    "CREATE TABLE IF NOT EXISTS svc_plan_requests (tenant TEXT NOT NULL, id TEXT NOT NULL, requested_at BIGINT NOT NULL, claimed_until BIGINT NOT NULL, PRIMARY KEY (tenant, id))",
    "CREATE TABLE IF NOT EXISTS svc_audit (id TEXT PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svc_analysis_attempts (tenant TEXT NOT NULL, id TEXT NOT NULL, attempts BIGINT NOT NULL, PRIMARY KEY (tenant, id))",
    "CREATE TABLE IF NOT EXISTS svc_lockouts (email TEXT PRIMARY KEY, locked_until BIGINT NOT NULL, failures BIGINT NOT NULL, address TEXT NOT NULL, at BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS svc_throughput (at BIGINT NOT NULL, kind TEXT NOT NULL, batches BIGINT NOT NULL, rows_done BIGINT NOT NULL, PRIMARY KEY (at, kind))",
];

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
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let pool = AnyPoolOptions::new()
            .max_connections(if sqlite { 1 } else { 8 })
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
        let db = Db { pool };
        for stmt in SCHEMA {
            sqlx::query(stmt).execute(&db.pool).await?;
        }
        Ok(db)
    }

    pub async fn open_sqlite(path: &Path) -> Result<Db, sqlx::Error> {
        Db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await
    }

    /// A trivial round trip, for readiness.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }
}
