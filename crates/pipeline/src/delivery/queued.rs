//! A push through the 13 queues, as a migration runs: the jobs handler fans out one message
//! per page of loaded records per kind, phase by phase (`Kind::phases()`), onto that kind's
//! queue; the kind's worker hands the page to the push's target (`Target::deliver`) and
//! writes what it did into the
//! push ledger (`Store::finish_push_page`) with the page's done mark; the last page of a
//! phase lets the jobs handler advance the push (compare-and-set, as a job's phase), and
//! past the last phase it reads the target back and stores the report (`super::conclude`).
//!
//! Every step is harmless to repeat, because messages are delivered at least once: a done
//! page is not pushed again, and a page pushed twice creates nothing twice (the target's
//! own idempotency: Filevine's id map in the store). A message no attempt processes goes to its dead-letter queue after three
//! receives, like a batch's.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use migrationai_domain::{JobStatus, Kind, PushStatus};
use migrationai_filevine::pages_in_sequence;
use migrationai_ports::store::{PushOutcome, PushPageRow, PushRow};
use migrationai_ports::target::{PushRef, Target, TargetKind};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::{conclude, reject_entry, Loaded, PushDone, PushOptions, Pushed};
use crate::app::{stored_report, App};
use crate::error::ProcessingError;
use crate::jobs::phases::{phase_count, phase_kinds};
use crate::message::{JobAction, PushPageMessage};
use crate::record_pages::{decode, Pages};
use crate::report::filevine::PushCounts;
use crate::report::RejectEntry;
use crate::services::Services;

/// Starts a push of a finished job through the queues, or picks up the one in progress (a
/// push killed part-way goes on from the ledger, with the options it started with). The
/// push as the ledger now holds it.
pub async fn start(
    s: &Services,
    tenant: &str,
    job: &str,
    options: &PushOptions,
) -> Result<PushRow, ProcessingError> {
    let row = s.job(tenant, job).await?;
    if row.status != JobStatus::Done {
        return Err(ProcessingError::NotFinished {
            job: row.name,
            status: row.status,
        });
    }
    let push = match s.store.push(tenant, job).await? {
        Some(p) if p.status.is_open() => p,
        _ => {
            let text =
                serde_json::to_string(options).map_err(crate::error::json("push options"))?;
            s.store.start_push(tenant, job, &text).await?
        }
    };
    crate::jobs::ask(s, tenant, job, JobAction::Push).await?;
    Ok(push)
}

async fn open_push(
    s: &Services,
    tenant: &str,
    job: &str,
) -> Result<Option<PushRow>, ProcessingError> {
    Ok(s.store
        .push(tenant, job)
        .await?
        .filter(|p| p.status.is_open()))
}

/// `JobAction::Push`: fans out the first phase, or re-sends the undone pages of the phase
/// in progress (a message lost to a crash, or a fan-out a crash cut short after claiming
/// it), advancing when none is left.
pub async fn resume(s: &Services, tenant: &str, job: &str) -> Result<(), ProcessingError> {
    let Some(push) = open_push(s, tenant, job).await? else {
        return Ok(());
    };
    if push.phase < 0 {
        if s.store.advance_push(tenant, job, -1, 0).await? {
            return start_phase(s, tenant, job, 0).await;
        }
        return Ok(());
    }
    if push.phase >= phase_count() {
        return finish(s, tenant, job).await;
    }
    let sent = send_undone(s, &push, push.phase).await?;
    if sent == 0 {
        advance(s, tenant, job, push.phase).await
    } else {
        // Sent whoever claimed them: this is the recovery of a claimed fan-out.
        s.store.claim_push_fanout(tenant, job, push.phase).await?;
        Ok(())
    }
}

