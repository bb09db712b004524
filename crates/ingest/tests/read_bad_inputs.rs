//! The corpus of bad inputs: each asserts the exact error kind, where it points (file, row,
//! field), and that every other row of the file is still read.

mod common;

use common::*;
use migrationai_ingest::read::{ErrorKind, ReadError};

fn open_err(name: &str, bytes: &[u8]) -> ReadError {
    let (_d, _e, reader) = table(name, bytes);
    match reader {
        Ok(_) => panic!("{name} should not open"),
        Err(e) => e,
    }
}

fn assert_at(e: &ReadError, kind: ErrorKind, file: &str, row: Option<u64>, field: Option<&str>) {
    assert_eq!(e.kind, kind, "{e}");
    assert_eq!(e.file, file, "{e}");
    assert_eq!(e.row, row, "{e}");
    assert_eq!(e.field.as_deref(), field, "{e}");
    let shown = e.to_string();
    assert!(shown.starts_with(file), "{shown}");
    if let Some(r) = row {
        assert!(shown.contains(&format!("row {r}")), "{shown}");
    }
    if let Some(f) = field {
        assert!(shown.contains(&format!("field \"{f}\"")), "{shown}");
    }
}

#[test]
fn empty_file() {
    let e = open_err("Empty.csv", b"");
    assert_at(&e, ErrorKind::EmptyFile, "Empty.csv", None, None);
}

#[test]
fn blank_space_only_file() {
    let e = open_err("Blank.csv", b"\n\n   \n");
    assert_at(&e, ErrorKind::EmptyFile, "Blank.csv", None, None);
}

#[test]
fn header_only_file_is_a_table_with_zero_rows() {
    let (_d, _e, reader) = table("Matters.csv", b"Number,Client\r\n");
    let mut reader = reader.expect("opens");
    assert_eq!(reader.headers(), ["Number", "Client"]);
    assert!(!reader.has_rows());
    assert!(reader.next_row().is_none());
}

#[test]
fn ragged_row_with_too_few_fields() {
    let (_d, _e, reader) = table(
        "Matters.csv",
        b"Number,Client,Open Date\nM-1,Acme,2020\nM-2,Bolt\nM-3,Cato,2022\n",
    );
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::TooFewFields,
        "Matters.csv",
        Some(3),
        Some("Open Date"),
    );
    assert_eq!(row_numbers(&rows), [2, 4]);
}

#[test]
fn ragged_row_with_too_many_fields() {
    let (_d, _e, reader) = table(
        "Matters.csv",
        b"Number,Client,Fee\nM-1,Acme,1\nM-2,Bolt,1,000\nM-3,Cato,2\n",
    );
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::TooManyFields,
        "Matters.csv",
        Some(3),
        Some("column 4"),
    );
    assert_eq!(row_numbers(&rows), [2, 4]);
}

#[test]
fn truncated_file_ends_mid_row() {
    let (_d, _e, reader) = table(
        "Time.csv",
        b"Date,Hours,Rate\n2020-01-01,1.5,200\n2020-01-02,2",
    );
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(rows.len(), 1);
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::TooFewFields,
        "Time.csv",
        Some(3),
        Some("Rate"),
    );
}

#[test]
fn unterminated_quote_names_the_row_where_it_began() {
    let text = b"Id,Note\n1,ok\n2,\"never closed\n3,swallowed\n4,also swallowed\n";
    let (_d, _e, reader) = table("Notes.csv", text);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(row_numbers(&rows), [2]);
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::UnterminatedQuote,
        "Notes.csv",
        Some(3),
        Some("Note"),
    );
}

#[test]
fn unterminated_quote_in_a_large_file() {
    let mut bytes = b"Id,Note\n1,\"ok, \"\"fine\"\"\"\n2,\"open".to_vec();
    for i in 0..20_000 {
        bytes.extend_from_slice(format!("\n{i},swallowed").as_bytes());
    }
    let (_d, _e, reader) = table("Notes.csv", &bytes);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(values(&rows), [["1", "ok, \"fine\""]]);
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::UnterminatedQuote,
        "Notes.csv",
        Some(3),
        Some("Note"),
    );
}

