//! What one adapter instance remembers about the deliveries it handed out, to give the
//! port's semantics where SQS is looser:
//!
//! - receive counts start over in a DLQ and do not count `peek`s (SQS counts every receive,
//!   and keeps counting after a message was dead-lettered);
//! - a receipt handle superseded by a later receive of the same message is refused (SQS
//!   accepts it and silently does nothing; moto deletes).
//!
//! Both are per process and bounded, so across processes counts are approximate, as SQS's
//! own are.

use std::collections::{HashMap, HashSet};

const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Default)]
pub struct Tracker {
    /// SQS receives not to count, per (queue, message id).
    offsets: HashMap<(String, String), u32>,
    /// The newest receipt handle of each message id.
    latest: HashMap<String, String>,
    /// The message id of each receipt handle handed out.
    owner: HashMap<String, String>,
    /// Queues that are some queue's DLQ.
    dlqs: HashSet<String>,
}

impl Tracker {
    pub fn mark_dlq(&mut self, queue: &str) {
        self.dlqs.insert(queue.to_owned());
    }

    fn is_dlq(&self, queue: &str) -> bool {
        self.dlqs.contains(queue) || queue.starts_with("dlq-")
    }

    fn bound(&mut self) {
        if self.offsets.len() > MAX_ENTRIES {
            self.offsets.clear();
        }
        if self.owner.len() > MAX_ENTRIES {
            self.owner.clear();
            self.latest.clear();
        }
    }

    fn offset(&mut self, queue: &str, message_id: &str, raw: u32) -> &mut u32 {
        let is_dlq = self.is_dlq(queue);
        self.offsets
            .entry((queue.to_owned(), message_id.to_owned()))
            // First sight in a DLQ: every earlier receive happened in the source queue.
            .or_insert(if is_dlq { raw.saturating_sub(1) } else { 0 })
    }

    /// The port's receive count of a delivery SQS counted `raw`.
    pub fn received(&mut self, queue: &str, message_id: &str, receipt: &str, raw: u32) -> u32 {
        self.bound();
        let offset = *self.offset(queue, message_id, raw);
        self.latest
            .insert(message_id.to_owned(), receipt.to_owned());
        self.owner.insert(receipt.to_owned(), message_id.to_owned());
        raw.saturating_sub(offset).max(1)
    }

    /// The receive count a peek reports (receives before it), and the peek not counted.
    pub fn peeked(&mut self, queue: &str, message_id: &str, raw: u32) -> u32 {
        self.bound();
        let offset = self.offset(queue, message_id, raw);
        let before = raw.saturating_sub(1).saturating_sub(*offset);
        *offset += 1;
        before
    }

    /// Whether `receipt` was superseded by a later receive this adapter made.
    pub fn is_stale(&self, receipt: &str) -> bool {
        match self.owner.get(receipt) {
            Some(id) => self.latest.get(id).is_some_and(|latest| latest != receipt),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dlq_counts_start_over_and_peeks_do_not_count() {
        let mut t = Tracker::default();
        t.mark_dlq("d");
        assert_eq!(t.received("q", "m", "r1", 1), 1);
        assert_eq!(t.received("q", "m", "r2", 2), 2);
        assert!(t.is_stale("r1"));
        assert!(!t.is_stale("r2"));
        assert!(!t.is_stale("unknown"));
        // Moved to the DLQ after 3 receives; SQS goes on counting.
        assert_eq!(t.peeked("d", "m", 4), 0);
        assert_eq!(t.peeked("d", "m", 5), 0);
        assert_eq!(t.received("d", "m", "r3", 6), 1);
    }
}
