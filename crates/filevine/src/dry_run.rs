//! `--dry-run`: the calls a push would make, recorded instead of sent. Writes never leave;
//! reads either go to a real gateway (so lookups find what is already in Filevine) or, with
//! no gateway, answer "nothing there yet", as for a first push into an empty org.

use async_trait::async_trait;
use bytes::Bytes;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{FvError, Refusal};
use crate::ops::{Call, Method, Op};
use crate::transport::Transport;

/// One recorded call.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub op: Op,
    pub path: String,
    pub body: Option<Value>,
}

pub struct DryRun {
    reads: Option<Arc<dyn Transport>>,
    log: Mutex<Vec<Planned>>,
    uploads: AtomicU64,
    next_id: AtomicI64,
}

impl DryRun {
    /// Every read answers "not found" or an empty list.
    pub fn offline() -> DryRun {
        DryRun {
            reads: None,
            log: Mutex::new(Vec::new()),
            uploads: AtomicU64::new(0),
            next_id: AtomicI64::new(0),
        }
    }

    /// Reads go to `gateway`; writes are recorded only.
    pub fn reading_from(gateway: Arc<dyn Transport>) -> DryRun {
        DryRun {
            reads: Some(gateway),
            ..DryRun::offline()
        }
    }

    /// Every call recorded so far, in order.
    pub fn calls(&self) -> Vec<Planned> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Calls per operation.
    pub fn counts(&self) -> BTreeMap<Op, u64> {
        let mut out = BTreeMap::new();
        for c in self.log.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            *out.entry(c.op).or_default() += 1;
        }
        out
    }

    /// Files that would have been PUT to pre-signed upload URLs.
    pub fn uploads(&self) -> u64 {
        self.uploads.load(Ordering::Relaxed)
    }

    /// Forgets what was recorded (between kinds, to list each kind's calls apart).
    pub fn take(&self) -> Vec<Planned> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn fake_id(&self) -> i64 {
        // Negative, so a planned id can never be taken for a real one.
        -(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// What a write would answer, shaped as the specification's response.
    fn answer(&self, op: Op) -> Value {
        let n = self.fake_id();
        let guid = format!("00000000-0000-4000-8000-{:012x}", n.unsigned_abs());
        match op {
            Op::ContactCreate => json!({ "PersonId": { "Native": n } }),
            Op::ProjectCreate => json!({ "ProjectId": { "Native": n } }),
            Op::CollectionCreate => json!({ "ItemId": { "Native": guid } }),
            Op::NoteCreate | Op::TaskCreate | Op::EmailCreate => {
                json!({ "NoteId": { "Native": n } })
            }
            Op::AppointmentCreate => json!({ "AppointmentId": { "Native": n } }),
            Op::BillingItemCreate => json!({ "BillingItemId": guid }),
            Op::FundCreate => json!({ "ProjectFundTransaction": { "ID": guid }, "FundBalance": 0 }),
            Op::InvoiceCreate => json!({ "InvoiceID": n }),
            Op::PaymentCreateApply => json!({ "TransactionID": n }),
            Op::DocumentUploadUrl => json!({
                "DocumentId": { "Native": n },
                "Url": format!("dry-run://upload/{}", n.unsigned_abs()),
            }),
            _ => Value::Null,
        }
    }
}

fn not_found(op: Op) -> FvError {
    FvError::Refused(Refusal {
        field: None,
        code: "filevine_404".into(),
        reason: "not found (dry run)".into(),
        status: Some(404),
        op: Some(op),
    })
}

#[async_trait]
impl Transport for DryRun {
    async fn call(&self, call: Call) -> Result<Value, FvError> {
        let op = call.op;
        let path = call
            .path()
            .map_err(|e| FvError::permanent(op.to_string(), e))?;
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Planned {
                op,
                path,
                body: call.body.clone(),
            });
        if op.method() != Method::Get {
            return Ok(self.answer(op));
        }
        if let Some(reads) = &self.reads {
            return reads.call(call).await;
        }
        match op {
            Op::FundList => Ok(json!({ "Count": 0, "ProjectFunds": [] })),
            Op::ContactList
            | Op::ProjectList
            | Op::ProjectTypeList
            | Op::ProjectTypeSections
            | Op::CollectionList
            | Op::ProjectNoteList
            | Op::AppointmentList
            | Op::ProjectTaskList
            | Op::BillingItemList
            | Op::InvoiceList
            | Op::TransactionList
            | Op::EmailList
            | Op::DocumentSeries => Ok(json!({ "Items": [], "HasMore": false, "Count": 0 })),
            _ => Err(not_found(op)),
        }
    }

    async fn upload(&self, _url: &str, _content_type: &str, _bytes: Bytes) -> Result<(), FvError> {
        self.uploads.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    async fn download(&self, url: &str) -> Result<Bytes, FvError> {
        match &self.reads {
            Some(r) => r.download(url).await,
            None => Ok(Bytes::new()),
        }
    }
}
