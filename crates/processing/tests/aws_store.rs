//! The store's contract on PostgreSQL: the same SQL adapter and migrations as on SQLite.

mod aws_common;
#[path = "store.rs"]
mod store_contract;

use migrationai_adapters::sql::SqlStore;
use migrationai_ports::store::Store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_keeps_the_contract() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let url = aws_common::fresh_database(&env.database, &aws_common::unique("store_")).await;
    let store = SqlStore::connect(&url, migrationai_adapters::sql::PoolSize::LOCAL)
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    // Migrating again changes nothing.
    store.migrate().await.expect("migrate twice");
    store_contract::contract(&store).await;
}

#[tokio::test]
async fn aws_profile_cache_is_redis() {
    use bytes::Bytes;
    use migrationai_processing::profile::{open_cache, AwsConfig, Profile};
    use migrationai_processing::Config;
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
