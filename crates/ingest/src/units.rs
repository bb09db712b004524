//! The unit a time entry's quantity is written in: hours, tenths of an hour (6-minute units)
//! or minutes.
//!
//! Storing 10 six-minute units as 10 hours changes every time entry silently, so the unit is
//! read from the export's own values: on a time row, `amount ≈ rate × hours` holds for one
//! unit only. A clear majority of the sampled time rows decides it; a mixed or thin result is
//! a question. Header words ("min", "units") are weak evidence, used only when no row has a
//! rate and an amount to check, and then only as a question's proposal.

use std::fmt;
use std::str::FromStr;

use migrationai_domain::catalogue::KindDef;
use migrationai_domain::record::{choose, CanonicalRecord, Value};
use migrationai_domain::value::{text, Currency, DecimalSeparator, Money};
use migrationai_domain::Kind;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::columns::TableSample;
use crate::header::normalise_header;
use crate::question::{Question, Topic};
use crate::suggest::TableSuggestion;

/// Rows that must check out before the values decide anything.
const MIN_ROWS: usize = 3;
/// Share of the checked rows the chosen unit must explain.
const CLEAR: f64 = 0.8;
/// Decimal places hours read from minutes keep.
const MINUTE_PLACES: u32 = 4;

/// The unit of a time entry's quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantityUnit {
    #[default]
    Hours,
    /// Tenths of an hour (6-minute units): 2 is 0.2 h.
    Tenths,
    /// Minutes: 90 is 1.5 h.
    Minutes,
}

impl QuantityUnit {
    pub const ALL: [QuantityUnit; 3] = [
        QuantityUnit::Hours,
        QuantityUnit::Tenths,
        QuantityUnit::Minutes,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuantityUnit::Hours => "hours",
            QuantityUnit::Tenths => "tenths",
            QuantityUnit::Minutes => "minutes",
        }
    }

    /// A quantity in this unit, in hours: tenths exactly, minutes to 4 decimal places.
    pub fn to_hours(self, quantity: Decimal) -> Decimal {
        match self {
            QuantityUnit::Hours => quantity,
            QuantityUnit::Tenths => quantity * Decimal::new(1, 1),
            QuantityUnit::Minutes => (quantity / Decimal::from(60))
                .round_dp_with_strategy(MINUTE_PLACES, RoundingStrategy::MidpointAwayFromZero)
                .normalize(),
        }
    }

    /// Converts a billing record's quantity to hours, on time entries only (an expense's
    /// quantity is a count, a flat fee's a number of items).
    pub fn convert(self, record: &mut CanonicalRecord) {
        if self == QuantityUnit::Hours
            || record.kind != Kind::BillingItems
            || record.text("item_type") != Some("time")
        {
            return;
        }
        if let Some(Value::Decimal(q)) = record.fields.get_mut("quantity") {
            *q = self.to_hours(*q);
        }
    }
}

impl fmt::Display for QuantityUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for QuantityUnit {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().to_ascii_lowercase();
        QuantityUnit::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| {
                format!("quantity_unit \"{s}\" must be \"hours\", \"tenths\" or \"minutes\"")
            })
    }
}

/// Share of a billing table's quantities that must be fractions for its rows to be time.
const FRACTIONS: f64 = 0.2;

/// The item type a billing table's quantities imply when neither a column nor its name gives
/// one: quantities that run in fractions of a unit (1.5, 0.2) are hours worked, so the rows
/// are time entries; an expense's or a flat fee's quantity is a count, a whole number.
pub fn item_type_from_quantities(def: &KindDef, quantities: &[String]) -> Option<&'static str> {
    if def.kind != Kind::BillingItems || quantities.is_empty() {
        return None;
    }
    // The column's own values decide its separator, as `separators` decides it for reading:
    // "0,5" beside "1,25" is a decimal comma, and then "2,0" is a whole two.
    let known = crate::separators::proven(quantities);
    let fractions = quantities.iter().filter(|v| is_fraction(v, known)).count();
    (fractions as f64 >= FRACTIONS * quantities.len() as f64).then_some("time")
}

/// A number with a fractional part in the column's separator, or, when the column does not
/// prove one, however its separator is read (never "1,500", which is a fraction only if the
/// comma is a decimal point).
fn is_fraction(v: &str, known: Option<DecimalSeparator>) -> bool {
    let separators = match known {
        Some(s) => vec![s],
        None => vec![DecimalSeparator::Point, DecimalSeparator::Comma],
    };
    // A clock duration ("2:30") is hours worked whatever its minutes.
    if text::clock_hours(v).is_some() {
        return true;
    }
    let readings: Vec<Decimal> = separators
        .into_iter()
        .filter_map(|s| text::parse_decimal(v, Some(s)).ok())
        .collect();
    !readings.is_empty() && readings.iter().all(|d| !d.fract().is_zero())
}

