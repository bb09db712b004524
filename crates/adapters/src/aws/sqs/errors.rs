//! Maps SQS error codes (query-compatible or JSON-protocol spelling) to the port's codes.

use std::fmt;

use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use migrationai_ports::queue::{QueueError, QueueErrorCode};

/// The port's code for an SQS error code; `None` when the code is not one the port knows.
pub fn code_for(code: &str, message: &str) -> Option<QueueErrorCode> {
    // The JSON protocol reports `QueueDoesNotExist`, the query protocol
    // `AWS.SimpleQueueService.NonExistentQueue`; match on the last segment.
    let short = code.rsplit(['.', '#']).next().unwrap_or(code);
    let mapped = match short {
        "NonExistentQueue" | "QueueDoesNotExist" => QueueErrorCode::QueueDoesNotExist,
        "TooManyEntriesInBatchRequest" => QueueErrorCode::TooManyEntriesInBatchRequest,
        "EmptyBatchRequest" => QueueErrorCode::EmptyBatchRequest,
        "BatchEntryIdsNotDistinct" => QueueErrorCode::BatchEntryIdsNotDistinct,
        "InvalidBatchEntryId" => QueueErrorCode::InvalidBatchEntryId,
        "BatchRequestTooLong" => QueueErrorCode::BatchRequestTooLong,
        "ReceiptHandleIsInvalid" | "InvalidReceiptHandle" | "InvalidIdFormat" => {
            QueueErrorCode::ReceiptHandleIsInvalid
        }
        "MessageNotInflight" => QueueErrorCode::MessageNotInflight,
        "InvalidParameterValue"
        | "InvalidParameterValueException"
        | "InvalidAttributeValue"
        | "InvalidAttributeName"
        | "MissingParameter"
        | "UnsupportedOperation"
        | "InvalidParameterCombination" => {
            if message.contains("shorter than") || message.contains("too long") {
                QueueErrorCode::MessageTooLong
            } else {
                QueueErrorCode::InvalidParameterValue
            }
        }
        _ => return None,
    };
    Some(mapped)
}

/// A failed SDK call as a port error. Unknown codes, throttling and transport failures are
/// `Backend` (transient).
pub fn map_sdk<E, R>(err: SdkError<E, R>) -> QueueError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug,
{
    let code = err.code().unwrap_or_default().to_owned();
    let message = err.message().unwrap_or_default().to_owned();
    match code_for(&code, &message) {
        Some(mapped) => QueueError::new(mapped, if message.is_empty() { code } else { message }),
        None => QueueError::backend(format!("SQS {code}: {}", DisplayErrorContext(&err))),
    }
}

/// The port error for one failed entry of a batch reply.
pub fn map_entry(code: &str, message: Option<&str>) -> QueueErrorCode {
    code_for(code, message.unwrap_or_default()).unwrap_or(QueueErrorCode::Backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_protocol_spellings_map() {
        for code in [
            "AWS.SimpleQueueService.NonExistentQueue",
            "QueueDoesNotExist",
            "com.amazonaws.sqs#QueueDoesNotExist",
        ] {
            assert_eq!(code_for(code, ""), Some(QueueErrorCode::QueueDoesNotExist));
        }
        assert_eq!(
            code_for("AWS.SimpleQueueService.MessageNotInflight", ""),
            Some(QueueErrorCode::MessageNotInflight)
        );
        assert_eq!(
            code_for(
                "InvalidParameterValue",
                "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes."
            ),
            Some(QueueErrorCode::MessageTooLong)
        );
        assert_eq!(code_for("ThrottlingException", ""), None);
        assert_eq!(map_entry("Weird", None), QueueErrorCode::Backend);
    }
}
