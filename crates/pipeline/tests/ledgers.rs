//! Trust ledgers through the whole pipeline, and the verdict at both ends: a clean export
//! whose ledger is posted out of date order migrates (exit 0 territory); the same export with
//! one wrong running balance does not, and names the row.

mod common;

use std::path::Path;

use common::migrate;
use migrationai_pipeline::report::LedgerOrder;

const MAPPING: &str = r#"
currency = "USD"
country = "US"
time_zone = "America/New_York"

[[file]]
path = "contacts.csv"
kind = "contacts"
[file.columns]
"Contact ID" = "contact_id"
"First" = "first_name"
"Last" = "last_name"
"Email" = "email"

[[file]]
path = "matters.csv"
kind = "projects"
[file.columns]
"Matter ID" = "project_id"
"Client" = "client_id"
"Title" = "name"

[[file]]
path = "trust.csv"
kind = "project-funds"
[file.columns]
"Txn" = "transaction_id"
"Matter" = "project_id"
"Posted" = "date"
"In" = "deposit"
"Out" = "withdrawal"
"Balance" = "running_balance"
"#;

/// Posted in this order; the dates are not sorted within a matter, the balances follow
/// the posting.
const TRUST: &str = "Txn,Matter,Posted,In,Out,Balance
T1,M1,2024-03-20,1000.00,,1000.00
T2,M2,2024-01-15,500.00,,500.00
T3,M1,2024-02-01,,250.00,750.00
T4,M2,2024-01-02,,100.00,400.00
T5,M1,2024-01-10,40.00,,790.00
T6,M2,2024-05-30,10.00,,410.00
";

fn write_export(dir: &Path, trust: &str) {
    std::fs::create_dir_all(dir).expect("export dir");
    std::fs::write(
        dir.join("contacts.csv"),
        "Contact ID,First,Last,Email\nC1,Ada,Lovelace,ada@example.com\nC2,Alan,Turing,alan@example.com\n",
    )
    .expect("contacts");
    std::fs::write(
        dir.join("matters.csv"),
        "Matter ID,Client,Title\nM1,C1,Estate of Lovelace\nM2,C2,Turing v. Crown\n",
    )
    .expect("matters");
    std::fs::write(dir.join("trust.csv"), trust).expect("trust");
}

async fn run(trust: &str) -> migrationai_pipeline::Report {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    write_export(&export, trust);
    let mapping = dir.path().join("mapping.toml");
    std::fs::write(&mapping, MAPPING).expect("mapping");
    let data = dir.path().join("data");
    migrate(
        &export,
        Some(&mapping),
        Some("ledgers".into()),
        &common::config(&data),
        &|_| {},
    )
    .await
    .expect("migrate")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ledger_posted_out_of_date_order_reconciles_and_the_job_migrates() {
    let report = run(TRUST).await;
    assert_eq!(report.trust_mismatches, vec![], "{:?}", report.problems());
    assert_eq!(
        report.trust_ledgers.consistent.get(&LedgerOrder::FileOrder),
        Some(&2)
    );
    assert!(
        report.verdict.accounted_for && report.verdict.migrated,
        "{:?}",
        report.verdict
    );
    assert!(report.verdict.headline().starts_with("MIGRATED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_running_balance_is_named_at_its_row_and_the_job_does_not_migrate() {
    // T5's balance should be 790.00.
    let report = run(&TRUST.replace("40.00,,790.00", "40.00,,795.00")).await;
    assert_eq!(report.trust_mismatches.len(), 1, "{:?}", report.problems());
    let m = &report.trust_mismatches[0];
    let at = m.at.as_ref().expect("where it breaks");
    assert_eq!(
        (
            m.project_id.as_str(),
            common::file_of(&at.file).as_str(),
            at.row,
            at.transaction_id.as_str(),
            at.expected.to_string(),
            at.stated.to_string()
        ),
        ("M1", "trust.csv", 6, "T5", "790.00".into(), "795.00".into())
    );
    assert!(report.verdict.accounted_for && !report.verdict.migrated);
    assert!(report.problems()[0].contains("trust.csv row 6, transaction T5"));
}
