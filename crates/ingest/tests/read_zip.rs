//! Zip exports: a round trip, and archives that must be refused.

mod common;

use std::fs;
use std::io::Write;

use common::*;
use migrationai_ingest::read::{open_table, Export, ExportErrorKind, Format, Limits, RefError};

fn work_dir_is_empty(parent: &std::path::Path) -> bool {
    fs::read_dir(parent)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false)
}

#[test]
fn zip_round_trip() {
    let tmp = tempfile::tempdir().expect("tmp");
    let zip_path = tmp.path().join("Export.zip");
    write_zip(
        &zip_path,
        &[
            (
                "Matters.csv",
                b"Number,Document\nM-1,docs\\Engagement Letter.pdf\n",
            ),
            ("docs/Engagement Letter.pdf", b"%PDF-1.4 fake"),
            (
                "emails/hello.eml",
                b"From: a@b.c\r\nSubject: hi\r\n\r\nbody",
            ),
            ("data/contacts.json", br#"[{"name": "Ann"}]"#),
            ("data/events.jsonl", b"{\"a\":1}\n"),
            ("notes.txt", b"just a note, nothing tabular"),
            ("__MACOSX/._Matters.csv", b"junk"),
        ],
    );
    let work = tempfile::tempdir().expect("work");
    let export = Export::open_in(&zip_path, &Limits::default(), work.path()).expect("opens");
    let listed: Vec<(&str, Format)> = export
        .entries()
        .iter()
        .map(|e| (e.path.as_str(), e.format))
        .collect();
    assert_eq!(
        listed,
        [
            ("Matters.csv", Format::Csv),
            ("data/contacts.json", Format::Json),
            ("data/events.jsonl", Format::Jsonl),
            ("docs/Engagement Letter.pdf", Format::Other),
            ("emails/hello.eml", Format::Eml),
            ("notes.txt", Format::Other),
        ]
    );
    assert_eq!(
        export.entry("docs/Engagement Letter.pdf").map(|e| e.size),
        Some(13)
    );
    let entry = export.entry("Matters.csv").expect("listed").clone();
    let mut reader = open_table(&export, &entry).expect("table");
    let row = reader.next_row().expect("a row").expect("ok");
    let doc = export.resolve_reference(&row.values[1]).expect("resolves");
    assert_eq!(fs::read(&doc).expect("read doc"), b"%PDF-1.4 fake");
    // Letter case differs, as exports made on Windows allow.
    assert!(export
        .resolve_reference("DOCS/engagement letter.PDF")
        .is_ok());

    let root = export.root().to_path_buf();
    assert!(root.starts_with(work.path()));
    drop(reader);
    drop(export);
    assert!(!root.exists(), "the unpacked folder is removed on drop");
}

#[test]
fn references_that_escape_are_refused_distinctly() {
    let dir = folder(&[("docs/a.pdf", b"x"), ("Matters.csv", b"A\n1\n")]);
    let export = open_export(dir.path());
    assert_eq!(
        export.resolve_reference("../etc/passwd"),
        Err(RefError::Traversal("../etc/passwd".into()))
    );
    assert_eq!(
        export.resolve_reference("docs\\..\\..\\secret.txt"),
        Err(RefError::Traversal("docs\\..\\..\\secret.txt".into()))
    );
    assert_eq!(
        export.resolve_reference("/etc/passwd"),
        Err(RefError::Absolute("/etc/passwd".into()))
    );
    assert_eq!(
        export.resolve_reference("\\\\server\\share\\a.pdf"),
        Err(RefError::Absolute("\\\\server\\share\\a.pdf".into()))
    );
    assert_eq!(
        export.resolve_reference("C:\\Docs\\a.pdf"),
        Err(RefError::DriveLetter("C:\\Docs\\a.pdf".into()))
    );
    assert_eq!(
        export.resolve_reference("docs/b.pdf"),
        Err(RefError::Missing("docs/b.pdf".into()))
    );
    assert_eq!(
        export.resolve_reference("docs"),
        Err(RefError::NotAFile("docs".into()))
    );
    assert_eq!(export.resolve_reference("  "), Err(RefError::Empty));
    assert!(export.resolve_reference(".\\docs\\a.pdf").is_ok());
    let shown = RefError::Traversal("../x".into()).to_string();
    assert!(shown.contains("../x") && shown.contains(".."), "{shown}");
}

fn refused(zip_path: &std::path::Path) -> migrationai_ingest::ExportError {
    let work = tempfile::tempdir().expect("work");
    let err = Export::open_in(zip_path, &Limits::default(), work.path()).expect_err("refused");
    assert!(
        work_dir_is_empty(work.path()),
        "a refused archive leaves nothing behind"
    );
    err
}

#[test]
fn zip_bomb_is_refused_by_counting_written_bytes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("bomb.zip");
    let file = fs::File::create(&path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("zeros.csv", opts).expect("start");
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..200 {
        zip.write_all(&chunk).expect("write");
    }
    zip.finish().expect("finish");
    assert!(fs::metadata(&path).expect("meta").len() < 2 << 20);
    let err = refused(&path);
    assert_eq!(err.kind, ExportErrorKind::CompressionRatio, "{err}");
    assert_eq!(err.entry.as_deref(), Some("zeros.csv"));
    assert!(err.to_string().contains("zeros.csv"));
}

#[test]
fn size_limits_are_enforced() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("big.zip");
    let data: Vec<u8> = (0..300_000u32).flat_map(|i| i.to_le_bytes()).collect();
    write_zip(&path, &[("a.bin", &data), ("b.bin", &data)]);
    let work = tempfile::tempdir().expect("work");
    let limits = Limits {
        max_entry_bytes: 1_000_000,
        ..Limits::default()
    };
    let err = Export::open_in(&path, &limits, work.path()).expect_err("entry too large");
    assert_eq!(err.kind, ExportErrorKind::EntryTooLarge);
    let limits = Limits {
        max_total_bytes: 2_000_000,
        ..Limits::default()
    };
    let err = Export::open_in(&path, &limits, work.path()).expect_err("total too large");
    assert_eq!(err.kind, ExportErrorKind::TotalTooLarge);
    assert_eq!(err.entry.as_deref(), Some("b.bin"));
    let limits = Limits {
        max_entries: 1,
        ..Limits::default()
    };
    let err = Export::open_in(&path, &limits, work.path()).expect_err("too many");
    assert_eq!(err.kind, ExportErrorKind::TooManyEntries);
    assert!(work_dir_is_empty(work.path()));
}

