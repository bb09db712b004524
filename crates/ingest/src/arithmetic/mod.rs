//! Reading columns from their arithmetic: what a column is, when no header says, from how
//! its values relate to other columns' row after row. A product is a line total (quantity ×
//! rate = amount), a running balance a ledger, and sums an invoice's total and its parts.

pub mod ledger;
pub mod line_totals;
pub mod sums;

use migrationai_domain::value::{text, Currency, DecimalSeparator, Money};
use rust_decimal::Decimal;

use crate::columns::{ColumnProfile, TableSample};

/// Rows of a sample the arithmetic is checked on.
const ROWS: usize = 200;
/// Share of a column's values that must be numbers for it to take part.
const NUMERIC: f64 = 0.9;

/// Numeric columns read at most: each reader tries every combination of them.
const MOST_COLUMNS: usize = 12;

/// What a table's arithmetic says, each reading `None` when its values do not hold it.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub total: Option<line_totals::LineTotal>,
    pub balance: Option<ledger::Balance>,
    pub sums: Option<sums::InvoiceSums>,
    /// The numeric columns written as money is, with two decimal places.
    pub money: Vec<usize>,
}

/// Reads a table's numeric columns once, and looks for each kind of arithmetic in them.
pub fn read(sample: &TableSample, profiles: &[ColumnProfile]) -> Found {
    let numeric = numeric_columns(sample, profiles);
    Found {
        total: line_totals::find(&numeric),
        balance: ledger::find(sample, profiles, &numeric),
        sums: sums::find(&numeric),
        money: numeric
            .iter()
            .filter(|n| n.money_written >= NUMERIC)
            .map(|n| n.column)
            .collect(),
    }
}

/// A table's numeric columns, read from its sample's first rows.
fn numeric_columns(sample: &TableSample, profiles: &[ColumnProfile]) -> Vec<Numbers> {
    let rows = &sample.rows[..sample.rows.len().min(ROWS)];
    profiles
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.flags && !p.values.is_empty())
        .filter_map(|(i, p)| numbers(i, p, rows))
        .take(MOST_COLUMNS)
        .collect()
}

/// A column read as numbers, in its own decimal separator.
pub(crate) struct Numbers {
    pub(crate) column: usize,
    pub(crate) values: Vec<Option<Decimal>>,
    /// Share of its values written with exactly two decimal places, as money is.
    pub(crate) money_written: f64,
    pub(crate) median: Decimal,
}

/// A column's values as numbers, or None when too few are.
fn numbers(column: usize, profile: &ColumnProfile, rows: &[Vec<String>]) -> Option<Numbers> {
    let sep = crate::separators::proven(&profile.values);
    let cells: Vec<&str> = rows
        .iter()
        .map(|r| r.get(column).map(|v| v.trim()).unwrap_or(""))
        .collect();
    let values: Vec<Option<Decimal>> = cells.iter().map(|v| number(v, sep)).collect();
    let filled = cells.iter().filter(|v| !v.is_empty()).count();
    let parsed = values.iter().flatten().count();
    if filled == 0 || (parsed as f64) < NUMERIC * filled as f64 {
        return None;
    }
    let two_places = cells
        .iter()
        .filter(|v| {
            let digits = v.trim_end_matches(|c: char| !c.is_ascii_digit());
            digits
                .rfind(['.', ','])
                .is_some_and(|at| digits.len() - at == 3)
        })
        .count();
    let mut sorted: Vec<Decimal> = values.iter().flatten().map(|d| d.abs()).collect();
    sorted.sort_unstable();
    Some(Numbers {
        column,
        money_written: two_places as f64 / filled as f64,
        median: sorted.get(sorted.len() / 2).copied().unwrap_or_default(),
        values,
    })
}

/// A cell as a number: a quantity ("1.5", "1:30"), or an amount as money is written
/// ("$1,597.50", "(12.00)", "1.234,56 €"), whose sign and currency say nothing of its size.
fn number(cell: &str, sep: Option<DecimalSeparator>) -> Option<Decimal> {
    text::parse_quantity(cell, sep).ok().or_else(|| {
        Money::parse(cell, Currency::USD, sep)
            .ok()
            .map(|m| m.amount)
    })
}

/// A table of `rows` under `headers`, with its columns profiled, for the tests.
#[cfg(test)]
pub(crate) fn table<R, S>(headers: &[&str], rows: &[R]) -> (TableSample, Vec<ColumnProfile>)
where
    R: AsRef<[S]>,
    S: AsRef<str>,
{
    let sample = TableSample {
        name: "t.csv".into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows: rows
            .iter()
            .map(|r| r.as_ref().iter().map(|v| v.as_ref().to_string()).collect())
            .collect(),
    };
    let profiles = (0..headers.len())
        .map(|i| ColumnProfile::of(&sample, i))
        .collect();
    (sample, profiles)
}
