//! Workers on SQS (moto) and PostgreSQL under the queues' own settings: the heartbeat keeps
//! each queue's visibility timeout, failed messages back off, and a message that can never
//! be processed goes to its dead-letter queue at once.

mod aws_common;

use std::time::{Duration, Instant};

use migrationai_domain::{Kind, QueueKind};
use migrationai_host::profile::Profile;
use migrationai_pipeline::consumer::processor_for;
use migrationai_pipeline::{App, Config, Handler, HandlerError, Outcome};
use migrationai_ports::queue::{ReceiveOptions, ReceivedMessage};
use tokio_util::sync::CancellationToken;

/// An app on the AWS profile whose queues were made with `visibility`, as the Terraform
/// makes them.
async fn app_with_queues(
    env: &aws_common::AwsEnv,
    tag: &str,
    dir: &std::path::Path,
    visibility: Duration,
) -> (Config, App) {
    let aws = aws_common::aws_config(env, tag).await;
    let mut config = migrationai_host::Config {
        profile: Profile::Aws(Box::new(aws)),
        ..migrationai_host::Config::embedded(dir)
    };
    config.pipeline.visibility_timeout = visibility;
    let app = migrationai_host::open::app(&config)
        .await
        .expect("open the AWS profile");
    (config.pipeline, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeat_keeps_the_queues_own_visibility() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let terraform = Duration::from_secs(1805);
    let (made, app) = app_with_queues(&env, "vis", dir.path(), terraform).await;
    // A role started without MIGRATIONAI_VISIBILITY_TIMEOUT, as the Terraform starts them.
    let role = Config {
        visibility_timeout: Config::default().visibility_timeout,
        ..made
    };
    assert_ne!(role.visibility_timeout, terraform);
    for kind in [QueueKind::Record(Kind::Contacts), QueueKind::Jobs] {
        let processor = processor_for(kind, &app.services, &role)
            .await
            .expect("processor");
        assert_eq!(processor.visibility(), terraform, "{kind:?}");
    }
}

/// Fails every message it is given, transiently or permanently.
struct Failing {
    permanent: bool,
}

#[async_trait::async_trait]
impl Handler for Failing {
    async fn handle(&self, _: &ReceivedMessage) -> Result<(), HandlerError> {
        Err(if self.permanent {
            HandlerError::permanent("unreadable message body")
        } else {
            HandlerError::new("database connection refused")
        })
    }
}

/// Receives from `queue` until a message comes (long polls of 1 s), up to `limit`.
async fn receive_within(app: &App, queue: &str, limit: Duration) -> Option<ReceivedMessage> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let got = app
            .services
            .queue
            .receive(
                queue,
                &ReceiveOptions::batch(1).wait(Duration::from_secs(1)),
            )
            .await
            .expect("receive");
        if let Some(m) = got.into_iter().next() {
            return Some(m);
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_message_comes_back_only_after_its_backoff() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, app) = app_with_queues(&env, "bo", dir.path(), Duration::from_secs(30)).await;
    let config = Config {
        retry_delay: Duration::from_secs(2),
        ..config
    };
    let processor = processor_for(QueueKind::Record(Kind::Contacts), &app.services, &config)
        .await
        .expect("processor");
    let queue = app
        .services
        .names
        .queue(migrationai_ports::queue::QueueKind::Record(
            migrationai_ports::queue::Kind::Contacts,
        ));
    app.services
        .queue
        .send(&queue, "a batch", None)
        .await
        .expect("send");
    let handler = Failing { permanent: false };
    let shutdown = CancellationToken::new();
    let mut message = receive_within(&app, &queue, Duration::from_secs(5))
        .await
        .expect("first receive");
    // Receive n fails at `failed`: receive n + 1 comes no earlier than 2 s × 3^(n-1).
    for (receive, least) in [(1, 2), (2, 6)] {
        assert_eq!(message.receive_count, receive);
        let failed = Instant::now();
        let result = processor.process(vec![message], &handler, &shutdown).await;
        assert_eq!(result.failures().len(), 1);
        message = receive_within(&app, &queue, Duration::from_secs(least + 10))
            .await
            .expect("the message comes back");
        let waited = failed.elapsed();
        assert!(
            waited >= Duration::from_secs(least),
            "receive {} came after {waited:?}, before its {least} s backoff",
            receive + 1
        );
    }
    assert_eq!(message.receive_count, 3);
    let dead = app.dlq_list("contacts").await.expect("dlq list");
    assert!(dead.is_empty(), "a transient failure was dead-lettered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_failure_is_dead_lettered_at_once() {
    let Some(env) = aws_common::env() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let (config, app) = app_with_queues(&env, "pf", dir.path(), Duration::from_secs(30)).await;
    let processor = processor_for(QueueKind::Record(Kind::Contacts), &app.services, &config)
        .await
        .expect("processor");
    let queue = app
        .services
        .names
        .queue(migrationai_ports::queue::QueueKind::Record(
            migrationai_ports::queue::Kind::Contacts,
        ));
    app.services
        .queue
        .send(&queue, "not a work message", None)
        .await
        .expect("send");
    let message = receive_within(&app, &queue, Duration::from_secs(5))
        .await
        .expect("receive");
    let result = processor
        .process(
            vec![message],
            &Failing { permanent: true },
            &CancellationToken::new(),
        )
        .await;
    assert!(matches!(result.outcomes[0].1, Outcome::DeadLettered(_)));
    // Not retried: gone from its queue after one receive, in the DLQ with its error.
    let stats = app.services.queue.stats(&queue).await.expect("stats");
    assert_eq!(stats.visible + stats.in_flight + stats.delayed, 0);
    let dead = app.dlq_list("contacts").await.expect("dlq list");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].body, "not a work message");
    assert_eq!(
        dead[0].last_error.as_deref(),
        Some("unreadable message body")
    );
    assert_eq!(dead[0].receive_count, 1);
}
