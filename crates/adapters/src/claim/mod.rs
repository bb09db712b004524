//! Claim check: a message body larger than the queue's limit is stored in the blob store and
//! the message carries a reference instead; receiving resolves the reference, so consumers
//! see the original body. Wraps any queue adapter; the Lambda entrypoint, which gets bodies
//! from the SQS event rather than from a receive, calls [`resolve_body`] itself.
//!
//! Stored bodies live under `claims/<queue>/`; a lifecycle rule on that prefix removes them
//! (a receiver cannot know whether it is the last delivery).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use migrationai_ports::blob::{sha256_hex, BlobStore};
use migrationai_ports::queue::{
    limits, BatchOutcome, DeleteEntry, MessageId, PeekedMessage, Queue, QueueConfig, QueueError,
    QueueStats, ReceiveOptions, ReceivedMessage, SendEntry, VisibilityEntry,
};
use serde::{Deserialize, Serialize};

const MARKER: &str = "{\"migrationai_claim_check\":";

/// What a claim-checked message carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRef {
    pub key: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    migrationai_claim_check: ClaimRef,
}

/// Whether a body is a claim-check reference.
pub fn is_reference(body: &str) -> bool {
    body.starts_with(MARKER)
}

/// The original body of a message: itself, or the stored body its reference names
/// (checked against the recorded SHA-256).
pub async fn resolve_body(blobs: &BlobStore, body: &str) -> Result<String, QueueError> {
    if !is_reference(body) {
        return Ok(body.to_owned());
    }
    let envelope: Envelope = serde_json::from_str(body)
        .map_err(|e| QueueError::backend(format!("malformed claim check: {e}")))?;
    let claim = envelope.migrationai_claim_check;
    let bytes = blobs
        .get(&claim.key)
        .await
        .map_err(|e| QueueError::backend(format!("claim check {}: {e}", claim.key)))?;
    if sha256_hex(&bytes) != claim.sha256 {
        return Err(QueueError::backend(format!(
            "claim check {}: checksum mismatch",
            claim.key
        )));
    }
    String::from_utf8(bytes.to_vec())
        .map_err(|_| QueueError::backend(format!("claim check {}: not UTF-8", claim.key)))
}

/// Stores `body` and returns the reference body to send instead.
pub async fn store_body(blobs: &BlobStore, queue: &str, body: &str) -> Result<String, QueueError> {
    let key = format!("claims/{queue}/{}", uuid::Uuid::new_v4());
    let stored = blobs
        .put(&key, Bytes::from(body.to_owned()))
        .await
        .map_err(|e| QueueError::backend(format!("claim check store: {e}")))?;
    let envelope = Envelope {
        migrationai_claim_check: ClaimRef {
            key,
            size: stored.size,
            sha256: stored.sha256,
        },
    };
    serde_json::to_string(&envelope).map_err(|e| QueueError::backend(e.to_string()))
}

/// A queue whose large bodies travel through the blob store.
pub struct ClaimCheckQueue {
    inner: Arc<dyn Queue>,
    blobs: BlobStore,
    threshold: usize,
}

impl ClaimCheckQueue {
    /// Bodies over the SQS limit (256 KiB) are claim-checked.
    pub fn new(inner: Arc<dyn Queue>, blobs: BlobStore) -> Self {
        ClaimCheckQueue {
            inner,
            blobs,
            threshold: limits::MAX_MESSAGE_BYTES,
        }
    }

    /// Claim-checks bodies over `threshold` bytes instead.
    pub fn with_threshold(mut self, threshold: usize) -> Self {
        self.threshold = threshold.min(limits::MAX_MESSAGE_BYTES);
        self
    }

    pub fn inner(&self) -> &Arc<dyn Queue> {
        &self.inner
    }

    async fn resolve_all(&self, messages: &mut [ReceivedMessage]) {
        for m in messages {
            if !is_reference(&m.body) {
                continue;
            }
            match resolve_body(&self.blobs, &m.body).await {
                Ok(body) => m.body = body,
                // Left as the reference: the handler fails on it, and the message is
                // retried and dead-lettered like any unreadable message.
                Err(e) => {
                    tracing::warn!(message_id = %m.message_id, error = %e, "claim check unresolved")
                }
            }
        }
    }
}

#[async_trait]
impl Queue for ClaimCheckQueue {
    async fn ensure_queue(&self, name: &str, config: &QueueConfig) -> Result<(), QueueError> {
        self.inner.ensure_queue(name, config).await
    }

    async fn visibility_timeout(&self, queue: &str) -> Result<Duration, QueueError> {
        self.inner.visibility_timeout(queue).await
    }

    async fn send(
        &self,
        queue: &str,
        body: &str,
        delay: Option<Duration>,
    ) -> Result<MessageId, QueueError> {
        if body.len() > self.threshold {
            let reference = store_body(&self.blobs, queue, body).await?;
            return self.inner.send(queue, &reference, delay).await;
        }
        self.inner.send(queue, body, delay).await
    }

    async fn send_batch(
        &self,
        queue: &str,
        mut entries: Vec<SendEntry>,
    ) -> Result<BatchOutcome, QueueError> {
        // Oversized bodies first, then the largest ones until the request fits.
        for e in entries.iter_mut().filter(|e| e.body.len() > self.threshold) {
            e.body = store_body(&self.blobs, queue, &e.body).await?;
        }
        loop {
            let total: usize = entries.iter().map(|e| e.body.len()).sum();
            if total <= limits::MAX_MESSAGE_BYTES {
                break;
            }
            let Some(largest) = entries
                .iter_mut()
                .filter(|e| !is_reference(&e.body))
                .max_by_key(|e| e.body.len())
            else {
                break;
            };
            largest.body = store_body(&self.blobs, queue, &largest.body).await?;
        }
        self.inner.send_batch(queue, entries).await
    }

    async fn receive(
        &self,
        queue: &str,
        options: &ReceiveOptions,
    ) -> Result<Vec<ReceivedMessage>, QueueError> {
        let mut got = self.inner.receive(queue, options).await?;
        self.resolve_all(&mut got).await;
        Ok(got)
    }

    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        self.inner.delete(queue, receipt).await
    }

    async fn delete_batch(
        &self,
        queue: &str,
        entries: Vec<DeleteEntry>,
    ) -> Result<BatchOutcome, QueueError> {
        self.inner.delete_batch(queue, entries).await
    }

    async fn change_visibility(
        &self,
        queue: &str,
        receipt: &str,
        timeout: Duration,
    ) -> Result<(), QueueError> {
        self.inner.change_visibility(queue, receipt, timeout).await
    }

    async fn change_visibility_batch(
        &self,
        queue: &str,
        entries: Vec<VisibilityEntry>,
    ) -> Result<BatchOutcome, QueueError> {
        self.inner.change_visibility_batch(queue, entries).await
    }

    async fn stats(&self, queue: &str) -> Result<QueueStats, QueueError> {
        self.inner.stats(queue).await
    }

    async fn move_messages(
        &self,
        from_dlq: &str,
        to_queue: &str,
        max: usize,
    ) -> Result<usize, QueueError> {
        self.inner.move_messages(from_dlq, to_queue, max).await
    }

    async fn peek(&self, queue: &str, max: usize) -> Result<Vec<PeekedMessage>, QueueError> {
        let mut peeked = self.inner.peek(queue, max).await?;
        for m in &mut peeked {
            if let Ok(body) = resolve_body(&self.blobs, &m.body).await {
                m.body = body;
            }
        }
        Ok(peeked)
    }

    async fn purge(&self, queue: &str) -> Result<(), QueueError> {
        self.inner.purge(queue).await
    }
}
