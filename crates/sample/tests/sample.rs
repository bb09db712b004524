//! The sample is deterministic, its files are what the ground truth says they are, and the
//! truth adds up.

use migrationai_domain::{kind_def, Kind};
use migrationai_sample::{generate, GroundTruth, SampleOptions, Size, EXTRA_COLUMNS};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn run(dir: &Path, seed: u64, zip: bool) -> (migrationai_sample::Summary, GroundTruth) {
    let summary = generate(&SampleOptions {
        size: Size::Small,
        seed,
        out: dir.to_path_buf(),
        zip,
    })
    .expect("sample generates");
    let truth: GroundTruth = serde_json::from_slice(
        &std::fs::read(dir.join("ground_truth.json")).expect("truth written"),
    )
    .expect("truth parses");
    (summary, truth)
}

fn files_under(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path: PathBuf = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                let name: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(name.join("/"), std::fs::read(&path).expect("readable"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Header and data rows of a tabular file, decoded as the truth says.
fn read_table(export: &Path, path: &str, truth: &GroundTruth) -> (Vec<String>, usize) {
    let info = &truth.files[path];
    let bytes = std::fs::read(export.join(path)).expect("file exists");
    match info.format.as_str() {
        "xlsx" => {
            use calamine::{open_workbook, Reader, Xlsx};
            let mut wb: Xlsx<_> = open_workbook(export.join(path)).expect("xlsx opens");
            let range = wb
                .worksheet_range_at(0)
                .expect("a sheet")
                .expect("sheet reads");
            let mut rows = range.rows();
            let header = rows
                .next()
                .expect("header")
                .iter()
                .map(|c| c.to_string())
                .collect();
            (header, rows.count())
        }
        "jsonl" => {
            let text = String::from_utf8(bytes).expect("utf-8");
            let first: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(text.lines().next().expect("a line")).expect("json");
            let header = info.columns.iter().map(|c| c.header.clone()).collect();
            assert_eq!(first.len(), info.columns.len());
            (header, text.lines().count())
        }
        _ => {
            let text = match info.encoding.as_deref() {
                Some("windows-1252") => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
                Some("utf-8-bom") => String::from_utf8(bytes[3..].to_vec()).expect("utf-8"),
                _ => String::from_utf8(bytes).expect("utf-8"),
            };
            let delim = info.delimiter.as_deref().expect("csv delimiter").as_bytes()[0];
            let mut r = csv::ReaderBuilder::new()
                .delimiter(delim)
                .from_reader(text.as_bytes());
            let header = r
                .headers()
                .expect("header")
                .iter()
                .map(str::to_string)
                .collect();
            let n = r
                .records()
                .collect::<Result<Vec<_>, _>>()
                .expect("records parse")
                .len();
            (header, n)
        }
    }
}

#[test]
fn same_seed_same_bytes_and_truth_adds_up() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    let (summary, truth) = run(a.path(), 7, false);
    run(b.path(), 7, false);
    assert!(summary.surprises.is_empty(), "{:#?}", summary.surprises);
    assert_eq!(files_under(a.path()), files_under(b.path()));
    println!(
        "small: {} rows in {:.3} s",
        summary.total_rows,
        summary.elapsed.as_secs_f64()
    );

    assert_eq!(truth.kinds.len(), 12);
    let export = a.path().join("export");
    let mut rows_by_kind: BTreeMap<Kind, usize> = BTreeMap::new();
    for (path, info) in &truth.files {
        let (_, rows) = read_table(&export, path, &truth);
        assert_eq!(rows, info.data_rows, "{path}");
        *rows_by_kind.entry(info.kind).or_default() += rows;
    }
    for (kind, c) in &truth.kinds {
        assert_eq!(c.source_rows, c.loaded + c.rejected, "{kind}");
        assert_eq!(rows_by_kind[kind], c.source_rows, "{kind}");
        let rejects = truth.rejects.iter().filter(|r| r.kind == *kind).count();
        assert_eq!(rejects, c.rejected, "{kind}");
        assert!(c.rejected > 0, "{kind} has dirt");
    }
    let codes: Vec<&str> = truth.rejects.iter().map(|r| r.code.as_str()).collect();
    for code in [
        "invalid_email",
        "two_digit_year",
        "invalid_date",
        "invalid_amount",
        "negative_amount",
        "duplicate_id",
        "orphan_reference",
        "missing_file",
        "nonexistent_local_time",
    ] {
        assert!(codes.contains(&code), "no {code} reject");
    }
    assert!(!truth.duplicate_groups.is_empty());
    assert!(!truth.trust_mismatches.is_empty());
    assert!(!truth.invoice_mismatches.is_empty());
    for (id, sha) in &truth.documents {
        assert_eq!(sha.len(), 64, "{id}");
    }
    assert!(truth.email_attachments.values().any(|a| a.len() == 2));
}

#[test]
fn encodings_are_as_claimed() {
    let dir = tempfile::tempdir().expect("tmp");
    let (_, truth) = run(dir.path(), 11, false);
    let export = dir.path().join("export");
    let matters = std::fs::read(export.join("Matters.csv")).expect("matters");
    assert_eq!(&matters[..3], b"\xEF\xBB\xBF");
    assert_eq!(
        truth.files["Matters.csv"].encoding.as_deref(),
        Some("utf-8-bom")
    );
    let contacts = std::fs::read(export.join("Contacts.csv")).expect("contacts");
    assert_ne!(&contacts[..3], b"\xEF\xBB\xBF");
    assert!(std::str::from_utf8(&contacts).is_err(), "not UTF-8");
    // é, ü or ë as single Windows-1252 bytes.
    assert!(contacts.iter().any(|b| [0xE9, 0xFC, 0xEB].contains(b)));
    assert_eq!(
        truth.files["Contacts.csv"].encoding.as_deref(),
        Some("windows-1252")
    );
    for (path, info) in &truth.files {
        if info.encoding.as_deref() == Some("utf-8") && info.format == "csv" {
            let bytes = std::fs::read(export.join(path)).expect("file");
            assert!(std::str::from_utf8(&bytes).is_ok(), "{path}");
            assert_ne!(&bytes[..3], b"\xEF\xBB\xBF", "{path}");
        }
    }
}

fn normalise(header: &str) -> String {
    header.to_lowercase().replace(['_', '-'], " ")
}

#[test]
fn headers_are_vendor_synonyms_or_declared_extras() {
    let dir = tempfile::tempdir().expect("tmp");
    let (_, truth) = run(dir.path(), 3, false);
    let export = dir.path().join("export");
    for (path, info) in &truth.files {
        let def = kind_def(info.kind);
        let (header, _) = read_table(&export, path, &truth);
        let declared: Vec<&str> = info.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(header, declared, "{path}");
        for col in &info.columns {
            let (plain, folded) = (col.header.to_lowercase(), normalise(&col.header));
            let matches: Vec<&str> = def
                .fields
                .iter()
                .filter(|f| f.synonyms.iter().any(|s| *s == plain || *s == folded))
                .map(|f| f.name)
                .collect();
            match &col.field {
                Some(field) => {
                    assert_ne!(
                        col.header.to_lowercase(),
                        field.replace('_', " "),
                        "{path}: canonical name"
                    );
                    assert_eq!(matches, vec![field.as_str()], "{path}: {}", col.header)
                }
                None => {
                    assert!(
                        EXTRA_COLUMNS.contains(&col.header.as_str()),
                        "{}",
                        col.header
                    );
                    assert!(matches.is_empty(), "{path}: extra {} maps", col.header);
                }
            }
        }
        let fields: Vec<&String> = info
            .columns
            .iter()
            .filter_map(|c| c.field.as_ref())
            .collect();
        let mut unique = fields.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), fields.len(), "{path}: a field twice");
    }
}

