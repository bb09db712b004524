//! A firm to deliver, the emulator to deliver it to, and the helpers every test uses: the
//! records are real canonical records (validated by the domain's own row validation), the
//! calls real HTTP on loopback.

#![allow(dead_code)]

use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::{self, StreamExt};
use migrationai_domain::record::validate_row;
use migrationai_domain::{kind_def, CanonicalRecord, Kind, RowContext};
use migrationai_filevine::idmap::{IdEntry, IdKey, IdMapError};
use migrationai_filevine::settings::env;
use migrationai_filevine::{
    Call, Delivered, Expected, FileContent, FileRole, FvError, FvId, IdMap, ItemHolders, JobRef,
    MemoryIdMap, ProjectTypeChoice, PushConfig, PushRecord, Pusher, Settings, Transport,
};
use migrationai_filevine_emulator::Emulator;
use rust_decimal::Decimal;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn settings(emu: &Emulator) -> Settings {
    let c = emu.credentials().clone();
    let gateway = emu.gateway_url();
    let identity = emu.identity_url();
    let mut s = Settings::from_lookup(move |k| match k {
        env::GATEWAY_URL => Some(gateway.clone()),
        env::IDENTITY_URL => Some(identity.clone()),
        env::PAT => Some(c.pat.clone()),
        env::CLIENT_ID => Some(c.client_id.clone()),
        env::CLIENT_SECRET => Some(c.client_secret.clone()),
        env::ORG_ID => Some(c.org_id.to_string()),
        env::USER_ID => Some(c.user_id.to_string()),
        _ => None,
    })
    .expect("settings");
    s.limits.backoff = Duration::from_millis(5);
    s.limits.max_backoff = Duration::from_millis(100);
    s.limits.timeout = Duration::from_secs(10);
    s.limits.attempts = 8;
    s
}

pub fn job(name: &str) -> JobRef {
    JobRef {
        tenant: "firm-1".into(),
        job: name.into(),
    }
}

pub fn config(emu: &Emulator) -> PushConfig {
    PushConfig {
        user_id: emu.credentials().user_id,
        project_types: ProjectTypeChoice {
            by_value: BTreeMap::from([("Probate".to_string(), "Personal Injury".to_string())]),
            default: Some("General Litigation".into()),
        },
    }
}

/// A canonical record from raw values, through the domain's own validation.
pub fn rec(kind: Kind, values: &[(&'static str, &str)]) -> CanonicalRecord {
    let def = kind_def(kind);
    validate_row(def, values, &RowContext::default())
        .unwrap_or_else(|e| panic!("{kind} row does not validate: {e:?}"))
}

pub fn file(role: FileRole, name: &str, content: &[u8]) -> FileContent {
    FileContent {
        role,
        name: name.into(),
        content_type: Some(
            if name.ends_with(".pdf") {
                "application/pdf"
            } else {
                "text/plain"
            }
            .into(),
        ),
        bytes: Bytes::copy_from_slice(content),
        sha256: hex::encode(Sha256::digest(content)),
    }
}

pub fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).expect("decimal")
}

/// A small firm: every kind, with the balances its own records imply.
pub struct Firm {
    pub records: Vec<CanonicalRecord>,
    pub files: BTreeMap<(Kind, String), Vec<FileContent>>,
    pub trust: BTreeMap<String, Decimal>,
    pub balances: BTreeMap<String, Decimal>,
}

impl Firm {
    pub fn of(&self, kind: Kind) -> Vec<&CanonicalRecord> {
        self.records.iter().filter(|r| r.kind == kind).collect()
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.of(kind).len()
    }

    /// What Filevine should hold once every record is delivered.
    pub fn expected(&self) -> Expected {
        let mut records: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
        for r in &self.records {
            records.entry(r.kind).or_default().push(r.source_id.clone());
        }
        let documents = self
            .files
            .iter()
            .filter(|((k, _), _)| *k == Kind::Document)
            .filter_map(|((_, src), f)| Some((src.clone(), f.first()?.sha256.clone())))
            .collect();
        Expected {
            records,
            trust: self.trust.clone(),
            balances: self.balances.clone(),
            documents,
        }
    }
}

