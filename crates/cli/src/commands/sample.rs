use crate::output::say;
use anyhow::Context;
use migrationai_sample::{generate, SampleOptions, Size};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// small (a few thousand rows), medium (about 500,000) or large (about 5,000,000). With
    /// --style, small is the corpus's style as it is and medium and large scale its firm's
    /// matters to about that many rows.
    #[arg(long, default_value = "small")]
    size: Size,
    /// Seed of the generator: the same seed and size write the same export, byte for byte.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Folder to write export/ (or export.zip) and ground_truth.json into.
    #[arg(long)]
    out: PathBuf,
    /// Write the export as one .zip file.
    #[arg(long)]
    zip: bool,
    /// Instead of the sample, write one export style of the fidelity corpus (modelled on
    /// another practice-management system) or "all" of them, each in OUT/<style>/.
    #[arg(long)]
    style: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    if let Some(name) = &a.style {
        return styles(name, a.size, &a.out);
    }
    let opts = SampleOptions {
        size: a.size,
        seed: a.seed,
        out: a.out.clone(),
        zip: a.zip,
    };
    let summary =
        generate(&opts).with_context(|| format!("writing the sample to {}", a.out.display()))?;
    say!("export:       {}", summary.export.display());
    say!("ground truth: {}", summary.ground_truth.display());
    for (kind, rows) in &summary.rows_by_kind {
        say!("  {kind:<16} {rows:>9} rows");
    }
    say!(
        "{} rows ({} to be rejected), {} documents, {} emails, written in {:.1} s",
        summary.total_rows,
        summary.rejected,
        summary.documents,
        summary.emails,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn styles(name: &str, size: Size, out: &std::path::Path) -> anyhow::Result<ExitCode> {
    let all = migrationai_sample::styles::all();
    let chosen: Vec<_> = all
        .iter()
        .filter(|s| name == "all" || s.name == name)
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = all.iter().map(|s| s.name).collect();
        anyhow::bail!("no style \"{name}\"; styles: all, {}", names.join(", "));
    }
    for style in chosen {
        let dir = out.join(style.name);
        let style = migrationai_sample::styles::at_size(style, size);
        let truth = migrationai_sample::styles::write(&style, &dir)
            .with_context(|| format!("writing style {} to {}", style.name, dir.display()))?;
        let rows: usize = truth.kinds.values().map(|c| c.source_rows).sum();
        let rejected: usize = truth.kinds.values().map(|c| c.rejected).sum();
        println!(
            "{:<16} {:<34} {:>2} files, {rows:>4} rows ({rejected} to be rejected): {}",
            style.name,
            style.modelled_on,
            truth.files.len(),
            dir.join("export").display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
