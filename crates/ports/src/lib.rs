//! Ports: the traits and shared types behind which MigrationAI's
//! infrastructure is swapped between its AWS form and its embedded form.

pub mod blob;
pub mod cache;
pub mod queue;
pub mod store;
pub mod target;

pub use blob::{BlobError, BlobMeta, BlobStore, StoredBlob};
pub use cache::{Cache, CacheError};
pub use queue::{
    BatchError, BatchOutcome, BatchSuccess, DeleteEntry, MessageId, PeekedMessage, Queue,
    QueueConfig, QueueError, QueueErrorCode, QueueNames, QueueStats, ReceiptHandle, ReceiveOptions,
    ReceivedMessage, SendEntry, VisibilityEntry,
};
pub use target::{Target, TargetError, TargetKind};
