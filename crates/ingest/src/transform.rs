//! Row transformation: a source row, through its file's mapping, into a canonical record.

use crate::mapping::{FileMapping, Mapping};
use crate::read::SourceRow;
use migrationai_domain::catalogue::{kind_def, KindDef};
use migrationai_domain::record::{validate_row, CanonicalRecord, FieldError, RowContext};
use migrationai_domain::value::date::parse_zone;
use migrationai_domain::value::Currency;
use migrationai_domain::Kind;

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
}

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
        let def = kind_def(kind)?;
        let positions: Vec<(usize, &'static str)> = file
            .fields_by_position(headers)
            .into_iter()
            .enumerate()
            .filter_map(|(i, f)| f.map(|f| (i, f)))
            .collect();
        let decimal = file
            .decimal
            .iter()
            .filter_map(|(header, sep)| {
                let i = headers.iter().position(|h| h == header)?;
                let (_, field) = positions.iter().find(|(p, _)| *p == i)?;
                Some((*field, *sep))
            })
            .collect();
        let ctx = RowContext {
            currency: mapping.currency.parse().unwrap_or(Currency::USD),
            country: mapping.country.clone(),
            time_zone: parse_zone(&mapping.time_zone).unwrap_or(chrono_tz::America::New_York),
            date_order: file.date_order,
            decimal,
            ..RowContext::default()
        };
        Some(RowMapper {
            kind,
            def,
            positions,
            headers: headers.to_vec(),
            ctx,
        })
    }

    pub fn apply(&self, row: &SourceRow) -> Result<CanonicalRecord, Vec<RowProblem>> {
        let values: Vec<(&'static str, &str)> = self
            .positions
            .iter()
            .map(|&(i, f)| (f, row.values.get(i).map(String::as_str).unwrap_or("")))
            .collect();
        validate_row(self.def, &values, &self.ctx)
            .map_err(|errs| errs.into_iter().map(|e| self.problem(e)).collect())
    }

    pub fn problem(&self, e: FieldError) -> RowProblem {
        let column = self
            .positions
            .iter()
            .find(|(_, f)| *f == e.field)
            .and_then(|(i, _)| self.headers.get(*i).cloned());
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
