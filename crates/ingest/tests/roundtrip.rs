//! Sample → inspect: every file's kind is detected and every canonical column is mapped to
//! its field with confidence ≥ 0.9 from the vendor-style headers; validation agrees with the
//! ground truth on every row-level reject.

use migrationai_ingest::inspect::{inspect, InspectOptions, NoProgress};
use migrationai_sample::{generate, GroundTruth, SampleOptions, Size};
use std::collections::BTreeMap;

fn sample(zip: bool) -> (tempfile::TempDir, std::path::PathBuf, GroundTruth) {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = SampleOptions {
        size: Size::Small,
        seed: 11,
        out: dir.path().to_path_buf(),
        zip,
    };
    let summary = generate(&opts).expect("sample generates");
    let text = std::fs::read_to_string(&summary.ground_truth).expect("ground truth written");
    let truth: GroundTruth = serde_json::from_str(&text).expect("ground truth parses");
    (dir, summary.export, truth)
}

fn check(zip: bool) {
    let (_dir, export, truth) = sample(zip);
    let report = inspect(&export, &InspectOptions::default(), &NoProgress).expect("inspect");
    assert!(
        report.unreadable.is_empty(),
        "unreadable: {:?}",
        report.unreadable
    );
    // The proposal written as a mapping file reads back as the same mapping.
    let reread = migrationai_ingest::mapping::Mapping::parse("proposal.toml", &report.mapping_toml)
        .unwrap_or_else(|e| panic!("the written mapping parses: {e}"));
    assert_eq!(reread.files, report.mapping.files);
    for (path, ft) in &truth.files {
        let file = report
            .files
            .iter()
            .find(|f| f.file == *path || f.file.starts_with(&format!("{path}#")))
            .unwrap_or_else(|| {
                panic!(
                    "{path} not inspected; got {:?}",
                    report.files.iter().map(|f| &f.file).collect::<Vec<_>>()
                )
            });
        assert_eq!(file.kind, Some(ft.kind), "{path}: kind");
        assert_eq!(file.rows as usize, ft.data_rows, "{path}: rows");
        for col in &ft.columns {
            let got = file
                .suggestion
                .columns
                .iter()
                .find(|c| c.header == col.header)
                .unwrap_or_else(|| panic!("{path}: column {}", col.header));
            match &col.field {
                Some(field) => {
                    assert_eq!(
                        got.field,
                        Some(field.as_str()),
                        "{path}: \"{}\" maps to {field}",
                        col.header
                    );
                    assert!(
                        got.confidence >= 0.9,
                        "{path}: \"{}\" → {field} at {}",
                        col.header,
                        got.confidence
                    );
                }
                None => assert_eq!(
                    got.field, None,
                    "{path}: vendor column \"{}\" stays unmapped",
                    col.header
                ),
            }
        }
        // Row-level rejects (everything but references, which need the other files) match the truth.
        let mut expected: BTreeMap<String, u64> = BTreeMap::new();
        for r in truth
            .rejects
            .iter()
            .filter(|r| r.file == *path && r.code != "orphan_reference")
        {
            *expected.entry(r.code.clone()).or_default() += 1;
        }
        assert_eq!(file.problem_totals, expected, "{path}: problems by code");
    }
}

#[test]
fn sample_folder_round_trips() {
    check(false);
}

#[test]
fn sample_zip_round_trips() {
    check(true);
}
