//! `bench accuracy`: how right the product reads exports it was not shaped on, per style of
//! the fidelity corpus and overall, against the goals the product is held to.

use migrationai_processing::fidelity::{ratio, score_style, StyleScore};
use std::path::Path;
use std::process::ExitCode;

const PRECISION_GOAL: f64 = 0.98;
const RECALL_GOAL: f64 = 0.95;

pub fn accuracy(dir: &Path, only: Option<&str>) -> anyhow::Result<ExitCode> {
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
    println!(
        "{:<16} {:<34} {:>7} {:>7} {:>9} {:>7} {:>13} {:>13} {:>6}",
        "style",
        "modelled on",
        "kinds",
        "keys",
        "precision",
        "recall",
        "loaded",
        "rejected",
        "false"
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
        ..StyleScore::default()
    };
    line(&total);
    println!(
        "\nkind detection accuracy {:.3}, key inference accuracy {:.3}, mapping precision {:.3} (goal ≥ {PRECISION_GOAL}), recall {:.3} (goal ≥ {RECALL_GOAL}), false reconciliation problems {} (goal 0)",
        ratio(total.kinds_right, total.files),
        ratio(total.keys_right, total.files),
        total.precision(),
        total.recall(),
        total.false_problems.len()
    );
    println!("\nduplicates: not measured here yet (duplicate-contact scoring and its FEBRL figures come with their own work)");
    let mut any = false;
    for s in &scores {
        if s.wrong.is_empty() && s.false_problems.is_empty() && s.count_errors.is_empty() {
            continue;
        }
        if !any {
            println!("\nWhat was wrong:");
            any = true;
        }
        println!("  {}:", s.style);
        for w in s.count_errors.iter().chain(&s.wrong) {
            println!("    {w}");
        }
        for p in s.false_problems.iter().take(5) {
            println!("    false problem: {p}");
        }
        if s.false_problems.len() > 5 {
            println!("    ... {} false problems in all", s.false_problems.len());
        }
    }
    let met = total.kinds_right == total.files
        && total.keys_right == total.files
        && total.precision() >= PRECISION_GOAL
        && total.recall() >= RECALL_GOAL
        && total.false_problems.is_empty()
        && scores.iter().all(|s| s.count_errors.is_empty());
    println!("\ngoals {}", if met { "met" } else { "NOT met" });
    Ok(if met {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn line(s: &StyleScore) {
    println!(
        "{:<16} {:<34} {:>7} {:>7} {:>9.3} {:>7.3} {:>13} {:>13} {:>6}",
        s.style,
        s.modelled_on,
        format!("{}/{}", s.kinds_right, s.files),
        format!("{}/{}", s.keys_right, s.files),
        s.precision(),
        s.recall(),
        format!("{}/{}", s.loaded, s.truth_loaded),
        format!("{}/{}", s.rejected, s.truth_rejected),
        s.false_problems.len()
    );
}