/// `JobAction::AdvancePush`: moves the push past `phase` once every page of it is done
/// (compare-and-set of the phase), then fans out the next phase: of every handler that gets
/// there (the last pages of a phase finishing together, or an advance message delivered
/// twice), only the one whose claim of the fan-out succeeds sends its pages, so each page
/// message is sent once. A crash between the claim and the sends is made good by `resume`.
pub async fn advance(
    s: &Services,
    tenant: &str,
    job: &str,
    phase: i64,
) -> Result<(), ProcessingError> {
    let Some(push) = open_push(s, tenant, job).await? else {
        return Ok(());
    };
    if push.phase == phase {
        let kinds = phase_kinds(phase);
        let pages = s.store.push_pages(tenant, job).await?;
        let complete = pages
            .iter()
            .filter(|p| kinds.contains(&p.kind))
            .all(|p| p.done);
        if !complete {
            return Ok(());
        }
        s.store.advance_push(tenant, job, phase, phase + 1).await?;
    }
    let Some(push) = open_push(s, tenant, job).await? else {
        return Ok(());
    };
    if push.phase == phase + 1 {
        start_phase(s, tenant, job, phase + 1).await?;
    }
    Ok(())
}

/// Sends the pages of `phase`, when this caller claims its fan-out; phases with nothing
/// loaded are passed straight through, and past the last phase the target is read back.
async fn start_phase(
    s: &Services,
    tenant: &str,
    job: &str,
    mut phase: i64,
) -> Result<(), ProcessingError> {
    loop {
        if !s.store.claim_push_fanout(tenant, job, phase).await? {
            return Ok(());
        }
        if phase >= phase_count() {
            return finish(s, tenant, job).await;
        }
        let Some(push) = open_push(s, tenant, job).await? else {
            return Ok(());
        };
        if send_undone(s, &push, phase).await? > 0 {
            return Ok(());
        }
        if !s.store.advance_push(tenant, job, phase, phase + 1).await? {
            return Ok(());
        }
        phase += 1;
    }
}

/// Records the pages of `phase`'s kinds (the same boundaries every time: the loaded records
/// of a finished job do not change) and sends a message for each page not done; of a kind
/// whose pages go one after another (`pages_in_sequence`), only for its first page not done,
/// whose worker sends the next.
async fn send_undone(s: &Services, push: &PushRow, phase: i64) -> Result<usize, ProcessingError> {
    let kinds = phase_kinds(phase);
    let per_page = push_ref(push)?.options.records_per_page;
    let mut pages = Vec::new();
    for &kind in &kinds {
        let mut walk =
            Pages::new(s.store.as_ref(), &push.tenant, &push.job, kind).of_size(per_page);
        let mut after: Option<String> = None;
        let mut page_no = 0;
        while let Some(rows) = walk.next_rows().await? {
            let Some(last) = rows.last().map(|r| r.source_id.clone()) else {
                break;
            };
            pages.push(PushPageRow {
                kind,
                page_no,
                after: after.replace(last.clone()),
                last,
                records: rows.len() as i64,
                done: false,
                outcome: PushOutcome::default(),
            });
            page_no += 1;
        }
    }
    s.store
        .add_push_pages(&push.tenant, &push.job, &pages)
        .await?;
    let stored = s.store.push_pages(&push.tenant, &push.job).await?;
    // The ledger lists pages by kind and page number: the first undone page of a kind
    // in sequence is the first met.
    let mut begun = BTreeSet::new();
    let undone = stored.iter().filter(|p| {
        !p.done && kinds.contains(&p.kind) && (!pages_in_sequence(p.kind) || begun.insert(p.kind))
    });
    send_pages(s, &push.tenant, &push.job, undone).await
}

/// Sends one message per page, each onto its kind's queue.
async fn send_pages<'p>(
    s: &Services,
    tenant: &str,
    job: &str,
    pages: impl Iterator<Item = &'p PushPageRow>,
) -> Result<usize, ProcessingError> {
    let mut by_queue: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in pages {
        let m = PushPageMessage {
            tenant: tenant.to_string(),
            job: job.to_string(),
            kind: p.kind,
            push_page: p.page_no,
            after: p.after.clone(),
            last: p.last.clone(),
        };
        let body = serde_json::to_string(&m).map_err(crate::error::json("push page message"))?;
        by_queue
            .entry(s.names.queue(p.kind.into()))
            .or_default()
            .push(body);
    }
    s.send_grouped(by_queue).await
}

