//! Embedded adapters: everything runs inside the process, durable state under
//! one data directory.

pub mod blob;
pub mod blob_db;
pub mod cache;
pub mod queue;

pub use blob::local_blob_store;
pub use blob_db::{db_blob_store, SqliteObjectStore};
pub use cache::MokaCache;
pub use queue::EmbeddedQueue;
