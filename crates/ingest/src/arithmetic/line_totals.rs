//! Line totals: three numeric columns where, row after row, one is the product of the other
//! two (`amount = rate × quantity`, the quantity in hours, tenths or minutes). That is what
//! a time or expense entry is, whatever the headers call its columns, and it also says which
//! column is which: the total is the product, and the rate is the column written as money.

use super::Numbers;
use crate::units::{fits, QuantityUnit};

/// Numeric columns tried at most: the search tries every ordered triple.
const MOST_COLUMNS: usize = 12;
/// Rows with all three values that must hold the product, at least.
const MIN_ROWS: usize = 5;
/// Share of the rows with all three values the product must hold for.
const CLEAR: f64 = 0.9;

/// The columns of a line total found in a table's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineTotal {
    pub quantity: usize,
    pub rate: usize,
    pub amount: usize,
    /// The unit the quantity is in, when rate × quantity is read as hours.
    pub unit: QuantityUnit,
    /// Rows that hold all three values, and of those the ones the product holds for.
    pub checked: usize,
    pub held: usize,
}

/// The best line total among a table's numeric columns, if one holds clearly.
pub(crate) fn find(numeric: &[Numbers]) -> Option<LineTotal> {
    let numeric = &numeric[..numeric.len().min(MOST_COLUMNS)];
    if numeric.len() < 3 {
        return None;
    }
    let mut best: Option<LineTotal> = None;
    for a in numeric {
        for (x, q) in numeric.iter().enumerate() {
            for r in numeric.iter().skip(x + 1) {
                if a.column == q.column || a.column == r.column {
                    continue;
                }
                for unit in QuantityUnit::ALL {
                    let Some(found) = check(a, q, r, unit) else {
                        continue;
                    };
                    if best.is_none_or(|b| found.held > b.held) {
                        best = Some(found);
                    }
                }
            }
        }
    }
    best
}

/// Whether `amount = x × y` holds in `unit` for the rows; the product is the same either way
/// round, so the rate is the column written as money, or else the larger one.
fn check(amount: &Numbers, x: &Numbers, y: &Numbers, unit: QuantityUnit) -> Option<LineTotal> {
    let (mut checked, mut held) = (0, 0);
    for ((a, q), r) in amount.values.iter().zip(&x.values).zip(&y.values) {
        let (Some(a), Some(q), Some(r)) = (a, q, r) else {
            continue;
        };
        if a.is_zero() || q.is_zero() || r.is_zero() {
            continue;
        }
        checked += 1;
        if fits(unit, q.abs(), r.abs(), a.abs()) {
            held += 1;
        }
    }
    if held < MIN_ROWS || (held as f64) < CLEAR * checked as f64 {
        return None;
    }
    let x_is_rate = match (x.money_written >= CLEAR, y.money_written >= CLEAR) {
        (true, false) => true,
        (false, true) => false,
        _ => x.median > y.median,
    };
    let (rate, quantity) = if x_is_rate { (x, y) } else { (y, x) };
    Some(LineTotal {
        quantity: quantity.column,
        rate: rate.column,
        amount: amount.column,
        unit,
        checked,
        held,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arithmetic::table;

    #[test]
    fn minutes_times_a_rate_in_decimal_commas_is_a_line_total() {
        let (s, p) = table(
            &["n", "a", "b", "c"],
            &[
                &["1", "6", "300,00", "30,00"],
                &["2", "90", "180,00", "270,00"],
                &["3", "30", "240,00", "120,00"],
                &["4", "45", "240,00", "180,00"],
                &["5", "15", "300,00", "75,00"],
                &["6", "120", "180,00", "360,00"],
            ],
        );
        let found = crate::arithmetic::read(&s, &p).total.expect("a line total");
        assert_eq!(
            (found.quantity, found.rate, found.amount, found.unit),
            (1, 2, 3, QuantityUnit::Minutes)
        );
    }

    #[test]
    fn hours_and_a_money_written_rate() {
        let (s, p) = table(
            &["hours", "rate", "total", "count"],
            &[
                &["1.5", "200.00", "300.00", "7"],
                &["0.2", "350.00", "70.00", "3"],
                &["2.0", "150.00", "300.00", "9"],
                &["3.5", "200.00", "700.00", "1"],
                &["0.5", "250.00", "125.00", "4"],
            ],
        );
        let found = crate::arithmetic::read(&s, &p).total.expect("a line total");
        assert_eq!(
            (found.quantity, found.rate, found.amount, found.unit),
            (0, 1, 2, QuantityUnit::Hours)
        );
    }

    #[test]
    fn numbers_that_only_sometimes_multiply_are_none() {
        let (s, p) = table(
            &["a", "b", "c"],
            &[
                &["2", "3", "6"],
                &["4", "5", "7"],
                &["1", "9", "2"],
                &["8", "2", "3"],
                &["6", "6", "1"],
                &["3", "3", "5"],
            ],
        );
        assert_eq!(crate::arithmetic::read(&s, &p).total, None);
    }
}
