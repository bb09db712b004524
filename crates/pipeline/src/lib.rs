//! Processing: the batch processor, the 13 queue handlers, job orchestration and the
//! reconciliation report. The same handler code runs embedded, in pollers and in Lambda.

pub mod app;
pub mod batch;
pub mod config;
#[cfg(feature = "aws")]
pub mod dbsetup;
pub mod delivery;
pub mod disk;
pub mod duplicates;
pub mod error;
pub mod fingerprint;
pub mod handlers;
pub mod ids;
pub mod jobs;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod memory;
pub mod message;
pub mod orphan;
pub mod poller;
pub mod profile;
pub mod record_pages;
pub mod report;
pub mod roles;
pub mod services;
pub mod settings;
pub mod shutdown;
pub mod staged;
pub mod worker;

pub use app::{
    dlq_list, dlq_redrive, list_jobs, migrate, queue_stats, report, App, DeadLetter, End, Progress,
    QueueRow, RunOutcome,
};
pub use batch::{BatchProcessor, BatchResult, Handler, HandlerError, Outcome};
pub use config::Config;
pub use error::ProcessingError;
pub use jobs::{Start, Submitted};
pub use report::Report;