#[test]
fn wrong_delimiter_is_not_guessed_from_commas_in_values() {
    // Semicolon file with decimal commas: a naive comma guess would split every amount.
    let text = "Client;Amount;Memo\n\"Smith, John\";1,50;a, b\nDoe;2,75;c\n";
    let (_d, _e, reader) = table("Billing.csv", text.as_bytes());
    let mut reader = reader.expect("opens");
    assert_eq!(reader.delimiter(), Some(b';'));
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty());
    assert_eq!(
        values(&rows),
        [["Smith, John", "1,50", "a, b"], ["Doe", "2,75", "c"]]
    );
}

#[test]
fn binary_garbage() {
    // A fixed pseudo-random byte stream.
    let mut x: u32 = 12345;
    let bytes: Vec<u8> = (0..50_000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect();
    let e = open_err("Garbage.csv", &bytes);
    assert_at(&e, ErrorKind::BinaryContent, "Garbage.csv", None, None);
}

#[test]
fn a_pdf_named_csv_is_binary() {
    let e = open_err("Report.csv", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n");
    assert_at(&e, ErrorKind::BinaryContent, "Report.csv", None, None);
    assert!(e.message.contains("PDF"));
}

#[test]
fn ten_megabyte_field_is_refused_and_the_rest_is_read() {
    let mut bytes = b"Id,Body,Tail\n1,short,a\n2,\"".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    bytes.extend_from_slice(b"\",b\n3,short,c\n");
    let (_d, _e, reader) = table("Emails.csv", &bytes);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::FieldTooLarge,
        "Emails.csv",
        Some(3),
        Some("Body"),
    );
    assert_eq!(row_numbers(&rows), [2, 4]);
    assert_eq!(rows[1].values, ["3", "short", "c"]);
}

#[test]
fn unknown_encoding_with_bytes_undefined_in_windows_1252() {
    let e = open_err("Contacts.csv", b"Name,City\nA\x81\x8Db,c\n");
    assert_at(&e, ErrorKind::UnknownEncoding, "Contacts.csv", None, None);
    assert!(e.to_string().contains("unknown encoding"));
}

#[test]
fn unknown_encoding_cyrillic_windows_1251() {
    // "Имя,Город" / "Иван,Москва" in Windows-1251: almost every byte is high.
    let bytes = b"\xC8\xEC\xFF,\xC3\xEE\xF0\xEE\xE4\n\xC8\xE2\xE0\xED,\xCC\xEE\xF1\xEA\xE2\xE0\n";
    let e = open_err("Contacts.csv", bytes);
    assert_at(&e, ErrorKind::UnknownEncoding, "Contacts.csv", None, None);
}

#[test]
fn byte_order_mark_in_mid_file() {
    let text = "\u{FEFF}Name,City\nAnn,Oslo\n\u{FEFF}Name,City\nBo,Rome\n";
    let (_d, _e, reader) = table("Contacts.csv", text.as_bytes());
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::MidFileBom,
        "Contacts.csv",
        Some(3),
        Some("Name"),
    );
    assert_eq!(row_numbers(&rows), [2, 4]);
}

#[test]
fn nul_byte_in_a_field() {
    let (_d, _e, reader) = table("Notes.csv", b"Id,Note\n1,a\n2,b\0c\n3,d\n");
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::NulByte,
        "Notes.csv",
        Some(3),
        Some("Note"),
    );
    assert_eq!(row_numbers(&rows), [2, 4]);
}

#[test]
fn utf8_file_with_one_invalid_byte_at_one_megabyte() {
    let mut bytes = "Name,Note\nZoë,first\n".as_bytes().to_vec();
    let mut n = 0u64;
    while bytes.len() < 1 << 20 {
        bytes.extend_from_slice(format!("row{n},Ünïcödé\n").as_bytes());
        n += 1;
    }
    let bad_row = n + 3; // header + "Zoë" row + n rows before it
    bytes.extend_from_slice(b"bad,caf\xE9\n");
    bytes.extend_from_slice("after,ok\n".as_bytes());
    let (_d, _e, reader) = table("Notes.csv", &bytes);
    let mut reader = reader.expect("opens");
    assert_eq!(reader.encoding(), "UTF-8");
    let (rows, errors) = drain(&mut reader);
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::InvalidEncoding,
        "Notes.csv",
        Some(bad_row),
        Some("Note"),
    );
    assert_eq!(rows.len() as u64, n + 2);
    assert_eq!(rows.last().map(|r| r.values[0].as_str()), Some("after"));
}

