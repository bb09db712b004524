//! Read-back reconciliation: page through what Filevine now holds and compare it with what
//! the migration loaded. Every loaded record must be found (by its partner id, or by the
//! Filevine id the id map gives it), nothing of the job's may be there twice, each
//! project's trust balance and each invoice's balance due must be Filevine's to the cent,
//! and every document must download with the SHA-256 the migration recorded.

use futures::stream::{self, StreamExt, TryStreamExt};
use migrationai_domain::Kind;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::error::FvError;
use crate::idmap::{FvId, IdEntry, IdKey, IdMap, JobRef};
use crate::ops::{Call, Op};
use crate::paging;
use crate::partner::PartnerKeys;
use crate::transport::{call_as, Transport};
use crate::wire::billing::{
    BillingItemListResponse, InvoiceListResponse, ProjectFundBalanceResponse, TransactionResponse,
};
use crate::wire::calendar::CalendarEvent;
use crate::wire::contact::Contact;
use crate::wire::document::DocumentFileLocator;
use crate::wire::feed::Note;
use crate::wire::project::Project;
use crate::wire::section::CollectionItem;
use crate::wire::Object;

pub use migrationai_ports::target::{
    BalanceCheck, Delivery, DocumentCheck, DocumentProblem, Expected, KindDelivery,
};

/// How many source ids a report lists by name before it only counts.
const LISTED: usize = 20;

/// What Filevine holds of one kind: the partner ids and native ids of the job's records.
#[derive(Default)]
struct Held {
    partners: HashMap<String, usize>,
    natives: HashSet<String>,
}

impl Held {
    fn add(&mut self, native: Option<String>, partner: Option<String>, prefix: &str) {
        if let Some(p) = partner.filter(|p| p.starts_with(prefix)) {
            *self.partners.entry(p).or_default() += 1;
        }
        if let Some(n) = native {
            self.natives.insert(n);
        }
    }
}

/// A record as a list gives it: its native id and partner id.
type Listed = (Option<String>, Option<String>);

/// One project's records, read from its lists.
#[derive(Default)]
struct ProjectHoldings {
    held: BTreeMap<Kind, Vec<Listed>>,
    outstanding: HashMap<String, Decimal>,
    /// Invoice id → its items marked not billable: how many, and what they come to.
    unbilled: HashMap<String, (usize, Decimal)>,
    trust: Option<Decimal>,
}

/// The reason an invoice reads back `found` where the store has `expected`, when it is
/// exactly its items marked not billable: the source's total counted them, and Filevine leaves
/// an item that is not billable out of an invoice's total by contract. Payments beyond what
/// Filevine billed are applied only up to it (the rest unapplied on the payment), so its
/// balance due stops at zero.
fn not_billable(
    expected: Decimal,
    found: Decimal,
    unbilled: Option<&(usize, Decimal)>,
) -> Option<String> {
    let (n, amount) = unbilled?;
    let billed = expected - *amount;
    let why = format!(
        "the source's total counts {n} item(s) marked not billable ({amount}), which Filevine leaves out of an invoice's total"
    );
    if found == billed {
        Some(why)
    } else if billed < Decimal::ZERO && found.is_zero() {
        Some(format!(
            "{why}; the payments beyond it are left unapplied on them"
        ))
    } else {
        None
    }
}

pub struct ReadBack<'a> {
    t: &'a dyn Transport,
    ids: &'a dyn IdMap,
    job: &'a JobRef,
    keys: PartnerKeys,
    concurrency: usize,
}

/// A range wide enough to hold every date an export can carry (lists that filter by date
/// default to the last 30 days otherwise).
const ALL_FROM: &str = "1800-01-01";
const ALL_TO: &str = "2200-12-31";

fn native_of(v: &Option<crate::wire::Identifier>) -> Option<String> {
    v.as_ref().and_then(|i| i.native).map(|n| n.to_string())
}

fn partner_of(v: &Option<crate::wire::Identifier>) -> Option<String> {
    v.as_ref().and_then(|i| i.partner.clone())
}

