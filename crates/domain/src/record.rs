//! Canonical records and the validation that turns a mapped source row into one.

use crate::catalogue::{FieldDef, FieldType, KindDef};
use crate::kind::Kind;
use crate::value::date::{self, DateError, DateOrder, When};
use crate::value::{
    address, money::MoneyError, text, Currency, DecimalSeparator, Email, Money, PersonName, Phone,
};
use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Value {
    Text(String),
    Email(Email),
    Phone(Phone),
    Date(NaiveDate),
    When(When),
    Bool(bool),
    Money(Money),
    Decimal(#[serde(with = "rust_decimal::serde::str")] Decimal),
    Integer(i64),
    /// A choice, a currency code, a country code, a zone name, a checksum or a file path.
    Code(String),
    /// A source id of another kind.
    Ref(String),
    RefList(Vec<String>),
}

impl Value {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) | Value::Code(s) | Value::Ref(s) => Some(s),
            Value::Email(e) => Some(e.as_str()),
            _ => None,
        }
    }

    pub fn as_money(&self) -> Option<Money> {
        match self {
            Value::Money(m) => Some(*m),
            _ => None,
        }
    }
}

/// A validated record of one kind, keyed by its source id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanonicalRecord {
    pub kind: Kind,
    pub source_id: String,
    pub fields: BTreeMap<String, Value>,
}

impl CanonicalRecord {
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field)
    }

    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_text)
    }

    pub fn money(&self, field: &str) -> Option<Money> {
        self.fields.get(field).and_then(Value::as_money)
    }

    pub fn reference(&self, field: &str) -> Option<&str> {
        match self.fields.get(field) {
            Some(Value::Ref(s)) => Some(s),
            _ => None,
        }
    }
}

/// Why a row was refused: which field, what it held, and a reason a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    /// A stable code for tests and filters ("invalid_email", "required", ...).
    pub code: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &str, code: &str, reason: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            code: code.to_string(),
            reason: reason.into(),
        }
    }
}

/// Settings a row is read with: the job's defaults and the column's date order.
#[derive(Debug, Clone)]
pub struct RowContext {
    pub currency: Currency,
    /// ISO 3166 alpha-2 for phone numbers written without "+".
    pub country: Option<String>,
    pub time_zone: Tz,
    pub date_order: Option<DateOrder>,
    /// The years two-digit years are read in, when the mapping gives them.
    pub two_digit_years: Option<date::YearWindow>,
    /// The decimal separator of each numeric field whose column's is known.
    pub decimal: Vec<(&'static str, DecimalSeparator)>,
    /// Money fields whose column writes amounts in the currency's minor unit ("1250" cents).
    pub minor_units: Vec<&'static str>,
    /// Date and date-time fields whose column writes spreadsheet day numbers ("45006").
    pub serial_dates: Vec<&'static str>,
    /// Longest text accepted in a short text field; long-text fields get 64 times this.
    pub max_text: usize,
}

impl Default for RowContext {
    fn default() -> Self {
        RowContext {
            currency: Currency::USD,
            country: Some("US".into()),
            time_zone: chrono_tz::America::New_York,
            date_order: None,
            two_digit_years: None,
            decimal: Vec::new(),
            minor_units: Vec::new(),
            serial_dates: Vec::new(),
            max_text: 16 * 1024,
        }
    }
}

impl RowContext {
    /// The decimal separator of a field's column, when known.
    pub fn separator(&self, field: &str) -> Option<DecimalSeparator> {
        self.decimal
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, s)| *s)
    }
}

/// An amount its column writes in minor units ("1250" cents), in major ones (12.50). A
/// fraction of a minor unit means the column is not what its header says.
fn in_major_units(m: Money, name: &str, raw: &str) -> Result<Money, FieldError> {
    if !m.amount.fract().is_zero() {
        return Err(FieldError::new(
            name,
            "invalid_amount",
            format!("\"{raw}\" has a fraction, but its column writes whole minor units (cents)"),
        ));
    }
    let digits = m.currency.minor_digits();
    let mut amount = m.amount * Decimal::new(1, digits);
    amount.rescale(digits);
    Ok(Money::new(amount, m.currency))
}

