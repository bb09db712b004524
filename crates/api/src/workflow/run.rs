//! Starting a reviewed job through the jobs queue (the same handlers as `migrationai
//! migrate`), following it, and reading what it produced.

use migrationai_api_types::jobs::progress::{KindProgressView, ProgressView};
use std::path::PathBuf;

use migrationai_domain::{DraftStatus, JobStatus, Kind};
use migrationai_pipeline::jobs::{self, NewJob};
use migrationai_pipeline::services::JobSettings;
use migrationai_pipeline::{ProcessingError, Report};
use migrationai_ports::store::JobRow;
use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Estimates each kind's time to finish: the rows still to process in its phase and the
/// phases before it (they run first), at the pace of the run so far.
fn estimate(kinds: &mut [KindProgressView], elapsed_secs: i64) -> (Option<f64>, Option<u64>) {
    let done: i64 = kinds.iter().map(|k| k.loaded + k.rejected).sum();
    let pace = (done > 0 && elapsed_secs > 0).then(|| done as f64 / elapsed_secs as f64);
    let left = |k: &KindProgressView| (k.rows - k.loaded - k.rejected).max(0);
    let ahead: Vec<(u8, i64)> = kinds.iter().map(|k| (k.kind.phase(), left(k))).collect();
    for k in kinds.iter_mut() {
        if k.batches > 0 && k.batches_done >= k.batches {
            k.eta_seconds = Some(0);
            continue;
        }
        let p = k.kind.phase();
        let rows: i64 = ahead.iter().filter(|(q, _)| *q <= p).map(|(_, n)| n).sum();
        k.eta_seconds = pace.map(|r| (rows as f64 / r).ceil() as u64);
    }
    let total = pace.map(|r| (ahead.iter().map(|(_, n)| n).sum::<i64>() as f64 / r).ceil() as u64);
    (pace, total)
}

/// Starts a job in review. A mapped table that leaves a required field unmapped has all its
/// rows rejected, so such a start needs `confirm_unmet`; without it the start is refused
/// with the tables and fields named.
pub async fn start(
    state: &AppState,
    tenant: &str,
    job: &str,
    confirm_unmet: bool,
) -> ApiResult<crate::workflow::JobView> {
    let d = super::draft(state, tenant, job).await?;
    if d.status != DraftStatus::Review {
        return Err(ApiError::Conflict(format!(
            "a job starts from review (the job is {})",
            d.status
        )));
    }
    let mapping = d.mapping.clone().unwrap_or_default();
    let parsed = migrationai_ingest::mapping::Mapping::parse("mapping", &mapping)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let unmet = super::mapping::unmet(&parsed);
    if !unmet.is_empty() && !confirm_unmet {
        let list: Vec<String> = unmet
            .iter()
            .map(|(table, fields)| format!("{table}: {}", fields.join("; ")))
            .collect();
        return Err(ApiError::Unprocessable(format!(
            "required fields are unmapped, so every row of these tables would be rejected: {}. Map them, leave the tables out, or start with confirm_unmet=true",
            list.join(" | ")
        )));
    }
    let export = d
        .export_path
        .clone()
        .ok_or_else(|| ApiError::Conflict("the export has not been analysed".into()))?;
    let new = NewJob {
        tenant: tenant.to_string(),
        id: d.id.clone(),
        name: d.name.clone(),
        settings: JobSettings {
            export: PathBuf::from(export),
            batch_size: state.app.config.batch_size,
            source: None,
            threshold: state.app.config.threshold,
        },
        mapping,
    };
    if !state
        .db
        .set_draft_status(
            tenant,
            job,
            &[DraftStatus::Review],
            DraftStatus::Started,
            None,
        )
        .await?
    {
        return Err(ApiError::Conflict("the job left review".into()));
    }
    // Moving to started claimed the draft (a second start finds it out of review); a run
    // that cannot be created gives the claim back, so the draft is not left started with no
    // run behind it.
    let created = match jobs::create(&state.app.services, new).await {
        Ok(created) => created,
        Err(e) => {
            state
                .db
                .set_draft_status(
                    tenant,
                    job,
                    &[DraftStatus::Started],
                    DraftStatus::Review,
                    None,
                )
                .await?;
            return Err(match e {
                ProcessingError::NameTaken { .. } => {
                    ApiError::Conflict("another run of that name exists in the store".into())
                }
                e => e.into(),
            });
        }
    };
    // tfp splits the export into batches (the heavy part), then hands over to the jobs
    // queue; this host only records the request.
    state
        .db
        .request_plan(tenant, &created.id, crate::db::now())
        .await?;
    super::get(state, tenant, job).await
}

