//! The SQS adapter on moto against the queue conformance suite, plus the claim check.

mod aws_env;
mod conformance;

use std::sync::Arc;
use std::time::Duration;

use conformance::queue::{receive_n, setup, QueueFixture};
use migrationai_adapters::aws::{SqsQueue, Sse};
use migrationai_adapters::claim::{is_reference, ClaimCheckQueue};
use migrationai_ports::queue::{Queue, SendEntry};

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
