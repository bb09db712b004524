//! Throughput over the last hour for operators: batches (one work message each) processed
//! per minute per entity queue, and source rows loaded or rejected per minute.
//!
//! A sampler in each admin role reads the totals from the canonical store every few seconds
//! and keeps them in the services database (see `db::throughput`), so every admin process
//! (and the admin API behind a load balancer) charts the same figures whichever process
//! took the reading, and a restart loses nothing. Reading totals from the store rather
//! than counting in the workers leaves the workers' hot path untouched and works the same
//! for Lambda, pollers and embedded workers.

use migrationai_api_types::admin::{QueueSeries, Throughput};
use std::collections::BTreeMap;
use std::time::Duration;

use migrationai_domain::Kind;
use tokio_util::sync::CancellationToken;

use crate::db::now;
use crate::db::throughput::Sample;
use crate::error::ApiResult;
use crate::state::AppState;

/// Minutes shown.
pub const MINUTES: usize = 60;
/// Readings older than this are dropped.
const KEEP_SECS: i64 = 2 * 3600;

/// Reads the store's totals per kind over every job that has run.
async fn totals(state: &AppState) -> ApiResult<BTreeMap<Kind, (i64, i64)>> {
    let mut totals: BTreeMap<Kind, (i64, i64)> = Kind::ALL.iter().map(|k| (*k, (0, 0))).collect();
    let store = &state.app.services.store;
    for d in state.db.drafts(None).await? {
        if !d.status.may_have_run() {
            continue;
        }
        for p in store.progress(&d.tenant, &d.id).await? {
            if let Some(t) = totals.get_mut(&p.kind) {
                t.0 += p.batches_done;
                t.1 += p.loaded + p.rejected;
            }
        }
    }
    Ok(totals)
}

/// Takes one reading now.
pub async fn sample(state: &AppState) -> ApiResult<()> {
    let at = now();
    let samples: Vec<Sample> = totals(state)
        .await?
        .into_iter()
        .map(|(kind, (batches, rows))| Sample {
            at,
            kind,
            batches,
            rows,
        })
        .collect();
    state.db.add_samples(&samples).await?;
    state.db.prune_samples(at - KEEP_SECS).await?;
    Ok(())
}

/// Samples every `every` until shut down; a failed reading is logged and the next one tried.
pub async fn sampler(state: AppState, every: Duration, shutdown: CancellationToken) {
    loop {
        if let Err(e) = sample(&state).await {
            tracing::warn!(error = %e, "throughput sample failed");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}

/// The last hour per minute, from the stored readings.
pub async fn last_hour(state: &AppState) -> ApiResult<Throughput> {
    let at = now();
    // One reading before the window gives the first minute its baseline.
    let samples = state
        .db
        .samples_since(at - (MINUTES as i64 + 1) * 60 - KEEP_SECS / 4)
        .await?;
    Ok(per_minute(&samples, at, MINUTES))
}

/// Rates per minute from cumulative readings. Each increase between two consecutive
/// readings of a kind counts in the minute of the later one; readings are taken as a
/// running maximum, so a late or skewed reading from another process never counts twice.
pub fn per_minute(samples: &[Sample], now: i64, minutes: usize) -> Throughput {
    let first = (now / 60 - minutes as i64 + 1) * 60;
    let minute_starts: Vec<i64> = (0..minutes as i64).map(|i| first + i * 60).collect();
    let mut by_kind: BTreeMap<Kind, Vec<&Sample>> = BTreeMap::new();
    for s in samples {
        by_kind.entry(s.kind).or_default().push(s);
    }
    let mut rows = vec![0; minutes];
    let mut queues = Vec::new();
    for kind in Kind::ALL {
        let mut messages = vec![0; minutes];
        if let Some(list) = by_kind.get_mut(&kind) {
            list.sort_by_key(|s| s.at);
            let mut seen: Option<(i64, i64)> = None;
            for s in list.iter() {
                let (b, r) = match seen {
                    Some((b, r)) => (b.max(s.batches), r.max(s.rows)),
                    None => (s.batches, s.rows),
                };
                if let (Some((pb, pr)), true) = (seen, s.at >= first) {
                    let i = ((s.at - first) / 60) as usize;
                    if i < minutes {
                        messages[i] += b - pb;
                        rows[i] += r - pr;
                    }
                }
                seen = Some((b, r));
            }
        }
        queues.push(QueueSeries {
            kind: kind.as_str().to_string(),
            messages,
        });
    }
    Throughput {
        minute_starts,
        queues,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(at: i64, kind: &str, batches: i64, rows: i64) -> Sample {
        Sample {
            at,
            kind: kind.parse().expect("a kind"),
            batches,
            rows,
        }
    }

    #[test]
    fn increases_count_in_the_minute_they_are_seen() {
        let now = 10 * 3600 + 30;
        let t = per_minute(
            &[
                // Before the window: only the baseline.
                s(now - 7200, "contacts", 5, 500),
                s(now - 120, "contacts", 7, 700),
                s(now - 110, "contacts", 9, 900),
                // A skewed reading from another process, lower than one already seen.
                s(now - 100, "contacts", 8, 800),
                s(now - 5, "contacts", 10, 950),
                s(now - 5, "projects", 3, 30),
            ],
            now,
            MINUTES,
        );
        assert_eq!(t.minute_starts.len(), MINUTES);
        assert_eq!(t.minute_starts[MINUTES - 1], now / 60 * 60);
        let contacts = &t.queues[0];
        assert_eq!(contacts.kind, "contacts");
        assert_eq!(contacts.messages.iter().sum::<i64>(), 5);
        assert_eq!(contacts.messages[MINUTES - 1], 1);
        // The first projects reading is a baseline, not a burst.
        assert_eq!(t.total_messages(), 5);
        assert_eq!(t.total_rows(), 450);
    }
}
