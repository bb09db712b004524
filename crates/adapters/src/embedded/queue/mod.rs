//! Embedded durable queue with SQS semantics, stored in its own SQLite file.
//!
//! Durability: WAL with `synchronous=NORMAL` makes every committed call
//! survive a crash of the process (kill -9); only an OS crash or power loss
//! can lose the last commits. Every call that changes state commits before it
//! returns.
//!
//! All calls share one connection behind an async mutex: SQLite admits one
//! writer at a time anyway, and one connection avoids lock contention and
//! `SQLITE_BUSY` retries. One process owns the file; opening it from two
//! processes at once is not supported.

mod receipt;
mod registry;
mod sql;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use migrationai_ports::queue::{
    limits, validate_batch_ids, validate_body, validate_delay, validate_queue_name,
    validate_visibility, BatchError, BatchOutcome, BatchSuccess, DeleteEntry, MessageId,
    PeekedMessage, Queue, QueueConfig, QueueError, QueueErrorCode, QueueStats, ReceiveOptions,
    ReceivedMessage, SendEntry, VisibilityEntry,
};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use tokio::sync::Mutex;

use receipt::{new_token, Receipt};
use registry::{QueueMeta, Registry};
use sql::{backend, ms, now_ms, to_time, NewMessage};

/// How often a queue's expired messages are deleted.
const PRUNE_INTERVAL_MS: i64 = 60_000;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/queue");

/// The embedded queue. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct EmbeddedQueue {
    conn: Mutex<SqliteConnection>,
    registry: Registry,
}

