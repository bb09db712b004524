//! An export in a style nothing here was shaped on: file and key names of its own, numeric
//! matter keys that the children name in a column called like the key, British phone numbers,
//! postcodes and domains. Detection must link the children to their matters from the values
//! and read the numbers in the country the export's own evidence points to.

use migrationai_domain::catalogue::kind_def;
use migrationai_domain::Kind;
use migrationai_ingest::inspect::{inspect, InspectOptions, InspectReport, NoProgress};
use migrationai_ingest::mapping::Key;
use std::fmt::Write as _;

/// Where the export's firm is: its towns and postcodes, how its mobiles are written, its
/// email domain and the sign its amounts carry.
struct Place {
    towns: &'static [(&'static str, &'static str)],
    mobile: fn(&mut Lcg) -> String,
    domain: &'static str,
    sign: &'static str,
}

const BRITAIN: Place = Place {
    towns: &[
        ("Leeds", "LS1 4AP"),
        ("York", "YO1 7HH"),
        ("Bath", "BA1 1LZ"),
        ("Derby", "DE1 2FS"),
        ("Hull", "HU1 3DZ"),
        ("Bristol", "BS1 5TR"),
    ],
    // 071xx–073xx: British mobile ranges, written as Britain writes them.
    mobile: |rng| {
        format!(
            "07{}{:02} {:06}",
            1 + rng.below(3),
            10 + rng.below(90),
            100_000 + rng.below(900_000)
        )
    },
    domain: "example.co.uk",
    sign: "£",
};

const AUSTRALIA: Place = Place {
    towns: &[
        ("Carlton", "3053"),
        ("Parramatta", "2150"),
        ("Fremantle", "6160"),
        ("Glenelg", "5045"),
        ("Toowong", "4066"),
        ("Hobart", "7000"),
    ],
    // 0410–0429 xxx xxx: Australian mobile ranges.
    mobile: |rng| {
        format!(
            "04{:02} {:03} {:03}",
            10 + rng.below(20),
            100 + rng.below(900),
            100 + rng.below(900)
        )
    },
    domain: "example.com.au",
    sign: "$",
};

const AMERICA: Place = Place {
    towns: &[
        ("Albany", "12207"),
        ("Austin", "78701"),
        ("Denver", "80202"),
        ("Boston", "02108"),
        ("Tulsa", "74103"),
        ("Fresno", "93721"),
    ],
    mobile: |rng| {
        format!(
            "({}) 555-{:04}",
            [212, 415, 312, 617][rng.below(4) as usize],
            100 + rng.below(9000)
        )
    },
    domain: "example.com",
    sign: "$",
};

const GIVEN: &[&str] = &["Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah"];
const FAMILY: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Evans", "Walker", "Hughes",
];

/// A small deterministic generator, so the export is the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// The export: `matters` dossiers keyed from `first_key`, 40 people, 60 time lines and 30
/// trust postings naming dossiers.
fn export(matters: u64, first_key: u64, place: &Place) -> Vec<(&'static str, String)> {
    let mut rng = Lcg(7);
    let mut people =
        String::from("RollNo,Given Names,Surnames,E-Mail Addr,Mobile,Locality,Postal Zone\n");
    for i in 1..=40u64 {
        let (town, post) = place.towns[(i as usize) % place.towns.len()];
        let (g, f) = (
            GIVEN[(i as usize) % GIVEN.len()],
            FAMILY[(i as usize) % FAMILY.len()],
        );
        let mobile = (place.mobile)(&mut rng);
        let email = format!(
            "{}.{}{i}@{}",
            g.to_lowercase(),
            f.to_lowercase(),
            place.domain
        );
        let _ = writeln!(people, "R{i:03},{g},{f},{email},{mobile},{town},{post}");
    }
    let mut dossiers =
        String::from("DossierID,Dossier Title,Client Roll No,Opened Date,Dossier Status\n");
    for i in 0..matters {
        let day = 13 + rng.below(15);
        let month = 1 + rng.below(12);
        let client = 1 + i % 40;
        let _ = writeln!(
            dossiers,
            "{},Sale of {} {i},R{client:03},{day:02}/{month:02}/2023,Open",
            first_key + i,
            FAMILY[(i as usize) % FAMILY.len()]
        );
    }
    let mut time = String::from("Line Ref,DossierID,Date,Hours,Rate,Amount,Work Details\n");
    for i in 1..=60u64 {
        let dossier = first_key + rng.below(matters);
        let hours = [5u64, 10, 15, 20][rng.below(4) as usize];
        let rate = [150u64, 220, 300][rng.below(3) as usize];
        let amount = hours * rate / 10;
        let (day, month) = (13 + rng.below(15), 1 + rng.below(12));
        let _ = writeln!(
            time,
            "W{i:04},{dossier},{day:02}/{month:02}/2024,{}.{},{sign}{rate}.00,{sign}{amount}.00,Review papers",
            hours / 10,
            hours % 10,
            sign = place.sign
        );
    }
    let mut trust = String::from("Posting Ref,DossierID,Date,Type,Amount\n");
    for i in 1..=30u64 {
        let dossier = first_key + rng.below(matters);
        let (day, month) = (13 + rng.below(15), 1 + rng.below(12));
        let _ = writeln!(
            trust,
            "CA{i:03},{dossier},{day:02}/{month:02}/2024,Receipt,{}{}.00",
            place.sign,
            100 + rng.below(9000)
        );
    }
    vec![
        ("people_roll.csv", people),
        ("dossier_files.csv", dossiers),
        ("time_lines.csv", time),
        ("trust_postings.csv", trust),
    ]
}

