//! The one receive loop of the handlers, over any queue port: the `worker` role's pollers
//! (a host that consumes the queues itself; on the Terraform's AWS deployment the 13 Lambda
//! functions are the workers and no host polls) and the embedded run's workers
//! (`App::run_until`). Long polling, a bounded number of batches in flight per queue, the
//! batch processor's visibility heartbeat, and a drain on shutdown: batches in hand finish,
//! messages not started are released at once, and no new receive starts.

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use migrationai_domain::kind::UnknownQueue;
use migrationai_domain::QueueKind;
use migrationai_ports::queue::{Queue, ReceiveOptions};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::batch::{BatchProcessor, Handler};
use crate::config::Config;
use crate::consumer::{handler_for, processor_for};
use crate::error::ProcessingError;
use crate::services::Services;

/// How the poller runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The queues polled.
    pub queues: Queues,
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
            queues: Queues::All,
            concurrency: 1,
            wait: Duration::from_millis(250),
            ..WorkerOptions::default()
        }
    }
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            queues: Queues::All,
            concurrency: 2,
            wait: Duration::from_secs(20),
            drain_timeout: Duration::from_secs(60),
        }
    }
}

/// The queues a worker serves: every one, or the kinds named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Queues {
    All,
    /// Never empty: parsing refuses an empty list.
    Only(BTreeSet<QueueKind>),
}

impl Queues {
    /// The kinds served, in the seed's order (records by phase, then the jobs queue).
    pub fn kinds(&self) -> Vec<QueueKind> {
        match self {
            Queues::All => QueueKind::ALL.to_vec(),
            Queues::Only(kinds) => kinds.iter().copied().collect(),
        }
    }
}

/// A queue selection that names a queue there is not (or nothing at all).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}, or `all` for every queue")]
pub struct UnknownQueues(#[source] pub UnknownQueue);

/// `all`, one queue kind, or a comma-separated list of kinds (`contacts,billing-items`).
impl FromStr for Queues {
    type Err = UnknownQueues;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("all") {
            return Ok(Queues::All);
        }
        s.split(',')
            .map(|kind| kind.parse::<QueueKind>().map_err(UnknownQueues))
            .collect::<Result<BTreeSet<_>, _>>()
            .map(Queues::Only)
    }
}

impl std::fmt::Display for Queues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Queues::All => f.write_str("all"),
            Queues::Only(kinds) => {
                let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                f.write_str(&names.join(","))
            }
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
    let mut tasks = Vec::new();
    for kind in options.queues.kinds() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use migrationai_domain::Kind;

    #[test]
    fn a_selection_parses_to_its_kinds() {
        assert_eq!("all".parse::<Queues>().map(|q| q.kinds().len()), Ok(13));
        assert_eq!(" ALL ".parse::<Queues>(), Ok(Queues::All));
        let some = "billing-items, contacts,contacts".parse::<Queues>();
        assert_eq!(
            some.as_ref().map(Queues::kinds),
            Ok(vec![
                QueueKind::Record(Kind::Contacts),
                QueueKind::Record(Kind::BillingItems)
            ])
        );
        assert_eq!(
            some.map(|q| q.to_string()).ok().as_deref(),
            Some("contacts,billing-items")
        );
        assert_eq!(
            "jobs".parse::<Queues>().map(|q| q.kinds()),
            Ok(vec![QueueKind::Jobs])
        );
    }

    #[test]
    fn an_unknown_or_empty_name_is_refused_with_the_choices() {
        for bad in ["nope", "contacts,", ""] {
            let err = bad.parse::<Queues>().expect_err(bad);
            let text = err.to_string();
            assert!(
                text.contains("expected one of") && text.contains("`all`"),
                "{text}"
            );
        }
    }
}
