//! Queue port with Amazon SQS (standard queue) semantics.
//!
//! Both adapters — the embedded SQLite queue and the SQS one — must behave the
//! same way for everything the conformance suite checks: at-least-once
//! delivery, visibility timeouts, receive counts, redrive to a dead-letter
//! queue after `max_receive_count` receives, and SQS's request limits and
//! error codes.

use std::collections::HashSet;
use std::fmt;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
pub use migrationai_domain::{Kind, QueueKind};

/// Opaque id SQS assigns to a message on send.
pub type MessageId = String;

/// Token returned by a receive; needed to delete or change the visibility of
/// that delivery. Each receive issues a new one.
pub type ReceiptHandle = String;

/// SQS limits the adapters enforce identically.
pub mod limits {
    use std::time::Duration;

    /// Largest message body, and also the largest total payload of one
    /// `send_batch` (256 KiB).
    pub const MAX_MESSAGE_BYTES: usize = 262_144;
    /// Entries per batch request and messages per receive.
    pub const MAX_BATCH_ENTRIES: usize = 10;
    /// Longest long-poll wait.
    pub const MAX_WAIT_TIME: Duration = Duration::from_secs(20);
    /// Longest visibility timeout.
    pub const MAX_VISIBILITY_TIMEOUT: Duration = Duration::from_secs(12 * 60 * 60);
    /// Longest per-message or per-queue delivery delay.
    pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
    /// Shortest and longest message retention period.
    pub const MIN_RETENTION: Duration = Duration::from_secs(60);
    pub const MAX_RETENTION: Duration = Duration::from_secs(14 * 24 * 60 * 60);
    /// Allowed `maxReceiveCount` of a redrive policy.
    pub const MAX_RECEIVE_COUNT_RANGE: std::ops::RangeInclusive<u32> = 1..=1000;
    /// Longest queue name and batch entry id.
    pub const MAX_NAME_LEN: usize = 80;
}

/// Builds queue names as deployed: `prod-migrationai-<kind>` and
/// `dlq-prod-migrationai-<kind>`, with the environment prefix configurable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueNames {
    pub env: String,
}

impl Default for QueueNames {
    fn default() -> Self {
        Self {
            env: "prod".to_owned(),
        }
    }
}

impl QueueNames {
    pub fn new(env: impl Into<String>) -> Self {
        Self { env: env.into() }
    }

    pub fn queue(&self, kind: QueueKind) -> String {
        format!("{}-migrationai-{kind}", self.env)
    }

    pub fn dlq(&self, kind: QueueKind) -> String {
        format!("dlq-{}", self.queue(kind))
    }

    /// `(kind, queue, dlq)` for every queue.
    pub fn all(&self) -> Vec<(QueueKind, String, String)> {
        QueueKind::ALL
            .into_iter()
            .map(|kind| (kind, self.queue(kind), self.dlq(kind)))
            .collect()
    }
}

/// Creates every kind's DLQ and its source queue (DLQ first, because a
/// redrive policy may only name an existing queue).
pub async fn ensure_all_queues(
    queue: &dyn Queue,
    names: &QueueNames,
    template: &QueueConfig,
) -> Result<(), QueueError> {
    for (_, source, dlq) in names.all() {
        let dlq_config = QueueConfig {
            dlq: None,
            ..template.clone()
        };
        queue.ensure_queue(&dlq, &dlq_config).await?;
        let source_config = QueueConfig {
            dlq: Some(dlq),
            ..template.clone()
        };
        queue.ensure_queue(&source, &source_config).await?;
    }
    Ok(())
}

/// Queue attributes, as SQS `CreateQueue`/`SetQueueAttributes` take them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    /// Default time a received message stays hidden (0..=12 h).
    pub visibility_timeout: Duration,
    /// Receives allowed before the next receive moves the message to `dlq`.
    pub max_receive_count: u32,
    /// Dead-letter queue name; `None` means messages are retried forever.
    pub dlq: Option<String>,
    /// Default delivery delay of new messages (0..=15 min).
    pub delay: Duration,
    /// How long a message is kept before it is dropped (60 s..=14 days).
    pub retention: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            visibility_timeout: Duration::from_secs(30),
            max_receive_count: 3,
            dlq: None,
            delay: Duration::ZERO,
            retention: Duration::from_secs(4 * 24 * 60 * 60),
        }
    }
}

