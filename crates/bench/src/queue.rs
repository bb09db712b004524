//! Queue throughput benchmark, callable from the CLI and the example: one
//! producer sending batches of 10 while one consumer receives 10 at a time
//! and deletes them in a batch, the pattern of every worker.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use migrationai_ports::queue::{
    DeleteEntry, Queue, QueueConfig, QueueError, QueueErrorCode, ReceiveOptions, SendEntry,
};

/// Queue the benchmark creates and purges.
pub const BENCH_QUEUE: &str = "bench-migrationai";

/// Consecutive empty long polls after the producer finished that mean
/// messages went missing.
const MAX_IDLE_POLLS: u32 = 3;

#[derive(Debug, Clone, PartialEq)]
pub struct BenchFigures {
    pub messages: usize,
    /// From the first send to the last delete.
    pub elapsed: Duration,
    /// Messages sent, received and deleted per second over `elapsed`.
    pub messages_per_sec: f64,
    /// When the producer had sent everything.
    pub send_elapsed: Duration,
    pub receive_calls: usize,
}

/// Sends, receives and deletes `messages` messages through `queue` in
/// batches of 10 and measures the rate.
pub async fn bench_queue(queue: &dyn Queue, messages: usize) -> Result<BenchFigures, QueueError> {
    let config = QueueConfig {
        visibility_timeout: Duration::from_secs(60),
        ..QueueConfig::default()
    };
    queue.ensure_queue(BENCH_QUEUE, &config).await?;
    queue.purge(BENCH_QUEUE).await?;
    let body = format!(
        "{{\"kind\":\"contacts\",\"payload\":\"{}\"}}",
        "x".repeat(80)
    );
    let produced = AtomicBool::new(false);
    let start = Instant::now();

    let producer = async {
        let mut sent = 0;
        while sent < messages {
            let n = (messages - sent).min(10);
            let entries = (0..n)
                .map(|i| SendEntry::new(format!("m{i}"), body.clone()))
                .collect();
            let outcome = queue.send_batch(BENCH_QUEUE, entries).await?;
            if let Some(failure) = outcome.failed.first() {
                return Err(QueueError::new(failure.code, failure.message.clone()));
            }
            sent += n;
        }
        produced.store(true, Ordering::Release);
        Ok::<Duration, QueueError>(start.elapsed())
    };

    let consumer = async {
        let options = ReceiveOptions::batch(10).wait(Duration::from_secs(1));
        let mut done = 0;
        let mut calls = 0;
        let mut idle = 0;
        while done < messages {
            let received = queue.receive(BENCH_QUEUE, &options).await?;
            calls += 1;
            if received.is_empty() {
                idle += u32::from(produced.load(Ordering::Acquire));
                if idle >= MAX_IDLE_POLLS {
                    return Err(QueueError::new(
                        QueueErrorCode::Backend,
                        format!("benchmark lost messages: {done} of {messages} came back"),
                    ));
                }
                continue;
            }
            let entries = received
                .iter()
                .enumerate()
                .map(|(i, m)| DeleteEntry {
                    id: format!("d{i}"),
                    receipt_handle: m.receipt_handle.clone(),
                })
                .collect();
            let outcome = queue.delete_batch(BENCH_QUEUE, entries).await?;
            if let Some(failure) = outcome.failed.first() {
                return Err(QueueError::new(failure.code, failure.message.clone()));
            }
            done += received.len();
        }
        Ok::<usize, QueueError>(calls)
    };

    let (send_elapsed, receive_calls) = futures::try_join!(producer, consumer)?;
    let elapsed = start.elapsed();
    Ok(BenchFigures {
        messages,
        elapsed,
        messages_per_sec: messages as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
        send_elapsed,
        receive_calls,
    })
}
