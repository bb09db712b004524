//! An export in a style nothing here was shaped on: file and key names of its own, numeric
//! matter keys that the children name in a column called like the key, British phone numbers,
//! postcodes and domains. Detection must link the children to their matters from the values
//! and read the numbers in the country the export's own evidence points to.

use migrationai_ingest::inspect::{inspect, InspectOptions, InspectReport, NoProgress};
use std::fmt::Write as _;

const TOWNS: &[(&str, &str)] = &[
    ("Leeds", "LS1 4AP"),
    ("York", "YO1 7HH"),
    ("Bath", "BA1 1LZ"),
    ("Derby", "DE1 2FS"),
    ("Hull", "HU1 3DZ"),
    ("Bristol", "BS1 5TR"),
];
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
fn export(matters: u64, first_key: u64) -> Vec<(&'static str, String)> {
    let mut rng = Lcg(7);
    let mut people =
        String::from("RollNo,Given Names,Surnames,E-Mail Addr,Mobile,Locality,Postal Zone\n");
    for i in 1..=40u64 {
        let (town, post) = TOWNS[(i as usize) % TOWNS.len()];
        let (g, f) = (
            GIVEN[(i as usize) % GIVEN.len()],
            FAMILY[(i as usize) % FAMILY.len()],
        );
        // 071xx–073xx: British mobile ranges, written as Britain writes them.
        let mobile = format!(
            "07{}{:02} {:06}",
            1 + rng.below(3),
            10 + rng.below(90),
            100_000 + rng.below(900_000)
        );
        let email = format!("{}.{}{i}@example.co.uk", g.to_lowercase(), f.to_lowercase());
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
            "W{i:04},{dossier},{day:02}/{month:02}/2024,{}.{},{rate}.00,{amount}.00,Review papers",
            hours / 10,
            hours % 10
        );
    }
    let mut trust = String::from("Posting Ref,DossierID,Date,Type,Amount\n");
    for i in 1..=30u64 {
        let dossier = first_key + rng.below(matters);
        let (day, month) = (13 + rng.below(15), 1 + rng.below(12));
        let _ = writeln!(
            trust,
            "CA{i:03},{dossier},{day:02}/{month:02}/2024,Receipt,{}.00",
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
    let files = export(25, 7001);
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
    let people = report
        .files
        .iter()
        .find(|f| f.file == "people_roll.csv")
        .expect("listed");
    assert_eq!(people.rows, people.valid_rows, "{:?}", people.problems);
}
