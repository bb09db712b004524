//! The emulated org's records. Bodies are kept in Filevine's own JSON shape (PascalCase
//! property names from the published definitions); money is decimal.

use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use crate::config::{Config, ProjectTypeDef};

pub type Json = Map<String, Value>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedKind {
    Note,
    Task,
    Email,
}

#[derive(Debug, Clone)]
pub struct FeedItem {
    pub project: i64,
    pub kind: FeedKind,
    pub body: Json,
}

#[derive(Debug, Clone)]
pub struct Appointment {
    pub project: i64,
    pub body: Json,
}

#[derive(Debug, Clone)]
pub struct CollectionItem {
    pub project: i64,
    pub selector: String,
    pub created: DateTime<Utc>,
    pub data: Json,
}

#[derive(Debug, Clone)]
pub struct BillingItem {
    pub id: String,
    pub project: i64,
    pub billing_type: String,
    pub is_billable: bool,
    pub is_chargeable: bool,
    pub user_id: Option<i64>,
    pub date: NaiveDate,
    pub description: String,
    pub unit: Option<String>,
    pub rate: Decimal,
    pub quantity: Decimal,
    pub invoice: Option<i64>,
    pub created: DateTime<Utc>,
}

impl BillingItem {
    pub fn total(&self) -> Decimal {
        (self.rate * self.quantity).round_dp(2)
    }
}

#[derive(Debug, Clone)]
pub struct Fund {
    pub id: String,
    pub project: i64,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub fund_type: &'static str,
    pub reference: Option<String>,
    pub source: Option<String>,
    pub voided: bool,
    pub created: DateTime<Utc>,
}

