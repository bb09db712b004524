//! Delivering a migrated job into Filevine (`migrationai push JOB --target filevine`): the
//! job's loaded records are pushed phase by phase (`Kind::phases()`, the migration's own
//! dependency order) through the Filevine library's idempotent `Pusher`, Filevine's
//! refusals are kept with their reason, and a read-back compares what Filevine then holds
//! with what the store loaded. The result is the report's "delivered to Filevine" section,
//! and the job's verdict covers it.
//!
//! Pushes go through the 13 queues ([`queued`]: `migrationai push`, the API's "Send to
//! Filevine"), each kind's worker running [`batch::push_batch`] per page. [`push`] runs the
//! same steps in one process; it stays as the reference the queued push is tested against
//! and for `bench push`. The id map lives in the store, so either way a rerun or a
//! redelivered page creates nothing twice.

pub mod batch;
pub mod queued;
pub mod target;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use migrationai_domain::Kind;
use migrationai_filevine::dry_run::Planned;
use migrationai_filevine::{
    DryRun, Expected, FvError, Gateway, GatewayStats, IdMap, JobRef, MemoryIdMap,
    ProjectTypeChoice, PushConfig, Pusher, ReadBack, Settings, Transport,
};
use migrationai_ports::store::JobRow;

use crate::app::{stored_report, App};
use crate::error::ProcessingError;
use crate::record_pages::Pages;
use crate::report::filevine::{FilevineSection, PushCounts};
use crate::report::{verdict, RejectEntry, Report};
use crate::services::Services;

use batch::push_batch;

/// How many times a batch that failed transiently is pushed again, as a queue receives a
/// message three times before its dead-letter queue takes it.
const DELIVERIES: u32 = 3;

/// Settings of a push beyond the connection (kept as JSON in the push ledger, so every
/// worker of a push through the queues reads the same).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PushOptions {
    pub project_types: ProjectTypeChoice,
    /// Records pushed at once (the gateway's own per-tenant limit caps calls in flight).
    pub concurrency: usize,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            project_types: ProjectTypeChoice::default(),
            concurrency: 16,
        }
    }
}

/// A finished push: the report with its Filevine section, and the gateway's counts.
pub struct Pushed {
    pub report: Report,
    pub stats: GatewayStats,
}

impl Pushed {
    /// Every loaded record is in Filevine once, with its balances and documents right.
    pub fn delivered(&self) -> bool {
        self.report
            .filevine
            .as_ref()
            .is_some_and(FilevineSection::delivered)
    }
}

/// The job, which must have finished its migration (its report is what the push extends).
async fn finished_job(app: &App, job: &str) -> Result<(JobRow, Report), ProcessingError> {
    let row = app.find_job(job).await?;
    let report = stored_report(&row)?;
    Ok((row, report))
}

/// `migrationai push JOB --target filevine`: pushes every loaded record of the job, reads
/// Filevine back, and stores the report with its "delivered to Filevine" section (the
/// verdict judged again with it). `progress` sees each kind's counts as its pages land.
pub async fn push(
    app: &App,
    ids: Arc<dyn IdMap>,
    job: &str,
    settings: &Settings,
    options: &PushOptions,
    progress: &(dyn Fn(Kind, &PushCounts) + Send + Sync),
) -> Result<Pushed, ProcessingError> {
    let (row, report) = finished_job(app, job).await?;
    let gateway = Arc::new(Gateway::new(settings)?);
    let job_ref = JobRef {
        tenant: row.tenant.clone(),
        job: row.id.clone(),
    };
    let px = Pusher::new(
        gateway.clone(),
        ids.clone(),
        job_ref.clone(),
        PushConfig {
            user_id: settings.user_id,
            project_types: options.project_types.clone(),
        },
    );
    let (pushed, refused, loaded) =
        push_phases(&app.services, &row, &px, options.concurrency, progress).await?;
    let report = conclude(
        &app.services,
        &row,
        report,
        PushDone {
            gateway: gateway.as_ref(),
            ids: ids.as_ref(),
            pushed,
            refused,
            loaded,
        },
    )
    .await?;
    let row = app.find_job(&row.id).await?;
    let dir = app.config.data_dir.join("reports").join(&row.name);
    app.write_report_files(&row, &dir).await?;
    Ok(Pushed {
        report,
        stats: gateway.stats(),
    })
}

/// What a push did, in process or through the queues, for its conclusion.
pub(crate) struct PushDone<'a> {
    pub gateway: &'a Gateway,
    pub ids: &'a dyn IdMap,
    pub pushed: BTreeMap<Kind, PushCounts>,
    pub refused: Vec<RejectEntry>,
    pub loaded: Loaded,
}

/// The end of a push, however it ran: Filevine read back against what the store loaded
/// (less what it refused), the "delivered to Filevine" section put in the job's report, the
/// verdict judged again with it, and the report stored.
pub(crate) async fn conclude(
    s: &Services,
    row: &JobRow,
    mut report: Report,
    done: PushDone<'_>,
) -> Result<Report, ProcessingError> {
    let job_ref = JobRef {
        tenant: row.tenant.clone(),
        job: row.id.clone(),
    };
    let expected = expected(&report, done.loaded, &done.refused);
    let read_back = ReadBack::new(done.gateway, done.ids, &job_ref)
        .run(&expected)
        .await?;
    report.filevine = Some(FilevineSection {
        pushed: done.pushed,
        refused: done.refused,
        read_back,
    });
    let mapping = s.mapping(row)?;
    report.verdict = verdict::judge(
        &report,
        Services::settings(row)?.threshold,
        Some(mapping.as_ref()),
    );
    let text = serde_json::to_string(&report).map_err(crate::error::json("report"))?;
    s.store.set_job_report(&row.tenant, &row.id, &text).await?;
    Ok(report)
}

