//! A style with twice its matters (how `sample --style X --size medium|large` scales one)
//! still migrates as its ground truth says, with no mapping file: scaling changes the amount
//! of work, not what a correct migration reaches.

use migrationai_bench::fidelity::score_style;
use migrationai_sample::styles::{self, Style};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_style_at_twice_its_matters_still_reads_right() {
    let dir = tempfile::tempdir().expect("tempdir");
    let style = styles::all().into_iter().next().expect("a style");
    let scaled = Style {
        matters: style.matters * 2,
        ..style.clone()
    };
    let base = score_style(&style, &dir.path().join("base"))
        .await
        .expect("the style migrates");
    let score = score_style(&scaled, &dir.path().join("scaled"))
        .await
        .expect("the scaled style migrates");
    assert!(
        score.perfect(),
        "{}: {:?} {:?} {:?} {:?}",
        score.style,
        score.count_errors,
        score.wrong,
        score.false_problems,
        score.duplicate_errors
    );
    let grown = score.truth_loaded as f64 / base.truth_loaded as f64;
    assert!((1.8..=2.2).contains(&grown), "{grown}");
    assert_eq!(score.loaded, score.truth_loaded);
    assert_eq!(score.rejected, score.truth_rejected);
}
