//! tfp splits started jobs. Nothing runs in the background here: the test plays the API
//! (upload, start) and calls tfp's steps itself, so it can see that starting a job only
//! records a request, and that tfp's split leaves batches, document copies and one hand-over
//! message behind, and nothing on its own disk.

use std::path::Path;

use bytes::Bytes;
use migrationai_api::db::plans::PlanRequest;
use migrationai_api::state::AppState;
use migrationai_api::{tfp, workflow, Settings};
use migrationai_domain::{DraftStatus, JobStatus, QueueKind};
use migrationai_host::Config;
use serde_json::Value;

const TENANT: &str = "firm-a";

struct Fixture {
    _dir: tempfile::TempDir,
    _sample: tempfile::TempDir,
    data: std::path::PathBuf,
    state: AppState,
    truth: Value,
}

/// A reviewed job over the small sample, ready to start.
async fn reviewed(job: &str) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = Config::embedded(data.clone());
    let state = migrationai_host::open::state(&config, Settings::default())
        .await
        .expect("state");
    state
        .app
        .services
        .store
        .ensure_tenant(TENANT, TENANT)
        .await
        .expect("tenant");
    state
        .db
        .create_draft(TENANT, job, job)
        .await
        .expect("draft");
    let sample = tempfile::tempdir().expect("tempdir");
    let summary = migrationai_sample::generate(&migrationai_sample::SampleOptions {
        size: migrationai_sample::Size::Small,
        seed: 11,
        out: sample.path().join("sample"),
        zip: true,
    })
    .expect("sample");
    let bytes = std::fs::read(&summary.export).expect("zip");
    upload_for_analysis(&state, job, bytes).await;
    let draft = state
        .db
        .draft(TENANT, job)
        .await
        .expect("draft")
        .expect("some");
    tfp::analyse(&state, &draft).await.expect("analysis");
    let truth: Value =
        serde_json::from_slice(&std::fs::read(&summary.ground_truth).expect("truth"))
            .expect("truth json");
    Fixture {
        _dir: dir,
        _sample: sample,
        data,
        state,
        truth,
    }
}