impl EmbeddedQueue {
    /// Opens (creating if needed) the queue database at `path`.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, QueueError> {
        let mut conn = crate::embedded::sqlite_file(path.as_ref())
            .map_err(QueueError::backend)?
            .pragma("temp_store", "memory")
            .connect()
            .await
            .map_err(backend)?;
        MIGRATOR
            .run(&mut conn)
            .await
            .map_err(|err| QueueError::backend(format!("queue migrations: {err}")))?;
        let registry = Registry::default();
        for (name, id, config) in sql::load_queues(&mut conn).await? {
            registry.upsert(&name, id, config)?;
        }
        Ok(Self {
            conn: Mutex::new(conn),
            registry,
        })
    }

    /// Opens `<data_dir>/queue.db`.
    pub async fn open_in_dir(data_dir: impl AsRef<Path>) -> Result<Self, QueueError> {
        Self::open(data_dir.as_ref().join("queue.db")).await
    }

    /// Closes the database cleanly, checkpointing the WAL.
    pub async fn close(self) -> Result<(), QueueError> {
        self.conn.into_inner().close().await.map_err(backend)
    }

    fn dlq_of(&self, meta: &QueueMeta) -> Option<Arc<QueueMeta>> {
        // A DLQ must exist when named, so a miss here only happens if the
        // database was edited by hand; then messages are retried forever.
        meta.config
            .dlq
            .as_deref()
            .and_then(|name| self.registry.get(name).ok())
    }

    /// One attempt at receiving. Returns the deliveries and, when there are
    /// none, when the next hidden message becomes visible.
    async fn try_receive(
        &self,
        meta: &QueueMeta,
        options: &ReceiveOptions,
    ) -> Result<(Vec<ReceivedMessage>, Option<i64>), QueueError> {
        let wanted = options.max_messages as usize;
        let visibility_ms = ms(options
            .visibility_timeout
            .unwrap_or(meta.config.visibility_timeout));
        let max_receives = i64::from(meta.config.max_receive_count);
        let dlq = self.dlq_of(meta);
        let token = new_token();

        let mut conn = self.conn.lock().await;
        let now = now_ms();
        let oldest_sent = now - ms(meta.config.retention);
        if now - meta.last_prune_ms.load(Ordering::Relaxed) > PRUNE_INTERVAL_MS {
            meta.last_prune_ms.store(now, Ordering::Relaxed);
            sql::prune_expired(&mut conn, meta.id, oldest_sent).await?;
        }

        let mut delivered = Vec::with_capacity(wanted);
        loop {
            let want = wanted - delivered.len();
            let claimed = sql::claim(
                &mut conn,
                meta.id,
                want,
                now,
                visibility_ms,
                token,
                oldest_sent,
            )
            .await?;
            let got = claimed.len();
            // A message whose receive count already reached the maximum goes
            // to the DLQ instead of being delivered again. Claiming first and
            // moving after keeps the common path to one statement; a crash in
            // between leaves it in flight, to be moved on its next receive.
            let mut exhausted = Vec::new();
            for row in claimed {
                match &dlq {
                    Some(_) if row.receive_count > max_receives => exhausted.push(row.seq),
                    _ => delivered.push(ReceivedMessage {
                        message_id: row.message_id,
                        receipt_handle: Receipt::encode(row.seq, token),
                        body: row.body,
                        receive_count: row.receive_count.max(0) as u32,
                        sent_at: to_time(row.sent_at_ms),
                        first_received_at: to_time(row.first_received_at_ms),
                    }),
                }
            }
            if let (Some(dlq), false) = (&dlq, exhausted.is_empty()) {
                sql::move_rows(&mut conn, &exhausted, dlq.id, now, false).await?;
                dlq.notify.notify_waiters();
            }
            if exhausted.is_empty() || got < want || delivered.len() == wanted {
                break;
            }
        }

        let next_visible = if delivered.is_empty() && !options.wait_time.is_zero() {
            sql::next_visible_at(&mut conn, meta.id, now).await?
        } else {
            None
        };
        Ok((delivered, next_visible))
    }

    /// Checks a batch send entry; `Err` carries the per-entry failure.
    fn check_entry(entry: &SendEntry, default_delay: Duration) -> Result<i64, BatchError> {
        let fail = |err: QueueError| BatchError {
            id: entry.id.clone(),
            code: err.code,
            message: err.message,
        };
        validate_body(&entry.body).map_err(fail)?;
        let delay = entry.delay.unwrap_or(default_delay);
        validate_delay(delay).map_err(fail)?;
        Ok(ms(delay))
    }

    /// Deletes by parsed receipts; returns, per receipt, whether it was
    /// stale (the message exists but was received again since).
    async fn delete_parsed(
        &self,
        queue_id: i64,
        receipts: &[Receipt],
    ) -> Result<Vec<bool>, QueueError> {
        let mut conn = self.conn.lock().await;
        let deleted = sql::delete_receipts(&mut conn, queue_id, receipts).await?;
        let missed: Vec<i64> = receipts
            .iter()
            .map(|r| r.seq)
            .filter(|seq| !deleted.contains(seq))
            .collect();
        // A receipt that deleted nothing is stale if its message is still
        // there; if the message is gone it was already deleted, which SQS
        // accepts again.
        let stale = sql::existing(&mut conn, queue_id, &missed).await?;
        Ok(receipts.iter().map(|r| stale.contains(&r.seq)).collect())
    }
}

fn parse_receipt(handle: &str) -> Result<Receipt, QueueError> {
    Receipt::parse(handle).ok_or_else(|| QueueError::receipt_invalid(handle))
}

fn entry_error(id: &str, err: QueueError) -> BatchError {
    BatchError {
        id: id.to_owned(),
        code: err.code,
        message: err.message,
    }
}

#[async_trait]
impl Queue for EmbeddedQueue {
    async fn ensure_queue(&self, name: &str, config: &QueueConfig) -> Result<(), QueueError> {
        validate_queue_name(name)?;
        config.validate()?;
        if let Some(dlq) = &config.dlq {
            if dlq == name {
                return Err(QueueError::invalid_parameter(
                    "a queue cannot be its own dead-letter queue",
                ));
            }
            if !self.registry.contains(dlq) {
                return Err(QueueError::queue_does_not_exist(dlq));
            }
        }
        let mut conn = self.conn.lock().await;
        let id = sql::upsert_queue(&mut conn, name, config).await?;
        self.registry.upsert(name, id, config.clone())
    }

    async fn visibility_timeout(&self, queue: &str) -> Result<Duration, QueueError> {
        Ok(self.registry.get(queue)?.config.visibility_timeout)
    }

