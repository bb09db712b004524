//! `bench tfp` on a ~300 MB synthetic export, run as a child process: tfp's peak memory
//! stays bounded whatever the export's size, and nothing it unpacked or fetched is left on
//! its disk. No timing is asserted.

use std::path::Path;
use std::process::Command;

/// Peak RSS allowed for the whole bench process (making the export, uploading it, analysing
/// and splitting it). The export is 300 MB; holding any of it whole would exceed this.
const PEAK_RSS_MIB: f64 = 250.0;

fn figure(out: &str, prefix: &str) -> Option<String> {
    out.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .map(|rest| rest.trim().to_string())
}

fn files_below(dir: &Path) -> Vec<String> {
    let Ok(items) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for item in items.flatten() {
        let path = item.path();
        if path.is_dir() {
            found.extend(files_below(&path));
        } else {
            found.push(path.display().to_string());
        }
    }
    found
}

#[test]
fn tfp_splits_a_300_mb_export_in_bounded_memory_and_leaves_no_copy_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bench = dir.path().join("bench");
    let out = Command::new(env!("CARGO_BIN_EXE_migrationai"))
        .args(["bench", "tfp", "--gb", "0.3", "--dir"])
        .arg(&bench)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "bench failed:\n{stdout}\n{stderr}");

    // The export really went through: batches were cut and documents copied.
    let split = figure(&stdout, "tfp: split (fetch, unpack, ").expect("split line");
    let batches: u64 = split
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("batches");
    assert!(batches > 10, "{stdout}");
    assert!(split.contains(" files copied"), "{stdout}");
    let unpacked = figure(&stdout, "tfp: synthetic export ").expect("export line");
    let mb: f64 = unpacked
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("size");
    assert!(mb >= 290.0, "{stdout}");

    let rss = figure(&stdout, "tfp: peak RSS ").expect("peak RSS line");
    let mib: f64 = rss
        .trim_end_matches("MiB")
        .trim()
        .parse()
        .expect("peak RSS figure");
    assert!(
        mib < PEAK_RSS_MIB,
        "peak RSS {mib} MiB is above {PEAK_RSS_MIB} MiB:\n{stdout}"
    );

    assert_eq!(
        figure(&stdout, "tfp: disk left: ").as_deref(),
        Some("0 files in work and exports"),
        "{stdout}"
    );
    let data = bench.join("data");
    let left: Vec<String> = ["work", "exports"]
        .iter()
        .flat_map(|d| files_below(&data.join(d)))
        .collect();
    assert!(left.is_empty(), "left on tfp's disk: {left:?}");
    // The documents went to the blob store instead, and the batches to the batch store.
    let job = data.join("blobs/tenants/bench/jobs/bench-tfp");
    assert!(job.join("staged/manifest.jsonl").is_file(), "no manifest");
    let stored = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            let store = migrationai_adapters::embedded::db_blob_store(&data)
                .await
                .expect("batch store");
            store
                .list("tenants/bench/jobs/bench-tfp/batches")
                .await
                .expect("list batches")
        });
    assert_eq!(stored.len() as u64, batches);
}
