//! An export in the style of an older practice system, migrated with no mapping file:
//! tab-separated `.TXT` tables in capitals, dates written "mm/dd/yy", the matter's name in a
//! column headed "Re:", a "Home Phone" column left blank beside a filled "Bus Phone", invoices
//! that state what was paid on them with no payments table, and a trust ledger with receipts
//! and disbursements in columns of their own. Every row must load, and the invoices' balances
//! must reconcile with what the export itself states.

mod common;

use common::{assert_all_loaded, config, migrate, Inspected};
use migrationai_domain::Kind;
use std::fmt::Write as _;
use std::path::Path;

const CONTACTS: usize = 24;
const MATTERS: usize = 18;
const SLIPS: usize = 45;
const BILLS: usize = 12;

fn write_export(dir: &Path) {
    let last = ["Ng", "Patel", "Garcia", "Okafor", "Lindqvist", "Moreau"];
    let first = ["Ann", "Bela", "Chidi", "Dana", "Emil", "Farah", "Goran"];
    let mut names = String::from(
        "Name ID\tLast\tFirst\tFirm\tBus Phone\tHome Phone\tE-Mail Address\tCity\tST\tZip\n",
    );
    for i in 0..CONTACTS {
        let (f, l) = (first[i % first.len()], last[i % last.len()]);
        let _ = writeln!(
            names,
            "N{:04}\t{l}\t{f}\t\t(312) {}-{:04}\t\t{}.{}{i}@example.com\tChicago\tIL\t606{:02}",
            i + 1,
            555 - i,
            1000 + 37 * i,
            f.to_lowercase(),
            l.to_lowercase(),
            i % 60
        );
    }
    let mut matters = String::from("Matter #\tName ID\tRe:\tDate Opened\tResp Atty\tStatus\n");
    for m in 0..MATTERS {
        let _ = writeln!(
            matters,
            "{}-{:03}\tN{:04}\t{} {} v. {} ({})\t{:02}/{:02}/{:02}\t{}\t{}",
            2019 + m % 5,
            m + 1,
            (m * 5) % CONTACTS + 1,
            first[m % first.len()],
            last[m % last.len()],
            last[(m + 1) % last.len()],
            ["lease", "estate", "injury"][m % 3],
            1 + m % 12,
            1 + (m * 7) % 28,
            19 + m % 5,
            ["JRS", "KLM"][m % 2],
            ["Open", "Closed"][m % 2]
        );
    }
    let matter = |i: usize| format!("{}-{:03}", 2019 + i % 5, i % MATTERS + 1);
    let mut time = String::from("Slip #\tDate\tMatter #\tAtty\tHrs\tRate\tAmount\tNarrative\n");
    for s in 0..SLIPS {
        let tenths = [1, 3, 5, 10, 15, 25][s % 6];
        let rate = [150, 275, 350][s % 3];
        let _ = writeln!(
            time,
            "{}\t{:02}/{:02}/23\t{}\t{}\t{}.{}\t{rate}.00\t{:.2}\tDraft and review, item {s}",
            1001 + s,
            1 + s % 12,
            1 + s % 28,
            matter(s % MATTERS),
            ["JRS", "KLM"][s % 2],
            tenths / 10,
            tenths % 10,
            f64::from(rate * tenths) / 10.0
        );
    }
    let mut bills =
        String::from("Bill #\tMatter #\tBill Date\tFees\tCosts\tTotal\tPaid\tBalance\n");
    for b in 0..BILLS {
        let fees = 1000 + 250 * b;
        let costs = [0, 25, 80][b % 3];
        let total = fees + costs;
        let paid = [0, total, 500][b % 3];
        let _ = writeln!(
            bills,
            "B{:05}\t{}\t{:02}/{:02}/24\t{fees}.00\t{costs}.00\t{total}.00\t{paid}.00\t{}.00",
            b + 1,
            matter(b),
            1 + b % 12,
            2 + b,
            total - paid
        );
    }
    let mut trust =
        String::from("Entry\tDate\tMatter #\tCheck #\tReceipt\tDisbursement\tBalance\n");
    let mut entry = 0;
    for m in 0..6 {
        let mut balance = 0;
        for k in 0..4 {
            entry += 1;
            let (receipt, paid_out) = if k % 2 == 0 {
                (1000 * (k + 1), 0)
            } else {
                (0, 150)
            };
            balance += receipt - paid_out;
            let cell = |v: i32| {
                if v == 0 {
                    String::new()
                } else {
                    format!("{v}.00")
                }
            };
            let _ = writeln!(
                trust,
                "{entry}\t02/{:02}/24\t{}\t{}\t{}\t{}\t{balance}.00",
                1 + k,
                matter(m),
                if paid_out > 0 {
                    format!("{}", 3000 + entry)
                } else {
                    String::new()
                },
                cell(receipt),
                cell(paid_out),
            );
        }
    }
    std::fs::create_dir_all(dir).expect("export folder");
    for (name, text) in [
        ("NAMES.TXT", names),
        ("MATTERS.TXT", matters),
        ("TIME.TXT", time),
        ("BILLS.TXT", bills),
        ("TRUST.TXT", trust),
    ] {
        std::fs::write(dir.join(name), text).expect("write table");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_systems_export_migrates_whole_with_no_mapping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    write_export(&export);

    let inspected = Inspected::of(&export);
    let field_of = |table: &str, header: &str| inspected.field_of(table, header);
    for (table, kind) in [
        ("NAMES.TXT", Kind::Contacts),
        ("MATTERS.TXT", Kind::Projects),
        ("TIME.TXT", Kind::BillingItems),
        ("BILLS.TXT", Kind::BillingInvoice),
        ("TRUST.TXT", Kind::ProjectFunds),
    ] {
        assert_eq!(inspected.table(table).kind, Some(kind), "{table}");
    }
    // The filled phone column is the primary, not the blank one beside it, which keeps
    // its own field (a home number, none given here).
    assert_eq!(field_of("NAMES.TXT", "Bus Phone"), Some("phone"));
    assert_eq!(field_of("NAMES.TXT", "Home Phone"), Some("home_phone"));
    // Titles fill the matter's name; the linked column is its client.
    assert_eq!(field_of("MATTERS.TXT", "Re:"), Some("name"));
    assert_eq!(field_of("MATTERS.TXT", "Name ID"), Some("client_id"));
    // A date column is a date, never a key, whatever its uniqueness.
    assert_eq!(field_of("BILLS.TXT", "Bill Date"), Some("issued_on"));
    let windows: Vec<_> = inspected
        .0
        .files
        .iter()
        .filter_map(|f| f.suggestion.two_digit_years)
        .collect();
    assert_eq!(
        windows.len(),
        4,
        "every table with dates reads two-digit years"
    );

    let data = dir.path().join("data");
    let report = migrate(&export, None, None, &config(&data), &|_| {})
        .await
        .expect("migrates");
    assert_all_loaded(
        &report,
        &[
            (Kind::Contacts, CONTACTS),
            (Kind::Projects, MATTERS),
            (Kind::BillingItems, SLIPS),
            (Kind::BillingInvoice, BILLS),
            (Kind::ProjectFunds, 24),
        ],
    );
    // With no payments in the export, each invoice's stated paid amount stands for them.
    assert!(
        report.invoice_mismatches.is_empty(),
        "{:?}",
        report.invoice_mismatches
    );
    // B00003: 1,500.00 fees and 80.00 costs, 500.00 paid.
    assert_eq!(
        report.invoice_balance["B00003"],
        rust_decimal::Decimal::from(1080)
    );
    assert!(report.verdict.migrated, "{:?}", report.verdict.failures);
}
