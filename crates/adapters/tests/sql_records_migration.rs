//! Migration 0006 (compact records) on a store that already holds records: every row reads
//! back through the port as it was written, on SQLite and on PostgreSQL.

mod aws_env;
use std::path::Path;

use migrationai_adapters::sql::{PoolSize, Schema, SqlStore};
use migrationai_domain::ids::canonical_id;
use migrationai_domain::Kind;
use migrationai_ports::store::Store;
use sqlx::migrate::Migrator;
use sqlx::AnyPool;

/// The store's migrations before 0006, from a folder of their own (same files, same checksums).
async fn before_compact(dir: &Path) -> Migrator {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/store");
    let mut names: Vec<_> = std::fs::read_dir(&src)
        .expect("migrations")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .filter(|n| n.to_string_lossy().as_ref() < "0006")
        .collect();
    names.sort();
    assert_eq!(names.len(), 5, "{names:?}");
    for n in names {
        std::fs::copy(src.join(&n), dir.join(&n)).expect("copy a migration");
    }
    Migrator::new(dir).await.expect("migrator")
}

/// A record as version 0005 stored it: data packed with fragments only, or plain JSON.
const FRAGMENTS_ONLY: &str = "\u{1f}\u{14}\"a\":\u{1}x\u{1c}files\":[],\"refs\":{}}";
const PLAIN: &str = r#"{"fields":{"b":{"t":"text","v":"y"}},"files":[],"refs":{}}"#;

async fn write_old_rows(pool: &AnyPool, url: &str) {
    let derived = canonical_id("t1", "job-1", "contacts", "C1");
    for (tenant, job, kind, id, canonical, file, row, data) in [
        (
            "t1",
            "job-1",
            "contacts",
            "C1",
            derived.as_str(),
            "people.csv",
            2,
            FRAGMENTS_ONLY,
        ),
        (
            "t1",
            "job-1",
            "projects",
            "M1",
            "odd-id",
            "matters.csv",
            3,
            PLAIN,
        ),
        (
            "t2",
            "job-1",
            "contacts",
            "C1",
            "other",
            "people.csv",
            2,
            PLAIN,
        ),
    ] {
        let sql = if url.starts_with("sqlite:") {
            "INSERT INTO records (tenant, job, kind, source_id, canonical_id, file, row_no, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        } else {
            "INSERT INTO records (tenant, job, kind, source_id, canonical_id, file, row_no, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        };
        sqlx::query(sql)
            .bind(tenant)
            .bind(job)
            .bind(kind)
            .bind(id)
            .bind(canonical)
            .bind(file)
            .bind(row as i64)
            .bind(data)
            .execute(pool)
            .await
            .expect("an old row");
    }
}

async fn migrates_records(url: &str) {
    sqlx::any::install_default_drivers();
    let dir = tempfile::tempdir().expect("tempdir");
    let old = before_compact(dir.path()).await;
    let pool = AnyPool::connect(url).await.expect("connect");
    old.run(&pool).await.expect("migrations 1-5");
    write_old_rows(&pool, url).await;
    pool.close().await;

    let store = SqlStore::connect(url, PoolSize::LOCAL, Schema::Migrate)
        .await
        .expect("open, applying 0006");
    let c1 = store
        .record("t1", "job-1", Kind::Contacts, "C1")
        .await
        .expect("read")
        .expect("C1 kept");
    assert_eq!(
        (c1.canonical_id, c1.file.as_str(), c1.row),
        (
            canonical_id("t1", "job-1", "contacts", "C1"),
            "people.csv",
            2
        )
    );
    assert_eq!(
        c1.data,
        r#"{"fields":{"a":{"t":"text","v":"x"}},"files":[],"refs":{}}"#
    );
    let m1 = store
        .records_page("t1", "job-1", Kind::Projects, None, 10)
        .await
        .expect("page");
    assert_eq!(m1.len(), 1);
    assert_eq!(
        (
            m1[0].canonical_id.as_str(),
            m1[0].file.as_str(),
            m1[0].data.as_str()
        ),
        ("odd-id", "matters.csv", PLAIN)
    );
    assert_eq!(
        store
            .lookup("t2", "job-1", Kind::Contacts, &["C1".into()])
            .await
            .expect("lookup"),
        vec![("C1".to_string(), "other".to_string())]
    );

    // New rows of the same job go on under the numbers the migration gave.
    let mut more = c1_like("C2");
    more.file = "people.csv".into();
    let batch = migrationai_ports::store::BatchRow {
        kind: Kind::Contacts,
        batch_no: 0,
        file: "people.csv".into(),
        blob_key: "k".into(),
        rows: 1,
        done: false,
        loaded: 0,
        rejected: 0,
    };
    store
        .add_batches("t1", "job-1", &[batch])
        .await
        .expect("batch");
    let write = migrationai_ports::store::BatchWrite {
        job: "job-1".into(),
        kind: Kind::Contacts,
        batch_no: 0,
        records: vec![more.clone()],
        rejects: Vec::new(),
    };
    assert!(store.commit_batch("t1", &write).await.expect("commit"));
    let page = store
        .records_page("t1", "job-1", Kind::Contacts, None, 10)
        .await
        .expect("page");
    assert_eq!(
        page.iter()
            .map(|r| r.source_id.as_str())
            .collect::<Vec<_>>(),
        ["C1", "C2"]
    );
    assert_eq!(page[1], more);
}

fn c1_like(id: &str) -> migrationai_ports::store::RecordRow {
    migrationai_ports::store::RecordRow {
        kind: Kind::Contacts,
        source_id: id.into(),
        canonical_id: canonical_id("t1", "job-1", "contacts", id),
        file: String::new(),
        row: 9,
        data: format!(
            r#"{{"fields":{{"contact_id":{{"t":"text","v":"{id}"}}}},"files":[],"refs":{{}}}}"#
        ),
    }
}

#[tokio::test]
async fn sqlite_records_survive_the_compact_migration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = migrationai_adapters::sql::sqlite_url(&dir.path().join("old.db"));
    migrates_records(&url).await;
}

#[tokio::test]
async fn postgres_records_survive_the_compact_migration() {
    let Some(url) = aws_env::fresh_postgres("compact").await else {
        return;
    };
    migrates_records(&url).await;
}
