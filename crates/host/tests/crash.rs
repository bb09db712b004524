//! Crash safety: the migrate driver is killed with SIGKILL at ten random points and rerun;
//! the store and the report end identical to an uninterrupted run.

#[path = "../../pipeline/tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn run_to_end(sample: &common::Sample, data: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_migrate_child"))
        .args([
            sample.export.as_os_str(),
            sample.mapping.as_os_str(),
            data.as_os_str(),
            "sample".as_ref(),
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn killed_at_random_points_ends_identical() {
    let sample = common::small_sample();
    let clean = tempfile::tempdir().expect("tempdir");
    let started = Instant::now();
    let expected = run_to_end(&sample, clean.path());
    let full = started.elapsed().as_millis() as u64;

    let crashed = tempfile::tempdir().expect("tempdir");
    let mut state = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7)
        | 1;
    let mut kills = Vec::new();
    for _ in 0..10 {
        // xorshift: a random point within (and a little past) an uninterrupted run.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let at = 5 + state % (full + full / 4 + 1);
        let mut child = Command::new(env!("CARGO_BIN_EXE_migrate_child"))
            .args([
                sample.export.as_os_str(),
                sample.mapping.as_os_str(),
                crashed.path().as_os_str(),
                "sample".as_ref(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(at));
        let _ = child.kill();
        let _ = child.wait();
        kills.push(at);
    }
    let got = run_to_end(&sample, crashed.path());
    assert_eq!(got, expected, "killed at {kills:?} ms (full run {full} ms)");
}
