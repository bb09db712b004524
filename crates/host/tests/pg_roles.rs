//! The two database users on real PostgreSQL (`migrationai db setup`): the runtime user keeps
//! the store's contract but cannot create, drop, alter or truncate a table; setup runs again
//! without change; tables a later migration creates reach the runtime user; a deployment whose
//! tables the master user made is handed over to the owner; the roles refuse a schema that is
//! behind. Runs under scripts/services.sh; skipped (with a notice) without its variables,
//! failed under CI.

mod aws_common;
#[path = "../../pipeline/tests/store.rs"]
mod store_contract;

use migrationai_adapters::sql::migrations::{self, Schema};
use migrationai_adapters::sql::roles::{self, DatabaseRoles, Login, SetupOutcome};
use migrationai_adapters::sql::{PoolSize, SqlStore, Tables};
use sqlx::{Connection, Executor};

fn roles_for(id: &str) -> DatabaseRoles {
    DatabaseRoles {
        owner: format!("{id}_owner"),
        runtime: Login {
            user: format!("{id}_runtime"),
            password: aws_common::RUNTIME_PASSWORD.into(),
        },
    }
}

async fn setup(master: &str, roles: &DatabaseRoles) -> SetupOutcome {
    roles::setup(
        master,
        roles,
        &[migrations::store(), migrations::services()],
    )
    .await
    .expect("setup")
}

/// Runs `sql` and returns PostgreSQL's SQLSTATE when it fails.
async fn refused(conn: &mut sqlx::PgConnection, sql: &str) -> Option<String> {
    match conn.execute(sql).await {
        Ok(_) => None,
        Err(sqlx::Error::Database(e)) => e.code().map(|c| c.into_owned()),
        Err(e) => panic!("{sql}: {e}"),
    }
}

const INSUFFICIENT_PRIVILEGE: &str = "42501";

#[tokio::test]
async fn the_runtime_user_keeps_the_contract_but_cannot_change_the_schema() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let id = aws_common::unique("roles");
    let master = aws_common::fresh_database(&env.database, &format!("db_{id}")).await;
    let roles = roles_for(&id);
    let outcome = setup(&master, &roles).await;
    assert_eq!(
        outcome.created,
        vec![roles.owner.clone(), roles.runtime.user.clone()]
    );
    let every: Vec<i64> = migrations::store()
        .iter()
        .chain(migrations::services().iter())
        .map(|m| m.version)
        .collect();
    assert_eq!(outcome.applied, every);

    let runtime_url =
        aws_common::with_login(&master, &roles.runtime.user, aws_common::RUNTIME_PASSWORD);
    let store = SqlStore::connect(&runtime_url, PoolSize::LOCAL, Schema::Expect)
        .await
        .expect("connect as the runtime user");
    for migrator in [migrations::store(), migrations::services()] {
        migrations::prepare(store.pool(), &migrator, Schema::Expect)
            .await
            .expect("the schema is current");
    }
    store_contract::contract(&store).await;

    let mut conn = sqlx::PgConnection::connect(&runtime_url)
        .await
        .expect("connect as the runtime user");
    let user: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&mut conn)
        .await
        .expect("current user");
    assert_eq!(user, roles.runtime.user);
    for sql in [
        "CREATE TABLE intruder (id INTEGER)",
        "ALTER TABLE jobs ADD COLUMN intruder TEXT",
        "TRUNCATE jobs",
        "DROP TABLE jobs",
        "DROP TABLE svc_users",
        "CREATE INDEX intruder ON jobs (name)",
    ] {
        assert_eq!(
            refused(&mut conn, sql).await.as_deref(),
            Some(INSUFFICIENT_PRIVILEGE),
            "the runtime user ran {sql}"
        );
    }
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs")
        .fetch_one(&mut conn)
        .await
        .expect("the table is still there, rows and all");
    assert!(jobs > 0);
}

#[tokio::test]
async fn setup_reruns_hands_over_old_tables_and_grants_later_ones() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let id = aws_common::unique("rerun");
    let master = aws_common::fresh_database(&env.database, &format!("db_{id}")).await;
    // A deployment from before the two users: the master user made every table.
    {
        sqlx::any::install_default_drivers();
        let pool = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&master)
            .await
            .expect("connect as master");
        migrations::store().run(&pool).await.expect("old migrate");
        sqlx::query("INSERT INTO tenants (id, name, created_at) VALUES ('t', 'old', 1)")
            .execute(&pool)
            .await
            .expect("old row");
        pool.close().await;
    }
    let roles = roles_for(&id);
    let first = setup(&master, &roles).await;
    assert!(first.transferred.contains(&"jobs".to_owned()), "{first:?}");
    assert!(first.transferred.contains(&"_sqlx_migrations".to_owned()));
    assert!(
        first
            .applied
            .iter()
            .all(|v| *v >= migrations::SERVICES_FIRST_VERSION),
        "only the services' migrations were missing: {first:?}"
    );

    let again = setup(&master, &roles).await;
    assert_eq!(again, SetupOutcome::default(), "a rerun changes nothing");

    let runtime_url =
        aws_common::with_login(&master, &roles.runtime.user, aws_common::RUNTIME_PASSWORD);
    let mut runtime = sqlx::PgConnection::connect(&runtime_url)
        .await
        .expect("connect as the runtime user");
    let old: String = sqlx::query_scalar("SELECT name FROM tenants WHERE id = 't'")
        .fetch_one(&mut runtime)
        .await
        .expect("the runtime user reads the old table");
    assert_eq!(old, "old");

    // A later migration, run by the owner as setup runs them: its table is the runtime
    // user's to use with no further grant.
    let mut owner = sqlx::PgConnection::connect(&master)
        .await
        .expect("connect as master");
    owner
        .execute(format!("SET ROLE \"{}\"", roles.owner).as_str())
        .await
        .expect("set role");
    owner
        .execute("CREATE TABLE later (id BIGSERIAL PRIMARY KEY, note TEXT NOT NULL)")
        .await
        .expect("later table");
    runtime
        .execute("INSERT INTO later (note) VALUES ('written')")
        .await
        .expect("the runtime user writes a later table (and its sequence)");
    runtime
        .execute("UPDATE later SET note = 'updated'")
        .await
        .expect("update");
    let note: String = sqlx::query_scalar("SELECT note FROM later")
        .fetch_one(&mut runtime)
        .await
        .expect("read");
    assert_eq!(note, "updated");
    runtime.execute("DELETE FROM later").await.expect("delete");
    assert_eq!(
        refused(&mut runtime, "DROP TABLE later").await.as_deref(),
        Some(INSUFFICIENT_PRIVILEGE)
    );
}

#[tokio::test]
async fn roles_refuse_a_schema_that_is_behind() {
    let Some(env) = aws_common::env() else {
        return;
    };
    sqlx::any::install_default_drivers();
    let url = aws_common::fresh_database(&env.database, &aws_common::unique("behind_")).await;
    let Err(err) = SqlStore::connect(&url, PoolSize::LOCAL, Schema::Expect).await else {
        panic!("nothing is applied, yet the schema check passed");
    };
    assert!(err.to_string().contains("migrationai db setup"), "{err}");
    SqlStore::connect(&url, PoolSize::LOCAL, Schema::Migrate)
        .await
        .expect("migrate");
    SqlStore::connect(&url, PoolSize::LOCAL, Schema::Expect)
        .await
        .expect("now current");
    let err =
        migrationai_adapters::sql::open(&url, PoolSize::LOCAL, Tables::Services, Schema::Expect)
            .await
            .expect_err("the services' migrations are not applied");
    assert!(err.to_string().contains("1001"), "{err}");
}
