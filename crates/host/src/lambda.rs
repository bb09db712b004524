//! `migrationai lambda`: the Lambda bootstrap of one queue's worker. Each invocation is an
//! SQS event; the batch processor runs the queue's handler on every record and the reply
//! names the failed ones in `batchItemFailures` (the event source mapping must have
//! `ReportBatchItemFailures`). Claim-checked bodies are resolved from S3. Logs carry the
//! request id. The adapters open on the first invocation, so the runtime asks for its first
//! event right away; SIGTERM ends the process after the invocation in hand.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::{service_fn, LambdaEvent};
use migrationai_adapters::claim::resolve_body;
use migrationai_domain::QueueKind;
use migrationai_ports::queue::ReceivedMessage;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use migrationai_pipeline::batch::{BatchProcessor, Handler, Outcome};
use migrationai_pipeline::consumer::{handler_for, processor_for};
use migrationai_pipeline::services::Services;

use crate::config::Config;
use crate::error::OpenError;

/// Variables Lambda sets; lambda_runtime panics without them, so they are checked first.
const RUNTIME_VARS: [&str; 4] = [
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
];

/// Fails unless the process runs under a Lambda Runtime API.
pub(crate) fn check_runtime_env() -> Result<(), OpenError> {
    for var in RUNTIME_VARS {
        if std::env::var_os(var).is_none() {
            return Err(OpenError::NotInLambda { var });
        }
    }
    Ok(())
}

struct Worker {
    services: Services,
    processor: BatchProcessor,
    handler: Arc<dyn Handler>,
}

/// Runs the bootstrap for the queue `kind` until the runtime ends or SIGTERM.
pub async fn run_lambda(
    config: Config,
    kind: QueueKind,
    filevine: Option<crate::settings::load::FilevineSource>,
) -> Result<(), OpenError> {
    check_runtime_env()?;
    let config = Arc::new(config);
    let filevine = Arc::new(filevine);
    let worker: Arc<OnceCell<Worker>> = Arc::new(OnceCell::new());
    let shutdown = crate::shutdown::on_signal().map_err(OpenError::Signals)?;
    let handler = {
        let shutdown = shutdown.clone();
        service_fn(move |event: LambdaEvent<SqsEvent>| {
            let config = config.clone();
            let filevine = filevine.clone();
            let worker = worker.clone();
            let shutdown = shutdown.clone();
            let span = tracing::info_span!("invocation", request_id = %event.context.request_id, queue = kind.as_str());
            async move {
                let worker = worker
                    .get_or_try_init(|| open_worker(&config, kind, filevine.as_ref().as_ref()))
                    .await?;
                let response = process_event(worker, event.payload, &shutdown).await;
                Ok::<SqsBatchResponse, lambda_runtime::Error>(response)
            }
            .instrument(span)
        })
    };
    tokio::select! {
        r = lambda_runtime::run(handler) => {
            r.map_err(OpenError::LambdaRuntime)
        }
        _ = shutdown.cancelled() => Ok(()),
    }
}

async fn open_worker(
    config: &Config,
    kind: QueueKind,
    filevine: Option<&crate::settings::load::FilevineSource>,
) -> Result<Worker, OpenError> {
    let started = std::time::Instant::now();
    let services = crate::open::services(config).await?;
    // A function pushes the pages of a push too, with the credentials it was given (read at
    // its first page, not here).
    let services = crate::open::delivering(config, services, filevine);
    let handler = handler_for(kind, &services);
    let processor = processor_for(kind, &services, &config.pipeline).await?;
    // The cold start's second half (the first is process start to the first `next`), logged
    // so an operator can read it in CloudWatch next to Lambda's own init duration.
    let open_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(queue = %services.names.queue(kind), open_ms, "worker ready");
    Ok(Worker {
        services,
        processor,
        handler,
    })
}

async fn process_event(
    worker: &Worker,
    event: SqsEvent,
    shutdown: &CancellationToken,
) -> SqsBatchResponse {
    let mut messages = Vec::with_capacity(event.records.len());
    for record in event.records {
        messages.push(to_received(&worker.services, record).await);
    }
    let result = worker
        .processor
        .process(messages, worker.handler.as_ref(), shutdown)
        .await;
    let mut response = SqsBatchResponse::default();
    for id in result.failures() {
        response.add_failure(id);
    }
    // Released (not started because of shutdown) messages must be retried too.
    for (id, outcome) in &result.outcomes {
        if matches!(outcome, Outcome::Released) {
            response.add_failure(id.clone());
        }
    }
    tracing::info!(
        records = result.outcomes.len(),
        failed = response.batch_item_failures.len(),
        "batch processed"
    );
    response
}

async fn to_received(services: &Services, record: SqsMessage) -> ReceivedMessage {
    let raw = record.body.unwrap_or_default();
    let body = match resolve_body(&services.blobs, &raw).await {
        Ok(body) => body,
        Err(e) => {
            // Left as the reference: the handler fails on it and the record is retried.
            tracing::warn!(error = %e, "claim check unresolved");
            raw
        }
    };
    let millis = |name: &str| {
        record
            .attributes
            .get(name)
            .and_then(|v| v.parse::<u64>().ok())
            .map(|ms| std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
            .unwrap_or(std::time::UNIX_EPOCH)
    };
    ReceivedMessage {
        message_id: record.message_id.clone().unwrap_or_default(),
        receipt_handle: record.receipt_handle.clone().unwrap_or_default(),
        body,
        receive_count: record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1),
        sent_at: millis("SentTimestamp"),
        first_received_at: millis("ApproximateFirstReceiveTimestamp"),
    }
}
