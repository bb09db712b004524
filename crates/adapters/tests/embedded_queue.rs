//! The embedded SQLite queue against the conformance suite, plus what only an
//! embedded queue can show: durability across reopening its file.

mod conformance;

use std::time::Duration;

use conformance::queue::{receive_n, setup, QueueFixture};
use migrationai_adapters::embedded::EmbeddedQueue;
use migrationai_ports::queue::{Queue, ReceiveOptions};
use tempfile::TempDir;

struct Embedded {
    queue: EmbeddedQueue,
    _dir: TempDir,
}

impl QueueFixture for Embedded {
    fn queue(&self) -> &dyn Queue {
        &self.queue
    }
}

async fn embedded(_case: &str) -> Embedded {
    let dir = tempfile::tempdir().unwrap();
    let queue = EmbeddedQueue::open_in_dir(dir.path()).await.unwrap();
    Embedded { queue, _dir: dir }
}

queue_conformance_tests!(embedded);

#[tokio::test]
async fn messages_and_queues_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let q = EmbeddedQueue::open_in_dir(dir.path()).await.unwrap();
    let (queue, dlq) = setup(&q, "durable").await;
    let kept = q.send(&queue, "kept", None).await.unwrap();
    q.send(&queue, "in flight", None).await.unwrap();
    let options = ReceiveOptions::batch(10).visibility(Duration::from_secs(60));
    let got = q.receive(&queue, &options).await.unwrap();
    assert_eq!(got.len(), 2);
    let in_flight = got.iter().find(|m| m.message_id != kept).unwrap().clone();
    let first = got.iter().find(|m| m.message_id == kept).unwrap().clone();
    q.change_visibility(&queue, &first.receipt_handle, Duration::ZERO)
        .await
        .unwrap();
    q.close().await.unwrap();

    let q = EmbeddedQueue::open_in_dir(dir.path()).await.unwrap();
    let stats = q.stats(&queue).await.unwrap();
    assert_eq!((stats.visible, stats.in_flight), (1, 1));
    // The receipt handed out before the restart still deletes.
    q.delete(&queue, &in_flight.receipt_handle).await.unwrap();
    let again = receive_n(&q, &queue, 1, Duration::from_secs(2), Some(Duration::ZERO)).await;
    assert_eq!(again[0].message_id, kept);
    assert_eq!(again[0].receive_count, 2);
    // The redrive policy was reloaded too: one more receive, then the DLQ.
    let third = receive_n(&q, &queue, 1, Duration::from_secs(2), Some(Duration::ZERO)).await;
    assert_eq!(third[0].receive_count, 3);
    assert!(q
        .receive(&queue, &ReceiveOptions::batch(1))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(q.stats(&dlq).await.unwrap().visible, 1);
}

#[tokio::test]
async fn committed_sends_survive_an_abandoned_connection() {
    let dir = tempfile::tempdir().unwrap();
    let q = EmbeddedQueue::open_in_dir(dir.path()).await.unwrap();
    let (queue, _) = setup(&q, "crash").await;
    for i in 0..25 {
        q.send(&queue, &format!("m{i}"), None).await.unwrap();
    }
    // Never closed: nothing is checkpointed or flushed on the way out, as
    // when the process is killed.
    std::mem::forget(q);

    let q = EmbeddedQueue::open_in_dir(dir.path()).await.unwrap();
    assert_eq!(q.stats(&queue).await.unwrap().visible, 25);
}

#[tokio::test]
async fn concurrent_consumers_never_share_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let q = std::sync::Arc::new(EmbeddedQueue::open_in_dir(dir.path()).await.unwrap());
    let (queue, _) = setup(&*q, "shared").await;
    for i in 0..200 {
        q.send(&queue, &format!("m{i}"), None).await.unwrap();
    }
    let mut consumers = Vec::new();
    for _ in 0..4 {
        let q = q.clone();
        let queue = queue.clone();
        consumers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            let options = ReceiveOptions::batch(10)
                .wait(Duration::from_millis(200))
                .visibility(Duration::from_secs(60));
            loop {
                let got = q.receive(&queue, &options).await.unwrap();
                if got.is_empty() {
                    return ids;
                }
                ids.extend(got.into_iter().map(|m| m.message_id));
            }
        }));
    }
    let mut all = Vec::new();
    for consumer in consumers {
        all.extend(consumer.await.unwrap());
    }
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!(total, 200);
    assert_eq!(all.len(), 200);
}
