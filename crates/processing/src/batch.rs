//! A batch processor in the spirit of Powertools for AWS Lambda: each received message gets
//! an outcome, the failed ones are reported as partial batch failures (and left on the queue
//! to be retried and, after the third receive, dead-lettered), a heartbeat keeps in-flight
//! messages hidden during long work, and a shutdown finishes the message in hand and
//! releases the rest at once.
//!
//! Idempotency is the handlers' part: every effect of a message is written in one
//! transaction together with a done mark, so a redelivered or duplicated message changes
//! nothing.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use futures::StreamExt;
use migrationai_ports::queue::{DeleteEntry, Queue, ReceivedMessage, VisibilityEntry};
use migrationai_ports::store::{MessageFailure, Store};
use tokio_util::sync::CancellationToken;

/// Why a message could not be processed at all. Data problems are never this: they are
/// rejects in the job's ledger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HandlerError(pub String);

impl HandlerError {
    pub fn new(e: impl std::fmt::Display) -> Self {
        HandlerError(e.to_string())
    }
}

impl From<crate::error::ProcessingError> for HandlerError {
    fn from(e: crate::error::ProcessingError) -> Self {
        HandlerError(e.chain())
    }
}

#[async_trait]
pub trait Handler: Send + Sync {
    async fn handle(&self, message: &ReceivedMessage) -> Result<(), HandlerError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure(String),
    /// Not started because of shutdown; made visible again at once.
    Released,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchResult {
    /// (message id, outcome) in the order received.
    pub outcomes: Vec<(String, Outcome)>,
}

impl BatchResult {
    /// The ids of the failed messages, as Lambda's `batchItemFailures` wants them.
    pub fn failures(&self) -> Vec<String> {
        self.outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Failure(_)))
            .map(|(id, _)| id.clone())
            .collect()
    }
}

pub struct BatchProcessor {
    queue: Arc<dyn Queue>,
    queue_name: String,
    visibility: Duration,
    retry_delay: Duration,
    /// Where failures are logged for `dlq list`; none when the caller keeps its own log.
    failures: Option<Arc<dyn Store>>,
    /// Messages of one receive handled at once: while one waits on the store, the next one
    /// parses and validates.
    concurrency: usize,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl BatchProcessor {
    pub fn new(queue: Arc<dyn Queue>, queue_name: impl Into<String>, visibility: Duration) -> Self {
        BatchProcessor {
            queue,
            queue_name: queue_name.into(),
            visibility,
            retry_delay: Duration::from_millis(200),
            failures: None,
            concurrency: 1,
        }
    }

    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    pub fn with_retry_delay(mut self, delay: Duration) -> Self {
        self.retry_delay = delay;
        self
    }

    pub fn with_failure_log(mut self, store: Arc<dyn Store>) -> Self {
        self.failures = Some(store);
        self
    }

    pub fn queue_name(&self) -> &str {
        &self.queue_name
    }

    /// Processes received messages (up to `concurrency` at a time, outcomes in message order)
    /// and settles each with the queue: successes are deleted, failures are hidden for the
    /// retry delay, messages not started before `shutdown` are released.
    pub async fn process(
        &self,
        messages: Vec<ReceivedMessage>,
        handler: &dyn Handler,
        shutdown: &CancellationToken,
    ) -> BatchResult {
        let pending: Arc<Mutex<HashSet<String>>> = Arc::new(Mutex::new(
            messages.iter().map(|m| m.receipt_handle.clone()).collect(),
        ));
        let heartbeat = self.spawn_heartbeat(pending.clone());
        let mut work = Vec::with_capacity(messages.len());
        for message in &messages {
            let pending = pending.clone();
            work.push(async move {
                if shutdown.is_cancelled() {
                    return (message, Outcome::Released);
                }
                let outcome = match handler.handle(message).await {
                    Ok(()) => Outcome::Success,
                    Err(e) => {
                        self.on_failure(message, &e).await;
                        Outcome::Failure(e.0)
                    }
                };
                if let Ok(mut p) = pending.lock() {
                    p.remove(&message.receipt_handle);
                }
                (message, outcome)
            });
        }
        let settled: Vec<(&ReceivedMessage, Outcome)> = futures::stream::iter(work)
            .buffered(self.concurrency)
            .collect()
            .await;
        heartbeat.cancel();
        let mut result = BatchResult::default();
        let mut done = Vec::new();
        let mut released = Vec::new();
        for (message, outcome) in settled {
            match outcome {
                Outcome::Success => done.push(message),
                Outcome::Released => released.push(message),
                Outcome::Failure(_) => {}
            }
            result.outcomes.push((message.message_id.clone(), outcome));
        }
        self.delete(&done).await;
        self.release(&released).await;
        result
    }

    fn spawn_heartbeat(&self, pending: Arc<Mutex<HashSet<String>>>) -> CancellationToken {
        let stop = CancellationToken::new();
        let token = stop.clone();
        let queue = self.queue.clone();
        let name = self.queue_name.clone();
        let visibility = self.visibility;
        // Extending at a third of the timeout leaves two chances before a message reappears.
        let every = (visibility / 3).max(Duration::from_millis(100));
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = token.cancelled() => return,
                    _ = tokio::time::sleep(every) => {}
                }
                let handles: Vec<String> = match pending.lock() {
                    Ok(p) => p.iter().cloned().collect(),
                    Err(_) => return,
                };
                for chunk in handles.chunks(10) {
                    let entries = chunk
                        .iter()
                        .enumerate()
                        .map(|(i, h)| VisibilityEntry {
                            id: format!("h{i}"),
                            receipt_handle: h.clone(),
                            timeout: visibility,
                        })
                        .collect();
                    if let Err(e) = queue.change_visibility_batch(&name, entries).await {
                        tracing::warn!(queue = %name, error = %e, "heartbeat failed");
                    }
                }
            }
        });
        stop
    }

    async fn on_failure(&self, message: &ReceivedMessage, error: &HandlerError) {
        tracing::warn!(queue = %self.queue_name, message = %message.message_id, error = %error, receive_count = message.receive_count, "message failed");
        if let Some(store) = &self.failures {
            let failure = MessageFailure {
                queue: self.queue_name.clone(),
                message_id: message.message_id.clone(),
                error: error.0.clone(),
                at: unix_now(),
                receive_count: message.receive_count,
            };
            if let Err(e) = store.record_failure(&failure).await {
                tracing::warn!(error = %e, "could not log a message failure");
            }
        }
        if let Err(e) = self
            .queue
            .change_visibility(&self.queue_name, &message.receipt_handle, self.retry_delay)
            .await
        {
            tracing::warn!(error = %e, "could not schedule a retry");
        }
    }

    async fn delete(&self, messages: &[&ReceivedMessage]) {
        for chunk in messages.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, m)| DeleteEntry {
                    id: format!("d{i}"),
                    receipt_handle: m.receipt_handle.clone(),
                })
                .collect();
            // A delete that fails only means a harmless redelivery later.
            if let Err(e) = self.queue.delete_batch(&self.queue_name, entries).await {
                tracing::warn!(error = %e, "delete failed; the message will be redelivered");
            }
        }
    }

    async fn release(&self, messages: &[&ReceivedMessage]) {
        for chunk in messages.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, m)| VisibilityEntry {
                    id: format!("r{i}"),
                    receipt_handle: m.receipt_handle.clone(),
                    timeout: Duration::ZERO,
                })
                .collect();
            if let Err(e) = self
                .queue
                .change_visibility_batch(&self.queue_name, entries)
                .await
            {
                tracing::warn!(error = %e, "release failed; the message reappears after its timeout");
            }
        }
    }
}
