//! A database failover mid-migration: the EC2 poller (`migrationai worker --queue all`, the
//! AWS profile's own retry settings) runs the small sample against a PostgreSQL of the test's
//! own, which is stopped as a crash or a Multi-AZ failover stops it (every connection cut) once
//! the job has begun to load, and started again 90 s later. Failed messages back off
//! (30 s, then 90 s: three receives span two minutes), so the job completes with no dead
//! letter and the same report as an embedded run.
//! Runs under scripts/services.sh; skipped (with a notice) without its variables, failed
//! under CI.

#[path = "../../host/tests/aws_common/mod.rs"]
mod aws_common;
#[path = "../../pipeline/tests/common/mod.rs"]
mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_common::own_postgres::OwnPostgres;
use migrationai_domain::{JobStatus, QueueKind};
use migrationai_host::profile::Profile;
use migrationai_host::{open, Config};
use migrationai_pipeline::Report;

/// How long the database is away: a Multi-AZ failover takes 60-120 s.
const OUTAGE: Duration = Duration::from_secs(90);

struct Worker(Child);

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ninety_second_database_outage_mid_migration_dead_letters_nothing() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let Some(bin) = aws_common::pg_bin() else {
        return;
    };
    let sample = common::small_sample();
    let data = tempfile::tempdir().expect("tempdir");
    let embedded = common::migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("failover".into()),
        &common::config(&data.path().join("embedded")),
        &|_| {},
    )
    .await
    .expect("embedded migrate");

    let pg = OwnPostgres::start(bin, None);
    // Set up as `db setup` sets it up; the roles connect as the runtime user.
    let database = aws_common::runtime_database(&pg.url(""), "fo").await;
    let mut aws = aws_common::aws_config(&env, "fo").await;
    aws.database_url = Some(database.clone().into());
    let config = Config {
        profile: Profile::Aws(Box::new(aws.clone())),
        ..Config::embedded(data.path().join("submitter"))
    };
    let app = open::app(&config).await.expect("open");

    let logs = data.path().join("worker.log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_migrationai"));
    command.args([
        "worker",
        "--queue",
        "all",
        "--concurrency",
        "1",
        "--wait",
        "1",
    ]);
    // No MIGRATIONAI_RETRY_DELAY: the backoff is the aws profile's own.
    let worker = aws_common::role_env(&mut command, &aws, &env.moto)
        .env("MIGRATIONAI_DATABASE_URL", &database)
        .env("MIGRATIONAI_DATA_DIR", data.path().join("worker"))
        .env("MIGRATIONAI_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&logs).expect("log file"))
        .spawn()
        .expect("start the worker");
    let mut worker = Worker(worker);
    let logs_text = || std::fs::read_to_string(&logs).unwrap_or_default();

    let job = app
        .submit(
            &sample.export,
            Some(&sample.mapping),
            Some("failover".into()),
        )
        .await
        .expect("submit")
        .job;

    // Mid-migration: some rows loaded, the job not finished.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let loaded: i64 = app
            .services
            .store
            .progress(&job.tenant, &job.id)
            .await
            .expect("progress")
            .iter()
            .map(|k| k.loaded)
            .sum();
        let row = app.services.job(&job.tenant, &job.id).await.expect("job");
        assert!(
            !row.status.is_finished(),
            "the job ended ({}) before the outage could begin; logs:\n{}",
            row.status,
            logs_text()
        );
        if loaded > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "nothing loaded after 120 s; logs:\n{}",
            logs_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pg.stop_immediately();
    let down = Instant::now();
    tokio::time::sleep(OUTAGE).await;
    if let Some(exit) = worker.0.try_wait().expect("try_wait") {
        panic!(
            "the worker exited ({exit}) during the outage; logs:\n{}",
            logs_text()
        );
    }
    pg.start_again();
    let outage = down.elapsed();

    // The job completes once the database is back (within the next backoffs).
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        // The submitter's own pool reconnects too; a refused read here is retried.
        if let Ok(row) = app.services.job(&job.tenant, &job.id).await {
            if row.status.is_finished() {
                break row.status;
            }
        }
        if let Some(exit) = worker.0.try_wait().expect("try_wait") {
            panic!("the worker exited early ({exit}); logs:\n{}", logs_text());
        }
        assert!(
            Instant::now() < deadline,
            "job not finished 600 s after the database came back; logs:\n{}",
            logs_text()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let total = down.elapsed();
    assert_eq!(status, JobStatus::Done, "logs:\n{}", logs_text());
    let text = logs_text();
    assert!(
        text.contains("message failed"),
        "the outage failed no message, so it proved nothing; logs:\n{text}"
    );

    for kind in QueueKind::ALL {
        let dead = app.dlq_list(kind.as_str()).await.expect("dlq list");
        assert!(dead.is_empty(), "{kind:?} dead-lettered {dead:?}");
    }
    let row = app.services.job(&job.tenant, &job.id).await.expect("job");
    let on_aws: Report =
        serde_json::from_str(row.report.as_deref().expect("a done job has a report"))
            .expect("report json");
    assert_eq!(embedded.problems(), on_aws.problems());
    assert_eq!(common::comparable(&embedded), common::comparable(&on_aws));
    println!(
        "failover: database down {:.0} s; job done {:.0} s after it went down, no dead letter",
        outage.as_secs_f64(),
        total.as_secs_f64()
    );
}
