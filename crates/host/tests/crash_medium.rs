//! Crash safety at scale: `migrationai migrate` (the release binary) on the medium sample is
//! killed with SIGKILL at ten points spread over the whole run — while planning, at random
//! fractions of the batches done, and while reconciling — and run again after each kill.
//! The store and the report must end identical to those of an uninterrupted run.
//!
//! It needs the release binary: scripts/test.sh builds it and runs this test with
//! `MIGRATIONAI_BIN=target/release/migrationai ... --run-ignored only`.

#[path = "../../pipeline/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use migrationai_adapters::sql::SqlStore;
use migrationai_domain::JobStatus;
use migrationai_pipeline::fingerprint::fingerprint;
use migrationai_pipeline::ids::job_id;
use migrationai_ports::store::Store;
use migrationai_sample::GroundTruth;

const JOB: &str = "crash";
const TENANT: &str = "default";
const KILLS: usize = 10;

fn bin() -> PathBuf {
    match std::env::var_os("MIGRATIONAI_BIN") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/release/migrationai"),
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    export: PathBuf,
    mapping: PathBuf,
    root: PathBuf,
}

fn setup() -> Setup {
    let bin = bin();
    assert!(
        bin.exists(),
        "{} is missing: build it with cargo build --release -p migrationai",
        bin.display()
    );
    let size = std::env::var("MIGRATIONAI_CRASH_SIZE").unwrap_or_else(|_| "medium".into());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("sample");
    let status = Command::new(&bin)
        .args(["sample", "--size", &size, "--seed", "7", "--out"])
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .expect("sample");
    assert!(status.success(), "sample --size {size} failed");
    let truth: GroundTruth =
        serde_json::from_slice(&std::fs::read(out.join("ground_truth.json")).expect("truth"))
            .expect("truth json");
    let mapping = dir.path().join("mapping.toml");
    common::write_true_mapping(&out.join("export"), &truth, &mapping);
    Setup {
        export: out.join("export"),
        mapping,
        root: dir.path().to_path_buf(),
        _dir: dir,
    }
}

fn spawn(s: &Setup, data: &Path) -> Child {
    Command::new(bin())
        .arg("migrate")
        .arg(&s.export)
        .arg("--mapping")
        .arg(&s.mapping)
        .args(["--job", JOB, "--data-dir"])
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn migrate")
}

/// Runs to the end; exit 2 means "does not reconcile", which the sample does on purpose.
fn finish(s: &Setup, data: &Path) {
    let out = spawn(s, data).wait_with_output().expect("migrate");
    assert!(
        matches!(out.status.code(), Some(0) | Some(2)),
        "migrate failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// (batches done, batches planned) of the job, read while the migration writes.
async fn batches(store: &SqlStore) -> (i64, i64) {
    match store.progress(TENANT, &job_id(TENANT, JOB)).await {
        Ok(p) => (
            p.iter().map(|k| k.batches_done).sum(),
            p.iter().map(|k| k.batches).sum(),
        ),
        Err(_) => (0, 0),
    }
}

async fn open(data: &Path) -> Option<SqlStore> {
    let db = data.join("store.db");
    if !db.exists() {
        return None;
    }
    SqlStore::connect(
        &format!("sqlite://{}?mode=rw", db.display()),
        migrationai_adapters::sql::PoolSize::LOCAL,
        migrationai_adapters::sql::Schema::Migrate,
    )
    .await
    .ok()
}

/// The store's digest and the stored report of the finished job.
async fn outcome(data: &Path) -> (String, String) {
    let store = SqlStore::open_sqlite(&data.join("store.db"))
        .await
        .expect("store");
    let id = job_id(TENANT, JOB);
    let job = store.job(TENANT, &id).await.expect("job").expect("job row");
    assert_eq!(job.status, JobStatus::Done);
    let print = fingerprint(&store, TENANT, &id).await.expect("fingerprint");
    (print, job.report.unwrap_or_default())
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fraction(&mut self) -> f64 {
        (self.next() % 10_000) as f64 / 10_000.0
    }
}

/// When to kill one run: after a time (while planning), when a share of the batches is
/// done, or once every batch is done (while reconciling).
#[derive(Debug, Clone, Copy)]
enum Point {
    After(Duration),
    Share(f64),
    Reconciling,
}

/// Starts a run and kills it at `point`; true when the process was still running then.
async fn kill_at(s: &Setup, data: &Path, point: Point) -> bool {
    let mut child = spawn(s, data);
    let started = Instant::now();
    let mut store = None;
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        let due = match point {
            Point::After(t) => started.elapsed() >= t,
            Point::Share(_) | Point::Reconciling => {
                if store.is_none() {
                    store = open(data).await;
                }
                match &store {
                    Some(st) => {
                        let (done, total) = batches(st).await;
                        match point {
                            Point::Share(f) => total > 0 && done as f64 >= f * total as f64,
                            _ => total > 0 && done == total,
                        }
                    }
                    None => false,
                }
            }
        };
        if due {
            let hit = matches!(child.try_wait(), Ok(None));
            let _ = child.kill();
            let _ = child.wait();
            return hit;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "needs the release binary and the medium sample; scripts/test.sh runs it"]
async fn medium_run_killed_at_ten_points_ends_identical() {
    let s = setup();
    let clean = s.root.join("clean");
    let started = Instant::now();
    finish(&s, &clean);
    let full = started.elapsed();
    let expected = outcome(&clean).await;
    // Planning (reading and splitting every file) is about the first tenth of a run.
    let planning = full / 10;

    let crashed = s.root.join("crashed");
    let mut rng = Rng(SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7)
        | 1);
    let mut shares: Vec<f64> = (0..KILLS - 2)
        .map(|_| 0.02 + 0.96 * rng.fraction())
        .collect();
    shares.sort_by(f64::total_cmp);
    let mut plan = vec![Point::After(Duration::from_millis(
        50 + rng.next() % (planning.as_millis() as u64).max(1),
    ))];
    plan.extend(shares.into_iter().map(Point::Share));
    plan.push(Point::Reconciling);

    let mut hits = Vec::new();
    for point in plan {
        if kill_at(&s, &crashed, point).await {
            hits.push(point);
        }
    }
    assert!(
        hits.len() >= KILLS,
        "only {} kills landed: {hits:?}",
        hits.len()
    );
    finish(&s, &crashed);
    let got = outcome(&crashed).await;
    assert!(
        got.0 == expected.0,
        "the store differs from the uninterrupted run's after kills at {hits:?} (full run {full:?})"
    );
    assert!(
        got.1 == expected.1,
        "the report differs from the uninterrupted run's after kills at {hits:?}"
    );
    let report: serde_json::Value = serde_json::from_str(&got.1).expect("report json");
    let kinds = report["kinds"].as_object().expect("kinds");
    for (kind, k) in kinds {
        let (source, loaded, rejected) = (
            k["source_rows"].as_u64().unwrap_or(0),
            k["loaded"].as_u64().unwrap_or(0),
            k["rejected"].as_u64().unwrap_or(0),
        );
        assert_eq!(source, loaded + rejected, "{kind}: rows lost or duplicated");
    }
    println!("kills landed at {hits:?}; uninterrupted run {full:?}");
}
