//! Sums: numeric columns where, row after row, one is the sum of two others. An invoice's
//! total is its subtotal plus tax, and also what was paid plus what is still due; whatever
//! the headers call them, the arithmetic names the columns. Of two parts of a total, the
//! tax is the one that keeps a steady share of the other (or is always zero); of the paid
//! and the due, the first written is taken as paid: reconciliation checks that reading,
//! since total minus paid must then be the balance due. A column that is the total plus a
//! steady share of it is the subtotal before a discount: what is billed is what paid and due
//! add up to, so a total that splits into them wins over one that only ends a steady share.

use rust_decimal::Decimal;

use super::Numbers;

const MOST_COLUMNS: usize = 10;
const MIN_ROWS: usize = 5;
const CLEAR: f64 = 0.9;
/// How far a tax's share of its subtotal may stray from its usual share and still be the
/// same rate (rounding to the cent).
const STEADY: Decimal = Decimal::from_parts(5, 0, 0, false, 3);

/// An invoice's amounts found in a table's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InvoiceSums {
    pub total: usize,
    pub subtotal: Option<usize>,
    pub tax: Option<usize>,
    pub discount: Option<usize>,
    pub paid: Option<usize>,
    pub balance_due: Option<usize>,
}

/// The two parts of a total, in column order.
#[derive(Debug, Clone, Copy)]
struct Sum {
    total: usize,
    first: usize,
    second: usize,
}

/// An invoice's total and its parts, when the values hold them clearly.
pub(crate) fn find(numeric: &[Numbers]) -> Option<InvoiceSums> {
    let numeric = &numeric[..numeric.len().min(MOST_COLUMNS)];
    let mut sums: Vec<Sum> = Vec::new();
    for t in numeric {
        for (x, a) in numeric.iter().enumerate() {
            for b in numeric.iter().skip(x + 1) {
                if t.column == a.column || t.column == b.column {
                    continue;
                }
                if holds(t, a, b) {
                    let (first, second) = if a.column < b.column {
                        (a.column, b.column)
                    } else {
                        (b.column, a.column)
                    };
                    sums.push(Sum {
                        total: t.column,
                        first,
                        second,
                    });
                }
            }
        }
    }
    let column = |c: usize| numeric.iter().find(|n| n.column == c);
    let shared = |s: &Sum| match (column(s.first), column(s.second)) {
        (Some(a), Some(b)) => tax_of(a, b),
        _ => None,
    };
    // The total is the column most sums end in; of two, the one paid and due split.
    let total = sums.iter().map(|s| s.total).max_by_key(|t| {
        let ending = || sums.iter().filter(|s| s.total == *t);
        (
            ending().count(),
            ending().any(|s| shared(s).is_none()),
            usize::MAX - t,
        )
    })?;
    let mut found = InvoiceSums {
        total,
        ..InvoiceSums::default()
    };
    for s in sums.iter().filter(|s| s.total == total) {
        let (Some(a), Some(b)) = (column(s.first), column(s.second)) else {
            continue;
        };
        if let Some((sub, tax)) = tax_of(a, b) {
            if found.subtotal.is_none() {
                found.subtotal = Some(sub);
                found.tax = Some(tax);
            }
        } else if found.paid.is_none() {
            found.paid = Some(s.first);
            found.balance_due = Some(s.second);
        }
    }
    if found.subtotal.is_none() {
        // A subtotal less a discount: the subtotal is the total plus a steady share.
        let discounted = sums.iter().find_map(|s| {
            let part = match (s.first, s.second) {
                (a, d) if a == total => d,
                (d, b) if b == total => d,
                _ => return None,
            };
            let (whole, share) = tax_of(column(total)?, column(part)?)?;
            (whole == total && share == part).then_some((s.total, part))
        });
        if let Some((subtotal, discount)) = discounted {
            found.subtotal = Some(subtotal);
            found.discount = Some(discount);
        }
    }
    (found.subtotal.is_some() || found.paid.is_some()).then_some(found)
}