fn number_error(name: &str, e: text::TextError) -> FieldError {
    let code = match e {
        text::TextError::AmbiguousSeparator(_) => "ambiguous_number",
        _ => "invalid_number",
    };
    FieldError::new(name, code, e.to_string())
}

/// Validates one row of mapped values (canonical field name → raw text) into a record.
/// Every problem is returned, not just the first; an empty cell is "no value".
pub fn validate_row(
    def: &KindDef,
    values: &[(&'static str, &str)],
    ctx: &RowContext,
) -> Result<CanonicalRecord, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fields = BTreeMap::new();
    // The row's own zone applies to its date-times, so it is read first (only kinds that
    // have a zone field look: finding each value's field is a search by name).
    let mut zone = ctx.time_zone;
    let zoned = def.fields.iter().any(|f| f.ty == FieldType::TimeZone);
    for (name, raw) in values.iter().filter(|_| zoned) {
        if let Some(fd) = def.field(name) {
            if fd.ty == FieldType::TimeZone && !raw.trim().is_empty() {
                match date::parse_zone(raw) {
                    Ok(z) => zone = z,
                    Err(e) => {
                        errors.push(FieldError::new(name, "invalid_time_zone", e.to_string()))
                    }
                }
            }
        }
    }
    for (name, raw) in values {
        let Some(fd) = def.field(name) else { continue };
        if raw.trim().is_empty() {
            continue;
        }
        match parse_field(fd, raw, ctx, zone) {
            Ok(v) => {
                fields.insert(fd.name.to_string(), v);
            }
            Err(e) => errors.push(e),
        }
    }
    // A field stored as its opposite ("billable" as non_billable) gives way to the field
    // itself when both are written.
    for fd in def.fields {
        let Some(of) = fd.opposite_of else { continue };
        if let Some(Value::Bool(b)) = fields.remove(fd.name) {
            fields.entry(of.to_string()).or_insert(Value::Bool(!b));
        }
    }
    for fd in def.fields.iter().filter(|f| f.required) {
        if !fields.contains_key(fd.name) && !errors.iter().any(|e| e.field == fd.name) {
            errors.push(FieldError::new(
                fd.name,
                "required",
                format!("{} is required", fd.name),
            ));
        }
    }
    for group in def.one_of {
        if !group.iter().any(|n| fields.contains_key(*n))
            && !group.iter().any(|n| errors.iter().any(|e| e.field == *n))
        {
            errors.push(FieldError::new(
                group[0],
                "required",
                format!("one of {} is required", group.join(", ")),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let source_id = match fields.get(def.id_field().name) {
        Some(Value::Text(s)) => s.clone(),
        _ => {
            return Err(vec![FieldError::new(
                def.id_field().name,
                "required",
                "the source id is required",
            )])
        }
    };
    let mut record = CanonicalRecord {
        kind: def.kind,
        source_id,
        fields,
    };
    finish(&mut record).map_err(|e| vec![e])?;
    Ok(record)
}

fn parse_field(fd: &FieldDef, raw: &str, ctx: &RowContext, zone: Tz) -> Result<Value, FieldError> {
    let name = fd.name;
    let long = matches!(fd.ty, FieldType::LongText);
    let limit = if long {
        ctx.max_text * 64
    } else {
        ctx.max_text
    };
    text::check_text(raw, limit).map_err(|e| {
        let code = match e {
            text::TextError::Formula(_) => "formula",
            text::TextError::Nul => "nul_byte",
            text::TextError::Bom => "bom",
            text::TextError::TooLong(..) => "too_long",
            _ => "invalid",
        };
        FieldError::new(name, code, e.to_string())
    })?;
    let s = raw.trim();
    let v = match fd.ty {
        FieldType::SourceId => {
            if s.len() > 256 {
                return Err(FieldError::new(
                    name,
                    "invalid_id",
                    "source id is longer than 256 characters",
                ));
            }
            Value::Text(s.to_string())
        }
        FieldType::Ref(_) => Value::Ref(s.to_string()),
        FieldType::RefList(_) => Value::RefList(
            s.split([';', ',', '|'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
        ),
        FieldType::Text | FieldType::LongText => Value::Text(s.to_string()),
        FieldType::Email => Value::Email(
            Email::parse(s).map_err(|e| FieldError::new(name, "invalid_email", e.to_string()))?,
        ),
        FieldType::Phone => Value::Phone(
            Phone::parse(s, ctx.country.as_deref())
                .map_err(|e| FieldError::new(name, "invalid_phone", e.to_string()))?,
        ),
        FieldType::Date => Value::Date(
            match serial_day(ctx, name, s) {
                Some(day) => Ok(day),
                None => date::parse_date_in(s, ctx.date_order, ctx.two_digit_years),
            }
            .map_err(|e| date_error(name, e))?,
        ),
        FieldType::DateTime => Value::When(
            match serial(ctx, name, s, zone) {
                Some(when) => when,
                None => date::parse_datetime_in(s, ctx.date_order, ctx.two_digit_years, zone),
            }
            .map_err(|e| date_error(name, e))?,
        ),
        FieldType::TimeZone => Value::Code(
            date::parse_zone(s)
                .map_err(|e| date_error(name, e))?
                .name()
                .to_string(),
        ),
        FieldType::Bool => Value::Bool(
            text::parse_bool(s)
                .map_err(|e| FieldError::new(name, "invalid_bool", e.to_string()))?,
        ),
        FieldType::Money { signed } => {
            let m = Money::parse(s, ctx.currency, ctx.separator(name)).map_err(|e| {
                let code = match e {
                    MoneyError::OutOfRange(_) => "amount_out_of_range",
                    MoneyError::AmbiguousSeparator(_) => "ambiguous_number",
                    _ => "invalid_amount",
                };
                FieldError::new(name, code, e.to_string())
            })?;
            if m.currency != ctx.currency {
                return Err(FieldError::new(
                    name,
                    "currency_mismatch",
                    format!(
                        "\"{s}\" is in {}, but this migration is in {}",
                        m.currency, ctx.currency
                    ),
                ));
            }
            let m = if ctx.minor_units.contains(&name) {
                in_major_units(m, name, s)?
            } else {
                m
            };
            if !signed && m.amount.is_sign_negative() && !m.amount.is_zero() {
                return Err(FieldError::new(
                    name,
                    "negative_amount",
                    format!("\"{s}\" is negative; {name} cannot be"),
                ));
            }
            Value::Money(m)
        }
        FieldType::Decimal => Value::Decimal(
            text::parse_quantity(s, ctx.separator(name)).map_err(|e| number_error(name, e))?,
        ),
        FieldType::Integer => Value::Integer(
            text::parse_integer(s, ctx.separator(name)).map_err(|e| number_error(name, e))?,
        ),
        FieldType::Currency => Value::Code(
            s.parse::<Currency>()
                .map_err(|e| FieldError::new(name, "invalid_currency", e))?
                .to_string(),
        ),
        FieldType::Country => Value::Code(
            address::country_code(s)
                .map(str::to_string)
                .unwrap_or_else(|| s.to_string()),
        ),
        FieldType::Choice => Value::Code(choose(fd, s)?),
        FieldType::FilePath => Value::Code(check_path(name, s)?),
        FieldType::Sha256 => {
            let h = s.to_ascii_lowercase();
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(FieldError::new(
                    name,
                    "invalid_checksum",
                    format!("\"{s}\" is not a SHA-256 checksum"),
                ));
            }
            Value::Code(h)
        }
    };
    Ok(v)
}

/// A day number in a column of spreadsheet day numbers, read as one; `None` when the field's
/// column writes dates some other way or the cell is not a day number (a date written as a
/// date reads as usual). The time of day is the number's fraction, or comes after it
/// ("45006 9:00 AM", a date joined with the time column beside it). Without either the value
/// is a whole day, as "2023-03-21" is.
fn serial(ctx: &RowContext, name: &str, s: &str, zone: Tz) -> Option<Result<When, DateError>> {
    if !ctx.serial_dates.contains(&name) {
        return None;
    }
    let (day, time) = match s.trim().split_once(' ') {
        Some((d, t)) => (d, Some(t)),
        None => (s.trim(), None),
    };
    let at = date::parse_serial(day)?;
    let local = match time {
        Some(t) => match date::parse_time(t) {
            Ok(t) => at.date().and_time(t),
            Err(e) => return Some(Err(e)),
        },
        None if at.time() == chrono::NaiveTime::MIN => {
            return Some(Ok(When::AllDay { date: at.date() }))
        }
        None => at,
    };
    Some(date::zoned(local, zone).map(When::At))
}

/// The day of a day number in a column of spreadsheet day numbers (a time after it is
/// dropped, as a date column drops one); `None` as for [`serial`].
fn serial_day(ctx: &RowContext, name: &str, s: &str) -> Option<NaiveDate> {
    if !ctx.serial_dates.contains(&name) {
        return None;
    }
    let day = s.trim().split(' ').next().unwrap_or_default();
    date::parse_serial(day).map(|at| at.date())
}

fn date_error(name: &str, e: DateError) -> FieldError {
    let code = match e {
        DateError::TwoDigitYear(_) => "two_digit_year",
        DateError::AmbiguousOrder(_) => "ambiguous_date",
        DateError::NonexistentLocalTime { .. } => "nonexistent_local_time",
        DateError::UnknownZone(_) => "invalid_time_zone",
        _ => "invalid_date",
    };
    FieldError::new(name, code, e.to_string())
}

/// Maps a written value to one of the field's choices, by value or alias, ignoring case and punctuation.
pub fn choose(fd: &FieldDef, raw: &str) -> Result<String, FieldError> {
    use crate::value::name::same_name;
    for choice in fd.choices {
        if same_name(choice.value, raw) || choice.aliases.iter().any(|a| same_name(a, raw)) {
            return Ok(choice.value.to_string());
        }
    }
    let allowed: Vec<&str> = fd.choices.iter().map(|c| c.value).collect();
    Err(FieldError::new(
        fd.name,
        "invalid_choice",
        format!("\"{raw}\" is not one of: {}", allowed.join(", ")),
    ))
}

/// A file path inside the export: relative, forward slashes, no way out of the export.
pub fn check_path(field: &str, raw: &str) -> Result<String, FieldError> {
    let p = raw.trim().replace('\\', "/");
    let bytes = p.as_bytes();
    let absolute = p.starts_with('/')
        || (bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic())
        || p.starts_with("//");
    if absolute {
        return Err(FieldError::new(
            field,
            "absolute_path",
            format!(
                "\"{raw}\" is an absolute path; documents must be referenced inside the export"
            ),
        ));
    }
    if p.split('/').any(|seg| seg == "..") {
        return Err(FieldError::new(
            field,
            "path_traversal",
            format!("\"{raw}\" leaves the export folder (\"..\")"),
        ));
    }
    let clean: Vec<&str> = p
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    if clean.is_empty() {
        return Err(FieldError::new(
            field,
            "invalid_path",
            format!("\"{raw}\" is not a file path"),
        ));
    }
    Ok(clean.join("/"))
}

/// Kind-specific completion: derived fields a canonical record always carries.
fn finish(r: &mut CanonicalRecord) -> Result<(), FieldError> {
    match r.kind {
        Kind::Contacts => {
            let has_parts =
                r.fields.contains_key("first_name") || r.fields.contains_key("last_name");
            if !has_parts {
                if let Some(full) = r.text("full_name").map(str::to_string) {
                    if r.text("contact_type") != Some("organization")
                        && !r.fields.contains_key("organization")
                    {
                        let n = PersonName::from_full(&full);
                        for (k, v) in [
                            ("prefix", n.prefix),
                            ("first_name", n.first),
                            ("middle_name", n.middle),
                            ("last_name", n.last),
                            ("suffix", n.suffix),
                        ] {
                            if let Some(v) = v {
                                r.fields.insert(k.into(), Value::Text(v));
                            }
                        }
                    }
                }
            }
            if !r.fields.contains_key("contact_type") {
                let org = r.fields.contains_key("organization")
                    && !has_parts
                    && !r.fields.contains_key("full_name");
                r.fields.insert(
                    "contact_type".into(),
                    Value::Code(if org { "organization" } else { "person" }.into()),
                );
            }
        }
        Kind::ProjectFunds if !r.fields.contains_key("amount") => {
            let dep = r.money("deposit");
            let wd = r.money("withdrawal");
            let cur = dep.or(wd).map(|m| m.currency).unwrap_or(Currency::USD);
            let amount = dep.map(|m| m.amount).unwrap_or_default()
                - wd.map(|m| m.amount).unwrap_or_default();
            r.fields
                .insert("amount".into(), Value::Money(Money::new(amount, cur)));
        }
        // One amount column with a type column beside it: a withdrawal written as a positive
        // amount still takes money out of the account (a signed one is kept as it is).
        Kind::ProjectFunds => {
            let withdrawal = matches!(r.fields.get("transaction_type"), Some(Value::Code(t)) if t == "withdrawal");
            if let Some(m) = r
                .money("amount")
                .filter(|m| withdrawal && m.amount > Decimal::ZERO)
            {
                r.fields.insert(
                    "amount".into(),
                    Value::Money(Money::new(-m.amount, m.currency)),
                );
            }
        }
        Kind::Calendar => {
            let all_day = matches!(r.fields.get("all_day"), Some(Value::Bool(true)));
            for key in ["starts_at", "ends_at"] {
                if let (true, Some(Value::When(When::At(t)))) = (all_day, r.fields.get(key)) {
                    let date = t.local.date();
                    r.fields
                        .insert(key.into(), Value::When(When::AllDay { date }));
                }
            }
            if let (Some(Value::When(a)), Some(Value::When(b))) =
                (r.fields.get("starts_at"), r.fields.get("ends_at"))
            {
                let ends_before = match (a, b) {
                    (When::At(a), When::At(b)) => b.utc < a.utc,
                    (When::AllDay { date: a }, When::AllDay { date: b }) => b < a,
                    _ => false,
                };
                if ends_before {
                    return Err(FieldError::new(
                        "ends_at",
                        "ends_before_start",
                        "the event ends before it starts",
                    ));
                }
            }
            let is_all_day = matches!(
                r.fields.get("starts_at"),
                Some(Value::When(When::AllDay { .. }))
            );
            r.fields.insert("all_day".into(), Value::Bool(is_all_day));
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{CALENDAR, CONTACTS, PROJECT_FUNDS};

    #[test]
    fn a_column_of_day_numbers_loads_as_dates_and_only_that_column() {
        let def = crate::catalogue::kind_def(Kind::Calendar);
        let row = |starts: &'static str| {
            vec![
                ("event_id", "E1"),
                ("project_id", "M1"),
                ("title", "Hearing"),
                ("starts_at", starts),
            ]
        };
        let marked = RowContext {
            serial_dates: vec!["starts_at"],
            ..RowContext::default()
        };
        let start = |r: &CanonicalRecord| match r.fields.get("starts_at") {
            Some(Value::When(When::AllDay { date })) => format!("all day {date}"),
            Some(Value::When(When::At(at))) => format!("{} {}", at.local, at.zone),
            other => format!("{other:?}"),
        };
        let r = validate_row(def, &row("45006"), &marked).expect("a day number");
        assert_eq!(start(&r), "all day 2023-03-21");
        let r = validate_row(def, &row("45006.375"), &marked).expect("with a time");
        assert_eq!(start(&r), "2023-03-21 09:00:00 America/New_York");
        let r = validate_row(def, &row("45006 4:30 PM"), &marked).expect("joined time");
        assert_eq!(start(&r), "2023-03-21 16:30:00 America/New_York");
        let r = validate_row(def, &row("3/21/2023 9:00 AM"), &marked).expect("a date as usual");
        assert_eq!(start(&r), "2023-03-21 09:00:00 America/New_York");
        let e = validate_row(def, &row("45006x"), &marked).expect_err("neither");
        assert_eq!(
            (e[0].field.as_str(), e[0].code.as_str()),
            ("starts_at", "invalid_date")
        );
        // Unmarked, a day number is not a date.
        let e = validate_row(def, &row("45006"), &RowContext::default()).expect_err("unmarked");
        assert_eq!(e[0].code, "invalid_date");

        let dob = RowContext {
            serial_dates: vec!["birth_date"],
            ..RowContext::default()
        };
        let person = [
            ("contact_id", "C1"),
            ("first_name", "Ann"),
            ("last_name", "Lee"),
            ("birth_date", "34263"),
        ];
        let r = validate_row(crate::catalogue::kind_def(Kind::Contacts), &person, &dob)
            .expect("a day number");
        assert_eq!(
            r.fields.get("birth_date"),
            Some(&Value::Date(
                NaiveDate::from_ymd_opt(1993, 10, 21).expect("date")
            ))
        );
    }

    #[test]
    fn a_column_of_cents_loads_in_major_units() {
        let def = crate::catalogue::kind_def(Kind::BillingItems);
        let ctx = RowContext {
            minor_units: vec!["amount", "rate"],
            ..RowContext::default()
        };
        let row = |amount: &'static str| {
            vec![
                ("item_id", "T1"),
                ("project_id", "M1"),
                ("date", "2024-03-05"),
                ("item_type", "time"),
                ("quantity", "1.5"),
                ("rate", "30000"),
                ("amount", amount),
            ]
        };
        let r = validate_row(def, &row("45000"), &ctx).expect("valid");
        let money = |f: &str| match r.fields.get(f) {
            Some(Value::Money(m)) => m.amount.to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(
            (money("amount"), money("rate")),
            ("450.00".into(), "300.00".into())
        );
        let e = validate_row(def, &row("450.5"), &ctx).expect_err("a fraction of a cent");
        assert_eq!(e[0].field, "amount");
        assert!(e[0].reason.contains("whole minor units"), "{}", e[0].reason);
    }
    /// "Billable: N" is stored as non_billable: yes; a row that writes both keeps its
    /// non_billable.
    #[test]
    fn billable_is_stored_as_its_opposite() {
        let def = crate::catalogue::kind_def(Kind::BillingItems);
        let row = |extra: &[(&'static str, &'static str)]| {
            let mut r = vec![
                ("item_id", "T1"),
                ("project_id", "M1"),
                ("date", "2024-03-05"),
                ("item_type", "time"),
                ("quantity", "1.5"),
                ("rate", "300.00"),
                ("amount", "450.00"),
            ];
            r.extend_from_slice(extra);
            validate_row(def, &r, &RowContext::default()).expect("valid")
        };
        let r = row(&[("billable", "N")]);
        assert_eq!(r.fields.get("non_billable"), Some(&Value::Bool(true)));
        assert_eq!(r.fields.get("billable"), None);
        let r = row(&[("billable", "Y"), ("non_billable", "Y")]);
        assert_eq!(r.fields.get("non_billable"), Some(&Value::Bool(true)));
        assert!(r.fields.contains_key("amount"));
    }

    #[test]
    fn contact_row_validates_and_derives() {
        let ctx = RowContext::default();
        let r = validate_row(
            &CONTACTS,
            &[
                ("contact_id", "C1"),
                ("full_name", "Dr. Jane Doe"),
                ("email", "JANE@X.COM"),
                ("phone", "(212) 555-0143"),
            ],
            &ctx,
        )
        .expect("valid row");
        assert_eq!(r.source_id, "C1");
        assert_eq!(r.text("first_name"), Some("Jane"));
        assert_eq!(r.text("contact_type"), Some("person"));
        let errs = validate_row(&CONTACTS, &[("contact_id", "C2"), ("email", "nope")], &ctx)
            .expect_err("invalid");
        let codes: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["invalid_email", "required"]);
    }

    #[test]
    fn a_withdrawal_by_its_type_takes_money_out() {
        let ctx = RowContext::default();
        let amount = |t: &str, a: &str| {
            validate_row(
                &PROJECT_FUNDS,
                &[
                    ("transaction_id", "T1"),
                    ("project_id", "M1"),
                    ("date", "2024-01-02"),
                    ("transaction_type", t),
                    ("amount", a),
                ],
                &ctx,
            )
            .expect("valid")
            .money("amount")
            .map(|m| m.amount.to_string())
        };
        assert_eq!(amount("Payment", "4500.00"), Some("-4500.00".into()));
        assert_eq!(amount("Payment", "-4500.00"), Some("-4500.00".into()));
        assert_eq!(amount("Receipt", "5000.00"), Some("5000.00".into()));
    }

    #[test]
    fn trust_amount_from_in_and_out_columns() {
        let ctx = RowContext::default();
        let r = validate_row(
            &PROJECT_FUNDS,
            &[
                ("transaction_id", "T1"),
                ("project_id", "M1"),
                ("date", "2024-01-02"),
                ("withdrawal", "250.00"),
            ],
            &ctx,
        )
        .expect("valid");
        assert_eq!(
            r.money("amount").map(|m| m.amount.to_string()),
            Some("-250.00".into())
        );
        let errs = validate_row(
            &PROJECT_FUNDS,
            &[
                ("transaction_id", "T2"),
                ("project_id", "M1"),
                ("date", "2024-01-02"),
                ("amount", "€5"),
            ],
            &ctx,
        )
        .expect_err("currency");
        assert_eq!(errs[0].code, "currency_mismatch");
        // A dollar with its letters is that dollar: another job's currency is a mismatch,
        // its own loads.
        let prefixed = |ctx: &RowContext| {
            validate_row(
                &PROJECT_FUNDS,
                &[
                    ("transaction_id", "T3"),
                    ("project_id", "M1"),
                    ("date", "2024-01-02"),
                    ("amount", "A$12.00"),
                ],
                ctx,
            )
        };
        let errs = prefixed(&ctx).expect_err("AUD in a USD job");
        assert_eq!(errs[0].code, "currency_mismatch");
        let aud = RowContext {
            currency: "AUD".parse().expect("AUD"),
            ..ctx.clone()
        };
        let r = prefixed(&aud).expect("AUD in an AUD job");
        assert_eq!(
            r.money("amount")
                .map(|m| (m.amount.to_string(), m.currency)),
            Some(("12.00".into(), aud.currency))
        );
    }

    #[test]
    fn calendar_keeps_zone_and_all_day() {
        let ctx = RowContext::default();
        let r = validate_row(
            &CALENDAR,
            &[
                ("event_id", "E1"),
                ("project_id", "M1"),
                ("title", "Hearing"),
                ("starts_at", "2024-03-09 23:00"),
                ("ends_at", "2024-03-10 04:00"),
                ("time_zone", "America/Chicago"),
            ],
            &ctx,
        )
        .expect("valid");
        match r.get("starts_at") {
            Some(Value::When(When::At(t))) => assert_eq!(t.zone, "America/Chicago"),
            other => panic!("unexpected {other:?}"),
        }
        let r = validate_row(
            &CALENDAR,
            &[
                ("event_id", "E2"),
                ("project_id", "M1"),
                ("title", "Trial"),
                ("starts_at", "2024-03-10 09:00"),
                ("all_day", "yes"),
            ],
            &ctx,
        )
        .expect("valid");
        assert!(matches!(
            r.get("starts_at"),
            Some(Value::When(When::AllDay { .. }))
        ));
        assert_eq!(r.get("all_day"), Some(&Value::Bool(true)));
    }

    #[test]
    fn paths_stay_inside_the_export() {
        assert_eq!(check_path("f", "docs\\a.pdf"), Ok("docs/a.pdf".into()));
        assert_eq!(
            check_path("f", "../etc/passwd").map_err(|e| e.code),
            Err("path_traversal".into())
        );
        assert_eq!(
            check_path("f", "/etc/passwd").map_err(|e| e.code),
            Err("absolute_path".into())
        );
        assert_eq!(
            check_path("f", "C:\\x.doc").map_err(|e| e.code),
            Err("absolute_path".into())
        );
    }
}
