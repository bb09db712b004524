//! A job's way through its phases: planned, its batches fanned out phase by phase in
//! dependency order, advanced exactly once when a phase completes (compare-and-set on the
//! job's phase), and ended with reconciliation. Every step is harmless to repeat, because
//! queue messages are delivered at least once.

use migrationai_domain::{JobStatus, Kind};
use migrationai_ports::store::JobRow;
use std::collections::BTreeMap;

use crate::error::ProcessingError;
use crate::message::WorkMessage;
use crate::services::Services;

/// The kinds of phase `phase` (`Kind::phases()` order); none outside it.
pub(crate) fn phase_kinds(phase: i64) -> Vec<Kind> {
    usize::try_from(phase)
        .ok()
        .and_then(|p| Kind::phases().get(p).cloned())
        .unwrap_or_default()
}

pub(crate) fn phase_count() -> i64 {
    Kind::phases().len() as i64
}

/// Plans the job if it has not been, or re-sends the undone batches of its current phase.
/// Both are harmless to repeat.
pub async fn resume(s: &Services, tenant: &str, job: &str) -> Result<(), ProcessingError> {
    let row = s.job(tenant, job).await?;
    if row.status.is_closed() {
        return Ok(());
    }
    if row.phase < 0 {
        super::plan::plan(s, &row).await?;
        return begin(s, tenant, job).await;
    }
    let sent = send_undone(s, &row, row.phase).await?;
    if sent == 0 {
        advance(s, tenant, job, row.phase).await?;
    } else {
        s.store.set_fanout(tenant, job, row.phase).await?;
    }
    Ok(())
}

/// Starts the first phase of a job whose batches are recorded. Harmless to repeat: only
/// the caller whose compare-and-set moves the job out of planning fans out.
pub async fn begin(s: &Services, tenant: &str, job: &str) -> Result<(), ProcessingError> {
    let row = s.job(tenant, job).await?;
    if row.phase >= 0 || row.status.is_closed() || row.status == JobStatus::Failed {
        // Already fanned out (a redelivered hand-over), or nothing more to do.
        return Ok(());
    }
    if row.status != JobStatus::Running {
        s.store
            .set_job_status(tenant, job, JobStatus::Running, None)
            .await?;
    }
    if s.store.advance_phase(tenant, job, -1, 0).await? {
        return start_phase(s, tenant, job, 0).await;
    }
    Ok(())
}

/// Moves the job from `phase` to the next one if `phase` is complete; only the caller whose
/// compare-and-set succeeds fans out the next phase.
pub async fn advance(
    s: &Services,
    tenant: &str,
    job: &str,
    phase: i64,
) -> Result<(), ProcessingError> {
    let row = s.job(tenant, job).await?;
    if row.status.is_closed() {
        return Ok(());
    }
    if row.phase == phase {
        if !phase_complete(s, &row, phase).await? {
            return Ok(());
        }
        s.store.advance_phase(tenant, job, phase, phase + 1).await?;
    }
    let row = s.job(tenant, job).await?;
    // A fan-out interrupted by a crash is finished by the next advance or resume.
    if row.phase == phase + 1 && row.fanout < phase + 1 {
        start_phase(s, tenant, job, phase + 1).await?;
    }
    Ok(())
}

async fn phase_complete(s: &Services, job: &JobRow, phase: i64) -> Result<bool, ProcessingError> {
    let kinds = phase_kinds(phase);
    let batches = s.store.batches(&job.tenant, &job.id).await?;
    Ok(batches
        .iter()
        .filter(|b| kinds.contains(&b.kind))
        .all(|b| b.done))
}

/// Sends the batches of `phase`; phases without batches are passed straight through, and
/// past the last phase the job is reconciled.
async fn start_phase(
    s: &Services,
    tenant: &str,
    job: &str,
    mut phase: i64,
) -> Result<(), ProcessingError> {
    loop {
        if phase >= phase_count() {
            return reconcile(s, tenant, job).await;
        }
        let row = s.job(tenant, job).await?;
        let sent = send_undone(s, &row, phase).await?;
        s.store.set_fanout(tenant, job, phase).await?;
        if sent > 0 {
            return Ok(());
        }
        if !s.store.advance_phase(tenant, job, phase, phase + 1).await? {
            return Ok(());
        }
        phase += 1;
    }
}

async fn send_undone(s: &Services, job: &JobRow, phase: i64) -> Result<usize, ProcessingError> {
    let kinds = phase_kinds(phase);
    let batches = s.store.batches(&job.tenant, &job.id).await?;
    let mut by_queue: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for b in batches.iter().filter(|b| !b.done) {
        if !kinds.contains(&b.kind) {
            continue;
        }
        let kind = b.kind;
        let m = WorkMessage {
            tenant: job.tenant.clone(),
            job: job.id.clone(),
            kind,
            batch_no: b.batch_no,
            blob_key: b.blob_key.clone(),
        };
        let body = serde_json::to_string(&m).map_err(crate::error::json("work message"))?;
        by_queue
            .entry(s.names.queue(kind.into()))
            .or_default()
            .push(body);
    }
    s.send_grouped(by_queue).await
}

/// Links duplicate contacts, builds the report and closes the job. Everything is computed
/// from the store, so doing it twice gives the same result.
pub async fn reconcile(s: &Services, tenant: &str, job: &str) -> Result<(), ProcessingError> {
    let row = s.job(tenant, job).await?;
    let started = std::time::Instant::now();
    let report = crate::report::build(s, &row).await?;
    tracing::info!(
        job,
        millis = started.elapsed().as_millis() as u64,
        pairs = report.duplicate_pairs.len(),
        migrated = report.verdict.migrated,
        "report built"
    );
    s.store
        .set_contact_links(tenant, job, &report.duplicate_pairs)
        .await?;
    let json = serde_json::to_string(&report).map_err(crate::error::json("report"))?;
    // The stored text is all that is kept; the store copies it again while writing it.
    drop(report);
    s.store.set_job_report(tenant, job, &json).await?;
    s.store
        .set_job_status(tenant, job, JobStatus::Done, None)
        .await?;
    Ok(())
}
