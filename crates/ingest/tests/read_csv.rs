//! CSV reading: dialects, encodings and row numbering, on real files.

mod common;

use common::*;
use migrationai_ingest::ErrorKind;

#[test]
fn reads_simple_comma_csv() {
    let (_d, _e, reader) = table(
        "Matters.csv",
        b"Number,Client,Open Date\nM-1,Acme,2020-01-02\nM-2,Bolt,2021-03-04\n",
    );
    let mut reader = reader.expect("opens");
    assert_eq!(reader.headers(), ["Number", "Client", "Open Date"]);
    assert_eq!(reader.encoding(), "UTF-8");
    assert_eq!(reader.delimiter(), Some(b','));
    assert!(reader.has_rows());
    assert_eq!(reader.name(), "Matters.csv");
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(row_numbers(&rows), [2, 3]);
    assert_eq!(values(&rows)[1], ["M-2", "Bolt", "2021-03-04"]);
}

/// A report printed from a legacy system: its title, the firm and when it was printed above
/// the header. They are skipped and said so; the rows keep their own line numbers.
#[test]
fn title_lines_above_the_header_are_skipped_and_reported() {
    let (_d, _e, reader) = table(
        "Time Report.csv",
        b"Smith & Jones LLP\nTime entries, January 2026\n\nEntry;Matter;Date;Hours;Amount\n\
          1;M-1;2026-01-02;1,5;270,00\n2;M-2;2026-01-03;0,5;90,00\n",
    );
    let mut reader = reader.expect("opens");
    assert_eq!(reader.delimiter(), Some(b';'));
    assert_eq!(
        reader.headers(),
        ["Entry", "Matter", "Date", "Hours", "Amount"]
    );
    let issues = header_issues(&reader);
    assert!(
        matches!(issues.as_slice(), [(ErrorKind::Preamble, m)] if m.contains("Smith & Jones LLP")),
        "{issues:?}"
    );
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(row_numbers(&rows), [5, 6]);
    assert_eq!(values(&rows)[1], ["2", "M-2", "2026-01-03", "0,5", "90,00"]);
}

/// The same report saved from a spreadsheet, which pads every line to the table's width:
/// the title lines are as wide as the header, but fill a cell or two.
#[test]
fn padded_title_lines_above_the_header_are_skipped_and_reported() {
    let (_d, _e, reader) = table(
        "Matters.csv",
        b"Matters Report,,,\r\nPrinted 12/05/2026,by admin,,\r\n,,,\r\nMatter,Client,Opened,Status\r\n\
          M-1,Acme,2026-01-02,Open\r\nM-2,,2026-01-03,\r\n",
    );
    let mut reader = reader.expect("opens");
    assert_eq!(reader.headers(), ["Matter", "Client", "Opened", "Status"]);
    let issues = header_issues(&reader);
    assert!(
        matches!(issues.as_slice(), [(ErrorKind::Preamble, m)]
            if m.contains("Matters Report") && m.contains("header is line 4")),
        "{issues:?}"
    );
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(row_numbers(&rows), [5, 6]);
    assert_eq!(values(&rows)[1], ["M-2", "", "2026-01-03", ""]);
}

/// A table whose first rows leave most cells empty keeps its header: a line is a title only
/// when the header below it fills more cells than a title can.
#[test]
fn sparse_first_rows_are_not_taken_for_titles() {
    let (_d, _e, reader) = table("Notes.csv", b"Id,Text\n1,\n2,Called\n");
    let reader = reader.expect("opens");
    assert_eq!(reader.headers(), ["Id", "Text"]);
    assert!(reader.header_issues().is_empty());
    let (_d, _e, reader) = table(
        "Tasks.csv",
        b"Id,Matter,Due,Done\nT1,,,\nT2,M-1,2026-01-02,No\n",
    );
    let reader = reader.expect("opens");
    assert_eq!(reader.headers(), ["Id", "Matter", "Due", "Done"]);
    assert!(reader.header_issues().is_empty());
}

