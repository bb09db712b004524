//! Reading and editing the proposed mapping: the TOML file of crates/ingest, and the
//! proposal it came from (per column: proposed field, confidence, sample values).

use migrationai_api_types::jobs::mapping::{
    ColumnView, MappingChange, MappingView, TableView, DERIVED,
};
use migrationai_domain::value::DateOrder;
use migrationai_domain::DraftStatus;
use migrationai_domain::{kind_def, Kind};
use migrationai_ingest::header::{normalise_header, similarity};
use migrationai_ingest::mapping::{FileMapping, Key, Mapping, IGNORE};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn tables(m: &Mapping) -> Vec<TableView> {
    m.files
        .iter()
        .map(|f| {
            let def = f.kind.map(kind_def);
            TableView {
                table: f.table.clone(),
                kind: f.kind.map(|k| k.as_str().to_string()),
                left_out: f.left_out,
                date_order: f.date_order.map(|o| {
                    match o {
                        DateOrder::Mdy => "mdy",
                        DateOrder::Dmy => "dmy",
                    }
                    .to_string()
                }),
                key: def.and_then(|d| match &f.key {
                    Key::Field => {
                        let id = d.id_field().name;
                        f.columns
                            .iter()
                            .find(|(_, c)| *c == Some(id))
                            .map(|(h, _)| h.clone())
                    }
                    Key::Columns(c) => Some(c.join(" + ")),
                    Key::Derived => Some(DERIVED.to_string()),
                }),
                unmet: def.map(|d| d.unmet(|n| f.fills(d, n))).unwrap_or_default(),
                defaults: f
                    .defaults
                    .iter()
                    .map(|(field, value)| (field.to_string(), value.clone()))
                    .collect(),
                columns: f
                    .columns
                    .iter()
                    .map(|(h, field)| ColumnView {
                        header: h.clone(),
                        field: field.map(str::to_string),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The mapped tables that leave required fields unmapped, with what they lack.
pub fn unmet(m: &Mapping) -> Vec<(String, Vec<String>)> {
    tables(m)
        .into_iter()
        .filter(|t| t.kind.is_some() && !t.unmet.is_empty())
        .map(|t| (t.table, t.unmet))
        .collect()
}

fn parse(text: &str) -> ApiResult<Mapping> {
    Mapping::parse("mapping", text).map_err(|e| ApiError::Unprocessable(e.to_string()))
}

pub async fn get(state: &AppState, tenant: &str, job: &str) -> ApiResult<MappingView> {
    let d = super::draft(state, tenant, job).await?;
    let toml = d
        .mapping
        .ok_or_else(|| ApiError::Conflict(format!("no mapping yet (the job is {})", d.status)))?;
    let m = parse(&toml)?;
    let proposal = d
        .proposal
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or(serde_json::Value::Null);
    Ok(MappingView {
        tables: tables(&m),
        currency: m.currency.clone(),
        time_zone: m.time_zone.clone(),
        country: m.country.clone(),
        toml,
        proposal,
    })
}

async fn save(state: &AppState, tenant: &str, job: &str, m: &Mapping) -> ApiResult<MappingView> {
    let d = super::draft(state, tenant, job).await?;
    if d.status != DraftStatus::Review {
        return Err(ApiError::Conflict(format!(
            "the mapping can be changed only in review (the job is {})",
            d.status
        )));
    }
    if !state.db.set_mapping(tenant, job, &m.to_toml(&[])).await? {
        return Err(ApiError::Conflict("the job left review".into()));
    }
    get(state, tenant, job).await
}

/// Replaces the mapping with an edited TOML file (validated first).
pub async fn put(state: &AppState, tenant: &str, job: &str, text: &str) -> ApiResult<MappingView> {
    super::draft(state, tenant, job).await?;
    let m = parse(text)?;
    save(state, tenant, job, &m).await
}

/// Applies column, table and setting changes; the result must parse as a mapping file.
pub async fn change(
    state: &AppState,
    tenant: &str,
    job: &str,
    changes: &[MappingChange],
) -> ApiResult<MappingView> {
    let d = super::draft(state, tenant, job).await?;
    let mut m = parse(d.mapping.as_deref().unwrap_or(""))?;
    for c in changes {
        apply(&mut m, c)?;
    }
    // Currency and time zone are checked where the file is read: check them the same way.
    let m = parse(&m.to_toml(&[]))?;
    save(state, tenant, job, &m).await
}

fn apply(m: &mut Mapping, c: &MappingChange) -> ApiResult<()> {
    if let Some(currency) = &c.currency {
        m.currency = currency.trim().to_ascii_uppercase();
    }
    if let Some(zone) = &c.time_zone {
        m.time_zone = zone.trim().to_string();
    }
    let Some(table) = &c.table else {
        if c.column.is_some() || c.kind.is_some() || c.date_order.is_some() {
            return Err(ApiError::Unprocessable(
                "a column, kind or date order change names its table".into(),
            ));
        }
        return Ok(());
    };
    let file = m
        .files
        .iter_mut()
        .find(|f| &f.table == table)
        .ok_or_else(|| ApiError::Unprocessable(format!("no table {table:?} in the mapping")))?;
    if let Some(kind) = &c.kind {
        // "skip" is a person leaving the table out; "" takes the decision back.
        file.left_out = kind == "skip" || kind == IGNORE;
        let kind = if file.left_out || kind.is_empty() {
            None
        } else {
            Some(
                kind.parse::<Kind>()
                    .ok()
                    .ok_or_else(|| ApiError::Unprocessable(format!("unknown kind {kind:?}")))?,
            )
        };
        if kind != file.kind {
            file.kind = kind;
            // The key, the defaults and the quantity unit were the old kind's.
            file.key = Key::Field;
            file.defaults.clear();
            file.quantity_unit = Default::default();
            remap_by_header(file);
        }
    }
    if let Some(order) = &c.date_order {
        file.date_order = match order.as_str() {
            "" => None,
            "mdy" => Some(DateOrder::Mdy),
            "dmy" => Some(DateOrder::Dmy),
            other => {
                return Err(ApiError::Unprocessable(format!(
                    "date order {other:?} must be \"mdy\", \"dmy\" or \"\""
                )))
            }
        };
    }
    let Some(column) = &c.column else {
        return Ok(());
    };
    let field: Option<&'static str> = match &c.field {
        None => None,
        Some(name) if name.is_empty() => None,
        Some(name) => {
            let def = file
                .kind
                .map(kind_def)
                .ok_or_else(|| ApiError::Unprocessable("the table has no kind".into()))?;
            Some(
                def.field(name)
                    .ok_or_else(|| {
                        ApiError::Unprocessable(format!("{name:?} is not a field of {}", def.kind))
                    })?
                    .name,
            )
        }
    };
    if !file.columns.iter().any(|(h, _)| h == column) {
        return Err(ApiError::Unprocessable(format!(
            "no column {column:?} in {table}"
        )));
    }
    // Mapping a column to the id field makes it the key.
    if let (Some(f), Some(def)) = (field, file.kind.map(kind_def)) {
        if f == def.id_field().name {
            file.key = Key::Field;
        }
    }
    // A field comes from one column: the column that had it gives it up.
    for (h, f) in file.columns.iter_mut() {
        if h == column {
            *f = field;
        } else if field.is_some() && *f == field {
            *f = None;
        }
    }
    Ok(())
}

/// How alike a header must be to a field's name or synonyms to map it after a kind change.
const HEADER_MATCH: f64 = 0.85;

/// After a person changes a table's kind, its columns are mapped again to the new kind's
/// fields by their headers alone (the sample values stay with tfp): each field to the
/// column whose header is most like its name or one of its synonyms, when alike enough.
/// Columns with no such field are left out, for the person to map.
fn remap_by_header(file: &mut FileMapping) {
    for c in file.columns.iter_mut() {
        c.1 = None;
    }
    let Some(def) = file.kind.map(kind_def) else {
        return;
    };
    let mut candidates: Vec<(f64, usize, &'static str)> = Vec::new();
    for (i, (header, _)) in file.columns.iter().enumerate() {
        let h = normalise_header(header);
        for fd in def.fields {
            let score = std::iter::once(fd.name)
                .chain(fd.synonyms.iter().copied())
                .map(|name| similarity(&h, &normalise_header(name)))
                .fold(0.0_f64, f64::max);
            if score >= HEADER_MATCH {
                candidates.push((score, i, fd.name));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut taken: Vec<&'static str> = Vec::new();
    for (_, i, name) in candidates {
        if file.columns[i].1.is_none() && !taken.contains(&name) {
            file.columns[i].1 = Some(name);
            taken.push(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A time file read in tenths of an hour that a person turns into another kind: the unit
    /// was the old kind's, and kept it would make the saved mapping invalid.
    #[test]
    fn a_new_kind_drops_the_old_kinds_quantity_unit() {
        let toml = "[[file]]\npath = \"Time.csv\"\nkind = \"billing_items\"\n\
                    quantity_unit = \"tenths\"\n[file.columns]\nUnits = \"quantity\"\n";
        let mut m = parse(toml).expect("a valid mapping");
        let change = MappingChange {
            table: Some("Time.csv".into()),
            kind: Some("tasks".into()),
            ..MappingChange::default()
        };
        apply(&mut m, &change).expect("applies");
        let saved = parse(&m.to_toml(&[])).expect("the saved mapping is valid");
        let file = saved.file("Time.csv").expect("kept");
        assert_eq!(file.quantity_unit, Default::default());
    }
}
