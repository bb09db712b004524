//! The target port: where a migrated job is delivered after its migration, and how the
//! delivery is proved by reading the target back. Two adapters: the canonical store itself
//! (nothing to send; the read-back is the store's own counts and balances) and Filevine API
//! v2. Which one a push uses is configuration (`PushOptions::target`, kept in the push
//! ledger so every worker of a push delivers alike), never code.
//!
//! A push runs page by page through the 13 queues; each kind's worker hands its page to
//! [`Target::deliver`], which must be harmless to repeat (messages arrive at least once).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::BoxFuture;
use migrationai_domain::{Kind, Value};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which adapter a push delivers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    /// The canonical store only: the migration already put the records there.
    Store,
    /// Filevine API v2, through its gateway.
    Filevine,
}

impl TargetKind {
    pub const ALL: [TargetKind; 2] = [TargetKind::Store, TargetKind::Filevine];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Store => "store",
            TargetKind::Filevine => "filevine",
        }
    }

    /// How people name it ("delivered to Filevine").
    pub fn label(self) -> &'static str {
        match self {
            TargetKind::Store => "the canonical store",
            TargetKind::Filevine => "Filevine",
        }
    }
}

impl fmt::Display for TargetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TargetKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TargetKind::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| format!("{s:?} is not a target (store, filevine)"))
    }
}

/// Pushes that predate the choice of target were all into Filevine.
fn filevine() -> TargetKind {
    TargetKind::Filevine
}

/// How matters choose their project type in the target (the mapping's choice).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProjectTypeChoice {
    /// A canonical `project_type` value → the target's project type name or id.
    pub by_value: BTreeMap<String, String>,
    /// For a matter whose type is not mapped and names none of the target's types.
    pub default: Option<String>,
}

/// The settings of a push, kept as JSON in the push ledger so every worker of a push
/// through the queues reads the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushOptions {
    #[serde(default = "filevine")]
    pub target: TargetKind,
    pub project_types: ProjectTypeChoice,
    /// Records delivered at once within a page.
    pub concurrency: usize,
    /// Records per page, one queue message each (pushes that predate it used the
    /// store's page of [`RECORDS_PER_PAGE`]).
    #[serde(default = "records_per_page")]
    pub records_per_page: usize,
}

/// Records per page of a push: large enough that a message's own cost vanishes, small
/// enough that a page is a few MiB and pages of a kind spread over workers.
pub const RECORDS_PER_PAGE: usize = 2_000;

fn records_per_page() -> usize {
    RECORDS_PER_PAGE
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            target: TargetKind::Filevine,
            project_types: ProjectTypeChoice::default(),
            concurrency: 16,
            records_per_page: RECORDS_PER_PAGE,
        }
    }
}

/// One push of one job: its pages all share it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRef {
    pub tenant: String,
    pub job: String,
    /// When the push started (its ledger row's creation): a second push of the same job
    /// is another push.
    pub started: i64,
    pub options: PushOptions,
}

/// A loaded record as the store holds it, to deliver.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub source_id: String,
    pub file: String,
    pub row: i64,
    pub fields: BTreeMap<String, Value>,
    /// The files stored with it (documents, emails), as the migration described them.
    pub files: Vec<serde_json::Value>,
}

/// What delivering records did with them, per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushCounts {
    pub created: u64,
    /// Found where an earlier, interrupted attempt left them.
    pub adopted: u64,
    pub updated: u64,
    /// Already in the target as loaded: nothing sent.
    pub unchanged: u64,
    pub refused: u64,
}

impl PushCounts {
    pub fn add(&mut self, other: PushCounts) {
        self.created += other.created;
        self.adopted += other.adopted;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.refused += other.refused;
    }

    pub fn total(&self) -> u64 {
        self.created + self.adopted + self.updated + self.unchanged + self.refused
    }
}

/// A record the target would not take, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub source_id: String,
    pub file: String,
    pub row: i64,
    /// The field at fault, or empty when the record as a whole was refused.
    pub field: String,
    pub code: String,
    pub reason: String,
}

