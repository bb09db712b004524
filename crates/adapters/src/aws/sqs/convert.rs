//! SDK types to port types.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_sqs::types::{BatchResultErrorEntry, Message, MessageSystemAttributeName};
use migrationai_ports::queue::{BatchError, QueueError, ReceivedMessage};

use super::errors::map_entry;

fn attr<'a>(message: &'a Message, name: &MessageSystemAttributeName) -> Option<&'a str> {
    message
        .attributes()
        .and_then(|a| a.get(name))
        .map(String::as_str)
}

fn millis(message: &Message, name: &MessageSystemAttributeName) -> SystemTime {
    let ms = attr(message, name)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// One delivery, with the raw `ApproximateReceiveCount`.
pub fn received(message: Message) -> Result<ReceivedMessage, QueueError> {
    let receive_count = attr(
        &message,
        &MessageSystemAttributeName::ApproximateReceiveCount,
    )
    .and_then(|v| v.parse::<u32>().ok())
    .unwrap_or(1);
    let sent_at = millis(&message, &MessageSystemAttributeName::SentTimestamp);
    let first_received_at = millis(
        &message,
        &MessageSystemAttributeName::ApproximateFirstReceiveTimestamp,
    );
    let missing = |what: &str| QueueError::backend(format!("SQS message without {what}"));
    Ok(ReceivedMessage {
        message_id: message.message_id.ok_or_else(|| missing("id"))?,
        receipt_handle: message.receipt_handle.ok_or_else(|| missing("receipt"))?,
        body: message.body.unwrap_or_default(),
        receive_count,
        sent_at,
        first_received_at,
    })
}

pub fn batch_error(entry: &BatchResultErrorEntry) -> BatchError {
    BatchError {
        id: entry.id().to_owned(),
        code: map_entry(entry.code(), entry.message()),
        message: entry.message().unwrap_or(entry.code()).to_owned(),
    }
}
