//! Reading and editing the proposed mapping: the TOML file of crates/ingest, and the
//! proposal it came from (per column: proposed field, confidence, sample values).

use migrationai_domain::{kind_def, Kind};
use migrationai_ingest::mapping::Mapping;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::drafts::REVIEW;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MappingView {
    /// The mapping file the job will run with (TOML).
    pub toml: String,
    /// The proposal per table: detected kind with confidence, and per column the proposed
    /// field, its confidence, evidence and sample values.
    #[schema(value_type = Object)]
    pub proposal: serde_json::Value,
    pub tables: Vec<TableView>,
}

/// The mapping as it stands, table by table.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TableView {
    pub table: String,
    pub kind: Option<String>,
    pub columns: Vec<ColumnView>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ColumnView {
    pub header: String,
    pub field: Option<String>,
}

/// One change: the field of a column (null leaves the column out), or a table's kind.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MappingChange {
    pub table: String,
    /// The column header to change; omit to change the table's kind only.
    pub column: Option<String>,
    /// The canonical field for the column (null: not migrated).
    pub field: Option<String>,
    /// A new kind for the table ("skip" leaves the table out).
    pub kind: Option<String>,
}

fn tables(m: &Mapping) -> Vec<TableView> {
    m.files
        .iter()
        .map(|f| TableView {
            table: f.table.clone(),
            kind: f.kind.map(|k| k.as_str().to_string()),
            columns: f
                .columns
                .iter()
                .map(|(h, field)| ColumnView {
                    header: h.clone(),
                    field: field.map(str::to_string),
                })
                .collect(),
        })
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
        toml,
        proposal,
    })
}

async fn save(state: &AppState, tenant: &str, job: &str, m: &Mapping) -> ApiResult<MappingView> {
    let d = super::draft(state, tenant, job).await?;
    if d.status != REVIEW {
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

/// Applies column or kind changes.
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
    save(state, tenant, job, &m).await
}

fn apply(m: &mut Mapping, c: &MappingChange) -> ApiResult<()> {
    let file = m
        .files
        .iter_mut()
        .find(|f| f.table == c.table)
        .ok_or_else(|| ApiError::Unprocessable(format!("no table {:?} in the mapping", c.table)))?;
    if let Some(kind) = &c.kind {
        file.kind = if kind == "skip" {
            None
        } else {
            Some(
                kind.parse::<Kind>()
                    .map_err(|_| ApiError::Unprocessable(format!("unknown kind {kind:?}")))?,
            )
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
                .and_then(kind_def)
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
    let slot = file
        .columns
        .iter_mut()
        .find(|(h, _)| h == column)
        .ok_or_else(|| ApiError::Unprocessable(format!("no column {column:?} in {}", c.table)))?;
    slot.1 = field;
    Ok(())
}
