//! The store's contract, written over `&dyn Store` so the PostgreSQL adapter can run it too.

use migrationai_adapters::sql::SqlStore;
use migrationai_domain::Kind;
use migrationai_ports::store::{BatchRow, BatchWrite, JobRow, RecordRow, RejectRow, Store};

fn job(tenant: &str, id: &str, name: &str) -> JobRow {
    JobRow {
        tenant: tenant.into(),
        id: id.into(),
        name: name.into(),
        status: migrationai_domain::JobStatus::Planning,
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

fn record(id: &str) -> RecordRow {
    RecordRow {
        kind: Kind::Contacts,
        source_id: id.into(),
        canonical_id: format!("c-{id}"),
        file: "contacts.csv".into(),
        row: 2,
        data: "{}".into(),
    }
}

/// The contract through the port, then what a damaged row reads back as (through the pool).
pub async fn contract(store: &SqlStore) {
    through_the_port(store).await;
    unknown_stored_words_are_errors_naming_them(store).await;
}

async fn through_the_port(store: &dyn Store) {
    store.ensure_tenant("t1", "one").await.expect("tenant");
    store.ensure_tenant("t2", "two").await.expect("tenant");
    let a = store
        .create_job(&job("t1", "j1", "first"))
        .await
        .expect("job");
    // Creating a job of an existing name returns the existing job.
    let again = store
        .create_job(&job("t1", "other-id", "first"))
        .await
        .expect("job");
    assert_eq!(again.id, a.id);
    store
        .create_job(&job("t2", "j1", "first"))
        .await
        .expect("job");

    // The phase moves once however many callers try.
    assert!(store.advance_phase("t1", "j1", -1, 0).await.expect("cas"));
    assert!(!store.advance_phase("t1", "j1", -1, 0).await.expect("cas"));

    let batch = BatchRow {
        kind: Kind::Contacts,
        batch_no: 0,
        file: "contacts.csv".into(),
        blob_key: "k".into(),
        rows: 2,
        done: false,
        loaded: 0,
        rejected: 0,
    };
    store
        .add_batches("t1", "j1", std::slice::from_ref(&batch))
        .await
        .expect("batches");
    store
        .add_batches("t1", "j1", std::slice::from_ref(&batch))
        .await
        .expect("batches again");
    let write = BatchWrite {
        job: "j1".into(),
        kind: Kind::Contacts,
        batch_no: 0,
        records: vec![record("C1")],
        rejects: vec![RejectRow {
            kind: Kind::Contacts,
            file: "contacts.csv".into(),
            row: 3,
            source_id: Some("C2".into()),
            field: "email".into(),
            code: "invalid_email".into(),
            reason: "no".into(),
            raw: "[]".into(),
        }],
    };
    assert!(store.commit_batch("t1", &write).await.expect("commit"));
    // A redelivered batch changes nothing.
    assert!(!store
        .commit_batch("t1", &write)
        .await
        .expect("commit again"));
    let progress = store.progress("t1", "j1").await.expect("progress");
    assert_eq!(
        (
            progress[0].kind,
            progress[0].rows,
            progress[0].loaded,
            progress[0].rejected
        ),
        (Kind::Contacts, 2, 1, 1)
    );
    assert_eq!(
        store
            .records_page("t1", "j1", Kind::Contacts, None, 10)
            .await
            .expect("records")
            .len(),
        1
    );
    assert_eq!(store.rejects("t1", "j1").await.expect("rejects").len(), 1);
    let found = store
        .lookup("t1", "j1", Kind::Contacts, &["C1".into(), "C9".into()])
        .await
        .expect("lookup");
    assert_eq!(found, vec![("C1".to_string(), "c-C1".to_string())]);

    // Another tenant sees none of it, even with the same job id.
    assert!(store
        .records_page("t2", "j1", Kind::Contacts, None, 10)
        .await
        .expect("records")
        .is_empty());
    assert!(store.rejects("t2", "j1").await.expect("rejects").is_empty());
    assert!(store
        .lookup("t2", "j1", Kind::Contacts, &["C1".into()])
        .await
        .expect("lookup")
        .is_empty());
    assert!(store.batches("t2", "j1").await.expect("batches").is_empty());
    assert_eq!(store.jobs("t2").await.expect("jobs").len(), 1);

    pages_and_long_statements(store).await;
}

/// A batch far larger than one INSERT statement, a lookup of more ids than one IN list, and
/// walking the kind page by page.
async fn pages_and_long_statements(store: &dyn Store) {
    let many: Vec<RecordRow> = (0..1234).map(|i| record(&format!("M{i:05}"))).collect();
    let batch = BatchRow {
        kind: Kind::Contacts,
        batch_no: 7,
        file: "contacts.csv".into(),
        blob_key: "k7".into(),
        rows: many.len() as i64,
        done: false,
        loaded: 0,
        rejected: 0,
    };
    store
        .add_batches("t1", "j1", &[batch])
        .await
        .expect("batches");
    let write = BatchWrite {
        job: "j1".into(),
        kind: Kind::Contacts,
        batch_no: 7,
        records: many.clone(),
        rejects: Vec::new(),
    };
    assert!(store.commit_batch("t1", &write).await.expect("commit"));
    let ids: Vec<String> = many.iter().rev().map(|r| r.source_id.clone()).collect();
    let mut found = store
        .lookup("t1", "j1", Kind::Contacts, &ids)
        .await
        .expect("lookup");
    found.sort();
    assert_eq!(found.len(), 1234);
    assert_eq!(found[0], ("M00000".to_string(), "c-M00000".to_string()));
    assert_eq!(found[1233].1, "c-M01233");

    let mut walked = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = store
            .records_page("t1", "j1", Kind::Contacts, after.as_deref(), 500)
            .await
            .expect("page");
        assert!(page.len() <= 500);
        let Some(last) = page.last() else { break };
        after = Some(last.source_id.clone());
        walked.extend(page.into_iter().map(|r| r.source_id));
    }
    let one = store
        .record("t1", "j1", Kind::Contacts, "M00042")
        .await
        .expect("record")
        .expect("loaded");
    assert_eq!(
        (one.source_id.as_str(), one.canonical_id.as_str()),
        ("M00042", "c-M00042")
    );
    for (tenant, kind, id) in [
        ("t2", Kind::Contacts, "M00042"),
        ("t1", Kind::Projects, "M00042"),
        ("t1", Kind::Contacts, "M99999"),
    ] {
        assert!(store
            .record(tenant, "j1", kind, id)
            .await
            .expect("record")
            .is_none());
    }
    // C1 from the first batch, then the 1234 in order, each once.
    assert_eq!(walked.len(), 1235);
    assert_eq!(walked[0], "C1");
    assert!(walked.windows(2).all(|w| w[0] < w[1]));
    assert!(store
        .records_page("t2", "j1", Kind::Contacts, None, 500)
        .await
        .expect("page")
        .is_empty());
}

/// A status or kind the store holds but the code does not know (a damaged row, or one
/// written by a newer version) is an error naming it and the row, never a panic or a guess.
async fn unknown_stored_words_are_errors_naming_them(store: &SqlStore) {
    let mut odd = job("t1", "odd", "odd");
    odd.status = migrationai_domain::JobStatus::Running;
    store.create_job(&odd).await.expect("job");
    let batch = BatchRow {
        kind: Kind::Projects,
        batch_no: 0,
        file: "m.csv".into(),
        blob_key: "m".into(),
        rows: 1,
        done: false,
        loaded: 0,
        rejected: 0,
    };
    store
        .add_batches("t1", "odd", std::slice::from_ref(&batch))
        .await
        .expect("batches");
    let write = BatchWrite {
        job: "odd".into(),
        kind: Kind::Projects,
        batch_no: 0,
        records: Vec::new(),
        rejects: vec![RejectRow {
            kind: Kind::Projects,
            file: "m.csv".into(),
            row: 2,
            source_id: None,
            field: "project_id".into(),
            code: "required".into(),
            reason: "project_id is required".into(),
            raw: "[]".into(),
        }],
    };
    assert!(store.commit_batch("t1", &write).await.expect("commit"));
    for table in ["job_batches", "rejects"] {
        sqlx::query(&format!(
            "UPDATE {table} SET kind = 'matters' WHERE tenant = 't1' AND job = 'odd'"
        ))
        .execute(store.pool())
        .await
        .expect("damage the rows");
    }
    let e = store.progress("t1", "odd").await.expect_err("unknown kind");
    assert!(e.to_string().contains("\"matters\""), "{e}");
    let e = store.batches("t1", "odd").await.expect_err("unknown kind");
    assert!(e.to_string().contains("\"matters\""), "{e}");
    assert!(e.to_string().contains("job_batches batch 0"), "{e}");
    let e = store.rejects("t1", "odd").await.expect_err("unknown kind");
    assert!(e.to_string().contains("\"matters\""), "{e}");
    assert!(e.to_string().contains("rejects m.csv row 2"), "{e}");
}

#[tokio::test]
async fn sqlite_store_keeps_the_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqlStore::open_sqlite(&dir.path().join("store.db"))
        .await
        .expect("open");
    contract(&store).await;
    // A status no version wrote through the port: reading the job names it.
    sqlx::query("UPDATE jobs SET status = 'reconciling' WHERE tenant = 't1' AND id = 'odd'")
        .execute(store.pool())
        .await
        .expect("damage the row");
    let e = store.job("t1", "odd").await.expect_err("unknown status");
    assert!(e.to_string().contains("\"reconciling\""), "{e}");
}
