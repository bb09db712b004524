//! Processing: the batch processor, the 13 queue handlers, job orchestration and the
//! reconciliation report. The same handler code runs embedded, in pollers and in Lambda.

pub mod app;
pub mod batch;
pub mod batch_blob;
pub mod config;
pub mod consumer;
pub mod delivery;
pub mod disk;
pub mod duplicates;
pub mod error;
pub mod fingerprint;
pub mod handlers;
pub mod ids;
pub mod jobs;
pub mod memory;
pub mod message;
pub mod orphan;
pub mod poller;
pub mod record_pages;
pub mod report;
pub mod services;
pub mod staged;

pub use app::{App, DeadLetter, End, Progress, QueueRow, RunOutcome};
pub use batch::{BatchProcessor, BatchResult, Handler, HandlerError, Outcome};
pub use config::{Config, DEFAULT_BATCH_SIZE};
pub use error::ProcessingError;
pub use jobs::{Start, Submitted};
pub use report::Report;
pub use services::{Adapters, Services};