/// A run's state and per-kind counts as the store has them: what every progress poll of a
/// running job needs, shared through the cache (Redis on AWS) so that any number of pollers
/// on any number of API instances cost the store one read per change of the job.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RunCounts {
    status: JobStatus,
    phase: i64,
    created_at: i64,
    kinds: Vec<KindProgressView>,
}

/// How long counts are served from the cache. The job's namespace is bumped as soon as an
/// invalidator sees them move (every half second); this bounds the age if none runs.
const COUNTS_TTL: std::time::Duration = std::time::Duration::from_secs(1);
const COUNTS_KEY: &str = "progress";

async fn run_counts(state: &AppState, tenant: &str, job: &str) -> ApiResult<Option<RunCounts>> {
    let ns = crate::records::namespace(tenant, job);
    if let Ok(Some(hit)) = state.cache.get_in(&ns, COUNTS_KEY).await {
        if let Ok(counts) = serde_json::from_slice::<RunCounts>(&hit) {
            return Ok(Some(counts));
        }
    }
    let store = &state.app.services.store;
    let Some(run) = store.job(tenant, job).await? else {
        return Ok(None);
    };
    let kinds = store
        .progress(tenant, &run.id)
        .await?
        .into_iter()
        .map(|k| KindProgressView {
            label: k.kind.label().to_string(),
            kind: k.kind,
            batches: k.batches,
            batches_done: k.batches_done,
            rows: k.rows,
            loaded: k.loaded,
            rejected: k.rejected,
            eta_seconds: None,
        })
        .collect();
    let counts = RunCounts {
        status: run.status,
        phase: run.phase,
        created_at: run.created_at,
        kinds,
    };
    if let Ok(json) = serde_json::to_vec(&counts) {
        let _ = state
            .cache
            .set_in(&ns, COUNTS_KEY, json.into(), COUNTS_TTL)
            .await;
    }
    Ok(Some(counts))
}

pub async fn progress(state: &AppState, tenant: &str, job: &str) -> ApiResult<ProgressView> {
    // The draft is read every time: its status (cancelled, failed) is this service's own.
    let d = super::draft(state, tenant, job).await?;
    let run = if d.status.may_have_run() {
        run_counts(state, tenant, job).await?
    } else {
        None
    };
    let mut kinds = run.as_ref().map(|r| r.kinds.clone()).unwrap_or_default();
    // In the order the kinds run (the store lists them by name).
    let order = |k: Kind| Kind::ALL.iter().position(|x| *x == k).unwrap_or(usize::MAX);
    kinds.sort_by_key(|k| order(k.kind));
    let elapsed = run.as_ref().map_or(0, |r| crate::db::now() - r.created_at);
    let (rows_per_second, eta_seconds) = estimate(&mut kinds, elapsed);
    let run_status = run.as_ref().map(|r| r.status);
    let finished = run_status.is_some_and(JobStatus::is_finished) || d.status.is_finished();
    Ok(ProgressView {
        status: d.status,
        phase: run.as_ref().map(|r| r.phase),
        run_status,
        finished,
        rows_per_second,
        eta_seconds: if finished { Some(0) } else { eta_seconds },
        kinds,
    })
}

