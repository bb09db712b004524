//! Reading columns from their arithmetic: what a column is, when no header says, from how
//! its values relate to other columns' row after row. A product is a line total (quantity ×
//! rate = amount), a running balance a ledger, and sums an invoice's total and its parts.

pub mod ledger;
pub mod line_totals;
pub mod sums;

use migrationai_domain::value::number::{evidence, SeparatorEvidence};
use migrationai_domain::value::{text, DecimalSeparator};
use rust_decimal::Decimal;

use crate::columns::{ColumnProfile, TableSample};

/// Rows of a sample the arithmetic is checked on.
const ROWS: usize = 200;
/// Share of a column's values that must be numbers for it to take part.
const NUMERIC: f64 = 0.9;

/// A table's numeric columns, at most `most` of them, read from its sample's first rows.
pub(crate) fn numeric_columns(
    sample: &TableSample,
    profiles: &[ColumnProfile],
    most: usize,
) -> Vec<Numbers> {
    let rows = &sample.rows[..sample.rows.len().min(ROWS)];
    profiles
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.flags && !p.values.is_empty())
        .filter_map(|(i, p)| numbers(i, p, rows))
        .take(most)
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
    let sep = separator(&profile.values);
    let cells: Vec<&str> = rows
        .iter()
        .map(|r| r.get(column).map(|v| v.trim()).unwrap_or(""))
        .collect();
    let values: Vec<Option<Decimal>> = cells
        .iter()
        .map(|v| text::parse_quantity(v, sep).ok())
        .collect();
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

/// The decimal separator a column's own values prove, if they prove one.
fn separator(values: &[String]) -> Option<DecimalSeparator> {
    let (mut point, mut comma) = (false, false);
    for v in values {
        match evidence(v) {
            SeparatorEvidence::Point => point = true,
            SeparatorEvidence::Comma => comma = true,
            SeparatorEvidence::Ambiguous | SeparatorEvidence::None => {}
        }
    }
    match (point, comma) {
        (true, false) => Some(DecimalSeparator::Point),
        (false, true) => Some(DecimalSeparator::Comma),
        _ => None,
    }
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
