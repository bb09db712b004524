//! Columns nobody decided about: a mapped table's columns that no field takes, that are not
//! its key, and that the mapping does not leave out on purpose (`"X" = "ignore"`). Their
//! values are not carried into any record, so the report says what they held: how many
//! values, and whether they were amounts or dates. Amounts no field takes are money the
//! migration would drop without a word, and a person must decide about them.

use serde::{Deserialize, Serialize};

use crate::mapping::{FileMapping, Key};

/// Values of a column classified, at most: the shape of a column shows in its first values,
/// and classifying every cell of a large table would cost the planner time for nothing.
const CLASSIFIED: u64 = 1000;
/// Share of the classified values that must be of a shape for the column to hold it.
const HOLDS: f64 = 0.9;

/// What an undecided column holds, as the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holds {
    /// Money written as money: two decimal places, or a currency sign.
    Amounts,
    Dates,
    /// Anything else: names, codes, flags, counts.
    Other,
}

impl Holds {
    /// The word the report and the API use, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Holds::Amounts => "amounts",
            Holds::Dates => "dates",
            Holds::Other => "other",
        }
    }
}

/// One undecided column, with what the rows held in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndecidedColumn {
    pub header: String,
    /// Rows with a value in this column: values no record carries.
    pub values: u64,
    pub holds: Holds,
}

/// Counts an undecided column's values as the planner reads the table's rows.
#[derive(Debug)]
pub struct Tally {
    columns: Vec<Counter>,
}

#[derive(Debug)]
struct Counter {
    index: usize,
    header: String,
    values: u64,
    classified: u64,
    amounts: u64,
    dates: u64,
}

impl Tally {
    /// The undecided columns of a table read with `headers` under `file`'s mapping.
    /// `taken`: headers a kind read from this table maps (see [`FileMapping::from`]). A
    /// table read that way has no columns of its own to decide about.
    pub fn new(file: &FileMapping, headers: &[String], taken: &[&str]) -> Tally {
        if file.from.is_some() {
            return Tally {
                columns: Vec::new(),
            };
        }
        let key: &[String] = match &file.key {
            Key::Columns(h) => h,
            Key::Field | Key::Derived => &[],
        };
        let columns = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                let mapped = file.columns.iter().any(|(c, f)| c == *h && f.is_some())
                    || file.times.iter().any(|(c, _)| c == *h);
                !mapped
                    && !key.contains(h)
                    && !file.ignored.contains(h)
                    && !taken.contains(&h.as_str())
            })
            .map(|(index, h)| Counter {
                index,
                header: h.clone(),
                values: 0,
                classified: 0,
                amounts: 0,
                dates: 0,
            })
            .collect();
        Tally { columns }
    }

    pub fn row(&mut self, values: &[String]) {
        for c in &mut self.columns {
            let Some(v) = values
                .get(c.index)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
            else {
                continue;
            };
            c.values += 1;
            if c.classified < CLASSIFIED {
                c.classified += 1;
                if looks_like_amount(v) {
                    c.amounts += 1;
                } else if looks_like_date(v) {
                    c.dates += 1;
                }
            }
        }
    }

    /// The columns that held any value, in the table's order.
    pub fn finish(self) -> Vec<UndecidedColumn> {
        self.columns
            .into_iter()
            .filter(|c| c.values > 0)
            .map(|c| {
                let share = |n: u64| n as f64 >= HOLDS * c.classified as f64;
                let holds = if share(c.amounts) {
                    Holds::Amounts
                } else if share(c.dates) {
                    Holds::Dates
                } else {
                    Holds::Other
                };
                UndecidedColumn {
                    header: c.header,
                    values: c.values,
                    holds,
                }
            })
            .collect()
    }
}

/// Money as people write it: digits with a decimal separator and two places ("240,00",
/// "1,234.50", "-5.00"), or a number beside a currency sign ("$12", "12 €"). Whole numbers
/// alone are counts, codes or ids as often as money, and are not counted.
fn looks_like_amount(v: &str) -> bool {
    let signed = v.trim_start_matches(['-', '+', '(']).trim_end_matches(')');
    let sign = signed.starts_with(|c: char| is_currency_sign(c))
        || signed.ends_with(|c: char| is_currency_sign(c));
    let body = signed.trim_matches(|c: char| is_currency_sign(c) || c.is_whitespace());
    if body.is_empty() || !body.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '\'' | ' '))
    {
        return false;
    }
    let two_places = body.rfind(['.', ',']).is_some_and(|at| {
        body.len() - at == 3 && body[at + 1..].chars().all(|c| c.is_ascii_digit())
    });
    two_places || sign
}

fn looks_like_date(v: &str) -> bool {
    v.len() <= 32 && crate::columns::reads_as_date(v)
}

/// A sign written beside an amount: the dollar, and the signs [`crate::currency`] reads.
fn is_currency_sign(c: char) -> bool {
    c == '$' || crate::currency::SIGNS.iter().any(|(s, _)| *s == c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::Mapping;

    fn mapping() -> FileMapping {
        Mapping::parse(
            "m.toml",
            r#"
[[file]]
path = "Zeiten.csv"
kind = "billing-items"
key = "Nr"
[file.columns]
"Nr" = ""
"Akte" = "project_id"
"Datum" = "date"
"Satz" = ""
"Notiz" = ""
"Alt" = "ignore"
"Angelegt" = ""
"#,
        )
        .expect("mapping")
        .files
        .remove(0)
    }

    #[test]
    fn amounts_dates_and_the_rest_are_told_apart_and_decided_columns_are_not_counted() {
        let headers: Vec<String> = ["Nr", "Akte", "Datum", "Satz", "Notiz", "Alt", "Angelegt"]
            .iter()
            .map(|h| h.to_string())
            .collect();
        let mut tally = Tally::new(&mapping(), &headers, &[]);
        for (i, satz) in ["240,00", "1.234,50", "$12", "180,00"].iter().enumerate() {
            let n = i.to_string();
            let row: Vec<String> = [
                n.as_str(),
                "A1",
                "01.02.2024",
                satz,
                if i == 0 { "ring back" } else { "" },
                "x",
                "03.04.2021",
            ]
            .iter()
            .map(|v| v.to_string())
            .collect();
            tally.row(&row);
        }
        let found = tally.finish();
        let seen: Vec<(&str, u64, Holds)> = found
            .iter()
            .map(|c| (c.header.as_str(), c.values, c.holds))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("Satz", 4, Holds::Amounts),
                ("Notiz", 1, Holds::Other),
                ("Angelegt", 4, Holds::Dates),
            ]
        );
    }

    #[test]
    fn whole_numbers_are_not_amounts() {
        assert!(!looks_like_amount("90"));
        assert!(!looks_like_amount("2024"));
        assert!(!looks_like_amount("K1000"));
        assert!(looks_like_amount("-5.00"));
        assert!(looks_like_amount("(1,200.00)"));
        assert!(looks_like_amount("12 €"));
    }
}
