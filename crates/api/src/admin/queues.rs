//! Queue views and DLQ operations for operators: depths with the age of the oldest
//! message, dead letters with their last error, redrive of all or chosen messages, purge.

use migrationai_api_types::admin::{DeadLetterView, QueueView};
use std::collections::HashSet;
use std::time::Duration;

use migrationai_domain::QueueKind;
use migrationai_ports::queue::ReceiveOptions;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn kind(slug: &str) -> ApiResult<QueueKind> {
    slug.parse::<QueueKind>().map_err(|_| ApiError::NotFound)
}

pub async fn queues(s: &AppState) -> ApiResult<Vec<QueueView>> {
    let svc = &s.app.services;
    let mut out = Vec::new();
    for (kind, queue, dlq) in svc.names.all() {
        let q = svc.queue.stats(&queue).await?;
        let d = svc.queue.stats(&dlq).await?;
        out.push(QueueView {
            kind: kind.to_string(),
            queue,
            visible: q.visible,
            in_flight: q.in_flight,
            delayed: q.delayed,
            oldest_age_secs: q.oldest_age.map(|a| a.as_secs()),
            dlq,
            dlq_depth: d.visible + d.in_flight + d.delayed,
            dlq_oldest_age_secs: d.oldest_age.map(|a| a.as_secs()),
        });
    }
    Ok(out)
}

pub async fn dead_letters(s: &AppState, slug: &str) -> ApiResult<Vec<DeadLetterView>> {
    let k = kind(slug)?;
    Ok(s.app
        .dlq_list(k.as_str())
        .await?
        .into_iter()
        .map(|d| DeadLetterView {
            message_id: d.message_id,
            body: d.body,
            receive_count: d.receive_count,
            last_error: d.last_error,
        })
        .collect())
}

/// Moves dead letters back to their source queue: all of them, or those whose message ids
/// are given. Returns how many moved.
pub async fn redrive(s: &AppState, slug: &str, chosen: Option<&[String]>) -> ApiResult<usize> {
    let k = kind(slug)?;
    let Some(chosen) = chosen else {
        return Ok(s.app.dlq_redrive(k.as_str()).await?);
    };
    let svc = &s.app.services;
    let dlq = svc.names.dlq(k);
    let source = svc.names.queue(k);
    let wanted: HashSet<&str> = chosen.iter().map(String::as_str).collect();
    let mut moved = 0;
    let mut skipped = Vec::new();
    // Receive the DLQ in pages; send the chosen ones back and delete them, release the rest.
    for _ in 0..1000 {
        let got = svc
            .queue
            .receive(
                &dlq,
                &ReceiveOptions::batch(10).visibility(Duration::from_secs(30)),
            )
            .await?;
        if got.is_empty() {
            break;
        }
        for m in got {
            if wanted.contains(m.message_id.as_str()) {
                svc.queue.send(&source, &m.body, None).await?;
                svc.queue.delete(&dlq, &m.receipt_handle).await?;
                moved += 1;
            } else {
                skipped.push(m.receipt_handle);
            }
        }
        if moved == wanted.len() {
            break;
        }
    }
    for receipt in &skipped {
        svc.queue
            .change_visibility(&dlq, receipt, Duration::ZERO)
            .await?;
    }
    Ok(moved)
}