impl QueueConfig {
    /// Rejects attribute values SQS would reject.
    pub fn validate(&self) -> Result<(), QueueError> {
        validate_visibility(self.visibility_timeout)?;
        validate_delay(self.delay)?;
        if self.retention < limits::MIN_RETENTION || self.retention > limits::MAX_RETENTION {
            return Err(QueueError::invalid_parameter(
                "MessageRetentionPeriod must be between 60 seconds and 14 days",
            ));
        }
        if !limits::MAX_RECEIVE_COUNT_RANGE.contains(&self.max_receive_count) {
            return Err(QueueError::invalid_parameter(
                "maxReceiveCount must be between 1 and 1000",
            ));
        }
        if let Some(dlq) = &self.dlq {
            validate_queue_name(dlq)?;
        }
        Ok(())
    }
}

/// One entry of `send_batch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendEntry {
    /// Caller-chosen id, unique within the batch (alphanumeric, `-`, `_`).
    pub id: String,
    pub body: String,
    /// Overrides the queue's delay for this message.
    pub delay: Option<Duration>,
}

impl SendEntry {
    pub fn new(id: impl Into<String>, body: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            body: body.into(),
            delay: None,
        }
    }
}

/// One entry of `delete_batch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteEntry {
    pub id: String,
    pub receipt_handle: ReceiptHandle,
}

/// One entry of `change_visibility_batch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibilityEntry {
    pub id: String,
    pub receipt_handle: ReceiptHandle,
    pub timeout: Duration,
}

/// A batch entry that succeeded; `message_id` is set for sends only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSuccess {
    pub id: String,
    pub message_id: Option<MessageId>,
}

/// A batch entry that failed while the rest of the batch went on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    pub id: String,
    pub code: QueueErrorCode,
    pub message: String,
}

/// Per-entry results of a batch call, as SQS reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub successful: Vec<BatchSuccess>,
    pub failed: Vec<BatchError>,
}

/// Options of `receive`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiveOptions {
    /// 1..=10.
    pub max_messages: u32,
    /// Long-poll wait, 0..=20 s; returns as soon as any message is available.
    pub wait_time: Duration,
    /// Overrides the queue's visibility timeout for these deliveries.
    pub visibility_timeout: Option<Duration>,
}

impl Default for ReceiveOptions {
    fn default() -> Self {
        Self {
            max_messages: 1,
            wait_time: Duration::ZERO,
            visibility_timeout: None,
        }
    }
}

impl ReceiveOptions {
    pub fn batch(max_messages: u32) -> Self {
        Self {
            max_messages,
            ..Self::default()
        }
    }

    pub fn wait(mut self, wait_time: Duration) -> Self {
        self.wait_time = wait_time;
        self
    }

    pub fn visibility(mut self, timeout: Duration) -> Self {
        self.visibility_timeout = Some(timeout);
        self
    }

    pub fn validate(&self) -> Result<(), QueueError> {
        if self.max_messages == 0 || self.max_messages as usize > limits::MAX_BATCH_ENTRIES {
            return Err(QueueError::invalid_parameter(
                "MaxNumberOfMessages must be between 1 and 10",
            ));
        }
        if self.wait_time > limits::MAX_WAIT_TIME {
            return Err(QueueError::invalid_parameter(
                "WaitTimeSeconds must be between 0 and 20",
            ));
        }
        if let Some(timeout) = self.visibility_timeout {
            validate_visibility(timeout)?;
        }
        Ok(())
    }
}

/// One delivery of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: MessageId,
    pub receipt_handle: ReceiptHandle,
    pub body: String,
    /// `ApproximateReceiveCount`, including this receive.
    pub receive_count: u32,
    /// `SentTimestamp`.
    pub sent_at: SystemTime,
    /// `ApproximateFirstReceiveTimestamp`.
    pub first_received_at: SystemTime,
}

