//! Delivering a migrated job into a target (`migrationai push JOB --target store|filevine`,
//! the API's "Send to Filevine"), through the target port (`migrationai_ports::target`):
//! the job's loaded records are pushed phase by phase (`Kind::phases()`, the migration's own
//! dependency order) through the 13 queues ([`queued`]), each kind's worker handing its page
//! to the push's target; refusals are kept with their reason, and a read-back compares what
//! the target then holds with what the store loaded. The result is the report's "delivered
//! to" section, and the job's verdict covers it.
//!
//! Adapters: [`store_target`] (the canonical store: nothing to send) and [`target`]
//! (Filevine API v2, with [`batch`] per page; the id map lives in the store, so a rerun or
//! a redelivered page creates nothing twice).

pub mod batch;
pub mod queued;
pub mod store_target;
pub mod target;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use migrationai_domain::{Kind, Value};
use migrationai_filevine::dry_run::Planned;
use migrationai_filevine::{
    DryRun, JobRef, LayoutGap, MemoryIdMap, PushConfig, Pusher, Transport, Wanted,
};
use migrationai_ports::store::{JobRow, Store};
use migrationai_ports::target::{CallStats, Expected, PushRef, Refused, Target, TargetError};
pub use migrationai_ports::target::{PushOptions, TargetKind};

use crate::app::{stored_report, App};
use crate::error::ProcessingError;
use crate::record_pages::Pages;
use crate::report::filevine::{FilevineSection, PushCounts};
use crate::report::{verdict, RejectEntry, Report};
use crate::services::Services;

use batch::push_batch;

/// A finished push: the report with its Filevine section, and the gateway's counts.
pub struct Pushed {
    pub report: Report,
    /// The calls this process made to the target.
    pub stats: CallStats,
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

/// What a push did, for its conclusion.
pub(crate) struct PushDone<'a> {
    pub target: &'a dyn Target,
    pub push: &'a PushRef,
    pub pushed: BTreeMap<Kind, PushCounts>,
    pub refused: Vec<RejectEntry>,
    pub loaded: Loaded,
}

/// The end of a push: the target read back against what the store loaded (less what it
/// refused), the "delivered to" section put in the job's report, the
/// verdict judged again with it, and the report stored.
pub(crate) async fn conclude(
    s: &Services,
    row: &JobRow,
    mut report: Report,
    done: PushDone<'_>,
) -> Result<Report, ProcessingError> {
    let expected = expected(&report, done.loaded, &done.refused);
    let read_back = done.target.read_back(done.push, &expected).await?;
    report.filevine = Some(FilevineSection {
        target: done.target.kind(),
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

/// A refusal as the job's ledger keeps it.
pub(crate) fn reject_entry(kind: Kind, r: Refused) -> RejectEntry {
    RejectEntry {
        kind,
        file: r.file,
        row: u64::try_from(r.row).unwrap_or(0),
        source_id: Some(r.source_id),
        field: r.field,
        code: r.code,
        reason: r.reason,
    }
}

/// What the target should hold: the loaded records (less those refused, which the section
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

/// What a dry run would do: per kind, and, said up front, the mapped section fields the
/// org's layout has no place for.
pub struct DryRunPlan {
    pub kinds: Vec<KindPlan>,
    /// `None` when the layout was not read (an offline dry run takes every project type
    /// and section as named).
    pub layout_gaps: Option<Vec<LayoutGap>>,
}

/// `migrationai push JOB --target filevine --dry-run`: the calls the push would make per
/// kind, recorded (nothing written), with the records it would refuse before calling
/// Filevine. With `reads` (a connection to the org), lookups and the org's layout are read
/// from it, and the section fields it has no place for are listed before any kind; without,
/// nothing is read, and project types and sections are taken as named.
pub async fn dry_run(
    app: &App,
    job: &str,
    options: &PushOptions,
    reads: Option<Arc<dyn Transport>>,
) -> Result<DryRunPlan, ProcessingError> {
    let (row, _) = finished_job(app, job).await?;
    let store = app.services.store.as_ref();
    let job_ref = JobRef {
        tenant: row.tenant.clone(),
        job: row.id.clone(),
    };
    let config = PushConfig {
        user_id: 0,
        project_types: options.project_types.clone(),
    };
    let (dry, px) = match reads {
        Some(reads) => {
            let dry = Arc::new(DryRun::reading_from(reads));
            let px = Pusher::new(
                dry.clone() as Arc<dyn Transport>,
                Arc::new(MemoryIdMap::new()),
                job_ref,
                config,
            );
            (dry, px)
        }
        None => {
            let dry = Arc::new(DryRun::offline());
            let px = Pusher::assuming_layout(
                dry.clone() as Arc<dyn Transport>,
                Arc::new(MemoryIdMap::new()),
                job_ref,
                config,
            );
            (dry, px)
        }
    };
    let wanted = wanted_sections(store, &row.tenant, &row.id).await?;
    let layout_gaps = px.layout_gaps(&wanted).await.map_err(TargetError::from)?;
    // The layout's reads are not the push's calls.
    dry.take();
    let holders = batch::invoice_holders(store, &row.tenant, &row.id).await?;
    let mut kinds = Vec::new();
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
            let mut pages = Pages::new(store, &row.tenant, &row.id, kind);
            while let Some(page) = pages.next().await? {
                plan.records += page.len() as u64;
                let done = push_batch(
                    &px,
                    &app.services.blobs,
                    kind,
                    &page,
                    options.concurrency,
                    &holders,
                )
                .await
                .map_err(TargetError::from)?;
                plan.refused
                    .extend(done.refused.into_iter().map(|r| reject_entry(kind, r)));
                plan.calls.extend(dry.take());
            }
            plan.uploads = dry.uploads() - uploads_before;
            kinds.push(plan);
        }
    }
    Ok(DryRunPlan { kinds, layout_gaps })
}

/// The section fields the job's section values fill, by the canonical project type of
/// their matter, with how many values each has.
async fn wanted_sections(
    store: &dyn Store,
    tenant: &str,
    job: &str,
) -> Result<Wanted, ProcessingError> {
    let text = |fields: &BTreeMap<String, Value>, f: &str| {
        fields
            .get(f)
            .and_then(Value::as_text)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    };
    let mut type_of: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut pages = Pages::new(store, tenant, job, Kind::Projects);
    while let Some(page) = pages.next().await? {
        for r in page {
            type_of.insert(r.source_id, text(&r.fields, "project_type"));
        }
    }
    let mut wanted = Wanted::new();
    let mut pages = Pages::new(store, tenant, job, Kind::Sections);
    while let Some(page) = pages.next().await? {
        for r in page {
            let (Some(section), Some(field)) =
                (text(&r.fields, "section"), text(&r.fields, "field"))
            else {
                // Refused on its own, with its reason, when pushed.
                continue;
            };
            let project_type = text(&r.fields, "project_id")
                .and_then(|p| type_of.get(&p).cloned())
                .flatten();
            *wanted.entry((project_type, section, field)).or_default() += 1;
        }
    }
    Ok(wanted)
}
