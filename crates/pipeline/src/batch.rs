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
#[error("{message}")]
pub struct HandlerError {
    pub message: String,
    /// Trying again cannot help (a body no handler reads, a batch blob that is not one):
    /// the message goes to its dead-letter queue at once rather than coming back.
    pub permanent: bool,
}

impl HandlerError {
    /// A failure that may pass (the store, the queue or the blob store unreachable or
    /// throttled, a database failing over): retried after a backoff.
    pub fn new(e: impl std::fmt::Display) -> Self {
        HandlerError {
            message: e.to_string(),
            permanent: false,
        }
    }

    /// A failure that the same message will always meet.
    pub fn permanent(e: impl std::fmt::Display) -> Self {
        HandlerError {
            message: e.to_string(),
            permanent: true,
        }
    }
}

impl From<crate::error::ProcessingError> for HandlerError {
    fn from(e: crate::error::ProcessingError) -> Self {
        use crate::error::ProcessingError as P;
        // Only what names no reachable thing is permanent; anything that touched a
        // dependency may succeed once it is back.
        let permanent = matches!(e, P::JobNotFound(_) | P::Mapping(_));
        HandlerError {
            message: e.chain(),
            permanent,
        }
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
    /// Failed permanently and moved to the dead-letter queue (settled: not retried).
    DeadLettered(String),
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
    /// Hidden time after a first failed attempt; each later receive triples it.
    retry_delay: Duration,
    /// Where permanent failures go at once (the queue's dead-letter queue).
    dead_letters: Option<String>,
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
            dead_letters: None,
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

    pub fn with_dead_letter_queue(mut self, dlq: impl Into<String>) -> Self {
        self.dead_letters = Some(dlq.into());
        self
    }

    pub fn with_failure_log(mut self, store: Arc<dyn Store>) -> Self {
        self.failures = Some(store);
        self
    }

    pub fn queue_name(&self) -> &str {
        &self.queue_name
    }

    /// How long the heartbeat keeps a message in hand hidden.
    pub fn visibility(&self) -> Duration {
        self.visibility
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
                    Err(e) => self.on_failure(message, &e).await,
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
                Outcome::Success | Outcome::DeadLettered(_) => done.push(message),
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

    /// Logs the failure, then moves a permanent one to the dead-letter queue, or hides a
    /// transient one for its backoff.
    async fn on_failure(&self, message: &ReceivedMessage, error: &HandlerError) -> Outcome {
        tracing::warn!(queue = %self.queue_name, message_id = %message.message_id, error = %error, permanent = error.permanent, receive_count = message.receive_count, "message failed");
        self.record_failure(&message.message_id, message, error)
            .await;
        if let (true, Some(dlq)) = (error.permanent, &self.dead_letters) {
            match self.queue.send(dlq, &message.body, None).await {
                Ok(dead_id) => {
                    // `dlq list` finds the error under the dead letter's own id.
                    self.record_failure(&dead_id, message, error).await;
                    tracing::warn!(queue = %self.queue_name, message_id = %message.message_id, dlq = %dlq, "dead-lettered at once: retrying cannot help");
                    return Outcome::DeadLettered(error.message.clone());
                }
                Err(e) => {
                    tracing::warn!(dlq = %dlq, error = %e, "could not dead-letter; the message is retried instead")
                }
            }
        }
        let delay = self.backoff(message.receive_count);
        if let Err(e) = self
            .queue
            .change_visibility(&self.queue_name, &message.receipt_handle, delay)
            .await
        {
            tracing::warn!(error = %e, "could not schedule a retry");
        }
        Outcome::Failure(error.message.clone())
    }

    /// Hidden time after a failed `receive_count`-th receive: the retry delay tripled per
    /// earlier receive (30 s, 90 s, 270 s on AWS, so the first three attempts span two
    /// minutes, a Multi-AZ failover's usual length), plus up to a fifth more at random so
    /// messages that failed together do not all come back together.
    pub fn backoff(&self, receive_count: u32) -> Duration {
        let exponent = receive_count.saturating_sub(1).min(8);
        let base = self.retry_delay.saturating_mul(3u32.pow(exponent));
        let jitter = base.mul_f64(rand::random::<f64>() * 0.2);
        (base + jitter).min(migrationai_ports::queue::limits::MAX_VISIBILITY_TIMEOUT)
    }

    async fn record_failure(&self, id: &str, message: &ReceivedMessage, error: &HandlerError) {
        let Some(store) = &self.failures else {
            return;
        };
        let failure = MessageFailure {
            queue: self.queue_name.clone(),
            message_id: id.to_owned(),
            error: error.message.clone(),
            at: unix_now(),
            receive_count: message.receive_count,
        };
        if let Err(e) = store.record_failure(&failure).await {
            tracing::warn!(error = %e, "could not log a message failure");
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
