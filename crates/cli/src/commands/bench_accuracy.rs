//! `bench accuracy`: how right the product reads exports it was not shaped on, per style of
//! the fidelity corpus and overall, against the goals the product is held to, and how right
//! its duplicate matcher is on the FEBRL sets beside two baselines.
use crate::output::say;

use migrationai_bench::fidelity::{ratio, score_style, StyleScore};
use std::path::Path;
use std::process::ExitCode;

const PRECISION_GOAL: f64 = 0.98;
const RECALL_GOAL: f64 = 0.95;

pub fn accuracy(dir: &Path, only: Option<&str>, febrl: &Path) -> anyhow::Result<ExitCode> {
    let styles: Vec<_> = migrationai_sample::styles::all()
        .into_iter()
        .filter(|s| only.is_none_or(|o| o == s.name))
        .collect();
    if styles.is_empty() {
        anyhow::bail!("no style \"{}\"", only.unwrap_or_default());
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let rt = super::embedded::runtime()?;
    let mut scores = Vec::new();
    for style in &styles {
        let score = rt.block_on(score_style(style, &dir.join(style.name)))?;
        scores.push(score);
    }
    say!(
        "{:<16} {:<34} {:>7} {:>7} {:>9} {:>7} {:>13} {:>13} {:>6} {:>7} {:>7}",
        "style",
        "modelled on",
        "kinds",
        "keys",
        "precision",
        "recall",
        "loaded",
        "rejected",
        "false",
        "dup P",
        "dup R"
    );
    for s in &scores {
        line(s);
    }
    let total = StyleScore {
        style: "overall".into(),
        files: scores.iter().map(|s| s.files).sum(),
        kinds_right: scores.iter().map(|s| s.kinds_right).sum(),
        keys_right: scores.iter().map(|s| s.keys_right).sum(),
        mapped: scores.iter().map(|s| s.mapped).sum(),
        mapped_right: scores.iter().map(|s| s.mapped_right).sum(),
        truth_mapped: scores.iter().map(|s| s.truth_mapped).sum(),
        loaded: scores.iter().map(|s| s.loaded).sum(),
        rejected: scores.iter().map(|s| s.rejected).sum(),
        truth_loaded: scores.iter().map(|s| s.truth_loaded).sum(),
        truth_rejected: scores.iter().map(|s| s.truth_rejected).sum(),
        false_problems: scores
            .iter()
            .flat_map(|s| s.false_problems.clone())
            .collect(),
        duplicates_found: scores.iter().map(|s| s.duplicates_found).sum(),
        duplicates_right: scores.iter().map(|s| s.duplicates_right).sum(),
        duplicates_truth: scores.iter().map(|s| s.duplicates_truth).sum(),
        duplicate_errors: scores
            .iter()
            .flat_map(|s| s.duplicate_errors.clone())
            .collect(),
        ..StyleScore::default()
    };
    line(&total);
    say!(
        "\nkind detection accuracy {:.3}, key inference accuracy {:.3}, mapping precision {:.3} (goal ≥ {PRECISION_GOAL}), recall {:.3} (goal ≥ {RECALL_GOAL}), false reconciliation problems {} (goal 0)",
        ratio(total.kinds_right, total.files),
        ratio(total.keys_right, total.files),
        total.precision(),
        total.recall(),
        total.false_problems.len()
    );
    say!(
        "duplicate contacts: {} of {} grouped pairs right, {} true pairs: precision {:.3}, recall {:.3} (goal: as the truth groups them)",
        total.duplicates_right,
        total.duplicates_found,
        total.duplicates_truth,
        total.duplicate_precision(),
        total.duplicate_recall()
    );
    say!();
    let febrl_met = super::bench::febrl(febrl)?;
    let mut any = false;
    for s in &scores {
        if s.wrong.is_empty()
            && s.false_problems.is_empty()
            && s.count_errors.is_empty()
            && s.duplicate_errors.is_empty()
        {
            continue;
        }
        if !any {
            say!("\nWhat was wrong:");
            any = true;
        }
        say!("  {}:", s.style);
        for w in s.count_errors.iter().chain(&s.wrong) {
            say!("    {w}");
        }
        for p in s.false_problems.iter().take(5) {
            say!("    false problem: {p}");
        }
        if s.false_problems.len() > 5 {
            say!("    ... {} false problems in all", s.false_problems.len());
        }
        for d in &s.duplicate_errors {
            say!("    duplicates: {d}");
        }
    }
    let met = total.kinds_right == total.files
        && total.keys_right == total.files
        && total.precision() >= PRECISION_GOAL
        && total.recall() >= RECALL_GOAL
        && total.false_problems.is_empty()
        && total.duplicate_errors.is_empty()
        && scores.iter().all(|s| s.count_errors.is_empty())
        && febrl_met != Some(false);
    say!(
        "\ngoals {}{}",
        if met { "met" } else { "NOT met" },
        if febrl_met.is_none() {
            " (the FEBRL goal not measured: no FEBRL sets)"
        } else {
            ""
        }
    );
    Ok(if met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn line(s: &StyleScore) {
    say!(
        "{:<16} {:<34} {:>7} {:>7} {:>9.3} {:>7.3} {:>13} {:>13} {:>6} {:>7.3} {:>7.3}",
        s.style,
        s.modelled_on,
        format!("{}/{}", s.kinds_right, s.files),
        format!("{}/{}", s.keys_right, s.files),
        s.precision(),
        s.recall(),
        format!("{}/{}", s.loaded, s.truth_loaded),
        format!("{}/{}", s.rejected, s.truth_rejected),
        s.false_problems.len(),
        s.duplicate_precision(),
        s.duplicate_recall()
    );
}