    async fn send(
        &self,
        queue: &str,
        body: &str,
        delay: Option<Duration>,
    ) -> Result<MessageId, QueueError> {
        let meta = self.registry.get(queue)?;
        validate_body(body)?;
        let delay = delay.unwrap_or(meta.config.delay);
        validate_delay(delay)?;
        let message = NewMessage {
            message_id: uuid::Uuid::new_v4().to_string(),
            body,
            delay_ms: ms(delay),
        };
        {
            let mut conn = self.conn.lock().await;
            sql::insert_messages(&mut conn, meta.id, std::slice::from_ref(&message)).await?;
        }
        meta.notify.notify_waiters();
        Ok(message.message_id)
    }

    async fn send_batch(
        &self,
        queue: &str,
        entries: Vec<SendEntry>,
    ) -> Result<BatchOutcome, QueueError> {
        let meta = self.registry.get(queue)?;
        validate_batch_ids(entries.iter().map(|e| e.id.as_str()))?;
        let mut outcome = BatchOutcome::default();
        let mut accepted = Vec::with_capacity(entries.len());
        let mut payload = 0usize;
        for entry in &entries {
            match Self::check_entry(entry, meta.config.delay) {
                Ok(delay_ms) => {
                    payload += entry.body.len();
                    accepted.push((
                        entry.id.clone(),
                        NewMessage {
                            message_id: uuid::Uuid::new_v4().to_string(),
                            body: &entry.body,
                            delay_ms,
                        },
                    ));
                }
                Err(failure) => outcome.failed.push(failure),
            }
        }
        if payload > limits::MAX_MESSAGE_BYTES {
            return Err(QueueError::new(
                QueueErrorCode::BatchRequestTooLong,
                format!(
                    "batch requests cannot be longer than {} bytes (got {payload})",
                    limits::MAX_MESSAGE_BYTES
                ),
            ));
        }
        if !accepted.is_empty() {
            let messages: Vec<NewMessage<'_>> = accepted
                .iter()
                .map(|(_, m)| NewMessage {
                    message_id: m.message_id.clone(),
                    body: m.body,
                    delay_ms: m.delay_ms,
                })
                .collect();
            {
                let mut conn = self.conn.lock().await;
                sql::insert_messages(&mut conn, meta.id, &messages).await?;
            }
            meta.notify.notify_waiters();
        }
        outcome.successful = accepted
            .into_iter()
            .map(|(id, m)| BatchSuccess {
                id,
                message_id: Some(m.message_id),
            })
            .collect();
        Ok(outcome)
    }

    async fn receive(
        &self,
        queue: &str,
        options: &ReceiveOptions,
    ) -> Result<Vec<ReceivedMessage>, QueueError> {
        options.validate()?;
        let meta = self.registry.get(queue)?;
        let deadline = tokio::time::Instant::now() + options.wait_time;
        loop {
            // Registered before looking, so a send that commits after the
            // look still wakes this poll.
            let notified = meta.notify.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();

            let (messages, next_visible) = self.try_receive(&meta, options).await?;
            let now = tokio::time::Instant::now();
            if !messages.is_empty() || now >= deadline {
                return Ok(messages);
            }
            // Also wake when a delayed or in-flight message turns visible.
            let wake = next_visible
                .map(|at| now + Duration::from_millis((at - now_ms()).max(1) as u64))
                .map_or(deadline, |at| at.min(deadline));
            tokio::select! {
                _ = notified => {}
                _ = tokio::time::sleep_until(wake) => {}
            }
        }
    }

    async fn delete(&self, queue: &str, receipt: &str) -> Result<(), QueueError> {
        let meta = self.registry.get(queue)?;
        let parsed = parse_receipt(receipt)?;
        let stale = self.delete_parsed(meta.id, &[parsed]).await?;
        if stale.first().copied().unwrap_or(false) {
            return Err(QueueError::receipt_invalid(receipt));
        }
        Ok(())
    }

