//! Arbitrary bytes as a zip export: unpacking must refuse or succeed without panicking,
//! never write outside its working folder, and leave nothing behind when refused.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use migrationai_ingest::read::{open_table, Export, Limits};

struct Scratch {
    input: tempfile::TempDir,
    work: tempfile::TempDir,
}

fn scratch() -> &'static Scratch {
    static DIRS: OnceLock<Scratch> = OnceLock::new();
    DIRS.get_or_init(|| Scratch {
        input: tempfile::tempdir().expect("input dir"),
        work: tempfile::tempdir().expect("work dir"),
    })
}

fuzz_target!(|data: &[u8]| {
    let dirs = scratch();
    let path = dirs.input.path().join("export.zip");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let limits = Limits {
        max_total_bytes: 4 << 20,
        max_entry_bytes: 2 << 20,
        max_entries: 256,
        ..Limits::default()
    };
    match Export::open_in(&path, &limits, dirs.work.path()) {
        Ok(export) => {
            assert!(export.root().starts_with(dirs.work.path()));
            for entry in export.tables() {
                if let Ok(reader) = open_table(&export, entry) {
                    for item in reader.take(1000) {
                        let _ = item;
                    }
                }
            }
        }
        Err(_) => {
            let left = std::fs::read_dir(dirs.work.path()).map(|d| d.count()).unwrap_or(0);
            assert_eq!(left, 0, "a refused archive leaves nothing behind");
        }
    }
    // Nothing may ever appear next to the input.
    let beside = std::fs::read_dir(dirs.input.path()).map(|d| d.count()).unwrap_or(0);
    assert_eq!(beside, 1);
});
