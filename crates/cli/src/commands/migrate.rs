use super::embedded::{runtime, Embedded};
use crate::output::say;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use migrationai_host::open;
use migrationai_host::settings::Env;
use migrationai_pipeline::app::{End, Progress};
use migrationai_pipeline::jobs::{Proposed, Start, Submitted};
use migrationai_pipeline::report::Threshold;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

#[derive(clap::Args)]
pub struct Args {
    /// The export: a folder or a .zip file.
    export: PathBuf,
    /// A reviewed mapping file (TOML); without one, the proposed mapping is used.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// The job's name (default: the export's folder or file name). The same name with the
    /// same export and mapping resumes the job; with another export or mapping it is refused.
    #[arg(long)]
    job: Option<String>,
    /// A file's text encoding, over detection and the mapping: FILE=LABEL (e.g.
    /// "Contacts.csv=ISO-8859-15"); repeat for several files.
    #[arg(long = "encoding", value_name = "FILE=LABEL", value_parser = super::inspect::parse_encoding)]
    encodings: Vec<(String, migrationai_ingest::TextEncoding)>,
    /// Rows per batch message.
    #[arg(long, default_value_t = migrationai_pipeline::config::DEFAULT_BATCH_SIZE)]
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
    bars: Mutex<HashMap<migrationai_domain::Kind, ProgressBar>>,
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
            let bar = bars.entry(k.kind).or_insert_with(|| {
                let b = self.multi.add(ProgressBar::new(0));
                let style = ProgressStyle::with_template(
                    "{prefix:>16} [{bar:30}] {pos}/{len} batches {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar());
                b.set_style(style.progress_chars("=> "));
                b.set_prefix(k.kind.as_str());
                b
            });
            bar.set_length(k.batches.max(0) as u64);
            bar.set_position(k.batches_done.max(0) as u64);
            bar.set_message(format!("{} loaded, {} rejected", k.loaded, k.rejected));
        }
    }
}

/// Stops a run on the first SIGINT (Ctrl-C) or SIGTERM: the workers finish or release what
/// they hold and the job is marked interrupted. A second signal ends the process at once
/// (the job then resumes from its last stored batch, as after a crash).
struct Signals {
    received: Arc<AtomicI32>,
}

const SIGINT: i32 = 2;
const SIGTERM: i32 = 15;

impl Signals {
    fn listen(rt: &tokio::runtime::Runtime, stop: CancellationToken) -> anyhow::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        let _entered = rt.enter();
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let received = Arc::new(AtomicI32::new(0));
        let seen = received.clone();
        rt.spawn(async move {
            loop {
                let number = tokio::select! {
                    _ = interrupt.recv() => SIGINT,
                    _ = terminate.recv() => SIGTERM,
                };
                if seen.swap(number, Ordering::SeqCst) != 0 {
                    eprintln!("second signal: stopping now; the next `migrate` resumes from the last stored batch");
                    std::process::exit(128 + number);
                }
                eprintln!("{}: stopping after the batches in hand (again to stop at once)…", name(number));
                stop.cancel();
            }
        });
        Ok(Signals { received })
    }

    fn received(&self) -> i32 {
        self.received.load(Ordering::SeqCst)
    }
}

fn name(signal: i32) -> &'static str {
    if signal == SIGTERM {
        "SIGTERM"
    } else {
        "SIGINT (Ctrl-C)"
    }
}

/// A word for a shell: quoted when it holds anything but plain path characters.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+,".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The command that resumes the job: the same export, mapping and name.
fn resume_command(a: &Args, job: &str) -> String {
    let mut words = vec![
        "migrationai".to_string(),
        "migrate".into(),
        shell_word(&a.export.display().to_string()),
    ];
    if let Some(m) = &a.mapping {
        words.push("--mapping".into());
        words.push(shell_word(&m.display().to_string()));
    }
    for (file, encoding) in &a.encodings {
        words.push("--encoding".into());
        words.push(shell_word(&format!("{file}={}", encoding.label())));
    }
    if a.threshold != Threshold::default() {
        words.push("--threshold".into());
        words.push(shell_word(&a.threshold.to_string()));
    }
    words.push("--job".into());
    words.push(shell_word(job));
    // A data directory from MIGRATIONAI_DATA_DIR is still set when the command is run again.
    if let Some(dir) = &a.embedded.data_dir {
        words.push("--data-dir".into());
        words.push(shell_word(&dir.display().to_string()));
    }
    words.join(" ")
}

