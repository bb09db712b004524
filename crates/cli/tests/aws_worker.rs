//! The EC2 poller (`migrationai worker --queue all`) started as a process on the AWS profile
//! (SQS and S3 on moto, PostgreSQL, the database URL read from Secrets Manager by ARN): a
//! submitted job runs to `done`, and SIGTERM drains the poller to a clean exit.

#[path = "../../host/tests/aws_common/mod.rs"]
mod aws_common;
#[path = "../../pipeline/tests/common/mod.rs"]
mod common;
mod harness;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{logs_of, sigterm, wait_with_limit};
use migrationai_domain::JobStatus;
use migrationai_host::profile::Profile;
use migrationai_host::{open, Config};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_runs_a_job_and_drains_on_sigterm() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let sample = common::small_sample();
    let aws = aws_common::aws_config(&env, "wrk").await;
    let data = tempfile::tempdir().expect("tempdir");
    let config = Config {
        profile: Profile::Aws(Box::new(aws.clone())),
        ..Config::embedded(data.path().join("submitter"))
    };
    // Opening creates the queues (ensure_queues); the worker, like on EC2, only uses them.
    let app = open::app(&config).await.expect("open");

    // The database URL reaches the worker the way the Terraform gives it: by secret ARN.
    let keys: migrationai_adapters::aws::StaticKeys = ("testing".to_owned(), "testing".into());
    let sdk =
        migrationai_adapters::aws::sdk_config(Some(&env.moto), Some("us-east-1"), Some(&keys))
            .await;
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    let database_secret = secrets
        .create_secret()
        .name(format!("db-{}", aws.name_prefix.trim_end_matches('-')))
        .secret_string(aws_common::database_url(&aws))
        .send()
        .await
        .expect("create the database secret on moto")
        .arn()
        .expect("secret ARN")
        .to_owned();

    let logs = data.path().join("worker.log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_migrationai"));
    command.args([
        "worker",
        "--queue",
        "all",
        "--wait",
        "1",
        "--drain-timeout",
        "30",
    ]);
    let mut child = aws_common::role_env(&mut command, &aws, &env.moto)
        .env("MIGRATIONAI_DATABASE_URL_SECRET_ARN", &database_secret)
        .env("MIGRATIONAI_DATA_DIR", data.path().join("worker"))
        .env("MIGRATIONAI_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&logs).expect("log file"))
        .spawn()
        .expect("start the worker");

    // Submitted as the API would: a plan message on the jobs queue; the poller does the rest.
    let job = app
        .submit(&sample.export, Some(&sample.mapping), Some("worker".into()))
        .await
        .expect("submit")
        .job;
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        let row = app.services.job(&job.tenant, &job.id).await.expect("job");
        if row.status.is_finished() {
            break row.status;
        }
        if let Some(exit) = child.try_wait().expect("try_wait") {
            panic!("worker exited early ({exit}); logs:\n{}", logs_of(&logs));
        }
        assert!(
            Instant::now() < deadline,
            "job still {} after 300 s; logs:\n{}",
            row.status,
            logs_of(&logs)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(status, JobStatus::Done, "logs:\n{}", logs_of(&logs));
    let row = app.services.job(&job.tenant, &job.id).await.expect("job");
    let report: migrationai_pipeline::Report =
        serde_json::from_str(row.report.as_deref().expect("a done job has a report"))
            .expect("report json");
    assert!(
        report.kinds.values().map(|c| c.loaded).sum::<u64>() > 0,
        "nothing loaded"
    );

    // A second job, stopped mid-way: SIGTERM once the poller has taken its plan.
    let second = app
        .submit(
            &sample.export,
            Some(&sample.mapping),
            Some("worker-2".into()),
        )
        .await
        .expect("submit")
        .job;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let row = app
            .services
            .job(&second.tenant, &second.id)
            .await
            .expect("job");
        if row.status != JobStatus::Planning {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "second job not picked up; logs:\n{}",
            logs_of(&logs)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // SIGTERM: the poller drains and exits 0, well within its drain timeout.
    let stopping = Instant::now();
    sigterm(&child);
    let exit = wait_with_limit(&mut child, Duration::from_secs(40));
    let Some(exit) = exit else {
        let _ = child.kill();
        panic!(
            "worker still running 40 s after SIGTERM; logs:\n{}",
            logs_of(&logs)
        );
    };
    assert!(
        exit.success(),
        "exit status {exit}; logs:\n{}",
        logs_of(&logs)
    );
    let log_text = logs_of(&logs);
    assert!(
        log_text.contains("draining"),
        "no drain in the logs:\n{log_text}"
    );
    // Drained: batches in hand finished, messages not started released; nothing held.
    for row in app.queue_stats().await.expect("queue stats") {
        assert_eq!(
            row.in_flight,
            0,
            "{} still holds messages; logs:\n{}",
            row.queue,
            logs_of(&logs)
        );
    }
    println!(
        "worker: job done, exit 0 {:.1} s after SIGTERM",
        stopping.elapsed().as_secs_f64()
    );
}
