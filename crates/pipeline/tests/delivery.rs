//! Delivery semantics: duplicated and reordered messages change nothing, a poison message is
//! dead-lettered after exactly three receives, and a job blocked by one completes after the
//! cause is fixed and the DLQ is redriven.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use common::migrate;
use migrationai_domain::JobStatus;
use migrationai_domain::{Kind, QueueKind};
use migrationai_pipeline::batch::{BatchProcessor, Handler, HandlerError};
use migrationai_pipeline::fingerprint::fingerprint;
use migrationai_pipeline::handlers::job_queue::JobsHandler;
use migrationai_pipeline::handlers::EntityHandler;
use migrationai_pipeline::jobs::phases as jobs;
use migrationai_pipeline::RunOutcome;
use migrationai_ports::queue::{ReceiveOptions, ReceivedMessage};
use tokio_util::sync::CancellationToken;

async fn baseline(sample: &common::Sample) -> (String, migrationai_pipeline::Report) {
    let data = tempfile::tempdir().expect("tempdir");
    let config = common::config(data.path());
    let report = migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &config,
        &|_| {},
    )
    .await
    .expect("migrate");
    let app = common::open(&config).await.expect("open");
    let job = app.find_job("sample").await.expect("job");
    let print = fingerprint(app.services.store.as_ref(), &job.tenant, &job.id)
        .await
        .expect("fingerprint");
    (print, report)
}

