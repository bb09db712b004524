//! DLQ redrive and DLQ browsing. SQS redrives with `StartMessageMoveTask`; an endpoint
//! without it (moto) gets a receive-send-delete move. SQS has no peek: it is emulated by
//! receiving and releasing at once, with the adapter's own receives subtracted from the
//! receive counts it reports later.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use migrationai_ports::queue::{
    DeleteEntry, PeekedMessage, QueueError, QueueErrorCode, ReceivedMessage, SendEntry,
    VisibilityEntry,
};

use super::errors::map_sdk;
use super::SqsQueue;

/// How long a message being moved or peeked stays hidden from other consumers.
const HOLD: Duration = Duration::from_secs(30);
/// Longest wait for a move task to finish before giving up on it.
const MOVE_TASK_TIMEOUT: Duration = Duration::from_secs(600);

impl SqsQueue {
    pub(super) async fn redrive(
        &self,
        from_dlq: &str,
        to_queue: &str,
        max: usize,
    ) -> Result<usize, QueueError> {
        let source_url = self.url(from_dlq).await?;
        let target_url = self.url(to_queue).await?;
        if max == usize::MAX && !self.move_task_unsupported.load(Ordering::Relaxed) {
            match self.move_task(from_dlq, to_queue).await {
                Ok(moved) => return Ok(moved),
                Err(e) if e.code == QueueErrorCode::QueueDoesNotExist => return Err(e),
                Err(e) => {
                    tracing::info!(error = %e, "StartMessageMoveTask unavailable; moving messages one batch at a time");
                    self.move_task_unsupported.store(true, Ordering::Relaxed);
                }
            }
        }
        self.move_by_hand(&source_url, &target_url, max).await
    }

    async fn move_task(&self, from_dlq: &str, to_queue: &str) -> Result<usize, QueueError> {
        let source = self.arn(from_dlq).await?;
        let destination = self.arn(to_queue).await?;
        self.client
            .start_message_move_task()
            .source_arn(&source)
            .destination_arn(destination)
            .send()
            .await
            .map_err(map_sdk)?;
        let started = Instant::now();
        loop {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let out = self
                .client
                .list_message_move_tasks()
                .source_arn(&source)
                .max_results(1)
                .send()
                .await
                .map_err(map_sdk)?;
            let Some(task) = out.results().first() else {
                continue;
            };
            match task.status() {
                Some("COMPLETED") => {
                    return Ok(
                        usize::try_from(task.approximate_number_of_messages_moved()).unwrap_or(0)
                    )
                }
                Some("FAILED") | Some("CANCELLED") => {
                    return Err(QueueError::backend(format!(
                        "message move task ended: {}",
                        task.failure_reason().unwrap_or("no reason given")
                    )))
                }
                _ if started.elapsed() > MOVE_TASK_TIMEOUT => {
                    return Err(QueueError::backend("message move task still running"))
                }
                _ => {}
            }
        }
    }

    async fn move_by_hand(
        &self,
        source_url: &str,
        target_url: &str,
        max: usize,
    ) -> Result<usize, QueueError> {
        let mut moved = 0;
        while moved < max {
            let want = (max - moved).min(10) as u32;
            let got = self
                .receive_raw(source_url, want, Duration::ZERO, Some(HOLD))
                .await?;
            if got.is_empty() {
                break;
            }
            let entries: Vec<SendEntry> = got
                .iter()
                .enumerate()
                .map(|(i, m)| SendEntry::new(format!("m{i}"), m.body.clone()))
                .collect();
            let outcome = self.send_entries(target_url, &entries).await?;
            let mut deletes = Vec::new();
            let mut releases = Vec::new();
            for (i, m) in got.iter().enumerate() {
                let id = format!("m{i}");
                if outcome.successful.iter().any(|s| s.id == id) {
                    deletes.push(DeleteEntry {
                        id,
                        receipt_handle: m.receipt_handle.clone(),
                    });
                } else {
                    releases.push(release_entry(i, m));
                }
            }
            moved += deletes.len();
            if !deletes.is_empty() {
                let out = self.delete_batch_url(source_url, deletes).await?;
                if !out.is_empty() {
                    // Sent but not deleted: it will be moved again (at least once).
                    tracing::warn!(failed = out.len(), "redriven messages left in the DLQ");
                }
            }
            if !releases.is_empty() {
                self.release_url(source_url, releases).await;
                break;
            }
        }
        Ok(moved)
    }

    async fn delete_batch_url(
        &self,
        url: &str,
        entries: Vec<DeleteEntry>,
    ) -> Result<Vec<String>, QueueError> {
        let mut request = self.client.delete_message_batch().queue_url(url);
        for e in entries {
            let entry = aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                .id(e.id)
                .receipt_handle(e.receipt_handle)
                .build()
                .map_err(|e| QueueError::backend(e.to_string()))?;
            request = request.entries(entry);
        }
        let out = request.send().await.map_err(map_sdk)?;
        Ok(out.failed().iter().map(|f| f.id().to_owned()).collect())
    }

    async fn release_url(&self, url: &str, entries: Vec<VisibilityEntry>) {
        for chunk in entries.chunks(10) {
            let mut request = self.client.change_message_visibility_batch().queue_url(url);
            for e in chunk {
                if let Ok(entry) =
                    aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry::builder()
                        .id(&e.id)
                        .receipt_handle(&e.receipt_handle)
                        .visibility_timeout(0)
                        .build()
                {
                    request = request.entries(entry);
                }
            }
            if let Err(e) = request.send().await {
                tracing::warn!(error = %map_sdk(e), "could not release messages; they reappear after their timeout");
            }
        }
    }

    pub(super) async fn peek_emulated(
        &self,
        queue: &str,
        max: usize,
    ) -> Result<Vec<PeekedMessage>, QueueError> {
        let url = self.url(queue).await?;
        let mut held: Vec<ReceivedMessage> = Vec::new();
        while held.len() < max {
            let want = (max - held.len()).min(10) as u32;
            let got = self
                .receive_raw(&url, want, Duration::ZERO, Some(HOLD))
                .await;
            let got = match got {
                Ok(got) => got,
                Err(e) => {
                    self.release_held(&url, &held).await;
                    return Err(e);
                }
            };
            if got.is_empty() {
                break;
            }
            held.extend(got);
        }
        self.release_held(&url, &held).await;
        let peeked = held
            .into_iter()
            .map(|m| {
                let receive_count = self
                    .track(|t| t.peeked(queue, &m.message_id, m.receive_count))
                    .unwrap_or(0);
                PeekedMessage {
                    message_id: m.message_id,
                    body: m.body,
                    receive_count,
                    sent_at: m.sent_at,
                }
            })
            .collect();
        Ok(peeked)
    }

    async fn release_held(&self, url: &str, held: &[ReceivedMessage]) {
        let entries: Vec<VisibilityEntry> = held
            .iter()
            .enumerate()
            .map(|(i, m)| release_entry(i, m))
            .collect();
        self.release_url(url, entries).await;
    }
}

fn release_entry(i: usize, m: &ReceivedMessage) -> VisibilityEntry {
    VisibilityEntry {
        id: format!("r{i}"),
        receipt_handle: m.receipt_handle.clone(),
        timeout: Duration::ZERO,
    }
}
