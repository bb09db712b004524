//! Printed figures, not a timed test: `cargo nextest run --workspace -E
//! 'package(migrationai-bench)' --run-ignored only --no-capture` (set
//! MIGRATIONAI_BENCH_SIZE=medium for the medium sample).

use migrationai_bench::bench_migrate;
use migrationai_sample::{generate, SampleOptions, Size};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_end_to_end() {
    let size: Size = std::env::var("MIGRATIONAI_BENCH_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(Size::Small);
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(&SampleOptions {
        size,
        seed: 7,
        out: dir.path().join("sample"),
        zip: false,
    })
    .expect("sample");
    let data = dir.path().join("data");
    let app = migrationai_host::open::app(&migrationai_host::Config::embedded(data))
        .await
        .expect("open");
    let r = bench_migrate(&summary.export, &app).await.expect("bench");
    println!(
        "{size}: {} rows in {:.2} s = {:.0} rows/s, peak RSS {} KiB",
        r.source_rows,
        r.wall.as_secs_f64(),
        r.rows_per_sec,
        r.peak_rss_kib.unwrap_or(0)
    );
}