/// Receives what `queue` holds (one receive), hands each message to `handler` and deletes it.
async fn deliver_once(
    s: &migrationai_pipeline::services::Services,
    queue: &str,
    handler: &dyn Handler,
) {
    for m in s
        .queue
        .receive(queue, &ReceiveOptions::batch(10))
        .await
        .expect("receive")
    {
        handler.handle(&m).await.expect("message");
        s.queue
            .delete(queue, &m.receipt_handle)
            .await
            .expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicated_and_reordered_messages_change_nothing() {
    let sample = common::small_sample();
    let (expected, expected_report) = baseline(&sample).await;

    let data = tempfile::tempdir().expect("tempdir");
    let app = common::open(&common::config(data.path()))
        .await
        .expect("open");
    let job = app
        .submit(&sample.export, Some(&sample.mapping), Some("sample".into()))
        .await
        .expect("submit")
        .job;
    let s = &app.services;
    let jobs_handler = JobsHandler::new(s.clone());
    let handlers: Vec<(String, Arc<EntityHandler>)> = Kind::ALL
        .into_iter()
        .map(|k| (s.names.queue(k.into()), EntityHandler::new(k, s.clone())))
        .collect();
    let jobs_queue = s.names.queue(QueueKind::Jobs);
    for _ in 0..200 {
        let row = s.job(&job.tenant, &job.id).await.expect("job");
        if row.status == JobStatus::Done {
            break;
        }
        deliver_once(s, &jobs_queue, jobs_handler.as_ref()).await;
        // Everything a phase has queued, delivered twice, newest first.
        let mut work: Vec<(usize, ReceivedMessage)> = Vec::new();
        for (i, (queue, _)) in handlers.iter().enumerate() {
            loop {
                let got = s
                    .queue
                    .receive(queue, &ReceiveOptions::batch(10))
                    .await
                    .expect("receive");
                if got.is_empty() {
                    break;
                }
                work.extend(got.into_iter().map(|m| (i, m)));
            }
        }
        work.reverse();
        for (i, m) in &work {
            handlers[*i].1.handle(m).await.expect("first delivery");
        }
        for (i, m) in &work {
            handlers[*i].1.handle(m).await.expect("second delivery");
            s.queue
                .delete(&handlers[*i].0, &m.receipt_handle)
                .await
                .expect("delete");
        }
    }
    let row = s.job(&job.tenant, &job.id).await.expect("job");
    assert_eq!(row.status, JobStatus::Done);
    let got = fingerprint(s.store.as_ref(), &job.tenant, &job.id)
        .await
        .expect("fingerprint");
    assert_eq!(got, expected, "store differs from a plain run");
    let report: migrationai_pipeline::Report =
        serde_json::from_str(row.report.as_deref().expect("report")).expect("report json");
    assert_eq!(report, expected_report);
}

/// Counts deliveries on the way to the real handler.
struct Counting {
    inner: Arc<EntityHandler>,
    calls: AtomicUsize,
}

#[async_trait]
impl Handler for Counting {
    async fn handle(&self, message: &ReceivedMessage) -> Result<(), HandlerError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.handle(message).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_message_is_dead_lettered_after_three_receives() {
    let data = tempfile::tempdir().expect("tempdir");
    let app = common::open(&common::config(data.path()))
        .await
        .expect("open");
    let s = &app.services;
    let queue = s.names.queue(Kind::Contacts.into());
    s.queue
        .send(&queue, "this is not a message", None)
        .await
        .expect("send");
    let handler = Counting {
        inner: EntityHandler::new(Kind::Contacts, s.clone()),
        calls: AtomicUsize::new(0),
    };
    let processor = BatchProcessor::new(s.queue.clone(), queue.clone(), Duration::from_secs(30))
        .with_retry_delay(Duration::ZERO)
        .with_failure_log(s.store.clone());
    let shutdown = CancellationToken::new();
    for _ in 0..10 {
        let got = s
            .queue
            .receive(&queue, &ReceiveOptions::batch(10))
            .await
            .expect("receive");
        if got.is_empty() {
            continue;
        }
        let result = processor.process(got, &handler, &shutdown).await;
        assert_eq!(result.failures().len(), 1, "partial batch failure reported");
    }
    assert_eq!(handler.calls.load(Ordering::SeqCst), 3);
    let dead = app.dlq_list("contacts").await.expect("dlq");
    assert_eq!(dead.len(), 1);
    // The DLQ restarts a message's count; the listing keeps the receives it failed on.
    assert_eq!(dead[0].receive_count, 3, "{dead:?}");
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("unreadable")),
        "{dead:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_job_reports_dead_letters_and_completes_after_redrive() {
    let sample = common::small_sample();
    let (expected, _) = baseline(&sample).await;
    let data = tempfile::tempdir().expect("tempdir");
    let mut config = common::config(data.path());
    config.retry_delay = Duration::ZERO;
    let app = common::open(&config).await.expect("open");
    let s = &app.services;
    let job = app
        .submit(&sample.export, Some(&sample.mapping), Some("sample".into()))
        .await
        .expect("submit")
        .job;
    // Plan here, then take away the first contacts batch so its message cannot be processed.
    jobs::resume(s, &job.tenant, &job.id).await.expect("plan");
    s.queue
        .purge(&s.names.queue(QueueKind::Jobs))
        .await
        .expect("purge");
    let batches = s
        .store
        .batches(&job.tenant, &job.id)
        .await
        .expect("batches");
    let first = batches
        .iter()
        .find(|b| b.kind == Kind::Contacts)
        .expect("contacts batch");
    let saved = s.batches.get(&first.blob_key).await.expect("blob");
    s.batches
        .delete(&first.blob_key)
        .await
        .expect("delete blob");

    match app.run(&job, &|_| {}).await.expect("run") {
        RunOutcome::Stalled(dead) => {
            assert_eq!(dead.len(), 1, "{dead:?}");
            assert!(dead[0]
                .last_error
                .as_deref()
                .is_some_and(|e| e.contains("batch blob")));
        }
        other => panic!("the job cannot finish without its batch: {other:?}"),
    }

    s.batches
        .put(&first.blob_key, saved)
        .await
        .expect("restore");
    assert_eq!(app.dlq_redrive("contacts").await.expect("redrive"), 1);
    match app.run(&job, &|_| {}).await.expect("run") {
        RunOutcome::Done(report) => assert!(report.kinds.contains_key("contacts")),
        other => panic!("still not done: {other:?}"),
    }
    let got = fingerprint(s.store.as_ref(), &job.tenant, &job.id)
        .await
        .expect("fingerprint");
    assert_eq!(got, expected);
}

/// A job planned by a version that kept batch blobs with the files (under `blobs/`) resumes
/// with this one, which writes them to `blobs.db`; the files it copies lie flat, one
/// directory per kind and none per record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_planned_with_its_batches_among_the_files_resumes() {
    let sample = common::small_sample();
    let (expected, _) = baseline(&sample).await;
    let data = tempfile::tempdir().expect("tempdir");
    let config = common::config(data.path());
    let app = common::open(&config).await.expect("open");
    let s = &app.services;
    let job = app
        .submit(&sample.export, Some(&sample.mapping), Some("sample".into()))
        .await
        .expect("submit")
        .job;
    jobs::resume(s, &job.tenant, &job.id).await.expect("plan");
    s.queue
        .purge(&s.names.queue(QueueKind::Jobs))
        .await
        .expect("purge");
    let batches = s
        .store
        .batches(&job.tenant, &job.id)
        .await
        .expect("batches");
    assert!(!batches.is_empty());
    for b in &batches {
        let bytes = s.batches.get(&b.blob_key).await.expect("planned blob");
        s.blobs
            .put(&b.blob_key, bytes)
            .await
            .expect("put where it was");
        s.batches.delete(&b.blob_key).await.expect("delete");
    }

    match app.run(&job, &|_| {}).await.expect("run") {
        RunOutcome::Done(report) => assert!(report.kinds.contains_key("contacts")),
        other => panic!("not done: {other:?}"),
    }
    let got = fingerprint(s.store.as_ref(), &job.tenant, &job.id)
        .await
        .expect("fingerprint");
    assert_eq!(got, expected);

    // The copied files: flat under files/<kind>/, named <record>.<n>.
    let files = s
        .blobs
        .list(&format!("tenants/{}/jobs/{}/files", job.tenant, job.id))
        .await
        .expect("list");
    assert!(!files.is_empty(), "the sample has documents");
    for f in &files {
        let depth = f.key.split('/').count();
        assert_eq!(depth, 7, "{} is not flat under its kind", f.key);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_job_takes_no_more_work() {
    let sample = common::small_sample();
    let data = tempfile::tempdir().expect("tempdir");
    let config = common::config(data.path());
    let app = common::open(&config).await.expect("open");
    let job = app
        .submit(&sample.export, Some(&sample.mapping), Some("sample".into()))
        .await
        .expect("submit")
        .job;
    let s = &app.services;
    let jobs_queue = s.names.queue(QueueKind::Jobs);
    let jobs_handler = JobsHandler::new(s.clone());
    // Planning fans out the first phase.
    deliver_once(s, &jobs_queue, jobs_handler.as_ref()).await;
    let queued = app.queue_stats().await.expect("stats");
    assert!(
        queued.iter().map(|q| q.visible).sum::<u64>() > 0,
        "nothing fanned out"
    );

    s.store
        .set_job_status(
            &job.tenant,
            &job.id,
            JobStatus::Cancelled,
            Some("cancelled"),
        )
        .await
        .expect("cancel");
    // Every message still queued is delivered; none may do work.
    for kind in QueueKind::ALL {
        let queue = s.names.queue(kind);
        loop {
            let got = s
                .queue
                .receive(&queue, &ReceiveOptions::batch(10))
                .await
                .expect("receive");
            if got.is_empty() {
                break;
            }
            for m in got {
                match kind {
                    QueueKind::Jobs => jobs_handler.handle(&m).await.expect("job message"),
                    QueueKind::Record(kind) => EntityHandler::new(kind, s.clone())
                        .handle(&m)
                        .await
                        .expect("work message"),
                }
                s.queue
                    .delete(&queue, &m.receipt_handle)
                    .await
                    .expect("delete");
            }
        }
    }
    let progress = s
        .store
        .progress(&job.tenant, &job.id)
        .await
        .expect("progress");
    assert!(progress.iter().all(|p| p.batches_done == 0), "{progress:?}");
    let row = s.job(&job.tenant, &job.id).await.expect("job");
    assert_eq!((row.status, row.phase), (JobStatus::Cancelled, 0));
    assert!(app
        .queue_stats()
        .await
        .expect("stats")
        .iter()
        .all(|q| q.visible == 0));

    // Running it again says so instead of waiting for ever.
    let err = migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("sample".into()),
        &config,
        &|_| {},
    )
    .await
    .expect_err("a cancelled job does not run");
    assert!(err.to_string().contains("cancelled"), "{err}");
}
