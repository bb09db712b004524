//! What can go wrong delivering to Filevine, typed by what the caller should do about it:
//! a refused record is a reject in the job's ledger; a transient failure is retried (the
//! queue redelivers the message); a permanent one goes to the dead-letter queue.

use crate::ops::Op;

/// Filevine (or the push itself, before any call) declined this record, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The canonical field the reason is about, when there is one.
    pub field: Option<String>,
    /// A stable code for reports and filters ("filevine_400", "parent_not_delivered", ...).
    pub code: String,
    pub reason: String,
    /// The HTTP status Filevine answered, when it was Filevine that refused.
    pub status: Option<u16>,
    pub op: Option<Op>,
}

impl Refusal {
    /// A refusal decided before calling Filevine.
    pub fn local(field: Option<&str>, code: &str, reason: impl Into<String>) -> Refusal {
        Refusal {
            field: field.map(str::to_string),
            code: code.to_string(),
            reason: reason.into(),
            status: None,
            op: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FvError {
    #[error("Filevine refused the record: {}", .0.reason)]
    Refused(Refusal),
    /// Worth retrying later: throttled past the retry budget, 5xx, timeouts, dropped
    /// connections, or the id map unreachable.
    #[error("{op}: {reason} (transient)")]
    Transient { op: String, reason: String },
    /// Retrying will not help: bad credentials or settings, or an answer that does not
    /// match the contract.
    #[error("{op}: {reason}")]
    Permanent { op: String, reason: String },
}

/// What a queue worker does with a failed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Record a reject with the reason; the message succeeded.
    Reject,
    /// Let the message be received again.
    Retry,
    /// Let the message go to its dead-letter queue.
    DeadLetter,
}

impl FvError {
    pub fn disposition(&self) -> Disposition {
        match self {
            FvError::Refused(_) => Disposition::Reject,
            FvError::Transient { .. } => Disposition::Retry,
            FvError::Permanent { .. } => Disposition::DeadLetter,
        }
    }

    pub fn refused(field: Option<&str>, code: &str, reason: impl Into<String>) -> FvError {
        FvError::Refused(Refusal::local(field, code, reason))
    }

    pub fn transient(op: impl Into<String>, reason: impl Into<String>) -> FvError {
        FvError::Transient {
            op: op.into(),
            reason: reason.into(),
        }
    }

    pub fn permanent(op: impl Into<String>, reason: impl Into<String>) -> FvError {
        FvError::Permanent {
            op: op.into(),
            reason: reason.into(),
        }
    }

    /// Whether Filevine answered 404 (a lookup that found nothing).
    pub fn is_not_found(&self) -> bool {
        matches!(self, FvError::Refused(r) if r.status == Some(404))
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            FvError::Refused(r) => r.status,
            _ => None,
        }
    }
}

/// As the target port reports it. A refusal reaching here (not a record's: a read-back's
/// list refused) is as permanent as any other answer off the contract.
impl From<FvError> for migrationai_ports::TargetError {
    fn from(e: FvError) -> Self {
        use migrationai_ports::{TargetError, TargetKind};
        let detail = e.to_string();
        match e {
            FvError::Transient { .. } => TargetError::Transient {
                target: TargetKind::Filevine,
                detail,
            },
            FvError::Refused(_) | FvError::Permanent { .. } => TargetError::Permanent {
                target: TargetKind::Filevine,
                detail,
            },
        }
    }
}