/// One page delivered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageDelivered {
    pub counts: PushCounts,
    /// In the page's file and row order.
    pub refused: Vec<Refused>,
}

impl PageDelivered {
    /// A page whose `records` the target already holds as they are.
    pub fn unchanged(records: usize) -> Self {
        PageDelivered {
            counts: PushCounts {
                unchanged: records as u64,
                ..PushCounts::default()
            },
            refused: Vec::new(),
        }
    }
}

/// Calls made to reach the target, by this process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallStats {
    /// Requests sent, retries included.
    pub requests: u64,
    pub retries: u64,
    pub throttled: u64,
    pub server_errors: u64,
    /// Timeouts and connections dropped before a whole answer.
    pub broken: u64,
    pub token_exchanges: u64,
    pub uploads: u64,
    pub downloads: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// Trying again later may succeed (the queue redelivers the page).
    #[error("{} is unavailable for now: {detail}", target.label())]
    Transient { target: TargetKind, detail: String },
    /// Trying again will not help.
    #[error("{} failed: {detail}", target.label())]
    Permanent { target: TargetKind, detail: String },
    /// This process was given no way to reach the target (no credentials).
    #[error("this process cannot deliver to {}: {detail}", target.label())]
    Unreachable { target: TargetKind, detail: String },
}