/// A kind's worker: pushes one page, records what it did with the page's done mark, and
/// asks the jobs handler to advance. A page already done (a redelivered message) or of a
/// push no longer in progress is left alone.
pub async fn push_page(s: &Services, m: &PushPageMessage) -> Result<(), ProcessingError> {
    let Some(push) = open_push(s, &m.tenant, &m.job).await? else {
        return Ok(());
    };
    let pages = s.store.push_pages(&m.tenant, &m.job).await?;
    let Some(page) = pages
        .iter()
        .find(|p| p.kind == m.kind && p.page_no == m.push_page)
    else {
        // Not in the ledger: a message of an earlier push of the job.
        return Ok(());
    };
    if page.done {
        return Ok(());
    }
    // A page of a kind in sequence waits for the pages before it: the worker of the last
    // of them sends it again once that is done.
    if pages_in_sequence(m.kind)
        && pages
            .iter()
            .any(|p| p.kind == m.kind && p.page_no < m.push_page && !p.done)
    {
        return Ok(());
    }
    let push = push_ref(&push)?;
    let Some(target) = s.target(push.options.target) else {
        return no_credentials(s, &m.tenant, &m.job, push.options.target).await;
    };
    // The page ends at its last source id, found in the store's own order (a collation may
    // sort ids otherwise than bytes do).
    let rows = s
        .store
        .records_page(
            &m.tenant,
            &m.job,
            m.kind,
            m.after.as_deref(),
            push.options.records_per_page.max(1),
        )
        .await?;
    let mut records = Vec::with_capacity(rows.len());
    for r in rows {
        let end = r.source_id == m.last;
        records.push(decode(r)?);
        if end {
            break;
        }
    }
    let done = target.deliver(&push, m.kind, &records).await?;
    let refused: Vec<RejectEntry> = done
        .refused
        .into_iter()
        .map(|r| reject_entry(m.kind, r))
        .collect();
    let c = done.counts;
    let outcome = PushOutcome {
        created: c.created as i64,
        adopted: c.adopted as i64,
        updated: c.updated as i64,
        unchanged: c.unchanged as i64,
        refused: c.refused as i64,
        refusals: serde_json::to_string(&refused).map_err(crate::error::json("push refusals"))?,
    };
    let finished = s
        .store
        .finish_push_page(&m.tenant, &m.job, m.kind, m.push_page, &outcome)
        .await?;
    // Only the worker that marked the page done passes the turn on, so the next page is
    // sent once; a crash before it sends is made good by `resume`.
    if finished && pages_in_sequence(m.kind) {
        let next = pages
            .iter()
            .filter(|p| p.kind == m.kind && p.page_no > m.push_page && !p.done)
            .min_by_key(|p| p.page_no);
        send_pages(s, &m.tenant, &m.job, next.into_iter()).await?;
    }
    crate::jobs::ask(
        s,
        &m.tenant,
        &m.job,
        JobAction::AdvancePush {
            phase: i64::from(m.kind.phase()),
        },
    )
    .await
}

/// The push as its target sees it: the ledger row's job, start and options.
fn push_ref(row: &PushRow) -> Result<PushRef, ProcessingError> {
    Ok(PushRef {
        tenant: row.tenant.clone(),
        job: row.job.clone(),
        started: row.created_at,
        options: serde_json::from_str(&row.options).map_err(crate::error::json("push options"))?,
    })
}

