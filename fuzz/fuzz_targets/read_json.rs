//! Arbitrary bytes as a JSON array and as JSON lines, and the same bytes nested inside many
//! levels of objects and arrays: values or row errors, never a panic, never a stack
//! overflow, never more items than input.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use migrationai_ingest::read::{open_table_with, Export, Limits, ReadOptions, SourceRow};

fn scratch() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("scratch dir"))
}

fn read_all(name: &str, data: &[u8]) {
    let dir = scratch();
    if std::fs::write(dir.path().join(name), data).is_err() {
        return;
    }
    let Ok(export) = Export::open(dir.path(), &Limits::default()) else {
        return;
    };
    let Some(entry) = export.entry(name).cloned() else {
        return;
    };
    let opts = ReadOptions {
        max_object_bytes: 1 << 16,
        max_json_columns: 64,
        ..ReadOptions::default()
    };
    let Ok(mut reader) = open_table_with(&export, &entry, &opts) else {
        return;
    };
    let width = reader.headers().len();
    let mut row = SourceRow::default();
    for _ in 0..=data.len() + 1 {
        match reader.read_into(&mut row) {
            None => return,
            Some(Ok(())) => assert_eq!(row.values.len(), width),
            Some(Err(e)) => assert_eq!(e.file, name),
        }
    }
    panic!("more items than input bytes");
}

fuzz_target!(|data: &[u8]| {
    read_all("input.json", data);
    read_all("input.jsonl", data);
    // Depth: the input's first byte picks how deep the rest is buried.
    if let Some((&depth, rest)) = data.split_first() {
        let depth = usize::from(depth) * 64;
        let mut deep = b"[".to_vec();
        for i in 0..depth {
            deep.extend_from_slice(if i % 2 == 0 { b"{\"k\":" } else { b"[" });
        }
        deep.extend_from_slice(rest);
        for i in (0..depth).rev() {
            deep.push(if i % 2 == 0 { b'}' } else { b']' });
        }
        deep.push(b']');
        read_all("deep.json", &deep);
    }
});
