use std::path::PathBuf;
use std::time::Duration;

/// Source rows per batch message: 500, as the product is specified. Every batch costs a
/// message, a blob file, a store commit and a progress check whatever its size, so
/// `--batch-size 1000` spends about 8% less CPU on the medium sample; larger batches save
/// little more and raise peak memory (several are in flight per queue).
pub const DEFAULT_BATCH_SIZE: usize = 500;

/// The settings of a migration run, whatever adapters it runs on (the host opens those).
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the embedded store, queue and blobs live, and zip exports are unpacked.
    pub data_dir: PathBuf,
    /// The environment prefix of queue names (`<env>-migrationai-<kind>`).
    pub env: String,
    pub tenant: String,
    /// Source rows per batch message.
    pub batch_size: usize,
    /// The share of each kind's rows that must load for a job to count as migrated.
    pub threshold: crate::report::Threshold,
    /// The currency amounts without one are in; `None` reads it from the export (see
    /// `migrationai_ingest::currency`).
    pub currency: Option<String>,
    /// The country of phone numbers written without a country code; `None` reads it from the
    /// export (see `migrationai_ingest::country`).
    pub country: Option<String>,
    pub time_zone: String,
    /// The visibility timeout of the queues this process creates. Workers keep to the one
    /// each queue has (read from the queue at start), whoever made it.
    pub visibility_timeout: Duration,
    /// Hidden time after a first failed attempt before the message is tried again; it
    /// triples with each receive (see `BatchProcessor::backoff`).
    pub retry_delay: Duration,
    /// Messages of one receive a worker handles at once.
    pub concurrency: usize,
    /// Free space the data directory's disk must keep; below it a run stops, to resume once
    /// space is freed, rather than fail message after message.
    pub min_free_bytes: u64,
    /// Encodings named on the command line (`--encoding FILE=LABEL`); they go into the job's
    /// mapping, so every read of the file in the job uses them.
    pub encodings: Vec<(String, migrationai_ingest::TextEncoding)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./.migrationai"),
            env: "prod".into(),
            tenant: "default".into(),
            batch_size: DEFAULT_BATCH_SIZE,
            threshold: crate::report::Threshold::default(),
            currency: None,
            country: None,
            time_zone: "America/New_York".into(),
            visibility_timeout: Duration::from_secs(30),
            retry_delay: Duration::from_millis(200),
            concurrency: 4,
            encodings: Vec::new(),
            min_free_bytes: 64 << 20,
        }
    }
}
