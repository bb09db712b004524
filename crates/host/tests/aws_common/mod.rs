//! Shared setup of the tests that run on the AWS profile: moto (SQS, S3), Redis and
//! PostgreSQL as scripts/services.sh starts them (MIGRATIONAI_TEST_* variables). A missing
//! variable fails the test under CI and skips it, with a notice, otherwise.
#![allow(dead_code)]

pub mod own_postgres;

use std::time::{SystemTime, UNIX_EPOCH};

use migrationai_host::profile::AwsConfig;
use sqlx::Connection;

pub struct AwsEnv {
    pub moto: String,
    pub database: String,
    pub redis: String,
}

fn require(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{var} is not set: run the tests through scripts/test.sh (scripts/services.sh starts moto, Redis and PostgreSQL)")
        }
        _ => {
            eprintln!("SKIPPED: {var} is not set (start the services with scripts/services.sh)");
            None
        }
    }
}

pub fn env() -> Option<AwsEnv> {
    Some(AwsEnv {
        moto: require("MIGRATIONAI_TEST_SQS_ENDPOINT")?,
        database: require("MIGRATIONAI_TEST_DATABASE_URL")?,
        redis: require("MIGRATIONAI_TEST_REDIS_URL")?,
    })
}

/// The PostgreSQL binaries (initdb, pg_ctl) scripts/services.sh found, for tests that start a
/// server of their own.
pub fn pg_bin() -> Option<std::path::PathBuf> {
    require("MIGRATIONAI_TEST_PG_BIN").map(Into::into)
}

/// Lower-case, unique to this process and moment.
pub fn unique(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000_000)
        .unwrap_or(0);
    format!("{tag}{}x{nanos:x}", std::process::id())
}

/// A new empty database on the test cluster; returns its URL.
pub async fn fresh_database(admin_url: &str, name: &str) -> String {
    let mut conn = sqlx::postgres::PgConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .expect("create database");
    let (base, query) = admin_url.split_once('?').unwrap_or((admin_url, ""));
    let server = base.rsplit_once('/').map(|(s, _)| s).unwrap_or(base);
    if query.is_empty() {
        format!("{server}/{name}")
    } else {
        format!("{server}/{name}?{query}")
    }
}

/// The runtime user's password in the tests (URL-safe; `pg_roles` tests quoting).
pub const RUNTIME_PASSWORD: &str = "runtime-pw";

/// A new database set up as `migrationai db setup` does (owner `{id}_owner`, runtime user
/// `{id}_runtime`), connected as the test's superuser in the master's place; the runtime
/// user's URL, which is what every role on the AWS profile connects with.
pub async fn runtime_database(admin_url: &str, id: &str) -> String {
    use migrationai_adapters::sql::{migrations, roles};
    let master = fresh_database(admin_url, &format!("db_{id}")).await;
    let roles = roles::DatabaseRoles {
        owner: format!("{id}_owner"),
        runtime: roles::Login {
            user: format!("{id}_runtime"),
            password: RUNTIME_PASSWORD.into(),
        },
    };
    roles::setup(
        &master,
        &roles,
        &[migrations::store(), migrations::services()],
    )
    .await
    .expect("database setup");
    with_login(&master, &roles.runtime.user, RUNTIME_PASSWORD)
}

/// `url` with another user and (URL-safe) password.
pub fn with_login(url: &str, user: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("url scheme");
    let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    format!("{scheme}://{user}:{password}@{host}")
}

/// Creates a bucket on moto (an unsigned PUT is enough there).
pub async fn create_bucket(endpoint: &str, bucket: &str) {
    let url = format!("{}/{bucket}", endpoint.trim_end_matches('/'));
    let response = reqwest::Client::new()
        .put(&url)
        .send()
        .await
        .expect("create bucket on moto");
    assert!(
        response.status().is_success(),
        "create bucket: {}",
        response.status()
    );
}

/// An AWS profile on moto with its own queue prefix, bucket and database.
pub async fn aws_config(env: &AwsEnv, tag: &str) -> AwsConfig {
    let id = unique(tag);
    let bucket = format!("b-{id}");
    create_bucket(&env.moto, &bucket).await;
    AwsConfig {
        region: Some("us-east-1".into()),
        sqs_endpoint: Some(env.moto.clone()),
        s3_endpoint: Some(env.moto.clone()),
        secrets_endpoint: Some(env.moto.clone()),
        static_keys: Some(("testing".into(), "testing".into())),
        bucket,
        sse: "AES256".into(),
        kms_key_id: None,
        redis: Some(migrationai_adapters::aws::RedisSettings {
            url: env.redis.clone(),
            ..Default::default()
        }),
        database_url: Some(runtime_database(&env.database, &id).await.into()),
        secrets: Default::default(),
        queue_urls: Default::default(),
        name_prefix: format!("{id}-"),
        ensure_queues: true,
        read: Default::default(),
    }
}

/// A child process with exactly the environment the Terraform gives every role on `aws`, on
/// moto at `endpoint`: nothing inherited but PATH. Each test adds the database (URL or secret),
/// its data directory and what its role needs.
pub fn role_env<'c>(
    command: &'c mut std::process::Command,
    aws: &AwsConfig,
    endpoint: &str,
) -> &'c mut std::process::Command {
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("MIGRATIONAI_PROFILE", "aws")
        .env("MIGRATIONAI_ENV", "prod")
        .env("MIGRATIONAI_BUCKET", &aws.bucket)
        .env("MIGRATIONAI_AWS_ENDPOINT", endpoint)
        .env("MIGRATIONAI_QUEUE_PREFIX", &aws.name_prefix)
}

/// The database URL of `aws`, for a child process's environment or a test's own connection.
#[allow(dead_code)]
pub fn database_url(aws: &migrationai_host::profile::AwsConfig) -> String {
    use secrecy::ExposeSecret;
    aws.database_url
        .as_ref()
        .map(|u| u.expose_secret().to_owned())
        .unwrap_or_default()
}