impl<'a> ReadBack<'a> {
    pub fn new(t: &'a dyn Transport, ids: &'a dyn IdMap, job: &'a JobRef) -> ReadBack<'a> {
        ReadBack {
            t,
            ids,
            job,
            keys: PartnerKeys::for_job(job),
            concurrency: 8,
        }
    }

    async fn delivered(&self, kind: Kind, source: &str) -> Result<Option<FvId>, FvError> {
        let key = IdKey {
            job: self.job.clone(),
            kind,
            source_id: source.to_string(),
        };
        match self.ids.get(&key).await {
            Ok(Some(IdEntry::Delivered { fv_id, .. })) => Ok(Some(fv_id)),
            Ok(_) => Ok(None),
            Err(e) => Err(FvError::transient("id map", e.0)),
        }
    }

    /// The projects of the job in Filevine: those the id map knows, and any listed with
    /// the job's partner prefix.
    async fn projects(
        &self,
        listed: &[Project],
        expected: &[String],
    ) -> Result<BTreeSet<i64>, FvError> {
        let prefix = self.keys.prefix(Kind::Projects);
        let mut out: BTreeSet<i64> = listed
            .iter()
            .filter(|p| partner_of(&p.project_id).is_some_and(|k| k.starts_with(&prefix)))
            .filter_map(|p| p.project_id.as_ref()?.native)
            .collect();
        for src in expected {
            if let Some(id) = self
                .delivered(Kind::Projects, src)
                .await?
                .and_then(|i| i.as_i64())
            {
                out.insert(id);
            }
        }
        Ok(out)
    }

    async fn project_holdings(&self, project: i64) -> Result<ProjectHoldings, FvError> {
        let t = self.t;
        let mut h = ProjectHoldings::default();
        let notes: Vec<Note> = paging::all(
            t,
            Call::new(Op::ProjectNoteList)
                .arg(project)
                .query("filterByType", "Note"),
        )
        .await?;
        h.held.insert(
            Kind::Notes,
            notes
                .iter()
                .map(|n| (native_of(&n.note_id), partner_of(&n.note_id)))
                .collect(),
        );
        let tasks: Vec<Note> = paging::all(t, Call::new(Op::ProjectTaskList).arg(project)).await?;
        h.held.insert(
            Kind::Tasks,
            tasks
                .iter()
                .map(|n| (native_of(&n.note_id), partner_of(&n.note_id)))
                .collect(),
        );
        let emails: Vec<Note> = paging::all(t, Call::new(Op::EmailList).arg(project)).await?;
        h.held.insert(
            Kind::ProjectEmail,
            emails
                .iter()
                .map(|n| (native_of(&n.note_id), partner_of(&n.note_id)))
                .collect(),
        );
        let events: Vec<CalendarEvent> =
            paging::all(t, Call::new(Op::AppointmentList).arg(project)).await?;
        h.held.insert(
            Kind::Calendar,
            events
                .iter()
                .map(|e| (native_of(&e.appointment_id), partner_of(&e.appointment_id)))
                .collect(),
        );
        let docs = paging::documents(t, project).await?;
        h.held.insert(
            Kind::Document,
            docs.iter()
                .map(|d| (native_of(&d.document_id), partner_of(&d.document_id)))
                .collect(),
        );
        let items: Vec<BillingItemListResponse> = paging::all(
            t,
            Call::new(Op::BillingItemList)
                .arg(project)
                .query("startDate", ALL_FROM)
                .query("endDate", ALL_TO),
        )
        .await?;
        for i in items.iter().filter(|i| i.not_billable()) {
            if let Some(invoice) = i.invoice_id {
                let e = h.unbilled.entry(invoice.to_string()).or_default();
                e.0 += 1;
                e.1 += i.amount();
            }
        }
        h.held.insert(
            Kind::BillingItems,
            items.into_iter().map(|i| (i.id, None)).collect(),
        );
        let funds = paging::funds(t, project, None).await?;
        h.held.insert(
            Kind::ProjectFunds,
            funds
                .into_iter()
                .filter(|f| f.is_voided != Some(true))
                .map(|f| (f.id, None))
                .collect(),
        );
        let invoices: Vec<InvoiceListResponse> =
            paging::all(t, Call::new(Op::InvoiceList).arg(project)).await?;
        for inv in &invoices {
            if let (Some(id), Some(out)) = (inv.invoice_id, inv.outstanding_balance) {
                h.outstanding.insert(id.to_string(), out);
            }
        }
        h.held.insert(
            Kind::BillingInvoice,
            invoices
                .iter()
                .map(|i| (i.invoice_id.map(|n| n.to_string()), None))
                .collect(),
        );
        let payments: Vec<TransactionResponse> = paging::all(
            t,
            Call::new(Op::TransactionList)
                .arg(project)
                .query("transactionType", "Payment")
                .query("startDate", ALL_FROM)
                .query("endDate", ALL_TO),
        )
        .await?;
        h.held.insert(
            Kind::Payment,
            payments
                .into_iter()
                .filter(|p| p.is_void != Some(true))
                .map(|p| (p.id.map(|n| n.to_string()), None))
                .collect(),
        );
        let balance: ProjectFundBalanceResponse =
            call_as(t, Call::new(Op::FundBalance).arg(project)).await?;
        h.trust = balance.fund_balance;
        Ok(h)
    }

    /// Compares Filevine with `expected`.
    pub async fn run(&self, expected: &Expected) -> Result<Delivery, FvError> {
        let none = Vec::new();
        let records = |k: Kind| expected.records.get(&k).unwrap_or(&none);
        let mut held: BTreeMap<Kind, Held> = BTreeMap::new();

        let contacts: Vec<Contact> = paging::all(self.t, Call::new(Op::ContactList)).await?;
        let prefix = self.keys.prefix(Kind::Contacts);
        let entry = held.entry(Kind::Contacts).or_default();
        for c in &contacts {
            entry.add(native_of(&c.person_id), partner_of(&c.person_id), &prefix);
        }
        let listed: Vec<Project> = paging::all(self.t, Call::new(Op::ProjectList)).await?;
        let prefix = self.keys.prefix(Kind::Projects);
        let entry = held.entry(Kind::Projects).or_default();
        for p in &listed {
            entry.add(native_of(&p.project_id), partner_of(&p.project_id), &prefix);
        }

        let projects = self.projects(&listed, records(Kind::Projects)).await?;
        // Futures made before the stream runs (here and below): a closure the stream held
        // across its awaits would keep the read-back from being `Send` for every lifetime,
        // which a queue handler's future must be.
        let pending: Vec<_> = projects
            .iter()
            .copied()
            .map(|p| async move { self.project_holdings(p).await.map(|h| (p, h)) })
            .collect();
        let holdings: Vec<(i64, ProjectHoldings)> = stream::iter(pending)
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        let mut outstanding = HashMap::new();
        let mut unbilled = HashMap::new();
        let mut trust_by_project = HashMap::new();
        for (project, h) in holdings {
            outstanding.extend(h.outstanding);
            unbilled.extend(h.unbilled);
            trust_by_project.insert(project, h.trust);
            for (kind, list) in h.held {
                let prefix = self.keys.prefix(kind);
                let entry = held.entry(kind).or_default();
                for (native, partner) in list {
                    entry.add(native, partner, &prefix);
                }
            }
        }

        let mut kinds = Vec::new();
        for kind in Kind::ALL {
            let expected_ids = records(kind);
            let delivery = if kind == Kind::Sections {
                self.sections(expected_ids).await?
            } else {
                self.count(kind, expected_ids, held.get(&kind)).await?
            };
            if delivery.expected > 0 || delivery.extra > 0 {
                kinds.push(delivery);
            }
        }

        let mut trust_mismatches = Vec::new();
        for (src, want) in &expected.trust {
            let found = match self
                .delivered(Kind::Projects, src)
                .await?
                .and_then(|i| i.as_i64())
            {
                Some(id) => trust_by_project.get(&id).copied().flatten(),
                None => None,
            };
            if found != Some(*want) {
                trust_mismatches.push(BalanceCheck {
                    source_id: src.clone(),
                    expected: *want,
                    found,
                    reason: None,
                });
            }
        }
        let mut balance_mismatches = Vec::new();
        for (src, want) in &expected.balances {
            let id = self.delivered(Kind::BillingInvoice, src).await?;
            let found = id.as_ref().and_then(|id| outstanding.get(&id.0).copied());
            if found != Some(*want) {
                let unbilled = id.as_ref().and_then(|id| unbilled.get(&id.0));
                balance_mismatches.push(BalanceCheck {
                    source_id: src.clone(),
                    expected: *want,
                    found,
                    reason: found.and_then(|f| not_billable(*want, f, unbilled)),
                });
            }
        }
        let document_problems = self.documents(&expected.documents).await?;
        let delivered = kinds.iter().all(|k| k.missing == 0 && k.extra == 0)
            && trust_mismatches.is_empty()
            && balance_mismatches.is_empty()
            && document_problems.is_empty();
        Ok(Delivery {
            delivered,
            kinds,
            trust_checked: expected.trust.len(),
            trust_mismatches,
            balances_checked: expected.balances.len(),
            balance_mismatches,
            documents_checked: expected.documents.len(),
            document_problems,
        })
    }

    /// Found, missing and extra records of a kind. A record is found when its partner id is
    /// held once, or (for kinds without partner ids) when the Filevine id the id map gives
    /// it is held.
    async fn count(
        &self,
        kind: Kind,
        expected: &[String],
        held: Option<&Held>,
    ) -> Result<KindDelivery, FvError> {
        let empty = Held::default();
        let held = held.unwrap_or(&empty);
        let by_partner = partner_kind(kind);
        let mut found = 0;
        let mut missing_ids = Vec::new();
        let mut missing = 0;
        let mut accounted = HashSet::new();
        for src in expected {
            let present = if by_partner {
                let key = self.keys.record(kind, src);
                held.partners.contains_key(&key)
            } else {
                match self.delivered(kind, src).await? {
                    Some(id) if held.natives.contains(&id.0) => accounted.insert(id.0),
                    _ => false,
                }
            };
            if present {
                found += 1;
            } else {
                missing += 1;
                if missing_ids.len() < LISTED {
                    missing_ids.push(src.clone());
                }
            }
        }
        // A partner id is unique in its scope, so anything held beyond the found records
        // is a record of the job's no loaded record accounts for.
        let extra = if by_partner {
            held.partners.values().sum::<usize>().saturating_sub(found)
        } else {
            held.natives.len().saturating_sub(accounted.len())
        };
        Ok(KindDelivery {
            kind,
            expected: expected.len(),
            found,
            missing,
            missing_ids,
            extra,
        })
    }

    /// Section values: each delivered value must be held by its form field or its
    /// collection item. A collection item of the job's (by its row key) that no delivered
    /// value is in is a duplicate row.
    async fn sections(&self, expected: &[String]) -> Result<KindDelivery, FvError> {
        let mut forms: HashMap<(String, String), Object> = HashMap::new();
        let mut items: HashMap<(String, String), HashMap<String, Object>> = HashMap::new();
        let mut job_items: HashSet<String> = HashSet::new();
        let mut used_items: HashSet<String> = HashSet::new();
        let prefix = self.keys.prefix(Kind::Sections);
        let mut found = 0;
        let mut missing_ids = Vec::new();
        for src in expected {
            let present = match self.delivered(Kind::Sections, src).await? {
                None => false,
                Some(id) => {
                    let parts: Vec<&str> = id.0.split('/').collect();
                    match parts.as_slice() {
                        [project, section, field] => {
                            let k = (project.to_string(), section.to_string());
                            if !forms.contains_key(&k) {
                                let form: Object = call_as(
                                    self.t,
                                    Call::new(Op::FormGet).arg(project).arg(section),
                                )
                                .await?;
                                forms.insert(k.clone(), form);
                            }
                            forms[&k].get(*field).is_some_and(|v| !v.is_null())
                        }
                        [project, section, uid, field] => {
                            let k = (project.to_string(), section.to_string());
                            if !items.contains_key(&k) {
                                let list: Vec<CollectionItem> = paging::all(
                                    self.t,
                                    Call::new(Op::CollectionList).arg(project).arg(section),
                                )
                                .await?;
                                let mut by_uid = HashMap::new();
                                for item in list {
                                    let Some(id) = item.item_id else { continue };
                                    let Some(uid) = id.native else { continue };
                                    if id.partner.is_some_and(|p| p.starts_with(&prefix)) {
                                        job_items.insert(uid.clone());
                                    }
                                    by_uid.insert(uid, item.data_object);
                                }
                                items.insert(k.clone(), by_uid);
                            }
                            used_items.insert(uid.to_string());
                            items[&k]
                                .get(*uid)
                                .and_then(|d| d.get(*field))
                                .is_some_and(|v| !v.is_null())
                        }
                        _ => false,
                    }
                }
            };
            if present {
                found += 1;
            } else if missing_ids.len() < LISTED {
                missing_ids.push(src.clone());
            }
        }
        Ok(KindDelivery {
            kind: Kind::Sections,
            expected: expected.len(),
            found,
            missing: expected.len() - found,
            missing_ids,
            extra: job_items.difference(&used_items).count(),
        })
    }

    /// Downloads every expected document and compares its SHA-256.
    async fn documents(
        &self,
        expected: &BTreeMap<String, String>,
    ) -> Result<Vec<DocumentCheck>, FvError> {
        let pending: Vec<_> = expected
            .iter()
            .map(|(src, sha)| async move {
                let problem = match self.delivered(Kind::Document, src).await? {
                    None => Some(DocumentProblem::Missing),
                    Some(id) => {
                        let locator = call_as::<DocumentFileLocator>(
                            self.t,
                            Call::new(Op::DocumentLocator).arg(&id),
                        )
                        .await;
                        match locator {
                            Err(e) if matches!(e.status(), Some(403) | Some(404)) => {
                                Some(DocumentProblem::Missing)
                            }
                            Err(e) => return Err(e),
                            Ok(loc) => {
                                let url = loc.url.ok_or_else(|| {
                                    FvError::permanent(
                                        Op::DocumentLocator.to_string(),
                                        "the answer has no Url",
                                    )
                                })?;
                                let bytes = self.t.download(&url).await?;
                                let found = hex::encode(Sha256::digest(&bytes));
                                (!found.eq_ignore_ascii_case(sha))
                                    .then_some(DocumentProblem::ChecksumMismatch { found })
                            }
                        }
                    }
                };
                Ok::<_, FvError>(problem.map(|problem| DocumentCheck {
                    source_id: src.clone(),
                    expected_sha256: sha.clone(),
                    problem,
                }))
            })
            .collect();
        let checks: Vec<Option<DocumentCheck>> = stream::iter(pending)
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        let mut out: Vec<DocumentCheck> = checks.into_iter().flatten().collect();
        out.sort_by(|a, b| a.source_id.cmp(&b.source_id));
        Ok(out)
    }
}

/// Kinds whose records carry the job's partner id in Filevine.
fn partner_kind(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Contacts
            | Kind::Projects
            | Kind::Notes
            | Kind::Tasks
            | Kind::Calendar
            | Kind::ProjectEmail
            | Kind::Document
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    #[test]
    fn an_invoice_short_by_its_items_not_billable_says_so_down_to_zero() {
        let unbilled = (1, d("1020.00"));
        // Filevine billed less by the item, and the balance falls by it.
        assert!(not_billable(d("1085.11"), d("65.11"), Some(&unbilled)).is_some());
        // Paid past what Filevine billed: the balance stops at zero (B000026 of the sample).
        let why = not_billable(d("627.90"), d("0"), Some(&unbilled)).expect("a reason");
        assert!(why.contains("left unapplied"), "{why}");
        // Anything else is unexplained.
        assert!(not_billable(d("627.90"), d("235.80"), Some(&unbilled)).is_none());
        assert!(not_billable(d("1500.00"), d("0"), Some(&unbilled)).is_none());
        assert!(not_billable(d("627.90"), d("0"), None).is_none());
    }
}
