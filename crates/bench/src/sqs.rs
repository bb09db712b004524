//! Throughput of the SQS adapter against bare SDK calls on the same endpoint, so the
//! figure shows our overhead rather than the endpoint's speed (moto manages a few hundred
//! messages per second).

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, SendMessageBatchRequestEntry};
use migrationai_ports::queue::{
    DeleteEntry, Queue, QueueConfig, QueueError, ReceiveOptions, SendEntry,
};

use migrationai_adapters::aws::{SqsQueue, SqsSettings};

/// Messages per second sent and received-and-deleted, both ways.
#[derive(Debug, Clone, PartialEq)]
pub struct SqsBench {
    pub messages: usize,
    pub sdk_per_sec: f64,
    pub adapter_per_sec: f64,
}

impl SqsBench {
    /// Time the adapter adds per message, in percent of the bare SDK's.
    pub fn overhead_percent(&self) -> f64 {
        (self.sdk_per_sec / self.adapter_per_sec - 1.0) * 100.0
    }
}

fn err(e: impl std::fmt::Display) -> QueueError {
    QueueError::backend(e.to_string())
}

/// Sends `messages` in batches of 10, then receives and deletes them in batches of 10,
/// once with bare SDK calls and once through the adapter, each on a fresh queue.
pub async fn bench_sqs(settings: &SqsSettings, messages: usize) -> Result<SqsBench, QueueError> {
    let queue = SqsQueue::connect(settings).await;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        ^ std::process::id();
    let config = QueueConfig {
        visibility_timeout: Duration::from_secs(60),
        ..QueueConfig::default()
    };
    let sdk_name = format!("bench-sdk-{stamp:x}");
    let adapter_name = format!("bench-adapter-{stamp:x}");
    queue.ensure_queue(&sdk_name, &config).await?;
    queue.ensure_queue(&adapter_name, &config).await?;
    let body = "x".repeat(256);

    let url = queue.url(&sdk_name).await?;
    let client = queue.client().clone();
    let started = Instant::now();
    for chunk in 0..messages.div_ceil(10) {
        let mut request = client.send_message_batch().queue_url(&url);
        for i in 0..10.min(messages - chunk * 10) {
            let entry = SendMessageBatchRequestEntry::builder()
                .id(format!("e{i}"))
                .message_body(&body)
                .build()
                .map_err(err)?;
            request = request.entries(entry);
        }
        request.send().await.map_err(err)?;
    }
    let mut done = 0;
    while done < messages {
        let out = client
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .map_err(err)?;
        let got = out.messages.unwrap_or_default();
        if got.is_empty() {
            break;
        }
        let mut request = client.delete_message_batch().queue_url(&url);
        for (i, m) in got.iter().enumerate() {
            let entry = DeleteMessageBatchRequestEntry::builder()
                .id(format!("d{i}"))
                .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
                .build()
                .map_err(err)?;
            request = request.entries(entry);
        }
        request.send().await.map_err(err)?;
        done += got.len();
    }
    let sdk_secs = started.elapsed().as_secs_f64();

    let started = Instant::now();
    for chunk in 0..messages.div_ceil(10) {
        let entries = (0..10.min(messages - chunk * 10))
            .map(|i| SendEntry::new(format!("e{i}"), body.clone()))
            .collect();
        queue.send_batch(&adapter_name, entries).await?;
    }
    let options = ReceiveOptions::batch(10).wait(Duration::from_secs(1));
    let mut done = 0;
    while done < messages {
        let got = queue.receive(&adapter_name, &options).await?;
        if got.is_empty() {
            break;
        }
        let deletes = got
            .iter()
            .enumerate()
            .map(|(i, m)| DeleteEntry {
                id: format!("d{i}"),
                receipt_handle: m.receipt_handle.clone(),
            })
            .collect();
        queue.delete_batch(&adapter_name, deletes).await?;
        done += got.len();
    }
    let adapter_secs = started.elapsed().as_secs_f64();
    Ok(SqsBench {
        messages,
        sdk_per_sec: messages as f64 / sdk_secs,
        adapter_per_sec: messages as f64 / adapter_secs,
    })
}
