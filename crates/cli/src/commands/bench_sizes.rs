//! `bench migrate --sizes` and `bench ingest --sizes`: the same benchmark on the sample (or
//! one style of the fidelity corpus) at several sizes, each size in its own child process so
//! its peak memory is its own, and one table that shows whether the time grows linearly with
//! the rows.
use crate::output::say;
use anyhow::Context;
use migrationai_sample::{generate, SampleOptions, Size};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(clap::Args, Clone, Debug)]
pub struct Sizes {
    /// Instead of EXPORT: the sample at each of these sizes (e.g. small,medium,large), written
    /// into --exports or reused from there, each measured in its own process.
    #[arg(long, value_delimiter = ',')]
    pub sizes: Vec<Size>,
    /// With --sizes: this style of the fidelity corpus (`sample --style`), scaled to each
    /// size, instead of the sample.
    #[arg(long, requires = "sizes")]
    pub style: Option<String>,
    /// With --sizes: the sample's seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// With --sizes: where the exports are written, one folder per source and size; an
    /// export already complete there is reused (delete its folder to write it again).
    #[arg(long, default_value = "target/bench-exports")]
    pub exports: PathBuf,
}

/// What one run measured, as the child writes it for the parent to read.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Figures {
    /// Source rows read (ingest) or migrated (migrate).
    pub rows: u64,
    pub wall_secs: f64,
    pub peak_rss_kib: Option<u64>,
    /// migrate: rows the report counts as loaded.
    pub loaded_rows: Option<u64>,
    /// migrate: bytes of the store with its log folded in.
    pub store_bytes: Option<u64>,
    /// migrate: the sqlite3 shell's bare `.import` of the same files.
    pub import_secs: Option<f64>,
    /// migrate: whether the report's verdict is "migrated".
    pub migrated: Option<bool>,
    /// ingest: Python's bare csv parse of the same files, rows per second.
    pub python_rows_per_sec: Option<f64>,
}

impl Figures {
    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_vec(self)?)
            .with_context(|| format!("writing the figures to {}", path.display()))
    }

    fn rows_per_sec(&self) -> f64 {
        self.rows as f64 / self.wall_secs.max(1e-9)
    }

    fn peak_mib(&self) -> String {
        self.peak_rss_kib
            .map(|k| format!("{:.1}", k as f64 / 1024.0))
            .unwrap_or_else(|| "-".into())
    }
}

/// Which benchmark runs at each size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bench {
    Ingest { no_baseline: bool },
    Migrate,
}

/// Runs `bench` on each size and prints the table.
pub fn run(bench: Bench, sizes: &Sizes, data_dir: &Path) -> anyhow::Result<()> {
    let mut measured: Vec<(Size, Result<Figures, String>)> = Vec::new();
    for &size in &sizes.sizes {
        let export = export_for(sizes, size)?;
        say!("== {} at {size}: {}", source_name(sizes), export.display());
        measured.push((size, child(bench, &export, data_dir, size)));
    }
    say!();
    say!(
        "{} {}:",
        match bench {
            Bench::Migrate => "bench migrate",
            Bench::Ingest { .. } => "bench ingest",
        },
        source_name(sizes)
    );
    match bench {
        Bench::Migrate => migrate_table(&measured),
        Bench::Ingest { .. } => ingest_table(&measured),
    }
    linearity(&measured);
    Ok(())
}

/// What was measured; a style has its own seed, so only the sample's is named.
fn source_name(sizes: &Sizes) -> String {
    match &sizes.style {
        Some(style) => format!("style {style}"),
        None => format!("sample, seed {}", sizes.seed),
    }
}

