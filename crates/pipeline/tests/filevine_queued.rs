//! A push through the queues (`delivery::queued`): the jobs handler fans out one message per
//! page of loaded records per kind, phase by phase, each kind's worker pushes its pages into
//! the Filevine emulator on loopback, and the jobs handler reads Filevine back. Two pushes
//! into two orgs agree, whatever order the pages land in: the same counts, refusals,
//! read-back and verdict on the small sample, the same records in Filevine. A second push
//! creates nothing, a page delivered twice is pushed once, and a page Filevine never takes
//! goes to its dead-letter queue after three receives. The same queues push into the other
//! target, the canonical store, by configuration alone.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use migrationai_adapters::sql::{self, PoolSize, Schema, SqlIdMap, Tables};
use migrationai_domain::{Kind, PushStatus};
use migrationai_filevine::settings::env;
use migrationai_filevine::{ProjectTypeChoice, Settings};
use migrationai_filevine_emulator::{Config as EmuConfig, Emulator, Faults};
use migrationai_pipeline::delivery::target::FilevineTarget;
use migrationai_pipeline::delivery::{queued, PushOptions, TargetKind};
use migrationai_pipeline::report::filevine::FilevineSection;
use migrationai_pipeline::{App, Config, ProcessingError, Report};

fn settings(emu: &Emulator) -> Settings {
    let c = emu.credentials().clone();
    let gateway = emu.gateway_url();
    let identity = emu.identity_url();
    let mut s = Settings::from_lookup(move |k| match k {
        env::GATEWAY_URL => Some(gateway.clone()),
        env::IDENTITY_URL => Some(identity.clone()),
        env::PAT => Some(c.pat.clone()),
        env::CLIENT_ID => Some(c.client_id.clone()),
        env::CLIENT_SECRET => Some(c.client_secret.clone()),
        env::ORG_ID => Some(c.org_id.to_string()),
        env::USER_ID => Some(c.user_id.to_string()),
        _ => None,
    })
    .expect("settings");
    // Short waits: the emulator's faults are the point, not the clock.
    s.limits.backoff = Duration::from_millis(5);
    s.limits.max_backoff = Duration::from_millis(50);
    s.limits.timeout = Duration::from_secs(10);
    s.limits.attempts = 3;
    s
}

fn options() -> PushOptions {
    PushOptions {
        target: TargetKind::Filevine,
        project_types: ProjectTypeChoice {
            by_value: Default::default(),
            default: Some("General Litigation".into()),
        },
        ..PushOptions::default()
    }
}

/// The small sample migrated into a store of its own.
struct Migrated {
    _sample: common::Sample,
    _data: tempfile::TempDir,
    config: Config,
}

async fn migrated() -> Migrated {
    let sample = common::small_sample();
    let data = tempfile::tempdir().expect("tempdir");
    let config = common::config(data.path());
    common::migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &config,
        &|_| {},
    )
    .await
    .expect("migrate");
    Migrated {
        _sample: sample,
        _data: data,
        config,
    }
}

async fn id_map(config: &Config) -> Arc<SqlIdMap> {
    let url = sql::sqlite_url(&config.data_dir.join("store.db"));
    let pool = sql::open(&url, PoolSize::of(2), Tables::Store, Schema::Migrate)
        .await
        .expect("the id map's pool");
    Arc::new(SqlIdMap::new(pool))
}

/// The embedded system of `config` whose workers push into `emu`.
async fn app_into(config: &Config, emu: &Emulator) -> App {
    let mut app = common::open(config).await.expect("open");
    let target = FilevineTarget::new(
        settings(emu),
        id_map(config).await,
        app.services.blobs.clone(),
        app.services.store.clone(),
    )
    .expect("target");
    app.services = app.services.clone().with_target(Arc::new(target));
    app
}

fn section(report: &Report) -> &FilevineSection {
    report.filevine.as_ref().expect("a Filevine section")
}

