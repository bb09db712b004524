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
    #[error("cannot install the shutdown signal handlers")]
    Signals(#[source] std::io::Error),
    #[error("{0}")]
    Other(String),
}
