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

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

/// How an embedded SQLite file (the queue's, the batches') is opened: created with its
/// folder if missing, WAL with synchronous NORMAL (durable at each checkpoint, fast per
/// commit), and a wait rather than an error while another connection writes.
pub(crate) fn sqlite_file(path: &Path) -> std::io::Result<SqliteConnectOptions> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5)))
}
