//! "Send to Filevine": a finished job pushed into the firm's Filevine org through the queues
//! (`delivery::queued`: this host only records the push and asks the jobs queue; the workers,
//! which hold the Filevine credentials, push the pages and read Filevine back), and its
//! progress per kind with the read-back result.

use migrationai_api_types::jobs::push::{
    KindPushView, KindReadBackView, PushRequest, PushView, ReadBackView,
};
use migrationai_domain::{JobStatus, PushStatus};
use migrationai_filevine::ProjectTypeChoice;
use migrationai_pipeline::delivery::{queued, PushOptions, TargetKind};
use migrationai_pipeline::report::filevine::FilevineSection;
use migrationai_pipeline::{ProcessingError, Report};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Records run at once per page, as `migrationai push` does by default.
const CONCURRENCY: usize = 16;

pub async fn start(
    state: &AppState,
    tenant: &str,
    job: &str,
    request: &PushRequest,
) -> ApiResult<PushView> {
    let row = super::run::run_row(state, tenant, job).await?;
    if row.status != JobStatus::Done {
        return Err(ApiError::Conflict(format!(
            "only a finished migration is sent to Filevine (the run is {})",
            row.status
        )));
    }
    let options = PushOptions {
        // The firm web app's step is "Send to Filevine"; its workers pick the Filevine
        // adapter from the push's options in the ledger.
        target: TargetKind::Filevine,
        project_types: ProjectTypeChoice {
            by_value: request.project_types.clone(),
            default: request.default_project_type.clone(),
        },
        concurrency: CONCURRENCY,
        ..PushOptions::default()
    };
    match queued::start(&state.app.services, tenant, job, &options).await {
        Ok(_) => {}
        Err(ProcessingError::NotFinished { status, .. }) => {
            return Err(ApiError::Conflict(format!(
                "only a finished migration is sent to Filevine (the run is {status})"
            )))
        }
        Err(e) => return Err(e.into()),
    }
    get(state, tenant, job).await
}

/// The job's latest push; 404 when it was never sent.
pub async fn get(state: &AppState, tenant: &str, job: &str) -> ApiResult<PushView> {
    let row = super::run::run_row(state, tenant, job).await?;
    let progress = queued::progress(&state.app.services, tenant, job)
        .await?
        .ok_or(ApiError::NotFound)?;
    let read_back = match (progress.status, row.report.as_deref()) {
        (PushStatus::Done, Some(text)) => {
            let report: Report = serde_json::from_str(text).map_err(ApiError::internal)?;
            report
                .filevine
                .as_ref()
                .map(|s| read_back(s, report.verdict.migrated))
        }
        _ => None,
    };
    Ok(PushView {
        status: progress.status,
        phase: progress.phase,
        error: progress.error,
        kinds: progress
            .kinds
            .into_iter()
            .map(|k| KindPushView {
                label: k.kind.label().to_string(),
                kind: k.kind,
                pages: k.pages,
                pages_done: k.pages_done,
                records: k.records,
                created: k.counts.created,
                adopted: k.counts.adopted,
                updated: k.counts.updated,
                unchanged: k.counts.unchanged,
                refused: k.counts.refused,
            })
            .collect(),
        read_back,
    })
}

fn read_back(s: &FilevineSection, migrated: bool) -> ReadBackView {
    let rb = &s.read_back;
    let n = |v: usize| v as u64;
    ReadBackView {
        delivered: s.delivered(),
        refused: n(s.refused.len()),
        kinds: rb
            .kinds
            .iter()
            .map(|k| KindReadBackView {
                kind: k.kind,
                label: k.kind.label().to_string(),
                expected: n(k.expected),
                found: n(k.found),
                missing: n(k.missing),
                extra: n(k.extra),
            })
            .collect(),
        trust_checked: n(rb.trust_checked),
        trust_mismatches: n(rb.trust_mismatches.len()),
        balances_checked: n(rb.balances_checked),
        balance_mismatches: n(rb.balance_mismatches.len()),
        documents_checked: n(rb.documents_checked),
        document_problems: n(rb.document_problems.len()),
        migrated,
    }
}