/// A message seen by `peek`: no receipt, nothing changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeekedMessage {
    pub message_id: MessageId,
    pub body: String,
    pub receive_count: u32,
    pub sent_at: SystemTime,
}

/// Approximate counts, as SQS queue attributes report them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// `ApproximateNumberOfMessages`.
    pub visible: u64,
    /// `ApproximateNumberOfMessagesNotVisible`.
    pub in_flight: u64,
    /// `ApproximateNumberOfMessagesDelayed`.
    pub delayed: u64,
    /// Age of the oldest message (SQS only has this as a CloudWatch metric;
    /// an adapter that cannot tell returns `None`).
    pub oldest_age: Option<Duration>,
}

/// SQS error codes both adapters map their failures to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QueueErrorCode {
    /// `AWS.SimpleQueueService.NonExistentQueue` / `QueueDoesNotExist`.
    QueueDoesNotExist,
    TooManyEntriesInBatchRequest,
    EmptyBatchRequest,
    BatchEntryIdsNotDistinct,
    InvalidBatchEntryId,
    /// The total payload of a batch exceeds 256 KiB.
    BatchRequestTooLong,
    /// A body exceeds 256 KiB (SQS reports it as `InvalidParameterValue`
    /// with a "Message must be shorter than 262144 bytes" reason).
    MessageTooLong,
    ReceiptHandleIsInvalid,
    /// `ChangeMessageVisibility` on a message that is not in flight.
    MessageNotInflight,
    InvalidParameterValue,
    /// Anything the backend itself failed at (I/O, network, throttling).
    Backend,
}

impl QueueErrorCode {
    /// The code string SQS uses on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QueueDoesNotExist => "AWS.SimpleQueueService.NonExistentQueue",
            Self::TooManyEntriesInBatchRequest => {
                "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
            }
            Self::EmptyBatchRequest => "AWS.SimpleQueueService.EmptyBatchRequest",
            Self::BatchEntryIdsNotDistinct => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            Self::InvalidBatchEntryId => "AWS.SimpleQueueService.InvalidBatchEntryId",
            Self::BatchRequestTooLong => "AWS.SimpleQueueService.BatchRequestTooLong",
            Self::MessageTooLong => "InvalidParameterValue",
            Self::ReceiptHandleIsInvalid => "ReceiptHandleIsInvalid",
            Self::MessageNotInflight => "AWS.SimpleQueueService.MessageNotInflight",
            Self::InvalidParameterValue => "InvalidParameterValue",
            Self::Backend => "InternalError",
        }
    }

    /// Whether retrying the same call later may succeed.
    pub fn is_transient(self) -> bool {
        matches!(self, Self::Backend)
    }
}

impl fmt::Display for QueueErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed queue call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct QueueError {
    pub code: QueueErrorCode,
    pub message: String,
}

impl QueueError {
    pub fn new(code: QueueErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> QueueErrorCode {
        self.code
    }

    pub fn queue_does_not_exist(queue: &str) -> Self {
        Self::new(
            QueueErrorCode::QueueDoesNotExist,
            format!("the specified queue {queue} does not exist"),
        )
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(QueueErrorCode::InvalidParameterValue, message)
    }

    pub fn receipt_invalid(handle: &str) -> Self {
        Self::new(
            QueueErrorCode::ReceiptHandleIsInvalid,
            format!("the receipt handle {handle:?} is not valid for this queue"),
        )
    }

    pub fn backend(message: impl fmt::Display) -> Self {
        Self::new(QueueErrorCode::Backend, message.to_string())
    }
}

/// A queue service with SQS standard-queue semantics, addressed by queue
/// name.
///
/// Delivery is at least once: a received message that is not deleted before
/// its visibility timeout ends is delivered again, with a new receipt handle
/// and its receive count incremented. When a receive would deliver a message
/// whose receive count already equals the queue's `max_receive_count`, the
/// message goes to the queue's DLQ instead (same message id and body, receive
/// count starting over), so after its third receive (with the default 3) the
/// next receive finds it in the DLQ.
#[async_trait]
pub trait Queue: Send + Sync {
    /// Creates the queue if it is missing. A DLQ named in `config` must already
    /// exist. On SQS an existing queue is never changed (its owner, the
    /// Terraform, sets its attributes); the embedded queue, which the process
    /// owns, takes the attributes given.
    async fn ensure_queue(&self, name: &str, config: &QueueConfig) -> Result<(), QueueError>;

