//! The state machines of a migration: the run's (`JobStatus`, in the canonical store), the
//! job as the firm drives it before and around the run (`DraftStatus`) and the check of its
//! data under review (`CheckStatus`).
//!
//! Each status is stored, sent and shown by one lowercase word; `as_str`, `Display`,
//! `FromStr` and serde all use that word, so rows written before these types existed read
//! back unchanged. A word no machine knows is an [`UnknownStatus`] naming it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A stored or received status word that its state machine does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {machine} status \"{value}\"; expected one of: {expected}")]
pub struct UnknownStatus {
    /// Which machine: "job", "draft" or "check".
    pub machine: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// Declares a status enum with its one spelling per variant, and the conversions to and from
/// it, so the spelling is written once.
macro_rules! statuses {
    ($(#[$meta:meta])* $name:ident, $machine:literal, $expected:literal {
        $($(#[$vmeta:meta])* $variant:ident => $word:literal,)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every status of the machine.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The word stored in rows, sent on the wire and shown on pages.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownStatus;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($word => Ok($name::$variant),)+
                    _ => Err(UnknownStatus {
                        machine: $machine,
                        value: s.to_string(),
                        expected: $expected,
                    }),
                }
            }
        }

    };
}

statuses! {
    /// A migration run as the canonical store keeps it.
    JobStatus, "job", "planning, running, done, failed, cancelled, interrupted" {
        /// Created; its batches are being recorded (`phase` is -1 until they are).
        Planning => "planning",
        /// Its phases are being worked through.
        Running => "running",
        /// Reconciled: the report is stored.
        Done => "done",
        /// Planning or reconciliation failed; `error` says why.
        Failed => "failed",
        /// Set by whoever cancels (the API): handlers stop taking the job's work.
        Cancelled => "cancelled",
        /// Stopped by a signal to `migrate` before it finished; the same `migrate` resumes it.
        Interrupted => "interrupted",
    }
}

impl JobStatus {
    /// A job that takes no more work: finished or cancelled.
    pub fn is_closed(self) -> bool {
        matches!(self, JobStatus::Done | JobStatus::Cancelled)
    }

    /// A job that will make no more progress by itself: done, or failed.
    pub fn is_finished(self) -> bool {
        matches!(self, JobStatus::Done | JobStatus::Failed)
    }

    /// Whether a cancel may still stop it: anything but a done job, whose report stands.
    pub fn can_cancel(self) -> bool {
        self != JobStatus::Done
    }

    /// The status an interrupted job resumes in: planning when its batches were never all
    /// recorded (`planned` false), running otherwise. Other statuses resume as they are.
    pub fn resumed(self, planned: bool) -> JobStatus {
        match self {
            JobStatus::Interrupted if planned => JobStatus::Running,
            JobStatus::Interrupted => JobStatus::Planning,
            other => other,
        }
    }
}

statuses! {
    /// A migration as the firm drives it: created, files uploaded, analysed (mapping
    /// proposal), reviewed, then started (the store's job row carries the run) or cancelled.
    DraftStatus, "draft", "created, analysing, review, started, cancelled, failed" {
        /// Waiting for its files.
        Created => "created",
        /// tfp is detecting the files' kinds and proposing the mapping.
        Analysing => "analysing",
        /// The proposal waits for a person.
        Review => "review",
        /// The run exists in the store.
        Started => "started",
        Cancelled => "cancelled",
        /// The analysis failed; `error` says why.
        Failed => "failed",
    }
}

impl DraftStatus {
    /// The statuses a cancel moves from (a failed or cancelled job stays as it is).
    pub const CANCELLABLE: &'static [DraftStatus] = &[
        DraftStatus::Created,
        DraftStatus::Analysing,
        DraftStatus::Review,
        DraftStatus::Started,
    ];

    /// Whether the store may hold a run of it: started, or cancelled (perhaps after starting).
    pub fn may_have_run(self) -> bool {
        matches!(self, DraftStatus::Started | DraftStatus::Cancelled)
    }

    /// Whether a cancel may move it.
    pub fn can_cancel(self) -> bool {
        DraftStatus::CANCELLABLE.contains(&self)
    }

    /// A draft that will make no more progress by itself: cancelled or failed.
    pub fn is_finished(self) -> bool {
        matches!(self, DraftStatus::Cancelled | DraftStatus::Failed)
    }
}

