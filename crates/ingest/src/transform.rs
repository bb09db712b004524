//! Row transformation: a source row, through its file's mapping, into a canonical record.

use crate::mapping::{FileMapping, Key, Mapping};
use crate::read::SourceRow;
use crate::units::QuantityUnit;
use migrationai_domain::catalogue::{kind_def, KindDef};
use migrationai_domain::record::{validate_row, CanonicalRecord, FieldError, RowContext};
use migrationai_domain::value::date::parse_zone;
use migrationai_domain::value::Currency;
use migrationai_domain::Kind;
use std::sync::Arc;

use crate::by_name::{Lookups, NameIndex, Named};

/// A table's mapping made ready to apply to every row of it.
#[derive(Debug, Clone)]
pub struct RowMapper {
    pub kind: Kind,
    pub def: &'static KindDef,
    /// (column position, canonical field) for each mapped column.
    pub positions: Vec<(usize, &'static str)>,
    /// The header of each column, to name fields in errors as the source does.
    pub headers: Vec<String>,
    pub ctx: RowContext,
    key: KeyPlan,
    defaults: Vec<(&'static str, String)>,
    quantity_unit: QuantityUnit,
    /// (time column position, date-and-time field): the time of day of a field whose date
    /// another column holds.
    times: Vec<(usize, &'static str)>,
    /// (column position, field, parent's names): reference columns holding names, each
    /// read as the id of the one parent row that renders it (see [`crate::by_name`]).
    names: Vec<(usize, &'static str, Kind, Arc<NameIndex>)>,
}

/// Where each row's source id comes from, resolved to column positions.
#[derive(Debug, Clone)]
enum KeyPlan {
    /// The column mapped to the id field (if any), found once.
    Field(Option<usize>),
    /// These columns' values, joined.
    Columns(Vec<usize>),
    /// The table's name and the row's number.
    Derived(String),
}

/// Joins the values of a key made of several columns.
const KEY_SEPARATOR: &str = " / ";

/// A rejected row's problems, each naming the source column it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// The canonical field.
    pub field: String,
    /// The source column's header, when the field came from one column.
    pub column: Option<String>,
    pub code: String,
    pub reason: String,
}

impl RowMapper {
    /// None when the file is left out of the migration.
    pub fn new(mapping: &Mapping, file: &FileMapping, headers: &[String]) -> Option<RowMapper> {
        let kind = file.kind?;
        let def = kind_def(kind);
        let key = match &file.key {
            Key::Field => KeyPlan::Field(None),
            Key::Columns(cols) => KeyPlan::Columns(
                cols.iter()
                    .filter_map(|c| headers.iter().position(|h| h == c))
                    .collect(),
            ),
            Key::Derived => KeyPlan::Derived(file.table.clone()),
        };
        let id_field = def.id_field().name;
        let positions = file
            .fields_by_position(headers)
            .into_iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (i, f)))
            // A key of its own replaces any column mapped to the id field.
            .filter(|(_, f)| matches!(key, KeyPlan::Field(_)) || *f != id_field)
            .collect::<Vec<(usize, &'static str)>>();
        let key = match key {
            KeyPlan::Field(_) => KeyPlan::Field(
                positions
                    .iter()
                    .find(|(_, f)| *f == id_field)
                    .map(|(i, _)| *i),
            ),
            other => other,
        };
        let decimal = file
            .decimal
            .iter()
            .filter_map(|(header, sep)| {
                let i = headers.iter().position(|h| h == header)?;
                let (_, field) = positions.iter().find(|(p, _)| *p == i)?;
                Some((*field, *sep))
            })
            .collect();
        let minor_units = file
            .minor_units
            .iter()
            .filter_map(|header| {
                let i = headers.iter().position(|h| h == header)?;
                positions.iter().find(|(p, _)| *p == i).map(|(_, f)| *f)
            })
            .collect();
        let serial_dates = file
            .serial_dates
            .iter()
            .filter_map(|header| {
                let i = headers.iter().position(|h| h == header)?;
                positions.iter().find(|(p, _)| *p == i).map(|(_, f)| *f)
            })
            .collect();
        let ctx = RowContext {
            currency: mapping.currency.parse().unwrap_or(Currency::USD),
            country: mapping.country.clone(),
            time_zone: parse_zone(&mapping.time_zone).unwrap_or(chrono_tz::America::New_York),
            date_order: file.date_order,
            two_digit_years: file.two_digit_years,
            decimal,
            minor_units,
            serial_dates,
            ..RowContext::default()
        };
        let times = file
            .times
            .iter()
            .filter_map(|(header, field)| Some((headers.iter().position(|h| h == header)?, *field)))
            .collect();
        Some(RowMapper {
            times,
            names: Vec::new(),
            kind,
            def,
            positions,
            headers: headers.to_vec(),
            ctx,
            key,
            defaults: file.defaults.clone(),
            quantity_unit: file.quantity_unit,
        })
    }

    /// Reads the file's reference columns that hold names through the parent's names, which
    /// `lookups` read whole.
    pub fn read_names(mut self, file: &FileMapping, lookups: &Lookups) -> Self {
        for r in &file.by_name {
            let Some(parent) = crate::by_name::ref_kind(&file.columns, self.def, &r.header) else {
                continue;
            };
            let Some(at) = self.headers.iter().position(|h| *h == r.header) else {
                continue;
            };
            let Some(&(_, field)) = self.positions.iter().find(|(p, _)| *p == at) else {
                continue;
            };
            if let Some(index) = lookups.index(parent, &r.forms) {
                self.names.push((at, field, parent, index));
            }
        }
        self
    }

    pub fn apply(&self, row: &SourceRow) -> Result<CanonicalRecord, Vec<RowProblem>> {
        let cell = |i: usize| row.values.get(i).map(String::as_str).unwrap_or("");
        // A date with its time of day from the column beside it; a date cell that carries a
        // time already keeps its own.
        let moments: Vec<(&'static str, String)> = self
            .times
            .iter()
            .filter_map(|&(t, field)| {
                let time = cell(t).trim();
                let (at, _) = self.positions.iter().find(|(_, f)| *f == field)?;
                let date = cell(*at).trim();
                (!time.is_empty() && !date.is_empty() && !date.contains(':'))
                    .then(|| (field, format!("{date} {time}")))
            })
            .collect();
        let mut values: Vec<(&'static str, &str)> = self
            .positions
            .iter()
            .map(|&(i, f)| {
                let joined = moments
                    .iter()
                    .find(|(m, _)| *m == f)
                    .map(|(_, v)| v.as_str());
                (f, joined.unwrap_or_else(|| cell(i)))
            })
            .collect();
        for (field, value) in &self.defaults {
            match values.iter_mut().find(|(f, _)| f == field) {
                Some((_, v)) if v.trim().is_empty() => *v = value,
                Some(_) => {}
                None => values.push((field, value)),
            }
        }
        let mut shared_names = Vec::new();
        for (at, field, parent, index) in &self.names {
            let name = cell(*at).trim();
            if name.is_empty() {
                continue;
            }
            match index.get(name) {
                Some(Named::One(id)) => {
                    if let Some((_, v)) = values.iter_mut().find(|(f, _)| f == field) {
                        *v = id.as_str();
                    }
                }
                Some(Named::Several(ids)) => shared_names.push(self.problem(FieldError::new(
                    field,
                    "ambiguous_reference",
                    format!(
                        "\"{name}\" is the name of more than one {parent} record ({}): \
                         which one is meant cannot be told; map a column holding their ids",
                        ids.join(", ")
                    ),
                ))),
                // As written: an orphan, named as the source names it.
                None => {}
            }
        }
        let derived;
        if !matches!(self.key, KeyPlan::Field(_)) {
            derived = self.source_key(row.row, &row.values).unwrap_or_default();
            values.push((self.def.id_field().name, &derived));
        }
        let mut record = match validate_row(self.def, &values, &self.ctx) {
            Ok(record) if shared_names.is_empty() => record,
            Ok(_) => return Err(shared_names),
            Err(errs) => {
                let mut problems: Vec<RowProblem> =
                    errs.into_iter().map(|e| self.problem(e)).collect();
                problems.append(&mut shared_names);
                return Err(problems);
            }
        };
        self.quantity_unit.convert(&mut record);
        Ok(record)
    }

    /// The row's source id as the mapping's key gives it; None when its key cells are empty.
    pub fn source_key(&self, row: u64, values: &[String]) -> Option<String> {
        let cell = |i: usize| values.get(i).map(|v| v.trim()).unwrap_or("");
        match &self.key {
            KeyPlan::Field(column) => column
                .map(cell)
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            KeyPlan::Columns(cols) => {
                let parts: Vec<&str> = cols.iter().map(|&i| cell(i)).collect();
                if cols.is_empty() || parts.iter().any(|p| p.is_empty()) {
                    return None;
                }
                Some(parts.join(KEY_SEPARATOR))
            }
            KeyPlan::Derived(table) => Some(format!("{table}:{row}")),
        }
    }

    /// Whether the rows' ids are derived rather than read from the source.
    pub fn derived_key(&self) -> bool {
        matches!(self.key, KeyPlan::Derived(_))
    }

    pub fn problem(&self, e: FieldError) -> RowProblem {
        let key_column = match &self.key {
            KeyPlan::Columns(cols) if e.field == self.def.id_field().name => Some(
                cols.iter()
                    .filter_map(|&i| self.headers.get(i).cloned())
                    .collect::<Vec<_>>()
                    .join(" + "),
            ),
            _ => None,
        };
        let column = key_column.or_else(|| {
            self.positions
                .iter()
                .find(|(_, f)| *f == e.field)
                .and_then(|(i, _)| self.headers.get(*i).cloned())
        });
        RowProblem {
            field: e.field,
            column,
            code: e.code,
            reason: e.reason,
        }
    }

    /// The position of the column holding a canonical field.
    pub fn column_of(&self, field: &str) -> Option<usize> {
        self.positions
            .iter()
            .find(|(_, f)| *f == field)
            .map(|(i, _)| *i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapper(key: Key) -> RowMapper {
        let file = FileMapping {
            table: "Trust Ledger.csv".into(),
            kind: Some(Kind::ProjectFunds),
            left_out: false,
            date_order: None,
            two_digit_years: None,
            minor_units: Vec::new(),
            serial_dates: Vec::new(),
            by_name: Vec::new(),
            from: None,
            times: Vec::new(),
            columns: vec![
                ("Matter".into(), Some("project_id")),
                ("Line".into(), None),
                ("Date".into(), Some("date")),
                ("Amount".into(), Some("amount")),
            ],
            ignored: Vec::new(),
            key,
            defaults: vec![("description", "imported".into())],
            decimal: Vec::new(),
            encoding: None,
            quantity_unit: QuantityUnit::Hours,
        };
        let headers: Vec<String> = file.columns.iter().map(|(h, _)| h.clone()).collect();
        RowMapper::new(&Mapping::default(), &file, &headers).expect("mapped")
    }

    fn row(n: u64, cells: &[&str]) -> SourceRow {
        SourceRow {
            row: n,
            values: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn derived_keys_are_the_same_on_every_run_and_distinct_per_row() {
        let m = mapper(Key::Derived);
        let a = m
            .apply(&row(2, &["M1", "1", "2024-01-02", "100"]))
            .expect("loads");
        let b = m
            .apply(&row(3, &["M1", "1", "2024-01-02", "100"]))
            .expect("loads");
        assert_eq!(a.source_id, "Trust Ledger.csv:2");
        assert_ne!(a.source_id, b.source_id, "identical lines stay two records");
        let again = mapper(Key::Derived)
            .apply(&row(2, &["M1", "1", "2024-01-02", "100"]))
            .expect("loads");
        assert_eq!(again.source_id, a.source_id);
        assert!(m.derived_key());
    }

    #[test]
    fn a_key_of_two_columns_joins_them_and_defaults_fill_empty_fields() {
        let m = mapper(Key::Columns(vec!["Matter".into(), "Line".into()]));
        let r = m
            .apply(&row(2, &["M1", "7", "2024-01-02", "100"]))
            .expect("loads");
        assert_eq!(r.source_id, "M1 / 7");
        assert!(r.get("description").is_some(), "{r:?}");
        let problems = m
            .apply(&row(3, &["M1", "", "2024-01-02", "100"]))
            .expect_err("no key");
        assert_eq!(problems[0].column.as_deref(), Some("Matter + Line"));
        assert_eq!(m.source_key(3, &["M1".into(), "".into()]), None);
    }
}