/// What two pushes of the same job into two fresh orgs must agree on. Filevine's reasons
/// may name its own ids, which depend on the order of creation, so refusals are compared by
/// record, field and code.
fn comparable(report: &Report) -> serde_json::Value {
    let s = section(report);
    let refused: BTreeSet<_> = s
        .refused
        .iter()
        .map(|r| (r.kind, r.source_id.clone(), r.field.clone(), r.code.clone()))
        .collect();
    serde_json::json!({
        "pushed": s.pushed,
        "refused": refused.into_iter().collect::<Vec<_>>(),
        "read_back": s.read_back,
        "verdict": report.verdict,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_push_through_the_queues_is_the_same_into_two_orgs_and_a_second_creates_nothing() {
    let (one, queues) = tokio::join!(migrated(), migrated());
    let (emu_one, emu_queues) = (
        Emulator::start(EmuConfig::default())
            .await
            .expect("emulator"),
        Emulator::start(EmuConfig::default())
            .await
            .expect("emulator"),
    );

    // The first push, into an org of its own, is the reference: the pages land in
    // whatever order the workers take them, and the outcome must not depend on it.
    let app = app_into(&one.config, &emu_one).await;
    let in_process = queued::run(&app, "sample", &options(), &|_| {})
        .await
        .expect("the first push");

    let app = app_into(&queues.config, &emu_queues).await;
    let seen = std::sync::Mutex::new(Vec::new());
    let through = queued::run(&app, "sample", &options(), &|p| {
        if let Ok(mut seen) = seen.lock() {
            seen.push(p.status);
        }
    })
    .await
    .expect("push through the queues");

    assert_eq!(comparable(&through.report), comparable(&in_process.report));
    assert_eq!(emu_queues.snapshot(), emu_one.snapshot());
    assert!(section(&through.report)
        .pushed
        .values()
        .any(|c| c.created > 0));
    assert_eq!(through.delivered(), in_process.delivered());
    assert!(through.stats.requests > 0);
    assert_eq!(seen.lock().expect("seen").last(), Some(&PushStatus::Done));

    // The stored report is the one returned, and the ledger accounts for every page.
    let stored = app.report("sample").await.expect("report");
    assert_eq!(comparable(&stored), comparable(&through.report));
    let job = app.find_job("sample").await.expect("job");
    let progress = queued::progress(&app.services, &job.tenant, &job.id)
        .await
        .expect("progress")
        .expect("a push");
    assert_eq!(progress.status, PushStatus::Done);
    for k in &progress.kinds {
        assert_eq!(k.pages, k.pages_done, "{}", k.kind);
        assert_eq!(Some(&k.counts), section(&stored).pushed.get(&k.kind));
        assert_eq!(k.records, k.counts.total(), "{}", k.kind);
    }
    assert!(progress.kinds.iter().any(|k| k.pages > 0));

    // Again: every page is pushed once more and nothing is created or changed.
    let before = emu_queues.snapshot();
    let again = queued::run(&app, "sample", &options(), &|_| {})
        .await
        .expect("second push");
    assert_eq!(
        emu_queues.snapshot(),
        before,
        "a second push creates nothing"
    );
    for (kind, c) in &section(&again.report).pushed {
        assert_eq!(
            (c.created, c.adopted, c.updated, c.unchanged + c.refused),
            (0, 0, 0, c.total()),
            "{kind}"
        );
    }
    assert_eq!(
        section(&again.report).read_back,
        section(&through.report).read_back
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_page_filevine_never_takes_goes_to_its_dead_letter_queue_after_three_receives() {
    let m = migrated().await;
    let emu = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");
    emu.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::none()
    });
    let app = app_into(&m.config, &emu).await;
    let e = queued::run(&app, "sample", &options(), &|_| {})
        .await
        .err()
        .expect("the push cannot finish");
    assert!(matches!(e, ProcessingError::Stalled { .. }), "{e}");
    let dead = app.dlq_list(Kind::Contacts.as_str()).await.expect("dlq");
    assert!(!dead.is_empty());
    for d in &dead {
        assert!(d.body.contains("push_page"), "{}", d.body);
        assert_eq!(d.receive_count, 3, "{d:?}");
        let why = d.last_error.as_deref().unwrap_or_default();
        assert!(why.contains("Filevine"), "{why}");
    }
    // Nothing later than the first phase was sent, and the report has no section.
    let job = app.find_job("sample").await.expect("job");
    let progress = queued::progress(&app.services, &job.tenant, &job.id)
        .await
        .expect("progress")
        .expect("a push");
    assert_eq!((progress.status, progress.phase), (PushStatus::Pushing, 0));
    assert!(app
        .report("sample")
        .await
        .expect("report")
        .filevine
        .is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_finished_job_is_pushed_and_only_with_credentials() {
    let m = migrated().await;
    let app = common::open(&m.config).await.expect("open");
    let e = queued::run(&app, "sample", &options(), &|_| {})
        .await
        .err()
        .expect("no credentials");
    assert!(matches!(e, ProcessingError::NoFilevine), "{e}");
    // Workers without credentials fail the push, saying why, instead of retrying it.
    let job = app.find_job("sample").await.expect("job");
    let s = &app.services;
    queued::start(s, &job.tenant, &job.id, &options())
        .await
        .expect("start");
    queued::resume(s, &job.tenant, &job.id)
        .await
        .expect("fan out");
    let page = s
        .store
        .push_pages(&job.tenant, &job.id)
        .await
        .expect("pages")
        .into_iter()
        .next()
        .expect("a page");
    let message = migrationai_pipeline::message::PushPageMessage {
        tenant: job.tenant.clone(),
        job: job.id.clone(),
        kind: page.kind,
        push_page: page.page_no,
        after: page.after,
        last: page.last,
    };
    queued::push_page(s, &message).await.expect("settled");
    let failed = queued::progress(s, &job.tenant, &job.id)
        .await
        .expect("progress")
        .expect("a push");
    assert_eq!(failed.status, PushStatus::Failed);
    assert!(
        failed
            .error
            .as_deref()
            .is_some_and(|e| e.contains("MIGRATIONAI_FILEVINE_")),
        "{failed:?}"
    );
    let e = queued::start(&app.services, "default", "no-such-job", &options())
        .await
        .expect_err("no job");
    assert!(matches!(e, ProcessingError::JobNotFound(_)), "{e}");
}

/// A page message delivered twice (SQS delivers at least once) is pushed once: the second
/// finds the page done in the ledger and changes nothing, in Filevine or in the counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_page_changes_nothing() {
    use migrationai_pipeline::message::PushPageMessage;

    let m = migrated().await;
    let emu = Emulator::start(EmuConfig::default())
        .await
        .expect("emulator");
    let app = app_into(&m.config, &emu).await;
    let job = app.find_job("sample").await.expect("job");
    let s = &app.services;
    // No workers run: the test takes the jobs handler's and the contacts worker's steps.
    queued::start(s, &job.tenant, &job.id, &options())
        .await
        .expect("start");
    queued::resume(s, &job.tenant, &job.id)
        .await
        .expect("fan out the first phase");
    let pages = s
        .store
        .push_pages(&job.tenant, &job.id)
        .await
        .expect("pages");
    let first = pages
        .iter()
        .find(|p| p.kind == Kind::Contacts)
        .expect("a page of contacts");
    let message = PushPageMessage {
        tenant: job.tenant.clone(),
        job: job.id.clone(),
        kind: first.kind,
        push_page: first.page_no,
        after: first.after.clone(),
        last: first.last.clone(),
    };
    queued::push_page(s, &message).await.expect("pushed");
    let held = emu.snapshot();
    let requests = emu.stats().requests;
    assert!(held.contacts > 0);
    let counted = queued::progress(s, &job.tenant, &job.id)
        .await
        .expect("progress")
        .expect("a push");

    queued::push_page(s, &message).await.expect("again");
    assert_eq!(emu.snapshot(), held);
    assert_eq!(emu.stats().requests, requests, "not even looked up again");
    let again = queued::progress(s, &job.tenant, &job.id)
        .await
        .expect("progress")
        .expect("a push");
    assert_eq!(again, counted);
    let contacts = again
        .kinds
        .iter()
        .find(|k| k.kind == Kind::Contacts)
        .expect("contacts");
    assert_eq!(contacts.pages_done, 1);
    assert_eq!(
        contacts.counts.total(),
        u64::try_from(first.records).unwrap_or(0)
    );
}

/// The store target, chosen by the push's options alone: every loaded record is "delivered"
/// without a call (all unchanged), the read-back is the store's own, and a document whose
/// stored copy is gone is found missing by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_into_the_store_sends_nothing_and_reads_the_store_back() {
    let m = migrated().await;
    let app = common::open(&m.config).await.expect("open");
    let into_store = PushOptions {
        target: TargetKind::Store,
        ..options()
    };
    let pushed = queued::run(&app, "sample", &into_store, &|_| {})
        .await
        .expect("push into the store");
    let s = section(&pushed.report);
    assert_eq!(s.target, TargetKind::Store);
    assert!(pushed.delivered(), "{:?}", s.problems());
    assert_eq!(pushed.stats.requests, 0);
    let report = app.report("sample").await.expect("report");
    let mut documents = 0;
    for (kind, c) in &s.pushed {
        let loaded = report.kinds.get(kind.as_str()).map_or(0, |k| k.loaded);
        assert_eq!((c.unchanged, c.total()), (loaded, loaded), "{kind}");
        if let Some(k) = s.read_back.kind(*kind) {
            assert_eq!((k.found, k.missing, k.extra), (k.expected, 0, 0), "{kind}");
            assert_eq!(k.expected as u64, loaded, "{kind}");
        }
        if *kind == Kind::Document {
            documents = loaded;
        }
    }
    assert!(documents > 0);
    assert_eq!(s.read_back.documents_checked as u64, documents);

    // A document's stored copy deleted: the next push into the store reads it back missing.
    let job = app.find_job("sample").await.expect("job");
    let row = app
        .services
        .store
        .records_page(&job.tenant, &job.id, Kind::Document, None, 1)
        .await
        .expect("a document")
        .pop()
        .expect("a document");
    let data: serde_json::Value = serde_json::from_str(&row.data).expect("data");
    let key = data["files"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["role"] == "document")
        .and_then(|f| f["blob_key"].as_str())
        .expect("the document's blob")
        .to_string();
    app.services.blobs.delete(&key).await.expect("delete");
    let again = queued::run(&app, "sample", &into_store, &|_| {})
        .await
        .expect("push into the store again");
    let s = section(&again.report);
    assert!(!again.delivered());
    assert_eq!(
        s.read_back
            .document_problems
            .iter()
            .map(|d| d.source_id.as_str())
            .collect::<Vec<_>>(),
        vec![row.source_id.as_str()]
    );
}
