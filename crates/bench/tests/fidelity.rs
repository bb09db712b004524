//! The fidelity corpus: every export style modelled on another practice-management system
//! goes through `inspect` and `migrate` with no mapping file, and must come out as its ground
//! truth says: every kind and key right, every kind's rows loaded and rejected as the truth
//! counts them, the column mapping at the goals' precision and recall, and the contacts entered
//! twice grouped exactly as the truth groups them.

use migrationai_bench::fidelity::{ratio, score_style};
use migrationai_sample::styles;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_style_reads_right_without_a_mapping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let (mut right, mut mapped, mut truth_mapped) = (0, 0, 0);
    for style in styles::all() {
        let score = score_style(&style, &dir.path().join(style.name))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", style.name));
        right += score.mapped_right;
        mapped += score.mapped;
        truth_mapped += score.truth_mapped;
        eprintln!(
            "{}: kinds {}/{}, keys {}/{}, mapping precision {:.3} recall {:.3}, loaded {}/{}, rejected {}/{}, duplicate pairs {}/{} of {}",
            score.style,
            score.kinds_right,
            score.files,
            score.keys_right,
            score.files,
            score.precision(),
            score.recall(),
            score.loaded,
            score.truth_loaded,
            score.rejected,
            score.truth_rejected,
            score.duplicates_right,
            score.duplicates_found,
            score.duplicates_truth
        );
        if score.kinds_right != score.files
            || score.keys_right != score.files
            || !score.count_errors.is_empty()
            || !score.unreported_keys.is_empty()
            || !score.duplicate_errors.is_empty()
        {
            failures.push(format!(
                "{}:\n  derived keys the report does not name: {:?}\n  {}\n  {}\n  {}",
                score.style,
                score.unreported_keys,
                score.count_errors.join("\n  "),
                score.wrong.join("\n  "),
                score.duplicate_errors.join("\n  ")
            ));
        }
    }
    let (precision, recall) = (ratio(right, mapped), ratio(right, truth_mapped));
    eprintln!("overall mapping precision {precision:.3}, recall {recall:.3}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(precision >= 0.98, "mapping precision {precision:.3}");
    assert!(recall >= 0.95, "mapping recall {recall:.3}");
}