/// What the sampled time rows say: rows checked, and how many each unit explains.
#[derive(Debug, Default, PartialEq, Eq)]
struct Votes {
    /// Time rows with a quantity, a rate and an amount, none zero.
    checked: usize,
    /// Per unit of [`QuantityUnit::ALL`], the rows where `amount ≈ rate × hours`.
    fits: [usize; 3],
}

/// Decides the quantity unit of a billing table from its sample and records it (with its
/// evidence) in the suggestion; a result the values do not settle is a question.
pub fn settle(t: &mut TableSuggestion, def: &KindDef, sample: &TableSample) {
    if def.kind != Kind::BillingItems {
        return;
    }
    let Some(quantity) = t.column_for("quantity") else {
        return;
    };
    let header = quantity.header.clone();
    if let Some((_, item_type)) = t.defaults.iter().find(|(f, _)| *f == "item_type") {
        if item_type != "time" {
            // An expenses file: its quantities are counts.
            return;
        }
    }
    let votes = votes(t, def, sample);
    let ask = |proposed: QuantityUnit, options: Vec<QuantityUnit>, evidence: String| Question {
        table: t.table.clone(),
        column: Some(header.clone()),
        topic: Topic::QuantityUnit,
        prompt: "which unit are this column's time entries written in?".into(),
        options: options.iter().map(|u| u.to_string()).collect(),
        proposed: Some(proposed.to_string()),
        evidence,
        setting: format!("quantity_unit = \"{proposed}\""),
    };
    let Some(votes) = votes else {
        // No rate and amount to check against: only the header's words are left.
        if let Some(unit) = unit_in_header(&header) {
            let evidence = format!(
                "No time row has a rate and an amount to check the quantity against; the \
                 header \"{header}\" suggests {unit}."
            );
            t.questions
                .push(ask(unit, vec![unit, QuantityUnit::Hours], evidence.clone()));
            t.quantity_unit = unit;
            t.quantity_unit_evidence = Some(evidence);
        }
        return;
    };
    let mut ranked: Vec<(QuantityUnit, usize)> = QuantityUnit::ALL
        .into_iter()
        .zip(votes.fits)
        .filter(|(_, n)| *n > 0)
        .collect();
    ranked.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let explained: usize = votes.fits.iter().sum();
    let summary = ranked
        .iter()
        .map(|(u, n)| format!("{n} as {u}"))
        .collect::<Vec<_>>()
        .join(", ");
    let evidence = format!(
        "Of {} sampled time rows with a quantity, rate and amount, amount = rate × hours holds \
         for {}",
        votes.checked,
        if summary.is_empty() {
            "none".to_string()
        } else {
            summary
        }
    );
    match ranked.first() {
        Some(&(unit, n))
            if explained >= MIN_ROWS
                && n as f64 >= CLEAR * explained as f64
                && 2 * explained >= votes.checked =>
        {
            t.quantity_unit = unit;
            t.quantity_unit_evidence = Some(format!("{evidence}."));
        }
        _ => {
            let mut options: Vec<QuantityUnit> = ranked.iter().map(|(u, _)| *u).collect();
            if !options.contains(&QuantityUnit::Hours) {
                options.push(QuantityUnit::Hours);
            }
            let evidence = format!(
                "{evidence}: no unit explains most of them, so quantities are read as hours \
                 until this is answered."
            );
            t.questions
                .push(ask(QuantityUnit::Hours, options, evidence.clone()));
            t.quantity_unit = QuantityUnit::Hours;
            t.quantity_unit_evidence = Some(evidence);
        }
    }
}

/// Checks each sampled time row against every unit; None when the table has no rate and
/// amount columns, or no time row holds all three values.
fn votes(t: &TableSuggestion, def: &KindDef, sample: &TableSample) -> Option<Votes> {
    let column = |field: &str| t.column_for(field).map(|c| (c.column, c.header.as_str()));
    let (quantity, rate, amount) = (column("quantity")?, column("rate")?, column("amount")?);
    let item_type = column("item_type").zip(def.field("item_type"));
    let separator = |header: &str| t.decimal.iter().find(|(h, _)| h == header).map(|(_, s)| *s);
    let cell = |row: &[String], i: usize| row.get(i).map(|v| v.trim().to_string());
    let mut votes = Votes::default();
    for row in &sample.rows {
        if let Some(((i, _), fd)) = item_type {
            let is_time = cell(row, i)
                .and_then(|v| choose(fd, &v).ok())
                .is_some_and(|c| c == "time");
            if !is_time {
                continue;
            }
        }
        let number = |(i, header): (usize, &str)| -> Option<Decimal> {
            let v = cell(row, i)?;
            let sep = separator(header);
            let d = Money::parse(&v, Currency::USD, sep)
                .map(|m| m.amount)
                .or_else(|_| text::parse_quantity(&v, sep))
                .ok()?;
            (!d.is_zero()).then_some(d.abs())
        };
        let (Some(q), Some(r), Some(a)) = (number(quantity), number(rate), number(amount)) else {
            continue;
        };
        votes.checked += 1;
        for (n, unit) in QuantityUnit::ALL.into_iter().enumerate() {
            if fits(unit, q, r, a) {
                votes.fits[n] += 1;
            }
        }
    }
    (votes.checked > 0).then_some(votes)
}

