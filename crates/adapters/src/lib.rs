//! Adapters behind the ports: the embedded ones (SQLite queue, local blob
//! directory, in-process cache) used when MigrationAI runs on one machine.

pub mod bench;
pub mod embedded;

pub use bench::{bench_queue, BenchFigures};
