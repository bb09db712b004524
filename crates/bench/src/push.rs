//! `migrationai bench push`: a migrated job delivered into the Filevine emulator on loopback
//! through the 13 queues (embedded, the workers in this process), once with no faults (the
//! baseline) and then with injected faults, each run from the same
//! migrated store copied afresh so every run starts with an empty id map and an empty org.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use migrationai_filevine::settings::env;
use migrationai_filevine::{ProjectTypeChoice, Settings};
use migrationai_filevine_emulator::{Config as EmuConfig, Emulator};
pub use migrationai_filevine_emulator::{Faults, Snapshot};
use migrationai_host::settings::load::FilevineSource;
use migrationai_host::{open, Config};
use migrationai_pipeline::delivery::{queued, PushOptions, TargetKind};
use migrationai_pipeline::memory::peak_rss_kib;

use crate::error::BenchError;

/// The job name the bench migrates under and pushes.
pub const JOB: &str = "bench-push";

/// The figures of one push.
#[derive(Debug, Clone)]
pub struct PushBench {
    /// Records the push handled (created, adopted, updated, unchanged or refused).
    pub records: u64,
    pub refused: u64,
    /// The push and its read-back.
    pub wall: Duration,
    pub records_per_sec: f64,
    /// Requests the emulator answered, faults and the read-back included.
    pub calls: u64,
    /// Of those, the ones that wrote (POST, PUT, PATCH, DELETE), the read-back excluded.
    pub writes: u64,
    /// "METHOD /template" → requests.
    pub by_route: BTreeMap<String, u64>,
    pub retries: u64,
    pub throttled: u64,
    pub server_errors: u64,
    /// Every loaded record read back once, balances and documents right, nothing refused.
    pub delivered: bool,
    /// What the org holds after the push.
    pub held: Snapshot,
    /// Peak RSS of this process so far (VmHWM, which never falls), in KiB.
    pub peak_rss_kib: Option<u64>,
}

impl PushBench {
    pub fn calls_per_record(&self) -> f64 {
        self.calls as f64 / self.records.max(1) as f64
    }
    pub fn writes_per_record(&self) -> f64 {
        self.writes as f64 / self.records.max(1) as f64
    }
}

/// Migrates `export` (with `mapping`, else the proposed one) into `migrated`, which should be
/// empty; returns the loaded record count.
pub async fn prepare(
    export: &Path,
    mapping: Option<&Path>,
    migrated: &Path,
) -> Result<u64, BenchError> {
    let app = open::app(&config(migrated)).await?;
    let report = app
        .migrate(export, mapping, Some(JOB.into()), &|_| {})
        .await?;
    Ok(report.kinds.values().map(|k| k.loaded).sum())
}

/// Copies the store in `migrated` to `run_dir` (which must not exist), starts an emulator with
/// `faults`, pushes the job into it and reads it back.
pub async fn bench_push(
    migrated: &Path,
    run_dir: &Path,
    faults: Faults,
    concurrency: usize,
) -> Result<PushBench, BenchError> {
    copy_store(migrated, run_dir)
        .await
        .map_err(|source| BenchError::Copy {
            from: migrated.to_path_buf(),
            to: run_dir.to_path_buf(),
            source,
        })?;
    let emu_config = EmuConfig {
        faults,
        ..EmuConfig::default()
    };
    // Matters whose type the org does not have go to its first type.
    let default_type = emu_config.project_types.first().map(|t| t.name.clone());
    let emu = Emulator::start(emu_config)
        .await
        .map_err(BenchError::Emulator)?;
    let settings = settings(&emu)?;
    let options = PushOptions {
        target: TargetKind::Filevine,
        project_types: ProjectTypeChoice {
            by_value: BTreeMap::new(),
            default: default_type,
        },
        concurrency,
    };
    let started = Instant::now();
    let config = config(run_dir);
    let mut app = open::app(&config).await?;
    let source = FilevineSource::Env(Box::new(settings));
    app.services = open::delivering(&config, app.services.clone(), Some(&source)).await?;
    // Through the 13 queues, their workers in this process, as `migrationai push` runs.
    let pushed = queued::run(&app, JOB, &options, &|_| {}).await?;
    let wall = started.elapsed();
    let stats = emu.stats();
    let section = pushed
        .report
        .filevine
        .as_ref()
        .ok_or(BenchError::NoFilevineSection)?;
    let records: u64 = section.pushed.values().map(|c| c.total()).sum();
    let writes = stats
        .by_route
        .iter()
        .filter(|(route, _)| !route.starts_with("GET ") && !route.contains("/connect/token"))
        .map(|(_, n)| n)
        .sum();
    Ok(PushBench {
        records,
        refused: section.refused.len() as u64,
        wall,
        records_per_sec: records as f64 / wall.as_secs_f64().max(1e-9),
        calls: stats.requests,
        writes,
        by_route: stats.by_route.clone(),
        retries: pushed.stats.retries,
        throttled: pushed.stats.throttled,
        server_errors: pushed.stats.server_errors,
        delivered: pushed.delivered(),
        held: emu.snapshot(),
        peak_rss_kib: peak_rss_kib(),
    })
}

fn config(dir: &Path) -> Config {
    Config::embedded(dir)
}

/// The connection to `emu`, with waits short enough that a fault costs a retry, not the clock
/// (the emulator's `Retry-After` is still honoured).
fn settings(emu: &Emulator) -> Result<Settings, BenchError> {
    let c = emu.credentials().clone();
    let gateway = emu.gateway_url();
    let identity = emu.identity_url();
    let mut s = Settings::from_lookup(move |k| match k {
        env::GATEWAY_URL => Some(gateway.clone()),
        env::IDENTITY_URL => Some(identity.clone()),
        env::PAT => Some(c.pat.clone()),
        env::CLIENT_ID => Some(c.client_id.clone()),
        env::CLIENT_SECRET => Some(c.client_secret.clone()),
        env::ORG_ID => Some(c.org_id.to_string()),
        env::USER_ID => Some(c.user_id.to_string()),
        _ => None,
    })
    .map_err(BenchError::FilevineSettings)?;
    s.limits.backoff = Duration::from_millis(5);
    s.limits.max_backoff = Duration::from_millis(50);
    s.limits.attempts = 10;
    Ok(s)
}

/// Copies a migrated data directory: each SQLite database as a consistent snapshot
/// (`VACUUM INTO`), the rest file by file. The process that migrated it may still be
/// checkpointing a database's write-ahead log, which deletes the `-wal` and `-shm` files a
/// plain copy would be reading.
async fn copy_store(from: &Path, to: &Path) -> std::io::Result<()> {
    use sqlx::Connection;
    copy_dir(from, to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "db") {
            let target = to.join(path.file_name().unwrap_or_default());
            let mut conn = sqlx::sqlite::SqliteConnection::connect(
                &migrationai_adapters::sql::sqlite_url(&path),
            )
            .await
            .map_err(std::io::Error::other)?;
            sqlx::query("VACUUM INTO ?")
                .bind(target.to_string_lossy().into_owned())
                .execute(&mut conn)
                .await
                .map_err(std::io::Error::other)?;
        }
    }
    Ok(())
}

/// Every file but the SQLite databases and their journals, which [`copy_store`] snapshots.
fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let target = to.join(&name);
        let name = name.to_string_lossy();
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if !(name.ends_with(".db") || name.ends_with(".db-wal") || name.ends_with(".db-shm"))
        {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