/// `copies` copies of one firm's worth of records, each with its own ids.
pub fn firm(copies: usize) -> Firm {
    let mut f = Firm {
        records: Vec::new(),
        files: BTreeMap::new(),
        trust: BTreeMap::new(),
        balances: BTreeMap::new(),
    };
    for k in 0..copies {
        let id = |base: &str| format!("{base}-{k}");
        let (c1, c2, c3) = (id("C1"), id("C2"), id("C3"));
        let (m1, m2) = (id("M1"), id("M2"));
        let (b1, b2, b3, b4) = (id("B1"), id("B2"), id("B3"), id("B4"));
        let (i1, i2) = (id("I1"), id("I2"));
        let number = (1000 + 2 * k).to_string();
        // Copy 0's second invoice has a number Filevine cannot hold (it is kept in the
        // description, and Filevine numbers the invoice itself, one above its highest).
        // Explicit numbers are even, so that number can never take one of them.
        let i2_number = if k == 0 {
            "INV-B".to_string()
        } else {
            (7000 + 10 * k).to_string()
        };
        let items = format!("{b1};{b2};{b3}");
        use Kind::*;
        let rows: Vec<(Kind, Vec<(&'static str, String)>)> = vec![
            (
                Contacts,
                vec![
                    ("contact_id", c1.clone()),
                    ("full_name", "Dr. Jane Q. Doe".into()),
                    ("email", "jane@doe.test".into()),
                    ("phone", "(212) 555-0143".into()),
                    ("address_line1", "1 Main St".into()),
                    ("city", "Springfield".into()),
                    ("region", "IL".into()),
                    ("postal_code", "62701".into()),
                    ("is_client", "yes".into()),
                ],
            ),
            (
                Contacts,
                vec![
                    ("contact_id", c2.clone()),
                    ("organization", "Acme Holdings LLC".into()),
                    ("contact_type", "organization".into()),
                ],
            ),
            (
                Contacts,
                vec![
                    ("contact_id", c3.clone()),
                    ("first_name", "Robert".into()),
                    ("last_name", "Roe".into()),
                    ("birth_date", "1950-06-01".into()),
                ],
            ),
            (
                Projects,
                vec![
                    ("project_id", m1.clone()),
                    ("name", format!("Doe v. Acme {k}")),
                    ("number", format!("2024-{k:03}")),
                    ("client_id", c1.clone()),
                    ("project_type", "General Litigation".into()),
                    ("status", "open".into()),
                    ("opened_on", "2024-01-15".into()),
                    ("responsible_attorney", "A. Lawyer".into()),
                ],
            ),
            (
                Projects,
                vec![
                    ("project_id", m2.clone()),
                    ("name", format!("Roe Estate {k}")),
                    ("client_id", c3.clone()),
                    ("project_type", "Probate".into()),
                    ("status", "closed".into()),
                    ("opened_on", "2023-05-01".into()),
                    ("closed_on", "2024-02-01".into()),
                ],
            ),
            (
                Sections,
                vec![
                    ("section_row_id", id("S1")),
                    ("project_id", m1.clone()),
                    ("section", "Case Summary".into()),
                    ("field", "Court".into()),
                    ("value", "Superior Court of Cook County".into()),
                ],
            ),
            (
                Sections,
                vec![
                    ("section_row_id", id("S2")),
                    ("project_id", m1.clone()),
                    ("section", "Case Summary".into()),
                    ("field", "Claim Amount".into()),
                    ("value", "125000.50".into()),
                    ("field_type", "currency".into()),
                ],
            ),
            (
                Sections,
                vec![
                    ("section_row_id", id("S3")),
                    ("project_id", m1.clone()),
                    ("section", "Parties".into()),
                    ("field", "Party Name".into()),
                    ("value", "Acme Holdings LLC".into()),
                    ("row_index", "1".into()),
                ],
            ),
            (
                Sections,
                vec![
                    ("section_row_id", id("S4")),
                    ("project_id", m1.clone()),
                    ("section", "Parties".into()),
                    ("field", "Role".into()),
                    ("value", "Defendant".into()),
                    ("row_index", "1".into()),
                ],
            ),
            (
                Sections,
                vec![
                    ("section_row_id", id("S5")),
                    ("project_id", m1.clone()),
                    ("section", "Parties".into()),
                    ("field", "Party Name".into()),
                    ("value", "Jane Doe".into()),
                    ("row_index", "2".into()),
                ],
            ),
            (
                Notes,
                vec![
                    ("note_id", id("N1")),
                    ("project_id", m1.clone()),
                    ("subject", "Intake".into()),
                    ("body", "Client called about the accident.".into()),
                    ("noted_at", "2024-01-15 10:30".into()),
                    ("author", "JS".into()),
                ],
            ),
            (
                Notes,
                vec![
                    ("note_id", id("N2")),
                    ("project_id", m2.clone()),
                    ("body", "Will located in safe deposit box.".into()),
                    ("noted_at", "2023-05-02".into()),
                ],
            ),
            (
                Calendar,
                vec![
                    ("event_id", id("E1")),
                    ("project_id", m1.clone()),
                    ("title", "Hearing".into()),
                    ("starts_at", "2024-03-09 23:00".into()),
                    ("ends_at", "2024-03-10 01:00".into()),
                    ("time_zone", "America/Chicago".into()),
                    ("location", "Courtroom 5".into()),
                ],
            ),
            (
                Calendar,
                vec![
                    ("event_id", id("E2")),
                    ("project_id", m1.clone()),
                    ("title", "Trial".into()),
                    ("starts_at", "2024-05-01".into()),
                    ("ends_at", "2024-05-03".into()),
                    ("all_day", "yes".into()),
                ],
            ),
            (
                Tasks,
                vec![
                    ("task_id", id("T1")),
                    ("project_id", m1.clone()),
                    ("title", "File answer".into()),
                    ("due_on", "2024-02-01".into()),
                    ("status", "open".into()),
                    ("priority", "high".into()),
                ],
            ),
            (
                Tasks,
                vec![
                    ("task_id", id("T2")),
                    ("project_id", m2.clone()),
                    ("title", "Inventory assets".into()),
                    ("description", "List every account.".into()),
                    ("status", "done".into()),
                ],
            ),
            (
                BillingItems,
                vec![
                    ("item_id", b1.clone()),
                    ("project_id", m1.clone()),
                    ("item_type", "time".into()),
                    ("date", "2024-02-01".into()),
                    ("quantity", "2.5".into()),
                    ("rate", "300.00".into()),
                    ("amount", "750.00".into()),
                    ("description", "Draft complaint".into()),
                    ("timekeeper", "A. Lawyer".into()),
                ],
            ),
            (
                BillingItems,
                vec![
                    ("item_id", b2.clone()),
                    ("project_id", m1.clone()),
                    ("item_type", "expense".into()),
                    ("date", "2024-02-02".into()),
                    ("quantity", "1".into()),
                    ("rate", "45.20".into()),
                    ("amount", "45.20".into()),
                    ("description", "Filing fee".into()),
                    ("expense_category", "Court fees".into()),
                ],
            ),
            (
                BillingItems,
                vec![
                    ("item_id", b3.clone()),
                    ("project_id", m1.clone()),
                    ("item_type", "flat_fee".into()),
                    ("date", "2024-02-03".into()),
                    ("amount", "500.00".into()),
                    ("description", "Case evaluation".into()),
                ],
            ),
            (
                BillingItems,
                vec![
                    ("item_id", b4.clone()),
                    ("project_id", m2.clone()),
                    ("item_type", "time".into()),
                    ("date", "2024-03-01".into()),
                    ("quantity", "1".into()),
                    ("rate", "250.00".into()),
                    ("amount", "250.00".into()),
                    ("description", "Probate petition".into()),
                ],
            ),
            (
                ProjectFunds,
                vec![
                    ("transaction_id", id("F1")),
                    ("project_id", m1.clone()),
                    ("contact_id", c1.clone()),
                    ("date", "2024-01-20".into()),
                    ("transaction_type", "deposit".into()),
                    ("deposit", "5000.00".into()),
                    ("reference", "CHK 881".into()),
                ],
            ),
            (
                ProjectFunds,
                vec![
                    ("transaction_id", id("F2")),
                    ("project_id", m1.clone()),
                    ("date", "2024-02-10".into()),
                    ("transaction_type", "withdrawal".into()),
                    ("withdrawal", "1250.50".into()),
                    ("description", "Applied to invoice".into()),
                ],
            ),
            (
                ProjectFunds,
                vec![
                    ("transaction_id", id("F3")),
                    ("project_id", m2.clone()),
                    ("date", "2024-03-05".into()),
                    ("deposit", "1000.00".into()),
                ],
            ),
            (
                BillingInvoice,
                vec![
                    ("invoice_id", i1.clone()),
                    ("invoice_number", number),
                    ("project_id", m1.clone()),
                    ("contact_id", c1.clone()),
                    ("issued_on", "2024-02-28".into()),
                    ("due_on", "2024-03-28".into()),
                    ("status", "issued".into()),
                    ("discount", "95.20".into()),
                    ("total", "1200.00".into()),
                    ("paid_amount", "500.00".into()),
                    ("balance_due", "700.00".into()),
                    ("billing_item_ids", items),
                ],
            ),
            (
                BillingInvoice,
                vec![
                    ("invoice_id", i2.clone()),
                    ("invoice_number", i2_number.clone()),
                    ("project_id", m2.clone()),
                    ("issued_on", "2024-03-31".into()),
                    ("total", "250.00".into()),
                    ("balance_due", "250.00".into()),
                    ("billing_item_ids", b4.clone()),
                ],
            ),
            (
                Payment,
                vec![
                    ("payment_id", id("P1")),
                    ("invoice_id", i1.clone()),
                    ("project_id", m1.clone()),
                    ("paid_on", "2024-03-15".into()),
                    ("amount", "500.00".into()),
                    ("method", "check".into()),
                    ("reference", "CHK 1001".into()),
                ],
            ),
            (
                ProjectEmail,
                vec![
                    ("email_id", id("EM1")),
                    ("project_id", m1.clone()),
                    ("subject", "Settlement offer".into()),
                    ("from", "counsel@acme.test".into()),
                    ("to", "\"Jane Doe\" <jane@doe.test>".into()),
                    ("sent_at", "2024-03-01 09:00".into()),
                    ("body", "Please find our offer attached.".into()),
                ],
            ),
            (
                Document,
                vec![
                    ("document_id", id("D1")),
                    ("project_id", m1.clone()),
                    ("file_path", "docs/complaint.pdf".into()),
                    ("name", "Complaint.pdf".into()),
                ],
            ),
            (
                Document,
                vec![
                    ("document_id", id("D2")),
                    ("project_id", m2.clone()),
                    ("file_path", "docs/will.txt".into()),
                ],
            ),
        ];
        for (kind, values) in rows {
            let values: Vec<(&'static str, &str)> =
                values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            f.records.push(rec(kind, &values));
        }
        f.files.insert(
            (Kind::ProjectEmail, id("EM1")),
            vec![file(
                FileRole::Attachment,
                "offer.pdf",
                format!("%PDF-1.4 offer {k}").as_bytes(),
            )],
        );
        f.files.insert(
            (Kind::Document, id("D1")),
            vec![file(
                FileRole::Document,
                "docs/complaint.pdf",
                format!("%PDF-1.4 complaint of copy {k}").as_bytes(),
            )],
        );
        f.files.insert(
            (Kind::Document, id("D2")),
            vec![file(
                FileRole::Document,
                "docs/will.txt",
                format!("Last will, copy {k}\n").as_bytes(),
            )],
        );
        f.trust.insert(m1.clone(), dec("3749.50"));
        f.trust.insert(m2.clone(), dec("1000.00"));
        f.balances.insert(i1, dec("700.00"));
        f.balances.insert(i2, dec("250.00"));
    }
    f
}

/// A record with its parents resolved through the pusher's id map.
pub async fn push_record(
    px: &Pusher,
    firm: &Firm,
    r: &CanonicalRecord,
) -> Result<Delivered, FvError> {
    let parents = px.resolve_parents(r.kind, &r.fields).await?;
    // Which invoice holds a shared billing item is decided over the firm's invoices, as the
    // pipeline decides it over the job's.
    let taken = if r.kind == Kind::BillingInvoice {
        let invoices = firm.of(Kind::BillingInvoice);
        ItemHolders::decide(invoices.iter().map(|i| (i.source_id.as_str(), &i.fields)))
            .taken(&r.source_id, &r.fields)
    } else {
        Vec::new()
    };
    let record = PushRecord {
        kind: r.kind,
        source_id: r.source_id.clone(),
        fields: r.fields.clone(),
        parents,
        files: firm
            .files
            .get(&(r.kind, r.source_id.clone()))
            .cloned()
            .unwrap_or_default(),
        taken,
    };
    px.push(&record).await
}

pub type Outcomes = BTreeMap<(Kind, String), Result<Delivered, FvError>>;

/// Pushes the firm phase by phase, 16 records at a time; a transient failure is delivered
/// again, as the queue would, up to `deliveries` times.
pub async fn push_kinds(px: &Pusher, firm: &Firm, kinds: &[Kind], deliveries: u32) -> Outcomes {
    let mut out = Outcomes::new();
    for kind in kinds {
        let results: Vec<_> = stream::iter(firm.of(*kind))
            .map(|r| async move {
                let mut n = 1;
                loop {
                    let res = push_record(px, firm, r).await;
                    match res {
                        Err(FvError::Transient { .. }) if n < deliveries => n += 1,
                        other => return ((r.kind, r.source_id.clone()), other),
                    }
                }
            })
            .buffer_unordered(16)
            .collect()
            .await;
        out.extend(results);
    }
    out
}

pub async fn push_firm(px: &Pusher, firm: &Firm, deliveries: u32) -> Outcomes {
    let mut out = Outcomes::new();
    for phase in Kind::phases() {
        out.extend(push_kinds(px, firm, &phase, deliveries).await);
    }
    out
}

pub fn assert_all_ok(outcomes: &Outcomes) {
    let failed: Vec<String> = outcomes
        .iter()
        .filter_map(|((k, s), r)| r.as_ref().err().map(|e| format!("{k} {s}: {e:?}")))
        .collect();
    assert!(
        failed.is_empty(),
        "records not delivered:\n{}",
        failed.join("\n")
    );
}

/// A transport that keeps every call (with its body) before passing it on.
pub struct Recorder {
    pub inner: Arc<dyn Transport>,
    pub calls: Mutex<Vec<Call>>,
}

impl Recorder {
    pub fn new(inner: Arc<dyn Transport>) -> Arc<Recorder> {
        Arc::new(Recorder {
            inner,
            calls: Mutex::new(Vec::new()),
        })
    }

    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().expect("lock"))
    }
}

