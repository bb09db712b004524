//! End-to-end figures for the CLI's `bench`: rows per second, wall time and peak memory.

use std::path::Path;
use std::time::{Duration, Instant};

use migrationai_pipeline::memory::peak_rss_kib;
use migrationai_pipeline::{App, ProcessingError};

#[derive(Debug, Clone, PartialEq)]
pub struct BenchResult {
    pub source_rows: u64,
    pub wall: Duration,
    pub rows_per_sec: f64,
    /// Peak resident set size of this process (VmHWM), in KiB; None off Linux.
    pub peak_rss_kib: Option<u64>,
}

/// Migrates `export` end to end with `app` (whose store should be empty) and times it.
pub async fn bench_migrate(export: &Path, app: &App) -> Result<BenchResult, ProcessingError> {
    let started = Instant::now();
    let report = app
        .migrate(export, None, Some("bench".into()), &|_| {})
        .await?;
    let wall = started.elapsed();
    let source_rows: u64 = report.kinds.values().map(|k| k.source_rows).sum();
    Ok(BenchResult {
        source_rows,
        wall,
        rows_per_sec: source_rows as f64 / wall.as_secs_f64().max(1e-9),
        peak_rss_kib: peak_rss_kib(),
    })
}
