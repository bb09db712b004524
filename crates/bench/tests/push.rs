//! The `bench push` engine on the small sample: counts only, never timings. The faulty run
//! starts from the same migrated store as the baseline, so the two must agree on everything
//! but the calls the faults cost.

use migrationai_bench::push::{bench_push, prepare, Faults};
use migrationai_sample::{generate, SampleOptions, Size};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_push_with_faults_ends_where_the_baseline_ends_at_the_price_of_retries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = generate(&SampleOptions {
        size: Size::Small,
        seed: 7,
        out: dir.path().join("sample"),
        zip: false,
    })
    .expect("sample");
    let migrated = dir.path().join("migrated");
    let loaded = prepare(&summary.export, None, &migrated)
        .await
        .expect("migrate");
    assert!(loaded > 0);

    let base = bench_push(&migrated, &dir.path().join("run-0"), Faults::none(), 16)
        .await
        .expect("baseline push");
    let faulty = Faults {
        throttle_rate: 0.10,
        retry_after_secs: 0,
        error_rate: 0.02,
        ..Faults::none()
    };
    let faults = bench_push(&migrated, &dir.path().join("run-1"), faulty, 16)
        .await
        .expect("push with faults");

    for r in [&base, &faults] {
        // Every loaded record was handled once: delivered or refused.
        assert_eq!(r.records, loaded);
        assert!(r.refused < r.records);
        assert_eq!(r.calls, r.by_route.values().sum::<u64>());
        // A fresh org: each delivered record cost at least one write.
        assert!(r.writes >= r.records - r.refused, "{r:?}");
        assert!(r.writes < r.calls);
        assert!(r.peak_rss_kib.is_some_and(|k| k > 0));
    }
    assert_eq!(
        (base.retries, base.throttled, base.server_errors),
        (0, 0, 0)
    );
    assert!(faults.throttled > 0 && faults.server_errors > 0 && faults.retries > 0);
    assert!(faults.calls > base.calls);
    // Faults lose nothing and double nothing: the same records are refused, for the same
    // reason, and the org holds the same.
    assert_eq!(faults.refused, base.refused);
    assert_eq!(faults.refused_records, base.refused_records);
    assert_eq!(faults.held, base.held);
    assert_eq!(faults.delivered, base.delivered);
}
