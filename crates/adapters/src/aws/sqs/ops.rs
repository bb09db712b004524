//! The `Queue` port on SQS. Request-level limits are checked locally first, so the errors
//! are the port's whatever the endpoint (moto, LocalStack, SQS) would have said.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry,
    MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry,
};
use migrationai_ports::queue::{
    limits, validate_batch_ids, validate_body, validate_delay, validate_queue_name,
    validate_visibility, BatchError, BatchOutcome, BatchSuccess, DeleteEntry, MessageId,
    PeekedMessage, Queue, QueueConfig, QueueError, QueueStats, ReceiveOptions, ReceivedMessage,
    SendEntry, VisibilityEntry,
};

use super::convert::{batch_error, received};
use super::errors::map_sdk;
use super::{queue_missing, whole_seconds, SqsQueue};

fn secs(d: Duration) -> String {
    d.as_secs().to_string()
}

/// `QueueAlreadyExists` in either protocol's spelling (`QueueNameExists` in the query one).
fn already_exists(code: Option<&str>) -> bool {
    code.and_then(|c| c.rsplit(['.', '#']).next())
        .is_some_and(|c| c == "QueueAlreadyExists" || c == "QueueNameExists")
}

fn build_err(e: impl std::fmt::Display) -> QueueError {
    QueueError::backend(format!("SQS request: {e}"))
}

impl SqsQueue {
    /// Entries whose receipt was superseded fail locally, as the port wants.
    fn split_stale<T>(
        &self,
        entries: Vec<T>,
        receipt: impl Fn(&T) -> &String,
        id: impl Fn(&T) -> &String,
    ) -> (Vec<T>, Vec<BatchError>) {
        let mut keep = Vec::new();
        let mut stale = Vec::new();
        for e in entries {
            if self.is_stale(receipt(&e)) {
                stale.push(BatchError {
                    id: id(&e).clone(),
                    code: migrationai_ports::queue::QueueErrorCode::ReceiptHandleIsInvalid,
                    message: "receipt handle superseded by a later receive".to_owned(),
                });
            } else {
                keep.push(e);
            }
        }
        (keep, stale)
    }

    async fn attributes_for(
        &self,
        config: &QueueConfig,
    ) -> Result<Vec<(QueueAttributeName, String)>, QueueError> {
        let mut attrs = vec![
            (
                QueueAttributeName::VisibilityTimeout,
                secs(config.visibility_timeout),
            ),
            (QueueAttributeName::DelaySeconds, secs(config.delay)),
            (
                QueueAttributeName::MessageRetentionPeriod,
                secs(config.retention),
            ),
        ];
        if let Some(dlq) = &config.dlq {
            let arn = self.arn(dlq).await?;
            let policy = serde_json::json!({
                "deadLetterTargetArn": arn,
                "maxReceiveCount": config.max_receive_count,
            });
            attrs.push((QueueAttributeName::RedrivePolicy, policy.to_string()));
        }
        Ok(attrs)
    }

