//! The bad-input corpus at the row level: values a reader accepts but a migration must refuse,
//! each with a clear error naming file, row and field, and no row silently dropped.

use migrationai_ingest::inspect::{inspect, InspectOptions, InspectReport, NoProgress, Problem};
use migrationai_ingest::mapping::Mapping;

const MAPPING: &str = r#"
currency = "USD"
country = "US"
time_zone = "America/New_York"

[[file]]
path = "time.csv"
kind = "billing-items"
[file.columns]
"Entry" = "item_id"
"Matter" = "project_id"
"Type" = "item_type"
"Date" = "date"
"Hours" = "quantity"
"Rate" = "rate"
"Total" = "amount"
"Narrative" = "description"

[[file]]
path = "docs.csv"
kind = "document"
[file.columns]
"Doc" = "document_id"
"Matter" = "project_id"
"Path" = "file_path"
"#;

fn run(files: &[(&str, &str)]) -> (tempfile::TempDir, InspectReport) {
    let mapping = Mapping::parse("mapping.toml", MAPPING).expect("mapping parses");
    inspected(files, Some(mapping))
}

/// `time.csv` inspected with no mapping: kinds, columns and date order as detected.
fn detected(body: &str) -> (tempfile::TempDir, InspectReport) {
    inspected(&[("time.csv", body)], None)
}

fn inspected(
    files: &[(&str, &str)],
    mapping: Option<Mapping>,
) -> (tempfile::TempDir, InspectReport) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, body) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("folder");
        }
        std::fs::write(&path, body).expect("write");
    }
    let opts = InspectOptions {
        mapping,
        problems_per_file: 100,
        ..InspectOptions::default()
    };
    let report = inspect(dir.path(), &opts, &NoProgress).expect("inspect");
    (dir, report)
}

fn problems<'a>(r: &'a InspectReport, file: &str) -> Vec<&'a Problem> {
    r.files
        .iter()
        .filter(|f| f.file == file)
        .flat_map(|f| f.problems.iter())
        .collect()
}

/// Asserts one problem at `row` in `column` with `code`, whose message is plain English.
fn expect(r: &InspectReport, file: &str, row: u64, column: &str, code: &str) {
    let found = problems(r, file)
        .into_iter()
        .find(|p| p.row == Some(row) && p.column.as_deref() == Some(column) && p.code == code);
    let p = found.unwrap_or_else(|| {
        panic!(
            "{file} row {row} \"{column}\" {code}: got {:#?}",
            problems(r, file)
        )
    });
    assert!(p.message.len() > 10, "message explains: {}", p.message);
}

const HEADER: &str = "Entry,Matter,Type,Date,Hours,Rate,Total,Narrative\n";

