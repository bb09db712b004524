//! An export from a German firm's system, migrated with no mapping file: semicolons, CRLF,
//! Windows-1252, German headers nothing here knows ("Aktenzeichen", "Betreff", "Minuten",
//! "Satz", "Betrag", "Einnahme", "Saldo", "Netto", "Offen"), decimal commas and dd.mm.yyyy
//! dates. The tables must be read for what they are from their values' arithmetic: time
//! entries (Betrag = Satz × Minuten / 60), a trust ledger (each matter's Saldo runs by
//! Einnahme − Ausgabe) and invoices (Brutto = Netto + MwSt = Bezahlt + Offen). A run whose
//! mapping leaves amounts in no record must not say it migrated.

mod common;

use common::{assert_all_loaded, config, migrate, open, stored, Inspected};
use migrationai_domain::Kind;
use migrationai_ingest::undecided::Holds;
use std::fmt::Write as _;
use std::path::Path;

const CLIENTS: usize = 30;
const MATTERS: usize = 40;
const ENTRIES: usize = 120;
/// Trust entries: four for every third matter.
const TRUST: usize = 4 * MATTERS.div_ceil(3);
const INVOICES: usize = 25;

/// Text as Windows-1252 bytes: every character used here is in Latin-1.
fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

fn matter(a: usize) -> String {
    format!("{:03}/{}", a + 1, 21 + a % 4)
}

