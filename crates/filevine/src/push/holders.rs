//! Which invoice of a job bills each billing item.
//!
//! Filevine puts a billing item on one invoice only, and refuses an invoice listing an item
//! already on another. A source can list one item on several bills; left to Filevine, the
//! invoice created first would keep it, and which is first depends on timing (concurrent
//! creates, a throttled call). So the holder is decided up front, from the canonical
//! invoices alone, and every other invoice listing the item is refused before any call:
//! a push refuses the same records, for the same reason, however its calls are timed.
//!
//! The holder is the invoice issued earliest (one without an issue date after those with
//! one), then the lowest source id; a void invoice comes after every other, so an item billed
//! again after a bill was voided goes to the bill that stands.

use chrono::NaiveDate;
use migrationai_domain::Value;
use std::collections::{BTreeMap, HashMap};

/// The canonical fields an invoice lists its billing items, is issued and voided in.
const ITEMS: &str = "billing_item_ids";
const ISSUED: &str = "issued_on";
const STATUS: &str = "status";
/// The status choice of a voided invoice (the catalogue's `billing-invoice.status`).
const VOID: &str = "void";

/// A billing item an invoice lists that another invoice of the job holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// The billing item's source id.
    pub item: String,
    /// The source id of the invoice that holds it.
    pub holder: String,
}

/// The holder of every billing item the job's invoices list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemHolders {
    holder: HashMap<String, String>,
}

/// How an invoice ranks for the items it shares: lower ranks first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Rank<'a> {
    void: bool,
    /// `None` sorts before `Some`, so the missing date is kept apart to sort last.
    undated: bool,
    issued: Option<NaiveDate>,
    source_id: &'a str,
}

fn rank<'a>(source_id: &'a str, fields: &BTreeMap<String, Value>) -> Rank<'a> {
    let issued = match fields.get(ISSUED) {
        Some(Value::Date(d)) => Some(*d),
        _ => None,
    };
    let void = fields
        .get(STATUS)
        .and_then(Value::as_text)
        .is_some_and(|s| s.trim().eq_ignore_ascii_case(VOID));
    Rank {
        void,
        undated: issued.is_none(),
        issued,
        source_id,
    }
}

fn items(fields: &BTreeMap<String, Value>) -> &[String] {
    match fields.get(ITEMS) {
        Some(Value::RefList(list)) => list,
        _ => &[],
    }
}

impl ItemHolders {
    /// Decides the holders from every invoice of the job: (source id, fields).
    pub fn decide<'a, I>(invoices: I) -> ItemHolders
    where
        I: IntoIterator<Item = (&'a str, &'a BTreeMap<String, Value>)>,
    {
        let mut ranked: Vec<(Rank<'a>, &'a [String])> = invoices
            .into_iter()
            .map(|(id, fields)| (rank(id, fields), items(fields)))
            .collect();
        ranked.sort();
        let mut holder = HashMap::new();
        for (rank, listed) in ranked {
            for item in listed {
                holder
                    .entry(item.clone())
                    .or_insert_with(|| rank.source_id.to_string());
            }
        }
        ItemHolders { holder }
    }

    /// The invoice that holds `item`, if any invoice lists it.
    pub fn holder(&self, item: &str) -> Option<&str> {
        self.holder.get(item).map(String::as_str)
    }

    /// The items the invoice `source_id` lists that another invoice holds, in its order.
    pub fn taken(&self, source_id: &str, fields: &BTreeMap<String, Value>) -> Vec<Taken> {
        let mut out: Vec<Taken> = Vec::new();
        for item in items(fields) {
            match self.holder(item) {
                Some(h) if h != source_id && !out.iter().any(|t| &t.item == item) => {
                    out.push(Taken {
                        item: item.clone(),
                        holder: h.to_string(),
                    })
                }
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice(
        issued: Option<&str>,
        status: Option<&str>,
        items: &[&str],
    ) -> BTreeMap<String, Value> {
        let mut f = BTreeMap::new();
        if let Some(d) = issued {
            f.insert(ISSUED.into(), Value::Date(d.parse().expect("date")));
        }
        if let Some(s) = status {
            f.insert(STATUS.into(), Value::Code(s.into()));
        }
        f.insert(
            ITEMS.into(),
            Value::RefList(items.iter().map(|s| s.to_string()).collect()),
        );
        f
    }

    fn decide(list: &[(&str, BTreeMap<String, Value>)]) -> ItemHolders {
        ItemHolders::decide(list.iter().map(|(id, f)| (*id, f)))
    }

    #[test]
    fn the_earliest_issued_invoice_holds_a_shared_item_whatever_the_order_given() {
        let list = vec![
            (
                "B1",
                invoice(Some("2024-03-01"), Some("issued"), &["T1", "T2"]),
            ),
            (
                "B2",
                invoice(Some("2024-01-15"), Some("paid"), &["T2", "T3"]),
            ),
            ("B3", invoice(Some("2024-02-01"), None, &["T4"])),
        ];
        let mut reversed = list.clone();
        reversed.reverse();
        for h in [decide(&list), decide(&reversed)] {
            assert_eq!(h.holder("T2"), Some("B2"));
            assert_eq!(h.holder("T1"), Some("B1"));
            assert_eq!(h.holder("T9"), None);
            assert_eq!(
                h.taken("B1", &list[0].1),
                vec![Taken {
                    item: "T2".into(),
                    holder: "B2".into()
                }]
            );
            assert!(h.taken("B2", &list[1].1).is_empty());
            assert!(h.taken("B3", &list[2].1).is_empty());
        }
    }

    #[test]
    fn ties_go_to_the_lowest_source_id_an_undated_invoice_after_dated_ones_a_void_one_last() {
        let list = vec![
            ("B7", invoice(Some("2024-01-01"), None, &["T1"])),
            ("B5", invoice(Some("2024-01-01"), None, &["T1"])),
            ("B1", invoice(None, None, &["T2"])),
            ("B9", invoice(Some("2030-01-01"), None, &["T2"])),
            ("B0", invoice(Some("2020-01-01"), Some("void"), &["T3"])),
            ("B8", invoice(None, Some("draft"), &["T3"])),
        ];
        let h = decide(&list);
        assert_eq!(h.holder("T1"), Some("B5"));
        assert_eq!(h.holder("T2"), Some("B9"));
        assert_eq!(h.holder("T3"), Some("B8"));
    }

    #[test]
    fn an_item_listed_twice_by_one_invoice_is_named_once() {
        let list = vec![
            ("B1", invoice(Some("2024-01-01"), None, &["T1"])),
            ("B2", invoice(Some("2024-02-01"), None, &["T1", "T1"])),
        ];
        let h = decide(&list);
        assert_eq!(h.taken("B2", &list[1].1).len(), 1);
    }
}