#[test]
fn zip_with_parent_directory_entry() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("evil.zip");
    write_zip(
        &path,
        &[("ok.csv", b"A\n1\n"), ("../../evil.sh", b"rm -rf /")],
    );
    let err = refused(&path);
    assert_eq!(err.kind, ExportErrorKind::UnsafeEntryPath);
    assert_eq!(err.entry.as_deref(), Some("../../evil.sh"));
    assert!(err.to_string().contains("../../evil.sh"));
    assert!(!tmp.path().join("evil.sh").exists());
}

#[test]
fn zip_with_absolute_and_drive_entries() {
    for name in ["/etc/cron.d/evil", "C:/Windows/evil.dll", "docs\\..\\..\\x"] {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("evil.zip");
        write_zip(&path, &[(name, b"x")]);
        let err = refused(&path);
        assert_eq!(err.kind, ExportErrorKind::UnsafeEntryPath, "{name}");
        assert_eq!(err.entry.as_deref(), Some(name));
    }
}

#[test]
fn zip_with_symlink_entry() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("link.zip");
    let file = fs::File::create(&path).expect("create");
    let mut zip = zip::ZipWriter::new(file);
    zip.add_symlink(
        "docs/passwd",
        "/etc/passwd",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("symlink");
    zip.finish().expect("finish");
    let err = refused(&path);
    assert_eq!(err.kind, ExportErrorKind::SymlinkEntry);
    assert_eq!(err.entry.as_deref(), Some("docs/passwd"));
}

#[test]
fn truncated_zip() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("cut.zip");
    write_zip(&path, &[("Matters.csv", b"A,B\n1,2\n")]);
    let bytes = fs::read(&path).expect("read");
    fs::write(&path, &bytes[..bytes.len() - 30]).expect("cut");
    let err = refused(&path);
    assert_eq!(err.kind, ExportErrorKind::CorruptZip, "{err}");
    assert_eq!(err.export, "cut.zip");
}

