//! The SQS adapter on moto against the queue conformance suite, plus the claim check.

mod aws_env;
mod conformance;

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use conformance::queue::{receive_n, setup, QueueFixture};
use migrationai_adapters::aws::{SqsQueue, Sse};
use migrationai_adapters::claim::{is_reference, ClaimCheckQueue};
use migrationai_ports::queue::{ensure_all_queues, Queue, QueueConfig, QueueNames, SendEntry};

struct Sqs {
    queue: SqsQueue,
}

impl QueueFixture for Sqs {
    fn queue(&self) -> &dyn Queue {
        &self.queue
    }
}

async fn sqs(case: &str) -> Sqs {
    let Some(endpoint) = aws_env::require("MIGRATIONAI_TEST_SQS_ENDPOINT") else {
        // Each test runs in its own process under nextest: leaving it is a skip.
        std::process::exit(0);
    };
    let _ = case;
    Sqs {
        queue: aws_env::sqs_at(&endpoint, &aws_env::unique("c")),
    }
}

queue_conformance_tests!(sqs);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_check_carries_a_2mb_message_through_s3() {
    let (Some(sqs_endpoint), Some(s3_endpoint)) = (
        aws_env::require("MIGRATIONAI_TEST_SQS_ENDPOINT"),
        aws_env::require("MIGRATIONAI_TEST_S3_ENDPOINT"),
    ) else {
        return;
    };
    let prefix = aws_env::unique("cc");
    let raw: Arc<dyn Queue> = Arc::new(aws_env::sqs_at(&sqs_endpoint, &prefix));
    let bucket = format!("claims-{}", prefix.trim_end_matches('-')).to_lowercase();
    let blobs = aws_env::bucket_at(&s3_endpoint, &bucket, Sse::Aes256).await;
    let queue = ClaimCheckQueue::new(raw.clone(), blobs.clone());
    let (name, _) = setup(&queue, "claims").await;

    let big: String = (0..2 * 1024 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    queue.send(&name, &big, None).await.unwrap();
    // One entry over the limit, and two that fit alone but not together: the big one and
    // the larger of the other two travel through S3.
    let batch = vec![
        SendEntry::new("big", big.clone()),
        SendEntry::new("s1", "x".repeat(200 * 1024)),
        SendEntry::new("s2", "y".repeat(100 * 1024)),
    ];
    let outcome = queue.send_batch(&name, batch).await.unwrap();
    assert!(outcome.failed.is_empty(), "{:?}", outcome.failed);

    // What travelled on SQS is a reference, not the body.
    let on_wire = raw.peek(&name, 10).await.unwrap();
    assert_eq!(on_wire.len(), 4);
    assert_eq!(on_wire.iter().filter(|m| is_reference(&m.body)).count(), 3);
    assert!(on_wire.iter().all(|m| m.body.len() < 256 * 1024));

    let got = receive_n(&queue, &name, 4, Duration::from_secs(5), None).await;
    let mut sizes: Vec<usize> = got.iter().map(|m| m.body.len()).collect();
    sizes.sort();
    assert_eq!(sizes, [100 * 1024, 200 * 1024, big.len(), big.len()]);
    assert!(got
        .iter()
        .filter(|m| m.body.len() == big.len())
        .all(|m| m.body == big));
    assert_eq!(blobs.list("claims").await.unwrap().len(), 3);
}

/// The attributes SQS reports for a queue, without the clock fields.
async fn attributes_of(sqs: &SqsQueue, url: &str) -> std::collections::BTreeMap<String, String> {
    let out = sqs
        .client()
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect("get attributes");
    out.attributes()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensure_creates_missing_queues_and_never_changes_existing_ones() {
    let Some(endpoint) = aws_env::require("MIGRATIONAI_TEST_SQS_ENDPOINT") else {
        return;
    };
    let prefix = aws_env::unique("tf");
    let sqs = aws_env::sqs_at(&endpoint, &prefix);
    let names = QueueNames::new("prod");
    // The contacts pair as the Terraform makes it: a DLQ kept 14 days, a queue hidden for
    // 1,805 s that dead-letters after 3 receives.
    let dlq_url = sqs
        .client()
        .create_queue()
        .queue_name(format!(
            "{prefix}{}",
            names.dlq(migrationai_ports::queue::QueueKind::Record(
                migrationai_ports::queue::Kind::Contacts
            ))
        ))
        .attributes(QueueAttributeName::MessageRetentionPeriod, "1209600")
        .send()
        .await
        .expect("create the DLQ")
        .queue_url()
        .expect("url")
        .to_owned();
    let dlq_arn = attributes_of(&sqs, &dlq_url).await["QueueArn"].clone();
    let redrive = serde_json::json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3});
    let source_url = sqs
        .client()
        .create_queue()
        .queue_name(format!(
            "{prefix}{}",
            names.queue(migrationai_ports::queue::QueueKind::Record(
                migrationai_ports::queue::Kind::Contacts
            ))
        ))
        .attributes(QueueAttributeName::VisibilityTimeout, "1805")
        .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
        .send()
        .await
        .expect("create the queue")
        .queue_url()
        .expect("url")
        .to_owned();
    let before = (
        attributes_of(&sqs, &source_url).await,
        attributes_of(&sqs, &dlq_url).await,
    );
    assert_eq!(before.0["VisibilityTimeout"], "1805");

    // What MIGRATIONAI_ENSURE_QUEUES=1 runs at start, with the process's defaults (30 s, 4 days).
    let template = QueueConfig::default();
    ensure_all_queues(&sqs, &names, &template)
        .await
        .expect("ensure");
    let after = (
        attributes_of(&sqs, &source_url).await,
        attributes_of(&sqs, &dlq_url).await,
    );
    assert_eq!(after, before, "ensure changed an existing queue");
    // The missing queues were created, with the template's attributes.
    let jobs = sqs
        .url(&names.queue(migrationai_ports::queue::QueueKind::Jobs))
        .await
        .expect("jobs queue created");
    let jobs = attributes_of(&sqs, &jobs).await;
    assert_eq!(jobs["VisibilityTimeout"], "30");
    assert!(jobs["RedrivePolicy"].contains(&names.dlq(migrationai_ports::queue::QueueKind::Jobs)));
    // A second run (every role starting) changes nothing either.
    ensure_all_queues(&sqs, &names, &template)
        .await
        .expect("ensure again");
    assert_eq!(attributes_of(&sqs, &source_url).await, before.0);
}
