use super::embedded::{runtime, Embedded};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use migrationai_processing::app::{migrate, verdict_text, Progress};
use migrationai_processing::report::Threshold;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

#[derive(clap::Args)]
pub struct Args {
    /// The export: a folder or a .zip file.
    export: PathBuf,
    /// A reviewed mapping file (TOML); without one, the proposed mapping is used.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// The job's name; running the same name again resumes it.
    #[arg(long)]
    job: Option<String>,
    /// A file's text encoding, over detection and the mapping: FILE=LABEL (e.g.
    /// "Contacts.csv=ISO-8859-15"); repeat for several files.
    #[arg(long = "encoding", value_name = "FILE=LABEL", value_parser = super::inspect::parse_encoding)]
    encodings: Vec<(String, migrationai_ingest::TextEncoding)>,
    /// Rows per batch message.
    #[arg(long, default_value_t = migrationai_processing::config::DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    /// The share of each kind's rows that must load for the job to count as migrated, in
    /// percent ("99", "99.5%").
    #[arg(long, default_value = "99")]
    threshold: Threshold,
    #[command(flatten)]
    embedded: Embedded,
}

/// One bar per kind, filled by batches done.
struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
    show: bool,
}

impl Bars {
    fn update(&self, p: &Progress) {
        if !self.show {
            return;
        }
        let Ok(mut bars) = self.bars.lock() else {
            return;
        };
        for k in &p.kinds {
            let bar = bars.entry(k.kind.clone()).or_insert_with(|| {
                let b = self.multi.add(ProgressBar::new(0));
                let style = ProgressStyle::with_template(
                    "{prefix:>16} [{bar:30}] {pos}/{len} batches {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar());
                b.set_style(style.progress_chars("=> "));
                b.set_prefix(k.kind.clone());
                b
            });
            bar.set_length(k.batches.max(0) as u64);
            bar.set_position(k.batches_done.max(0) as u64);
            bar.set_message(format!("{} loaded, {} rejected", k.loaded, k.rejected));
        }
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let mut config = a.embedded.config();
    config.batch_size = a.batch_size.max(1);
    config.threshold = a.threshold;
    config.encodings = a.encodings.clone();
    let bars = Bars {
        multi: MultiProgress::new(),
        bars: Mutex::new(HashMap::new()),
        show: std::io::stderr().is_terminal(),
    };
    let started = std::time::Instant::now();
    let rt = runtime()?;
    let report = rt.block_on(migrate(
        &a.export,
        a.mapping.as_deref(),
        a.job.clone(),
        &config,
        &|p| bars.update(p),
    ))?;
    if let Ok(bars) = bars.bars.lock() {
        for b in bars.values() {
            b.finish();
        }
    }
    let rows: u64 = report.kinds.values().map(|c| c.source_rows).sum();
    let secs = started.elapsed().as_secs_f64();
    println!("job {} ({})", report.job_name, report.job);
    println!(
        "{:<16} {:>9} {:>9} {:>9}",
        "kind", "source", "loaded", "rejected"
    );
    for (kind, c) in &report.kinds {
        println!(
            "{kind:<16} {:>9} {:>9} {:>9}",
            c.source_rows, c.loaded, c.rejected
        );
    }
    println!(
        "{rows} source rows in {secs:.1} s ({:.0} rows/s)",
        rows as f64 / secs.max(1e-9)
    );
    let dir = config.data_dir.join("reports").join(&report.job_name);
    println!(
        "report: {} (report.json, report.html, rejects.csv)",
        dir.display()
    );
    print!("{}", verdict_text(&report, 20));
    // 2: the job ran to its end but did not migrate (see the README's commands table).
    Ok(if report.verdict.migrated {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
