//! A style scaled by its number of matters grows every file in proportion, and small stays
//! the corpus's own firm.

use migrationai_sample::styles::{self, Style};
use migrationai_sample::Size;

fn with_matters(style: &Style, matters: usize) -> Style {
    Style {
        matters,
        ..style.clone()
    }
}

#[test]
fn twice_the_matters_is_about_twice_the_rows() {
    for style in styles::all() {
        let one = styles::source_rows(&style);
        let two = styles::source_rows(&with_matters(&style, style.matters * 2));
        let ratio = two as f64 / one as f64;
        // Rows per matter are drawn at random, and a handful of dirty rows do not scale.
        assert!(
            (1.8..=2.2).contains(&ratio),
            "{}: {one} rows at {} matters, {two} at twice that",
            style.name,
            style.matters
        );
    }
}

#[test]
fn small_is_the_style_itself() {
    for style in styles::all() {
        assert_eq!(
            styles::at_size(&style, Size::Small).matters,
            style.matters,
            "{}",
            style.name
        );
    }
}

#[test]
fn medium_and_large_aim_at_the_samples_sizes() {
    for style in styles::all() {
        let per_matter = styles::source_rows(&style) as f64 / style.matters as f64;
        for (size, rows) in [(Size::Medium, 500_000.0), (Size::Large, 5_000_000.0)] {
            let matters = styles::at_size(&style, size).matters as f64;
            let expected = matters * per_matter;
            assert!(
                (expected / rows - 1.0).abs() < 0.01,
                "{} at {size}: {matters} matters, about {expected:.0} rows",
                style.name
            );
        }
    }
}

#[test]
fn a_scaled_style_is_written_with_its_truth() {
    let dir = tempfile::tempdir().expect("tempdir");
    let style = styles::all().into_iter().next().expect("a style");
    let scaled = with_matters(&style, style.matters * 3);
    let truth = styles::write(&scaled, dir.path()).expect("writes");
    let rows: usize = truth.kinds.values().map(|c| c.source_rows).sum();
    assert_eq!(rows, styles::source_rows(&scaled));
    for (path, file) in &truth.files {
        let mut reader =
            csv::Reader::from_path(dir.path().join("export").join(path)).expect("file written");
        assert_eq!(reader.records().count(), file.rows, "{path}");
    }
    // Every trust line of a known matter counts towards one balance: at three times the
    // matters, about three times as many matters hold trust.
    let base = styles::write(&style, &dir.path().join("base")).expect("writes");
    let grown = truth.trust_by_project.len() as f64 / base.trust_by_project.len().max(1) as f64;
    assert!(
        base.trust_by_project.is_empty() || (2.5..=3.5).contains(&grown),
        "{grown}"
    );
}