    /// The queue's own default visibility timeout (its `VisibilityTimeout`
    /// attribute), as whoever made the queue set it.
    async fn visibility_timeout(&self, queue: &str) -> Result<Duration, QueueError>;

    /// Sends one message; `delay` overrides the queue's default delay.
    async fn send(
        &self,
        queue: &str,
        body: &str,
        delay: Option<Duration>,
    ) -> Result<MessageId, QueueError>;

    /// Sends up to 10 messages. Request-level errors (empty, more than 10,
    /// duplicate or malformed ids, total payload over 256 KiB) fail the whole
    /// call; a body over 256 KiB fails only its entry and is not counted in
    /// the total.
    async fn send_batch(
        &self,
        queue: &str,
        entries: Vec<SendEntry>,
    ) -> Result<BatchOutcome, QueueError>;

    /// Receives up to `max_messages`, waiting up to `wait_time` for the first
    /// one to become available.
    async fn receive(
        &self,
        queue: &str,
        options: &ReceiveOptions,
    ) -> Result<Vec<ReceivedMessage>, QueueError>;

    /// Deletes the delivery identified by `receipt`. A handle that is
    /// malformed, or superseded by a later receive of the same message, gives
    /// `ReceiptHandleIsInvalid`.
    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError>;

    async fn delete_batch(
        &self,
        queue: &str,
        entries: Vec<DeleteEntry>,
    ) -> Result<BatchOutcome, QueueError>;

    /// Sets the remaining invisibility of a received message, counted from
    /// now; zero makes it visible at once.
    async fn change_visibility(
        &self,
        queue: &str,
        receipt: &str,
        timeout: Duration,
    ) -> Result<(), QueueError>;

    async fn change_visibility_batch(
        &self,
        queue: &str,
        entries: Vec<VisibilityEntry>,
    ) -> Result<BatchOutcome, QueueError>;

    async fn stats(&self, queue: &str) -> Result<QueueStats, QueueError>;

    /// Moves up to `max` messages from a DLQ back to `to_queue` (DLQ redrive),
    /// oldest first, made visible at once with their receive count reset.
    /// Returns how many were moved.
    async fn move_messages(
        &self,
        from_dlq: &str,
        to_queue: &str,
        max: usize,
    ) -> Result<usize, QueueError>;

    /// Lists up to `max` messages without receiving them, for browsing a DLQ.
    /// Receive counts and visibility are untouched. SQS has no such call: the
    /// SQS adapter emulates it (receive with a zero visibility timeout), which
    /// is approximate there.
    async fn peek(&self, queue: &str, max: usize) -> Result<Vec<PeekedMessage>, QueueError>;