fn write_export(dir: &Path) {
    let first = [
        "Anna", "Bernd", "Claudia", "Dieter", "Eva", "Frank", "Gisela", "Jürgen",
    ];
    let last = [
        "Müller", "Schäfer", "Weiß", "Köhler", "Groß", "Bäcker", "Hoffmann",
    ];
    let towns = ["München", "Köln", "Düsseldorf", "Nürnberg", "Würzburg"];
    let areas = ["089", "0221", "0211", "0911", "0931"];
    let mut clients = String::from("Kundennr;Name;Telefon;Ort\r\n");
    for i in 0..CLIENTS {
        let _ = write!(
            clients,
            "K{};{}, {};{} {};{}\r\n",
            1000 + i,
            last[i % last.len()],
            first[i % first.len()],
            areas[i % areas.len()],
            2_345_670 + 7919 * i,
            towns[i % towns.len()]
        );
    }
    let subjects = [
        "Mietstreit",
        "Erbschaft",
        "Verkehrsunfall",
        "Kündigungsschutz",
    ];
    let mut matters = String::from("Aktenzeichen;Kundennr;Betreff;Angelegt\r\n");
    for a in 0..MATTERS {
        let _ = write!(
            matters,
            "{};K{};{} {} ./. {};{:02}.{:02}.20{}\r\n",
            matter(a),
            1000 + (a * 7) % CLIENTS,
            subjects[a % subjects.len()],
            last[(a + 3) % last.len()],
            last[(a + 5) % last.len()],
            1 + a % 28,
            1 + a % 12,
            21 + a % 4
        );
    }
    let minutes = [6, 90, 30, 45, 12, 120, 15, 60];
    let rates = [300, 180, 240];
    let work = ["Telefonat", "Schriftsatz", "Besprechung", "Akteneinsicht"];
    let mut entries = String::from("Nr;Aktenzeichen;Datum;Minuten;Satz;Betrag;Tätigkeit\r\n");
    for z in 0..ENTRIES {
        let (m, r) = (minutes[z % minutes.len()], rates[z % rates.len()]);
        let cents = m * r * 100 / 60;
        let _ = write!(
            entries,
            "{};{};{:02}.{:02}.2024;{m};{r},00;{},{:02};{} mit Mandant\r\n",
            z + 1,
            matter((z * 3) % MATTERS),
            1 + z % 28,
            1 + z % 12,
            cents / 100,
            cents % 100,
            work[z % work.len()]
        );
    }
    let euros = |cents: i64| format!("{},{:02}", cents / 100, cents % 100);
    let mut trust =
        String::from("Buchungsnr;Aktenzeichen;Datum;Einnahme;Ausgabe;Saldo;Verwendungszweck\r\n");
    let mut n = 0;
    for a in (0..MATTERS).step_by(3) {
        let mut balance = 0;
        for k in 0..4 {
            n += 1;
            let (money_in, money_out) = if k % 2 == 0 {
                (100_000 * (k + 1), 0)
            } else {
                (0, 15_000 * k)
            };
            balance += money_in - money_out;
            let cell = |c: i64| if c == 0 { String::new() } else { euros(c) };
            let _ = write!(
                trust,
                "{n};{};{:02}.03.2024;{};{};{};{}\r\n",
                matter(a),
                1 + k,
                cell(money_in),
                cell(money_out),
                euros(balance),
                if money_in > 0 {
                    "Vorschuss"
                } else {
                    "Gerichtskosten"
                }
            );
        }
    }
    let mut invoices =
        String::from("Rechnungsnr;Aktenzeichen;Rechnungsdatum;Netto;MwSt;Brutto;Bezahlt;Offen\r\n");
    for r in 0..INVOICES as i64 {
        let net = 50_000 + 10_000 * r;
        let tax = net * 19 / 100;
        let gross = net + tax;
        let paid = [0, gross, 20_000][r as usize % 3];
        let _ = write!(
            invoices,
            "RE-2024-{:04};{};{:02}.{:02}.2024;{};{};{};{};{}\r\n",
            r + 1,
            matter((r as usize * 5) % MATTERS),
            1 + r % 28,
            1 + r % 12,
            euros(net),
            euros(tax),
            euros(gross),
            euros(paid),
            euros(gross - paid)
        );
    }
    std::fs::create_dir_all(dir).expect("export folder");
    for (name, text) in [
        ("Kunden.csv", clients),
        ("Akten.csv", matters),
        ("Zeiten.csv", entries),
        ("Fremdgeld.csv", trust),
        ("Rechnungen.csv", invoices),
    ] {
        std::fs::write(dir.join(name), cp1252(&text)).expect("write table");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_export_migrates_whole_with_no_mapping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    write_export(&export);

    let inspected = Inspected::of(&export);
    let field_of = |table: &str, header: &str| inspected.field_of(table, header);
    for (table, kind) in [
        ("Kunden.csv", Kind::Contacts),
        ("Akten.csv", Kind::Projects),
        ("Zeiten.csv", Kind::BillingItems),
        ("Fremdgeld.csv", Kind::ProjectFunds),
        ("Rechnungen.csv", Kind::BillingInvoice),
    ] {
        assert_eq!(inspected.table(table).kind, Some(kind), "{table}");
    }
    // Matters: titles that repeat now and then are still the matter's name.
    assert_eq!(field_of("Akten.csv", "Betreff"), Some("name"));
    assert_eq!(field_of("Akten.csv", "Kundennr"), Some("client_id"));
    // Time entries, from the product their values hold: minutes × rate / 60 = amount.
    assert_eq!(field_of("Zeiten.csv", "Minuten"), Some("quantity"));
    assert_eq!(field_of("Zeiten.csv", "Satz"), Some("rate"));
    assert_eq!(field_of("Zeiten.csv", "Betrag"), Some("amount"));
    assert_eq!(
        inspected.table("Zeiten.csv").quantity_unit,
        migrationai_ingest::units::QuantityUnit::Minutes
    );
    // A trust ledger, from each matter's balance running by money in less money out.
    for (header, field) in [
        ("Einnahme", "deposit"),
        ("Ausgabe", "withdrawal"),
        ("Saldo", "running_balance"),
    ] {
        assert_eq!(field_of("Fremdgeld.csv", header), Some(field), "{header}");
    }
    // Invoices, from their sums: the tax a steady share of the net, paid before open.
    for (header, field) in [
        ("Netto", "subtotal"),
        ("MwSt", "tax"),
        ("Brutto", "total"),
        ("Bezahlt", "paid_amount"),
        ("Offen", "balance_due"),
        ("Rechnungsdatum", "issued_on"),
    ] {
        assert_eq!(field_of("Rechnungen.csv", header), Some(field), "{header}");
    }

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
            (Kind::Projects, MATTERS),
            (Kind::BillingItems, ENTRIES),
            (Kind::ProjectFunds, TRUST),
            (Kind::BillingInvoice, INVOICES),
        ],
    );
    assert!(report.verdict.migrated, "{:?}", report.verdict.failures);
    // Matter 001/21's ledger: 1,000 in, 150 out, 3,000 in, 450 out.
    assert_eq!(
        report.trust_by_project.get("001/21").map(|b| b.to_string()),
        Some("3400.00".to_string())
    );
    // RE-2024-0003: 700,00 net and 133,00 tax, 200,00 paid.
    assert_eq!(
        report
            .invoice_balance
            .get("RE-2024-0003")
            .map(|b| b.to_string()),
        Some("633.00".to_string())
    );
    // What no field takes is listed with what it held, and is no amount.
    let undecided = |path: &str| {
        report
            .files
            .iter()
            .find(|f| f.path == path)
            .map(|f| {
                f.undecided
                    .iter()
                    .map(|c| (c.header.clone(), c.values, c.holds))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        undecided("Kunden.csv"),
        vec![("Ort".to_string(), CLIENTS as u64, Holds::Other)]
    );
    assert_eq!(
        undecided("Zeiten.csv"),
        vec![("Tätigkeit".to_string(), ENTRIES as u64, Holds::Other)]
    );
    assert_eq!(
        undecided("Fremdgeld.csv"),
        vec![("Verwendungszweck".to_string(), TRUST as u64, Holds::Other)]
    );

    let rows = stored(&config, &report.job, Kind::BillingItems).await;
    let entry = rows
        .iter()
        .find(|r| r.source_id == "2")
        .expect("entry 2 loaded");
    // Entry 2: 90 minutes at 180,00 an hour, 270,00.
    let text = entry.data.clone();
    for (what, expected) in [
        ("quantity in hours", "\"1.5\""),
        ("rate", "\"180.00\""),
        ("amount", "\"270.00\""),
        ("a time entry", "\"time\""),
    ] {
        assert!(text.contains(expected), "{what}: {text}");
    }
}

/// The run that used to say "migrated": the time entries taken for trust deposits, their
/// rate and amount in no record. Amounts nobody decided about keep the verdict from passing;
/// once a person leaves them out on purpose, they no longer do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amounts_no_field_takes_keep_a_run_from_counting_as_migrated() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    write_export(&export);
    let mapping = |rate: &str, amount: &str| {
        format!(
            r#"currency = "EUR"
country = "DE"
time_zone = "Europe/Berlin"

[[file]]
path = "Kunden.csv"
kind = "contacts"
encoding = "windows-1252"
[file.columns]
"Kundennr" = "contact_id"
"Name" = "full_name"
"Telefon" = "phone"
"Ort" = "ignore"

[[file]]
path = "Akten.csv"
kind = "projects"
encoding = "windows-1252"
date_order = "dmy"
[file.columns]
"Aktenzeichen" = "project_id"
"Kundennr" = "client_id"
"Betreff" = "name"
"Angelegt" = "opened_on"

[[file]]
path = "Zeiten.csv"
kind = "project-funds"
encoding = "windows-1252"
date_order = "dmy"
[file.columns]
"Nr" = "transaction_id"
"Aktenzeichen" = "project_id"
"Datum" = "date"
"Minuten" = "deposit"
"Satz" = "{rate}"
"Betrag" = "{amount}"
"Tätigkeit" = "description"
"#
        )
    };
    let run = |name: &str, text: String| {
        let dir = dir.path().to_path_buf();
        let export = export.clone();
        let name = name.to_string();
        async move {
            let path = dir.join(format!("{name}.toml"));
            std::fs::write(&path, text).expect("mapping");
            migrate(
                &export,
                Some(&path),
                None,
                &config(&dir.join(name)),
                &|_| {},
            )
            .await
            .expect("migrates")
        }
    };

    let undecided = run("undecided", mapping("", "")).await;
    assert!(!undecided.verdict.migrated);
    let failures = undecided.verdict.failures.join("\n");
    assert!(
        failures.contains("Zeiten.csv") && failures.contains("\"Satz\" (120 values)"),
        "{failures}"
    );
    let zeiten = undecided
        .files
        .iter()
        .find(|f| f.path == "Zeiten.csv")
        .expect("listed");
    let amounts: Vec<&str> = zeiten
        .undecided
        .iter()
        .filter(|c| c.holds == Holds::Amounts)
        .map(|c| c.header.as_str())
        .collect();
    assert_eq!(amounts, ["Satz", "Betrag"]);

    let decided = run("decided", mapping("ignore", "ignore")).await;
    let failures = decided.verdict.failures.join("\n");
    assert!(!failures.contains("Satz"), "{failures}");
    assert!(decided
        .files
        .iter()
        .all(|f| f.undecided.iter().all(|c| c.holds != Holds::Amounts)));
}

/// Titles, a matter and a date, under headers that say nothing, fit a task and an
/// appointment alike: without amounts whose arithmetic names the kind, the table stays for a
/// person to decide, and is not loaded as either.
#[test]
fn a_table_of_titles_matters_and_dates_under_opaque_headers_stays_undecided() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    write_export(&export);
    let mut misc = String::from("X1;X2;X3;X4\r\n");
    for i in 0..12 {
        let _ = write!(
            misc,
            "T{};{};{} the client about the settlement {i};{:02}.05.2024\r\n",
            9001 + i,
            matter(i),
            ["Call", "Write to", "Meet"][i % 3],
            1 + i
        );
    }
    std::fs::write(export.join("Misc Data.csv"), misc).expect("write");
    let inspected = Inspected::of(&export);
    assert_eq!(inspected.table("Misc Data.csv").kind, None);
    assert_eq!(
        inspected.table("Rechnungen.csv").kind,
        Some(Kind::BillingInvoice)
    );
}