/// What the migration says the target should hold after a push.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// Source ids of the records the migration loaded (less those refused), per kind.
    pub records: BTreeMap<Kind, Vec<String>>,
    /// Trust balance per project source id.
    pub trust: BTreeMap<String, Decimal>,
    /// Balance due per invoice source id.
    pub balances: BTreeMap<String, Decimal>,
    /// SHA-256 per document source id.
    pub documents: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindDelivery {
    pub kind: Kind,
    pub expected: usize,
    pub found: usize,
    pub missing: usize,
    /// The first missing source ids.
    pub missing_ids: Vec<String>,
    /// Records of the job's in the target that no loaded record accounts for (duplicates).
    pub extra: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceCheck {
    pub source_id: String,
    pub expected: Decimal,
    /// What the target says, or none when the record is not there.
    pub found: Option<Decimal>,
    /// Why the two differ, when the read-back can tell from what the target holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum DocumentProblem {
    Missing,
    ChecksumMismatch { found: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentCheck {
    pub source_id: String,
    pub expected_sha256: String,
    #[serde(flatten)]
    pub problem: DocumentProblem,
}

/// The read-back: what the target holds, compared with [`Expected`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub kinds: Vec<KindDelivery>,
    pub trust_checked: usize,
    pub trust_mismatches: Vec<BalanceCheck>,
    pub balances_checked: usize,
    pub balance_mismatches: Vec<BalanceCheck>,
    pub documents_checked: usize,
    pub document_problems: Vec<DocumentCheck>,
    /// Every record found once, every balance and document right.
    pub delivered: bool,
}

impl Delivery {
    pub fn kind(&self, kind: Kind) -> Option<&KindDelivery> {
        self.kinds.iter().find(|k| k.kind == kind)
    }
}

#[async_trait]
pub trait Target: Send + Sync {
    fn kind(&self) -> TargetKind;

    /// Delivers one page of `kind`'s records of `push`. Harmless to repeat: a record already
    /// delivered by this push is not delivered twice. A record the target refuses is in the
    /// answer with its reason, not an error; an error means the page should be tried again
    /// (transient) or cannot be delivered at all.
    async fn deliver(
        &self,
        push: &PushRef,
        kind: Kind,
        records: &[Record],
    ) -> Result<PageDelivered, TargetError>;

    /// Reads the target back and compares what it holds of `push`'s job with `expected`.
    async fn read_back(&self, push: &PushRef, expected: &Expected)
        -> Result<Delivery, TargetError>;

    /// The calls this process made to the target so far.
    fn stats(&self) -> CallStats;
}

/// Opens a target: what [`Lazy`] runs at the first use.
pub type Open =
    Box<dyn Fn() -> BoxFuture<'static, Result<Arc<dyn Target>, TargetError>> + Send + Sync>;

/// A target opened at its first use rather than when the process starts: a worker that
/// never delivers never reads the target's credentials (for Filevine, one Secrets Manager
/// call per cold start saved), and one that delivers reads them once. A failed opening is
/// tried again at the next use.
pub struct Lazy {
    kind: TargetKind,
    open: Open,
    opened: tokio::sync::OnceCell<Arc<dyn Target>>,
}

impl Lazy {
    pub fn new(kind: TargetKind, open: Open) -> Lazy {
        Lazy {
            kind,
            open,
            opened: tokio::sync::OnceCell::new(),
        }
    }

    async fn target(&self) -> Result<&Arc<dyn Target>, TargetError> {
        self.opened.get_or_try_init(|| (self.open)()).await
    }
}

#[async_trait]
impl Target for Lazy {
    fn kind(&self) -> TargetKind {
        self.kind
    }

    async fn deliver(
        &self,
        push: &PushRef,
        kind: Kind,
        records: &[Record],
    ) -> Result<PageDelivered, TargetError> {
        self.target().await?.deliver(push, kind, records).await
    }

    async fn read_back(
        &self,
        push: &PushRef,
        expected: &Expected,
    ) -> Result<Delivery, TargetError> {
        self.target().await?.read_back(push, expected).await
    }

    fn stats(&self) -> CallStats {
        self.opened.get().map(|t| t.stats()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_named_as_configured() {
        for t in TargetKind::ALL {
            assert_eq!(t.as_str().parse::<TargetKind>(), Ok(t));
        }
        assert!("filevine2".parse::<TargetKind>().is_err());
    }

    #[test]
    fn a_ledger_row_from_before_the_choice_is_a_filevine_push() {
        let old: PushOptions =
            serde_json::from_str(r#"{"project_types":{"by_value":{}},"concurrency":4}"#)
                .expect("options");
        assert_eq!(old.target, TargetKind::Filevine);
        assert_eq!(old.concurrency, 4);
    }

    /// Counts its openings; delivers every record unchanged.
    struct Nothing;

    #[async_trait]
    impl Target for Nothing {
        fn kind(&self) -> TargetKind {
            TargetKind::Store
        }
        async fn deliver(
            &self,
            _push: &PushRef,
            _kind: Kind,
            records: &[Record],
        ) -> Result<PageDelivered, TargetError> {
            Ok(PageDelivered::unchanged(records.len()))
        }
        async fn read_back(
            &self,
            _push: &PushRef,
            _expected: &Expected,
        ) -> Result<Delivery, TargetError> {
            Err(TargetError::Permanent {
                target: TargetKind::Store,
                detail: "not read".into(),
            })
        }
        fn stats(&self) -> CallStats {
            CallStats::default()
        }
    }

    #[tokio::test]
    async fn a_lazy_target_opens_at_its_first_use_once_and_again_after_a_failure() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let opened = Arc::new(AtomicUsize::new(0));
        let counter = opened.clone();
        let lazy = Lazy::new(
            TargetKind::Store,
            Box::new(move || {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                Box::pin(async move {
                    if n == 0 {
                        return Err(TargetError::Transient {
                            target: TargetKind::Store,
                            detail: "the secret is not there yet".into(),
                        });
                    }
                    Ok(Arc::new(Nothing) as Arc<dyn Target>)
                })
            }),
        );
        assert_eq!(opened.load(Ordering::SeqCst), 0, "not opened until used");
        assert_eq!(lazy.stats(), CallStats::default());
        let push = PushRef {
            tenant: "t".into(),
            job: "j".into(),
            started: 0,
            options: PushOptions::default(),
        };
        assert!(lazy.deliver(&push, Kind::Contacts, &[]).await.is_err());
        for _ in 0..3 {
            lazy.deliver(&push, Kind::Contacts, &[])
                .await
                .expect("delivered");
        }
        assert_eq!(opened.load(Ordering::SeqCst), 2, "a failure, then once");
    }
}
