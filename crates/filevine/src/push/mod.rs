//! Pushing one canonical record into Filevine, idempotently.
//!
//! Every kind follows one cycle ([`Pusher::push`]):
//! 1. build what Filevine should hold (the kind's plan), or refuse the record;
//! 2. look the record up in the id map: delivered with the same payload → nothing to do;
//!    delivered with another → update only what changed;
//! 3. no entry → the record was never sent: mark it pending, create it, mark it delivered;
//! 4. pending → an earlier attempt may have created it: find it (by partner id, or for
//!    kinds Filevine gives no partner id, by its content among records no other source
//!    row owns), and create it only if it is not there.
//!
//! A rerun, a redelivered message or a crash anywhere in the cycle therefore creates
//! nothing twice.

mod billing;
mod calendar;
mod contacts;
mod diff;
mod documents;
mod feed;
mod holders;
mod parents;
mod projects;
mod sections;
mod text;
mod turns;

pub use holders::{ItemHolders, Taken};
pub use parents::Parents;
pub use turns::{pages_in_sequence, turns};

use async_trait::async_trait;
use bytes::Bytes;
use migrationai_domain::{Kind, Value};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

use crate::error::FvError;
use crate::idmap::{FvId, IdEntry, IdKey, IdMap, IdMapError, JobRef};
use crate::layout::{Layout, ProjectTypeChoice};
use crate::ops::{Call, Op};
use crate::partner::PartnerKeys;
use crate::transport::{find, Transport};
use crate::wire::Identifier;

/// What a file is to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    /// A document's own file.
    Document,
    /// An email's .eml.
    Eml,
    /// An attachment of an email.
    Attachment,
}

impl FileRole {
    /// The role as the canonical store writes it in a record's files ("document", "eml",
    /// "attachment").
    pub fn parse(role: &str) -> Option<FileRole> {
        match role {
            "document" => Some(FileRole::Document),
            "eml" => Some(FileRole::Eml),
            "attachment" => Some(FileRole::Attachment),
            _ => None,
        }
    }
}

/// A file a record carries, with the SHA-256 the migration recorded for it.
#[derive(Debug, Clone)]
pub struct FileContent {
    pub role: FileRole,
    pub name: String,
    pub content_type: Option<String>,
    pub bytes: Bytes,
    pub sha256: String,
}

/// One canonical record to deliver, with the Filevine ids of the records it refers to.
#[derive(Debug, Clone)]
pub struct PushRecord {
    pub kind: Kind,
    pub source_id: String,
    pub fields: BTreeMap<String, Value>,
    pub parents: Parents,
    pub files: Vec<FileContent>,
    /// For an invoice, the billing items it lists that the job gives to another invoice
    /// ([`ItemHolders`]); empty for every other kind.
    pub taken: Vec<Taken>,
}

impl PushRecord {
    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields
            .get(field)
            .and_then(Value::as_text)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }
}

/// What the push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Created,
    /// Found where an earlier attempt left it (and brought up to date).
    Adopted,
    /// Already delivered; these properties were changed.
    Updated(Vec<String>),
    /// Already delivered with the same payload: no call made.
    Unchanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub fv_id: FvId,
    pub action: Action,
}

/// Settings of a push beyond the connection.
#[derive(Debug, Clone, Default)]
pub struct PushConfig {
    /// The Filevine user that owns what has no Filevine user in the source: task assignees,
    /// appointment attendees, timekeepers of time entries. The connection's user by default.
    pub user_id: i64,
    pub project_types: ProjectTypeChoice,
}

/// A plan: the payload Filevine should hold, and its digest.
pub(crate) trait Plan: Send + Sync {
    /// What the digest is taken over: everything the push would write.
    fn payload(&self) -> Json;
}

