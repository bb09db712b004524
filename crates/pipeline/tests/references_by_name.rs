//! A matters export that names each matter's client as the firm's people write it ("Lovelace,
//! Ada", "Analytical Engines Ltd") rather than by the contact's id, as many practice systems
//! print it. Read as ids every matter was an orphan, and every time entry under them with it.
//! Migrated with no mapping file, each name becomes the id of the one contact bearing it; a
//! name two contacts share is rejected naming both, never linked to a guess.

mod common;

use common::{config, migrate, stored_fields, write_tables, Inspected};
use migrationai_domain::Kind;
use std::fmt::Write as _;

const PEOPLE: usize = 20;
const MATTERS: usize = 16;
const ENTRIES: usize = 48;

fn write_export(dir: &std::path::Path) {
    let mut contacts = String::from("Contact ID,First Name,Last Name,Company,Email\n");
    for i in 0..PEOPLE {
        let _ = writeln!(contacts, "C{i:03},Ada{i},Lovelace{i},,ada{i}@example.com");
    }
    // Two contacts of one name, and a firm.
    contacts.push_str("C100,Alan,Turing,,alan@example.com\n");
    contacts.push_str("C101,Alan,Turing,,turing@example.org\n");
    contacts.push_str("C102,,,Analytical Engines Ltd,info@engines.example\n");
    let mut matters = String::from("Matter ID,Matter Name,Client,Open Date\n");
    for i in 0..MATTERS {
        let client = match i {
            0 => "Analytical Engines Ltd".to_string(),
            1 => "\"Turing, Alan\"".to_string(),
            2 => "\"Babbage, Charles\"".to_string(),
            _ => format!("\"LOVELACE{i},  Ada{i}\""),
        };
        let _ = writeln!(matters, "M{i:03},Matter {i},{client},2024-03-05");
    }
    let mut time = String::from("Entry ID,Matter ID,Date,Hours,Rate,Amount,Description\n");
    for i in 0..ENTRIES {
        let _ = writeln!(
            time,
            "T{i:03},M{:03},2024-04-01,1.5,200.00,300.00,Drafted letter",
            i % MATTERS
        );
    }
    write_tables(
        dir,
        &[
            ("Contacts.csv", contacts),
            ("Matters.csv", matters),
            ("Time Entries.csv", time),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_named_by_name_link_to_the_one_contact_of_that_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    write_export(&export);

    let inspected = Inspected::of(&export);
    assert_eq!(
        inspected.field_of("Matters.csv", "Client"),
        Some("client_id")
    );
    let by_name = &inspected.table("Matters.csv").by_name;
    assert_eq!(by_name.len(), 1, "{by_name:?}");
    assert_eq!(by_name[0].header, "Client");

    let config = config(&dir.path().join("data"));
    let report = migrate(&export, None, None, &config, &|_| {})
        .await
        .expect("migrates");
    let counts = |k: Kind| {
        let c = &report.kinds[k.as_str()];
        (c.source_rows, c.loaded)
    };
    assert_eq!(
        counts(Kind::Contacts),
        (PEOPLE as u64 + 3, PEOPLE as u64 + 3)
    );
    // Every matter but the namesakes' and the stranger's, and every entry under them.
    assert_eq!(counts(Kind::Projects), (MATTERS as u64, MATTERS as u64 - 2));
    assert_eq!(
        counts(Kind::BillingItems),
        (
            ENTRIES as u64,
            ENTRIES as u64 - 2 * (ENTRIES / MATTERS) as u64
        )
    );
    let why = |row: u64| {
        report
            .rejects
            .iter()
            .find(|r| r.kind == Kind::Projects && r.row == row)
            .map(|r| (r.code.clone(), r.reason.clone()))
            .unwrap_or_else(|| panic!("row {row} rejected"))
    };
    let (code, reason) = why(3);
    assert_eq!(code, "ambiguous_reference");
    assert!(reason.contains("C100, C101"), "{reason}");
    let (code, reason) = why(4);
    assert_eq!(code, "orphan_reference");
    assert!(reason.contains("Babbage, Charles"), "{reason}");
    assert!(!report.verdict.migrated, "two matters did not load");

    let client_of = |id: &'static str| stored_fields(&config, &report.job, Kind::Projects, id);
    assert_eq!(client_of("M000").await["client_id"]["v"], "C102");
    assert_eq!(client_of("M007").await["client_id"]["v"], "C007");
}

/// The matters and time entries went through a spreadsheet, which saved "000101" as 101;
/// the contacts file kept its zeros. Migrated with no mapping file, every row loads, each
/// linked to the parent whose key it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_that_lost_their_leading_zeros_link_to_the_keys_they_were() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    let mut contacts = String::from("Contact ID,First Name,Last Name,Email\n");
    for i in 0..PEOPLE {
        let _ = writeln!(
            contacts,
            "{:06},Ada{i},Lovelace{i},ada{i}@example.com",
            101 + i
        );
    }
    let mut matters = String::from("Matter ID,Matter Name,Client,Open Date\n");
    for i in 0..MATTERS {
        let _ = writeln!(matters, "{:06},Matter {i},{},2024-03-05", 1 + i, 101 + i);
    }
    let mut time = String::from("Entry ID,Matter ID,Date,Hours,Rate,Amount,Description\n");
    for i in 0..ENTRIES {
        let _ = writeln!(
            time,
            "T{i:03},{},2024-04-01,1.5,200.00,300.00,Drafted letter",
            1 + i % MATTERS
        );
    }
    write_tables(
        &export,
        &[
            ("Contacts.csv", contacts),
            ("Matters.csv", matters),
            ("Time Entries.csv", time),
        ],
    );
    let config = config(&dir.path().join("data"));
    let report = migrate(&export, None, None, &config, &|_| {})
        .await
        .expect("migrates");
    for (kind, rows) in [
        (Kind::Contacts, PEOPLE),
        (Kind::Projects, MATTERS),
        (Kind::BillingItems, ENTRIES),
    ] {
        let c = &report.kinds[kind.as_str()];
        assert_eq!(
            (c.source_rows, c.loaded),
            (rows as u64, rows as u64),
            "{kind}"
        );
    }
    assert!(report.verdict.migrated, "{:?}", report.verdict);
    let matter = stored_fields(&config, &report.job, Kind::Projects, "000003").await;
    assert_eq!(matter["client_id"]["v"], "000103");
    let entry = stored_fields(&config, &report.job, Kind::BillingItems, "T002").await;
    assert_eq!(entry["project_id"]["v"], "000003");
}
