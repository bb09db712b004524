use std::path::PathBuf;

use migrationai_ports::blob::BlobError;
use migrationai_ports::queue::QueueError;
use migrationai_ports::store::StoreError;

/// Why a migration could not run or finish (as opposed to a row being rejected, which is
/// data in the ledger).
#[derive(Debug, thiserror::Error)]
pub enum ProcessingError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    /// The queues a process was given do not answer (a wrong endpoint, a missing queue).
    #[error("cannot open the queues of {place} ({queue})")]
    QueuesUnreachable {
        place: String,
        queue: String,
        #[source]
        source: QueueError,
    },
    #[error("export: {0}")]
    Export(String),
    #[error("mapping: {0}")]
    Mapping(String),
    #[error("job {0} not found")]
    JobNotFound(String),
    #[error("job {job} cannot finish: {count} message(s) in dead-letter queues ({detail}); fix the cause, then `dlq redrive` and run again")]
    Stalled {
        job: String,
        count: usize,
        detail: String,
    },
    #[error("job {0} was cancelled; choose another name with --job to migrate again")]
    Cancelled(String),
    #[error("a job named {job:?} exists for a different export or mapping (it migrated {export}); choose another name with --job NAME, or run that job's own export and mapping to resume it")]
    NameTaken { job: String, export: String },
    #[error("unknown queue {0}")]
    UnknownQueue(String),
    #[error("nothing to migrate: {0}")]
    NothingToMigrate(String),
    #[error("job {job} stopped: the disk holding {path} is full ({free_mib} MiB free; at least {needed_mib} MiB are needed to go on). Free space there, then run the same command again to resume")]
    DiskFull {
        job: String,
        path: String,
        free_mib: u64,
        needed_mib: u64,
    },
    /// Reading or writing a JSON document of the job (its settings, report, messages).
    #[error("{what}")]
    Json {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("storing batch blob {key}")]
    BatchBlob {
        key: String,
        #[source]
        source: BlobError,
    },
    /// A blocking or background task panicked or was cancelled.
    #[error("a background task failed")]
    Task(#[from] tokio::task::JoinError),
    #[error("send to {queue}: {reason}")]
    Send { queue: String, reason: String },
    #[error("the planner stopped before the export was read")]
    PlannerStopped,
    #[error("job {0} was interrupted")]
    Interrupted(String),
    #[error("job {job} has no report yet ({status})")]
    NoReport {
        job: String,
        status: migrationai_domain::JobStatus,
    },
    #[error("no free batch number for {file} after {tries} tries")]
    NoBatchNumber { file: String, tries: usize },
    /// The stored state of a job contradicts itself (a bug or a damaged store, not bad input).
    #[error("inconsistent job state: {0}")]
    Inconsistent(String),
    /// Delivering into a target failed in a way no record's refusal covers (unreachable,
    /// credentials refused, the id map unreachable, an answer off the contract).
    #[error("delivery: {0}")]
    Target(migrationai_ports::TargetError),
    /// A push page or read-back reached a process that has no Filevine credentials.
    #[error("this process has no Filevine credentials (set the MIGRATIONAI_FILEVINE_* variables, or MIGRATIONAI_FILEVINE_SECRET_ARN on aws)")]
    NoFilevine,
    #[error("the push of job {job} failed: {error}")]
    PushFailed { job: String, error: String },
    #[error("job {job} cannot be pushed: it is {status}, and only a finished migration is")]
    NotFinished {
        job: String,
        status: migrationai_domain::JobStatus,
    },
}

// Not `#[from]`: that would make the error its own source and `chain` say it twice.
impl From<migrationai_ports::TargetError> for ProcessingError {
    fn from(e: migrationai_ports::TargetError) -> Self {
        ProcessingError::Target(e)
    }
}

impl ProcessingError {
    /// The error and each of its sources, joined by ": " (for logs and dead letters, which
    /// keep a string).
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(e) = source {
            text.push_str(": ");
            text.push_str(&e.to_string());
            source = e.source();
        }
        text
    }
}

/// A JSON (de)serialisation error, naming what was being read or written.
pub(crate) fn json(what: impl Into<String>) -> impl FnOnce(serde_json::Error) -> ProcessingError {
    let what = what.into();
    move |source| ProcessingError::Json { what, source }
}