/// One kind's writes. `plan` decides what Filevine should hold (or refuses the record);
/// `create` makes it; `find` finds what an earlier attempt may have made; `update` brings
/// a delivered record to the plan, changing only what differs, and answers its (possibly
/// new) id and the properties changed.
#[async_trait]
pub(crate) trait KindWrite: Send + Sync {
    type P: Plan;
    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<Self::P, FvError>;
    async fn create(&self, px: &Pusher, rec: &PushRecord, plan: &Self::P) -> Result<FvId, FvError>;
    async fn find(
        &self,
        px: &Pusher,
        rec: &PushRecord,
        plan: &Self::P,
    ) -> Result<Option<FvId>, FvError>;
    async fn update(
        &self,
        px: &Pusher,
        rec: &PushRecord,
        plan: &Self::P,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError>;
}

fn id_map_error(e: IdMapError) -> FvError {
    FvError::transient("id map", e.0)
}

/// Pushes the records of one job of one tenant.
pub struct Pusher {
    pub(crate) transport: Arc<dyn Transport>,
    ids: Arc<dyn IdMap>,
    pub(crate) job: JobRef,
    pub(crate) keys: PartnerKeys,
    pub(crate) config: PushConfig,
    pub(crate) layout: Layout,
    /// Collection rows being written, and the item id each became, so the field values
    /// of one row (several records) make one item.
    pub(crate) rows: Mutex<HashMap<String, Arc<Mutex<Option<String>>>>>,
}

/// How many times a record's cycle is run again after a transient failure (a lost
/// answer to a create is resolved by the next run's lookup).
const ROUNDS: u32 = 3;

impl Pusher {
    pub fn new(
        transport: Arc<dyn Transport>,
        ids: Arc<dyn IdMap>,
        job: JobRef,
        config: PushConfig,
    ) -> Pusher {
        let layout = Layout::new(transport.clone(), config.project_types.clone());
        Pusher::with_layout(transport, ids, job, config, layout)
    }

    /// A pusher for an offline dry run: project types and sections are taken as named.
    pub fn assuming_layout(
        transport: Arc<dyn Transport>,
        ids: Arc<dyn IdMap>,
        job: JobRef,
        config: PushConfig,
    ) -> Pusher {
        let layout = Layout::assumed(transport.clone(), config.project_types.clone());
        Pusher::with_layout(transport, ids, job, config, layout)
    }

    fn with_layout(
        transport: Arc<dyn Transport>,
        ids: Arc<dyn IdMap>,
        job: JobRef,
        config: PushConfig,
        layout: Layout,
    ) -> Pusher {
        Pusher {
            keys: PartnerKeys::for_job(&job),
            transport,
            ids,
            job,
            config,
            layout,
            rows: Mutex::new(HashMap::new()),
        }
    }

    /// The section fields of `wanted` the org's layout has no place for (see
    /// [`Layout::gaps`]); `None` when the layout is assumed.
    pub async fn layout_gaps(
        &self,
        wanted: &crate::layout::Wanted,
    ) -> Result<Option<Vec<crate::layout::LayoutGap>>, FvError> {
        self.layout.gaps(wanted).await
    }

    pub fn keys(&self) -> &PartnerKeys {
        &self.keys
    }

    pub(crate) fn t(&self) -> &dyn Transport {
        self.transport.as_ref()
    }

    /// The native id of the record a partner id names in a scope, if there is one.
    /// The Filevine record a plan's own identifier names by its partner id.
    pub(crate) async fn by_partner(
        &self,
        scope: &str,
        id: Option<&Identifier>,
    ) -> Result<Option<FvId>, FvError> {
        let key = id.and_then(|i| i.partner.as_deref()).unwrap_or_default();
        let call = Call::new(Op::PartnerGet).arg(scope).arg(format!("@{key}"));
        let found: Option<Identifier> = find(self.t(), call).await?;
        Ok(found.and_then(|i| i.native).map(FvId::int))
    }

    /// The id map's key of a collection row's item: its partner key, which carries the job's
    /// namespace and so is no source id.
    fn row_key(&self, row: &str) -> IdKey {
        IdKey {
            job: self.job.clone(),
            kind: Kind::Sections,
            source_id: row.to_string(),
        }
    }

    /// The item a collection row became, when the id map knows it.
    pub(crate) async fn row_item(&self, row: &str) -> Result<Option<String>, FvError> {
        match self.ids.get(&self.row_key(row)).await {
            Ok(Some(IdEntry::Delivered { fv_id, .. })) => Ok(Some(fv_id.0)),
            Ok(_) => Ok(None),
            Err(e) => Err(id_map_error(e)),
        }
    }

    /// Takes the making of a collection row's item for this worker (see `IdMap::claim`).
    pub(crate) async fn claim_row(&self, row: &str, stale: Duration) -> Result<bool, FvError> {
        self.ids
            .claim(&self.row_key(row), stale)
            .await
            .map_err(id_map_error)
    }