#[async_trait]
impl Transport for Recorder {
    async fn call(&self, call: Call) -> Result<Value, FvError> {
        self.calls.lock().expect("lock").push(call.clone());
        self.inner.call(call).await
    }
    async fn upload(&self, url: &str, content_type: &str, bytes: Bytes) -> Result<(), FvError> {
        self.inner.upload(url, content_type, bytes).await
    }
    async fn download(&self, url: &str) -> Result<Bytes, FvError> {
        self.inner.download(url).await
    }
}

/// An id map that loses its `Delivered` writes while armed: the process "dies" after
/// Filevine created the record and before the store recorded it.
#[derive(Default)]
pub struct Crashy {
    pub inner: MemoryIdMap,
    pub armed: AtomicBool,
    pub lost: Mutex<HashSet<IdKey>>,
}

#[async_trait]
impl IdMap for Crashy {
    async fn get(&self, key: &IdKey) -> Result<Option<IdEntry>, IdMapError> {
        self.inner.get(key).await
    }
    async fn put(&self, key: &IdKey, entry: IdEntry) -> Result<(), IdMapError> {
        if self.armed.load(Ordering::SeqCst) && matches!(entry, IdEntry::Delivered { .. }) {
            self.lost.lock().expect("lock").insert(key.clone());
            return Err(IdMapError("the process was killed".into()));
        }
        self.inner.put(key, entry).await
    }
    async fn claim(&self, key: &IdKey, stale: Duration) -> Result<bool, IdMapError> {
        self.inner.claim(key, stale).await
    }
    async fn owner(
        &self,
        job: &JobRef,
        kind: Kind,
        fv_id: &FvId,
    ) -> Result<Option<String>, IdMapError> {
        self.inner.owner(job, kind, fv_id).await
    }
}
