//! End-to-end figures for the CLI's `bench`: rows per second, wall time, peak memory, and
//! where the time went, step by step.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::cpu::cpu_time;
use migrationai_domain::{JobStatus, Kind};
use migrationai_pipeline::memory::peak_rss_kib;
use migrationai_pipeline::report::Verdict;
use migrationai_pipeline::{App, End, ProcessingError};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone, PartialEq)]
pub struct BenchResult {
    pub source_rows: u64,
    /// Rows the report counts as loaded (source rows less rejects).
    pub loaded_rows: u64,
    pub wall: Duration,
    pub rows_per_sec: f64,
    /// Peak resident set size of this process (VmHWM), in KiB; None off Linux.
    pub peak_rss_kib: Option<u64>,
    /// The job's steps in the order they ran, with their wall time.
    pub stages: Vec<Stage>,
    /// Whether the job migrated, and why not: a benchmark of an export that does not migrate
    /// measures a different amount of work.
    pub verdict: Verdict,
}

/// One step of a job and how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    pub name: String,
    pub took: Duration,
    /// CPU time (user + system, all threads) the process used during the step; None where
    /// it could not be read.
    pub cpu: Option<Duration>,
}

impl Stage {
    /// The share of one core the step kept busy: 2.0 is both cores of a 2-core machine.
    pub fn cores(&self) -> Option<f64> {
        self.cpu
            .map(|c| c.as_secs_f64() / self.took.as_secs_f64().max(1e-9))
    }
}

/// Which step a job is in, as its row shows it (status and phase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Plan,
    Phase(i64),
    Report,
}

impl Step {
    fn of(status: JobStatus, phase: i64) -> Option<Step> {
        let phases = Kind::phases().len() as i64;
        match (status, phase) {
            (JobStatus::Done, _) => None,
            (_, p) if p < 0 => Some(Step::Plan),
            (_, p) if p >= phases => Some(Step::Report),
            (_, p) => Some(Step::Phase(p)),
        }
    }

    fn name(self) -> String {
        match self {
            Step::Plan => "plan (read, map, validate, split)".into(),
            Step::Phase(p) => {
                let kinds: Vec<&str> = usize::try_from(p)
                    .ok()
                    .and_then(|p| Kind::phases().get(p).cloned())
                    .unwrap_or_default()
                    .iter()
                    .map(|k| k.as_str())
                    .collect();
                format!("phase {p} ({})", kinds.join(", "))
            }
            Step::Report => "report (reconcile, duplicates, files)".into(),
        }
    }
}

/// Migrates `export` end to end with `app` (whose store should be empty) and times it, step
/// by step: the steps are read from the job's own row as the run's watcher reports it (a
/// step is seen within one of its ticks, 50 ms).
pub async fn bench_migrate(export: &Path, app: &App) -> Result<BenchResult, ProcessingError> {
    let started = Instant::now();
    let started_cpu = cpu_time();
    let submitted = app.submit(export, None, Some("bench".into())).await?;
    let submitted_at = Instant::now();
    let submitted_cpu = cpu_time();
    // (step, when it was first seen, CPU time then), in order.
    type Seen = Vec<(Step, Instant, Option<Duration>)>;
    let seen: Mutex<Seen> = Mutex::new(vec![(Step::Plan, submitted_at, submitted_cpu)]);
    let watch = |p: &migrationai_pipeline::Progress| {
        let Some(step) = Step::of(p.status, p.phase) else {
            return;
        };
        if let Ok(mut seen) = seen.lock() {
            if seen.last().map(|(s, _, _)| *s) != Some(step) {
                seen.push((step, Instant::now(), cpu_time()));
            }
        }
    };
    let end = app
        .finish(&submitted.job, &watch, &CancellationToken::new())
        .await?;
    let report = match end {
        End::Done(report) => *report,
        End::Interrupted(_) => return Err(ProcessingError::Interrupted(submitted.job.name)),
    };
    let finished = Instant::now();
    let finished_cpu = cpu_time();
    let wall = finished - started;
    let used = |from: Option<Duration>, to: Option<Duration>| Some(to?.saturating_sub(from?));
    let mut stages = vec![Stage {
        name: "submit (inspect, propose a mapping)".into(),
        took: submitted_at - started,
        cpu: used(started_cpu, submitted_cpu),
    }];
    let seen = seen.into_inner().unwrap_or_default();
    for (i, (step, at, cpu)) in seen.iter().enumerate() {
        let (next, next_cpu) = seen
            .get(i + 1)
            .map_or((finished, finished_cpu), |(_, t, c)| (*t, *c));
        stages.push(Stage {
            name: step.name(),
            took: next - *at,
            cpu: used(*cpu, next_cpu),
        });
    }
    let source_rows: u64 = report.kinds.values().map(|k| k.source_rows).sum();
    Ok(BenchResult {
        source_rows,
        loaded_rows: report.kinds.values().map(|k| k.loaded).sum(),
        wall,
        rows_per_sec: source_rows as f64 / wall.as_secs_f64().max(1e-9),
        peak_rss_kib: peak_rss_kib(),
        stages,
        verdict: report.verdict,
    })
}
