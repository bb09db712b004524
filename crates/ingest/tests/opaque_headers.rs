//! The sample export with every CSV header replaced by "C1".."Cn": only the file names and
//! the values are left to say what each column is. Whatever is recognised must be right
//! (no column mapped to a field the ground truth does not give it), and what the values
//! alone prove must be found: line totals written as money, a payment's one amount, an invoice's discount and what
//! paid and due split, choices by their options, references to every contact (those whose
//! rows are refused too), organisations by the rows that have no person's name, checksums
//! and paths to files.

use migrationai_ingest::inspect::{inspect, InspectOptions, InspectReport, NoProgress};
use migrationai_sample::{generate, GroundTruth, SampleOptions, Size};

/// The header line of a CSV file's bytes rewritten as C1..Cn, in its own delimiter; the
/// rest of the file (and its encoding) untouched.
fn opaque(bytes: &[u8]) -> Vec<u8> {
    let bom: &[u8] = if bytes.starts_with(b"\xEF\xBB\xBF") {
        b"\xEF\xBB\xBF"
    } else {
        b""
    };
    let body = &bytes[bom.len()..];
    let end = body
        .iter()
        .position(|b| *b == b'\n')
        .expect("a header line");
    let header = String::from_utf8_lossy(&body[..end]);
    let delimiter = [',', ';', '\t', '|']
        .into_iter()
        .max_by_key(|d| header.matches(*d).count())
        .expect("a delimiter");
    let columns = header.split(delimiter).count();
    let names: Vec<String> = (1..=columns).map(|i| format!("C{i}")).collect();
    let cr = if header.ends_with('\r') { "\r" } else { "" };
    let mut out = bom.to_vec();
    out.extend(format!("{}{cr}", names.join(&delimiter.to_string())).as_bytes());
    out.extend(&body[end..]);
    out
}

fn inspected() -> (tempfile::TempDir, GroundTruth, InspectReport) {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = generate(&SampleOptions {
        size: Size::Small,
        seed: 42,
        out: dir.path().to_path_buf(),
        zip: false,
    })
    .expect("sample generates");
    let text = std::fs::read_to_string(&summary.ground_truth).expect("ground truth");
    let truth: GroundTruth = serde_json::from_str(&text).expect("ground truth parses");
    for entry in std::fs::read_dir(&summary.export).expect("export folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "csv") {
            let bytes = std::fs::read(&path).expect("read");
            std::fs::write(&path, opaque(&bytes)).expect("write");
        }
    }
    let report =
        inspect(&summary.export, &InspectOptions::default(), &NoProgress).expect("inspect");
    (dir, truth, report)
}

/// The ground truth's field for a file's column "Cn" (or a header kept, outside CSV).
fn truth_field(truth: &GroundTruth, file: &str, header: &str) -> Option<String> {
    let ft = truth.files.get(file)?;
    let at = header
        .strip_prefix('C')
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|_| file.ends_with(".csv"));
    match at {
        Some(n) => ft.columns.get(n - 1)?.field.clone(),
        None => ft
            .columns
            .iter()
            .find(|c| c.header == header)?
            .field
            .clone(),
    }
}

fn mapped(report: &InspectReport, file: &str) -> Vec<(String, String)> {
    let f = report
        .files
        .iter()
        .find(|f| f.file == file)
        .unwrap_or_else(|| panic!("{file} inspected"));
    f.suggestion
        .columns
        .iter()
        .filter_map(|c| c.field.map(|field| (c.header.clone(), field.to_string())))
        .collect()
}

#[test]
fn what_the_values_prove_is_found_and_nothing_recognised_is_wrong() {
    let (_dir, truth, report) = inspected();
    // Precision: every table recognised is of its true kind, every column mapped is its
    // true field.
    for f in &report.files {
        let name = f.file.split('#').next().unwrap_or(&f.file);
        let Some(ft) = truth.files.get(name) else {
            continue;
        };
        let Some(kind) = f.kind else { continue };
        assert_eq!(kind, ft.kind, "{}: kind", f.file);
        for (header, field) in mapped(&report, &f.file) {
            assert_eq!(
                truth_field(&truth, name, &header).as_deref(),
                Some(field.as_str()),
                "{}: {header} mapped to {field}",
                f.file
            );
        }
    }
    // Recall of what the values alone prove.
    let expect = [
        // Hours × "$225.00" = "$1,597.50"; "TimeEntry" and "ExpenseEntry" are entry types.
        (
            "Activities.csv",
            &["quantity", "rate", "amount", "item_type", "project_id"][..],
        ),
        // Subtotal less a steady discount is the total, which paid and due split.
        (
            "Bills.csv",
            &[
                "subtotal",
                "discount",
                "total",
                "paid_amount",
                "balance_due",
                "status",
            ],
        ),
        // Clients are contacts' keys, organisations' among them.
        ("Matters.csv", &["client_id", "status", "billing_method"]),
        (
            "Contacts.csv",
            &[
                "first_name",
                "last_name",
                "organization",
                "email",
                "phone",
                "contact_type",
            ],
        ),
        ("Documents.csv", &["file_path", "sha256", "project_id"]),
        ("Emails.csv", &["project_id"]),
        // The one amount of rows that name invoices, and then their one date.
        (
            "Payments.csv",
            &["invoice_id", "amount", "paid_on", "method"],
        ),
    ];
    for (file, fields) in expect {
        let got: Vec<String> = mapped(&report, file).into_iter().map(|(_, f)| f).collect();
        for field in fields {
            assert!(
                got.iter().any(|g| g == field),
                "{file}: {field} found from the values; mapped {got:?}"
            );
        }
    }
    // Every organisation keeps its name: no contact is refused for having none.
    let contacts = report
        .files
        .iter()
        .find(|f| f.file == "Contacts.csv")
        .expect("contacts");
    assert_eq!(
        contacts.problem_totals.get("required"),
        None,
        "{:?}",
        contacts.problem_totals
    );
}
