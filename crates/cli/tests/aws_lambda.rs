//! The Lambda bootstrap (`migrationai lambda`) started the way Lambda starts it, against a
//! local Runtime API: an SQS event of the jobs queue with one poison record (a body no
//! handler can read) moves that record to the DLQ at once (retrying cannot help), answers with
//! no `batchItemFailures`, and the other records take effect.

#[path = "../../host/tests/aws_common/mod.rs"]
mod aws_common;
#[path = "../../pipeline/tests/common/mod.rs"]
mod common;
mod runtime_api;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use migrationai_domain::JobStatus;
use migrationai_host::profile::Profile;
use migrationai_host::{open, Config};
use migrationai_ports::queue::ReceiveOptions;
use runtime_api::{RuntimeApi, Seen};

fn record(m: &migrationai_ports::queue::ReceivedMessage) -> serde_json::Value {
    serde_json::json!({
        "messageId": m.message_id,
        "receiptHandle": m.receipt_handle,
        "body": m.body,
        "attributes": {
            "ApproximateReceiveCount": m.receive_count.to_string(),
            "SentTimestamp": "1700000000000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1700000000001"
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:prod-migrationai-jobs",
        "awsRegion": "us-east-1"
    })
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_record_is_dead_lettered_and_the_rest_take_effect() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let sample = common::small_sample();
    let aws = aws_common::aws_config(&env, "lam").await;
    let data = tempfile::tempdir().expect("tempdir");
    let config = Config {
        profile: Profile::Aws(Box::new(aws.clone())),
        ..Config::embedded(data.path().join("submitter"))
    };
    // Nine jobs submitted as the API would: each sends a plan message to the jobs queue.
    let app = open::app(&config).await.expect("open");
    let mut jobs = Vec::new();
    for i in 0..9 {
        let job = app
            .submit(
                &sample.export,
                Some(&sample.mapping),
                Some(format!("lambda-{i}")),
            )
            .await
            .expect("submit")
            .job;
        jobs.push(job);
    }
    let jobs_queue = app
        .services
        .names
        .queue(migrationai_domain::QueueKind::Jobs);
    let queue = app.services.queue.clone();
    queue
        .send(&jobs_queue, "{not json", None)
        .await
        .expect("send poison");

    // What the event source mapping would have received.
    let mut received = Vec::new();
    let options = ReceiveOptions::batch(10)
        .wait(Duration::from_secs(2))
        .visibility(Duration::from_secs(120));
    while received.len() < 10 {
        let got = queue.receive(&jobs_queue, &options).await.expect("receive");
        assert!(!got.is_empty(), "expected 10 messages on the jobs queue");
        received.extend(got);
    }
    let event = serde_json::json!({ "Records": received.iter().map(record).collect::<Vec<_>>() });
    let api = RuntimeApi::start(vec![("req-1".into(), event.to_string())]);

    let logs = data.path().join("lambda.log");
    let started = Instant::now();
    let mut command = Command::new(env!("CARGO_BIN_EXE_migrationai"));
    command.arg("lambda");
    let mut child = aws_common::role_env(&mut command, &aws, &env.moto)
        .env("AWS_LAMBDA_RUNTIME_API", &api.address)
        .env("_HANDLER", "bootstrap")
        .env("AWS_LAMBDA_FUNCTION_NAME", "migrationai-jobs")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/migrationai-jobs")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/01/01/[$LATEST]test")
        .env("LAMBDA_TASK_ROOT", data.path())
        .env("MIGRATIONAI_QUEUE", "jobs")
        .env("MIGRATIONAI_DATABASE_URL", aws_common::database_url(&aws))
        .env("MIGRATIONAI_DATA_DIR", data.path().join("lambda"))
        .env("MIGRATIONAI_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&logs).expect("log file"))
        .spawn()
        .expect("start the bootstrap");

    let first = api.wait(Duration::from_secs(30));
    let init = started.elapsed();
    assert!(matches!(first, Some(Seen::Next(_))), "{first:?}");
    let invoked = Instant::now();
    let reply = loop {
        match api.wait(Duration::from_secs(120)) {
            Some(Seen::Response { request_id, body }) => {
                assert_eq!(request_id, "req-1");
                break body;
            }
            Some(Seen::Next(_)) => continue,
            other => panic!(
                "expected a response, got {other:?}; logs:\n{}",
                std::fs::read_to_string(&logs).unwrap_or_default()
            ),
        }
    };
    let first_invocation = invoked.elapsed();
    let rss = peak_rss_kib(child.id());
    let response: serde_json::Value = serde_json::from_str(&reply).expect("json reply");
    assert_eq!(response, serde_json::json!({ "batchItemFailures": [] }));
    let dead = app.dlq_list("jobs").await.expect("dlq list");
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].body, "{not json");
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("unreadable message body")),
        "{dead:?}"
    );

    // The plan messages took effect: every job left planning and fanned out.
    for job in &jobs {
        let row = app.services.job(&job.tenant, &job.id).await.expect("job");
        assert_ne!(
            row.status,
            JobStatus::Planning,
            "job {} was not planned",
            row.name
        );
    }
    let contacts = app
        .services
        .names
        .queue(migrationai_domain::Kind::Contacts.into());
    let stats = queue.stats(&contacts).await.expect("stats");
    assert!(stats.visible + stats.delayed > 0, "no fan-out: {stats:?}");

    // SIGTERM: a graceful exit.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().expect("wait");
    assert!(status.success(), "exit status {status}");
    let log_text = std::fs::read_to_string(&logs).expect("logs");
    let with_id: Vec<&str> = log_text.lines().filter(|l| l.contains("req-1")).collect();
    assert!(
        !with_id.is_empty(),
        "no log line carries the request id:\n{log_text}"
    );
    for line in &with_id {
        serde_json::from_str::<serde_json::Value>(line).expect("JSON log line");
    }
    let open_ms = log_text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|v| field(&v, "open_ms").and_then(serde_json::Value::as_u64))
        .unwrap_or_else(|| panic!("no \"worker ready\" line with open_ms:\n{log_text}"));
    println!(
        "lambda cold start: {:.1} ms from process start to the first next; first invocation {:.1} ms, \
         of which {open_ms} ms opening the adapters; peak RSS {:.1} MiB over a batch of {}",
        init.as_secs_f64() * 1000.0,
        first_invocation.as_secs_f64() * 1000.0,
        rss.unwrap_or(0) as f64 / 1024.0,
        received.len()
    );
}

/// A field anywhere in a JSON log line (flattened or under `fields`).
fn field<'a>(v: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    match v {
        serde_json::Value::Object(map) => map
            .get(name)
            .or_else(|| map.values().find_map(|inner| field(inner, name))),
        _ => None,
    }
}
