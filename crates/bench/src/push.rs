//! `migrationai bench push`: a migrated job delivered into the Filevine emulator on loopback
//! through the 13 queues (embedded, the workers in this process), once with no faults (the
//! baseline) and then with injected faults, each run from the same
//! migrated store copied afresh so every run starts with an empty id map and an empty org.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use migrationai_domain::Kind;
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
    /// Refusals by kind and code, with one reason as an example.
    pub refusals: BTreeMap<(String, String), (u64, String)>,
    /// Every refused record: (kind, source id, code), sorted, so that two runs compare
    /// record by record.
    pub refused_records: Vec<(Kind, String, String)>,
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
        ..PushOptions::default()
    };
    let started = Instant::now();
    let config = config(run_dir);
    let mut app = open::app(&config).await?;
    let source = FilevineSource::Env(Box::new(settings));
    let target = open::filevine_target(
        &config,
        &source,
        app.services.blobs.clone(),
        app.services.store.clone(),
    )
    .await?;
    app.services = app.services.clone().with_target(target);
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
    let mut refused_records: Vec<(Kind, String, String)> = section
        .refused
        .iter()
        .map(|r| {
            let id = r.source_id.clone().unwrap_or_default();
            (r.kind, id, r.code.clone())
        })
        .collect();
    refused_records.sort();
    let mut refusals: BTreeMap<(String, String), (u64, String)> = BTreeMap::new();
    for r in &section.refused {
        let slot = refusals
            .entry((r.kind.to_string(), r.code.clone()))
            .or_insert_with(|| (0, r.reason.clone()));
        slot.0 += 1;
    }
    Ok(PushBench {
        records,
        refused: section.refused.len() as u64,
        refusals,
        refused_records,
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

/// Filevine's published rate limits for API v2: requests per endpoint per minute, per org,
/// counted in fixed windows; billing endpoints have a lower cap.
pub const LIMITS_SOURCE: &str = "Filevine's \"General API Q&A\" (support.filevine.com/hc/en-us/articles/29259311975707), as compiled in github.com/api-evangelist/filevine rate-limits/filevine-rate-limits.yml";
pub const PER_ENDPOINT_PER_MINUTE: u64 = 320;
pub const BILLING_PER_MINUTE: u64 = 250;

/// The cap of a gateway route ("METHOD /template"), or none for what the gateway does not
/// meter (the identity service's token exchange, uploads to the storage URL it hands out).
pub fn published_limit(route: &str) -> Option<u64> {
    let path = route.split_once(' ').map_or(route, |(_, p)| p);
    if !path.starts_with("/fv-app/") {
        return None;
    }
    let lower = path.to_ascii_lowercase();
    let billing = ["billing", "invoice", "payment", "funds", "transactions"]
        .iter()
        .any(|w| lower.contains(w));
    Some(if billing {
        BILLING_PER_MINUTE
    } else {
        PER_ENDPOINT_PER_MINUTE
    })
}

/// How long `by_route`'s calls take at the published limits.
#[derive(Debug, Clone, PartialEq)]
pub struct AtLimits {
    /// Every endpoint at its cap at once: the busiest endpoint's minutes (a floor).
    pub busiest: Option<(String, f64)>,
    /// One endpoint at a time: the sum of every endpoint's minutes (a ceiling).
    pub serial_minutes: f64,
}

pub fn at_published_limits(by_route: &BTreeMap<String, u64>) -> AtLimits {
    let minutes: Vec<(String, f64)> = by_route
        .iter()
        .filter_map(|(route, &n)| Some((route.clone(), n as f64 / published_limit(route)? as f64)))
        .collect();
    AtLimits {
        serial_minutes: minutes.iter().map(|(_, m)| m).sum(),
        busiest: minutes.into_iter().max_by(|a, b| a.1.total_cmp(&b.1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busiest_endpoint_sets_the_floor_and_billing_is_capped_lower() {
        let by_route = BTreeMap::from([
            ("POST /fv-app/v2/Contacts".to_string(), 640),
            (
                "POST /fv-app/v2/projects/{projectId}/invoices".to_string(),
                375,
            ),
            ("POST /connect/token".to_string(), 9),
            ("PUT /upload/{key}".to_string(), 1_000),
        ]);
        let t = at_published_limits(&by_route);
        assert_eq!(
            t.busiest,
            Some(("POST /fv-app/v2/Contacts".to_string(), 2.0))
        );
        // 640 / 320 + 375 / 250
        assert!((t.serial_minutes - 3.5).abs() < 1e-9);
        assert_eq!(
            published_limit("GET /fv-app/v2/Billing/projects/{projectID}/funds"),
            Some(250)
        );
        assert_eq!(published_limit("POST /connect/token"), None);
    }
}