fn inspected(files: &[(&str, String)]) -> (tempfile::TempDir, InspectReport) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, body) in files {
        std::fs::write(dir.path().join(name), body).expect("write");
    }
    let report = inspect(dir.path(), &InspectOptions::default(), &NoProgress).expect("inspect");
    (dir, report)
}

/// The field a file's column maps to in the proposed mapping.
fn field(report: &InspectReport, file: &str, header: &str) -> Option<String> {
    let f = report
        .files
        .iter()
        .find(|f| f.file == file)
        .unwrap_or_else(|| panic!("{file} inspected"));
    f.suggestion
        .columns
        .iter()
        .find(|c| c.header == header)
        .and_then(|c| c.field)
        .map(str::to_string)
}

#[test]
fn children_link_to_their_matters_and_phones_read_in_the_evidence_country() {
    let files = export(25, 7001, &BRITAIN);
    let (_dir, report) = inspected(&files);
    for file in ["time_lines.csv", "trust_postings.csv"] {
        assert_eq!(
            field(&report, file, "DossierID").as_deref(),
            Some("project_id"),
            "{file}: {:#?}",
            report
                .files
                .iter()
                .find(|f| f.file == file)
                .map(|f| &f.suggestion.columns)
        );
        let f = report
            .files
            .iter()
            .find(|f| f.file == file)
            .expect("listed");
        assert!(
            !f.suggestion.missing_required.contains(&"project_id"),
            "{file}: {:?}",
            f.suggestion.missing_required
        );
        // Every row reads under the proposal: none is rejected for a matter it does not name.
        assert_eq!(f.rows, f.valid_rows, "{file}: {:?}", f.problems);
    }
    assert_eq!(
        report.mapping.country.as_deref(),
        Some("GB"),
        "{}",
        report.mapping_toml
    );
    assert!(
        report.mapping_toml.contains("# country: GB fits"),
        "{}",
        report.mapping_toml
    );
    assert!(
        !report.questions().any(|q| q.setting.starts_with("country")),
        "{:?}",
        report.questions().collect::<Vec<_>>()
    );
    // The £ amounts are read as GBP, not rejected under a US-dollar default.
    assert_eq!(report.mapping.currency, "GBP", "{}", report.mapping_toml);
    assert!(
        report.mapping_toml.contains("# currency: "),
        "{}",
        report.mapping_toml
    );
    let people = report
        .files
        .iter()
        .find(|f| f.file == "people_roll.csv")
        .expect("listed");
    assert_eq!(people.rows, people.valid_rows, "{:?}", people.problems);
}

