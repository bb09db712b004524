//! Helpers shared by the reader tests: real files in temporary folders.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

use migrationai_ingest::read::{open_table, Export, Limits, ReadError, SourceRow, TableReader};

/// A temporary export folder holding the given files.
pub fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, bytes).expect("write");
    }
    dir
}

pub fn open_export(dir: &Path) -> Export {
    Export::open(dir, &Limits::default()).expect("open export")
}

/// Opens the single table `name` of a one-file export.
pub fn table(
    name: &str,
    bytes: &[u8],
) -> (tempfile::TempDir, Export, Result<TableReader, ReadError>) {
    let dir = folder(&[(name, bytes)]);
    let export = open_export(dir.path());
    let entry = export.entry(name).expect("entry listed").clone();
    let reader = open_table(&export, &entry);
    (dir, export, reader)
}

/// All items of a table: rows and row errors.
pub fn drain(reader: &mut TableReader) -> (Vec<SourceRow>, Vec<ReadError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for item in reader {
        match item {
            Ok(r) => rows.push(r),
            Err(e) => errors.push(e),
        }
    }
    (rows, errors)
}

pub fn values(rows: &[SourceRow]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.values.clone()).collect()
}

pub fn row_numbers(rows: &[SourceRow]) -> Vec<u64> {
    rows.iter().map(|r| r.row).collect()
}

pub fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

pub fn utf16be(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFE, 0xFF] } else { Vec::new() };
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}