#[test]
fn utf16_with_an_unpaired_surrogate() {
    let mut bytes = utf16le("A,B\n1,x\n2,", true);
    bytes.extend_from_slice(&0xD800u16.to_le_bytes());
    bytes.extend(utf16le("y\n3,z\n", false));
    let (_d, _e, reader) = table("u.csv", &bytes);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::InvalidEncoding,
        "u.csv",
        Some(3),
        Some("B"),
    );
    assert_eq!(row_numbers(&rows), [2, 4]);
}

#[test]
fn duplicate_and_blank_headers_are_renamed_and_reported() {
    let (_d, _e, reader) = table("Contacts.csv", b"Name,,Name,Email\na,b,c,d\n");
    let mut reader = reader.expect("opens");
    assert_eq!(reader.headers(), ["Name", "column 2", "Name (2)", "Email"]);
    let issues: Vec<_> = reader
        .header_issues()
        .iter()
        .map(|e| (e.kind, e.field.clone()))
        .collect();
    assert_eq!(
        issues,
        [
            (ErrorKind::BlankHeader, Some("column 2".to_string())),
            (ErrorKind::DuplicateHeader, Some("Name".to_string())),
        ]
    );
    assert!(reader
        .header_issues()
        .iter()
        .all(|e| e.row == Some(1) && e.file == "Contacts.csv"));
    let (rows, _) = drain(&mut reader);
    assert_eq!(rows[0].values, ["a", "b", "c", "d"]);
}

#[test]
fn truncated_xlsx() {
    let book = xlsx_bytes(&[("S", vec![vec!["A"], vec!["1"]])]);
    let e = open_err("Book.xlsx", &book[..book.len() / 2]);
    assert_at(&e, ErrorKind::CorruptXlsx, "Book.xlsx", None, None);
}

#[test]
fn invalid_json_element_is_a_row_error() {
    let text = br#"[{"a": 1}, {"a": tru}, {"a": 3}]"#;
    let (_d, _e, reader) = table("x.json", text);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1);
    assert_at(&errors[0], ErrorKind::InvalidJson, "x.json", Some(2), None);
    assert_eq!(values(&rows), [["1"], ["3"]]);
}

#[test]
fn truncated_json_reads_what_is_there_then_reports() {
    let text = br#"[{"a": 1}, {"a": 2}, {"a": "#;
    let (_d, _e, reader) = table("x.json", text);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(values(&rows), [["1"], ["2"]]);
    assert_eq!(errors.len(), 1);
    assert_at(&errors[0], ErrorKind::InvalidJson, "x.json", Some(3), None);
}

