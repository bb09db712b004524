//! The reconcile's reads of stored documents: one at a time against the bounded parallel
//! reads the reconcile uses.

use std::time::{Duration, Instant};

use crate::error::BenchError;

/// The reconcile's reads of stored files: the same files hashed one at a time and
/// [`migrationai_pipeline::report::stored::AT_ONCE`] at a time, through the function the reconcile uses.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentReads {
    pub files: usize,
    pub bytes_each: usize,
    pub one_at_a_time: Duration,
    pub at_once: Duration,
}

/// Stores `files` blobs of `bytes_each` bytes under `prefix`, then hashes them all one at a
/// time and [`migrationai_pipeline::report::stored::AT_ONCE`] at a time. Fails when the two passes do not
/// give the same hashes in the same order.
pub async fn bench_document_reads(
    blobs: &migrationai_ports::blob::BlobStore,
    prefix: &str,
    files: usize,
    bytes_each: usize,
) -> Result<DocumentReads, BenchError> {
    use futures::{StreamExt, TryStreamExt};
    use migrationai_pipeline::report::stored::{sha256_in_order, AT_ONCE};

    let keys: Vec<String> = (0..files).map(|i| format!("{prefix}/{i:06}.bin")).collect();
    futures::stream::iter(keys.iter().enumerate())
        .map(|(i, key)| {
            // Distinct contents, so a hash in the wrong place would show.
            let body: Vec<u8> = (0..bytes_each)
                .map(|b| ((b * 31 + i) % 251) as u8)
                .collect();
            async move { blobs.put(key, body.into()).await }
        })
        .buffer_unordered(AT_ONCE)
        .try_collect::<Vec<_>>()
        .await?;
    let pass = |at_once: usize| {
        let keys = &keys;
        async move {
            let started = Instant::now();
            let hashes: Vec<String> =
                sha256_in_order(blobs, keys.iter().map(|k| ((), k.as_str())), at_once)
                    .map(|((), _, hash)| hash)
                    .try_collect()
                    .await?;
            Ok::<_, BenchError>((started.elapsed(), hashes))
        }
    };
    let (one_at_a_time, sequential) = pass(1).await?;
    let (at_once, parallel) = pass(AT_ONCE).await?;
    if sequential != parallel {
        return Err(BenchError::HashesDiffer);
    }
    Ok(DocumentReads {
        files,
        bytes_each,
        one_at_a_time,
        at_once,
    })
}
