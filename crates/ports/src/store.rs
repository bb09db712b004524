//! The canonical store port: tenants, migration jobs and their batches, the migrated
//! records, the reject ledger, contact links for review and the failure log of messages.
//!
//! Every call that touches tenant data takes the tenant and the adapters filter by it in the
//! query itself, so one tenant can never read or change another's rows. A job's status is the
//! domain's `JobStatus` and a row's kind its `Kind`; an adapter that reads a status or a kind
//! it does not know answers `StoreError::Data` naming it.

use async_trait::async_trait;
use migrationai_domain::{JobStatus, Kind, PushStatus};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or refused the statement.
    #[error("store: {0}")]
    Backend(String),
    #[error("{0} not found")]
    NotFound(String),
    /// A row held something the adapter cannot read back (corrupt JSON, bad number...).
    #[error("store data: {0}")]
    Data(String),
}

/// A migration job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub tenant: String,
    pub id: String,
    pub name: String,
    pub status: JobStatus,
    /// The phase in progress (index into `Kind::phases()`); -1 before planning ends.
    pub phase: i64,
    /// The latest phase whose messages have all been sent; lets a redelivered advance
    /// finish an interrupted fan-out without sending twice in the normal case.
    pub fanout: i64,
    /// JSON: export path, defaults, batch size.
    pub settings: String,
    /// JSON: the table mapping the job runs with.
    pub mapping: String,
    /// JSON of the reconciliation report once the job is done.
    pub report: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One slice of a source table, kept as a blob; a worker message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    pub kind: Kind,
    pub batch_no: i64,
    pub file: String,
    pub blob_key: String,
    /// Source rows in the batch (loaded + rejected when done).
    pub rows: i64,
    pub done: bool,
    pub loaded: i64,
    pub rejected: i64,
}

/// A migrated record: the canonical JSON of one source row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub kind: Kind,
    pub source_id: String,
    pub canonical_id: String,
    pub file: String,
    pub row: i64,
    pub data: String,
}

/// A source row that was not loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectRow {
    pub kind: Kind,
    pub file: String,
    pub row: i64,
    pub source_id: Option<String>,
    pub field: String,
    pub code: String,
    pub reason: String,
    /// JSON object of the original columns (header → cell), for the correction CSV.
    pub raw: String,
}

/// Everything one processed batch changes, written in one transaction together with the
/// batch's done mark so a redelivered message changes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchWrite {
    pub job: String,
    pub kind: Kind,
    pub batch_no: i64,
    pub records: Vec<RecordRow>,
    pub rejects: Vec<RejectRow>,
}

/// Two contacts that look like the same person or organisation, kept for review: a scored
/// pair with the evidence behind the score.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContactLink {
    /// Source ids, `a` < `b`.
    pub a: String,
    pub b: String,
    /// Match weight in bits: log2 of the odds that the two are one contact.
    pub score: f64,
    /// Each field compared, how it compared and what it weighed, strongest first.
    pub evidence: Vec<LinkEvidence>,
}

/// One field's part in a link's score.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinkEvidence {
    /// "name", "email", "phone", "address", "locality", "organisation" or "birth_date".
    pub field: String,
    /// "agree", "similar" or "disagree".
    pub outcome: String,
    /// Bits added to (or taken from) the score.
    pub weight: f64,
}

impl ContactLink {
    /// The field that weighed most for the link.
    pub fn strongest(&self) -> &str {
        self.evidence
            .iter()
            .filter(|e| e.weight > 0.0)
            .max_by(|x, y| x.weight.total_cmp(&y.weight))
            .map_or("score", |e| e.field.as_str())
    }
}

/// The last failure recorded for a queue message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFailure {
    pub queue: String,
    pub message_id: String,
    pub error: String,
    pub at: i64,
    /// The message's receive count when it failed (a message moved to its DLQ starts there
    /// with none, so this keeps how often it was tried).
    pub receive_count: u32,
}

/// Per-kind totals of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindProgress {
    pub kind: Kind,
    pub batches: i64,
    pub batches_done: i64,
    pub rows: i64,
    pub loaded: i64,
    pub rejected: i64,
}

/// A push of a finished job into its target, as the push ledger keeps it: one per job
/// (a new push of the job starts it again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRow {
    pub tenant: String,
    pub job: String,
    pub status: PushStatus,
    /// The phase being pushed (index into `Kind::phases()`); -1 before the first.
    pub phase: i64,
    /// The latest phase whose page messages were claimed for sending (`claim_push_fanout`).
    pub fanout: i64,
    /// JSON: the push's options (project types, records at once).
    pub options: String,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One page of a kind's loaded records, pushed by one queue message: the records whose
/// source id sorts after `after` up to and including `last`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushPageRow {
    pub kind: Kind,
    pub page_no: i64,
    pub after: Option<String>,
    pub last: String,
    /// Records in the page.
    pub records: i64,
    pub done: bool,
    /// What the push did with them (0 until done).
    pub outcome: PushOutcome,
}

/// What one page's push did: counts per action, and the records the target refused as
/// JSON (the pipeline's reject entries, with the target's reason).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushOutcome {
    pub created: i64,
    pub adopted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub refused: i64,
    pub refusals: String,
}

#[async_trait]
pub trait Store: Send + Sync {
    async fn ensure_tenant(&self, tenant: &str, name: &str) -> Result<(), StoreError>;

