//! Arbitrary bytes as a CSV file: encoding detection, dialect sniffing and row reading must
//! return values or errors, never panic, and never loop forever.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use migrationai_ingest::read::{open_table_with, Export, Limits, ReadOptions, SourceRow};

fn scratch() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("scratch dir"))
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    if std::fs::write(dir.path().join("input.csv"), data).is_err() {
        return;
    }
    let Ok(export) = Export::open(dir.path(), &Limits::default()) else {
        return;
    };
    let Some(entry) = export.entry("input.csv").cloned() else {
        return;
    };
    // Small limits so the oversize paths are reached with small inputs.
    let opts = ReadOptions {
        max_field_bytes: 64,
        max_fields: 32,
        ..ReadOptions::default()
    };
    let Ok(mut reader) = open_table_with(&export, &entry, &opts) else {
        return;
    };
    let width = reader.headers().len();
    let mut row = SourceRow::default();
    let mut last = 1;
    // Every item must make progress: at most one per input byte, plus the end.
    for _ in 0..=data.len() + 1 {
        match reader.read_into(&mut row) {
            None => return,
            Some(Ok(())) => {
                assert!(row.row > last, "row numbers increase");
                assert_eq!(row.values.len(), width, "a good row matches the header");
                last = row.row;
            }
            Some(Err(e)) => {
                assert_eq!(e.file, "input.csv");
                assert!(e.row.is_some(), "a row error names its row: {e}");
            }
        }
    }
    panic!("more items than input bytes");
});