/// A header one cell short of its rows (a trailing delimiter on every row) is still the
/// header: only far narrower lines are titles.
#[test]
fn a_header_a_cell_short_of_its_rows_stays_the_header() {
    let (_d, _e, reader) = table(
        "Clients.csv",
        b"Id,Name,City,Phone\n1,Acme,Leeds,0113 496 0000,\n2,Bolt,York,0190 496 0000,\n",
    );
    let mut reader = reader.expect("opens");
    assert_eq!(reader.headers(), ["Id", "Name", "City", "Phone"]);
    assert!(reader.header_issues().is_empty());
    // Each row's extra cell is its own problem, at its own line.
    let (_rows, errors) = drain(&mut reader);
    let lines: Vec<_> = errors.iter().map(|e| (e.kind, e.row)).collect();
    assert_eq!(
        lines,
        [
            (ErrorKind::TooManyFields, Some(2)),
            (ErrorKind::TooManyFields, Some(3))
        ]
    );
}

#[test]
fn sniffs_semicolon_tab_and_pipe() {
    for (delim, name) in [(b';', "a.csv"), (b'\t', "a.tsv"), (b'|', "a.txt")] {
        let d = delim as char;
        let text =
            format!("Name{d}Amount{d}Note\n\"Smith, John\"{d}1,50{d}x\nDoe{d}2,00{d}\"a{d}b\"\n");
        let (_dir, _e, reader) = table(name, text.as_bytes());
        let mut reader = reader.expect("opens");
        assert_eq!(reader.delimiter(), Some(delim), "{name}");
        let (rows, errors) = drain(&mut reader);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(values(&rows)[0], ["Smith, John", "1,50", "x"]);
        assert_eq!(values(&rows)[1], ["Doe", "2,00", &format!("a{d}b")]);
    }
}

#[test]
fn quoted_newlines_count_as_one_row() {
    let text = "Id,Note\n1,\"line one\nline two\"\n2,\"say \"\"hi\"\"\"\n3,plain\n";
    let (_d, _e, reader) = table("Notes.csv", text.as_bytes());
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert!(errors.is_empty());
    // One row each; numbered by the physical line it starts on, as an editor shows it.
    assert_eq!(row_numbers(&rows), [2, 4, 5]);
    assert_eq!(rows[0].values[1], "line one\nline two");
    assert_eq!(rows[1].values[1], "say \"hi\"");
}

#[test]
fn crlf_and_lf_read_the_same() {
    let lf = "A,B\n1,2\n3,4\n";
    let crlf = "A,B\r\n1,2\r\n3,4\r\n";
    let (_d1, _e1, r1) = table("lf.csv", lf.as_bytes());
    let (_d2, _e2, r2) = table("crlf.csv", crlf.as_bytes());
    let (rows1, _) = drain(&mut r1.expect("lf"));
    let (rows2, _) = drain(&mut r2.expect("crlf"));
    assert_eq!(rows1, rows2);
    assert_eq!(values(&rows2)[1], ["3", "4"]);
}

#[test]
fn values_keep_their_spaces() {
    let (_d, _e, reader) = table("a.csv", b"A,B\n  x , y\n");
    let (rows, _) = drain(&mut reader.expect("opens"));
    assert_eq!(rows[0].values, ["  x ", " y"]);
}

#[test]
fn last_row_without_newline_is_read() {
    let (_d, _e, reader) = table("a.csv", b"A,B\n1,2\n3,4");
    let (rows, errors) = drain(&mut reader.expect("opens"));
    assert!(errors.is_empty());
    assert_eq!(values(&rows), [["1", "2"], ["3", "4"]]);
}

#[test]
fn utf8_with_bom() {
    let (_d, _e, reader) = table("c.csv", "\u{FEFF}Name,City\nZoë,Köln\n".as_bytes());
    let mut reader = reader.expect("opens");
    assert_eq!(reader.encoding(), "UTF-8 with BOM");
    assert_eq!(reader.headers(), ["Name", "City"]);
    let (rows, _) = drain(&mut reader);
    assert_eq!(rows[0].values, ["Zoë", "Köln"]);
}

#[test]
fn windows_1252_is_transcoded() {
    // "Müller", "Café" and a euro sign (0x80) as Excel on Windows writes them.
    let bytes = b"Name,Fee\nM\xFCller,\x80100\nCaf\xE9,5\n";
    let (_d, _e, reader) = table("c.csv", bytes);
    let mut reader = reader.expect("opens");
    assert_eq!(reader.encoding(), "windows-1252");
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty());
    assert_eq!(values(&rows), [["Müller", "€100"], ["Café", "5"]]);
}

