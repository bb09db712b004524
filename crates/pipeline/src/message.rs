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
    }
}
