//! A flat matter list: no contacts file, and each matter's client written on its own row
//! (a name, an email, a phone), as a small firm's spreadsheet or a practice system's
//! "matters with client details" report has it. Read only as references, every matter was
//! an orphan and everything under it went too. Migrated with no mapping file, each distinct
//! client is one contact, read from the first row that names it, and every matter links to
//! its client by name.

mod common;

use common::{assert_all_loaded, config, migrate, stored_fields, write_tables, Inspected};
use migrationai_domain::Kind;
use std::fmt::Write as _;

const CLIENTS: usize = 12;
const MATTERS: usize = 30;
const ENTRIES: usize = 60;

/// Client `c`'s name, email and phone.
fn client(c: usize) -> (String, String, String) {
    let names = [
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
        "Edsger Dijkstra",
        "Barbara Liskov",
        "Donald Knuth",
        "Frances Allen",
        "John Backus",
        "Niklaus Wirth",
        "Tony Hoare",
        "Karen Sparck Jones",
        "Ken Thompson",
    ];
    let name = names[c % names.len()].to_string();
    let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
    (name, email, format!("(212) 555-{:04}", 1000 + c))
}

/// The matters file; `row_fields(i)` may change matter `i`'s client columns.
fn matters(change: impl Fn(usize, &mut (String, String, String))) -> String {
    let mut out = String::from(
        "Matter Number,Matter Name,Client,Client Email,Client Phone,Practice Area,Open Date\n",
    );
    for i in 0..MATTERS {
        let mut c = client(i % CLIENTS);
        change(i, &mut c);
        let _ = writeln!(
            out,
            "2024-{:03},Matter {i},{},{},{},Family Law,2024-03-05",
            i + 1,
            c.0,
            c.1,
            c.2
        );
    }
    out
}

fn time_entries() -> String {
    let mut out = String::from("Entry ID,Matter Number,Date,Hours,Rate,Amount,Description\n");
    for i in 0..ENTRIES {
        let _ = writeln!(
            out,
            "T{i:03},2024-{:03},2024-04-01,1.5,200.00,300.00,Drafted letter",
            i % MATTERS + 1
        );
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_distinct_client_of_a_flat_matter_list_is_one_contact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    // Row 2 of each client's matters leaves the email out: it agrees with the first row,
    // and is the same client.
    let matters = matters(|i, c| {
        if i / CLIENTS == 1 {
            c.1.clear();
        }
    });
    write_tables(
        &export,
        &[
            ("Matters.csv", matters),
            ("Time Entries.csv", time_entries()),
        ],
    );

    let inspected = Inspected::of(&export);
    let derived = inspected.table("Matters.csv (contacts)");
    assert_eq!(derived.kind, Some(Kind::Contacts));
    assert_eq!(derived.from.as_deref(), Some("Matters.csv"));
    for (header, field) in [
        ("Client", "full_name"),
        ("Client Email", "email"),
        ("Client Phone", "phone"),
    ] {
        assert_eq!(
            inspected.field_of("Matters.csv (contacts)", header),
            Some(field),
            "{header}"
        );
    }
    assert_eq!(
        inspected.field_of("Matters.csv", "Client"),
        Some("client_id")
    );

    let config = config(&dir.path().join("data"));
    let report = migrate(&export, None, None, &config, &|_| {})
        .await
        .expect("migrates");
    assert_all_loaded(
        &report,
        &[
            (Kind::Contacts, CLIENTS),
            (Kind::Projects, MATTERS),
            (Kind::BillingItems, ENTRIES),
        ],
    );
    assert!(report.verdict.migrated, "{:?}", report.verdict);
    // Nothing in Matters.csv is left undecided: the client's columns went to the contacts.
    let listed = report
        .files
        .iter()
        .find(|f| f.path == "Matters.csv")
        .expect("Matters.csv listed");
    assert!(listed.undecided.is_empty(), "{:?}", listed.undecided);

    let contact = stored_fields(&config, &report.job, Kind::Contacts, "Grace Hopper").await;
    assert_eq!(contact["full_name"]["v"], "Grace Hopper");
    assert_eq!(contact["email"]["v"], "grace.hopper@example.com");
    let matter = stored_fields(&config, &report.job, Kind::Projects, "2024-014").await;
    assert_eq!(matter["client_id"]["v"], "Grace Hopper");
}

/// A client whose later row gives another email is not merged into the first, nor is the
/// second email dropped: that row is rejected as a second contact of the same name, with
/// its values, and its matter still loads, linked to the client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_written_two_ways_is_rejected_never_merged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    let matters = matters(|i, c| {
        if i == CLIENTS + 2 {
            c.1 = "alan@turing.example".into();
        }
    });
    write_tables(&export, &[("Matters.csv", matters)]);
    let config = config(&dir.path().join("data"));
    let report = migrate(&export, None, None, &config, &|_| {})
        .await
        .expect("migrates");
    let contacts = &report.kinds[Kind::Contacts.as_str()];
    assert_eq!(
        (contacts.source_rows, contacts.loaded),
        (CLIENTS as u64 + 1, CLIENTS as u64)
    );
    let projects = &report.kinds[Kind::Projects.as_str()];
    assert_eq!(projects.loaded, MATTERS as u64);
    let reject = report
        .rejects
        .iter()
        .find(|r| r.kind == Kind::Contacts)
        .expect("the second Alan Turing is rejected");
    // The header is row 1: matter CLIENTS + 2 is on row CLIENTS + 4.
    assert_eq!(reject.row, CLIENTS as u64 + 4);
    assert_eq!(reject.code, "duplicate_id");
    assert!(reject.reason.contains("Alan Turing"), "{}", reject.reason);
    assert!(!report.verdict.migrated, "a contact was rejected");
}