/// The export with child tables whose key and reference headers nothing here knows: the
/// time lines keyed by "Slip No" and naming their dossier in "Folio", the trust postings
/// naming their dossier in "Folio" and their client in "Party No" (a column added here), and
/// the people's mobiles under "Mob Tel".
fn unseen_headers(files: &mut [(&'static str, String)]) {
    for (name, body) in files.iter_mut() {
        let (header, rows) = body.split_once('\n').expect("a header line");
        let (header, rows) = (header.to_string(), rows.to_string());
        *body = match *name {
            "time_lines.csv" => format!(
                "{}\n{rows}",
                header
                    .replace("Line Ref", "Slip No")
                    .replace("DossierID", "Folio")
            ),
            "trust_postings.csv" => {
                let mut out = format!("{},Party No\n", header.replace("DossierID", "Folio"));
                for (i, row) in rows.lines().enumerate() {
                    let _ = writeln!(out, "{row},R{:03}", 1 + (i * 7) % 40);
                }
                out
            }
            "people_roll.csv" => format!("{}\n{rows}", header.replace("Mobile", "Mob Tel")),
            _ => continue,
        };
    }
}

fn file<'a>(report: &'a InspectReport, name: &str) -> &'a migrationai_ingest::inspect::FileReport {
    report
        .files
        .iter()
        .find(|f| f.file == name)
        .unwrap_or_else(|| panic!("{name} inspected"))
}

/// Child tables are recognised by what their values refer to: kinds, keys and links come
/// from the values when no header is known, and every row reads under the proposal.
#[test]
fn child_tables_with_unknown_headers_are_recognised_by_their_references() {
    let mut files = export(25, 7001, &BRITAIN);
    unseen_headers(&mut files);
    let (_dir, report) = inspected(&files);
    for (name, kind, key, links) in [
        (
            "time_lines.csv",
            Kind::BillingItems,
            "Slip No",
            &[("Folio", "project_id")][..],
        ),
        (
            "trust_postings.csv",
            Kind::ProjectFunds,
            "Posting Ref",
            &[("Folio", "project_id"), ("Party No", "contact_id")],
        ),
    ] {
        let f = file(&report, name);
        assert_eq!(
            f.kind,
            Some(kind),
            "{name}: {:?} {:#?}",
            f.suggestion.kind_scores,
            f.suggestion.columns
        );
        // The key column serves as the id: as the key, or mapped to the id field itself.
        let id = kind_def(kind).id_field().name;
        let keyed = match &f.key {
            Key::Columns(c) => c == &vec![key.to_string()],
            Key::Field => field(&report, name, key).as_deref() == Some(id),
            Key::Derived => false,
        };
        assert!(keyed, "{name}: {:?} {:?}", f.key, f.suggestion.key_evidence);
        for (header, to) in links {
            assert_eq!(
                field(&report, name, header).as_deref(),
                Some(*to),
                "{name}: {header}"
            );
        }
        assert!(
            f.suggestion.missing_required.is_empty(),
            "{name}: {:?}",
            f.suggestion.missing_required
        );
        // Every row loads: none is rejected for a matter or a client it does not name.
        assert!(f.rows > 0, "{name}");
        assert_eq!(f.rows, f.valid_rows, "{name}: {:?}", f.problems);
        let mapped = report.mapping.file(name).expect("in the mapping");
        assert_eq!(mapped.kind, Some(kind), "{}", report.mapping_toml);
    }
    // The mobiles are recognised as phones although they are no number in the default
    // country, and read in the country the export points to.
    assert_eq!(
        field(&report, "people_roll.csv", "Mob Tel").as_deref(),
        Some("phone")
    );
    assert_eq!(
        report.mapping.country.as_deref(),
        Some("GB"),
        "{}",
        report.mapping_toml
    );
    let people = file(&report, "people_roll.csv");
    assert_eq!(people.rows, people.valid_rows, "{:?}", people.problems);
}

/// A bare "$" is the dollar of the country the rest of the export points to.
#[test]
fn bare_dollars_are_read_in_the_evidence_country_currency() {
    for (place, currency) in [(&AUSTRALIA, "AUD"), (&AMERICA, "USD")] {
        let (_dir, report) = inspected(&export(25, 7001, place));
        assert_eq!(report.mapping.currency, currency, "{}", report.mapping_toml);
        assert!(
            !report
                .questions()
                .any(|q| q.setting.starts_with("currency")),
            "{:?}",
            report.questions().collect::<Vec<_>>()
        );
        for f in &report.files {
            // Every amount reads in that currency: none is a currency mismatch.
            assert_eq!(f.rows, f.valid_rows, "{}: {:?}", f.file, f.problems);
        }
    }
}

/// Amounts in pounds beside amounts in euros: the currency is a question, not a pick.
#[test]
fn mixed_currencies_are_a_question() {
    let mut files = export(25, 7001, &BRITAIN);
    let (_, trust) = files
        .iter_mut()
        .find(|(n, _)| *n == "trust_postings.csv")
        .expect("trust file");
    *trust = trust.replace('£', "€");
    let (_dir, report) = inspected(&files);
    let q = report
        .questions()
        .find(|q| q.setting.starts_with("currency"))
        .unwrap_or_else(|| panic!("a currency question: {}", report.mapping_toml));
    assert!(q.options.iter().any(|o| o == "GBP"), "{:?}", q.options);
    assert!(q.options.iter().any(|o| o == "EUR"), "{:?}", q.options);
}