fn time_csv(rows: &[&str]) -> String {
    let mut s = HEADER.to_string();
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

#[test]
fn every_bad_value_is_named_and_nothing_is_dropped() {
    let body = time_csv(&[
        "T1,M1,time,2024-03-05,1.5,200,300.00,Drafting", // row 2: fine
        "T2,M1,time,03/04/24,1,200,200.00,Two-digit year", // row 3
        "T3,M1,time,03/04/2024,1,200,200.00,Day or month?", // row 4
        "T4,M1,time,2024-03-05,1,200,200.00,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", // row 5
        "T5,M1,expense,2024-03-05,1,-50,-50.00,Negative rate", // row 6
        "T6,M1,time,2024-03-05,1,200,99999999999999999999999999999999,Overflow", // row 7
        "T7,M1,time,2024-03-05,1,200,€200.00,Other currency", // row 8
        "T1,M1,time,2024-03-05,1,200,200.00,Duplicate id", // row 9
        "T9,M1,barter,2024-03-05,1,200,200.00,Unknown type", // row 10
        "T10,M1,time,2024-02-30,1,200,200.00,No such day", // row 11
        "T11,M1,time,2024-03-05,1,200,12.3.4,Not an amount", // row 12
        "T12,,time,2024-03-05,1,200,200.00,No matter",   // row 13
        "T13,M1,time,2024-03-05,lots,200,200.00,Hours in words", // row 14
        "T14,M1,time,2024-03-05,1,200,200.00,\"+SUM(A1:A9)\"", // row 15
    ]);
    let (_dir, r) = run(&[("time.csv", &body)]);
    let f = &r.files[0];
    assert_eq!(f.rows, 14, "every row is counted");
    expect(&r, "time.csv", 3, "Date", "two_digit_year");
    expect(&r, "time.csv", 4, "Date", "ambiguous_date");
    expect(&r, "time.csv", 5, "Narrative", "formula");
    expect(&r, "time.csv", 6, "Rate", "negative_amount");
    expect(&r, "time.csv", 7, "Total", "amount_out_of_range");
    expect(&r, "time.csv", 8, "Total", "currency_mismatch");
    expect(&r, "time.csv", 9, "Entry", "duplicate_id");
    expect(&r, "time.csv", 10, "Type", "invalid_choice");
    expect(&r, "time.csv", 11, "Date", "invalid_date");
    expect(&r, "time.csv", 12, "Total", "invalid_amount");
    expect(&r, "time.csv", 13, "Matter", "required");
    expect(&r, "time.csv", 14, "Hours", "invalid_number");
    expect(&r, "time.csv", 15, "Narrative", "formula");
    // Loaded + rejected = read: one valid row, thirteen problems, one per row.
    assert_eq!(f.valid_rows, 1);
    assert_eq!(f.problem_totals.values().sum::<u64>(), 13);
}

#[test]
fn the_column_decides_day_month_order() {
    // 13/04/2024 shows the column is day-first, so 03/04/2024 is 3 April, not an error.
    let body = time_csv(&[
        "T1,M1,time,13/04/2024,1,200,200.00,a",
        "T2,M1,time,03/04/2024,1,200,200.00,b",
    ]);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("time.csv"), body).expect("write");
    let report = inspect(dir.path(), &InspectOptions::default(), &NoProgress).expect("inspect");
    let f = &report.files[0];
    assert_eq!(
        f.suggestion.date_order,
        Some(migrationai_domain::value::DateOrder::Dmy)
    );
    assert_eq!(f.valid_rows, 2, "{:?}", f.problems);
}

#[test]
fn a_stray_date_typed_the_other_way_does_not_unsettle_the_column() {
    // Twenty-two dates read only day first, one only month first (a slip). The column is
    // day first: 03/04/2024 loads as 3 April, and only the slip is rejected, saying why.
    let mut lines: Vec<String> = (0..22)
        .map(|i| format!("T{i},M1,time,{}/04/2024,1,200,200.00,a", 13 + i % 15))
        .collect();
    lines.push("T90,M1,time,03/04/2024,1,200,200.00,ambiguous".into());
    lines.push("T91,M1,time,04/25/2024,1,200,200.00,slip".into());
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (_dir, r) = detected(&time_csv(&refs));
    let f = &r.files[0];
    assert_eq!(
        f.suggestion.date_order,
        Some(migrationai_domain::value::DateOrder::Dmy)
    );
    assert_eq!(f.valid_rows, 23, "{:?}", f.problems);
    expect(&r, "time.csv", 25, "Date", "invalid_date");
    let slip = f
        .problems
        .iter()
        .find(|p| p.row == Some(25))
        .expect("the slip");
    assert!(
        slip.message.contains("only month first") && slip.message.contains("day first"),
        "{}",
        slip.message
    );
}

#[test]
fn a_column_written_both_ways_keeps_its_order_unknown() {
    // Three dates each way: no side wins, so the ambiguous date is a reject, not a guess.
    let (_dir, r) = detected(&time_csv(&[
        "T1,M1,time,13/04/2024,1,200,200.00,a",
        "T2,M1,time,14/04/2024,1,200,200.00,a",
        "T3,M1,time,15/04/2024,1,200,200.00,a",
        "T4,M1,time,04/13/2024,1,200,200.00,a",
        "T5,M1,time,04/14/2024,1,200,200.00,a",
        "T6,M1,time,04/15/2024,1,200,200.00,a",
        "T7,M1,time,03/04/2024,1,200,200.00,a",
    ]));
    assert_eq!(r.files[0].suggestion.date_order, None);
    expect(&r, "time.csv", 8, "Date", "ambiguous_date");
}