#[test]
fn xlsx_saved_as_csv_is_recognised() {
    let book = xlsx_bytes(&[("S", vec![vec!["A"], vec!["1"]])]);
    let dir = folder(&[("Matters.csv", &book)]);
    let export = open_export(dir.path());
    assert_eq!(
        export.entry("Matters.csv").map(|e| e.format),
        Some(Format::Xlsx)
    );
}

#[test]
fn opening_for_tables_unpacks_the_tables_only() {
    let tmp = tempfile::tempdir().expect("tmp");
    let zip_path = tmp.path().join("Export.zip");
    write_zip(
        &zip_path,
        &[
            ("Matters.csv", b"Number,Name\nM-1,Smith\n"),
            ("Book.XLSX", b"not really a workbook"),
            ("data/contacts.json", br#"[{"name": "Ann"}]"#),
            ("data/events.ndjson", b"{\"a\":1}\n"),
            ("list.txt", b"a,b\n1,2\n"),
            ("docs/letter.pdf", b"%PDF-1.4 fake"),
            ("docs/readme.txt", b"a,b\n1,2\n"),
            ("emails/hello.eml", b"From: a@b.c\r\n\r\nbody"),
            ("emails/noext", b"From: a@b.c\r\n\r\nbody"),
        ],
    );
    let work = tempfile::tempdir().expect("work");
    let export = Export::open_tables_in(&zip_path, &Limits::default(), work.path()).expect("opens");
    let listed: Vec<&str> = export.entries().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        listed,
        [
            "Book.XLSX",
            "Matters.csv",
            "data/contacts.json",
            "data/events.ndjson",
            "list.txt"
        ]
    );
    let full = Export::open_in(&zip_path, &Limits::default(), work.path()).expect("opens");
    let tables = |e: &Export| -> Vec<String> { e.tables().map(|t| t.path.clone()).collect() };
    assert_eq!(tables(&export), tables(&full));
    assert!(matches!(
        export.resolve_reference("docs/letter.pdf"),
        Err(RefError::Missing(_))
    ));
}

#[test]
fn opening_for_tables_still_refuses_an_unsafe_document_name() {
    let tmp = tempfile::tempdir().expect("tmp");
    let zip_path = tmp.path().join("Export.zip");
    write_zip(
        &zip_path,
        &[
            ("Matters.csv", b"Number\nM-1\n"),
            ("../escape.pdf", b"%PDF"),
        ],
    );
    let work = tempfile::tempdir().expect("work");
    let err =
        Export::open_tables_in(&zip_path, &Limits::default(), work.path()).expect_err("refused");
    assert_eq!(err.kind, ExportErrorKind::UnsafeEntryPath);
    assert!(work_dir_is_empty(work.path()));
}

#[test]
fn a_zip_inside_the_export_holding_tables_is_reported_not_taken_for_a_document() {
    use migrationai_ingest::inspect::{inspect, InspectOptions, NoProgress};
    let dir = tempfile::tempdir().expect("tmp");
    let inner = dir.path().join("inner.zip");
    write_zip(
        &inner,
        &[
            ("more/Contacts.csv", b"Id,Name\n1,Ann\n"),
            ("a.pdf", b"%PDF"),
        ],
    );
    let export = dir.path().join("export");
    std::fs::create_dir_all(&export).expect("folder");
    std::fs::copy(&inner, export.join("old export.zip")).expect("copy");
    write_zip(&export.join("letters.zip"), &[("a.pdf", b"%PDF-1.4")]);
    std::fs::write(export.join("Contacts.csv"), "Id,Name\n2,Bo\n").expect("write");
    let opened = Export::open(&export, &Limits::default()).expect("opens");
    let entry = opened.entry("old export.zip").expect("listed").clone();
    assert_eq!(
        opened.archived_tables(&entry),
        Some(vec!["more/Contacts.csv".to_string()])
    );
    let letters = opened.entry("letters.zip").expect("listed").clone();
    assert_eq!(
        opened.archived_tables(&letters),
        None,
        "a zip of documents is a document"
    );
    let report = inspect(&export, &InspectOptions::default(), &NoProgress).expect("inspect");
    let listed: Vec<&str> = report
        .unreadable
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert!(
        listed
            .iter()
            .any(|m| m.starts_with("old export.zip: a zip inside the export holding 1 table")),
        "{listed:?}"
    );
}