/// Source ids of the loaded records per kind.
pub(crate) type Loaded = BTreeMap<Kind, Vec<String>>;

/// Pushes the job's loaded records phase by phase, each kind page by page.
async fn push_phases(
    s: &Services,
    job: &JobRow,
    px: &Pusher,
    concurrency: usize,
    progress: &(dyn Fn(Kind, &PushCounts) + Send + Sync),
) -> Result<(BTreeMap<Kind, PushCounts>, Vec<RejectEntry>, Loaded), ProcessingError> {
    let mut pushed = BTreeMap::new();
    let mut refused = Vec::new();
    let mut loaded = Loaded::new();
    for phase in Kind::phases() {
        for kind in phase {
            let mut counts = PushCounts::default();
            let mut pages = Pages::new(s.store.as_ref(), &job.tenant, &job.id, kind);
            while let Some(page) = pages.next().await? {
                loaded
                    .entry(kind)
                    .or_default()
                    .extend(page.iter().map(|r| r.source_id.clone()));
                let done = push_page(px, s, kind, page, concurrency).await?;
                counts.add(done.counts);
                refused.extend(done.refused);
                progress(kind, &counts);
            }
            pushed.insert(kind, counts);
        }
    }
    Ok((pushed, refused, loaded))
}

/// One page, pushed again after a transient failure as a queue would redeliver it.
async fn push_page(
    px: &Pusher,
    s: &Services,
    kind: Kind,
    page: Vec<crate::record_pages::Loaded>,
    concurrency: usize,
) -> Result<batch::BatchPush, ProcessingError> {
    let mut attempt = 1;
    loop {
        match push_batch(px, &s.blobs, kind, &page, concurrency).await {
            // What an earlier attempt delivered counts as unchanged now: once.
            Ok(done) => return Ok(done),
            Err(e @ FvError::Transient { .. }) if attempt < DELIVERIES => {
                tracing::warn!(%kind, attempt, error = %e, "a page of the push failed; pushing it again");
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// What Filevine should hold: the loaded records (less those refused, which the section
/// lists with their reason), the trust per project and balance due per invoice the
/// migration computed, and each loaded document's SHA-256.
fn expected(report: &Report, loaded: Loaded, refused: &[RejectEntry]) -> Expected {
    let refused: BTreeSet<(Kind, &str)> = refused
        .iter()
        .filter_map(|r| Some((r.kind, r.source_id.as_deref()?)))
        .collect();
    let records = loaded
        .into_iter()
        .map(|(kind, ids)| {
            let kept = ids
                .into_iter()
                .filter(|id| !refused.contains(&(kind, id.as_str())))
                .collect();
            (kind, kept)
        })
        .collect();
    Expected {
        records,
        trust: kept(&report.trust_by_project, Kind::Projects, &refused),
        balances: kept(&report.invoice_balance, Kind::BillingInvoice, &refused),
        documents: kept(&report.documents, Kind::Document, &refused),
    }
}

/// The entries of `map` (by source id of `kind`) whose record was not refused.
fn kept<V: Clone>(
    map: &BTreeMap<String, V>,
    kind: Kind,
    refused: &BTreeSet<(Kind, &str)>,
) -> BTreeMap<String, V> {
    map.iter()
        .filter(|(id, _)| !refused.contains(&(kind, id.as_str())))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// What a dry run would send for one kind.
pub struct KindPlan {
    pub kind: Kind,
    pub records: u64,
    pub refused: Vec<RejectEntry>,
    pub calls: Vec<Planned>,
    /// Files that would be PUT to upload URLs.
    pub uploads: u64,
}

/// `migrationai push JOB --target filevine --dry-run`: the calls the push would make per
/// kind, recorded offline (no connection, nothing written), with the records it would
/// refuse before calling Filevine. Project types and sections are taken as named.
pub async fn dry_run(
    app: &App,
    job: &str,
    options: &PushOptions,
) -> Result<Vec<KindPlan>, ProcessingError> {
    let (row, _) = finished_job(app, job).await?;
    let dry = Arc::new(DryRun::offline());
    let px = Pusher::assuming_layout(
        dry.clone() as Arc<dyn Transport>,
        Arc::new(MemoryIdMap::new()),
        JobRef {
            tenant: row.tenant.clone(),
            job: row.id.clone(),
        },
        PushConfig {
            user_id: 0,
            project_types: options.project_types.clone(),
        },
    );
    let mut out = Vec::new();
    for phase in Kind::phases() {
        for kind in phase {
            let mut plan = KindPlan {
                kind,
                records: 0,
                refused: Vec::new(),
                calls: Vec::new(),
                uploads: 0,
            };
            let uploads_before = dry.uploads();
            let mut pages = Pages::new(app.services.store.as_ref(), &row.tenant, &row.id, kind);
            while let Some(page) = pages.next().await? {
                plan.records += page.len() as u64;
                let done =
                    push_batch(&px, &app.services.blobs, kind, &page, options.concurrency).await?;
                plan.refused.extend(done.refused);
                plan.calls.extend(dry.take());
            }
            plan.uploads = dry.uploads() - uploads_before;
            out.push(plan);
        }
    }
    Ok(out)
}