#[test]
fn document_references_stay_inside_the_export() {
    let docs = "Doc,Matter,Path\nD1,M1,files/a.pdf\nD2,M1,../../etc/passwd\nD3,M1,/etc/passwd\nD4,M1,C:\\Windows\\win.ini\nD5,M1,files/missing.pdf\nD6,M1,files\\A.PDF\n";
    let (_dir, r) = run(&[("docs.csv", docs), ("files/a.pdf", "%PDF-1.4 test")]);
    expect(&r, "docs.csv", 3, "Path", "path_traversal");
    expect(&r, "docs.csv", 4, "Path", "absolute_path");
    expect(&r, "docs.csv", 5, "Path", "absolute_path");
    expect(&r, "docs.csv", 6, "Path", "missing_file");
    let f = &r.files[0];
    assert_eq!(f.rows, 6);
    assert_eq!(
        f.valid_rows, 2,
        "a.pdf by its own name and with other case and backslashes: {:?}",
        f.problems
    );
}

#[test]
fn mapping_names_unknown_fields_by_line() {
    let bad = MAPPING.replace("\"Hours\" = \"quantity\"", "\"Hours\" = \"hours_worked\"");
    let e = Mapping::parse("mapping.toml", &bad).expect_err("unknown field");
    assert!(e.to_string().starts_with("mapping.toml:14:"), "{e}");
}

#[test]
fn a_delimited_text_document_is_not_a_table() {
    use migrationai_ingest::{Export, Format, Limits};
    let dir = tempfile::tempdir().expect("temp dir");
    let doc = "Records, St. Mary's Hospital\nPatient seen, discharged, follow-up in two weeks\n";
    std::fs::create_dir_all(dir.path().join("documents/M1")).expect("folder");
    std::fs::write(dir.path().join("documents/M1/records.txt"), doc).expect("write");
    std::fs::write(
        dir.path().join("people.txt"),
        "id|name|email\n1|Ann|a@x.com\n2|Bo|b@x.com\n",
    )
    .expect("write");
    let export = Export::open(dir.path(), &Limits::default()).expect("opens");
    assert_eq!(
        export.entry("documents/M1/records.txt").map(|e| e.format),
        Some(Format::Other)
    );
    assert_eq!(
        export.entry("people.txt").map(|e| e.format),
        Some(Format::Csv)
    );
    // A table nothing recognises gets no kind rather than a guess.
    std::fs::write(dir.path().join("weird.csv"), "alpha,beta,gamma\nx,y,z\n").expect("write");
    let report = inspect(dir.path(), &InspectOptions::default(), &NoProgress).expect("inspect");
    let weird = report
        .files
        .iter()
        .find(|f| f.file == "weird.csv")
        .expect("inspected");
    assert_eq!(
        weird.kind, None,
        "scores: {:?}",
        weird.suggestion.kind_scores
    );
}

/// Inspects `files` with the proposed mapping.
fn proposed(files: &[(&str, &str)]) -> (tempfile::TempDir, InspectReport) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).expect("write");
    }
    let opts = InspectOptions {
        problems_per_file: 100,
        ..InspectOptions::default()
    };
    let report = inspect(dir.path(), &opts, &NoProgress).expect("inspect");
    (dir, report)
}

