//! Embedded adapters: everything runs inside the process, durable state under
//! one data directory.

pub mod blob;
pub mod cache;
pub mod queue;

pub use blob::local_blob_store;
pub use cache::MokaCache;
pub use queue::EmbeddedQueue;
