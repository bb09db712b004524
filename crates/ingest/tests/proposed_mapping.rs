//! A proposed mapping is always valid: whatever the export, the file `inspect --write-mapping`
//! writes parses back (as `migrate --mapping` parses it) into the very mapping proposed, and a
//! table of no known kind is left out whole. Checked over the small sample, every style of the
//! fidelity corpus and a set of hostile and unrecognisable tables.

mod common;

use migrationai_ingest::inspect::{inspect, InspectOptions, NoProgress};
use migrationai_ingest::mapping::Mapping;
use std::path::Path;

fn check(export: &Path, what: &str) -> Mapping {
    let report = inspect(export, &InspectOptions::default(), &NoProgress)
        .unwrap_or_else(|e| panic!("{what}: inspect: {e}"));
    let parsed = Mapping::parse("proposed.toml", &report.mapping_toml).unwrap_or_else(|e| {
        panic!(
            "{what}: the proposed mapping is refused: {e}\n{}",
            report.mapping_toml
        )
    });
    assert_eq!(
        parsed.files, report.mapping.files,
        "{what}: the mapping changed on its way through the file"
    );
    for f in &report.mapping.files {
        if f.kind.is_none() {
            assert!(
                f.columns.iter().all(|(_, field)| field.is_none()),
                "{what}: {} is left out but keeps mapped columns",
                f.table
            );
        }
    }
    // Passing the proposal back as a reviewed mapping changes nothing either.
    let again = inspect(
        export,
        &InspectOptions {
            mapping: Some(parsed),
            ..InspectOptions::default()
        },
        &NoProgress,
    )
    .unwrap_or_else(|e| panic!("{what}: inspect with the mapping: {e}"));
    Mapping::parse("again.toml", &again.mapping_toml)
        .unwrap_or_else(|e| panic!("{what}: the reviewed mapping is refused: {e}"));
    report.mapping
}

#[test]
fn the_small_sample_proposes_a_valid_mapping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = migrationai_sample::generate(&migrationai_sample::SampleOptions {
        size: migrationai_sample::Size::Small,
        seed: 11,
        out: dir.path().to_path_buf(),
        zip: false,
    })
    .expect("sample");
    hours_stay_hours(&check(&summary.export, "small sample"), "small sample");
}

/// The sample and the corpus write time in hours: no quantity of theirs may be converted.
fn hours_stay_hours(m: &Mapping, what: &str) {
    for f in &m.files {
        assert_eq!(
            f.quantity_unit,
            migrationai_ingest::units::QuantityUnit::Hours,
            "{what}: {}",
            f.table
        );
    }
}

#[test]
fn every_corpus_style_proposes_a_valid_mapping() {
    let dir = tempfile::tempdir().expect("tempdir");
    for style in migrationai_sample::styles::all() {
        let out = dir.path().join(style.name);
        migrationai_sample::styles::write(&style, &out).expect("style");
        hours_stay_hours(&check(&out.join("export"), style.name), style.name);
    }
}

#[test]
fn side_tables_and_hostile_files_propose_a_valid_mapping() {
    let mut wide = String::from("Entry ID,Matter,Date,Hours,Amount");
    for i in 0..100 {
        wide.push_str(&format!(",Custom {i}"));
    }
    wide.push('\n');
    for r in 0..20 {
        wide.push_str(&format!("{r},M{r},2024-01-0{},1.5,100.00", r % 9 + 1));
        for i in 0..100 {
            wide.push_str(&format!(",x{}", (r * i) % 7));
        }
        wide.push('\n');
    }
    let files: Vec<(&str, &[u8])> = vec![
        ("Practice Areas.csv", b"Name,Active\nPersonal Injury,Y\nFamily,N\n"),
        (
            "Settings.csv",
            b"Setting,Value\nfirm_name,Acme\ntimezone,America/Chicago\nlogo,\n",
        ),
        (
            "Timekeepers.csv",
            b"Initials,Full Name,Rate,Title\nAW,Ann Whit,250,Partner\nBO,Ben Oka,150,Associate\n",
        ),
        (
            "UTBMS Codes.csv",
            b"Code,Description,Type\nL110,Fact Investigation,Task\nA101,Plan and prepare,Activity\n",
        ),
        ("Time Detail.csv", wide.as_bytes()),
        ("empty.csv", b""),
        ("header only.csv", b"Matter ID,Client,Name\n"),
        (
            "weird headers.csv",
            b"\"Matter \"\"#\"\"\",\"a=b\",\"[x]\",\"key\"\n1,2,3,4\n2,3,4,5\n",
        ),
        (
            "duplicate headers.csv",
            b"ID,Name,Name,,Email\n1,a,b,c,a@example.com\n2,d,e,f,d@example.com\n",
        ),
        ("ragged.csv", b"Task ID,Matter,Title\n1,M1\n2,M2,Call,extra\n"),
        ("notes.json", br#"[{"Note ID": "1", "Matter": "M1", "Note": "hi"}]"#),
    ];
    let dir = common::folder(&files);
    let mapping = check(dir.path(), "side tables");
    // Lists of the firm's settings are no records of any kind.
    for side in [
        "Practice Areas.csv",
        "Settings.csv",
        "Timekeepers.csv",
        "UTBMS Codes.csv",
    ] {
        let kind = mapping.file(side).and_then(|f| f.kind);
        assert_eq!(kind, None, "{side} is taken for {kind:?}");
    }
}