    /// Deletes every message in the queue.
    async fn purge(&self, queue: &str) -> Result<(), QueueError>;
}

/// Rejects a name SQS would reject (1–80 of `[A-Za-z0-9_-]`).
pub fn validate_queue_name(name: &str) -> Result<(), QueueError> {
    if is_valid_token(name) {
        Ok(())
    } else {
        Err(QueueError::invalid_parameter(format!(
            "queue name {name:?} must be 1 to 80 alphanumeric, hyphen or underscore characters"
        )))
    }
}

pub fn validate_visibility(timeout: Duration) -> Result<(), QueueError> {
    if timeout > limits::MAX_VISIBILITY_TIMEOUT {
        return Err(QueueError::invalid_parameter(
            "VisibilityTimeout must be between 0 and 43200 seconds",
        ));
    }
    Ok(())
}

pub fn validate_delay(delay: Duration) -> Result<(), QueueError> {
    if delay > limits::MAX_DELAY {
        return Err(QueueError::invalid_parameter(
            "DelaySeconds must be between 0 and 900",
        ));
    }
    Ok(())
}

/// The error a too-long body gets, alone or as a batch entry.
pub fn validate_body(body: &str) -> Result<(), QueueError> {
    if body.len() > limits::MAX_MESSAGE_BYTES {
        return Err(QueueError::new(
            QueueErrorCode::MessageTooLong,
            format!(
                "message must be shorter than {} bytes (got {})",
                limits::MAX_MESSAGE_BYTES,
                body.len()
            ),
        ));
    }
    Ok(())
}

/// Request-level checks shared by every batch call: count, id format and id
/// uniqueness, in the order SQS applies them.
pub fn validate_batch_ids<'a>(
    ids: impl ExactSizeIterator<Item = &'a str>,
) -> Result<(), QueueError> {
    let count = ids.len();
    if count == 0 {
        return Err(QueueError::new(
            QueueErrorCode::EmptyBatchRequest,
            "there should be at least one entry in the request",
        ));
    }
    if count > limits::MAX_BATCH_ENTRIES {
        return Err(QueueError::new(
            QueueErrorCode::TooManyEntriesInBatchRequest,
            format!("maximum number of entries per request are 10, got {count}"),
        ));
    }
    let mut seen = HashSet::with_capacity(count);
    for id in ids {
        if !is_valid_token(id) {
            return Err(QueueError::new(
                QueueErrorCode::InvalidBatchEntryId,
                format!("batch entry id {id:?} must be 1 to 80 alphanumeric, hyphen or underscore characters"),
            ));
        }
        if !seen.insert(id) {
            return Err(QueueError::new(
                QueueErrorCode::BatchEntryIdsNotDistinct,
                format!("id {id} repeated"),
            ));
        }
    }
    Ok(())
}

fn is_valid_token(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= limits::MAX_NAME_LEN
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_deployed_pattern() {
        let names = QueueNames::default();
        assert_eq!(
            names.queue(QueueKind::Record(migrationai_domain::Kind::Contacts)),
            "prod-migrationai-contacts"
        );
        assert_eq!(
            names.dlq(QueueKind::Record(migrationai_domain::Kind::BillingItems)),
            "dlq-prod-migrationai-billing-items"
        );
        let dev = QueueNames::new("dev");
        assert_eq!(dev.queue(QueueKind::Jobs), "dev-migrationai-jobs");
        assert_eq!(names.all().len(), 13);
        for (_, queue, dlq) in names.all() {
            assert!(validate_queue_name(&queue).is_ok());
            assert!(validate_queue_name(&dlq).is_ok());
        }
    }

    #[test]
    fn batch_ids_are_checked_in_sqs_order() {
        let too_many: Vec<String> = (0..11).map(|i| format!("e{i}")).collect();
        let err = validate_batch_ids(too_many.iter().map(String::as_str)).unwrap_err();
        assert_eq!(err.code, QueueErrorCode::TooManyEntriesInBatchRequest);
        let err = validate_batch_ids(std::iter::empty()).unwrap_err();
        assert_eq!(err.code, QueueErrorCode::EmptyBatchRequest);
        let err = validate_batch_ids(["a", "a"].into_iter()).unwrap_err();
        assert_eq!(err.code, QueueErrorCode::BatchEntryIdsNotDistinct);
        let err = validate_batch_ids(["a b"].into_iter()).unwrap_err();
        assert_eq!(err.code, QueueErrorCode::InvalidBatchEntryId);
    }

    #[test]
    fn config_limits() {
        assert!(QueueConfig::default().validate().is_ok());
        let long = QueueConfig {
            visibility_timeout: Duration::from_secs(43_201),
            ..QueueConfig::default()
        };
        assert_eq!(
            long.validate().unwrap_err().code,
            QueueErrorCode::InvalidParameterValue
        );
    }
}
