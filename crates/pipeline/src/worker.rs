//! An in-process poller: receives from one queue and hands each batch to the processor,
//! until shutdown. On AWS the Lambda SQS trigger plays this part.

use std::sync::Arc;
use std::time::Duration;

use migrationai_ports::queue::{Queue, ReceiveOptions};
use tokio_util::sync::CancellationToken;

use crate::batch::{BatchProcessor, Handler};

pub async fn poll(
    queue: Arc<dyn Queue>,
    processor: BatchProcessor,
    handler: Arc<dyn Handler>,
    shutdown: CancellationToken,
) {
    // Short long-polls keep shutdown prompt; an idle queue costs one query per wait.
    let options = ReceiveOptions::batch(10).wait(Duration::from_millis(250));
    let name = processor.queue_name().to_string();
    while !shutdown.is_cancelled() {
        let received = tokio::select! {
            _ = shutdown.cancelled() => break,
            r = queue.receive(&name, &options) => r,
        };
        match received {
            Ok(messages) if messages.is_empty() => {}
            Ok(messages) => {
                processor
                    .process(messages, handler.as_ref(), &shutdown)
                    .await;
            }
            Err(e) => {
                tracing::warn!(queue = %name, error = %e, "receive failed");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}
