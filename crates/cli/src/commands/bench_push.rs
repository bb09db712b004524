//! `migrationai bench push`: a migrated job pushed into the Filevine emulator on loopback
//! through the 13 queues (embedded, the workers in this process), with no faults (the
//! baseline) and with injected 429s and 500s, printed side by side, and how long the same
//! calls would take at Filevine's published rate limits.

use crate::output::say;
use anyhow::Context;
use migrationai_bench::push::{self as engine, Faults, PushBench};
use migrationai_sample::{generate, SampleOptions, Size};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The goal with no faults, against a local emulator.
const GOAL_RECORDS_PER_SEC: f64 = 1_000.0;

#[derive(clap::Args)]
pub struct Args {
    /// The export to migrate and push (default: the sample of --size, generated into DIR).
    #[arg(long)]
    export: Option<PathBuf>,
    /// Its mapping file (default: the proposed mapping).
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// The sample's size when no --export is given.
    #[arg(long, default_value = "medium")]
    size: Size,
    /// Where the sample, the migrated store and each run's copy of it go.
    #[arg(long, default_value = "target/bench-push")]
    dir: PathBuf,
    /// Reuse DIR/migrated from an earlier run instead of migrating again.
    #[arg(long)]
    reuse: bool,
    /// Records pushed at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Share of requests answered 429 in the faulty run.
    #[arg(long, default_value_t = 0.10)]
    throttle: f64,
    /// The 429s' Retry-After, in seconds.
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    /// Share of requests answered 500 in the faulty run.
    #[arg(long, default_value_t = 0.02)]
    errors: f64,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let migrated = a.dir.join("migrated");
    let rt = super::embedded::runtime()?;
    if !(a.reuse && migrated.join("store.db").is_file()) {
        super::bench::fresh_dir(&a.dir)?;
        let export = match &a.export {
            Some(e) => e.clone(),
            None => {
                let summary = generate(&SampleOptions {
                    size: a.size,
                    seed: 42,
                    out: a.dir.join("sample"),
                    zip: false,
                })
                .context("writing the sample")?;
                summary.export
            }
        };
        let started = std::time::Instant::now();
        let loaded = rt.block_on(engine::prepare(&export, a.mapping.as_deref(), &migrated))?;
        say!(
            "migrated {} ({loaded} records loaded) in {:.1} s",
            export.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let runs = [
        ("no faults", Faults::none()),
        (
            "faults",
            Faults {
                throttle_rate: a.throttle,
                retry_after_secs: a.retry_after,
                error_rate: a.errors,
                ..Faults::none()
            },
        ),
    ];
    let mut results: Vec<(String, PushBench)> = Vec::new();
    for (i, (label, faults)) in runs.into_iter().enumerate() {
        let dir = a.dir.join(format!("run-{i}"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        let label = match label {
            "faults" => format!(
                "{:.0}% 429 (Retry-After {} s) + {:.0}% 500",
                a.throttle * 100.0,
                a.retry_after,
                a.errors * 100.0
            ),
            l => l.to_string(),
        };
        let r = rt.block_on(engine::bench_push(&migrated, &dir, faults, a.concurrency))?;
        print_run(&label, &r, results.first().map(|(_, b)| b));
        results.push((label, r));
        std::fs::remove_dir_all(&dir).ok();
    }
    if let Some((_, base)) = results.first() {
        print_routes(base, &a.dir);
        print_at_limits(base);
        say!(
            "goal (≥ {GOAL_RECORDS_PER_SEC:.0} records/s with no faults): {}",
            if base.records_per_sec >= GOAL_RECORDS_PER_SEC {
                "met"
            } else {
                "NOT met"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_run(label: &str, r: &PushBench, base: Option<&PushBench>) {
    let vs = |ours: f64, theirs: Option<f64>| match theirs {
        Some(t) if t > 0.0 => format!(" ({:.2}x the baseline)", ours / t),
        _ => " (baseline)".into(),
    };
    say!("push, {label}:");
    say!(
        "  {} records ({} refused) pushed and read back in {:.2} s: {:.0} records/s{}",
        r.records,
        r.refused,
        r.wall.as_secs_f64(),
        r.records_per_sec,
        vs(r.records_per_sec, base.map(|b| b.records_per_sec))
    );
    say!(
        "  {} API calls, {:.2} per record{}; writes {:.2} per record{}",
        r.calls,
        r.calls_per_record(),
        vs(r.calls_per_record(), base.map(PushBench::calls_per_record)),
        r.writes_per_record(),
        vs(
            r.writes_per_record(),
            base.map(PushBench::writes_per_record)
        ),
    );
    say!(
        "  retries {} ({} throttled, {} server errors); read back {}",
        r.retries,
        r.throttled,
        r.server_errors,
        if r.delivered {
            "clean"
        } else {
            "NOT clean (see the refusals and mismatches in the report)"
        }
    );
    for ((kind, code), (n, example)) in &r.refusals {
        say!("  refused {n} {kind} ({code}), e.g. {example}");
    }
    say!(
        "  org holds: {} contacts, {} projects, {} notes, {} billing items, {} invoices, {} payments, {} documents",
        r.held.contacts,
        r.held.projects,
        r.held.notes,
        r.held.billing_items,
        r.held.invoices,
        r.held.payments,
        r.held.documents
    );
    if let Some(kib) = r.peak_rss_kib {
        say!(
            "  peak RSS so far {:.1} MiB (this process: client and emulator)",
            kib as f64 / 1024.0
        );
    }
}

fn print_routes(base: &PushBench, dir: &Path) {
    say!("calls by route, no-fault run ({}):", dir.display());
    let mut routes: Vec<(&String, &u64)> = base.by_route.iter().collect();
    routes.sort_by(|a, b| b.1.cmp(a.1));
    for (route, n) in routes {
        say!("  {n:>9}  {route}");
    }
}

fn print_at_limits(base: &PushBench) {
    let t = engine::at_published_limits(&base.by_route);
    say!(
        "at Filevine's published limits ({} requests per endpoint per minute per org, {} for billing endpoints; source: {}):",
        engine::PER_ENDPOINT_PER_MINUTE,
        engine::BILLING_PER_MINUTE,
        engine::LIMITS_SOURCE
    );
    if let Some((route, minutes)) = &t.busiest {
        say!(
            "  at least {minutes:.1} min (every endpoint at its cap at once; the busiest is {route}), at most {:.1} min (one endpoint at a time)",
            t.serial_minutes
        );
    }
}
