//! An export that went through a spreadsheet or a Microsoft Access database on its way out:
//! dates saved as the sheet's day numbers ("45006" for 21 March 2023, "45006.375" for 9 am
//! that day) and yes/no columns saved as Access writes them (-1 for yes, 0 for no). Read as
//! written, every row with a date was rejected and every "-1" flag was an error; migrated
//! with no mapping file, every row must load with the dates and flags it meant.

mod common;

use common::{assert_all_loaded, config, migrate, stored_fields, write_tables, Inspected};
use migrationai_domain::Kind;
use std::fmt::Write as _;

const CONTACTS: usize = 15;
const MATTERS: usize = 10;
const EVENTS: usize = 12;

/// 2023-03-21 as a spreadsheet's day number.
const MARCH_21_2023: u32 = 45006;

fn write_export(dir: &std::path::Path) {
    let mut contacts =
        String::from("Contact ID,First Name,Last Name,Email,Date of Birth,Is Client\n");
    for i in 0..CONTACTS {
        // 1993-10-21 is day 34263.
        let _ = writeln!(
            contacts,
            "C{i:03},Grace{i},Hopper,grace{i}@example.com,{},{}",
            34263 + i,
            if i % 3 == 0 { "0" } else { "-1" }
        );
    }
    let mut matters = String::from("Matter ID,Matter Name,Client ID,Open Date,Close Date,Status\n");
    for i in 0..MATTERS {
        let closed = if i % 2 == 0 {
            format!("{}", MARCH_21_2023 as usize + 100 + i)
        } else {
            String::new()
        };
        let status = if closed.is_empty() { "Open" } else { "Closed" };
        let _ = writeln!(
            matters,
            "M{i:03},Hopper v. Navy {i},C{:03},{},{closed},{status}",
            i % CONTACTS,
            MARCH_21_2023 as usize + i
        );
    }
    let mut events = String::from("Event ID,Matter ID,Subject,Start,End,All Day\n");
    for i in 0..EVENTS {
        // Nine in the morning for an hour, or the whole day.
        let (start, end, all_day) = if i % 4 == 0 {
            (
                format!("{}", MARCH_21_2023),
                format!("{}", MARCH_21_2023),
                "-1",
            )
        } else {
            (
                format!("{}.375", MARCH_21_2023 as usize + i),
                format!("{}.41666666667", MARCH_21_2023 as usize + i),
                "0",
            )
        };
        let _ = writeln!(
            events,
            "E{i:03},M{:03},Hearing {i},{start},{end},{all_day}",
            i % MATTERS
        );
    }
    write_tables(
        dir,
        &[
            ("Contacts.csv", contacts),
            ("Matters.csv", matters),
            ("Calendar.csv", events),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn day_numbers_and_access_flags_migrate_as_the_dates_and_answers_they_mean() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    write_export(&export);

    let inspected = Inspected::of(&export);
    assert_eq!(
        inspected.table("Matters.csv").serial_dates,
        ["Open Date", "Close Date"]
    );
    assert_eq!(
        inspected.table("Contacts.csv").serial_dates,
        ["Date of Birth"]
    );
    assert_eq!(
        inspected.table("Calendar.csv").serial_dates,
        ["Start", "End"]
    );
    assert_eq!(
        inspected.field_of("Contacts.csv", "Is Client"),
        Some("is_client")
    );

    let config = config(&dir.path().join("data"));
    let report = migrate(&export, None, None, &config, &|_| {})
        .await
        .expect("migrates");
    assert_all_loaded(
        &report,
        &[
            (Kind::Contacts, CONTACTS),
            (Kind::Projects, MATTERS),
            (Kind::Calendar, EVENTS),
        ],
    );
    assert!(report.verdict.migrated, "{:?}", report.verdict.failures);

    let fields = |kind, id: &'static str| stored_fields(&config, &report.job, kind, id);
    let m2 = fields(Kind::Projects, "M002").await.to_string();
    assert!(
        m2.contains("2023-03-23"),
        "opened 2 days after 21 March: {m2}"
    );
    assert!(m2.contains("2023-07-01"), "closed 102 days after: {m2}");
    let (c0, c1) = (
        fields(Kind::Contacts, "C000").await,
        fields(Kind::Contacts, "C001").await,
    );
    assert!(c0.to_string().contains("1993-10-21"), "{c0}");
    assert_eq!(
        (&c0["is_client"]["v"], &c1["is_client"]["v"]),
        (&serde_json::json!(false), &serde_json::json!(true))
    );
    let (e0, e1) = (
        fields(Kind::Calendar, "E000").await.to_string(),
        fields(Kind::Calendar, "E001").await.to_string(),
    );
    assert!(e0.contains("2023-03-21"), "{e0}");
    assert!(
        e1.contains("2023-03-22T09:00:00") && e1.contains("2023-03-22T10:00:00"),
        "nine to ten on 22 March: {e1}"
    );
}
