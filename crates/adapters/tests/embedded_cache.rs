//! The in-process moka cache.

use std::time::Duration;

use bytes::Bytes;
use migrationai_adapters::embedded::MokaCache;
use migrationai_ports::cache::{namespaced_key, Cache};

#[tokio::test]
async fn set_get_delete() {
    let cache = MokaCache::default();
    assert_eq!(cache.get("k").await.unwrap(), None);
    cache
        .set("k", Bytes::from_static(b"v1"), Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v1"[..]));
    cache
        .set("k", Bytes::from_static(b"v2"), Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(cache.get("k").await.unwrap().as_deref(), Some(&b"v2"[..]));
    cache.delete("k").await.unwrap();
    assert_eq!(cache.get("k").await.unwrap(), None);
}

#[tokio::test]
async fn entries_expire_after_their_own_ttl() {
    let cache = MokaCache::default();
    let short = Duration::from_millis(200);
    cache
        .set("short", Bytes::from_static(b"s"), short)
        .await
        .unwrap();
    cache
        .set("long", Bytes::from_static(b"l"), Duration::from_secs(60))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(cache.get("short").await.unwrap(), None);
    assert!(cache.get("long").await.unwrap().is_some());
}

#[tokio::test]
async fn overwriting_resets_the_ttl() {
    let cache = MokaCache::default();
    cache
        .set("k", Bytes::from_static(b"a"), Duration::from_secs(60))
        .await
        .unwrap();
    cache
        .set("k", Bytes::from_static(b"b"), Duration::from_millis(200))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(cache.get("k").await.unwrap(), None);
}

#[tokio::test]
async fn bump_invalidates_a_namespace() {
    let cache = MokaCache::default();
    let ttl = Duration::from_secs(60);
    assert_eq!(cache.generation("jobs").await.unwrap(), 0);
    cache
        .set_in("jobs", "j1", Bytes::from_static(b"old"), ttl)
        .await
        .unwrap();
    cache
        .set_in("tenants", "t1", Bytes::from_static(b"kept"), ttl)
        .await
        .unwrap();
    assert!(cache.get_in("jobs", "j1").await.unwrap().is_some());
    assert!(cache
        .get(&namespaced_key("jobs", 0, "j1"))
        .await
        .unwrap()
        .is_some());

    assert_eq!(cache.bump("jobs").await.unwrap(), 1);
    assert_eq!(cache.generation("jobs").await.unwrap(), 1);
    assert_eq!(cache.get_in("jobs", "j1").await.unwrap(), None);
    assert!(cache.get_in("tenants", "t1").await.unwrap().is_some());
    cache
        .set_in("jobs", "j1", Bytes::from_static(b"new"), ttl)
        .await
        .unwrap();
    assert_eq!(
        cache.get_in("jobs", "j1").await.unwrap().as_deref(),
        Some(&b"new"[..])
    );
    assert_eq!(cache.bump("jobs").await.unwrap(), 2);
}

#[tokio::test]
async fn capacity_bounds_the_size() {
    let cache = MokaCache::new(64 * 1024);
    let ttl = Duration::from_secs(60);
    for i in 0..100 {
        cache
            .set(&format!("k{i}"), Bytes::from(vec![0u8; 4096]), ttl)
            .await
            .unwrap();
    }
    // Eviction is applied lazily; make sure it has caught up.
    cache.run_pending_tasks();
    let mut kept = 0;
    for i in 0..100 {
        kept += usize::from(cache.get(&format!("k{i}")).await.unwrap().is_some());
    }
    assert!(kept <= 16, "kept {kept} entries of 4 KiB in 64 KiB");
}

#[tokio::test]
async fn counters_count_within_a_fixed_window() {
    let cache = MokaCache::default();
    let window = Duration::from_millis(300);
    assert_eq!(cache.incr("a", window).await.unwrap(), 1);
    assert_eq!(cache.incr("a", window).await.unwrap(), 2);
    assert_eq!(cache.incr("b", window).await.unwrap(), 1);
    tokio::time::sleep(Duration::from_millis(150)).await;
    // A later increment does not extend the window.
    assert_eq!(cache.incr("a", window).await.unwrap(), 3);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(cache.incr("a", window).await.unwrap(), 1);
}