statuses! {
    /// A check of a job's data with the mapping under review, run by tfp.
    CheckStatus, "check", "waiting, running, done, failed" {
        /// Asked for; no runner holds it.
        Waiting => "waiting",
        /// A runner holds it until its claim lapses.
        Running => "running",
        Done => "done",
        Failed => "failed",
    }
}

impl CheckStatus {
    /// Still to be run: waiting, or running (perhaps by a runner that crashed).
    pub fn is_open(self) -> bool {
        matches!(self, CheckStatus::Waiting | CheckStatus::Running)
    }
}

statuses! {
    /// A push of a finished job into its target system, through the queues (the push
    /// ledger's own machine: the job's status stays `done` throughout).
    PushStatus, "push", "pushing, reading, done, failed" {
        /// Its pages are being pushed, phase by phase.
        Pushing => "pushing",
        /// Every page is pushed; the target is being read back.
        Reading => "reading",
        /// Read back: the report holds the delivery section.
        Done => "done",
        /// Stopped by a failure no retry mends (the error says which).
        Failed => "failed",
    }
}

impl PushStatus {
    /// Still in progress.
    pub fn is_open(self) -> bool {
        matches!(self, PushStatus::Pushing | PushStatus::Reading)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T>(all: &[T])
    where
        T: Copy + fmt::Debug + PartialEq + fmt::Display + FromStr + Serialize,
        T: for<'de> Deserialize<'de>,
        <T as FromStr>::Err: fmt::Debug,
    {
        for s in all {
            let word = s.to_string();
            assert_eq!(word.parse::<T>().ok(), Some(*s), "{word}");
            let json = serde_json::to_string(s).expect("serialise");
            assert_eq!(json, format!("\"{word}\""));
            assert_eq!(serde_json::from_str::<T>(&json).ok(), Some(*s));
        }
    }

    #[test]
    fn each_status_reads_back_as_its_word() {
        round_trips(JobStatus::ALL);
        round_trips(DraftStatus::ALL);
        round_trips(CheckStatus::ALL);
        round_trips(PushStatus::ALL);
        // The words stored before the types existed.
        let job: Vec<&str> = JobStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            job,
            [
                "planning",
                "running",
                "done",
                "failed",
                "cancelled",
                "interrupted"
            ]
        );
        let draft: Vec<&str> = DraftStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            draft,
            [
                "created",
                "analysing",
                "review",
                "started",
                "cancelled",
                "failed"
            ]
        );
        let check: Vec<&str> = CheckStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(check, ["waiting", "running", "done", "failed"]);
    }

    #[test]
    fn an_unknown_word_is_an_error_naming_it() {
        let e = "reconciling".parse::<JobStatus>().unwrap_err();
        assert_eq!(e.value, "reconciling");
        assert_eq!(e.machine, "job");
        assert!(e.to_string().contains("\"reconciling\""), "{e}");
        assert!(e.to_string().contains("interrupted"), "{e}");
        // Exact words only: a stored row is never read as something it does not say.
        assert!("Done".parse::<JobStatus>().is_err());
        assert!(" review".parse::<DraftStatus>().is_err());
        let e = serde_json::from_str::<CheckStatus>("\"paused\"").unwrap_err();
        assert!(e.to_string().contains("paused"), "{e}");
    }

    #[test]
    fn transitions() {
        use JobStatus::*;
        let closed: Vec<JobStatus> = JobStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_closed())
            .collect();
        assert_eq!(closed, [Done, Cancelled]);
        assert!(!Done.can_cancel() && Running.can_cancel() && Failed.can_cancel());
        assert_eq!(Interrupted.resumed(false), Planning);
        assert_eq!(Interrupted.resumed(true), Running);
        assert_eq!(Failed.resumed(true), Failed);
        assert!(Done.is_finished() && Failed.is_finished() && !Cancelled.is_finished());

        assert!(DraftStatus::Started.may_have_run() && DraftStatus::Cancelled.may_have_run());
        assert!(!DraftStatus::Review.may_have_run());
        assert!(DraftStatus::Started.can_cancel() && !DraftStatus::Failed.can_cancel());
        assert!(!DraftStatus::Cancelled.can_cancel());
        assert!(CheckStatus::Waiting.is_open() && !CheckStatus::Done.is_open());
    }
}
