//! The Redis cache on a real redis-server: TTLs, deletes, generation invalidation, ACL user.

mod aws_env;

use std::time::Duration;

use bytes::Bytes;
use migrationai_adapters::aws::{RedisCache, RedisSettings};
use migrationai_ports::cache::{namespaced_key, Cache};

async fn cache() -> Option<(RedisCache, String)> {
    let url = aws_env::require("MIGRATIONAI_TEST_REDIS_URL")?;
    let cache = RedisCache::connect(&RedisSettings {
        url,
        ..RedisSettings::default()
    })
    .await
    .expect("connect to redis");
    assert!(
        !cache.is_cluster(),
        "a plain server gets the single connection"
    );
    Some((cache, aws_env::unique("k")))
}

#[tokio::test]
async fn set_get_delete_and_ttl() {
    let Some((cache, p)) = cache().await else {
        return;
    };
    let k = format!("{p}k");
    assert_eq!(cache.get(&k).await.unwrap(), None);
    let long = Duration::from_secs(60);
    cache
        .set(&k, Bytes::from_static(b"v1"), long)
        .await
        .unwrap();
    assert_eq!(cache.get(&k).await.unwrap().as_deref(), Some(&b"v1"[..]));
    cache.delete(&k).await.unwrap();
    assert_eq!(cache.get(&k).await.unwrap(), None);

    let short = format!("{p}short");
    cache
        .set(&short, Bytes::from_static(b"s"), Duration::from_millis(200))
        .await
        .unwrap();
    // Overwriting resets the TTL.
    cache.set(&k, Bytes::from_static(b"a"), long).await.unwrap();
    cache
        .set(&k, Bytes::from_static(b"b"), Duration::from_millis(200))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(cache.get(&short).await.unwrap(), None);
    assert_eq!(cache.get(&k).await.unwrap(), None);
}

#[tokio::test]
async fn bump_invalidates_a_namespace() {
    let Some((cache, p)) = cache().await else {
        return;
    };
    let jobs = format!("{p}jobs");
    let tenants = format!("{p}tenants");
    let ttl = Duration::from_secs(60);
    assert_eq!(cache.generation(&jobs).await.unwrap(), 0);
    cache
        .set_in(&jobs, "j1", Bytes::from_static(b"old"), ttl)
        .await
        .unwrap();
    cache
        .set_in(&tenants, "t1", Bytes::from_static(b"kept"), ttl)
        .await
        .unwrap();
    assert!(cache
        .get(&namespaced_key(&jobs, 0, "j1"))
        .await
        .unwrap()
        .is_some());
    assert_eq!(cache.bump(&jobs).await.unwrap(), 1);
    assert_eq!(cache.get_in(&jobs, "j1").await.unwrap(), None);
    assert!(cache.get_in(&tenants, "t1").await.unwrap().is_some());
    cache
        .set_in(&jobs, "j1", Bytes::from_static(b"new"), ttl)
        .await
        .unwrap();
    assert_eq!(
        cache.get_in(&jobs, "j1").await.unwrap().as_deref(),
        Some(&b"new"[..])
    );
    assert_eq!(cache.bump(&jobs).await.unwrap(), 2);
}

#[tokio::test]
async fn acl_user_and_password_are_used() {
    let Some((admin, p)) = cache().await else {
        return;
    };
    let Some(url) = aws_env::require("MIGRATIONAI_TEST_REDIS_URL") else {
        return;
    };
    let _ = admin;
    let user = format!("{p}app").replace('-', "_");
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("ACL")
        .arg("SETUSER")
        .arg(&user)
        .arg("on")
        .arg(">s3cret-pass")
        .arg("~*")
        .arg("+@all")
        .query_async(&mut conn)
        .await
        .unwrap();
    let good = RedisCache::connect(&RedisSettings {
        url: url.clone(),
        user: Some(user.clone()),
        password: Some("s3cret-pass".into()),
    })
    .await
    .unwrap();
    good.set(
        "acl-probe",
        Bytes::from_static(b"1"),
        Duration::from_secs(5),
    )
    .await
    .unwrap();
    let bad = RedisCache::connect(&RedisSettings {
        url,
        user: Some(user),
        password: Some("wrong".into()),
    })
    .await;
    let err = bad.expect_err("a wrong password is refused").to_string();
    assert!(!err.contains("wrong"), "the password leaked into {err}");
    let shown = format!(
        "{:?}",
        RedisSettings {
            password: Some("s3cret-pass".into()),
            ..RedisSettings::default()
        }
    );
    assert!(!shown.contains("s3cret"));
}

#[tokio::test]
async fn counters_count_within_a_fixed_window() {
    let Some((cache, p)) = cache().await else {
        return;
    };
    let (a, b) = (format!("{p}count-a"), format!("{p}count-b"));
    let window = Duration::from_millis(600);
    assert_eq!(cache.incr(&a, window).await.unwrap(), 1);
    assert_eq!(cache.incr(&a, window).await.unwrap(), 2);
    assert_eq!(cache.incr(&b, window).await.unwrap(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // A later increment does not extend the window.
    assert_eq!(cache.incr(&a, window).await.unwrap(), 3);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(cache.incr(&a, window).await.unwrap(), 1);
}
