//! XLSX, JSON and JSONL tables.

mod common;

use common::*;
use migrationai_ingest::read::{open_sheet, sheet_names, ReadOptions};

#[test]
fn xlsx_each_sheet_is_a_table() {
    let book = xlsx_bytes(&[
        (
            "Matters",
            vec![
                vec!["Number", "Fee"],
                vec!["M-1", "12.5"],
                vec!["", ""],
                vec!["M-2", "3"],
            ],
        ),
        ("Contacts", vec![vec!["Name"], vec!["Ann"]]),
    ]);
    let dir = folder(&[("Export.xlsx", &book)]);
    let export = open_export(dir.path());
    let entry = export.entry("Export.xlsx").expect("listed").clone();
    assert_eq!(entry.format, migrationai_ingest::Format::Xlsx);
    assert_eq!(
        sheet_names(&export, &entry).expect("sheets"),
        ["Matters", "Contacts"]
    );

    let mut first = migrationai_ingest::open_table(&export, &entry).expect("first sheet");
    assert_eq!(first.name(), "Export.xlsx#Matters");
    assert_eq!(first.headers(), ["Number", "Fee"]);
    let (rows, errors) = drain(&mut first);
    assert!(errors.is_empty());
    // The blank sheet row 3 is skipped; numbering follows the sheet.
    assert_eq!(row_numbers(&rows), [2, 4]);
    assert_eq!(values(&rows), [["M-1", "12.5"], ["M-2", "3"]]);

    let mut contacts =
        open_sheet(&export, &entry, "Contacts", &ReadOptions::default()).expect("sheet");
    assert_eq!(contacts.name(), "Export.xlsx#Contacts");
    let (rows, _) = drain(&mut contacts);
    assert_eq!(values(&rows), [["Ann"]]);

    let missing = open_sheet(&export, &entry, "Nope", &ReadOptions::default()).err();
    assert_eq!(
        missing.map(|e| e.kind),
        Some(migrationai_ingest::ErrorKind::SheetNotFound)
    );
}

#[test]
fn json_array_is_flattened_in_document_order() {
    let json = r#"[
      {"id": 1, "name": "Ann", "address": {"city": "Oslo", "zip": "0150"}, "tags": ["vip", "new"], "fee": 1234567890.123456789},
      {"id": 2, "name": "Bo \"B\"", "extra": null, "address": {"city": "Bergen"}}
    ]"#;
    let (_d, _e, reader) = table("contacts.json", json.as_bytes());
    let mut reader = reader.expect("opens");
    assert_eq!(
        reader.headers(),
        [
            "id",
            "name",
            "address.city",
            "address.zip",
            "tags",
            "fee",
            "extra"
        ]
    );
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty(), "{errors:?}");
    // JSON has no header row: a record's row is its element number.
    assert_eq!(row_numbers(&rows), [1, 2]);
    assert_eq!(
        rows[0].values,
        [
            "1",
            "Ann",
            "Oslo",
            "0150",
            "vip; new",
            "1234567890.123456789",
            ""
        ]
    );
    assert_eq!(rows[1].values, ["2", "Bo \"B\"", "Bergen", "", "", "", ""]);
}

#[test]
fn jsonl_one_object_per_line() {
    let text = "{\"a\": 1, \"b\": {\"c\": true}}\n\n{\"a\": 2, \"d\": \"x\"}\r\n";
    let (_d, _e, reader) = table("events.ndjson", text.as_bytes());
    let mut reader = reader.expect("opens");
    assert_eq!(reader.headers(), ["a", "b.c", "d"]);
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(values(&rows), [["1", "true", ""], ["2", "", "x"]]);
    // A JSON-lines record's row is its line number (line 2 is blank).
    assert_eq!(row_numbers(&rows), [1, 3]);
}

#[test]
fn empty_json_array_is_a_table_without_rows() {
    let (_d, _e, reader) = table("x.json", b"  [ ]  ");
    let mut reader = reader.expect("opens");
    assert!(!reader.has_rows());
    assert!(reader.next_row().is_none());
}