    /// Records the item a collection row became.
    pub(crate) async fn row_made(&self, row: &str, item: &str) -> Result<(), FvError> {
        let entry = IdEntry::Delivered {
            fv_id: FvId(item.to_string()),
            digest: String::new(),
        };
        self.ids
            .put(&self.row_key(row), entry)
            .await
            .map_err(id_map_error)
    }

    pub(crate) async fn owner(&self, kind: Kind, id: &FvId) -> Result<Option<String>, FvError> {
        self.ids
            .owner(&self.job, kind, id)
            .await
            .map_err(id_map_error)
    }

    /// The Filevine ids of the records `fields` refers to, from the id map.
    pub async fn resolve_parents(
        &self,
        kind: Kind,
        fields: &BTreeMap<String, Value>,
    ) -> Result<Parents, FvError> {
        parents::resolve(self.ids.as_ref(), &self.job, kind, fields).await
    }

    /// Delivers one record. A refusal is the record's reject; a transient error asks for the
    /// message to be received again; a permanent one for it to be dead-lettered.
    pub async fn push(&self, rec: &PushRecord) -> Result<Delivered, FvError> {
        let mut round = 1;
        loop {
            let result = match rec.kind {
                Kind::Contacts => self.cycle(&contacts::Contacts, rec).await,
                Kind::Projects => self.cycle(&projects::Projects, rec).await,
                Kind::Sections => self.cycle(&sections::Sections, rec).await,
                Kind::Notes => self.cycle(&feed::Notes, rec).await,
                Kind::Tasks => self.cycle(&feed::Tasks, rec).await,
                Kind::ProjectEmail => self.cycle(&feed::Emails, rec).await,
                Kind::Calendar => self.cycle(&calendar::Appointments, rec).await,
                Kind::BillingItems => self.cycle(&billing::BillingItems, rec).await,
                Kind::ProjectFunds => self.cycle(&billing::Funds, rec).await,
                Kind::BillingInvoice => self.cycle(&billing::Invoices, rec).await,
                Kind::Payment => self.cycle(&billing::Payments, rec).await,
                Kind::Document => self.cycle(&documents::Documents, rec).await,
            };
            match result {
                Err(FvError::Transient { op, reason }) if round < ROUNDS => {
                    tracing::debug!(kind = %rec.kind, source = %rec.source_id, %op, %reason, round, "push again");
                    round += 1;
                }
                other => return other,
            }
        }
    }

    async fn cycle<K: KindWrite>(&self, kind: &K, rec: &PushRecord) -> Result<Delivered, FvError> {
        let plan = kind.plan(self, rec).await?;
        let digest = digest(&plan.payload());
        let key = IdKey {
            job: self.job.clone(),
            kind: rec.kind,
            source_id: rec.source_id.clone(),
        };
        let entry = self.ids.get(&key).await.map_err(id_map_error)?;
        let (fv_id, action) = match entry {
            Some(IdEntry::Delivered { fv_id, digest: d }) if d == digest => {
                return Ok(Delivered {
                    fv_id,
                    action: Action::Unchanged,
                })
            }
            Some(IdEntry::Delivered { fv_id, .. }) => {
                let (id, changed) = kind.update(self, rec, &plan, &fv_id).await?;
                (id, Action::Updated(changed))
            }
            Some(IdEntry::Pending) => match kind.find(self, rec, &plan).await? {
                Some(found) => {
                    let (id, _) = kind.update(self, rec, &plan, &found).await?;
                    (id, Action::Adopted)
                }
                None => (kind.create(self, rec, &plan).await?, Action::Created),
            },
            None => {
                self.ids
                    .put(&key, IdEntry::Pending)
                    .await
                    .map_err(id_map_error)?;
                (kind.create(self, rec, &plan).await?, Action::Created)
            }
        };
        self.ids
            .put(
                &key,
                IdEntry::Delivered {
                    fv_id: fv_id.clone(),
                    digest,
                },
            )
            .await
            .map_err(id_map_error)?;
        Ok(Delivered { fv_id, action })
    }
}

fn digest(payload: &Json) -> String {
    let bytes = serde_json::to_vec(payload).unwrap_or_default();
    hex::encode(Sha256::digest(&bytes))
}