#[test]
fn windows_1252_detected_from_a_late_accent() {
    // All ASCII for 200 KB, then one Windows-1252 byte: the whole file decides.
    let mut bytes = b"Name,Note\n".to_vec();
    for i in 0..10_000 {
        bytes.extend_from_slice(format!("n{i},plain ascii text\n").as_bytes());
    }
    bytes.extend_from_slice(b"Ren\xE9e,late\n");
    let (_d, _e, reader) = table("c.csv", &bytes);
    let mut reader = reader.expect("opens");
    assert_eq!(reader.encoding(), "windows-1252");
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty());
    assert_eq!(rows.last().map(|r| r.values[0].as_str()), Some("Renée"));
    assert_eq!(rows.len(), 10_001);
}

#[test]
fn utf16_with_and_without_bom() {
    let text = "Name;City\r\nZoë;Zürich\r\n李;北京\r\n";
    let cases = [
        (utf16le(text, true), "UTF-16LE with BOM"),
        (utf16be(text, true), "UTF-16BE with BOM"),
        (utf16le(text, false), "UTF-16LE"),
        (utf16be(text, false), "UTF-16BE"),
    ];
    for (bytes, label) in cases {
        let (_d, _e, reader) = table("u.csv", &bytes);
        let mut reader = reader.expect(label);
        assert_eq!(reader.encoding(), label);
        assert_eq!(reader.delimiter(), Some(b';'));
        assert_eq!(reader.headers(), ["Name", "City"]);
        let (rows, errors) = drain(&mut reader);
        assert!(errors.is_empty(), "{label}: {errors:?}");
        assert_eq!(
            values(&rows),
            [["Zoë", "Zürich"], ["李", "北京"]],
            "{label}"
        );
    }
}

#[test]
fn read_into_reuses_the_row() {
    let (_d, _e, reader) = table("a.csv", b"A,B\n1,2\n3,4\n");
    let mut reader = reader.expect("opens");
    let mut row = migrationai_ingest::read::SourceRow::default();
    let mut seen = Vec::new();
    while let Some(result) = reader.read_into(&mut row) {
        result.expect("row");
        seen.push((row.row, row.values.clone()));
    }
    assert_eq!(
        seen,
        [
            (2, vec!["1".to_string(), "2".into()]),
            (3, vec!["3".into(), "4".into()])
        ]
    );
}

#[test]
fn single_column_file() {
    let (_d, _e, reader) = table("a.csv", b"Email\na@b.c\nd@e.f\n");
    let mut reader = reader.expect("opens");
    assert_eq!(reader.headers(), ["Email"]);
    let (rows, _) = drain(&mut reader);
    assert_eq!(rows.len(), 2);
}

/// A matter list read as its clients: each client once, on the first row that names it,
/// with what a later row fills in that the first left empty; a value written another way
/// (case, punctuation) is the same value. A later row that disagrees stays a row of its
/// own, and a row that names no client is not read.
#[test]
fn a_table_read_as_distinct_records_holds_each_once() {
    let (_d, _e, reader) = table(
        "Matters.csv",
        b"Matter,Client,Email,Phone\n\
          M-1,Ada Lovelace,,555-0101\n\
          M-2,Grace Hopper,grace@example.com,555-0102\n\
          M-3,Ada  Lovelace,ada@example.com,555-0101\n\
          M-4,Grace Hopper,hopper@example.org,555-0102\n\
          M-5,,,\n\
          M-6,Grace Hopper,grace@example.com,\n\
          M-7,Ada Lovelace,ADA@example.com,(555) 0101\n",
    );
    let mut reader = reader.expect("opens").distinct(&[1, 2, 3], &[1]);
    assert_eq!(reader.headers(), ["Matter", "Client", "Email", "Phone"]);
    let (rows, errors) = drain(&mut reader);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(row_numbers(&rows), [2, 3, 5]);
    assert_eq!(
        values(&rows),
        [
            ["", "Ada Lovelace", "ada@example.com", "555-0101"],
            ["", "Grace Hopper", "grace@example.com", "555-0102"],
            ["", "Grace Hopper", "hopper@example.org", "555-0102"],
        ]
    );
}