impl Fund {
    /// Deposits and retainers add to the balance; debits and refunds take from it.
    pub fn signed(&self) -> Decimal {
        match self.fund_type {
            "Deposit" | "Retainer" => self.amount,
            _ => -self.amount,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Invoice {
    pub id: i64,
    pub number: i64,
    pub project: i64,
    pub description: Option<String>,
    pub invoice_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub discount_type: Option<i64>,
    pub discount_amount: Decimal,
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Application {
    pub id: i64,
    pub invoice: i64,
    pub amount: Decimal,
}

#[derive(Debug, Clone)]
pub struct Transaction {
    pub id: i64,
    pub project: i64,
    pub date: NaiveDate,
    pub total: Decimal,
    pub method: Option<String>,
    pub description: Option<String>,
    pub use_project_funds: bool,
    pub applications: Vec<Application>,
    pub voided: bool,
    pub created: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub id: i64,
    pub project: Option<i64>,
    pub filename: String,
    pub size: i64,
    pub content: Option<Bytes>,
    pub committed: bool,
    pub uploaded: DateTime<Utc>,
}

/// A custom section of a project type, with the id Filevine would give it.
#[derive(Debug, Clone)]
pub struct ProjectType {
    pub id: i64,
    pub def: ProjectTypeDef,
}

/// The keys of one kind's records per project, in key order (the order a scan of the
/// whole collection met them in), so a project's list reads its own records rather than
/// every record of the org: scanned, a push's per-project reads grow with the square of
/// the org.
#[derive(Debug)]
pub struct ByProject<K> {
    map: HashMap<i64, BTreeSet<K>>,
}

impl<K> Default for ByProject<K> {
    fn default() -> Self {
        ByProject {
            map: HashMap::new(),
        }
    }
}

impl<K: Ord> ByProject<K> {
    pub fn add(&mut self, project: i64, key: K) {
        self.map.entry(project).or_default().insert(key);
    }

    pub fn remove(&mut self, project: i64, key: &K) {
        if let Some(keys) = self.map.get_mut(&project) {
            keys.remove(key);
        }
    }

    pub fn of(&self, project: i64) -> impl Iterator<Item = &K> {
        self.map.get(&project).into_iter().flatten()
    }
}

/// Where each kind's records are, by project (and billing items by id), kept as records
/// are added or move.
#[derive(Debug, Default)]
pub struct Index {
    pub feed: ByProject<i64>,
    pub appointments: ByProject<i64>,
    pub invoices: ByProject<i64>,
    pub transactions: ByProject<i64>,
    pub documents: ByProject<i64>,
    pub collection_items: ByProject<String>,
    /// Positions in `State::billing_items` and `State::funds`.
    pub billing_items: ByProject<usize>,
    pub funds: ByProject<usize>,
    billing_item_at: HashMap<String, usize>,
}

pub struct State {
    next_id: i64,
    pub tokens: HashMap<String, Instant>,
    pub project_types: Vec<ProjectType>,
    /// (scope, partner id) → native id, and back.
    partners: HashMap<(String, String), String>,
    natives: HashMap<(String, String), String>,
    pub contacts: BTreeMap<i64, Json>,
    pub projects: BTreeMap<i64, Json>,
    pub forms: HashMap<(i64, String), Json>,
    pub collection_items: BTreeMap<String, CollectionItem>,
    pub feed: BTreeMap<i64, FeedItem>,
    pub appointments: BTreeMap<i64, Appointment>,
    pub billing_items: Vec<BillingItem>,
    pub funds: Vec<Fund>,
    pub invoices: BTreeMap<i64, Invoice>,
    pub transactions: BTreeMap<i64, Transaction>,
    pub documents: BTreeMap<i64, Document>,
    /// Pre-signed upload and download keys → document id.
    pub uploads: HashMap<String, i64>,
    pub downloads: HashMap<String, i64>,
    pub index: Index,
}

impl State {
    pub fn new(config: &Config) -> State {
        let mut state = State {
            next_id: 1000,
            tokens: HashMap::new(),
            project_types: Vec::new(),
            partners: HashMap::new(),
            natives: HashMap::new(),
            contacts: BTreeMap::new(),
            projects: BTreeMap::new(),
            forms: HashMap::new(),
            collection_items: BTreeMap::new(),
            feed: BTreeMap::new(),
            appointments: BTreeMap::new(),
            billing_items: Vec::new(),
            funds: Vec::new(),
            invoices: BTreeMap::new(),
            transactions: BTreeMap::new(),
            documents: BTreeMap::new(),
            uploads: HashMap::new(),
            downloads: HashMap::new(),
            index: Index::default(),
        };
        for def in &config.project_types {
            let id = state.next();
            state.project_types.push(ProjectType {
                id,
                def: def.clone(),
            });
        }
        state
    }

    /// The next native id; ids are unique across the org, as Filevine's are.
    pub fn next(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn guid(&mut self) -> String {
        let n = self.next() as u128;
        uuid::Uuid::from_u128(0x6d61_6900_0000_4000_8000_0000_0000_0000 | n).to_string()
    }

    pub fn partner_native(&self, scope: &str, partner: &str) -> Option<&String> {
        self.partners.get(&(scope.to_string(), partner.to_string()))
    }

    pub fn native_partner(&self, scope: &str, native: &str) -> Option<&String> {
        self.natives.get(&(scope.to_string(), native.to_string()))
    }

    /// Sets (or replaces) the partner id of a native record in a scope. A partner id names
    /// one record per scope.
    pub fn set_partner(&mut self, scope: &str, native: &str, partner: &str) -> Result<(), String> {
        if let Some(owner) = self.partner_native(scope, partner) {
            if owner != native {
                return Err(format!(
                    "Partner id '{partner}' already identifies {scope} {owner}"
                ));
            }
        }
        if let Some(old) = self
            .natives
            .insert((scope.to_string(), native.to_string()), partner.to_string())
        {
            self.partners.remove(&(scope.to_string(), old));
        }
        self.partners
            .insert((scope.to_string(), partner.to_string()), native.to_string());
        Ok(())
    }

    /// Every partner id registered in a scope, sorted.
    pub fn partner_ids(&self, scope: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .partners
            .keys()
            .filter(|(s, _)| s == scope)
            .map(|(_, p)| p.clone())
            .collect();
        ids.sort();
        ids
    }

    /// An `Identifier` object for a native id, with its partner id when one is set.
    pub fn identifier(&self, scope: &str, native: i64) -> Value {
        let mut id = Map::new();
        id.insert("Native".into(), Value::from(native));
        if let Some(p) = self.native_partner(scope, &native.to_string()) {
            id.insert("Partner".into(), Value::from(p.clone()));
        }
        Value::Object(id)
    }

    pub fn project_type(&self, id: i64) -> Option<&ProjectType> {
        self.project_types.iter().find(|t| t.id == id)
    }

    pub fn billing_item(&self, id: &str) -> Option<&BillingItem> {
        let at = *self.index.billing_item_at.get(id)?;
        self.billing_items.get(at)
    }

    /// The billing item `id` of `project`, to change.
    pub fn billing_item_mut(&mut self, id: &str, project: i64) -> Option<&mut BillingItem> {
        let at = *self.index.billing_item_at.get(id)?;
        self.billing_items
            .get_mut(at)
            .filter(|b| b.project == project)
    }

    pub fn add_billing_item(&mut self, item: BillingItem) {
        let at = self.billing_items.len();
        self.index.billing_items.add(item.project, at);
        self.index.billing_item_at.insert(item.id.clone(), at);
        self.billing_items.push(item);
    }

    /// A project's billing items, in the order they were added.
    pub fn billing_items_of(&self, project: i64) -> impl Iterator<Item = &BillingItem> {
        self.index
            .billing_items
            .of(project)
            .filter_map(|&at| self.billing_items.get(at))
    }

    pub fn add_fund(&mut self, fund: Fund) {
        self.index.funds.add(fund.project, self.funds.len());
        self.funds.push(fund);
    }

    /// A project's fund transactions, in the order they were added.
    pub fn funds_of(&self, project: i64) -> impl Iterator<Item = &Fund> {
        self.index
            .funds
            .of(project)
            .filter_map(|&at| self.funds.get(at))
    }

    /// The fund transaction `id` of `project`, to change.
    pub fn fund_mut(&mut self, id: &str, project: i64) -> Option<&mut Fund> {
        let at = self
            .index
            .funds
            .of(project)
            .copied()
            .find(|&at| self.funds.get(at).is_some_and(|f| f.id == id))?;
        self.funds.get_mut(at)
    }

    pub fn fund_balance(&self, project: i64) -> Decimal {
        self.funds_of(project)
            .filter(|f| !f.voided)
            .map(Fund::signed)
            .sum()
    }

    pub fn invoice_total(&self, invoice: i64) -> Decimal {
        let Some(project) = self.invoices.get(&invoice).map(|i| i.project) else {
            return Decimal::ZERO;
        };
        self.billing_items_of(project)
            .filter(|b| b.invoice == Some(invoice) && b.is_billable)
            .map(BillingItem::total)
            .sum()
    }

    /// The invoice total after its discount: a percentage (type 1) or an amount (type 2).
    pub fn invoice_billable(&self, inv: &Invoice) -> Decimal {
        let total = self.invoice_total(inv.id);
        match inv.discount_type {
            Some(1) => (total - total * inv.discount_amount).round_dp(2),
            Some(2) => total - inv.discount_amount,
            _ => total,
        }
    }

    pub fn invoice_paid(&self, invoice: i64) -> Decimal {
        let Some(project) = self.invoices.get(&invoice).map(|i| i.project) else {
            return Decimal::ZERO;
        };
        self.index
            .transactions
            .of(project)
            .filter_map(|id| self.transactions.get(id))
            .filter(|t| !t.voided)
            .flat_map(|t| t.applications.iter())
            .filter(|a| a.invoice == invoice)
            .map(|a| a.amount)
            .sum()
    }

    pub fn invoice_outstanding(&self, inv: &Invoice) -> Decimal {
        self.invoice_billable(inv) - self.invoice_paid(inv.id)
    }

    /// Whether a record of a partner-id scope exists, by its native id.
    pub fn exists(&self, scope: &str, native: &str) -> Option<bool> {
        let int = native.parse::<i64>().ok();
        let found = match scope {
            "Contact" => int.is_some_and(|n| self.contacts.contains_key(&n)),
            "Project" => int.is_some_and(|n| self.projects.contains_key(&n)),
            "Note" => int.is_some_and(|n| self.feed.contains_key(&n)),
            "Appointment" => int.is_some_and(|n| self.appointments.contains_key(&n)),
            "Invoice" => int.is_some_and(|n| self.invoices.contains_key(&n)),
            "Document" => int.is_some_and(|n| self.documents.contains_key(&n)),
            "BillingItem" => self.billing_item(native).is_some(),
            "CollectionItem" => self.collection_items.contains_key(native),
            _ => return None,
        };
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, project: i64) -> BillingItem {
        BillingItem {
            id: id.into(),
            project,
            billing_type: "Time".into(),
            is_billable: true,
            is_chargeable: true,
            user_id: None,
            date: NaiveDate::default(),
            description: String::new(),
            unit: None,
            rate: Decimal::ONE,
            quantity: Decimal::ONE,
            invoice: None,
            created: Utc::now(),
        }
    }

    /// A project's records are its own, in the order added, and a record that moves
    /// leaves its old project's list.
    #[test]
    fn a_projects_records_are_found_by_its_index_alone() {
        let mut org = State::new(&Config::default());
        for (id, project) in [("b", 1), ("a", 2), ("c", 1)] {
            org.add_billing_item(item(id, project));
        }
        let of = |org: &State, p| -> Vec<String> {
            org.billing_items_of(p).map(|b| b.id.clone()).collect()
        };
        assert_eq!(of(&org, 1), ["b", "c"]);
        assert_eq!(of(&org, 2), ["a"]);
        assert!(of(&org, 3).is_empty());
        assert_eq!(org.billing_item("c").map(|b| b.project), Some(1));
        assert!(org.billing_item_mut("c", 2).is_none(), "not project 2's");

        let mut docs = ByProject::default();
        docs.add(1, 10);
        docs.add(1, 7);
        docs.remove(1, &10);
        docs.add(2, 10);
        assert_eq!(docs.of(1).copied().collect::<Vec<_>>(), [7]);
        assert_eq!(docs.of(2).copied().collect::<Vec<_>>(), [10]);
    }
}
