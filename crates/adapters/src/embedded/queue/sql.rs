//! The statements of the embedded queue. Each public function is one call's
//! worth of work on an exclusively held connection; most are a single
//! statement, so they commit atomically without an explicit transaction.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use migrationai_ports::queue::{PeekedMessage, QueueConfig, QueueError, QueueStats};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use super::receipt::Receipt;

pub(crate) fn backend(err: sqlx::Error) -> QueueError {
    QueueError::backend(err)
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(crate) fn ms(duration: Duration) -> i64 {
    duration.as_millis().min(i64::MAX as u128) as i64
}

pub(crate) fn to_time(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64)
}

/// `?, ?, …` with `n` placeholders.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// All queues, to fill the registry at open.
pub(crate) async fn load_queues(
    conn: &mut SqliteConnection,
) -> Result<Vec<(String, i64, QueueConfig)>, QueueError> {
    let rows = sqlx::query(
        "SELECT id, name, visibility_timeout_ms, max_receive_count, dlq, delay_ms, retention_ms
         FROM queues",
    )
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|row| {
            let config = QueueConfig {
                visibility_timeout: duration_col(row, "visibility_timeout_ms")?,
                max_receive_count: row
                    .try_get::<i64, _>("max_receive_count")
                    .map_err(backend)? as u32,
                dlq: row.try_get("dlq").map_err(backend)?,
                delay: duration_col(row, "delay_ms")?,
                retention: duration_col(row, "retention_ms")?,
            };
            Ok((
                row.try_get("name").map_err(backend)?,
                row.try_get("id").map_err(backend)?,
                config,
            ))
        })
        .collect()
}

fn duration_col(row: &SqliteRow, column: &str) -> Result<Duration, QueueError> {
    let value: i64 = row.try_get(column).map_err(backend)?;
    Ok(Duration::from_millis(value.max(0) as u64))
}

/// Creates or reconfigures a queue; returns its id.
pub(crate) async fn upsert_queue(
    conn: &mut SqliteConnection,
    name: &str,
    config: &QueueConfig,
) -> Result<i64, QueueError> {
    sqlx::query_scalar(
        "INSERT INTO queues
             (name, visibility_timeout_ms, max_receive_count, dlq, delay_ms, retention_ms, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET
             visibility_timeout_ms = excluded.visibility_timeout_ms,
             max_receive_count = excluded.max_receive_count,
             dlq = excluded.dlq,
             delay_ms = excluded.delay_ms,
             retention_ms = excluded.retention_ms
         RETURNING id",
    )
    .bind(name)
    .bind(ms(config.visibility_timeout))
    .bind(i64::from(config.max_receive_count))
    .bind(config.dlq.as_deref())
    .bind(ms(config.delay))
    .bind(ms(config.retention))
    .bind(now_ms())
    .fetch_one(conn)
    .await
    .map_err(backend)
}

/// A message to insert: id, body, delay in ms.
pub(crate) struct NewMessage<'a> {
    pub message_id: String,
    pub body: &'a str,
    pub delay_ms: i64,
}

/// Inserts all messages in one statement.
pub(crate) async fn insert_messages(
    conn: &mut SqliteConnection,
    queue_id: i64,
    messages: &[NewMessage<'_>],
) -> Result<(), QueueError> {
    if messages.is_empty() {
        return Ok(());
    }
    let values = vec!["(?, ?, ?, ?, ?)"; messages.len()].join(", ");
    let sql = format!(
        "INSERT INTO messages (queue_id, message_id, body, sent_at_ms, visible_at_ms) VALUES {values}"
    );
    let now = now_ms();
    let mut query = sqlx::query(&sql);
    for message in messages {
        query = query
            .bind(queue_id)
            .bind(&message.message_id)
            .bind(message.body)
            .bind(now)
            .bind(now + message.delay_ms);
    }
    query.execute(conn).await.map_err(backend)?;
    Ok(())
}

/// A row claimed by a receive.
pub(crate) struct Claimed {
    pub seq: i64,
    pub message_id: String,
    pub body: String,
    pub sent_at_ms: i64,
    pub receive_count: i64,
    pub first_received_at_ms: i64,
}

/// Claims up to `limit` visible, unexpired messages at the head of the queue:
/// hides them until `now + visibility_ms`, counts the receive and stamps the
/// new receipt token, all in one statement.
pub(crate) async fn claim(
    conn: &mut SqliteConnection,
    queue_id: i64,
    limit: usize,
    now: i64,
    visibility_ms: i64,
    token: i64,
    oldest_sent_ms: i64,
) -> Result<Vec<Claimed>, QueueError> {
    let rows = sqlx::query(
        "UPDATE messages SET
             receive_count = receive_count + 1,
             visible_at_ms = ?1,
             receipt = ?2,
             first_received_at_ms = COALESCE(first_received_at_ms, ?3)
         WHERE seq IN (
             SELECT seq FROM messages
             WHERE queue_id = ?4 AND visible_at_ms <= ?3 AND sent_at_ms >= ?5
             ORDER BY visible_at_ms
             LIMIT ?6)
         RETURNING seq, message_id, body, sent_at_ms, receive_count, first_received_at_ms",
    )
    .bind(now + visibility_ms)
    .bind(token)
    .bind(now)
    .bind(queue_id)
    .bind(oldest_sent_ms)
    .bind(limit as i64)
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|row| {
            Ok(Claimed {
                seq: row.try_get(0).map_err(backend)?,
                message_id: row.try_get(1).map_err(backend)?,
                body: row.try_get(2).map_err(backend)?,
                sent_at_ms: row.try_get(3).map_err(backend)?,
                receive_count: row.try_get(4).map_err(backend)?,
                first_received_at_ms: row.try_get(5).map_err(backend)?,
            })
        })
        .collect()
}