/// The canonical records of a table under a report's mapping.
fn records(
    dir: &std::path::Path,
    report: &InspectReport,
    table: &str,
) -> Vec<Result<migrationai_domain::CanonicalRecord, Vec<String>>> {
    use migrationai_ingest::transform::RowMapper;
    use migrationai_ingest::{open_table, Export, Limits};
    let export = Export::open(dir, &Limits::default()).expect("opens");
    let entry = export.entry(table).expect("listed").clone();
    let reader = open_table(&export, &entry).expect("table");
    let headers = reader.headers().to_vec();
    let fm = report.mapping.file(table).expect("mapped");
    let mapper = RowMapper::new(&report.mapping, fm, &headers).expect("has a kind");
    reader
        .map(|row| {
            let row = row.expect("row");
            mapper
                .apply(&row)
                .map_err(|ps| ps.into_iter().map(|p| p.code).collect())
        })
        .collect()
}

fn decimal(record: &migrationai_domain::CanonicalRecord, field: &str) -> String {
    match record.get(field) {
        Some(migrationai_domain::Value::Decimal(d)) => d.to_string(),
        Some(migrationai_domain::Value::Money(m)) => m.amount.to_string(),
        other => panic!("{field}: {other:?}"),
    }
}

#[test]
fn decimal_commas_in_hours_stay_hours() {
    // Hours "1,5" once became 15 while money "1,5" on the same row became 1.5.
    let body = "Entry;Matter;Type;Date;Hours;Rate;Total;Narrative\n\
                T1;M1;time;2024-03-05;1,5;200,00;300,00;Drafting\n\
                T2;M1;time;2024-03-05;0,25;200,00;50,00;Call\n\
                T3;M1;time;2024-03-05;2;1.200,00;2.400,00;Hearing\n";
    let (dir, r) = proposed(&[("time.csv", body)]);
    let fm = r.mapping.file("time.csv").expect("mapped");
    use migrationai_domain::value::DecimalSeparator::Comma;
    for header in ["Hours", "Rate", "Total"] {
        assert!(
            fm.decimal.contains(&(header.to_string(), Comma)),
            "{header}: {:?}",
            fm.decimal
        );
    }
    assert!(
        r.mapping_toml.contains("[file.decimal]"),
        "{}",
        r.mapping_toml
    );
    let got: Vec<(String, String, String)> = records(dir.path(), &r, "time.csv")
        .into_iter()
        .map(|rec| {
            let rec = rec.expect("loads");
            (
                decimal(&rec, "quantity"),
                decimal(&rec, "rate"),
                decimal(&rec, "amount"),
            )
        })
        .collect();
    let want = [
        ("1.5", "200.00", "300.00"),
        ("0.25", "200.00", "50.00"),
        ("2", "1200.00", "2400.00"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn a_decimal_comma_in_a_decimal_point_column_is_rejected_not_multiplied() {
    let mapping = format!(
        "{MAPPING}[file.decimal]\n\"Hours\" = \".\"\n",
        MAPPING = MAPPING
            .split("\n[[file]]\npath = \"docs.csv\"")
            .next()
            .unwrap_or_default()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let body = time_csv(&[
        "T1,M1,time,2024-03-05,1.5,200,300.00,ok",
        "T2,M1,time,2024-03-05,\"1,5\",200,300.00,comma in a point column",
    ]);
    std::fs::write(dir.path().join("time.csv"), body).expect("write");
    let opts = InspectOptions {
        mapping: Some(Mapping::parse("m.toml", &mapping).expect("parses")),
        problems_per_file: 100,
        ..InspectOptions::default()
    };
    let r = inspect(dir.path(), &opts, &NoProgress).expect("inspect");
    expect(&r, "time.csv", 3, "Hours", "invalid_number");
    assert_eq!(r.files[0].valid_rows, 1);
}

#[test]
fn a_column_whose_separator_the_values_cannot_tell_is_a_question() {
    use migrationai_ingest::question::Topic;
    let body = "Entry,Matter,Type,Date,Hours,Rate,Total,Narrative\n\
                T1,M1,time,2024-03-05,\"1,250\",200.00,250.00,a\n\
                T2,M1,time,2024-03-05,\"2,500\",200.00,500.00,b\n\
                T3,M1,time,2024-03-05,3,200.00,600.00,c\n";
    let (_dir, r) = proposed(&[("time.csv", body)]);
    let q: Vec<_> = r
        .questions()
        .filter(|q| q.topic == Topic::DecimalSeparator)
        .collect();
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].column.as_deref(), Some("Hours"));
    assert_eq!(q[0].proposed, None, "never a guess");
    expect(&r, "time.csv", 2, "Hours", "ambiguous_number");
    expect(&r, "time.csv", 3, "Hours", "ambiguous_number");
    assert_eq!(r.files[0].valid_rows, 1);
}

#[test]
fn an_impossible_time_in_a_date_column_is_a_reject() {
    let body = time_csv(&[
        "T1,M1,time,12/31/2024 23:00,1,200,200.00,ok",
        "T2,M1,time,12/31/2024 25:00,1,200,200.00,no such hour",
    ]);
    let (_dir, r) = run(&[("time.csv", &body)]);
    expect(&r, "time.csv", 3, "Date", "invalid_date");
    assert_eq!(r.files[0].valid_rows, 1);
}

#[test]
fn the_encoding_is_pinned_in_the_mapping_or_asked_about() {
    use migrationai_ingest::question::Topic;
    use migrationai_ingest::TextEncoding;
    let dir = tempfile::tempdir().expect("temp dir");
    let czech = encoding_rs::ISO_8859_15
        .encode("Contact ID,First Name,Last Name\nC1,Šárka,Žižková\n")
        .0
        .into_owned();
    let doubtful = encoding_rs::ISO_8859_15
        .encode("Contact ID,First Name,Last Name,Share\nC2,Luboš,Kos,Œ\nC3,Ivo,Šustr,œ\n")
        .0
        .into_owned();
    std::fs::write(dir.path().join("czech.csv"), czech).expect("write");
    std::fs::write(dir.path().join("doubtful.csv"), doubtful).expect("write");
    let report = inspect(dir.path(), &InspectOptions::default(), &NoProgress).expect("inspect");
    assert!(
        report.mapping_toml.contains("encoding = \"ISO-8859-15\""),
        "{}",
        report.mapping_toml
    );
    let czech = report.mapping.file("czech.csv").expect("mapped");
    assert_eq!(czech.encoding, TextEncoding::from_label("ISO-8859-15"));
    let doubtful = report.mapping.file("doubtful.csv").expect("proposed");
    assert_eq!(doubtful.encoding, None, "never pinned on a guess");
    let asked: Vec<_> = report
        .questions()
        .filter(|q| q.topic == Topic::Encoding)
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].table, "doubtful.csv");
    // Naming it answers the question and pins it.
    let opts = InspectOptions {
        encodings: vec![(
            "doubtful.csv".into(),
            TextEncoding::from_label("ISO-8859-15").expect("label"),
        )],
        ..InspectOptions::default()
    };
    let report = inspect(dir.path(), &opts, &NoProgress).expect("inspect");
    assert_eq!(
        report
            .questions()
            .filter(|q| q.topic == Topic::Encoding)
            .count(),
        0
    );
    let file = report
        .files
        .iter()
        .find(|f| f.file == "doubtful.csv")
        .expect("read");
    assert_eq!(file.encoding, "ISO-8859-15");
    assert!(report.mapping_toml.contains("encoding = \"ISO-8859-15\""));
}

