//! What every consumer of a queue builds the same way (the worker role's pollers, the
//! embedded run's workers, the Lambda bootstrap): the handler and the batch processor of a
//! queue kind.

use std::sync::Arc;

use migrationai_domain::QueueKind;

use crate::batch::{BatchProcessor, Handler};
use crate::config::Config;
use crate::error::ProcessingError;
use crate::handlers::job_queue::JobsHandler;
use crate::handlers::EntityHandler;
use crate::services::Services;

/// The handler of one queue kind: the jobs handler or an entity handler.
pub fn handler_for(kind: QueueKind, services: &Services) -> Arc<dyn Handler> {
    match kind {
        QueueKind::Jobs => JobsHandler::new(services.clone()),
        QueueKind::Record(k) => EntityHandler::new(k, services.clone()),
    }
}

/// The batch processor of one queue kind. Its heartbeat keeps messages hidden for the
/// queue's own visibility timeout, read from the queue once here: whoever made the queue
/// (the Terraform, from the Lambda timeout) knows how long work may take, and a shorter
/// process default would cut every extension short.
pub async fn processor_for(
    kind: QueueKind,
    services: &Services,
    config: &Config,
) -> Result<BatchProcessor, ProcessingError> {
    let name = services.names.queue(kind);
    let visibility = services.queue.visibility_timeout(&name).await?;
    Ok(
        BatchProcessor::new(services.queue.clone(), name, visibility)
            .with_retry_delay(config.retry_delay)
            .with_dead_letter_queue(services.names.dlq(kind))
            .with_failure_log(services.store.clone())
            .with_concurrency(config.concurrency),
    )
}