#[test]
fn json_with_trailing_garbage_keeps_every_element() {
    let (_d, _e, reader) = table("x.json", br#"[{"a": 1}, {"a": 2}] oops"#);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(values(&rows), [["1"], ["2"]]);
    assert_eq!(errors.len(), 1);
    assert_at(&errors[0], ErrorKind::InvalidJson, "x.json", Some(3), None);
}

#[test]
fn json_that_is_not_an_array_of_objects() {
    let e = open_err("x.json", br#"{"a": 1}"#);
    assert_at(&e, ErrorKind::NotArrayOfObjects, "x.json", None, None);
    let e = open_err("y.json", b"[1, 2, 3]");
    assert_at(&e, ErrorKind::NotArrayOfObjects, "y.json", None, None);
}

#[test]
fn json_array_with_one_non_object() {
    let (_d, _e, reader) = table("x.json", br#"[{"a": 1}, 7, {"a": 3}]"#);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1);
    assert_at(&errors[0], ErrorKind::NotAnObject, "x.json", Some(2), None);
    assert_eq!(rows.len(), 2);
}

#[test]
fn jsonl_with_a_broken_line() {
    let (_d, _e, reader) = table("x.jsonl", b"{\"a\":1}\n{\"a\":\n{\"a\":3}\n");
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1);
    assert_at(&errors[0], ErrorKind::InvalidJson, "x.jsonl", Some(2), None);
    assert_eq!(values(&rows), [["1"], ["3"]]);
}

#[test]
fn a_document_is_not_a_table() {
    let e = open_err("letter.pdf", b"%PDF-1.4");
    assert_at(&e, ErrorKind::UnsupportedFormat, "letter.pdf", None, None);
}

fn nested(depth: usize) -> String {
    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
}

#[test]
fn json_nested_ten_thousand_deep_is_a_row_error_not_a_crash() {
    // Once overflowed the flattener's stack and aborted inspect, migrate and `up`.
    let text = format!("[{{\"a\": 1}}, {}, {{\"a\": 3}}]", nested(10_000));
    let (_d, _e, reader) = table("deep.json", text.as_bytes());
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_at(&errors[0], ErrorKind::TooDeep, "deep.json", Some(2), None);
    assert!(errors[0].message.contains("levels deep"), "{}", errors[0]);
    assert_eq!(values(&rows), [["1"], ["3"]]);
}

#[test]
fn deep_arrays_and_deep_jsonl_lines_are_row_errors() {
    let arrays = format!(
        "[{{\"a\": 1}}, {}{}]",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let (_d, _e, reader) = table("arrays.json", arrays.as_bytes());
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(rows.len(), 1);
    assert_at(&errors[0], ErrorKind::TooDeep, "arrays.json", Some(2), None);

    let lines = format!("{{\"a\":1}}\n{}\n{{\"a\":3}}\n", nested(100_000));
    let (_d, _e, reader) = table("deep.jsonl", lines.as_bytes());
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(values(&rows), [["1"], ["3"]]);
    assert_at(&errors[0], ErrorKind::TooDeep, "deep.jsonl", Some(2), None);
}

#[test]
fn json_nested_within_the_limit_is_flattened() {
    let text = format!("[{}]", nested(60));
    let (_d, _e, reader) = table("ok.json", text.as_bytes());
    let mut reader = reader.expect("opens");
    assert_eq!(reader.headers().len(), 1);
    assert_eq!(reader.headers()[0].matches('a').count(), 60);
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(values(&rows), [["1"]]);
}

#[test]
fn a_duplicate_json_key_with_different_values_is_a_row_error() {
    // serde_json kept the last value without a word.
    let text = br#"[{"id": 1, "amount": "10.00"}, {"id": 2, "amount": "5.00", "amount": "500.00"}, {"id": 3, "id": 3}]"#;
    let (_d, _e, reader) = table("x.json", text);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_at(
        &errors[0],
        ErrorKind::DuplicateKey,
        "x.json",
        Some(2),
        Some("amount"),
    );
    // The same key twice with the same value changes nothing.
    assert_eq!(values(&rows), [["1", "10.00"], ["3", ""]]);
}

#[test]
fn rows_after_a_mid_sheet_xlsx_error_are_reported_lost_not_dropped() {
    // With the sheet XML broken after row 51, 50 of 200 rows loaded, 0 were rejected, and
    // the run reported success.
    let book = xlsx_bytes(&[("Time", vec![vec!["Id", "Hours"]])]);
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let mut rows = String::from(
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Id</t></is></c><c r="B1" t="inlineStr"><is><t>Hours</t></is></c></row>"#,
    );
    for r in 2..=51 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1.5</v></c></row>"#
        ));
    }
    rows.push_str(r#"<row r="52"><c r="A52"><v>52</v></c><c r="B52"><v>1.5</v></c></row><row r="53"><c r="A53"><v>53</"#);
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><dimension ref="A1:B201"/><sheetData>{rows}"#
    );
    let broken = replace_in_zip(&book, "xl/worksheets/sheet1.xml", sheet.as_bytes());
    let (_d, _e, reader) = table("Time.xlsx", &broken);
    let (rows, errors) = drain(&mut reader.expect("opens"));
    // Rows 2 to 51 at least are read, every one of them, in order.
    let read = rows.len() as u64;
    assert!(read >= 50, "{read}");
    assert_eq!(row_numbers(&rows), (2..2 + read).collect::<Vec<_>>());
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.kind, ErrorKind::CorruptXlsx);
    assert!(!e.kind.is_row_level(), "it ends the table");
    // The error names the first row not read and how many the sheet says are lost.
    let from = read + 2;
    assert_eq!(e.row, Some(from), "{e}");
    let lost = format!("rows {from} to 201 ({} rows) were not read", 201 - from + 1);
    assert!(e.message.contains(&lost), "{e}");
}

