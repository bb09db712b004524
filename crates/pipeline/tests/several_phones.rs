//! An address book with several numbers and addresses per contact, as most firms keep one:
//! a home, a work and a mobile number, a fax, and a second email. Every one is carried into
//! the store under its own field; none is left behind as a column no field takes.

mod common;

use common::{assert_all_loaded, config, open, stored, Inspected};
use migrationai_domain::Kind;
use std::fmt::Write as _;

const CONTACTS: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_number_and_address_of_a_contact_is_carried() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    std::fs::create_dir_all(&export).expect("export folder");
    let mut book = String::from(
        "Contact ID,First Name,Last Name,Home Phone,Work Phone,Mobile,Fax,Email,Alternate Email\n",
    );
    for i in 0..CONTACTS {
        let _ = writeln!(
            book,
            "P{i:03},Ada{i},Lovelace,(212) 555-01{i:02},(212) 555-02{i:02},(917) 555-03{i:02},\
             (212) 555-04{i:02},ada{i}@example.com,ada{i}@home.example.org"
        );
    }
    std::fs::write(export.join("Address Book.csv"), book).expect("write");

    let inspected = Inspected::of(&export);
    for (header, field) in [
        ("Home Phone", "phone"),
        ("Work Phone", "work_phone"),
        ("Mobile", "mobile_phone"),
        ("Fax", "fax"),
        ("Email", "email"),
        ("Alternate Email", "other_email"),
    ] {
        assert_eq!(
            inspected.field_of("Address Book.csv", header),
            Some(field),
            "{header}"
        );
    }

    let config = config(&dir.path().join("data"));
    let app = open(&config).await.expect("opens");
    let report = app
        .migrate(&export, None, None, &|_| {})
        .await
        .expect("migrates");
    assert_all_loaded(&report, &[(Kind::Contacts, CONTACTS)]);
    assert!(report.verdict.migrated, "{:?}", report.verdict.failures);
    let undecided: Vec<_> = report.files.iter().flat_map(|f| &f.undecided).collect();
    assert!(undecided.is_empty(), "columns left behind: {undecided:?}");

    let rows = stored(&config, &report.job, Kind::Contacts).await;
    let ada = rows
        .iter()
        .find(|r| r.source_id == "P007")
        .expect("P007 stored");
    let text = &ada.data;
    for number in [
        "+12125550107",
        "+12125550207",
        "+19175550307",
        "+12125550407",
        "ada7@home.example.org",
    ] {
        assert!(text.contains(number), "{number} in {text}");
    }
}
