//! A small firm's export in a style of its own: clients named "Last, First", cases keyed by
//! number, invoices with an internal id nobody refers to and an invoice number the payments
//! name, and no time entries at all (every invoice a flat amount). It must migrate whole:
//! the payments reach their invoices by number, invoices with no line items are whole, and
//! appointments written as a date and a time of day in two columns keep their time.

mod common;

use common::{assert_all_loaded, config, open, stored, Inspected};
use migrationai_domain::Kind;
use std::fmt::Write as _;
use std::path::Path;

const CLIENTS: usize = 20;
const CASES: usize = 30;
const INVOICES: usize = 25;
const APPOINTMENTS: usize = 12;

fn write_export(dir: &Path) -> usize {
    std::fs::create_dir_all(dir).expect("export folder");
    let mut clients = String::from("Client No,Name,Type,Phone,Email\n");
    for i in 0..CLIENTS {
        let _ = writeln!(
            clients,
            "{},\"{}, {}{i}\",{},(212) 555-{:04},c{i}@mail.example.com",
            100 + i,
            ["Lee", "Park", "Diaz", "Khan", "Ito"][i % 5],
            ["Ann", "Bo", "Cy", "Di", "Ed"][i % 5],
            if i % 4 == 0 { "Business" } else { "Individual" },
            1000 + i
        );
    }
    let mut cases = String::from("Case No,Client No,Case Name,Opened\n");
    for i in 0..CASES {
        let _ = writeln!(
            cases,
            "{},{},Estate of client {i},01/{:02}/2024",
            2_024_000 + i,
            100 + i % CLIENTS,
            1 + i % 28
        );
    }
    let mut invoices =
        String::from("Invoice ID,Invoice #,Case No,Invoice Date,Amount,Paid,Balance\n");
    let mut payments = String::from("Payment ID,Invoice #,Date Received,Amount,Method\n");
    let mut paid_count = 0;
    for i in 0..INVOICES {
        let amount = 100 * (i + 3);
        let paid = [0, amount, 50][i % 3];
        let _ = writeln!(
            invoices,
            "{},INV-{},{},02/{:02}/2024,{amount}.00,{paid}.00,{}.00",
            9000 + i,
            24000 + i,
            2_024_000 + i,
            1 + i % 28,
            amount - paid
        );
        if paid > 0 {
            paid_count += 1;
            let _ = writeln!(
                payments,
                "P{i},INV-{},03/{:02}/2024,{paid}.00,Check",
                24000 + i,
                1 + i % 28
            );
        }
    }
    let mut appointments =
        String::from("Appt ID,Case No,Subject,Start Date,Start Time,End Date,End Time\n");
    for i in 0..APPOINTMENTS {
        let _ = writeln!(
            appointments,
            "E{i},{},Hearing {i},04/{:02}/2024,{}:00 PM,04/{:02}/2024,{}:45 PM",
            2_024_000 + i,
            1 + i,
            1 + i % 11,
            1 + i,
            1 + i % 11
        );
    }
    for (name, body) in [
        ("Appointments.csv", appointments),
        ("Clients.csv", clients),
        ("Cases.csv", cases),
        ("Invoices.csv", invoices),
        ("Payments.csv", payments),
    ] {
        std::fs::write(dir.join(name), body).expect("write");
    }
    paid_count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_reach_invoices_by_number_and_invoices_need_no_line_items() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    let payments = write_export(&export);

    let inspected = Inspected::of(&export);
    // Nothing refers to "Invoice ID"; the payments name "Invoice #", which keys the invoices.
    assert_eq!(
        inspected.table("Invoices.csv").key,
        migrationai_ingest::mapping::Key::Columns(vec!["Invoice #".into()])
    );
    assert_eq!(
        inspected.field_of("Payments.csv", "Invoice #"),
        Some("invoice_id")
    );

    let config = config(&dir.path().join("data"));
    let app = open(&config).await.expect("opens");
    let report = app
        .migrate(&export, None, None, &|_| {})
        .await
        .expect("migrates");
    assert_all_loaded(
        &report,
        &[
            (Kind::Contacts, CLIENTS),
            (Kind::Projects, CASES),
            (Kind::BillingInvoice, INVOICES),
            (Kind::Payment, payments),
            (Kind::Calendar, APPOINTMENTS),
        ],
    );
    assert!(report.verdict.migrated, "{:?}", report.verdict.failures);
    // E3: 4 April, 4:00 PM to 4:45 PM, in the firm's zone; the time columns are used.
    let undecided: Vec<_> = report.files.iter().flat_map(|f| &f.undecided).collect();
    assert!(
        !undecided.iter().any(|c| c.header.contains("Time")),
        "{undecided:?}"
    );
    let events = stored(&config, &report.job, Kind::Calendar).await;
    let e3 = events
        .iter()
        .find(|r| r.source_id == "E3")
        .expect("E3 stored");
    for moment in ["2024-04-04T16:00:00", "2024-04-04T16:45:00"] {
        assert!(e3.data.contains(moment), "{moment} in {}", e3.data);
    }
    // INV-24002: 500.00 billed, 50.00 paid by one payment.
    assert_eq!(
        report
            .invoice_balance
            .get("INV-24002")
            .map(|b| b.to_string())
            .as_deref(),
        Some("450.00"),
        "{:?}",
        report.invoice_balance
    );
}