/// Moves messages to another queue as new arrivals there: visible at once,
/// never received. `reset_sent` restarts their retention clock (redrive);
/// a move to a DLQ keeps it, as SQS does.
pub(crate) async fn move_rows(
    conn: &mut SqliteConnection,
    seqs: &[i64],
    to_queue_id: i64,
    now: i64,
    reset_sent: bool,
) -> Result<(), QueueError> {
    // Chunked to stay far below SQLite's bound-parameter limit.
    for chunk in seqs.chunks(500) {
        let sql = format!(
            "UPDATE messages SET queue_id = ?, visible_at_ms = ?, receive_count = 0,
                 first_received_at_ms = NULL, receipt = NULL,
                 sent_at_ms = CASE WHEN ? THEN ? ELSE sent_at_ms END
             WHERE seq IN ({})",
            placeholders(chunk.len())
        );
        let mut query = sqlx::query(&sql)
            .bind(to_queue_id)
            .bind(now)
            .bind(reset_sent)
            .bind(now);
        for seq in chunk {
            query = query.bind(seq);
        }
        query.execute(&mut *conn).await.map_err(backend)?;
    }
    Ok(())
}

/// Visible messages at the head of a queue, oldest first.
pub(crate) async fn visible_head(
    conn: &mut SqliteConnection,
    queue_id: i64,
    now: i64,
    limit: usize,
) -> Result<Vec<i64>, QueueError> {
    sqlx::query_scalar(
        "SELECT seq FROM messages WHERE queue_id = ? AND visible_at_ms <= ?
         ORDER BY visible_at_ms LIMIT ?",
    )
    .bind(queue_id)
    .bind(now)
    .bind(limit.min(i64::MAX as usize) as i64)
    .fetch_all(conn)
    .await
    .map_err(backend)
}

/// When the next hidden (delayed or in-flight) message becomes visible.
pub(crate) async fn next_visible_at(
    conn: &mut SqliteConnection,
    queue_id: i64,
    now: i64,
) -> Result<Option<i64>, QueueError> {
    sqlx::query_scalar(
        "SELECT MIN(visible_at_ms) FROM messages WHERE queue_id = ? AND visible_at_ms > ?",
    )
    .bind(queue_id)
    .bind(now)
    .fetch_one(conn)
    .await
    .map_err(backend)
}

/// Drops messages past their retention period.
pub(crate) async fn prune_expired(
    conn: &mut SqliteConnection,
    queue_id: i64,
    oldest_sent_ms: i64,
) -> Result<u64, QueueError> {
    let done = sqlx::query("DELETE FROM messages WHERE queue_id = ? AND sent_at_ms < ?")
        .bind(queue_id)
        .bind(oldest_sent_ms)
        .execute(conn)
        .await
        .map_err(backend)?;
    Ok(done.rows_affected())
}

