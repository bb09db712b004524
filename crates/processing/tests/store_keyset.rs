//! `Store::records_after`: keyset paging walks every record of a kind exactly once, in
//! source-id order, only the tenant's and job's own; on SQLite and, with the AWS test
//! environment, on PostgreSQL.

mod aws_common;

use migrationai_adapters::sql::SqlStore;
use migrationai_ports::store::{BatchRow, BatchWrite, JobRow, RecordRow, Store};

fn job(tenant: &str) -> JobRow {
    JobRow {
        tenant: tenant.into(),
        id: "j1".into(),
        name: "keyset".into(),
        status: "planning".into(),
        phase: -1,
        fanout: -1,
        settings: "{}".into(),
        mapping: String::new(),
        report: None,
        error: None,
        created_at: 1,
        updated_at: 1,
    }
}

async fn load(store: &dyn Store, tenant: &str, ids: &[String]) {
    store.ensure_tenant(tenant, tenant).await.expect("tenant");
    store.create_job(&job(tenant)).await.expect("job");
    let batch = BatchRow {
        kind: "contacts".into(),
        batch_no: 0,
        file: "contacts.csv".into(),
        blob_key: "k".into(),
        rows: ids.len() as i64,
        done: false,
        loaded: 0,
        rejected: 0,
    };
    store
        .add_batches(tenant, "j1", &[batch])
        .await
        .expect("batch");
    let records = ids
        .iter()
        .enumerate()
        .map(|(i, id)| RecordRow {
            kind: "contacts".into(),
            source_id: id.clone(),
            canonical_id: format!("c-{id}"),
            file: "contacts.csv".into(),
            row: i as i64 + 2,
            data: "{}".into(),
        })
        .collect();
    let write = BatchWrite {
        job: "j1".into(),
        kind: "contacts".into(),
        batch_no: 0,
        records,
        rejects: Vec::new(),
    };
    assert!(store.commit_batch(tenant, &write).await.expect("commit"));
}

pub async fn keyset_contract(store: &dyn Store) {
    let ids: Vec<String> = (0..23).rev().map(|i| format!("C{i:03}")).collect();
    load(store, "t1", &ids).await;
    load(store, "t2", &["X1".to_string()]).await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .records_after("t1", "j1", "contacts", after.as_deref(), 5)
            .await
            .expect("page");
        assert!(page.len() <= 5);
        let Some(last) = page.last() else { break };
        after = Some(last.source_id.clone());
        seen.extend(page.into_iter().map(|r| r.source_id));
    }
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(seen, expected);
    // Another tenant's records and another kind never show.
    let other = store
        .records_after("t2", "j1", "contacts", None, 100)
        .await
        .expect("t2");
    assert_eq!(other.len(), 1);
    assert!(store
        .records_after("t1", "j1", "projects", None, 100)
        .await
        .expect("kind")
        .is_empty());
}

#[tokio::test]
async fn sqlite_pages_records_by_source_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqlStore::open_sqlite(&dir.path().join("store.db"))
        .await
        .expect("open");
    keyset_contract(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_pages_records_by_source_id() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let url = aws_common::fresh_database(&env.database, &aws_common::unique("keyset_")).await;
    let store = SqlStore::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    keyset_contract(&store).await;
}
