//! The connection budget: 13 worker processes (one per queue, as the 13 Lambda functions) on
//! the AWS profile (SQS and S3 on moto) share a PostgreSQL database that allows 20
//! connections, each sized by `MIGRATIONAI_DB_MAX_CONNECTIONS` as the README's budget says,
//! and the job completes with no dead letters. Without the setting every process pooled up
//! to 8 connections, 104 in all, and refused connections dead-lettered the job's messages.
//! Runs under scripts/services.sh; skipped (with a notice) without its variables, failed
//! under CI.

#[path = "../../host/tests/aws_common/mod.rs"]
mod aws_common;
#[path = "../../pipeline/tests/common/mod.rs"]
mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use migrationai_adapters::sql::PoolSize;
use migrationai_domain::QueueKind;
use migrationai_host::profile::Profile;
use migrationai_host::{open, Config};
use sqlx::Connection;

/// The database's limit for the test's user (as `max_connections` is the instance's).
const LIMIT: u32 = 20;
/// Each worker process's pool: 13 x 1, plus the submitter's 2, plus headroom, fits 20.
const PER_WORKER: u32 = 1;
const SUBMITTER: u32 = 2;

struct Workers(Vec<Child>);

impl Drop for Workers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Limits the runtime user every role connects as (`aws_common::aws_config` sets it up as
/// `db setup` does) to `LIMIT` connections, as `max_connections` limits the instance's.
/// (Superusers are exempt from connection limits, so the test cannot use its own.)
async fn limit_connections(admin_url: &str, database_url: &str) {
    let user = database_url
        .split_once("://")
        .and_then(|(_, rest)| rest.split_once(':'))
        .map(|(user, _)| user)
        .expect("user in the database URL");
    let mut admin = sqlx::postgres::PgConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(&format!("ALTER ROLE \"{user}\" CONNECTION LIMIT {LIMIT}"))
        .execute(&mut admin)
        .await
        .expect("limit the runtime user");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirteen_workers_fit_a_twenty_connection_database() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let sample = common::small_sample();
    let aws = aws_common::aws_config(&env, "bud").await;
    limit_connections(&env.database, &aws_common::database_url(&aws)).await;
    let data = tempfile::tempdir().expect("tempdir");
    let config = Config {
        profile: Profile::Aws(Box::new(aws.clone())),
        db_pool: PoolSize::of(SUBMITTER),
        ..Config::embedded(data.path().join("submitter"))
    };
    let app = open::app(&config).await.expect("open");

    let logs = data.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs dir");
    let workers = Workers(
        QueueKind::ALL
            .iter()
            .map(|kind| {
                let mut command = Command::new(env!("CARGO_BIN_EXE_migrationai"));
                command.args(["worker", "--queue", kind.as_str(), "--wait", "1"]);
                aws_common::role_env(&mut command, &aws, &env.moto)
                    .env("MIGRATIONAI_DATABASE_URL", aws_common::database_url(&aws))
                    .env("MIGRATIONAI_DB_MAX_CONNECTIONS", PER_WORKER.to_string())
                    // A refused connection must not wait 30 s to be retried in a test.
                    .env("MIGRATIONAI_RETRY_DELAY", "1")
                    .env("MIGRATIONAI_DATA_DIR", data.path().join(kind.as_str()))
                    .env("MIGRATIONAI_LOG", "warn")
                    .stdout(Stdio::null())
                    .stderr(
                        std::fs::File::create(logs.join(format!("{}.log", kind.as_str())))
                            .expect("log file"),
                    )
                    .spawn()
                    .expect("start a worker")
            })
            .collect(),
    );
    let all_logs = || {
        QueueKind::ALL
            .iter()
            .map(|kind| {
                let text = std::fs::read_to_string(logs.join(format!("{}.log", kind.as_str())))
                    .unwrap_or_default();
                format!("--- {}\n{}", kind.as_str(), text)
            })
            .collect::<Vec<_>>()
            .join("\n")
    };

    let job = app
        .submit(&sample.export, Some(&sample.mapping), Some("budget".into()))
        .await
        .expect("submit")
        .job;
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        let row = app.services.job(&job.tenant, &job.id).await.expect("job");
        if row.status.is_finished() {
            break row.status;
        }
        let dead = app.dead_letters_of(&job.id).await.expect("dead letters");
        assert!(
            dead.is_empty(),
            "dead letters under the budget: {:?}\n{}",
            dead.iter()
                .map(|d| (&d.queue, &d.last_error))
                .collect::<Vec<_>>(),
            all_logs()
        );
        assert!(
            Instant::now() < deadline,
            "job still {} after 300 s\n{}",
            row.status,
            all_logs()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(
        status,
        migrationai_domain::JobStatus::Done,
        "{}",
        all_logs()
    );
    let row = app.services.job(&job.tenant, &job.id).await.expect("job");
    let report: migrationai_pipeline::Report =
        serde_json::from_str(row.report.as_deref().expect("a done job has a report"))
            .expect("report json");
    assert!(report.kinds.values().map(|c| c.loaded).sum::<u64>() > 0);
    assert!(app.dead_letters_of(&job.id).await.expect("dead").is_empty());
    drop(workers);
}
