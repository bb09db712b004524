//! The engines behind `migrationai bench`: each runs one workload and returns its figures;
//! the CLI prints them beside a baseline from the same run.

pub mod cpu;
pub mod documents;
pub mod error;
pub mod fidelity;
pub mod migrate;
pub mod push;
pub mod queue;
pub mod sqs;

pub use documents::{bench_document_reads, DocumentReads};
pub use error::BenchError;
pub use migrate::{bench_migrate, BenchResult, Stage};
pub use push::{bench_push, PushBench};
pub use queue::{bench_queue, BenchFigures};
pub use sqs::{bench_sqs, SqsBench};
