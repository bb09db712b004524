//! The order a page's records are pushed in, where it matters.
//!
//! Payments of one invoice compete for what is outstanding on it: Filevine refuses a payment
//! above the invoice's outstanding balance, and one the source recorded above what Filevine
//! billed is applied up to the balance it reads first (`Payments::create`), a read and then
//! a write. Pushed side by side, which payment is applied whole, which in part and which is
//! refused would depend on which call lands first, and a read could be stale by its write.
//! So the payments of one invoice are pushed one after another, in the order they were paid
//! (then by source id), and only different invoices' payments go side by side. Every other
//! record is on its own.
//!
//! A page holds the records of a source id range, so one invoice's payments may fall in
//! several pages: pages of such a kind are pushed one after another ([`pages_in_sequence`]),
//! the turns of each page in order of pages, so the outcome is the same whatever runs when.

use chrono::NaiveDate;
use migrationai_domain::{Kind, Value};
use std::collections::{BTreeMap, HashMap};

/// The payment's invoice and the day it was paid (the catalogue's `payment` fields).
const INVOICE: &str = "invoice_id";
const PAID: &str = "paid_on";

/// Whether the pages of `kind` must be pushed one after another: its records compete
/// across pages (see the module's note), so two pages side by side would race.
pub fn pages_in_sequence(kind: Kind) -> bool {
    kind == Kind::Payment
}

/// Groups the records of one page of `kind` (source id, fields) into turns: the indexes of
/// records to push one after another, in that order. Turns may run side by side; together
/// they hold every index once.
pub fn turns<'a, I>(kind: Kind, records: I) -> Vec<Vec<usize>>
where
    I: IntoIterator<Item = (&'a str, &'a BTreeMap<String, Value>)>,
{
    let records: Vec<_> = records.into_iter().collect();
    if kind != Kind::Payment {
        return (0..records.len()).map(|i| vec![i]).collect();
    }
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut of_invoice: HashMap<&str, usize> = HashMap::new();
    for (i, (_, fields)) in records.iter().enumerate() {
        match fields.get(INVOICE) {
            Some(Value::Ref(invoice)) => match of_invoice.get(invoice.as_str()) {
                Some(&turn) => out[turn].push(i),
                None => {
                    of_invoice.insert(invoice, out.len());
                    out.push(vec![i]);
                }
            },
            _ => out.push(vec![i]),
        }
    }
    let key = |i: usize| -> (Option<NaiveDate>, &str) {
        let (id, fields) = records[i];
        let paid = match fields.get(PAID) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        };
        (paid, id)
    };
    for turn in &mut out {
        turn.sort_by_key(|&i| key(i));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment(invoice: Option<&str>, paid: &str) -> BTreeMap<String, Value> {
        let mut f = BTreeMap::new();
        if let Some(i) = invoice {
            f.insert(INVOICE.into(), Value::Ref(i.into()));
        }
        f.insert(PAID.into(), Value::Date(paid.parse().expect("date")));
        f
    }

    #[test]
    fn payments_of_one_invoice_take_turns_in_the_order_they_were_paid() {
        let page = [
            ("P3", payment(Some("I1"), "2024-03-01")),
            ("P1", payment(Some("I2"), "2024-01-01")),
            ("P2", payment(Some("I1"), "2024-02-01")),
            ("P4", payment(None, "2024-01-01")),
            ("P0", payment(Some("I1"), "2024-02-01")),
        ];
        let got = turns(Kind::Payment, page.iter().map(|(id, f)| (*id, f)));
        assert_eq!(got, vec![vec![4, 2, 0], vec![1], vec![3]]);
    }

    #[test]
    fn other_kinds_go_one_record_a_turn() {
        let page = [
            ("A", payment(Some("I1"), "2024-01-01")),
            ("B", payment(Some("I1"), "2024-01-01")),
        ];
        let got = turns(Kind::Notes, page.iter().map(|(id, f)| (*id, f)));
        assert_eq!(got, vec![vec![0], vec![1]]);
    }
}