/// An export whose every header is new, the matters' table included: people keyed by
/// "Party No", matters ("Folio") naming their client and described in "Brief", and time
/// slips naming their matter. Nothing but the values, the tables' structure and perhaps the
/// matters file's name (`matters_file`) says which table holds the matters.
fn folio_export(matters_file: &'static str) -> Vec<(&'static str, String)> {
    const STATES: &[&str] = &["NSW", "VIC", "QLD", "WA", "SA", "TAS"];
    const GIVEN: &[&str] = &["Liam", "Chloe", "Jack", "Mia", "Lucas", "Zoe", "Ethan"];
    const FAMILY: &[&str] = &[
        "Nguyen", "Smith", "Kelly", "Patel", "Wilson", "Murphy", "Chen", "Ryan",
    ];
    const DISPUTES: &[&str] = &[
        "lease dispute",
        "building defects",
        "unpaid invoices",
        "boundary fence",
        "employment claim",
    ];
    let mut rng = Lcg(11);
    let mut people = String::from("Party No,Full Name,Mob Tel,E-mail Addr,State\n");
    for i in 1..=30u64 {
        let (g, f) = (
            GIVEN[(i as usize) % GIVEN.len()],
            FAMILY[(i as usize * 3) % FAMILY.len()],
        );
        let mobile = format!(
            "04{:02} {:03} {:03}",
            10 + rng.below(30),
            100 + rng.below(900),
            100 + rng.below(900)
        );
        let email = format!(
            "{}.{}{i}@example.com.au",
            g.to_lowercase(),
            f.to_lowercase()
        );
        let state = STATES[rng.below(STATES.len() as u64) as usize];
        let _ = writeln!(people, "P{i:04},{g} {f},{mobile},{email},{state}");
    }
    let mut files = String::from("Folio,Party No,Brief,Commenced\n");
    for i in 0..40u64 {
        let client = 1 + rng.below(30);
        let (a, b) = (
            FAMILY[(i as usize) % FAMILY.len()],
            FAMILY[(i as usize + 3) % FAMILY.len()],
        );
        let brief = match i % 4 {
            0 => format!(
                "{a} v {b} — {}",
                DISPUTES[(i as usize / 4) % DISPUTES.len()]
            ),
            1 => format!("Estate of {}. {a}", (b'A' + (i % 26) as u8) as char),
            2 => format!("Purchase of {} {b} Street", 2 + i),
            _ => format!("{a} family law matter {i}"),
        };
        let (day, month, year) = (1 + rng.below(28), 1 + rng.below(12), 2019 + rng.below(5));
        let _ = writeln!(
            files,
            "F-{},P{client:04},{brief},{day:02}/{month:02}/{year}",
            1001 + i
        );
    }
    let mut slips = String::from("Slip No,Folio,Worked,Units,Charge\n");
    for i in 1..=55u64 {
        let folio = 1001 + rng.below(40);
        let tenths = [2u64, 5, 10, 15, 30][rng.below(5) as usize];
        let cents = tenths * 38_000 / 10;
        let (day, month) = (1 + rng.below(28), 1 + rng.below(12));
        let _ = writeln!(
            slips,
            "S{i:05},F-{folio},{day:02}/{month:02}/2024,{}.{},A${}.{:02}",
            tenths / 10,
            tenths % 10,
            cents / 100,
            cents % 100
        );
    }
    vec![
        ("people.csv", people),
        (matters_file, files),
        ("slips.csv", slips),
    ]
}

/// A matters table none of whose headers is known is recognised by its place in the export:
/// time slips refer to its key and it refers to the people. Its free-text titles are the
/// matters' names and its dates their opening, and every row of the three files reads. The
/// file's name helps ("files" is a word for matters) but is not needed.
#[test]
fn a_parent_table_with_unknown_headers_is_recognised_by_its_place_in_the_export() {
    for matters_file in ["files.csv", "folios.csv"] {
        parent_recognised_by_its_place(matters_file);
    }
}

