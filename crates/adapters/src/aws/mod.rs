//! The AWS adapters: SQS queues, S3 blobs, Redis (MemoryDB) cache. The PostgreSQL store is
//! the same [`crate::sql::SqlStore`] with a `postgres://` URL.

pub mod redis;
pub mod s3;
pub mod sqs;

pub use self::redis::{RedisCache, RedisSettings};

/// A fixed access key id and secret key (moto, tests); `None` where one is taken uses the
/// credential chain. The secret key is redacted in `Debug`.
pub type StaticKeys = (String, secrecy::SecretString);
pub use s3::{s3_blob_store, S3Settings, Sse};
pub use sqs::{sdk_config, SqsQueue, SqsSettings};
