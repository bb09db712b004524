//! The report's "delivered to Filevine" section: what each kind's push did, the records
//! Filevine (or the push, before calling it) refused with the reason, and the read-back
//! that compares what Filevine holds with what the migration loaded.

use std::collections::BTreeMap;

use migrationai_domain::Kind;
use migrationai_ports::target::Delivery;
use migrationai_ports::TargetKind;
use serde::{Deserialize, Serialize};

use super::RejectEntry;

/// What a push did with one kind's records (the target port's counts).
pub use migrationai_ports::target::PushCounts;

/// Sections stored before the choice of target were all Filevine's.
fn filevine() -> TargetKind {
    TargetKind::Filevine
}

/// The refusal codes of a section value whose section or field the org's layout lacks
/// (`migrationai_filevine::layout`).
const UNPLACED: [&str; 2] = ["unknown_section", "unknown_field"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]

pub struct FilevineSection {
    /// Where the job was delivered.
    #[serde(default = "filevine")]
    pub target: TargetKind,
    /// Per kind, in the migration's phase order.
    pub pushed: BTreeMap<Kind, PushCounts>,
    /// Records that are not in Filevine because they were refused, each with the reason.
    pub refused: Vec<RejectEntry>,
    /// What Filevine holds, read back after the push.
    pub read_back: Delivery,
}

impl FilevineSection {
    /// Every loaded record is in Filevine once, with its balances and documents right.
    pub fn delivered(&self) -> bool {
        self.refused.is_empty() && self.read_back.delivered
    }

    /// The section values refused because the org's layout has no place for their section
    /// or field, one line per missing section or field, said before the refusals one by one:
    /// the firm fixes these in Filevine's project type, not in the data.
    fn unplaced(&self) -> Vec<String> {
        let mut by_reason: BTreeMap<&str, u64> = BTreeMap::new();
        for r in &self.refused {
            if r.kind == Kind::Sections && UNPLACED.contains(&r.code.as_str()) {
                *by_reason.entry(r.reason.as_str()).or_default() += 1;
            }
        }
        by_reason
            .into_iter()
            .map(|(reason, n)| {
                format!(
                    "{}: {n} section values have no place in the org's project type ({reason})",
                    self.target.label()
                )
            })
            .collect()
    }

    /// Why the delivery falls short, one line each (none when it delivered).
    pub fn problems(&self) -> Vec<String> {
        let to = self.target.label();
        let mut out = self.unplaced();
        if let Some(first) = self.refused.first() {
            out.push(format!(
                "{to}: {} records refused (the first: {} {:?}, {}: {})",
                self.refused.len(),
                first.kind,
                first.source_id.as_deref().unwrap_or(""),
                first.field,
                first.reason
            ));
        }
        let rb = &self.read_back;
        for k in &rb.kinds {
            if k.missing > 0 {
                out.push(format!(
                    "{to}: {} of {} {} records not found (the first: {})",
                    k.missing,
                    k.expected,
                    k.kind,
                    k.missing_ids.join(", ")
                ));
            }
            if k.extra > 0 {
                out.push(format!(
                    "{to}: {} {} records more than were loaded (duplicates)",
                    k.extra, k.kind
                ));
            }
        }
        for m in &rb.trust_mismatches {
            out.push(format!(
                "{to}: trust of project {} is {} there, {} loaded",
                m.source_id,
                m.found.map_or("absent".to_string(), |d| d.to_string()),
                m.expected
            ));
        }
        for m in &rb.balance_mismatches {
            out.push(format!(
                "{to}: balance due of invoice {} is {} there, {} loaded{}",
                m.source_id,
                m.found.map_or("absent".to_string(), |d| d.to_string()),
                m.expected,
                m.reason
                    .as_deref()
                    .map_or(String::new(), |r| format!(": {r}"))
            ));
        }
        for d in &rb.document_problems {
            out.push(format!(
                "{to}: document {} (sha256 {}): {:?}",
                d.source_id, d.expected_sha256, d.problem
            ));
        }
        if out.is_empty() && !rb.delivered {
            out.push(format!("{to}: the read-back did not confirm the delivery"));
        }
        out
    }
}