    /// A receive without the peek correction.
    pub(super) async fn receive_raw(
        &self,
        url: &str,
        max: u32,
        wait: Duration,
        visibility: Option<Duration>,
    ) -> Result<Vec<ReceivedMessage>, QueueError> {
        let mut request = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max as i32)
            .wait_time_seconds(whole_seconds(wait))
            .message_system_attribute_names(MessageSystemAttributeName::All);
        if let Some(v) = visibility {
            request = request.visibility_timeout(whole_seconds(v));
        }
        let out = request.send().await.map_err(map_sdk)?;
        out.messages
            .unwrap_or_default()
            .into_iter()
            .map(received)
            .collect()
    }

    pub(super) async fn send_entries(
        &self,
        url: &str,
        entries: &[SendEntry],
    ) -> Result<BatchOutcome, QueueError> {
        let mut request = self.client.send_message_batch().queue_url(url);
        for e in entries {
            let mut entry = SendMessageBatchRequestEntry::builder()
                .id(&e.id)
                .message_body(&e.body);
            if let Some(delay) = e.delay {
                entry = entry.delay_seconds(whole_seconds(delay));
            }
            request = request.entries(entry.build().map_err(build_err)?);
        }
        let out = request.send().await.map_err(map_sdk)?;
        Ok(BatchOutcome {
            successful: out
                .successful()
                .iter()
                .map(|s| BatchSuccess {
                    id: s.id().to_owned(),
                    message_id: Some(s.message_id().to_owned()),
                })
                .collect(),
            failed: out.failed().iter().map(batch_error).collect(),
        })
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn ensure_queue(&self, name: &str, config: &QueueConfig) -> Result<(), QueueError> {
        validate_queue_name(&self.sqs_name(name))?;
        config.validate()?;
        let attrs = self.attributes_for(config).await?;
        if let Some(dlq) = &config.dlq {
            self.track(|t| t.mark_dlq(dlq));
        }
        // An existing queue is left as it is: on AWS the Terraform owns its attributes (a
        // visibility derived from the Lambda timeout, a DLQ kept 14 days), and overwriting
        // them with this process's defaults broke both.
        match self.url(name).await {
            Ok(_) => Ok(()),
            Err(e) if queue_missing(&e) => {
                let mut request = self.client.create_queue().queue_name(self.sqs_name(name));
                for (k, v) in attrs {
                    request = request.attributes(k, v);
                }
                match request.send().await {
                    Ok(out) => {
                        if let Some(url) = out.queue_url() {
                            self.remember_url(name, url);
                        }
                        Ok(())
                    }
                    // Created meanwhile by another process, with other attributes: theirs
                    // stand.
                    Err(err) if already_exists(err.code()) => Ok(()),
                    Err(err) => Err(map_sdk(err)),
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn visibility_timeout(&self, queue: &str) -> Result<Duration, QueueError> {
        let url = self.url(queue).await?;
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::VisibilityTimeout)
            .send()
            .await
            .map_err(map_sdk)?;
        out.attributes()
            .and_then(|a| a.get(&QueueAttributeName::VisibilityTimeout))
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs)
            .ok_or_else(|| {
                QueueError::backend(format!("SQS gave no VisibilityTimeout for {queue}"))
            })
    }

    async fn send(
        &self,
        queue: &str,
        body: &str,
        delay: Option<Duration>,
    ) -> Result<MessageId, QueueError> {
        validate_body(body)?;
        if let Some(d) = delay {
            validate_delay(d)?;
        }
        let url = self.url(queue).await?;
        let mut request = self.client.send_message().queue_url(url).message_body(body);
        if let Some(d) = delay {
            request = request.delay_seconds(whole_seconds(d));
        }
        let out = request.send().await.map_err(map_sdk)?;
        out.message_id
            .ok_or_else(|| QueueError::backend("SQS returned no message id"))
    }

    async fn send_batch(
        &self,
        queue: &str,
        entries: Vec<SendEntry>,
    ) -> Result<BatchOutcome, QueueError> {
        validate_batch_ids(entries.iter().map(|e| e.id.as_str()))?;
        for e in &entries {
            if let Some(d) = e.delay {
                validate_delay(d)?;
            }
        }
        let url = self.url(queue).await?;
        let mut failed = Vec::new();
        let mut fitting = Vec::new();
        for e in entries {
            match validate_body(&e.body) {
                Ok(()) => fitting.push(e),
                Err(err) => failed.push(BatchError {
                    id: e.id,
                    code: err.code,
                    message: err.message,
                }),
            }
        }
        let total: usize = fitting.iter().map(|e| e.body.len()).sum();
        if total > limits::MAX_MESSAGE_BYTES {
            return Err(QueueError::new(
                migrationai_ports::queue::QueueErrorCode::BatchRequestTooLong,
                format!(
                    "batch requests can be at most {} bytes, got {total}",
                    limits::MAX_MESSAGE_BYTES
                ),
            ));
        }
        let mut outcome = BatchOutcome::default();
        if !fitting.is_empty() {
            outcome = self.send_entries(&url, &fitting).await?;
        }
        outcome.failed.extend(failed);
        Ok(outcome)
    }

    async fn receive(
        &self,
        queue: &str,
        options: &ReceiveOptions,
    ) -> Result<Vec<ReceivedMessage>, QueueError> {
        options.validate()?;
        let url = self.url(queue).await?;
        let mut got = self
            .receive_raw(
                &url,
                options.max_messages,
                options.wait_time,
                options.visibility_timeout,
            )
            .await?;
        for m in &mut got {
            if let Some(count) =
                self.track(|t| t.received(queue, &m.message_id, &m.receipt_handle, m.receive_count))
            {
                m.receive_count = count;
            }
        }
        Ok(got)
    }

    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        let url = self.url(queue).await?;
        if self.is_stale(receipt) {
            return Err(QueueError::receipt_invalid(receipt));
        }
        self.client
            .delete_message()
            .queue_url(url)
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(map_sdk)?;
        Ok(())
    }

    async fn delete_batch(
        &self,
        queue: &str,
        entries: Vec<DeleteEntry>,
    ) -> Result<BatchOutcome, QueueError> {
        validate_batch_ids(entries.iter().map(|e| e.id.as_str()))?;
        let url = self.url(queue).await?;
        let (entries, stale) = self.split_stale(entries, |e| &e.receipt_handle, |e| &e.id);
        if entries.is_empty() {
            return Ok(BatchOutcome {
                successful: Vec::new(),
                failed: stale,
            });
        }
        let mut request = self.client.delete_message_batch().queue_url(url);
        for e in &entries {
            let entry = DeleteMessageBatchRequestEntry::builder()
                .id(&e.id)
                .receipt_handle(&e.receipt_handle)
                .build()
                .map_err(build_err)?;
            request = request.entries(entry);
        }
        let out = request.send().await.map_err(map_sdk)?;
        Ok(BatchOutcome {
            successful: out
                .successful()
                .iter()
                .map(|s| BatchSuccess {
                    id: s.id().to_owned(),
                    message_id: None,
                })
                .collect(),
            failed: out.failed().iter().map(batch_error).chain(stale).collect(),
        })
    }

    async fn change_visibility(
        &self,
        queue: &str,
        receipt: &str,
        timeout: Duration,
    ) -> Result<(), QueueError> {
        validate_visibility(timeout)?;
        let url = self.url(queue).await?;
        if self.is_stale(receipt) {
            return Err(QueueError::receipt_invalid(receipt));
        }
        self.client
            .change_message_visibility()
            .queue_url(url)
            .receipt_handle(receipt)
            .visibility_timeout(whole_seconds(timeout))
            .send()
            .await
            .map_err(map_sdk)?;
        Ok(())
    }

    async fn change_visibility_batch(
        &self,
        queue: &str,
        entries: Vec<VisibilityEntry>,
    ) -> Result<BatchOutcome, QueueError> {
        validate_batch_ids(entries.iter().map(|e| e.id.as_str()))?;
        for e in &entries {
            validate_visibility(e.timeout)?;
        }
        let url = self.url(queue).await?;
        let (entries, stale) = self.split_stale(entries, |e| &e.receipt_handle, |e| &e.id);
        if entries.is_empty() {
            return Ok(BatchOutcome {
                successful: Vec::new(),
                failed: stale,
            });
        }
        let mut request = self.client.change_message_visibility_batch().queue_url(url);
        for e in &entries {
            let entry = ChangeMessageVisibilityBatchRequestEntry::builder()
                .id(&e.id)
                .receipt_handle(&e.receipt_handle)
                .visibility_timeout(whole_seconds(e.timeout))
                .build()
                .map_err(build_err)?;
            request = request.entries(entry);
        }
        let out = request.send().await.map_err(map_sdk)?;
        Ok(BatchOutcome {
            successful: out
                .successful()
                .iter()
                .map(|s| BatchSuccess {
                    id: s.id().to_owned(),
                    message_id: None,
                })
                .collect(),
            failed: out.failed().iter().map(batch_error).chain(stale).collect(),
        })
    }

    async fn stats(&self, queue: &str) -> Result<QueueStats, QueueError> {
        let url = self.url(queue).await?;
        let out = self
            .client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
            .send()
            .await
            .map_err(map_sdk)?;
        let get = |name: QueueAttributeName| -> u64 {
            out.attributes()
                .and_then(|a| a.get(&name))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Ok(QueueStats {
            visible: get(QueueAttributeName::ApproximateNumberOfMessages),
            in_flight: get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
            delayed: get(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
            oldest_age: None,
        })
    }

    async fn move_messages(
        &self,
        from_dlq: &str,
        to_queue: &str,
        max: usize,
    ) -> Result<usize, QueueError> {
        self.redrive(from_dlq, to_queue, max).await
    }

    async fn peek(&self, queue: &str, max: usize) -> Result<Vec<PeekedMessage>, QueueError> {
        self.peek_emulated(queue, max).await
    }

    async fn purge(&self, queue: &str) -> Result<(), QueueError> {
        let url = self.url(queue).await?;
        self.client
            .purge_queue()
            .queue_url(url)
            .send()
            .await
            .map_err(map_sdk)?;
        Ok(())
    }
}
