//! The one receive loop of the handlers, over any queue port: the `worker` role's pollers
//! (a host that consumes the queues itself; on the Terraform's AWS deployment the 13 Lambda
//! functions are the workers and no host polls) and the embedded run's workers
//! (`App::run_until`). Long polling, a bounded number of batches in flight per queue, the
//! batch processor's visibility heartbeat, and a drain on shutdown: batches in hand finish,
//! messages not started are released at once, and no new receive starts.

use std::sync::Arc;
use std::time::Duration;

use migrationai_ports::queue::{Queue, ReceiveOptions};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::batch::{BatchProcessor, Handler};
use crate::config::Config;
use crate::error::ProcessingError;
use crate::roles::{handler_for, parse_kinds, processor_for};
use crate::services::Services;

/// How the poller runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// `all`, one kind, or a comma-separated list.
    pub queues: String,
    /// Batches processed at once per queue.
    pub concurrency: usize,
    /// Long-poll wait of each receive (SQS allows up to 20 s).
    pub wait: Duration,
    /// Longest time a drain may take before the worker exits anyway.
    pub drain_timeout: Duration,
}

impl WorkerOptions {
    /// An embedded run's workers: every queue, one loop each, short receives (the local
    /// queue answers at once, and a signal stops the run within one wait).
    pub fn embedded() -> WorkerOptions {
        WorkerOptions {
            queues: "all".into(),
            concurrency: 1,
            wait: Duration::from_millis(250),
            ..WorkerOptions::default()
        }
    }
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            queues: "all".into(),
            concurrency: 2,
            wait: Duration::from_secs(20),
            drain_timeout: Duration::from_secs(60),
        }
    }
}

/// Starts `options.concurrency` receive loops on each selected queue, over `services`; each
/// stops receiving when `shutdown` is cancelled and ends once the batch in hand is done. The
/// host that calls this waits for the returned tasks within `options.drain_timeout`.
pub async fn spawn(
    services: &Services,
    config: &Config,
    options: &WorkerOptions,
    shutdown: &CancellationToken,
) -> Result<Vec<JoinHandle<()>>, ProcessingError> {
    let kinds = parse_kinds(&options.queues)?;
    let mut tasks = Vec::new();
    for kind in kinds {
        let handler = handler_for(kind, services);
        for _ in 0..options.concurrency.max(1) {
            let processor = processor_for(kind, services, config).await?;
            tasks.push(tokio::spawn(poll(
                services.queue.clone(),
                processor,
                handler.clone(),
                options.wait,
                shutdown.clone(),
            )));
        }
        tracing::info!(queue = %services.names.queue(kind), concurrency = options.concurrency, "polling");
    }
    Ok(tasks)
}

/// Waits for the loops `spawn` started, at most `timeout` (after shutdown was cancelled).
pub async fn drain(tasks: Vec<JoinHandle<()>>, timeout: Duration) {
    if tasks.is_empty() {
        return;
    }
    tracing::info!(
        timeout_secs = timeout.as_secs(),
        "draining: batches in hand finish"
    );
    if tokio::time::timeout(timeout, futures::future::join_all(tasks))
        .await
        .is_err()
    {
        tracing::warn!(
            "drain timed out; unfinished messages reappear after their visibility timeout"
        );
    }
}

/// The one receive loop, over any queue port: receive a batch, hand it to the processor,
/// until `shutdown`. A receive in flight is not abandoned on shutdown: the queue may already
/// have hidden the messages it returns (SQS does), and dropping the call would hold them
/// until their visibility timeout. It ends within `wait` (embedded runs wait 250 ms, so a
/// signal stops them at once), and the processor releases at once what it brought.
pub async fn poll(
    queue: Arc<dyn Queue>,
    processor: BatchProcessor,
    handler: Arc<dyn Handler>,
    wait: Duration,
    shutdown: CancellationToken,
) {
    let options = ReceiveOptions::batch(10).wait(wait);
    let name = processor.queue_name().to_owned();
    let mut backoff = Duration::from_millis(200);
    while !shutdown.is_cancelled() {
        match queue.receive(&name, &options).await {
            Ok(messages) if messages.is_empty() => {}
            Ok(messages) => {
                backoff = Duration::from_millis(200);
                let result = processor
                    .process(messages, handler.as_ref(), &shutdown)
                    .await;
                let failed = result.failures().len();
                if failed > 0 {
                    tracing::warn!(queue = %name, failed, "batch had failures");
                }
            }
            Err(e) => {
                tracing::warn!(queue = %name, error = %e, "receive failed");
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}