/// Whether `amount ≈ rate × hours` with the quantity read in `unit`: within a cent or two of
/// rounding, or 0.2% of the amount. The units are 6 to 60 times apart, so at most one fits.
pub(crate) fn fits(unit: QuantityUnit, quantity: Decimal, rate: Decimal, amount: Decimal) -> bool {
    let hours = match unit {
        // Unrounded, so that 50 minutes at 200 fits 166.67.
        QuantityUnit::Minutes => quantity / Decimal::from(60),
        u => u.to_hours(quantity),
    };
    let tolerance = (amount * Decimal::new(2, 3)).max(Decimal::new(2, 2));
    (amount - rate * hours).abs() <= tolerance
}

/// The unit a header's words name, if any: weak evidence, for a question's proposal only.
fn unit_in_header(header: &str) -> Option<QuantityUnit> {
    let h = normalise_header(header);
    let words: Vec<&str> = h
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let any = |names: &[&str]| words.iter().any(|w| names.contains(w));
    if any(&["min", "mins", "minute", "minutes"]) {
        Some(QuantityUnit::Minutes)
    } else if any(&["unit", "units", "tenth", "tenths"]) {
        Some(QuantityUnit::Tenths)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::{suggest_table, DEFAULT_THRESHOLD};

    /// Quantities in fractions are hours worked; whole counts say nothing, and no kind but
    /// billing items has an item type to imply.
    #[test]
    fn fractional_quantities_imply_time_entries() {
        let values = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let billing = migrationai_domain::catalogue::kind_def(Kind::BillingItems);
        let hours = values(&["1.5", "0.2", "1.0", "3.0"]);
        assert_eq!(item_type_from_quantities(billing, &hours), Some("time"));
        assert_eq!(
            item_type_from_quantities(billing, &values(&["1", "2", "12"])),
            None
        );
        // "1,500" is fifteen hundred or one and a half: no evidence either way.
        assert_eq!(
            item_type_from_quantities(billing, &values(&["1,500", "2"])),
            None
        );
        // Decimal commas, proved by the column's own values: two of three are fractions.
        assert_eq!(
            item_type_from_quantities(billing, &values(&["0,5", "2,0", "1,25"])),
            Some("time")
        );
        assert_eq!(item_type_from_quantities(billing, &[]), None);
        let projects = migrationai_domain::catalogue::kind_def(Kind::Projects);
        assert_eq!(item_type_from_quantities(projects, &hours), None);
    }

    /// A time-entries table; each row is (type, quantity, rate, amount).
    fn table(quantity_header: &str, rows: &[(&str, &str, &str, &str)]) -> TableSuggestion {
        let sample = TableSample {
            name: "time entries.csv".into(),
            headers: [
                "Entry ID",
                "Matter",
                "Type",
                "Date",
                quantity_header,
                "Rate",
                "Amount",
                "Description",
            ]
            .iter()
            .map(|h| h.to_string())
            .collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, (ty, q, r, a))| {
                    [
                        &format!("E{i}"),
                        "M-1",
                        *ty,
                        "2024-03-05",
                        *q,
                        *r,
                        *a,
                        "work",
                    ]
                    .iter()
                    .map(|v| v.to_string())
                    .collect()
                })
                .collect(),
        };
        let t = suggest_table(&sample, DEFAULT_THRESHOLD);
        assert_eq!(t.kind, Some(Kind::BillingItems), "{t:?}");
        assert_eq!(
            t.column_for("quantity").map(|c| c.header.as_str()),
            Some(quantity_header),
            "{t:?}"
        );
        t
    }

    fn unit_questions(t: &TableSuggestion) -> Vec<&Question> {
        t.questions
            .iter()
            .filter(|q| q.topic == Topic::QuantityUnit)
            .collect()
    }

    #[test]
    fn six_minute_units_are_read_as_tenths() {
        let t = table(
            "Units",
            &[
                ("time", "2", "250.00", "50.00"),
                ("time", "10", "250.00", "250.00"),
                ("time", "3", "300.00", "90.00"),
                ("time", "15", "200.00", "300.00"),
                // A discounted entry fits no unit and does not decide anything.
                ("time", "4", "200.00", "20.00"),
            ],
        );
        assert_eq!(t.quantity_unit, QuantityUnit::Tenths);
        assert!(unit_questions(&t).is_empty(), "{:?}", t.questions);
        let evidence = t.quantity_unit_evidence.as_deref().unwrap_or_default();
        assert!(evidence.contains("4 as tenths"), "{evidence}");
    }

    #[test]
    fn minutes_are_read_as_minutes_and_hours_as_hours() {
        let minutes = table(
            "Duration",
            &[
                ("time", "90", "200.00", "300.00"),
                ("time", "50", "200.00", "166.67"),
                ("time", "6", "250.00", "25.00"),
            ],
        );
        assert_eq!(minutes.quantity_unit, QuantityUnit::Minutes);
        assert!(unit_questions(&minutes).is_empty());
        let hours = table(
            "Units",
            &[
                ("time", "1.5", "200.00", "300.00"),
                ("time", "0.25", "200.00", "50.00"),
                ("time", "2", "350.00", "700.00"),
            ],
        );
        assert_eq!(hours.quantity_unit, QuantityUnit::Hours);
        assert!(unit_questions(&hours).is_empty());
    }

    #[test]
    fn expense_rows_are_not_evidence() {
        // Expense quantities are counts: 10 copies at 0.25 are 2.50 whatever the time unit.
        let t = table(
            "Units",
            &[
                ("expense", "10", "0.25", "2.50"),
                ("expense", "4", "12.00", "48.00"),
                ("expense", "100", "0.10", "10.00"),
                ("time", "2", "250.00", "50.00"),
                ("time", "10", "250.00", "250.00"),
                ("time", "5", "300.00", "150.00"),
            ],
        );
        assert_eq!(t.quantity_unit, QuantityUnit::Tenths, "{t:?}");
        assert!(unit_questions(&t).is_empty(), "{:?}", t.questions);
    }

    #[test]
    fn a_mixed_or_thin_result_is_a_question_and_keeps_hours() {
        let mixed = table(
            "Units",
            &[
                ("time", "2", "250.00", "50.00"),
                ("time", "10", "250.00", "250.00"),
                ("time", "1.5", "200.00", "300.00"),
                ("time", "2", "350.00", "700.00"),
            ],
        );
        assert_eq!(mixed.quantity_unit, QuantityUnit::Hours);
        let q = unit_questions(&mixed);
        assert_eq!(q.len(), 1, "{:?}", mixed.questions);
        assert_eq!(q[0].proposed.as_deref(), Some("hours"));
        assert!(q[0].options.contains(&"tenths".to_string()), "{:?}", q[0]);
        assert_eq!(q[0].setting, "quantity_unit = \"hours\"");

        let thin = table("Units", &[("time", "2", "250.00", "50.00")]);
        assert_eq!(thin.quantity_unit, QuantityUnit::Hours);
        assert_eq!(unit_questions(&thin).len(), 1, "{:?}", thin.questions);
    }

    #[test]
    fn header_words_only_propose_when_no_row_can_be_checked() {
        let t = table(
            "Duration (min)",
            &[
                ("time", "90", "", ""),
                ("time", "30", "", "0"),
                ("time", "45", "", ""),
            ],
        );
        assert_eq!(t.quantity_unit, QuantityUnit::Minutes);
        let q = unit_questions(&t);
        assert_eq!(q.len(), 1, "{:?}", t.questions);
        assert_eq!(q[0].proposed.as_deref(), Some("minutes"));
        // With rows to check, the values win over the header's words.
        let t = table(
            "Duration (min)",
            &[
                ("time", "1.5", "200.00", "300.00"),
                ("time", "0.5", "200.00", "100.00"),
                ("time", "2", "350.00", "700.00"),
            ],
        );
        assert_eq!(t.quantity_unit, QuantityUnit::Hours);
        assert!(unit_questions(&t).is_empty(), "{:?}", t.questions);
    }

    #[test]
    fn conversion_is_exact_for_tenths_and_four_places_for_minutes() {
        let d = |s: &str| s.parse::<Decimal>().expect("decimal");
        assert_eq!(QuantityUnit::Tenths.to_hours(d("2")), d("0.2"));
        assert_eq!(QuantityUnit::Tenths.to_hours(d("10")), d("1"));
        assert_eq!(QuantityUnit::Tenths.to_hours(d("0.5")), d("0.05"));
        assert_eq!(QuantityUnit::Minutes.to_hours(d("90")), d("1.5"));
        assert_eq!(QuantityUnit::Minutes.to_hours(d("50")), d("0.8333"));
        assert_eq!(QuantityUnit::Minutes.to_hours(d("1")), d("0.0167"));
        assert_eq!(QuantityUnit::Hours.to_hours(d("1.25")), d("1.25"));
        assert!("fortnights".parse::<QuantityUnit>().is_err());
        assert_eq!("Tenths".parse(), Ok(QuantityUnit::Tenths));
    }
}
