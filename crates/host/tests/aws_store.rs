//! The store's contract on PostgreSQL: the same SQL adapter and migrations as on SQLite.

mod aws_common;
#[path = "../../pipeline/tests/store.rs"]
mod store_contract;

use migrationai_adapters::sql::SqlStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_keeps_the_contract() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let url = aws_common::fresh_database(&env.database, &aws_common::unique("store_")).await;
    let open = || {
        SqlStore::connect(
            &url,
            migrationai_adapters::sql::PoolSize::LOCAL,
            migrationai_adapters::sql::Schema::Migrate,
        )
    };
    let store = open().await.expect("open");
    // Opening migrates; opening again finds everything applied and changes nothing.
    open().await.expect("open again");
    store_contract::contract(&store).await;
}

#[tokio::test]
async fn aws_profile_cache_is_redis() {
    use bytes::Bytes;
    use migrationai_host::open::cache as open_cache;
    use migrationai_host::profile::{AwsConfig, Profile};
    use migrationai_host::Config;
    use std::time::Duration;

    let Some(env) = aws_common::env() else {
        return;
    };
    let config = Config {
        profile: Profile::Aws(Box::new(AwsConfig {
            redis: Some(migrationai_adapters::aws::RedisSettings {
                url: env.redis.clone(),
                ..Default::default()
            }),
            ..AwsConfig::default()
        })),
        ..Config::default()
    };
    let cache = open_cache(&config).await.expect("cache");
    let key = aws_common::unique("profile-cache-");
    cache
        .set(&key, Bytes::from_static(b"v"), Duration::from_secs(30))
        .await
        .expect("set");
    // Seen through a second connection: the value lives in Redis, not in this process.
    let other = open_cache(&config).await.expect("cache");
    assert_eq!(
        other.get(&key).await.expect("get").as_deref(),
        Some(&b"v"[..])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_redis_secret_fails_the_cache_not_the_workers() {
    use migrationai_host::open::cache as open_cache;
    use migrationai_host::profile::{open_adapters, Profile};
    use migrationai_host::Config;

    let Some(env) = aws_common::env() else {
        return;
    };
    let mut aws = aws_common::aws_config(&env, "sec").await;
    let arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:no-such-redis-password";
    aws.secrets.redis_password_arn = Some(arn.into());
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        profile: Profile::Aws(Box::new(aws)),
        ..Config::embedded(dir.path())
    };
    // The workers open the store, the queues and the blobs: no Redis secret is read.
    open_adapters(&config)
        .await
        .expect("the workers' adapters open without the Redis secret");
    // The roles that use the cache refuse to start, naming the secret.
    let err = open_cache(&config)
        .await
        .err()
        .expect("the cache opened with an unreadable password secret");
    assert!(err.to_string().contains(arn), "{err}");
}
