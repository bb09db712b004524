//! The binary on the AWS profile as an operator runs it (SQS and S3 on moto, PostgreSQL):
//! the poller's JSON logs, and the operator commands (`dlq`, `queues`, `jobs`, `report`)
//! opening the profile they are given.

#[path = "../../host/tests/aws_common/mod.rs"]
mod aws_common;
#[path = "../../pipeline/tests/common/mod.rs"]
mod common;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use migrationai_host::profile::{AwsConfig, Profile};
use migrationai_host::{open, Config};
use migrationai_pipeline::App;
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

/// A JSON value whose objects, at every depth, name each key once (serde_json alone keeps
/// the last of two equal keys without a word).
struct UniqueKeys;

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor)
    }
}

struct UniqueKeysVisitor;

impl<'de> Visitor<'de> for UniqueKeysVisitor {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E>(self, _: i64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E>(self, _: u64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E>(self, _: f64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E>(self, _: &str) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(A::Error::custom(format!("duplicate key {key:?}")));
            }
            map.next_value::<UniqueKeys>()?;
        }
        Ok(UniqueKeys)
    }
}

/// The binary with exactly the environment the Terraform gives a role on `aws`.
fn migrationai(aws: &AwsConfig, endpoint: &str, data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_migrationai"));
    aws_common::role_env(&mut command, aws, endpoint)
        .env("MIGRATIONAI_DATABASE_URL", aws_common::database_url(aws))
        .env("MIGRATIONAI_DATA_DIR", data_dir);
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("run migrationai")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().ok().flatten().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

async fn opened(env: &aws_common::AwsEnv, tag: &str, dir: &Path) -> (AwsConfig, App) {
    let aws = aws_common::aws_config(env, tag).await;
    let config = Config {
        profile: Profile::Aws(Box::new(aws.clone())),
        ..Config::embedded(dir.join("setup"))
    };
    let app = open::app(&config).await.expect("open the AWS profile");
    (aws, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_json_logs_name_every_key_once() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (aws, app) = opened(&env, "log", dir.path()).await;
    let contacts = app
        .services
        .names
        .queue(migrationai_ports::queue::QueueKind::Record(
            migrationai_ports::queue::Kind::Contacts,
        ));
    // A body no handler can read, and a claim check whose stored body is gone: both log
    // the message's id beside the event's own message.
    app.services
        .queue
        .send(&contacts, "not a work message", None)
        .await
        .expect("send");
    let dangling = r#"{"migrationai_claim_check":{"key":"claims/gone","size":1,"sha256":"00"}}"#;
    app.services
        .queue
        .send(&contacts, dangling, None)
        .await
        .expect("send");

    let logs = dir.path().join("worker.log");
    let mut child = migrationai(&aws, &env.moto, &dir.path().join("worker"))
        .args(["--log-json", "worker", "--queue", "contacts", "--wait", "1"])
        .env("MIGRATIONAI_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&logs).expect("log file"))
        .spawn()
        .expect("start the worker");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let written = std::fs::read_to_string(&logs).unwrap_or_default();
        if written.contains("message failed") && written.contains("claim check unresolved") {
            break;
        }
        if Instant::now() > deadline {
            stop(&mut child);
            panic!("the failures were not logged within 60 s:\n{written}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop(&mut child);

    let written = std::fs::read_to_string(&logs).expect("logs");
    let mut failures = 0;
    for line in written.lines().filter(|l| !l.trim().is_empty()) {
        let mut de = serde_json::Deserializer::from_str(line);
        if let Err(e) = UniqueKeys::deserialize(&mut de).and_then(|_| de.end()) {
            panic!("log line is not JSON with unique keys ({e}): {line}");
        }
        let value: serde_json::Value = serde_json::from_str(line).expect("json");
        if value["fields"]["message"] == "message failed" {
            assert!(
                value["fields"]["message_id"]
                    .as_str()
                    .is_some_and(|id| !id.is_empty()),
                "{line}"
            );
            failures += 1;
        }
    }
    assert!(failures > 0, "no message failure logged:\n{written}");
}

/// A line of `queues` for a queue: (depth, in flight, delayed, DLQ depth).
fn queue_row(stdout: &str, queue: &str) -> Option<Vec<u64>> {
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(queue))?;
    line.split_whitespace()
        .skip(1)
        .map(|n| n.parse().ok())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_commands_open_the_aws_profile() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (aws, app) = opened(&env, "ops", dir.path()).await;
    let names = &app.services.names;
    let (contacts, dead) = (
        names.queue(migrationai_ports::queue::QueueKind::Record(
            migrationai_ports::queue::Kind::Contacts,
        )),
        names.dlq(migrationai_ports::queue::QueueKind::Record(
            migrationai_ports::queue::Kind::Contacts,
        )),
    );
    let id = app
        .services
        .queue
        .send(&dead, "a dead letter", None)
        .await
        .expect("send to the DLQ");
    let sample = common::small_sample();
    let job = app
        .submit(
            &sample.export,
            Some(&sample.mapping),
            Some("ops-job".into()),
        )
        .await
        .expect("submit")
        .job;
    // Each command runs where no local store exists: what it shows comes from AWS.
    let local = dir.path().join("operator");
    let cli = || migrationai(&aws, &env.moto, &local);

    let listed = run(cli().args(["dlq", "list", "contacts"]));
    let out = text(&listed.stdout);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(out.contains(&id) && out.contains("a dead letter"), "{out}");

    let queues = run(cli().arg("queues"));
    let out = text(&queues.stdout);
    assert!(queues.status.success(), "{}", text(&queues.stderr));
    assert_eq!(queue_row(&out, &contacts), Some(vec![0, 0, 0, 1]), "{out}");
    // The job's plan message waits on the jobs queue.
    let jobs_row = queue_row(
        &out,
        &names.queue(migrationai_ports::queue::QueueKind::Jobs),
    )
    .expect("jobs row");
    assert_eq!(jobs_row[0] + jobs_row[1], 1, "{out}");

    let redriven = run(cli().args(["dlq", "redrive", "contacts"]));
    let out = text(&redriven.stdout);
    assert!(redriven.status.success(), "{}", text(&redriven.stderr));
    assert!(out.contains("1 messages moved"), "{out}");
    let source = app.services.queue.stats(&contacts).await.expect("stats");
    let left = app.services.queue.stats(&dead).await.expect("stats");
    assert_eq!((source.visible, left.visible), (1, 0));

    let jobs = run(cli().arg("jobs"));
    let out = text(&jobs.stdout);
    assert!(jobs.status.success(), "{}", text(&jobs.stderr));
    assert!(out.contains("ops-job") && out.contains(&job.id), "{out}");
    // Found in PostgreSQL, not yet reported: a clear error, not "not found".
    let report = run(cli().args(["report", "ops-job"]));
    assert!(!report.status.success());
    let err = text(&report.stderr);
    assert!(err.contains("has no report yet"), "{err}");
    assert!(
        !local.join("store.db").exists(),
        "an operator command opened a local SQLite store"
    );

    // A profile that cannot be opened stops the command, saying what could not be opened.
    let wrong = run(cli()
        .env("MIGRATIONAI_AWS_ENDPOINT", "http://127.0.0.1:1")
        .arg("queues"));
    let err = text(&wrong.stderr);
    assert!(!wrong.status.success(), "{}", text(&wrong.stdout));
    assert!(
        err.contains("cannot open the queues of the aws profile (SQS at http://127.0.0.1:1)"),
        "{err}"
    );
    let wrong = run(cli()
        .env(
            "MIGRATIONAI_DATABASE_URL",
            "postgres://u:hunter2@127.0.0.1:1/x",
        )
        .args(["dlq", "list", "contacts"]));
    let err = text(&wrong.stderr);
    assert!(!wrong.status.success(), "{}", text(&wrong.stdout));
    assert!(err.contains("cannot open the PostgreSQL store"), "{err}");
    assert!(!err.contains("hunter2"), "the password leaked: {err}");
}
