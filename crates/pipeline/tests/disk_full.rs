//! A full disk stops `migrate` with a message naming the disk and the space it needs, and
//! the same command resumes once space is freed, with nothing left in a dead-letter queue.
//! Runs on a small tmpfs (root); without one it is skipped, except under CI where it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::migrate;
use migrationai_domain::QueueKind;
use migrationai_pipeline::ProcessingError;

struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(Tmpfs(dir.to_path_buf()));
        }
        if std::env::var_os("CI").is_some() {
            panic!(
                "cannot mount a tmpfs at {} (the test needs root)",
                dir.display()
            );
        }
        eprintln!("SKIPPED: cannot mount a tmpfs (run as root to test a full disk)");
        None
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_stops_migrate_clearly_and_it_resumes_once_space_is_freed() {
    let sample = common::small_sample();
    let mount = tempfile::tempdir().expect("tempdir");
    let Some(_tmpfs) = Tmpfs::mount(mount.path(), "48m") else {
        return;
    };
    let data = mount.path().join("data");
    let mut config = common::config(&data);
    config.min_free_bytes = 16 << 20;
    std::fs::create_dir_all(&data).expect("data dir");
    // Fill the disk to a few MiB under the floor.
    let free = migrationai_pipeline::disk::free_bytes(&data).expect("statvfs");
    let filler = mount.path().join("filler");
    std::fs::write(&filler, vec![0u8; (free - (12 << 20)) as usize]).expect("filler");

    let err = migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("full".into()),
        &config,
        &|_| {},
    )
    .await
    .expect_err("stops on a full disk");
    assert!(matches!(err, ProcessingError::DiskFull { .. }), "{err}");
    let shown = err.to_string();
    assert!(
        shown.contains(&mount.path().display().to_string()),
        "{shown}"
    );
    assert!(shown.contains("at least 16 MiB"), "{shown}");
    assert!(shown.contains("run the same command again"), "{shown}");

    std::fs::remove_file(&filler).expect("free space");
    let report = migrate(
        &sample.export,
        Some(&sample.mapping),
        Some("full".into()),
        &config,
        &|_| {},
    )
    .await
    .expect("resumes");
    for (kind, counts) in &sample.truth.kinds {
        let got = report.kinds.get(kind.as_str()).cloned().unwrap_or_default();
        assert_eq!(
            (got.source_rows, got.loaded, got.rejected),
            (
                counts.source_rows as u64,
                counts.loaded as u64,
                counts.rejected as u64
            ),
            "{kind}"
        );
    }
    for kind in QueueKind::ALL {
        let dead = common::open(&config)
            .await
            .expect("open")
            .dlq_list(kind.as_str())
            .await
            .expect("dlq");
        assert!(dead.is_empty(), "{kind}: {dead:?}");
    }
}