fn files_below(dir: &Path) -> Vec<String> {
    let Ok(items) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for item in items.flatten() {
        let path = item.path();
        if path.is_dir() {
            found.extend(files_below(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}

fn left_on_disk(data: &Path) -> Vec<String> {
    ["exports", "work"]
        .iter()
        .flat_map(|d| files_below(&data.join(d)))
        .collect()
}

async fn jobs_queue(state: &AppState) -> Vec<Value> {
    let s = &state.app.services;
    s.queue
        .peek(&s.names.queue(QueueKind::Jobs), 10)
        .await
        .expect("peek")
        .iter()
        .map(|m| serde_json::from_str(&m.body).expect("json body"))
        .collect()
}

/// A start whose run name is taken in the store (by a run of another id) is refused, and the
/// draft stays in review, to be renamed or started again, rather than stuck as started.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_refused_for_a_taken_name_leaves_the_draft_in_review() {
    let job = "taken";
    let f = reviewed(job).await;
    let s = &f.state.app.services;
    let other = migrationai_ports::store::JobRow {
        tenant: TENANT.into(),
        id: "someone-else".into(),
        name: job.into(),
        status: JobStatus::Done,
        phase: 0,
        fanout: 0,
        settings: serde_json::json!({ "export": "elsewhere", "batch_size": 500 }).to_string(),
        mapping: String::new(),
        report: None,
        error: None,
        created_at: 1,
        updated_at: 1,
    };
    s.store.create_job(&other).await.expect("the other run");

    let err = workflow::run::start(&f.state, TENANT, job, false)
        .await
        .expect_err("the name is taken");
    assert!(
        matches!(err, migrationai_api::ApiError::Conflict(_)),
        "{err:?}"
    );
    let draft = f
        .state
        .db
        .draft(TENANT, job)
        .await
        .expect("draft")
        .expect("some");
    assert_eq!(draft.status, DraftStatus::Review);
    assert!(
        s.store.job(TENANT, job).await.expect("job").is_none(),
        "no run of the draft's id was made"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_records_a_request_and_tfp_splits_then_hands_over() {
    let job = "split-me";
    let f = reviewed(job).await;
    let s = &f.state.app.services;
    assert!(
        left_on_disk(&f.data).is_empty(),
        "analysis keeps no copy: {:?}",
        left_on_disk(&f.data)
    );

    workflow::run::start(&f.state, TENANT, job, false)
        .await
        .expect("start");
    // The API side only asked: no batch, nothing queued, the request open.
    let row = s.store.job(TENANT, job).await.expect("job").expect("row");
    assert_eq!((row.status, row.phase), (JobStatus::Planning, -1));
    assert!(s
        .store
        .batches(TENANT, job)
        .await
        .expect("batches")
        .is_empty());
    assert!(jobs_queue(&f.state).await.is_empty());
    let req = PlanRequest {
        tenant: TENANT.into(),
        id: job.into(),
    };
    assert_eq!(
        f.state.db.open_plan_requests(i64::MAX).await.expect("open"),
        [req]
    );

    tfp::split::pass(&f.state).await.expect("pass");

    let batches = s.store.batches(TENANT, job).await.expect("batches");
    assert!(!batches.is_empty());
    let queued = jobs_queue(&f.state).await;
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(queued[0]["action"], "planned");
    assert_eq!(queued[0]["job"], job);
    assert!(f
        .state
        .db
        .open_plan_requests(i64::MAX)
        .await
        .expect("open")
        .is_empty());
    assert!(
        left_on_disk(&f.data).is_empty(),
        "{:?}",
        left_on_disk(&f.data)
    );
    // Every document of the sample was copied with the checksum the ground truth gives
    // (the truth keys them by source id; the copies by path, so compare the sets).
    let manifest = s
        .blobs
        .get(&migrationai_pipeline::staged::manifest_key(TENANT, job))
        .await
        .expect("manifest");
    let copied: std::collections::BTreeSet<String> = manifest
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: Value = serde_json::from_slice(l).expect("line");
            v["sha256"].as_str().expect("sha").to_string()
        })
        .collect();
    let truth = f.truth["documents"].as_object().expect("documents");
    assert!(!truth.is_empty());
    for (id, sha) in truth {
        let sha = sha.as_str().expect("sha");
        assert!(copied.contains(sha), "document {id} ({sha}) was not copied");
    }

    // A second pass finds nothing to do.
    tfp::split::pass(&f.state).await.expect("pass");
    assert_eq!(jobs_queue(&f.state).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claimed_request_is_not_split_twice_and_a_cancelled_job_is_not_split() {
    let job = "cancel-me";
    let f = reviewed(job).await;
    let s = &f.state.app.services;
    workflow::run::start(&f.state, TENANT, job, false)
        .await
        .expect("start");
    let req = PlanRequest {
        tenant: TENANT.into(),
        id: job.into(),
    };
    // Another tfp holds the claim: this one leaves the request alone.
    assert!(f
        .state
        .db
        .claim_plan(&req, 100, i64::MAX)
        .await
        .expect("claim"));
    assert!(!f.state.db.claim_plan(&req, 200, 300).await.expect("claim"));
    tfp::split::pass(&f.state).await.expect("pass");
    assert!(s
        .store
        .batches(TENANT, job)
        .await
        .expect("batches")
        .is_empty());

    // The claim lapses, but the job was cancelled meanwhile: the request is dropped unsplit.
    f.state.db.renew_plan(&req, 0).await.expect("release");
    workflow::run::cancel(&f.state, TENANT, job)
        .await
        .expect("cancel");
    tfp::split::pass(&f.state).await.expect("pass");
    assert!(s
        .store
        .batches(TENANT, job)
        .await
        .expect("batches")
        .is_empty());
    assert!(jobs_queue(&f.state).await.is_empty());
    assert!(f
        .state
        .db
        .open_plan_requests(i64::MAX)
        .await
        .expect("open")
        .is_empty());
    assert!(left_on_disk(&f.data).is_empty());
}

/// Requests, claims and their lapse, on whichever database `db` is.
async fn plan_requests_keep_their_contract(db: &migrationai_api::db::Db, tenant: &str) {
    let req = PlanRequest {
        tenant: tenant.into(),
        id: "job-1".into(),
    };
    let mine = |all: Vec<PlanRequest>| -> Vec<PlanRequest> {
        all.into_iter().filter(|r| r.tenant == tenant).collect()
    };
    db.request_plan(tenant, "job-1", 10).await.expect("request");
    db.request_plan(tenant, "job-1", 11).await.expect("twice");
    assert_eq!(
        mine(db.open_plan_requests(50).await.expect("open")),
        std::slice::from_ref(&req)
    );
    assert!(db.claim_plan(&req, 50, 100).await.expect("claim"));
    assert!(!db.claim_plan(&req, 60, 200).await.expect("held"));
    assert!(mine(db.open_plan_requests(60).await.expect("open")).is_empty());
    db.renew_plan(&req, 300).await.expect("renew");
    assert!(!db.claim_plan(&req, 200, 400).await.expect("renewed"));
    // Lapsed: another instance takes it over.
    assert!(db.claim_plan(&req, 301, 600).await.expect("lapsed"));
    db.finish_plan(&req).await.expect("finish");
    assert!(mine(db.open_plan_requests(i64::MAX).await.expect("open")).is_empty());
}

#[tokio::test]
async fn plan_requests_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = migrationai_api::db::Db::open_sqlite(&dir.path().join("services.db"))
        .await
        .expect("db");
    plan_requests_keep_their_contract(&db, "t1").await;
}

/// On PostgreSQL as scripts/services.sh starts it; skipped with a notice without it (and
/// failed under CI), like the other AWS-profile tests.
#[tokio::test]
async fn plan_requests_on_postgres() {
    let url = match std::env::var("MIGRATIONAI_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ if std::env::var_os("CI").is_some() => {
            panic!("MIGRATIONAI_TEST_DATABASE_URL is not set: run through scripts/test.sh")
        }
        _ => {
            eprintln!("SKIPPED: MIGRATIONAI_TEST_DATABASE_URL is not set (scripts/services.sh)");
            return;
        }
    };
    let db = migrationai_api::db::Db::connect(
        &url,
        migrationai_adapters::sql::PoolSize::LOCAL,
        migrationai_adapters::sql::migrations::Schema::Migrate,
    )
    .await
    .expect("connect");
    let tenant = format!("pg-{}", std::process::id());
    plan_requests_keep_their_contract(&db, &tenant).await;
}

/// A job whose upload is `files` zipped, waiting for analysis.
async fn waiting_for_analysis(
    job: &str,
    files: &[(&str, Vec<u8>)],
) -> (tempfile::TempDir, AppState) {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config::embedded(dir.path().join("data"));
    let state = migrationai_host::open::state(&config, Settings::default())
        .await
        .expect("state");
    state
        .db
        .create_draft(TENANT, job, job)
        .await
        .expect("draft");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("entry");
        zip.write_all(bytes).expect("write");
    }
    let bytes = zip.finish().expect("zip").into_inner();
    upload_for_analysis(&state, job, bytes).await;
    (dir, state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_nested_ten_thousand_deep_does_not_take_tfp_down() {
    // It once overflowed the flattener's stack and aborted `up` for every tenant; the
    // pending request then killed it again after each restart.
    let deep = format!(
        "[{{\"Note ID\": \"N1\"}}, {}1{}]",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let contacts = b"Contact ID,First Name,Last Name,Email\nC1,Ann,Lee,ann@example.com\n".to_vec();
    let (_dir, state) = waiting_for_analysis(
        "deep",
        &[
            ("notes.json", deep.into_bytes()),
            ("contacts.csv", contacts),
        ],
    )
    .await;
    tfp::analyse_pending(&state).await.expect("a pass");
    let d = state
        .db
        .draft(TENANT, "deep")
        .await
        .expect("db")
        .expect("draft");
    assert_eq!(d.status, DraftStatus::Review, "{:?}", d.error);
    assert!(d
        .mapping
        .as_deref()
        .unwrap_or_default()
        .contains("contacts.csv"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analysis_that_keeps_taking_the_process_down_is_not_retried() {
    let contacts = b"Contact ID,First Name\nC1,Ann\n".to_vec();
    let (_dir, state) = waiting_for_analysis("poison", &[("contacts.csv", contacts)]).await;
    // Two attempts that began and never ended: the process died with them.
    for _ in 0..2 {
        state
            .db
            .begin_analysis(TENANT, "poison")
            .await
            .expect("attempt");
    }
    tfp::analyse_pending(&state).await.expect("a pass");
    let d = state
        .db
        .draft(TENANT, "poison")
        .await
        .expect("db")
        .expect("draft");
    assert_eq!(d.status, DraftStatus::Created);
    let error = d.error.unwrap_or_default();
    assert!(error.contains("not tried again"), "{error}");
    // Marked failed once, it stays out of the queue of analyses.
    assert!(state
        .db
        .drafts_with_status(DraftStatus::Analysing)
        .await
        .expect("db")
        .is_empty());
}

/// Uploads `bytes` as the draft's export and moves the draft to analysing, as starting an
/// analysis does.
async fn upload_for_analysis(state: &AppState, job: &str, bytes: Vec<u8>) {
    let body = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]);
    workflow::upload::upload(state, TENANT, job, "export.zip", body)
        .await
        .expect("upload");
    assert!(state
        .db
        .set_draft_status(
            TENANT,
            job,
            &[DraftStatus::Created],
            DraftStatus::Analysing,
            None
        )
        .await
        .expect("analyse"));
}