    async fn delete_batch(
        &self,
        queue: &str,
        entries: Vec<DeleteEntry>,
    ) -> Result<BatchOutcome, QueueError> {
        let meta = self.registry.get(queue)?;
        validate_batch_ids(entries.iter().map(|e| e.id.as_str()))?;
        let mut outcome = BatchOutcome::default();
        let mut parsed = Vec::with_capacity(entries.len());
        for entry in &entries {
            match parse_receipt(&entry.receipt_handle) {
                Ok(receipt) => parsed.push((entry, receipt)),
                Err(err) => outcome.failed.push(entry_error(&entry.id, err)),
            }
        }
        let receipts: Vec<Receipt> = parsed.iter().map(|(_, r)| *r).collect();
        let stale = self.delete_parsed(meta.id, &receipts).await?;
        for ((entry, _), stale) in parsed.into_iter().zip(stale) {
            if stale {
                let err = QueueError::receipt_invalid(&entry.receipt_handle);
                outcome.failed.push(entry_error(&entry.id, err));
            } else {
                outcome.successful.push(BatchSuccess {
                    id: entry.id.clone(),
                    message_id: None,
                });
            }
        }
        Ok(outcome)
    }

    async fn change_visibility(
        &self,
        queue: &str,
        receipt: &str,
        timeout: Duration,
    ) -> Result<(), QueueError> {
        let entry = VisibilityEntry {
            id: "single".to_owned(),
            receipt_handle: receipt.to_owned(),
            timeout,
        };
        validate_visibility(timeout)?;
        let outcome = self.change_visibility_batch(queue, vec![entry]).await?;
        match outcome.failed.into_iter().next() {
            Some(failure) => Err(QueueError::new(failure.code, failure.message)),
            None => Ok(()),
        }
    }

    async fn change_visibility_batch(
        &self,
        queue: &str,
        entries: Vec<VisibilityEntry>,
    ) -> Result<BatchOutcome, QueueError> {
        let meta = self.registry.get(queue)?;
        validate_batch_ids(entries.iter().map(|e| e.id.as_str()))?;
        let mut outcome = BatchOutcome::default();
        let mut made_visible = false;
        {
            let mut conn = self.conn.lock().await;
            let now = now_ms();
            for entry in &entries {
                let checked = validate_visibility(entry.timeout)
                    .and_then(|()| parse_receipt(&entry.receipt_handle));
                let receipt = match checked {
                    Ok(receipt) => receipt,
                    Err(err) => {
                        outcome.failed.push(entry_error(&entry.id, err));
                        continue;
                    }
                };
                let visible_at = now + ms(entry.timeout);
                if sql::set_visible_at(&mut conn, meta.id, receipt, visible_at).await? {
                    made_visible |= entry.timeout.is_zero();
                    outcome.successful.push(BatchSuccess {
                        id: entry.id.clone(),
                        message_id: None,
                    });
                } else {
                    let err = QueueError::receipt_invalid(&entry.receipt_handle);
                    outcome.failed.push(entry_error(&entry.id, err));
                }
            }
        }
        if made_visible {
            meta.notify.notify_waiters();
        }
        Ok(outcome)
    }

    async fn stats(&self, queue: &str) -> Result<QueueStats, QueueError> {
        let meta = self.registry.get(queue)?;
        let mut conn = self.conn.lock().await;
        let now = now_ms();
        sql::stats(&mut conn, meta.id, now, now - ms(meta.config.retention)).await
    }

    async fn move_messages(
        &self,
        from_dlq: &str,
        to_queue: &str,
        max: usize,
    ) -> Result<usize, QueueError> {
        let from = self.registry.get(from_dlq)?;
        let to = self.registry.get(to_queue)?;
        if from.id == to.id || max == 0 {
            return Ok(0);
        }
        let moved = {
            let mut conn = self.conn.lock().await;
            let now = now_ms();
            // Only visible messages: one an operator is receiving right now
            // stays where it is.
            let seqs = sql::visible_head(&mut conn, from.id, now, max).await?;
            sql::move_rows(&mut conn, &seqs, to.id, now, true).await?;
            seqs.len()
        };
        if moved > 0 {
            to.notify.notify_waiters();
        }
        Ok(moved)
    }

    async fn peek(&self, queue: &str, max: usize) -> Result<Vec<PeekedMessage>, QueueError> {
        let meta = self.registry.get(queue)?;
        let mut conn = self.conn.lock().await;
        let oldest_sent = now_ms() - ms(meta.config.retention);
        sql::peek(&mut conn, meta.id, max, oldest_sent).await
    }

    async fn purge(&self, queue: &str) -> Result<(), QueueError> {
        let meta = self.registry.get(queue)?;
        let mut conn = self.conn.lock().await;
        sql::purge(&mut conn, meta.id).await
    }
}