/// A firm outside the United States writes its numbers without "+61": the country comes from
/// the numbers themselves, so its contacts load instead of failing as invalid US numbers.
#[test]
fn phone_numbers_without_a_country_code_are_read_in_the_country_they_fit() {
    let contacts = "Contact ID,First Name,Last Name,Mobile,Email\n\
        C1,Olivia,Nguyen,0412 345 678,olivia@example.com.au\n\
        C2,Jack,Smith,0423 456 789,jack@example.com.au\n\
        C3,Mia,Brown,(02) 9876 5432,mia@example.com.au\n\
        C4,Noah,Wilson,0400 111 222,noah@example.com.au\n\
        C5,Ava,Taylor,0413 222 333,ava@example.com.au\n\
        C6,Liam,Jones,(03) 9123 4567,liam@example.com.au\n";
    let (dir, report) = proposed(&[("Contacts.csv", contacts)]);
    assert_eq!(report.mapping.country.as_deref(), Some("AU"));
    assert!(
        report.mapping_toml.contains("country = \"AU\""),
        "{}",
        report.mapping_toml
    );
    let rows = records(dir.path(), &report, "Contacts.csv");
    assert_eq!(rows.len(), 6);
    for r in &rows {
        assert!(r.is_ok(), "{r:?}");
    }
    let rendered = format!("{:?}", rows[0]);
    assert!(rendered.contains("+61412345678"), "{rendered}");

    // The same people with numbers of the United States keep the default.
    let us = contacts
        .replace("0412 345 678", "(212) 555-0143")
        .replace("0423 456 789", "415-555-0199")
        .replace("(02) 9876 5432", "312 555 0100")
        .replace("0400 111 222", "(646) 555-0123")
        .replace("0413 222 333", "718-555-0144")
        .replace("(03) 9123 4567", "202.555.0165");
    let (_dir, report) = proposed(&[("Contacts.csv", &us)]);
    assert_eq!(report.mapping.country.as_deref(), Some("US"));
    assert_eq!(
        report
            .questions()
            .filter(|q| q.setting.starts_with("country"))
            .count(),
        0
    );
}

