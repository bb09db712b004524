//! The two PostgreSQL roles of a deployment, made by `migrationai db setup` with the master
//! user (Terraform's AWS provider cannot create PostgreSQL roles):
//!
//! - the **owner** (`NOLOGIN`): owns every table and runs the migrations. Nobody signs in as
//!   it; the master user, a member, takes it with `SET ROLE` for the length of the setup, so
//!   no further password exists to leak.
//! - the **runtime** user (`LOGIN`, the password of its Secrets Manager secret): what every
//!   role connects as. SELECT, INSERT, UPDATE and DELETE on the tables and USAGE on the
//!   sequences, nothing else: no CREATE on the schema, and only an owner may ALTER, DROP or
//!   TRUNCATE a table. Default privileges give it the tables later migrations create.
//!
//! Setup is idempotent: a second run finds the roles (and resets the runtime password to the
//! secret's), transfers nothing new, applies nothing new and grants what is already granted.

use std::str::FromStr;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Executor, Row};

/// A PostgreSQL user name and password. The password never appears in `Debug` output.
#[derive(Clone)]
pub struct Login {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for Login {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Login")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// The names and the runtime user's password.
#[derive(Debug, Clone)]
pub struct DatabaseRoles {
    /// The role that owns the schema's tables (no login).
    pub owner: String,
    pub runtime: Login,
}

/// What a setup did, for the operator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupOutcome {
    /// Roles created by this run (empty on a rerun).
    pub created: Vec<String>,
    /// Tables whose ownership moved to the owner (those an earlier deploy made as master).
    pub transferred: Vec<String>,
    /// Migration versions applied by this run.
    pub applied: Vec<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("database setup: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database setup: migrating: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database setup: {0}")]
    Invalid(String),
}

// Serialises concurrent setups (two deploys at once) on role creation and grants; the
// migrators take their own lock as well.
const SETUP_LOCK: i64 = 0x6d69_6772_6f6c_6573; // "migroles"

/// Creates or updates both roles on the database `master_url` names, connected as its master
/// user, then applies `migrators` as the owner and grants the runtime user what it needs.
pub async fn setup(
    master_url: &str,
    roles: &DatabaseRoles,
    migrators: &[Migrator],
) -> Result<SetupOutcome, SetupError> {
    if roles.owner == roles.runtime.user {
        return Err(SetupError::Invalid(
            "the owner and the runtime user must be different roles".into(),
        ));
    }
    // Statements carry the runtime password: never log them.
    let options = PgConnectOptions::from_str(master_url)?.disable_statement_logging();
    let mut conn = PgConnection::connect_with(&options).await?;
    let result = run(&mut conn, roles, migrators).await;
    // Whatever happened, leave the session as master before the lock goes with it.
    let _ = conn.execute("RESET ROLE").await;
    let _ = conn.close().await;
    result
}

async fn run(
    conn: &mut PgConnection,
    roles: &DatabaseRoles,
    migrators: &[Migrator],
) -> Result<SetupOutcome, SetupError> {
    let mut outcome = SetupOutcome::default();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(SETUP_LOCK)
        .execute(&mut *conn)
        .await?;
    let master: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut *conn)
        .await?;
    if master == roles.owner || master == roles.runtime.user {
        return Err(SetupError::Invalid(format!(
            "run the setup as the master user, not as {master}"
        )));
    }

    let owner = &roles.owner;
    let runtime = &roles.runtime.user;
    if !role_exists(conn, owner).await? {
        ddl(
            conn,
            "SELECT format('CREATE ROLE %I NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', $1::text)",
            &[owner],
        )
        .await?;
        outcome.created.push(owner.clone());
    }
    if role_exists(conn, runtime).await? {
        ddl(
            conn,
            "SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', $1::text, $2::text)",
            &[runtime, &roles.runtime.password],
        )
        .await?;
    } else {
        ddl(
            conn,
            "SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', $1::text, $2::text)",
            &[runtime, &roles.runtime.password],
        )
        .await?;
        outcome.created.push(runtime.clone());
    }
    // The master takes the owner's part during setup (and may hand it its old tables).
    if !member_of(conn, &master, owner).await? {
        ddl(
            conn,
            "SELECT format('GRANT %I TO %I', $1::text, $2::text)",
            &[owner, &master],
        )
        .await?;
    }
    ddl(
        conn,
        "SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), $1::text)",
        &[runtime],
    )
    .await?;
    // PostgreSQL before 15 lets every user create in public; only the owner may.
    conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        .await?;
    ddl(
        conn,
        "SELECT format('GRANT USAGE, CREATE ON SCHEMA public TO %I', $1::text)",
        &[owner],
    )
    .await?;
    ddl(
        conn,
        "SELECT format('GRANT USAGE ON SCHEMA public TO %I', $1::text)",
        &[runtime],
    )
    .await?;

    // Tables an earlier deploy made as master (before these roles) become the owner's; a
    // table's sequences follow it.
    let old: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user ORDER BY tablename",
    )
    .fetch_all(&mut *conn)
    .await?;
    for table in old {
        ddl(
            conn,
            "SELECT format('ALTER TABLE public.%I OWNER TO %I', $1::text, $2::text)",
            &[&table, owner],
        )
        .await?;
        outcome.transferred.push(table);
    }

    ddl(conn, "SELECT format('SET ROLE %I', $1::text)", &[owner]).await?;
    // Before the migrations, so the tables they create are the runtime user's to use too,
    // and so are those of any later migration run by the owner.
    for statement in [
        "SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', $1::text, $2::text)",
        "SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', $1::text, $2::text)",
    ] {
        ddl(conn, statement, &[owner, runtime]).await?;
    }
    for migrator in migrators {
        let before = applied(conn).await?;
        migrator.run(&mut *conn).await?;
        outcome.applied.extend(
            migrator
                .iter()
                .map(|m| m.version)
                .filter(|v| !before.contains(v)),
        );
    }
    for statement in [
        "SELECT format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', $1::text)",
        "SELECT format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', $1::text)",
    ] {
        ddl(conn, statement, &[runtime]).await?;
    }
    conn.execute("RESET ROLE").await?;
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(SETUP_LOCK)
        .execute(&mut *conn)
        .await?;
    Ok(outcome)
}

/// Runs the statement `format_query` builds from `args`: PostgreSQL's own `format` quotes
/// the names (`%I`) and the password (`%L`), which utility statements cannot take as bind
/// parameters.
async fn ddl(
    conn: &mut PgConnection,
    format_query: &str,
    args: &[&String],
) -> Result<(), sqlx::Error> {
    let mut query = sqlx::query(format_query);
    for arg in args {
        query = query.bind(arg.as_str());
    }
    let Some(row) = query.fetch_optional(&mut *conn).await? else {
        return Ok(());
    };
    let statement: String = row.try_get(0)?;
    conn.execute(statement.as_str()).await?;
    Ok(())
}

async fn role_exists(conn: &mut PgConnection, role: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(role)
        .fetch_one(&mut *conn)
        .await
}

async fn member_of(conn: &mut PgConnection, member: &str, role: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT pg_has_role($1, $2, 'MEMBER')")
        .bind(member)
        .bind(role)
        .fetch_one(&mut *conn)
        .await
}

async fn applied(conn: &mut PgConnection) -> Result<Vec<i64>, sqlx::Error> {
    let exists: bool =
        sqlx::query_scalar("SELECT to_regclass('public._sqlx_migrations') IS NOT NULL")
            .fetch_one(&mut *conn)
            .await?;
    if !exists {
        return Ok(Vec::new());
    }
    sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
        .fetch_all(&mut *conn)
        .await
}