/// The export folder for `size`, written unless a complete one is already there: both
/// generators write their ground truth last, so its presence means the export is whole.
fn export_for(sizes: &Sizes, size: Size) -> anyhow::Result<PathBuf> {
    let dir = match &sizes.style {
        Some(style) => sizes.exports.join(format!("{style}-{size}")),
        None => sizes.exports.join(format!("sample-{size}-{}", sizes.seed)),
    };
    let export = dir.join("export");
    if dir.join("ground_truth.json").is_file() && export.is_dir() {
        return Ok(export);
    }
    // A folder without its truth is a write that was cut short.
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let started = std::time::Instant::now();
    let rows = match &sizes.style {
        Some(name) => {
            let style = migrationai_sample::styles::all()
                .into_iter()
                .find(|s| s.name == name.as_str())
                .with_context(|| format!("no style \"{name}\""))?;
            let style = migrationai_sample::styles::at_size(&style, size);
            let truth = migrationai_sample::styles::write(&style, &dir)
                .with_context(|| format!("writing style {name} to {}", dir.display()))?;
            truth.kinds.values().map(|c| c.source_rows).sum()
        }
        None => {
            generate(&SampleOptions {
                size,
                seed: sizes.seed,
                out: dir.clone(),
                zip: false,
            })
            .with_context(|| format!("writing the sample to {}", dir.display()))?
            .total_rows
        }
    };
    say!(
        "wrote {rows} rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(export)
}

/// The single-export form of the benchmark, run by this same binary in a child process.
fn child(bench: Bench, export: &Path, data_dir: &Path, size: Size) -> Result<Figures, String> {
    let run = || -> anyhow::Result<Figures> {
        let exe = std::env::current_exe()?;
        let dir = data_dir.join(size.as_str());
        std::fs::create_dir_all(data_dir)?;
        let figures = data_dir.join(format!("{size}.figures.json"));
        let _ = std::fs::remove_file(&figures);
        let mut cmd = Command::new(exe);
        match bench {
            Bench::Migrate => {
                cmd.args(["bench", "migrate"])
                    .arg(export)
                    .arg("--data-dir")
                    .arg(&dir);
            }
            Bench::Ingest { no_baseline } => {
                cmd.args(["bench", "ingest"]).arg(export);
                if no_baseline {
                    cmd.arg("--no-baseline");
                }
            }
        }
        let status = cmd.arg("--figures").arg(&figures).status()?;
        // The store was measured by the child; at large it holds gigabytes.
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        anyhow::ensure!(status.success(), "the run ended with {status}");
        let text = std::fs::read(&figures)
            .with_context(|| format!("reading the figures in {}", figures.display()))?;
        Ok(serde_json::from_slice(&text)?)
    };
    run().map_err(|e| format!("{e:#}"))
}

fn migrate_table(measured: &[(Size, Result<Figures, String>)]) {
    say!(
        "{:<7} {:>10} {:>9} {:>9} {:>10} {:>8} {:>13} {:>10} {:>9}",
        "size",
        "rows",
        "wall s",
        "rows/s",
        ".import s",
        "ratio",
        "peak RSS MiB",
        "bytes/row",
        "migrated"
    );
    for (size, f) in measured {
        let f = match f {
            Ok(f) => f,
            Err(e) => {
                say!("{:<7} failed: {e}", size.as_str());
                continue;
            }
        };
        let import = f
            .import_secs
            .map(|s| format!("{s:.2}"))
            .unwrap_or_else(|| "-".into());
        let ratio = f
            .import_secs
            .map(|s| format!("{:.1}x", f.wall_secs / s.max(1e-9)))
            .unwrap_or_else(|| "-".into());
        let per_row = match (f.store_bytes, f.loaded_rows) {
            (Some(b), Some(n)) if n > 0 => format!("{:.0}", b as f64 / n as f64),
            _ => "-".into(),
        };
        let migrated = match f.migrated {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "-",
        };
        say!(
            "{:<7} {:>10} {:>9.2} {:>9.0} {:>10} {:>8} {:>13} {:>10} {:>9}",
            size.as_str(),
            f.rows,
            f.wall_secs,
            f.rows_per_sec(),
            import,
            ratio,
            f.peak_mib(),
            per_row,
            migrated
        );
    }
}

fn ingest_table(measured: &[(Size, Result<Figures, String>)]) {
    say!(
        "{:<7} {:>10} {:>9} {:>9} {:>12} {:>8} {:>13}",
        "size",
        "rows",
        "wall s",
        "rows/s",
        "Python rows/s",
        "ratio",
        "peak RSS MiB"
    );
    for (size, f) in measured {
        let f = match f {
            Ok(f) => f,
            Err(e) => {
                say!("{:<7} failed: {e}", size.as_str());
                continue;
            }
        };
        let (python, ratio) = match f.python_rows_per_sec {
            Some(p) => (
                format!("{p:.0}"),
                format!("{:.2}", f.rows_per_sec() / p.max(1e-9)),
            ),
            None => ("-".into(), "-".into()),
        };
        say!(
            "{:<7} {:>10} {:>9.2} {:>9.0} {:>12} {:>8} {:>13}",
            size.as_str(),
            f.rows,
            f.wall_secs,
            f.rows_per_sec(),
            python,
            ratio,
            f.peak_mib()
        );
    }
}

/// From each size to the next: what each added row cost, and the time per row beside the
/// smaller size's (1.00 is linear; above it, each row costs more as the export grows).
fn linearity(measured: &[(Size, Result<Figures, String>)]) {
    let ok: Vec<(Size, &Figures)> = measured
        .iter()
        .filter_map(|(s, f)| f.as_ref().ok().map(|f| (*s, f)))
        .collect();
    for pair in ok.windows(2) {
        let [(a, fa), (b, fb)] = pair else { continue };
        let added = fb.rows.saturating_sub(fa.rows);
        if added == 0 || fa.rows == 0 || fb.rows == 0 {
            continue;
        }
        let per_added = (fb.wall_secs - fa.wall_secs) / added as f64 * 1e6;
        let per_row = |f: &Figures| f.wall_secs / f.rows as f64;
        let rss = match (fa.peak_rss_kib, fb.peak_rss_kib) {
            (Some(x), Some(y)) => format!(
                "; peak RSS {:.1} → {:.1} MiB",
                x as f64 / 1024.0,
                y as f64 / 1024.0
            ),
            _ => String::new(),
        };
        say!(
            "{a} → {b}: {:.1}x the rows, {:.1}x the wall time; {per_added:.2} µs per added row; time per row {:.2}x {a}'s (1.00 = linear){rss}",
            fb.rows as f64 / fa.rows as f64,
            fb.wall_secs / fa.wall_secs.max(1e-9),
            per_row(fb) / per_row(fa).max(1e-12),
        );
    }
}