#[test]
fn time_written_in_six_minute_units_or_minutes_is_migrated_as_hours() {
    use migrationai_ingest::question::Topic;
    use migrationai_ingest::units::QuantityUnit;
    // Another vendor's style: 6-minute units beside a rate and an amount, expenses mixed in.
    let units =
        "Line No,File Number,Entry Category,Worked On,Units,Billing Rate,Line Total,Narrative\n\
        L1,F-100,Time,03/15/2024,2,250.00,50.00,Call with client\n\
        L2,F-100,Time,03/15/2024,10,250.00,250.00,Draft motion\n\
        L3,F-100,Expense,03/16/2024,40,0.25,10.00,Copies\n\
        L4,F-101,Time,03/17/2024,15,300.00,450.00,Hearing\n\
        L5,F-101,Time,03/18/2024,3,300.00,90.00,Review\n";
    let (dir, report) = proposed(&[("WIP Export.csv", units)]);
    let fm = report.mapping.file("WIP Export.csv").expect("mapped");
    assert_eq!(
        fm.quantity_unit,
        QuantityUnit::Tenths,
        "{}",
        report.mapping_toml
    );
    assert!(
        report
            .mapping_toml
            .contains("quantity_unit = \"tenths\"  # "),
        "{}",
        report.mapping_toml
    );
    assert_eq!(
        report
            .questions()
            .filter(|q| q.topic == Topic::QuantityUnit)
            .count(),
        0
    );
    let quantities: Vec<String> = records(dir.path(), &report, "WIP Export.csv")
        .into_iter()
        .map(|r| decimal(&r.expect("loads"), "quantity"))
        .collect();
    // Expense L3's 40 copies stay 40.
    assert_eq!(quantities, ["0.2", "1.0", "40", "1.5", "0.3"]);

    // Minutes, under other headers again.
    let minutes = "Slip,Case Ref,Slip Type,Day,Duration (min),Hourly Rate,Total Charge,Memo\n\
        S1,C-9,time,2024-04-02,90,200.00,300.00,Research\n\
        S2,C-9,time,2024-04-02,50,200.00,166.67,Letter\n\
        S3,C-9,time,2024-04-03,6,250.00,25.00,Email\n";
    let (dir, report) = proposed(&[("slips.csv", minutes)]);
    let fm = report.mapping.file("slips.csv").expect("mapped");
    assert_eq!(
        fm.quantity_unit,
        QuantityUnit::Minutes,
        "{}",
        report.mapping_toml
    );
    let quantities: Vec<String> = records(dir.path(), &report, "slips.csv")
        .into_iter()
        .map(|r| decimal(&r.expect("loads"), "quantity"))
        .collect();
    assert_eq!(quantities, ["1.5", "0.8333", "0.1"]);
}
