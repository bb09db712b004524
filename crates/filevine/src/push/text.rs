//! Canonical values in the forms Filevine's bodies take: ISO dates, UTC instants, exact
//! numbers, and the text of fields Filevine has no property for, kept as labelled lines of
//! the record's free text so nothing the firm exported is dropped.

use chrono::{NaiveDate, NaiveTime, SecondsFormat};
use migrationai_domain::value::date::When;
use migrationai_domain::Value;
use rust_decimal::Decimal;

use super::PushRecord;
use crate::error::FvError;
use crate::wire::exact_as_number;

/// A value as a person would read it.
pub fn show(v: &Value) -> String {
    match v {
        Value::Text(s) | Value::Code(s) | Value::Ref(s) => s.clone(),
        Value::Email(e) => e.as_str().to_string(),
        Value::Phone(p) => p.e164.clone().unwrap_or_else(|| p.raw.clone()),
        Value::Date(d) => d.to_string(),
        Value::When(When::AllDay { date }) => date.to_string(),
        Value::When(When::At(t)) => format!("{} ({})", t.local.format("%Y-%m-%d %H:%M"), t.zone),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Value::Money(m) => format!("{} {}", m.amount, m.currency),
        Value::Decimal(d) => d.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::RefList(list) => list.join(", "),
    }
}

/// `base`, then a blank line and one "Label: value" line per field the record has.
pub fn with_extras(
    base: Option<&str>,
    rec: &PushRecord,
    fields: &[(&str, &str)],
) -> Option<String> {
    let lines: Vec<String> = fields
        .iter()
        .filter_map(|(name, label)| {
            let v = rec.get(name)?;
            let shown = show(v);
            (!shown.trim().is_empty()).then(|| format!("{label}: {shown}"))
        })
        .collect();
    let base = base.map(str::trim).filter(|b| !b.is_empty());
    match (base, lines.is_empty()) {
        (None, true) => None,
        (Some(b), true) => Some(b.to_string()),
        (None, false) => Some(lines.join("\n")),
        (Some(b), false) => Some(format!("{b}\n\n{}", lines.join("\n"))),
    }
}

pub fn date(rec: &PushRecord, field: &str) -> Option<NaiveDate> {
    match rec.get(field)? {
        Value::Date(d) => Some(*d),
        Value::When(When::AllDay { date }) => Some(*date),
        Value::When(When::At(t)) => Some(t.local.date()),
        _ => None,
    }
}

/// A date at midnight UTC, as `format: date-time` properties take a plain date.
pub fn midnight(d: NaiveDate) -> String {
    d.and_time(NaiveTime::MIN)
        .and_utc()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A date-time field as a UTC instant; a whole day is its midnight UTC.
pub fn instant(rec: &PushRecord, field: &str) -> Option<String> {
    match rec.get(field)? {
        Value::When(When::At(t)) => Some(t.utc.to_rfc3339_opts(SecondsFormat::Secs, true)),
        Value::When(When::AllDay { date }) | Value::Date(date) => Some(midnight(*date)),
        _ => None,
    }
}

pub fn money(rec: &PushRecord, field: &str) -> Option<Decimal> {
    match rec.get(field)? {
        Value::Money(m) => Some(m.amount),
        Value::Decimal(d) => Some(*d),
        Value::Integer(i) => Some(Decimal::from(*i)),
        _ => None,
    }
}

pub fn boolean(rec: &PushRecord, field: &str) -> Option<bool> {
    match rec.get(field)? {
        Value::Bool(b) => Some(*b),
        _ => None,
    }
}

/// An amount that must reach Filevine exactly, or the record is refused.
pub fn exact(field: &str, d: Decimal) -> Result<Decimal, FvError> {
    if exact_as_number(d) {
        Ok(d)
    } else {
        Err(FvError::refused(
            Some(field),
            "amount_too_precise",
            format!("{d} has more significant digits than Filevine's JSON numbers carry exactly"),
        ))
    }
}

/// The refusal for a record whose parent is not in Filevine.
pub fn parent_missing(field: &str, kind: &str, source: Option<&str>) -> FvError {
    match source {
        Some(s) => FvError::refused(
            Some(field),
            "parent_not_delivered",
            format!("its {kind} \"{s}\" has not been delivered to Filevine"),
        ),
        None => FvError::refused(
            Some(field),
            "parent_required",
            format!("Filevine needs a {kind} for this record, and it names none"),
        ),
    }
}