/// Every page is pushed: reads the target back and stores the report with its section; then
/// the push is done. Harmless to repeat.
async fn finish(s: &Services, tenant: &str, job: &str) -> Result<(), ProcessingError> {
    let Some(push) = open_push(s, tenant, job).await? else {
        return Ok(());
    };
    let push = push_ref(&push)?;
    let Some(target) = s.target(push.options.target) else {
        return no_credentials(s, tenant, job, push.options.target).await;
    };
    s.store
        .set_push_status(tenant, job, PushStatus::Reading, None)
        .await?;
    let row = s.job(tenant, job).await?;
    let report = stored_report(&row)?;
    let pages = s.store.push_pages(tenant, job).await?;
    let (pushed, refused) = ledger_totals(&pages)?;
    let mut loaded = Loaded::new();
    for kind in Kind::phases().into_iter().flatten() {
        let mut walk = Pages::new(s.store.as_ref(), tenant, job, kind);
        while let Some(rows) = walk.next_rows().await? {
            loaded
                .entry(kind)
                .or_default()
                .extend(rows.into_iter().map(|r| r.source_id));
        }
    }
    conclude(
        s,
        &row,
        report,
        PushDone {
            target: target.as_ref(),
            push: &push,
            pushed,
            refused,
            loaded,
        },
    )
    .await?;
    s.store
        .set_push_status(tenant, job, PushStatus::Done, None)
        .await?;
    Ok(())
}

/// A worker given no way to reach the push's target cannot push, however often it tries: the
/// push fails, saying so where the firm and the operator look (the ledger, the push's page),
/// rather than its messages filling the dead-letter queues.
async fn no_credentials(
    s: &Services,
    tenant: &str,
    job: &str,
    target: TargetKind,
) -> Result<(), ProcessingError> {
    let why = unreachable(target).to_string();
    tracing::error!(job, "{why}");
    s.store
        .set_push_status(tenant, job, PushStatus::Failed, Some(&why))
        .await?;
    Ok(())
}

/// Counts per kind (every kind, as the report lists them) and the refusals in
/// phase order, page by page.
fn ledger_totals(
    pages: &[PushPageRow],
) -> Result<(BTreeMap<Kind, PushCounts>, Vec<RejectEntry>), ProcessingError> {
    let mut pushed = BTreeMap::new();
    let mut refused = Vec::new();
    for kind in Kind::phases().into_iter().flatten() {
        let mut counts = PushCounts::default();
        let mut of_kind: Vec<&PushPageRow> = pages.iter().filter(|p| p.kind == kind).collect();
        of_kind.sort_by_key(|p| p.page_no);
        for p in of_kind {
            counts.add(counts_of(&p.outcome));
            let entries: Vec<RejectEntry> = serde_json::from_str(&p.outcome.refusals).map_err(
                crate::error::json(format!("the refusals of {kind} page {}", p.page_no)),
            )?;
            refused.extend(entries);
        }
        pushed.insert(kind, counts);
    }
    Ok((pushed, refused))
}

fn counts_of(o: &PushOutcome) -> PushCounts {
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    PushCounts {
        created: n(o.created),
        adopted: n(o.adopted),
        updated: n(o.updated),
        unchanged: n(o.unchanged),
        refused: n(o.refused),
    }
}

/// One kind's part of a push in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindPush {
    pub kind: Kind,
    pub pages: u64,
    pub pages_done: u64,
    /// Loaded records to push (of the phases fanned out so far).
    pub records: u64,
    pub counts: PushCounts,
}

/// Where a push stands, from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PushProgress {
    pub status: PushStatus,
    /// The phase being pushed (index into `Kind::phases()`); -1 before the first.
    pub phase: i64,
    pub error: Option<String>,
    /// Kinds in phase order; a kind whose phase has not started has no pages yet.
    pub kinds: Vec<KindPush>,
}

/// The job's latest push as the ledger holds it; `None` when it was never pushed.
pub async fn progress(
    s: &Services,
    tenant: &str,
    job: &str,
) -> Result<Option<PushProgress>, ProcessingError> {
    let Some(push) = s.store.push(tenant, job).await? else {
        return Ok(None);
    };
    let pages = s.store.push_pages(tenant, job).await?;
    let kinds = Kind::phases()
        .into_iter()
        .flatten()
        .map(|kind| {
            let mut k = KindPush {
                kind,
                pages: 0,
                pages_done: 0,
                records: 0,
                counts: PushCounts::default(),
            };
            for p in pages.iter().filter(|p| p.kind == kind) {
                k.pages += 1;
                k.records += u64::try_from(p.records).unwrap_or(0);
                if p.done {
                    k.pages_done += 1;
                    k.counts.add(counts_of(&p.outcome));
                }
            }
            k
        })
        .collect();
    Ok(Some(PushProgress {
        status: push.status,
        phase: push.phase,
        error: push.error,
        kinds,
    }))
}