fn announce(s: &Submitted) {
    let name = &s.job.name;
    if let Some(taken) = &s.renamed_from {
        say!(
            "the job name {taken:?} belongs to a migration of another export or mapping; this one is {name:?}"
        );
    }
    match s.start {
        Start::New => say!("job {name:?}: starting"),
        Start::Resumed => say!(
            "job {name:?}: resuming where it stopped (same export and mapping, status {})",
            s.job.status
        ),
        Start::Finished => say!(
            "job {name:?} already migrated this export with this mapping; its report follows (use --job NAME to run it again as a new job)"
        ),
    }
}

/// What the proposal decided for a run with no mapping file: nobody reviewed it, so the
/// person sees each table's kind and each question answered with its best reading, and how
/// to review them.
fn tell_proposed(p: &Proposed, export: &std::path::Path) {
    say!("no mapping given: the proposed one runs, as `inspect` shows it:");
    for (table, kind, confidence) in &p.tables {
        match kind {
            Some(k) => say!("  {table} → {k} ({confidence:.2})"),
            None => say!("  {table} → not recognised: its rows are not migrated"),
        }
    }
    if !p.questions.is_empty() {
        say!(
            "  {} questions answered with the proposal, unreviewed:",
            p.questions.len()
        );
        for q in &p.questions {
            say!("  - {}", q.line());
        }
    }
    say!(
        "  to review: migrationai inspect {} --write-mapping mapping.toml, edit it, then migrate with --mapping mapping.toml",
        shell_word(&export.display().to_string())
    );
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let mut config = a.embedded.config(env)?;
    config.pipeline.batch_size = a.batch_size.max(1);
    config.pipeline.threshold = a.threshold;
    config.pipeline.encodings = a.encodings.clone();
    let bars = Bars {
        multi: MultiProgress::new(),
        bars: Mutex::new(HashMap::new()),
        show: std::io::stderr().is_terminal(),
    };
    let started = std::time::Instant::now();
    let rt = runtime()?;
    let stop = CancellationToken::new();
    let signals = Signals::listen(&rt, stop.clone())?;
    let end = rt.block_on(async {
        let app = open::app(&config).await?;
        let submitted = app
            .submit(&a.export, a.mapping.as_deref(), a.job.clone())
            .await?;
        announce(&submitted);
        if let Some(p) = &submitted.proposed {
            tell_proposed(p, &a.export);
        }
        app.finish(&submitted.job, &|p| bars.update(p), &stop)
            .await
            .map(|end| (submitted.job.name.clone(), submitted.start, end))
            .map_err(anyhow::Error::from)
    });
    if let Ok(bars) = bars.bars.lock() {
        for b in bars.values() {
            b.finish();
        }
    }
    let (report, start) = match end? {
        (_, start, End::Done(report)) => (report, start),
        (job, _, End::Interrupted(at)) => {
            let (done, total) = at.kinds.iter().fold((0, 0), |(d, t), k| {
                (d + k.batches_done.max(0), t + k.batches.max(0))
            });
            let signal = signals.received();
            let where_ = if at.phase < 0 {
                "while planning, before any batch was loaded".to_string()
            } else {
                format!("with {done} of {total} batches done")
            };
            eprintln!(
                "interrupted by {}: job {job:?} stopped {where_}; everything stored so far is kept and the job is marked interrupted",
                name(signal),
            );
            eprintln!("resume with: {}", resume_command(&a, &job));
            return Ok(ExitCode::from((128 + signal.max(SIGINT)) as u8));
        }
    };
    let rows: u64 = report.kinds.values().map(|c| c.source_rows).sum();
    let secs = started.elapsed().as_secs_f64();
    say!("job {} ({})", report.job_name, report.job);
    say!(
        "{:<16} {:>9} {:>9} {:>9}",
        "kind",
        "source",
        "loaded",
        "rejected"
    );
    for (kind, c) in &report.kinds {
        say!(
            "{kind:<16} {:>9} {:>9} {:>9}",
            c.source_rows,
            c.loaded,
            c.rejected
        );
    }
    if start != Start::Finished {
        say!(
            "{rows} source rows in {secs:.1} s ({:.0} rows/s)",
            rows as f64 / secs.max(1e-9)
        );
    }
    let dir = config
        .pipeline
        .data_dir
        .join("reports")
        .join(&report.job_name);
    say!(
        "report: {} (report.json, report.html, rejects.csv)",
        dir.display()
    );
    crate::output::write_stdout(format_args!("{}", crate::report_text::verdict(&report, 20)));
    // 2: the job ran to its end but did not migrate (see the README's commands table).
    Ok(if report.verdict.migrated {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
