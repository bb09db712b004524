//! XLSX, JSON and JSONL tables.

mod common;

use common::*;
use migrationai_ingest::read::{open_sheet, sheet_names, ReadOptions};

/// A sheet printed as a report: a title and the date above the header, the blank row
/// between. The header is found below them, which are skipped and said so.
#[test]
fn title_rows_above_a_sheets_header_are_skipped_and_reported() {
    let book = xlsx_bytes(&[(
        "Matters",
        vec![
            vec!["Open matters report", "", ""],
            vec!["", "Printed 01/12/2026", ""],
            vec!["", "", ""],
            vec!["Number", "Client", "Opened"],
            vec!["M-1", "Acme", "2026-01-02"],
            vec!["M-2", "", "2026-01-03"],
        ],
    )]);
    let dir = folder(&[("Report.xlsx", &book)]);
    let export = open_export(dir.path());
    let entry = export.entry("Report.xlsx").expect("listed").clone();
    let mut t = migrationai_ingest::open_table(&export, &entry).expect("the sheet");
    assert_eq!(t.headers(), ["Number", "Client", "Opened"]);
    let issues = header_issues(&t);
    assert!(
        matches!(issues.as_slice(), [(migrationai_ingest::ErrorKind::Preamble, m)]
            if m.contains("Open matters report") && m.contains("header is row 4")),
        "{issues:?}"
    );
    let (rows, errors) = drain(&mut t);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(row_numbers(&rows), [5, 6]);
    assert_eq!(values(&rows)[1], ["M-2", "", "2026-01-03"]);
}

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

#[test]
fn hidden_sheets_are_listed_and_left_out_unless_mapped() {
    use migrationai_ingest::inspect::{inspect, InspectOptions, NoProgress};
    use migrationai_ingest::question::Topic;
    let book = xlsx_bytes(&[
        (
            "Contacts",
            vec![
                vec!["Contact ID", "First Name", "Email"],
                vec!["C1", "Ann", "a@x.com"],
            ],
        ),
        (
            "Old",
            vec![
                vec!["Contact ID", "First Name", "Email"],
                vec!["C2", "Bo", "b@x.com"],
            ],
        ),
    ]);
    // Mark the second sheet hidden, as Excel writes it.
    let workbook = {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(&book)).expect("zip");
        let mut text = String::new();
        z.by_name("xl/workbook.xml")
            .expect("workbook")
            .read_to_string(&mut text)
            .expect("read");
        text.replace(
            "<sheet name=\"Old\"",
            "<sheet name=\"Old\" state=\"hidden\"",
        )
    };
    let book = replace_in_zip(&book, "xl/workbook.xml", workbook.as_bytes());
    let dir = folder(&[("Book.xlsx", &book)]);
    let report = inspect(dir.path(), &InspectOptions::default(), &NoProgress).expect("inspect");
    let file = |name: &str| report.files.iter().find(|f| f.file == name).expect(name);
    assert!(file("Book.xlsx#Contacts").kind.is_some());
    let old = file("Book.xlsx#Old");
    assert_eq!(
        old.kind, None,
        "a hidden sheet is not migrated unless mapped"
    );
    assert!(old
        .suggestion
        .questions
        .iter()
        .any(|q| q.topic == Topic::Kind && q.prompt.contains("hidden")));
    // Not left out on a person's behalf: undecided, so its row fails the verdict until a
    // person maps the sheet or writes kind = "ignore".
    assert!(
        report.mapping_toml.contains(
            "path = \"Book.xlsx#Old\"\n# not recognised: give it a kind, or \"ignore\" to leave it out\nkind = \"\""
        ),
        "{}",
        report.mapping_toml
    );
}

#[test]
fn a_header_wider_than_the_column_limit_is_refused_not_cut() {
    let mut header: Vec<String> = (0..20_000).map(|i| format!("c{i}")).collect();
    let row = vec!["1"; 20_000].join(",");
    let text = format!("{}\n{row}\n", header.join(","));
    header.clear();
    let dir = folder(&[("wide.csv", text.as_bytes())]);
    let export = open_export(dir.path());
    let entry = export.entry("wide.csv").expect("listed").clone();
    let e = migrationai_ingest::open_table(&export, &entry)
        .err()
        .expect("refused");
    assert_eq!(e.kind, migrationai_ingest::ErrorKind::TooManyFields);
    assert!(e.message.contains("more than 16384 columns"), "{e}");
}
