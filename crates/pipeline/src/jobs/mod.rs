//! The job life cycle, with one owner: every path that makes, moves or stops a job (the
//! embedded `migrate`, the HTTP API, tfp and the jobs handler) goes through here, and every
//! status change is decided by the typed `JobStatus` methods.
//!
//! - [`submit`]: a job from an export on disk (`migrate`), or the same job resumed;
//! - [`create`]: the job row itself, for whoever has the export and mapping in hand;
//! - [`ask`]: a step for the jobs handler (plan, planned, advance, resume);
//! - [`phases`]: the steps the jobs handler takes (plan, begin, advance, reconcile);
//! - [`interrupt`], [`reopen`], [`cancel`], [`fail`]: a job stopped or ended from outside.

pub mod phases;
pub mod plan;
pub mod submit;

use std::time::{SystemTime, UNIX_EPOCH};

use migrationai_domain::{JobStatus, QueueKind};
use migrationai_ports::store::JobRow;

use crate::error::ProcessingError;
use crate::message::{JobAction, JobMessage};
use crate::services::{JobSettings, Services};

pub use submit::{submit, Proposed, Start, Submitted};

/// What a new job is made of.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub tenant: String,
    pub id: String,
    pub name: String,
    pub settings: JobSettings,
    /// The mapping's TOML.
    pub mapping: String,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Records a new job, planning and not yet split into batches. Another job holding the
/// name (under another id) is `NameTaken`; the same id again returns the stored row.
pub async fn create(s: &Services, new: NewJob) -> Result<JobRow, ProcessingError> {
    let now = unix_now();
    let row = JobRow {
        tenant: new.tenant,
        id: new.id,
        name: new.name,
        status: JobStatus::Planning,
        phase: -1,
        fanout: -1,
        settings: serde_json::to_string(&new.settings)
            .map_err(crate::error::json("job settings"))?,
        mapping: new.mapping,
        report: None,
        error: None,
        created_at: now,
        updated_at: now,
    };
    s.store.ensure_tenant(&row.tenant, &row.tenant).await?;
    let created = s.store.create_job(&row).await?;
    if created.id != row.id {
        let export = Services::settings(&created)?.export;
        return Err(ProcessingError::NameTaken {
            job: created.name,
            export: export.display().to_string(),
        });
    }
    Ok(created)
}

/// Asks the jobs handler to take the job one step (through the jobs queue, so the step
/// runs wherever that handler runs).
pub async fn ask(
    s: &Services,
    tenant: &str,
    job: &str,
    action: JobAction,
) -> Result<(), ProcessingError> {
    let m = JobMessage {
        tenant: tenant.to_string(),
        job: job.to_string(),
        action,
    };
    let body = serde_json::to_string(&m).map_err(crate::error::json("job message"))?;
    s.queue
        .send(&s.names.queue(QueueKind::Jobs), &body, None)
        .await?;
    Ok(())
}

/// Marks a job stopped by a signal interrupted, unless it reached an end meanwhile; the
/// row as it now stands.
pub async fn interrupt(s: &Services, tenant: &str, job: &str) -> Result<JobRow, ProcessingError> {
    let row = s.job(tenant, job).await?;
    if row.status.is_closed() {
        return Ok(row);
    }
    s.store
        .set_job_status(tenant, job, JobStatus::Interrupted, None)
        .await?;
    s.job(tenant, job).await
}

/// Sends a job that is not closed on from where the store says it is: an interrupted one
/// goes back to the status it stopped in ([`JobStatus::resumed`]).
pub async fn reopen(s: &Services, row: &JobRow) -> Result<JobRow, ProcessingError> {
    if row.status.is_closed() {
        return Ok(row.clone());
    }
    let status = row.status.resumed(row.phase >= 0);
    if status != row.status {
        s.store
            .set_job_status(&row.tenant, &row.id, status, None)
            .await?;
    }
    ask(s, &row.tenant, &row.id, JobAction::Resume).await?;
    s.job(&row.tenant, &row.id).await
}

/// Cancels a job unless it is done ([`JobStatus::can_cancel`]): the handlers stop taking
/// its work. Whether it was cancelled; no such job is `JobNotFound`.
pub async fn cancel(s: &Services, tenant: &str, job: &str) -> Result<bool, ProcessingError> {
    let row = s.job(tenant, job).await?;
    if !row.status.can_cancel() {
        return Ok(false);
    }
    s.store
        .set_job_status(tenant, job, JobStatus::Cancelled, Some("cancelled"))
        .await?;
    Ok(true)
}

/// Marks a job failed, with why.
pub async fn fail(s: &Services, tenant: &str, job: &str, why: &str) -> Result<(), ProcessingError> {
    s.store
        .set_job_status(tenant, job, JobStatus::Failed, Some(why))
        .await?;
    Ok(())
}
