//! What the AWS adapter tests need from scripts/services.sh: endpoints of moto, Redis and
//! PostgreSQL in MIGRATIONAI_TEST_* variables. Missing: a failure under CI, a printed skip
//! otherwise.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region};
use migrationai_adapters::aws::{s3_blob_store, S3Settings, SqsQueue, SqsSettings, Sse};
use migrationai_ports::blob::BlobStore;

/// The variable's value; `None` (after printing why) when the test should skip.
pub fn require(var: &str) -> Option<String> {
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

/// A name prefix unique to this test process, so runs can share one moto server.
pub fn unique(tag: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{tag}{}x{nanos:x}-", std::process::id())
}

pub const KEYS: (&str, &str) = ("testing", "testing");

/// The URL of a new, empty PostgreSQL database of its own on the server scripts/services.sh
/// started (named `<tag>_<pid>_<micros>`); `None` when the test should skip.
pub async fn fresh_postgres(tag: &str) -> Option<String> {
    use sqlx::Connection;
    let admin = require("MIGRATIONAI_TEST_DATABASE_URL")?;
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    let name = format!("{tag}_{}_{micros}", std::process::id());
    let mut conn = sqlx::postgres::PgConnection::connect(&admin)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .await
        .expect("create database");
    let (base, query) = admin.split_once('?').unwrap_or((admin.as_str(), ""));
    let server = base.rsplit_once('/').map(|(s, _)| s).unwrap_or(base);
    Some(format!("{server}/{name}?{query}"))
}

pub fn sqs_at(endpoint: &str, prefix: &str) -> SqsQueue {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(KEYS.0, KEYS.1, None, None, "test"))
        .build();
    SqsQueue::new(
        aws_sdk_sqs::Client::from_conf(config),
        &SqsSettings {
            name_prefix: prefix.to_owned(),
            ..SqsSettings::default()
        },
    )
}

/// Creates a bucket on moto (a plain PUT) and opens a blob store on it.
pub async fn bucket_at(endpoint: &str, bucket: &str, sse: Sse) -> BlobStore {
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
    s3_blob_store(&S3Settings {
        bucket: bucket.to_owned(),
        region: Some("us-east-1".into()),
        endpoint: Some(endpoint.to_owned()),
        sse,
        static_keys: Some((KEYS.0.into(), KEYS.1.into())),
    })
    .expect("s3 blob store")
}
