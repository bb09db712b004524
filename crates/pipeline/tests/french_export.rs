//! An export from a French firm's system, migrated with no mapping file: UTF-8 with a BOM,
//! semicolons, headers nothing here knows ("N° dossier", "Nom", "Prénom", "Courriel",
//! "Durée", "Montant TTC", "Reste dû"), durations written as clocks ("2:30"), decimal commas,
//! and invoices one per matter, paid through a payments file that names them. Each table
//! must be read for what it is from its values: emails and phones by their form, a person's
//! names by how the emails spell them, time entries and invoices by their arithmetic.

mod common;

use common::{assert_all_loaded, config, open, stored, Inspected};
use migrationai_domain::Kind;
use std::fmt::Write as _;
use std::path::Path;

const CLIENTS: usize = 25;
const MATTERS: usize = 35;
const ENTRIES: usize = 100;
const INVOICES: usize = 30;

fn matter(i: usize) -> String {
    format!("D{}-{:03}", 2020 + i % 5, i + 1)
}

fn euros(cents: i64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

fn write_export(dir: &Path) -> usize {
    let first = [
        "Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Manon", "Théo",
    ];
    let last = [
        "Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Fournier", "Girard",
    ];
    let plain = |s: &str| s.to_lowercase().replace(['é', 'è'], "e").replace('à', "a");
    let mut clients = String::from("\u{feff}N° client;Nom;Prénom;Téléphone;Courriel;Ville\n");
    for i in 0..CLIENTS {
        let (f, l) = (first[i % first.len()], last[i % last.len()]);
        let _ = writeln!(
            clients,
            "C{:04};{l};{f};01 {:02} {:02} {:02} {:02};{}.{}{i}@exemple.fr;{}",
            i + 1,
            42 + i % 50,
            10 + i,
            20 + i % 70,
            30 + i % 60,
            plain(f),
            plain(l),
            ["Paris", "Lyon", "Marseille", "Lille"][i % 4]
        );
    }
    let subjects = ["Divorce", "Succession", "Licenciement", "Bail commercial"];
    let mut matters =
        String::from("\u{feff}N° dossier;N° client;Intitulé;Date d'ouverture;Statut\n");
    for d in 0..MATTERS {
        let _ = writeln!(
            matters,
            "{};C{:04};{} {} c/ {};{:02}/{:02}/{};{}",
            matter(d),
            (d * 3) % CLIENTS + 1,
            subjects[d % subjects.len()],
            last[(d + 2) % last.len()],
            last[(d + 4) % last.len()],
            1 + d % 28,
            1 + d % 12,
            2020 + d % 5,
            ["En cours", "Clôturé"][d % 2]
        );
    }
    let mut time =
        String::from("\u{feff}Date;N° dossier;Durée;Taux horaire;Montant HT;Description\n");
    for t in 0..ENTRIES {
        let minutes = [15, 30, 45, 60, 90, 120, 150][t % 7];
        let rate = [200, 250, 300][t % 3];
        let _ = writeln!(
            time,
            "{:02}/{:02}/2024;{};{}:{:02};{},00;{};{}",
            1 + t % 28,
            1 + t % 12,
            matter((t * 7) % MATTERS),
            minutes / 60,
            minutes % 60,
            rate,
            euros(i64::from(rate * minutes) * 100 / 60),
            ["Rédaction", "Rendez-vous client", "Audience", "Recherches"][t % 4]
        );
    }
    let mut invoices = String::from(
        "\u{feff}N° facture;N° dossier;Date;Montant HT;TVA;Montant TTC;Réglé;Reste dû\n",
    );
    let mut payments = String::from("\u{feff}N° facture;Date;Montant;Mode\n");
    let mut paid_count = 0;
    for f in 0..INVOICES as i64 {
        let net = 80_000 + 5_000 * f;
        let tax = net / 5;
        let gross = net + tax;
        let paid = [0, gross, 30_000][f as usize % 3];
        let number = format!("F2024{:04}", f + 1);
        let _ = writeln!(
            invoices,
            "{number};{};{:02}/{:02}/2024;{};{};{};{};{}",
            matter((f as usize * 4) % MATTERS),
            1 + f % 28,
            1 + f % 12,
            euros(net),
            euros(tax),
            euros(gross),
            euros(paid),
            euros(gross - paid)
        );
        if paid > 0 {
            paid_count += 1;
            let _ = writeln!(
                payments,
                "{number};{:02}/{:02}/2024;{};{}",
                2 + f % 27,
                1 + f % 12,
                euros(paid),
                ["Virement", "Chèque", "CB"][f as usize % 3]
            );
        }
    }
    std::fs::create_dir_all(dir).expect("export folder");
    for (name, text) in [
        ("Clients.csv", clients),
        ("Dossiers.csv", matters),
        ("Temps.csv", time),
        ("Factures.csv", invoices),
        ("Reglements.csv", payments),
    ] {
        std::fs::write(dir.join(name), text).expect("write table");
    }
    paid_count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_export_migrates_whole_with_no_mapping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let export = dir.path().join("export");
    let payments = write_export(&export);

    let inspected = Inspected::of(&export);
    let field_of = |table: &str, header: &str| inspected.field_of(table, header);
    for (table, kind) in [
        ("Clients.csv", Kind::Contacts),
        ("Dossiers.csv", Kind::Projects),
        ("Temps.csv", Kind::BillingItems),
        ("Factures.csv", Kind::BillingInvoice),
        ("Reglements.csv", Kind::Payment),
    ] {
        assert_eq!(inspected.table(table).kind, Some(kind), "{table}");
    }
    for (table, header, field) in [
        // Emails and phones by their form; the names by how the emails spell them.
        ("Clients.csv", "Courriel", "email"),
        ("Clients.csv", "Téléphone", "phone"),
        ("Clients.csv", "Prénom", "first_name"),
        ("Clients.csv", "Nom", "last_name"),
        // "N°" is the number sign.
        ("Dossiers.csv", "N° client", "client_id"),
        // A clock duration is a quantity of hours.
        ("Temps.csv", "Durée", "quantity"),
        ("Temps.csv", "Taux horaire", "rate"),
        ("Temps.csv", "Montant HT", "amount"),
        // One invoice per matter: the matter column is a reference, not the invoice's key.
        ("Factures.csv", "N° dossier", "project_id"),
        ("Factures.csv", "Montant TTC", "total"),
        ("Factures.csv", "Reste dû", "balance_due"),
        ("Reglements.csv", "N° facture", "invoice_id"),
    ] {
        assert_eq!(field_of(table, header), Some(field), "{table} {header}");
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
            (Kind::BillingInvoice, INVOICES),
            (Kind::Payment, payments),
        ],
    );
    assert!(report.verdict.migrated, "{:?}", report.verdict.failures);
    // F20240003: 900,00 net and 180,00 tax, 300,00 paid by a payment.
    assert_eq!(
        report
            .invoice_balance
            .get("F20240003")
            .map(|b| b.to_string()),
        Some("780.00".to_string())
    );

    let rows = stored(&config, &report.job, Kind::BillingItems).await;
    // The fifth entry: 1:30 at 250,00 an hour, 375,00.
    let fifth = rows
        .iter()
        .find(|r| r.data.contains("\"375.00\""))
        .map(|r| r.data.clone())
        .expect("an entry of 375,00");
    assert!(fifth.contains("\"1.5\""), "{fifth}");
}
