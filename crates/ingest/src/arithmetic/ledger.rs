//! Running balances: a numeric column that, row after row within each group of rows (a
//! matter's), is the previous row's value plus the row's movement: one signed amount, or
//! money in less money out. That is what a trust ledger is, whatever the headers call its
//! columns, and it says which column is which: the balance, the money in (it raises the
//! balance) and the money out.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::Numbers;
use crate::columns::{ColumnProfile, TableSample};

/// Numeric columns tried at most: the search tries every balance with every movement.
const MOST_COLUMNS: usize = 10;
/// Columns tried as the group rows run within, at most (besides the whole table).
const MOST_GROUPS: usize = 6;
/// Rows following another of their group that must check out, at least.
const MIN_ROWS: usize = 5;
/// Share of those rows the balance must hold for.
const CLEAR: f64 = 0.9;

/// How each row moves the balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// One signed amount.
    Amount(usize),
    /// Money in (raises the balance) and money out, a blank being zero.
    InOut { money_in: usize, money_out: usize },
}

/// A running balance found in a table's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    pub balance: usize,
    pub movement: Movement,
    /// The column whose values the balance runs within (None: the whole table).
    pub group: Option<usize>,
    pub checked: usize,
    pub held: usize,
}

/// The best running balance among a table's numeric columns, if one holds clearly.
pub(crate) fn find(
    sample: &TableSample,
    profiles: &[ColumnProfile],
    numeric: &[Numbers],
) -> Option<Balance> {
    let rows = &sample.rows[..sample.rows.len().min(super::ROWS)];
    let numeric = &numeric[..numeric.len().min(MOST_COLUMNS)];
    if numeric.len() < 2 {
        return None;
    }
    let is_numeric = |i: usize| numeric.iter().any(|n| n.column == i);
    // Groups: the whole table, and each column whose values repeat (a matter's rows).
    let group_columns: Vec<Option<usize>> = std::iter::once(None)
        .chain(
            profiles
                .iter()
                .enumerate()
                .filter(|(i, p)| !is_numeric(*i) && p.distinct > 1 && p.uniqueness() < 0.5)
                .take(MOST_GROUPS)
                .map(|(i, _)| Some(i)),
        )
        .collect();
    let groups: Vec<Option<Vec<&str>>> = group_columns
        .iter()
        .map(|g| {
            g.map(|i| {
                rows.iter()
                    .map(|r| r.get(i).map(|v| v.trim()).unwrap_or(""))
                    .collect()
            })
        })
        .collect();
    let mut best: Option<Balance> = None;
    let mut consider = |found: Option<Balance>| {
        if let Some(f) = found {
            if best.is_none_or(|b| f.held > b.held) {
                best = Some(f);
            }
        }
    };
    for (keys, group) in groups.iter().zip(&group_columns) {
        let previous = previous_rows(rows.len(), keys.as_deref());
        for b in numeric {
            for m in numeric.iter().filter(|m| m.column != b.column) {
                consider(check(
                    b,
                    &previous,
                    *group,
                    Movement::Amount(m.column),
                    |i| m.values[i],
                ));
                for out in numeric
                    .iter()
                    .filter(|o| o.column != b.column && o.column != m.column)
                {
                    let movement = Movement::InOut {
                        money_in: m.column,
                        money_out: out.column,
                    };
                    consider(check(b, &previous, *group, movement, |i| {
                        let blank = |v: Option<Decimal>| v.unwrap_or_default();
                        Some(blank(m.values[i]) - blank(out.values[i]))
                    }));
                }
            }
        }
    }
    best
}

/// For each row, the row before it in its group, if any.
fn previous_rows(n: usize, keys: Option<&[&str]>) -> Vec<Option<usize>> {
    let Some(keys) = keys else {
        return (0..n).map(|i| i.checked_sub(1)).collect();
    };
    let mut last: HashMap<&str, usize> = HashMap::new();
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            if k.is_empty() {
                return None;
            }
            last.insert(k, i)
        })
        .collect()
}

fn check(
    balance: &Numbers,
    previous: &[Option<usize>],
    group: Option<usize>,
    movement: Movement,
    moved: impl Fn(usize) -> Option<Decimal>,
) -> Option<Balance> {
    let (mut checked, mut held, mut changed) = (0, 0, 0);
    for (i, prev) in previous.iter().enumerate() {
        let Some(p) = prev else {
            continue;
        };
        let (Some(now), Some(before), Some(m)) = (balance.values[i], balance.values[*p], moved(i))
        else {
            continue;
        };
        checked += 1;
        if now != before {
            changed += 1;
        }
        if now - before == m {
            held += 1;
        }
    }
    // A balance that never moves explains nothing.
    if held < MIN_ROWS || (held as f64) < CLEAR * checked as f64 || 2 * changed < checked {
        return None;
    }
    Some(Balance {
        balance: balance.column,
        movement,
        group,
        checked,
        held,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arithmetic::table;

    #[test]
    fn money_in_and_out_within_each_matter() {
        let (s, p) = table(
            &["nr", "akte", "ein", "aus", "saldo"],
            &[
                &["1", "A", "1000,00", "", "1000,00"],
                &["2", "B", "500,00", "", "500,00"],
                &["3", "A", "", "150,00", "850,00"],
                &["4", "B", "", "50,00", "450,00"],
                &["5", "A", "3000,00", "", "3850,00"],
                &["6", "B", "200,00", "", "650,00"],
                &["7", "A", "", "450,00", "3400,00"],
                &["8", "B", "", "25,50", "624,50"],
            ],
        );
        let found = crate::arithmetic::read(&s, &p).balance.expect("a balance");
        assert_eq!(found.balance, 4);
        assert_eq!(found.group, Some(1));
        assert_eq!(
            found.movement,
            Movement::InOut {
                money_in: 2,
                money_out: 3
            }
        );
    }

    #[test]
    fn one_signed_amount_over_the_whole_table() {
        let (s, p) = table(
            &["amount", "balance"],
            &[
                &["100.00", "100.00"],
                &["-40.00", "60.00"],
                &["25.00", "85.00"],
                &["-5.00", "80.00"],
                &["300.00", "380.00"],
                &["-80.00", "300.00"],
                &["10.00", "310.00"],
            ],
        );
        let found = crate::arithmetic::read(&s, &p).balance.expect("a balance");
        assert_eq!(
            (found.balance, found.movement, found.group),
            (1, Movement::Amount(0), None)
        );
    }

    #[test]
    fn columns_that_do_not_run_are_none() {
        let (s, p) = table(
            &["a", "b"],
            &[
                &["1.00", "7.00"],
                &["2.00", "3.00"],
                &["3.00", "9.00"],
                &["4.00", "1.00"],
                &["5.00", "8.00"],
                &["6.00", "2.00"],
                &["7.00", "5.00"],
            ],
        );
        assert_eq!(crate::arithmetic::read(&s, &p).balance, None);
    }
}