fn parent_recognised_by_its_place(matters_file: &'static str) {
    let (_dir, report) = inspected(&folio_export(matters_file));
    for (name, kind, key, links) in [
        ("people.csv", Kind::Contacts, "Party No", &[][..]),
        (
            matters_file,
            Kind::Projects,
            "Folio",
            &[
                ("Party No", "client_id"),
                ("Brief", "name"),
                ("Commenced", "opened_on"),
            ][..],
        ),
        (
            "slips.csv",
            Kind::BillingItems,
            "Slip No",
            &[("Folio", "project_id")][..],
        ),
    ] {
        let f = file(&report, name);
        assert_eq!(
            f.kind,
            Some(kind),
            "{name}: {:?} {:#?}",
            f.suggestion.kind_scores,
            f.suggestion.columns
        );
        let id = kind_def(kind).id_field().name;
        let keyed = match &f.key {
            Key::Columns(c) => c == &vec![key.to_string()],
            Key::Field => field(&report, name, key).as_deref() == Some(id),
            Key::Derived => false,
        };
        assert!(keyed, "{name}: {:?} {:?}", f.key, f.suggestion.key_evidence);
        for (header, to) in links {
            assert_eq!(
                field(&report, name, header).as_deref(),
                Some(*to),
                "{name}: {header} {:#?}",
                f.suggestion.columns
            );
        }
        assert!(
            f.suggestion.missing_required.is_empty(),
            "{name}: {:?}",
            f.suggestion.missing_required
        );
        assert!(f.rows > 0, "{name}");
        assert_eq!(f.rows, f.valid_rows, "{name}: {:?}", f.problems);
        let mapped = report.mapping.file(name).expect("in the mapping");
        assert_eq!(mapped.kind, Some(kind), "{}", report.mapping_toml);
    }
    assert_eq!(report.total_rows(), 125);
    assert_eq!(
        field(&report, "people.csv", "Mob Tel").as_deref(),
        Some("phone")
    );
    assert_eq!(
        field(&report, "people.csv", "E-mail Addr").as_deref(),
        Some("email")
    );
    assert_eq!(report.mapping.currency, "AUD", "{}", report.mapping_toml);
}

/// A trust ledger written from the bank's side: "Debit" is money paid in, which raises the
/// running balance, and "Credit" money paid out. The balance's arithmetic outranks what the
/// headers say on a client's ledger. And a matters table whose key is headed "Matter" (a
/// name of the matter's name too) gives the name to its "Title" column.
#[test]
fn the_running_balance_says_which_column_is_money_in_and_a_key_gives_back_the_name() {
    let mut ledger = String::from("Txn,Matter,Date,Memo,Debit,Credit,Balance\n");
    let mut balances = [0i64; 4];
    for i in 0..40i64 {
        let m = (i % 4) as usize;
        let (debit, credit) = if balances[m] < 500 || i % 3 != 0 {
            (300 + 100 * (i % 7), 0)
        } else {
            (0, 100 + 50 * (i % 5))
        };
        balances[m] += debit - credit;
        let cell = |v: i64| {
            if v == 0 {
                String::new()
            } else {
                format!("{v}.00")
            }
        };
        let _ = writeln!(
            ledger,
            "T{i:03},M{m},2024-03-{:02},Memo {i},{},{},{}.00",
            1 + i % 28,
            cell(debit),
            cell(credit),
            balances[m]
        );
    }
    let matters = (0..4)
        .map(|m| format!("M{m},C{m},Lee v. Park {m},2024-01-0{}\n", m + 1))
        .collect::<String>();
    let clients = (0..4)
        .map(|c| format!("C{c},Ann{c},Lee,ann{c}@example.com\n"))
        .collect::<String>();
    let files = [
        ("Trust Ledger.csv", ledger),
        (
            "Matters.csv",
            format!("Matter,Client,Title,Opened\n{matters}"),
        ),
        (
            "Clients.csv",
            format!("Client,First Name,Last Name,Email\n{clients}"),
        ),
    ];
    let (_dir, report) = inspected(&files);
    let of = |header: &str| field(&report, "Trust Ledger.csv", header);
    assert_eq!(of("Debit").as_deref(), Some("deposit"));
    assert_eq!(of("Credit").as_deref(), Some("withdrawal"));
    assert_eq!(of("Balance").as_deref(), Some("running_balance"));
    assert_eq!(
        field(&report, "Matters.csv", "Title").as_deref(),
        Some("name")
    );
    let matters = file(&report, "Matters.csv");
    assert_eq!(matters.valid_rows, 4, "{:?}", matters.problems);
}
