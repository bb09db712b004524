//! Sending a finished job to Filevine ("Send to Filevine"): the request, and the push's
//! progress per kind with the read-back result once Filevine has been read back.

use std::collections::BTreeMap;

use migrationai_domain::{Kind, PushStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How the job's matters choose their Filevine project type.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct PushRequest {
    /// A canonical project type → the Filevine project type (name or id) it becomes.
    pub project_types: BTreeMap<String, String>,
    /// The Filevine project type of a matter whose type is not mapped and names none.
    pub default_project_type: Option<String>,
}

/// One kind's part of the push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KindPushView {
    pub kind: Kind,
    /// The kind's name for people ("Trust ledger").
    pub label: String,
    /// Pages of loaded records (one queue message each); none until the kind's phase starts.
    pub pages: u64,
    pub pages_done: u64,
    pub records: u64,
    pub created: u64,
    /// Found where an earlier, interrupted attempt left them.
    pub adopted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Refused by Filevine (4xx), each with its reason in the report.
    pub refused: u64,
}

/// What reading Filevine back found for one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KindReadBackView {
    pub kind: Kind,
    pub label: String,
    pub expected: u64,
    pub found: u64,
    pub missing: u64,
    pub extra: u64,
}

/// The read-back's result, once the push is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReadBackView {
    /// Every loaded record is in Filevine once (or refused with a reason), with its
    /// balances and documents right.
    pub delivered: bool,
    pub refused: u64,
    pub kinds: Vec<KindReadBackView>,
    pub trust_checked: u64,
    pub trust_mismatches: u64,
    pub balances_checked: u64,
    pub balance_mismatches: u64,
    pub documents_checked: u64,
    pub document_problems: u64,
    /// The job's verdict, judged again with the delivery.
    pub migrated: bool,
}

/// A push of the job into Filevine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushView {
    pub status: PushStatus,
    /// The phase being pushed; -1 before the first.
    pub phase: i64,
    pub error: Option<String>,
    /// Kinds in the order they are pushed.
    pub kinds: Vec<KindPushView>,
    /// Once done.
    pub read_back: Option<ReadBackView>,
}