#[test]
fn row_numbers_are_physical_lines_blank_lines_and_line_breaks_included() {
    // A reject once pointed at the wrong line because blank lines were not counted.
    let text = "Id,Note,Hours\n1,a,1\n\n\n2,\"two\nlines\",x\n3,c\r\n\r\n4,d,4";
    let (_d, _e, reader) = table("Time.csv", text.as_bytes());
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert_eq!(row_numbers(&rows), [2, 5, 9]);
    assert_eq!(errors.len(), 1);
    assert_at(
        &errors[0],
        ErrorKind::TooFewFields,
        "Time.csv",
        Some(7),
        Some("Hours"),
    );
}

fn latin9(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::ISO_8859_15.encode(text);
    assert!(!unmappable, "{text}");
    bytes.into_owned()
}

#[test]
fn iso_8859_15_is_told_from_windows_1252_by_the_bytes_where_they_differ() {
    // "Šárka Žižková" once became "¦árka ´i¸ková".
    let bytes = latin9(
        "Name,City\nŠárka Žižková,Plzeň\nŒdipe Dupont,Lyon\n"
            .replace('ň', "n")
            .as_str(),
    );
    let (_d, _e, reader) = table("Clients.csv", &bytes);
    let mut reader = reader.expect("opens");
    assert_eq!(reader.encoding(), "ISO-8859-15");
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows[0].values[0], "Šárka Žižková");
    assert_eq!(rows[1].values[0], "Œdipe Dupont");
}

#[test]
fn windows_1252_keeps_its_symbols_and_its_curly_quotes() {
    // 0x80-0x9F are text only in Windows-1252; "½" stands alone; "don´t" is an apostrophe.
    let (bytes, _, _) = encoding_rs::WINDOWS_1252
        .encode("Memo,Hours\n“Call” re fee € 50,1½\nClient don´t agree,¼\n");
    let (_d, _e, reader) = table("Time.csv", &bytes);
    let mut reader = reader.expect("opens");
    assert_eq!(reader.encoding(), "windows-1252");
    let (rows, _) = drain(&mut reader);
    assert_eq!(rows[0].values, ["“Call” re fee € 50", "1½"]);
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("Memo,Hours\nClient don´t agree,¼\n");
    let (_d, _e, reader) = table("Time.csv", &bytes);
    assert_eq!(reader.expect("opens").encoding(), "windows-1252");
}

#[test]
fn an_encoding_the_bytes_leave_in_doubt_is_refused_unless_named() {
    use migrationai_ingest::read::{open_table_with, ReadOptions, TextEncoding};
    // Latin-9 letters inside words, and bytes standing alone that are "¼" and "½" in
    // Windows-1252 (Œ and œ in Latin-9): either reading leaves something odd.
    let bytes = latin9("Name,Share\nŠárka Žižková,Œ\nLuboš Kos,œ\n");
    let (_d, export, reader) = table("Clients.csv", &bytes);
    let e = reader.err().expect("refused while in doubt");
    assert_at(&e, ErrorKind::UnknownEncoding, "Clients.csv", None, None);
    assert!(e.message.contains("uncertain"), "{e}");
    assert!(
        e.message.contains("--encoding \"Clients.csv=ISO-8859-15\""),
        "{e}"
    );
    let entry = export.entry("Clients.csv").expect("listed").clone();
    // Proposing a mapping reads it with the likelier encoding and keeps the doubt...
    let guessed = open_table_with(
        &export,
        &entry,
        &ReadOptions {
            guess_encoding: true,
            ..ReadOptions::default()
        },
    )
    .expect("guessed");
    assert_eq!(guessed.encoding(), "ISO-8859-15");
    assert!(guessed.encoding_doubt().is_some());
    // ...and a named encoding settles it.
    let named = open_table_with(
        &export,
        &entry,
        &ReadOptions {
            encoding: TextEncoding::from_label("latin9"),
            ..ReadOptions::default()
        },
    )
    .expect("named");
    let (rows, _) = drain(&mut { named });
    assert_eq!(rows[1].values, ["Luboš Kos", "œ"]);
}
