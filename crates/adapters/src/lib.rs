//! Adapters behind the ports: the embedded ones (SQLite queue, local blob
//! directory, in-process cache) used when MigrationAI runs on one machine.

#[cfg(feature = "aws")]
pub mod aws;
pub mod claim;
pub mod embedded;
pub mod sql;
