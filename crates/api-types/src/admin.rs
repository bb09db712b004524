//! The admin API's bodies: firms, users, queues and dead letters, lockouts, the audit log and throughput.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewTenant {
    /// Short id: lower-case letters, digits and '-'.
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewUser {
    pub tenant: String,
    pub email: String,
    pub password: String,
    /// "member" (default) or "admin".
    pub role: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct Redrive {
    /// Message ids to redrive; omit to redrive the whole DLQ.
    pub message_ids: Option<Vec<String>>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Purge {
    /// Must repeat the queue's full name to confirm.
    pub confirm: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Count {
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueView {
    pub kind: String,
    pub queue: String,
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
    pub oldest_age_secs: Option<u64>,
    pub dlq: String,
    pub dlq_depth: u64,
    pub dlq_oldest_age_secs: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeadLetterView {
    pub message_id: String,
    pub body: String,
    pub receive_count: u32,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueSeries {
    pub kind: String,
    /// Batches processed in each minute, one per minute of `minute_starts`.
    pub messages: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Throughput {
    /// Unix time (seconds) at which each minute starts, oldest first.
    pub minute_starts: Vec<i64>,
    /// One series per entity queue.
    pub queues: Vec<QueueSeries>,
    /// Source rows loaded or rejected in each minute, all queues together.
    pub rows: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Lockout {
    pub email: String,
    /// Unix time the lock ends.
    pub locked_until: i64,
    pub failures: i64,
    /// The client address of the failure that locked the account.
    pub address: String,
    /// Unix time the lock began.
    pub at: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

impl Throughput {
    pub fn total_messages(&self) -> i64 {
        self.queues.iter().flat_map(|q| q.messages.iter()).sum()
    }
    pub fn total_rows(&self) -> i64 {
        self.rows.iter().sum()
    }
}