pub(crate) async fn run_row(state: &AppState, tenant: &str, job: &str) -> ApiResult<JobRow> {
    super::draft(state, tenant, job).await?;
    state
        .app
        .services
        .store
        .job(tenant, job)
        .await?
        .ok_or_else(|| ApiError::Conflict("the job has not started".into()))
}

/// The run's stored report; a run without one yet is a conflict naming its status.
pub(crate) fn reported(row: &JobRow) -> ApiResult<&str> {
    row.report
        .as_deref()
        .ok_or_else(|| ApiError::Conflict(format!("no report yet (the run is {})", row.status)))
}

/// The job's report as the firm sees it: the export is named by the files it uploaded, never
/// by where a server keeps them.
pub async fn report(state: &AppState, tenant: &str, job: &str) -> ApiResult<Report> {
    let row = run_row(state, tenant, job).await?;
    let text = reported(&row)?;
    let mut report: Report = serde_json::from_str(text).map_err(ApiError::internal)?;
    let files: Vec<String> = state
        .db
        .files(tenant, job)
        .await?
        .into_iter()
        .map(|f| f.name)
        .collect();
    report.export = files.join(", ");
    Ok(report)
}

pub async fn report_html(state: &AppState, tenant: &str, job: &str) -> ApiResult<String> {
    let r = report(state, tenant, job).await?;
    Ok(migrationai_pipeline::report::html::render(&r))
}

pub async fn cancel(
    state: &AppState,
    tenant: &str,
    job: &str,
) -> ApiResult<crate::workflow::JobView> {
    let d = super::draft(state, tenant, job).await?;
    let was_started = d.status == DraftStatus::Started;
    if was_started {
        if let Some(run) = state.app.services.store.job(tenant, job).await? {
            if !run.status.can_cancel() {
                return Err(ApiError::Conflict("the job is done".into()));
            }
        }
    }
    if !state
        .db
        .set_draft_status(
            tenant,
            job,
            DraftStatus::CANCELLABLE,
            DraftStatus::Cancelled,
            Some("cancelled"),
        )
        .await?
    {
        return Err(ApiError::Conflict(format!(
            "the job cannot be cancelled (it is {})",
            d.status
        )));
    }
    super::resumable::discard_unfinished(state, tenant, job).await;
    if was_started {
        match jobs::cancel(&state.app.services, tenant, job).await {
            // A draft started a moment before its run was recorded has no run to stop.
            Ok(_) | Err(ProcessingError::JobNotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    super::get(state, tenant, job).await
}

#[cfg(test)]
mod tests {
    use migrationai_domain::Kind;

    #[test]
    fn each_kind_waits_for_the_rows_of_earlier_phases() {
        let k =
            |kind: Kind, rows: i64, processed: i64, batches_done: i64| super::KindProgressView {
                kind,
                label: String::new(),
                batches: 2,
                batches_done,
                rows,
                loaded: processed,
                rejected: 0,
                eta_seconds: None,
            };
        // 100 rows in 10 s: 10 rows/s.
        let mut kinds = vec![
            k(Kind::Contacts, 100, 100, 2),
            k(Kind::Projects, 50, 0, 0),
            k(Kind::Tasks, 200, 0, 0),
        ];
        let (pace, total) = super::estimate(&mut kinds, 10);
        assert_eq!(pace, Some(10.0));
        assert_eq!(kinds[0].eta_seconds, Some(0));
        assert_eq!(kinds[1].eta_seconds, Some(5));
        assert_eq!(kinds[2].eta_seconds, Some(25), "after the matters");
        assert_eq!(total, Some(25));
        // No pace before a row is done.
        let mut kinds = vec![k(Kind::Contacts, 100, 0, 0)];
        assert_eq!(super::estimate(&mut kinds, 10), (None, None));
        assert_eq!(kinds[0].eta_seconds, None);
    }
}
