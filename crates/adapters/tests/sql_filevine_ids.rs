//! The store's Filevine id map on real SQLite and real PostgreSQL: entries move from
//! pending to delivered, stay apart per tenant, job and kind, answer who owns a
//! Filevine record, and give a claimed key to one worker at a time.

mod aws_env;
use migrationai_adapters::sql::{sqlite_url, PoolSize, Schema, SqlIdMap, Tables};
use migrationai_domain::Kind;
use migrationai_filevine::{FvId, IdEntry, IdKey, IdMap, JobRef};

fn job(tenant: &str, job: &str) -> JobRef {
    JobRef {
        tenant: tenant.into(),
        job: job.into(),
    }
}

fn key(job: &JobRef, kind: Kind, source: &str) -> IdKey {
    IdKey {
        job: job.clone(),
        kind,
        source_id: source.into(),
    }
}

fn delivered(id: &str, digest: &str) -> IdEntry {
    IdEntry::Delivered {
        fv_id: FvId(id.into()),
        digest: digest.into(),
    }
}

async fn contract(ids: &SqlIdMap, tenant: &str) {
    let j1 = job(tenant, "j1");
    let c1 = key(&j1, Kind::Contacts, "C1");
    assert_eq!(ids.get(&c1).await.expect("get"), None, "never sent");

    ids.put(&c1, IdEntry::Pending).await.expect("pending");
    assert_eq!(ids.get(&c1).await.expect("get"), Some(IdEntry::Pending));
    assert_eq!(
        ids.owner(&j1, Kind::Contacts, &FvId("77".into()))
            .await
            .expect("owner"),
        None,
        "a pending entry owns nothing"
    );

    ids.put(&c1, delivered("77", "d1"))
        .await
        .expect("delivered");
    assert_eq!(
        ids.get(&c1).await.expect("get"),
        Some(delivered("77", "d1"))
    );
    // A later payload replaces the digest (and the id, for records made again).
    ids.put(&c1, delivered("78", "d2")).await.expect("again");
    assert_eq!(
        ids.get(&c1).await.expect("get"),
        Some(delivered("78", "d2"))
    );
    assert_eq!(
        ids.owner(&j1, Kind::Contacts, &FvId("78".into()))
            .await
            .expect("owner"),
        Some("C1".to_string())
    );
    assert_eq!(
        ids.owner(&j1, Kind::Contacts, &FvId("77".into()))
            .await
            .expect("owner"),
        None,
        "the old id is no longer owned"
    );

    // The same source id in another kind, job or tenant is another record.
    let guid = "2f1c6d0e-0000-4000-8000-000000000001";
    let p1 = key(&j1, Kind::Projects, "C1");
    ids.put(&p1, delivered(guid, "dp")).await.expect("put");
    let j2 = job(tenant, "j2");
    assert_eq!(
        ids.get(&key(&j2, Kind::Contacts, "C1")).await.expect("get"),
        None
    );
    let other = job(&format!("{tenant}-other"), "j1");
    assert_eq!(
        ids.get(&key(&other, Kind::Contacts, "C1"))
            .await
            .expect("get"),
        None
    );
    assert_eq!(
        ids.owner(&j1, Kind::Contacts, &FvId(guid.into()))
            .await
            .expect("owner"),
        None
    );
    assert_eq!(
        ids.owner(&j1, Kind::Projects, &FvId(guid.into()))
            .await
            .expect("owner"),
        Some("C1".to_string())
    );
    assert_eq!(
        ids.owner(&j2, Kind::Projects, &FvId(guid.into()))
            .await
            .expect("owner"),
        None
    );

    // A claim goes to one of two workers at once; a fresh claim is not taken, a stale one
    // (its claimer gone) is, and a delivered key never is.
    let fresh = std::time::Duration::from_secs(300);
    let row = key(&j1, Kind::Sections, "row-1");
    let (a, b) = tokio::join!(ids.claim(&row, fresh), ids.claim(&row, fresh));
    assert_eq!(
        [a.expect("claim"), b.expect("claim")]
            .iter()
            .filter(|c| **c)
            .count(),
        1,
        "one claimer"
    );
    assert!(!ids.claim(&row, fresh).await.expect("claim"), "fresh");
    assert_eq!(ids.get(&row).await.expect("get"), Some(IdEntry::Pending));
    let stale = std::time::Duration::ZERO;
    assert!(ids.claim(&row, stale).await.expect("claim"), "stale");
    ids.put(&row, delivered("item-1", "")).await.expect("made");
    assert!(!ids.claim(&row, stale).await.expect("claim"), "delivered");
    assert_eq!(
        ids.get(&row).await.expect("get"),
        Some(delivered("item-1", ""))
    );

    ids.put(&key(&j1, Kind::Contacts, "C0"), delivered("5", "d"))
        .await
        .expect("put");
    ids.put(&key(&j1, Kind::Contacts, "C9"), IdEntry::Pending)
        .await
        .expect("put");
    assert_eq!(
        ids.delivered(&j1, Kind::Contacts).await.expect("list"),
        vec![
            ("C0".to_string(), FvId("5".into())),
            ("C1".to_string(), FvId("78".into()))
        ]
    );
}

#[tokio::test]
async fn the_id_map_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = sqlite_url(&dir.path().join("store.db"));
    let pool =
        migrationai_adapters::sql::open(&url, PoolSize::LOCAL, Tables::Store, Schema::Migrate)
            .await
            .expect("open");
    contract(&SqlIdMap::new(pool), "t1").await;
}

/// On PostgreSQL as scripts/services.sh starts it; skipped with a notice without it (and
/// failed under CI), like the other tests that need a server.
#[tokio::test]
async fn the_id_map_on_postgres() {
    // A database of its own, migrated from nothing.
    let Some(url) = aws_env::fresh_postgres("fvids").await else {
        return;
    };
    let pool =
        migrationai_adapters::sql::open(&url, PoolSize::LOCAL, Tables::Store, Schema::Migrate)
            .await
            .expect("open");
    contract(&SqlIdMap::new(pool), "t1").await;
}
