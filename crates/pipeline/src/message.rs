//! Message bodies. Messages stay small: a work message names a batch kept in the blob store.

use migrationai_domain::Kind;
use serde::{Deserialize, Serialize};

/// One batch of one kind for an entity worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkMessage {
    pub tenant: String,
    pub job: String,
    /// A body naming no record kind is unreadable, so it goes to the dead-letter queue.
    pub kind: Kind,
    pub batch_no: i64,
    pub blob_key: String,
}

/// One page of a kind's loaded records to push into the target, for that kind's worker:
/// the records whose source id sorts after `after`, up to and including `last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushPageMessage {
    pub tenant: String,
    pub job: String,
    pub kind: Kind,
    /// The page's number in the push ledger (the field tells a push page from a batch).
    pub push_page: i64,
    #[serde(default)]
    pub after: Option<String>,
    pub last: String,
}

/// What a kind's queue carries: a migration batch or a page of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindMessage {
    Work(WorkMessage),
    Push(PushPageMessage),
}

impl KindMessage {
    /// Reads a body; a push page is told by its `push_page` field, so a malformed batch
    /// message keeps its own error (naming the field or kind that is wrong).
    pub fn parse(body: &str) -> Result<KindMessage, serde_json::Error> {
        let value: serde_json::Value = serde_json::from_str(body)?;
        if value.get("push_page").is_some() {
            Ok(KindMessage::Push(serde_json::from_value(value)?))
        } else {
            Ok(KindMessage::Work(serde_json::from_value(value)?))
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            KindMessage::Work(w) => w.kind,
            KindMessage::Push(p) => p.kind,
        }
    }
}

/// What the jobs worker is asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum JobAction {
    /// Read the export, split it into batches and start the first phase.
    Plan,
    /// The job was already split into batches (by tfp): start the first phase.
    Planned,
    /// A phase may be complete: advance once and fan out the next one.
    Advance { phase: i64 },
    /// Pick up an interrupted job where the store says it is.
    Resume,
    /// Push the finished job into its target (the push ledger holds the options), or pick
    /// the push up where the ledger says it is: fan out the pages of its phase.
    Push,
    /// A phase of the push may be complete: advance once and fan out the next one; past
    /// the last, read the target back.
    AdvancePush { phase: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobMessage {
    pub tenant: String,
    pub job: String,
    #[serde(flatten)]
    pub action: JobAction,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_work_message_names_its_kind_by_slug() {
        let m = WorkMessage {
            tenant: "t".into(),
            job: "j".into(),
            kind: Kind::BillingItems,
            batch_no: 3,
            blob_key: "k".into(),
        };
        let body = serde_json::to_string(&m).expect("serialise");
        assert_eq!(
            body,
            r#"{"tenant":"t","job":"j","kind":"billing-items","batch_no":3,"blob_key":"k"}"#
        );
        assert_eq!(serde_json::from_str::<WorkMessage>(&body).ok(), Some(m));
        let e = serde_json::from_str::<WorkMessage>(&body.replace("billing-items", "jobs"))
            .expect_err("the jobs queue is no record kind");
        assert!(e.to_string().contains("jobs"), "{e}");
        let read = KindMessage::parse(&body).expect("a batch");
        assert_eq!(read.kind(), Kind::BillingItems);
        assert!(matches!(read, KindMessage::Work(_)));
    }

    #[test]
    fn a_push_page_is_told_from_a_batch_by_its_field() {
        let p = PushPageMessage {
            tenant: "t".into(),
            job: "j".into(),
            kind: Kind::Notes,
            push_page: 2,
            after: Some("N9".into()),
            last: "N20".into(),
        };
        let body = serde_json::to_string(&p).expect("serialise");
        assert_eq!(
            KindMessage::parse(&body).expect("parse"),
            KindMessage::Push(p)
        );
        let e = KindMessage::parse(&body.replace("notes", "jobs")).expect_err("no kind");
        assert!(e.to_string().contains("jobs"), "{e}");
        let m = JobMessage {
            tenant: "t".into(),
            job: "j".into(),
            action: JobAction::AdvancePush { phase: 3 },
        };
        let body = serde_json::to_string(&m).expect("serialise");
        assert_eq!(
            body,
            r#"{"tenant":"t","job":"j","action":"advance_push","phase":3}"#
        );
        assert_eq!(serde_json::from_str::<JobMessage>(&body).ok(), Some(m));
    }
}