/// Whether `total = a + b` on the rows that hold all three, with `b` not always zero (a
/// column plus nothing is a copy, not a sum) and `a` not either.
fn holds(total: &Numbers, a: &Numbers, b: &Numbers) -> bool {
    let (mut checked, mut held, mut a_zero, mut b_zero) = (0, 0, 0, 0);
    for ((t, x), y) in total.values.iter().zip(&a.values).zip(&b.values) {
        let (Some(t), Some(x), Some(y)) = (t, x, y) else {
            continue;
        };
        checked += 1;
        if *t == *x + *y {
            held += 1;
        }
        a_zero += usize::from(x.is_zero());
        b_zero += usize::from(y.is_zero());
    }
    held >= MIN_ROWS
        && held as f64 >= CLEAR * checked as f64
        && a_zero < checked
        && b_zero < checked
}

/// Of two parts, (subtotal, tax) when one is a steady share of the other on nearly every
/// row: the same rate, rounded to the cent.
fn tax_of(a: &Numbers, b: &Numbers) -> Option<(usize, usize)> {
    for (sub, tax) in [(a, b), (b, a)] {
        let shares: Vec<Decimal> = sub
            .values
            .iter()
            .zip(&tax.values)
            .filter_map(|(s, t)| match (s, t) {
                (Some(s), Some(t)) if !s.is_zero() => Some(*t / *s),
                _ => None,
            })
            .collect();
        if shares.len() < MIN_ROWS {
            continue;
        }
        let mut sorted = shares.clone();
        sorted.sort_unstable();
        let usual = sorted[sorted.len() / 2];
        if usual <= Decimal::ZERO || usual >= Decimal::ONE {
            continue;
        }
        let steady = shares
            .iter()
            .filter(|s| (**s - usual).abs() <= STEADY)
            .count();
        if steady as f64 >= CLEAR * shares.len() as f64 {
            return Some((sub.column, tax.column));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arithmetic::table;

    #[test]
    fn net_tax_gross_paid_and_open() {
        let rows: Vec<Vec<String>> = (0..12)
            .map(|r| {
                let net = Decimal::from(500 + 100 * r);
                let tax = (net * Decimal::new(19, 2)).round_dp(2);
                let gross = net + tax;
                let paid = [Decimal::ZERO, gross, Decimal::from(200)][r % 3];
                let c = |d: Decimal| format!("{d:.2}").replace('.', ",");
                vec![
                    format!("RE-{r}"),
                    c(net),
                    c(tax),
                    c(gross),
                    c(paid),
                    c(gross - paid),
                ]
            })
            .collect();
        let (s, p) = table(
            &["nr", "netto", "mwst", "brutto", "bezahlt", "offen"],
            &rows,
        );
        assert_eq!(
            crate::arithmetic::read(&s, &p).sums,
            Some(InvoiceSums {
                total: 3,
                subtotal: Some(1),
                tax: Some(2),
                discount: None,
                paid: Some(4),
                balance_due: Some(5),
            })
        );
    }

    /// A discount is a steady share as a tax is, but taken off: the subtotal is then the
    /// total plus it, and the total is still what paid and due add up to.
    #[test]
    fn a_discount_off_the_subtotal_leaves_the_total_that_paid_and_due_split() {
        let rows: Vec<Vec<String>> = (0..12)
            .map(|r| {
                let sub = Decimal::from(1000 + 250 * r);
                let discount = (sub * Decimal::new(5, 2)).round_dp(2);
                let total = sub - discount;
                let paid = [Decimal::ZERO, total, Decimal::from(300)][r % 3];
                let c = |d: Decimal| format!("${d:.2}");
                vec![
                    format!("B{r}"),
                    c(sub),
                    c(discount),
                    c(total),
                    c(paid),
                    c(total - paid),
                ]
            })
            .collect();
        let (s, p) = table(&["c1", "c2", "c3", "c4", "c5", "c6"], &rows);
        assert_eq!(
            crate::arithmetic::read(&s, &p).sums,
            Some(InvoiceSums {
                total: 3,
                subtotal: Some(1),
                tax: None,
                discount: Some(2),
                paid: Some(4),
                balance_due: Some(5),
            })
        );
    }

    #[test]
    fn unrelated_amounts_are_none() {
        let rows: Vec<Vec<String>> = (0..10)
            .map(|r| {
                vec![
                    format!("{}.00", 100 + 7 * r),
                    format!("{}.00", 13 * r + 1),
                    format!("{}.00", 1000 - 3 * r * r),
                ]
            })
            .collect();
        let (s, p) = table(&["a", "b", "c"], &rows);
        assert_eq!(crate::arithmetic::read(&s, &p).sums, None);
    }
}
