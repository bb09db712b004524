//! `bench migrate --sizes` and `bench ingest --sizes` on the small sample only (a test never
//! runs medium or large): the export is written once and reused, each size is measured in
//! its own child process, and one table shows every figure. No timing is asserted.

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_migrationai");

fn bench(dir: &Path, args: &[&str]) -> (Output, String) {
    let out = Command::new(BIN)
        .arg("bench")
        .args(args)
        .arg("--exports")
        .arg(dir.join("exports"))
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .output()
        .expect("run the bench");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "bench failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out, stdout)
}

/// The table's row for `size`, split into its cells (the row after the header).
fn row<'a>(stdout: &'a str, header: &str, size: &str) -> Vec<&'a str> {
    let table = stdout
        .split_once(header)
        .unwrap_or_else(|| panic!("no table headed {header:?}:\n{stdout}"))
        .1;
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(size))
        .unwrap_or_else(|| panic!("no row for {size}:\n{stdout}"))
        .split_whitespace()
        .collect()
}

fn source_rows(truth: &Path) -> u64 {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(truth).expect("truth written")).expect("json");
    json["kinds"]
        .as_object()
        .expect("kinds")
        .values()
        .map(|k| k["source_rows"].as_u64().expect("source_rows"))
        .sum()
}

#[test]
fn migrate_sizes_prints_one_table_and_reuses_the_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data_arg = data.to_str().expect("utf-8 path");
    let args = ["migrate", "--sizes", "small", "--data-dir", data_arg];
    let (_, first) = bench(dir.path(), &args);
    let truth = dir.path().join("exports/sample-small-42/ground_truth.json");
    let rows = source_rows(&truth);
    let cells = row(&first, "peak RSS MiB", "small");
    // size, rows, wall, rows/s, .import, ratio, peak RSS, bytes/row, migrated
    assert_eq!(cells.len(), 9, "{first}");
    assert_eq!(cells[1], rows.to_string(), "{first}");
    let rss: f64 = cells[6].parse().expect("peak RSS measured");
    assert!(rss > 0.0, "{first}");
    let per_row: f64 = cells[7].parse().expect("bytes per loaded row measured");
    assert!(per_row > 0.0, "{first}");
    // The sample is dirty on purpose; whichever way, the verdict is shown.
    assert!(["yes", "NO"].contains(&cells[8]), "{first}");
    assert!(first.contains("wrote "), "the export is written:\n{first}");
    // The store was measured by the child and is gone; the export stays for the next run.
    assert!(!data.join("small").exists());

    let written = std::fs::metadata(&truth).and_then(|m| m.modified()).ok();
    let (_, second) = bench(dir.path(), &args);
    assert!(!second.contains("wrote "), "reused:\n{second}");
    assert_eq!(
        std::fs::metadata(&truth).and_then(|m| m.modified()).ok(),
        written
    );
    assert_eq!(row(&second, "peak RSS MiB", "small")[1], rows.to_string());
}

#[test]
fn a_style_at_a_size_is_one_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let style = migrationai_sample::styles::all()
        .into_iter()
        .next()
        .expect("a style");
    let data = dir.path().join("data");
    let (_, out) = bench(
        dir.path(),
        &[
            "migrate",
            "--sizes",
            "small",
            "--style",
            style.name,
            "--data-dir",
            data.to_str().expect("utf-8 path"),
        ],
    );
    let truth = dir
        .path()
        .join(format!("exports/{}-small/ground_truth.json", style.name));
    let cells = row(&out, "peak RSS MiB", "small");
    assert_eq!(cells[1], source_rows(&truth).to_string(), "{out}");
    // At small, the style's few dirty rows put some kinds below the verdict's threshold;
    // the column says so rather than hiding it.
    assert!(["yes", "NO"].contains(&cells[8]), "{out}");
}

#[test]
fn ingest_sizes_prints_peak_memory_per_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, out) = bench(dir.path(), &["ingest", "--sizes", "small", "--no-baseline"]);
    let truth = dir.path().join("exports/sample-small-42/ground_truth.json");
    let cells = row(&out, "peak RSS MiB", "small");
    // size, rows, wall, rows/s, Python rows/s, ratio, peak RSS
    assert_eq!(cells.len(), 7, "{out}");
    let rows: u64 = cells[1].parse().expect("rows");
    assert!(rows > 0 && rows <= source_rows(&truth), "{out}");
    assert_eq!(cells[4], "-", "no baseline was asked for:\n{out}");
    let rss: f64 = cells[6].parse().expect("peak RSS measured");
    assert!(rss > 0.0, "{out}");
}

#[test]
fn an_export_and_sizes_together_are_refused() {
    let out = Command::new(BIN)
        .args(["bench", "migrate", "some/export", "--sizes", "small"])
        .output()
        .expect("run");
    assert!(!out.status.success());
}