    /// Creates the job, or returns the existing job of that name (resuming).
    async fn create_job(&self, job: &JobRow) -> Result<JobRow, StoreError>;
    async fn job(&self, tenant: &str, job: &str) -> Result<Option<JobRow>, StoreError>;
    async fn job_by_name(&self, tenant: &str, name: &str) -> Result<Option<JobRow>, StoreError>;
    async fn jobs(&self, tenant: &str) -> Result<Vec<JobRow>, StoreError>;
    async fn set_job_status(
        &self,
        tenant: &str,
        job: &str,
        status: JobStatus,
        error: Option<&str>,
    ) -> Result<(), StoreError>;
    async fn set_job_report(&self, tenant: &str, job: &str, report: &str)
        -> Result<(), StoreError>;
    /// Compare-and-set of the job's phase; true for the one caller that moved it.
    async fn advance_phase(
        &self,
        tenant: &str,
        job: &str,
        from: i64,
        to: i64,
    ) -> Result<bool, StoreError>;
    async fn set_fanout(&self, tenant: &str, job: &str, phase: i64) -> Result<(), StoreError>;

    /// Records the planned batches; existing ones are left as they are.
    async fn add_batches(
        &self,
        tenant: &str,
        job: &str,
        batches: &[BatchRow],
    ) -> Result<(), StoreError>;
    async fn batches(&self, tenant: &str, job: &str) -> Result<Vec<BatchRow>, StoreError>;
    async fn batch(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        batch_no: i64,
    ) -> Result<Option<BatchRow>, StoreError>;
    /// Upserts the records, records the rejects and marks the batch done, atomically.
    /// Returns false (and changes nothing) when the batch was already done.
    async fn commit_batch(&self, tenant: &str, write: &BatchWrite) -> Result<bool, StoreError>;
    async fn progress(&self, tenant: &str, job: &str) -> Result<Vec<KindProgress>, StoreError>;

    /// Source id → canonical id for those of `source_ids` loaded in `kind`.
    async fn lookup(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        source_ids: &[String],
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// One record by its key, if loaded.
    async fn record(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        source_id: &str,
    ) -> Result<Option<RecordRow>, StoreError>;
    /// Up to `limit` records of a kind whose source id sorts after `after`, in source id
    /// order: the way to walk a kind of any size in bounded memory.
    async fn records_page(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<RecordRow>, StoreError>;
    /// Every reject of the job, ordered by (kind, file, row).
    async fn rejects(&self, tenant: &str, job: &str) -> Result<Vec<RejectRow>, StoreError>;

    /// Replaces the job's contact links with `links` (the detection is recomputed whole).
    async fn set_contact_links(
        &self,
        tenant: &str,
        job: &str,
        links: &[ContactLink],
    ) -> Result<(), StoreError>;
    async fn contact_links(&self, tenant: &str, job: &str) -> Result<Vec<ContactLink>, StoreError>;

    /// Keeps the latest failure of a message, for listing a DLQ with its last error.
    async fn record_failure(&self, failure: &MessageFailure) -> Result<(), StoreError>;
    async fn failures(&self, queue: &str) -> Result<Vec<MessageFailure>, StoreError>;
    /// The latest failures of the given messages (a message keeps its id in the DLQ).
    async fn failures_for(&self, ids: &[String]) -> Result<Vec<MessageFailure>, StoreError>;

    /// Starts the job's push afresh: its row at phase -1 with `options`, its pages gone.
    async fn start_push(
        &self,
        tenant: &str,
        job: &str,
        options: &str,
    ) -> Result<PushRow, StoreError>;
    async fn push(&self, tenant: &str, job: &str) -> Result<Option<PushRow>, StoreError>;
    /// Compare-and-set of the push's phase; true for the one caller that moved it.
    async fn advance_push(
        &self,
        tenant: &str,
        job: &str,
        from: i64,
        to: i64,
    ) -> Result<bool, StoreError>;
    /// Claims the sending of `phase`'s page messages: moves the push's fan-out mark up to
    /// `phase`; true for the one caller that moved it (a concurrent or redelivered advance
    /// finds it claimed and sends nothing).
    async fn claim_push_fanout(
        &self,
        tenant: &str,
        job: &str,
        phase: i64,
    ) -> Result<bool, StoreError>;
    /// Moves the push to `status` unless it is already `status` or closed (done, failed);
    /// true when this call moved it.
    async fn set_push_status(
        &self,
        tenant: &str,
        job: &str,
        status: PushStatus,
        error: Option<&str>,
    ) -> Result<bool, StoreError>;
    /// Records the pages of a phase; existing ones are left as they are.
    async fn add_push_pages(
        &self,
        tenant: &str,
        job: &str,
        pages: &[PushPageRow],
    ) -> Result<(), StoreError>;
    /// The push's pages, by kind and page number.
    async fn push_pages(&self, tenant: &str, job: &str) -> Result<Vec<PushPageRow>, StoreError>;
    /// Marks a page done with what its push did; false (and nothing changed) when it was
    /// already done.
    async fn finish_push_page(
        &self,
        tenant: &str,
        job: &str,
        kind: Kind,
        page_no: i64,
        outcome: &PushOutcome,
    ) -> Result<bool, StoreError>;
}