#[test]
fn zip_holds_the_same_files() {
    let plain = tempfile::tempdir().expect("tmp");
    let zipped = tempfile::tempdir().expect("tmp");
    let (_, t1) = run(plain.path(), 5, false);
    let (summary, t2) = run(zipped.path(), 5, true);
    assert_eq!(t1, t2);
    assert!(summary.export.ends_with("export.zip"));
    assert!(!zipped.path().join("export").exists());
    let expected = files_under(&plain.path().join("export"));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&summary.export).expect("zip"))
        .expect("zip reads");
    let mut found = BTreeMap::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).expect("entry");
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut buf).expect("entry reads");
        found.insert(f.name().to_string(), buf);
    }
    assert_eq!(
        found.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert_eq!(found, expected);
}

/// A billing item is billed once, as in any real system: a matter's first bill lists its
/// items and no later bill lists them again (a bill with none left is a flat amount).
#[test]
fn no_billing_item_is_listed_on_two_bills() {
    let dir = tempfile::tempdir().expect("tmp");
    let (_, truth) = run(dir.path(), 7, false);
    let export = dir.path().join("export");
    let mut listed_on: BTreeMap<String, String> = BTreeMap::new();
    let mut bills_with_items = 0;
    for (path, info) in &truth.files {
        if info.kind != Kind::BillingInvoice {
            continue;
        }
        let column = |field: &str| {
            info.columns
                .iter()
                .position(|c| c.field.as_deref() == Some(field))
                .unwrap_or_else(|| panic!("{path} has no {field} column"))
        };
        let (id_at, items_at) = (column("invoice_id"), column("billing_item_ids"));
        assert_eq!(info.format, "csv", "{path}");
        let delim = info.delimiter.as_deref().expect("csv delimiter").as_bytes()[0];
        let mut r = csv::ReaderBuilder::new()
            .delimiter(delim)
            .from_path(export.join(path))
            .expect("bills open");
        for row in r.records() {
            let row = row.expect("a bill");
            let bill = row.get(id_at).expect("bill id").to_string();
            let items = row.get(items_at).expect("line items");
            if !items.is_empty() {
                bills_with_items += 1;
            }
            for item in items.split(';').filter(|i| !i.is_empty()) {
                if let Some(earlier) = listed_on.insert(item.to_string(), bill.clone()) {
                    panic!("{item} is on bill {earlier} and again on bill {bill}");
                }
            }
        }
    }
    assert!(bills_with_items > 0, "some bills list billing items");
}
