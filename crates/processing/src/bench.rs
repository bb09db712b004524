//! End-to-end figures for the CLI's `bench`: rows per second, wall time and peak memory.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::app::migrate;
use crate::config::Config;
use crate::error::ProcessingError;

#[derive(Debug, Clone, PartialEq)]
pub struct BenchResult {
    pub source_rows: u64,
    pub wall: Duration,
    pub rows_per_sec: f64,
    /// Peak resident set size of this process (VmHWM), in KiB; None off Linux.
    pub peak_rss_kib: Option<u64>,
}

/// Peak resident memory of this process so far, from /proc/self/status.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

/// Migrates `export` end to end into `config.data_dir` (which should be empty) and times it.
pub async fn bench_migrate(export: &Path, config: &Config) -> Result<BenchResult, ProcessingError> {
    let started = Instant::now();
    let report = migrate(export, None, Some("bench".into()), config, &|_| {}).await?;
    let wall = started.elapsed();
    let source_rows: u64 = report.kinds.values().map(|k| k.source_rows).sum();
    Ok(BenchResult {
        source_rows,
        wall,
        rows_per_sec: source_rows as f64 / wall.as_secs_f64().max(1e-9),
        peak_rss_kib: peak_rss_kib(),
    })
}

/// The reconcile's reads of stored files: the same files hashed one at a time and
/// [`crate::report::stored::AT_ONCE`] at a time, through the function the reconcile uses.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentReads {
    pub files: usize,
    pub bytes_each: usize,
    pub one_at_a_time: Duration,
    pub at_once: Duration,
}

/// Stores `files` blobs of `bytes_each` bytes under `prefix`, then hashes them all one at a
/// time and [`crate::report::stored::AT_ONCE`] at a time. Fails when the two passes do not
/// give the same hashes in the same order.
pub async fn bench_document_reads(
    blobs: &migrationai_ports::blob::BlobStore,
    prefix: &str,
    files: usize,
    bytes_each: usize,
) -> Result<DocumentReads, ProcessingError> {
    use crate::report::stored::{sha256_in_order, AT_ONCE};
    use futures::{StreamExt, TryStreamExt};

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
            Ok::<_, ProcessingError>((started.elapsed(), hashes))
        }
    };
    let (one_at_a_time, sequential) = pass(1).await?;
    let (at_once, parallel) = pass(AT_ONCE).await?;
    if sequential != parallel {
        return Err(ProcessingError::Other(
            "the parallel reads gave other hashes, or another order, than one at a time".into(),
        ));
    }
    Ok(DocumentReads {
        files,
        bytes_each,
        one_at_a_time,
        at_once,
    })
}