/// Why a process has no `target`: only Filevine needs credentials (the store is always there).
fn unreachable(target: TargetKind) -> ProcessingError {
    match target {
        TargetKind::Filevine => ProcessingError::NoFilevine,
        TargetKind::Store => {
            ProcessingError::Inconsistent("the services have no store target".into())
        }
    }
}

/// The target `options` name, when this process can reach it.
fn target_of(s: &Services, options: &PushOptions) -> Result<Arc<dyn Target>, ProcessingError> {
    s.target(options.target)
        .ok_or_else(|| unreachable(options.target))
}

/// `migrationai push JOB --target store|filevine` on one machine: starts (or picks up) the
/// push and runs the 13 workers until it is done, then writes the report files.
/// Dead-lettered messages that leave it unable to finish are an error naming them.
pub async fn run(
    app: &App,
    job: &str,
    options: &PushOptions,
    progress_of: &(dyn Fn(&PushProgress) + Send + Sync),
) -> Result<Pushed, ProcessingError> {
    target_of(&app.services, options)?;
    let row = app.find_job(job).await?;
    let push = start(&app.services, &row.tenant, &row.id, options).await?;
    // A push picked up goes on with the options it started with.
    let target = target_of(&app.services, &push_ref(&push)?.options)?;
    let shutdown = CancellationToken::new();
    let workers = app.start_workers(&shutdown).await?;
    let watched = watch(app, &row.tenant, &row.id, &row.name, progress_of).await;
    shutdown.cancel();
    for w in workers {
        let _ = w.await;
    }
    watched?;
    let row = app.services.job(&row.tenant, &row.id).await?;
    let dir = app.config.data_dir.join("reports").join(&row.name);
    app.write_report_files(&row, &dir).await?;
    Ok(Pushed {
        report: stored_report(&row)?,
        stats: target.stats(),
    })
}

async fn watch(
    app: &App,
    tenant: &str,
    job: &str,
    name: &str,
    progress_of: &(dyn Fn(&PushProgress) + Send + Sync),
) -> Result<(), ProcessingError> {
    let s = &app.services;
    let mut idle_checks = 0;
    let mut tick: u64 = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        tick += 1;
        let Some(now) = progress(s, tenant, job).await? else {
            return Err(ProcessingError::Inconsistent(format!(
                "the push of job {name} left the ledger"
            )));
        };
        if tick.is_multiple_of(4) || !now.status.is_open() {
            progress_of(&now);
        }
        match now.status {
            PushStatus::Done => return Ok(()),
            PushStatus::Failed => {
                return Err(ProcessingError::PushFailed {
                    job: name.to_string(),
                    error: now.error.unwrap_or_default(),
                })
            }
            PushStatus::Pushing | PushStatus::Reading => {}
        }
        if !tick.is_multiple_of(10) {
            continue;
        }
        if app.queues_busy().await? {
            idle_checks = 0;
            continue;
        }
        idle_checks += 1;
        if idle_checks < 3 {
            continue;
        }
        let dead = app.dead_letters_of(job).await?;
        if !dead.is_empty() {
            let detail: Vec<String> = dead
                .iter()
                .map(|d| {
                    format!(
                        "{} {}: {}",
                        d.queue,
                        d.message_id,
                        d.last_error.as_deref().unwrap_or("?")
                    )
                })
                .collect();
            return Err(ProcessingError::Stalled {
                job: name.to_string(),
                detail: detail.join("; "),
                count: dead.len(),
            });
        }
        // Nothing queued, nothing dead, not done: a message was lost to a crash between
        // the store and the queue; the push picks up where the ledger says.
        crate::jobs::ask(s, tenant, job, JobAction::Push).await?;
        idle_checks = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_advances_the_phase_it_is_pushed_in() {
        for kind in Kind::ALL {
            assert!(
                phase_kinds(i64::from(kind.phase())).contains(&kind),
                "{kind}"
            );
        }
    }
}