/// Deletes the deliveries whose receipts are current; returns the seqs
/// deleted.
pub(crate) async fn delete_receipts(
    conn: &mut SqliteConnection,
    queue_id: i64,
    receipts: &[Receipt],
) -> Result<Vec<i64>, QueueError> {
    if receipts.is_empty() {
        return Ok(Vec::new());
    }
    // The rowid IN list must drive the lookups: the unary `+` keeps SQLite
    // from walking the queue's index instead, and the CASE checks each row's
    // token.
    let whens = " WHEN ? THEN ?".repeat(receipts.len());
    let sql = format!(
        "DELETE FROM messages
         WHERE seq IN ({}) AND +queue_id = ? AND receipt = CASE seq{whens} END
         RETURNING seq",
        placeholders(receipts.len())
    );
    let mut query = sqlx::query_scalar(&sql);
    for receipt in receipts {
        query = query.bind(receipt.seq);
    }
    query = query.bind(queue_id);
    for receipt in receipts {
        query = query.bind(receipt.seq).bind(receipt.token);
    }
    query.fetch_all(conn).await.map_err(backend)
}

/// Which of `seqs` still exist in the queue (a receipt that matched none of
/// them belongs to a message already deleted).
pub(crate) async fn existing(
    conn: &mut SqliteConnection,
    queue_id: i64,
    seqs: &[i64],
) -> Result<Vec<i64>, QueueError> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT seq FROM messages WHERE +queue_id = ? AND seq IN ({})",
        placeholders(seqs.len())
    );
    let mut query = sqlx::query_scalar(&sql).bind(queue_id);
    for seq in seqs {
        query = query.bind(seq);
    }
    query.fetch_all(conn).await.map_err(backend)
}

/// Sets when a current delivery becomes visible again; false when the
/// receipt is not the latest one of a message in this queue.
pub(crate) async fn set_visible_at(
    conn: &mut SqliteConnection,
    queue_id: i64,
    receipt: Receipt,
    visible_at_ms: i64,
) -> Result<bool, QueueError> {
    let done = sqlx::query(
        "UPDATE messages SET visible_at_ms = ? WHERE seq = ? AND +queue_id = ? AND receipt = ?",
    )
    .bind(visible_at_ms)
    .bind(receipt.seq)
    .bind(queue_id)
    .bind(receipt.token)
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn stats(
    conn: &mut SqliteConnection,
    queue_id: i64,
    now: i64,
    oldest_sent_ms: i64,
) -> Result<QueueStats, QueueError> {
    let row = sqlx::query(
        "SELECT
             COALESCE(SUM(visible_at_ms <= ?1), 0),
             COALESCE(SUM(visible_at_ms > ?1 AND receipt IS NOT NULL), 0),
             COALESCE(SUM(visible_at_ms > ?1 AND receipt IS NULL), 0),
             MIN(sent_at_ms)
         FROM messages WHERE queue_id = ?2 AND sent_at_ms >= ?3",
    )
    .bind(now)
    .bind(queue_id)
    .bind(oldest_sent_ms)
    .fetch_one(conn)
    .await
    .map_err(backend)?;
    let count = |index: usize| -> Result<u64, QueueError> {
        Ok(row.try_get::<i64, _>(index).map_err(backend)?.max(0) as u64)
    };
    let oldest: Option<i64> = row.try_get(3).map_err(backend)?;
    Ok(QueueStats {
        visible: count(0)?,
        in_flight: count(1)?,
        delayed: count(2)?,
        oldest_age: oldest.map(|sent| Duration::from_millis((now - sent).max(0) as u64)),
    })
}

pub(crate) async fn peek(
    conn: &mut SqliteConnection,
    queue_id: i64,
    limit: usize,
    oldest_sent_ms: i64,
) -> Result<Vec<PeekedMessage>, QueueError> {
    let rows = sqlx::query(
        "SELECT message_id, body, receive_count, sent_at_ms FROM messages
         WHERE queue_id = ? AND sent_at_ms >= ?
         ORDER BY seq LIMIT ?",
    )
    .bind(queue_id)
    .bind(oldest_sent_ms)
    .bind(limit.min(i64::MAX as usize) as i64)
    .fetch_all(conn)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|row| {
            Ok(PeekedMessage {
                message_id: row.try_get(0).map_err(backend)?,
                body: row.try_get(1).map_err(backend)?,
                receive_count: row.try_get::<i64, _>(2).map_err(backend)?.max(0) as u32,
                sent_at: to_time(row.try_get(3).map_err(backend)?),
            })
        })
        .collect()
}

pub(crate) async fn purge(conn: &mut SqliteConnection, queue_id: i64) -> Result<(), QueueError> {
    sqlx::query("DELETE FROM messages WHERE queue_id = ?")
        .bind(queue_id)
        .execute(conn)
        .await
        .map_err(backend)?;
    Ok(())
}
