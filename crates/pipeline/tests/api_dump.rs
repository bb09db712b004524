//! An export in the style of a web application's API dump, migrated with no mapping file:
//! JSON arrays of nested objects and JSON lines, ISO dates, time in minutes, and amounts in
//! cents ("rate_cents": 30000). Read as written, every amount would be a hundred times too
//! large and every entry an hour per minute; a "billable" flag must not be taken for "billed"
//! (invoiced), and is kept as the opposite of "non billable".

mod common;

use common::{config, open, stored};
use migrationai_domain::Kind;
use std::fmt::Write as _;

fn write_export(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("export folder");
    let mut clients = Vec::new();
    for i in 1..=12 {
        clients.push(format!(
            r#"{{"id": "cli_{i:03}", "type": "person", "name": {{"first": "Ann{i}", "last": "Ito"}},
 "emails": ["ann{i}@mail.test"], "created_at": "2022-03-{:02}T10:00:00Z"}}"#,
            i + 1
        ));
    }
    std::fs::write(
        dir.join("clients.json"),
        format!("[{}]", clients.join(",\n")),
    )
    .expect("clients");
    let mut cases = Vec::new();
    for i in 1..=8 {
        cases.push(format!(
            r#"{{"id": "case_{i:03}", "client": {{"id": "cli_{:03}"}}, "caption": "Ito v. Kerr number {i}",
 "opened": "2023-0{i}-15", "stage": "open"}}"#,
            i % 12 + 1
        ));
    }
    std::fs::write(dir.join("cases.json"), format!("[{}]", cases.join(",\n"))).expect("cases");
    let mut lines = String::new();
    for i in 1..=30 {
        let minutes = [6, 15, 30, 60, 90][i % 5];
        let rate = [20_000, 30_000][i % 2];
        let _ = writeln!(
            lines,
            r#"{{"id": {i}, "case_id": "case_{:03}", "worked_on": "2023-05-{:02}", "minutes": {minutes}, "rate_cents": {rate}, "amount_cents": {}, "note": "Research", "billable": true}}"#,
            i % 8 + 1,
            i % 28 + 1,
            rate * minutes / 60
        );
    }
    std::fs::write(dir.join("time_entries.jsonl"), lines).expect("time entries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_dump_in_cents_and_minutes_loads_in_dollars_and_hours() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    write_export(&export);
    let config = config(&dir.path().join("data"));
    let app = open(&config).await.expect("opens");
    let report = app
        .migrate(&export, None, None, &|_| {})
        .await
        .expect("migrates");
    assert!(report.verdict.migrated, "{:?}", report.verdict.failures);
    assert_eq!(report.kinds[Kind::BillingItems.as_str()].loaded, 30);

    let rows = stored(&config, &report.job, Kind::BillingItems).await;
    let entry = |id: &str| -> serde_json::Value {
        let row = rows
            .iter()
            .find(|r| r.source_id == id)
            .unwrap_or_else(|| panic!("entry {id} loaded"));
        serde_json::from_str(&row.data).expect("record json")
    };
    // Entry 4: 90 minutes at 20,000 cents an hour, 30,000 cents.
    let e = entry("4");
    let text = e.to_string();
    for (what, expected) in [
        ("quantity in hours", "\"1.5\""),
        ("rate in dollars", "\"200.00\""),
        ("amount in dollars", "\"300.00\""),
    ] {
        assert!(text.contains(expected), "{what}: {text}");
    }
    for wrong in ["20000", "30000", "\"90\""] {
        assert!(!text.contains(wrong), "{wrong} read as written: {text}");
    }
    // "billable": true says the entry may be billed, not that it was: it is kept as its
    // opposite, non_billable false.
    assert!(e["fields"].get("billed").is_none(), "{text}");
    assert_eq!(
        e["fields"]["non_billable"],
        serde_json::json!({"t": "bool", "v": false}),
        "{text}"
    );
    // Nor is a flag any record's id.
    assert!(!text.contains(r#""v":"true""#), "{text}");
}
