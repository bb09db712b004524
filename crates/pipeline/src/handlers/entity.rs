//! The generic entity handler: a batch of source rows becomes records and rejects.
//!
//! Order of checks (the sample's ground truth follows the same): reader problems, then field
//! validation (first error), then duplicate source id (marked by the planner, which sees the
//! whole kind in (file, row) order), then references to records of earlier phases, then the
//! document or email file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use migrationai_domain::catalogue::{kind_def, FieldType};
use migrationai_domain::{CanonicalRecord, Kind, Value};
use migrationai_ingest::transform::RowMapper;
use migrationai_ingest::SourceRow;
use migrationai_ports::store::{BatchWrite, RecordRow, RejectRow};
use serde::Serialize;
use serde_json::json;

use crate::batch::HandlerError;
use crate::ids::canonical_id;
use crate::message::{BatchLine, JobAction, WorkMessage};
use crate::orphan::orphan_reason;
use crate::services::Services;

use super::files;

/// A row that passed validation and the duplicate check, on its way to the store.
pub(crate) struct Candidate {
    pub row: u64,
    pub record: CanonicalRecord,
    pub headers: Arc<[String]>,
    pub values: Vec<String>,
    pub refs: BTreeMap<String, serde_json::Value>,
    pub files: Vec<serde_json::Value>,
}

impl Candidate {
    /// The source cells, for a reject: made only when a later check refuses the row.
    pub fn raw(&self) -> String {
        raw_json(&self.headers, &self.values)
    }
}

/// What a record row keeps, serialised straight from the borrowed parts (no JSON tree).
#[derive(Serialize)]
struct RecordData<'a> {
    fields: &'a BTreeMap<String, Value>,
    files: &'a [serde_json::Value],
    refs: &'a BTreeMap<String, serde_json::Value>,
}

pub(crate) fn raw_json(headers: &[String], values: &[String]) -> String {
    let pairs: Vec<(&String, &String)> = headers.iter().zip(values.iter()).collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".into())
}

// One argument per column of the reject ledger; a builder would only add noise here.
#[allow(clippy::too_many_arguments)]
pub(crate) fn reject(
    kind: Kind,
    file: &str,
    row: u64,
    source_id: Option<String>,
    field: &str,
    code: &str,
    reason: &str,
    raw: String,
) -> RejectRow {
    RejectRow {
        kind,
        file: file.to_string(),
        row: row as i64,
        source_id,
        field: field.to_string(),
        code: code.to_string(),
        reason: reason.to_string(),
        raw,
    }
}

pub async fn process(
    services: &Services,
    kind: Kind,
    work: &WorkMessage,
) -> Result<(), HandlerError> {
    let store = &services.store;
    let batch = store
        .batch(&work.tenant, &work.job, work.kind, work.batch_no)
        .await
        .map_err(HandlerError::new)?
        .ok_or_else(|| {
            HandlerError::new(format!(
                "batch {} {} is not planned",
                work.kind, work.batch_no
            ))
        })?;
    if !batch.done {
        let job = services.job(&work.tenant, &work.job).await?;
        if job.status == migrationai_domain::JobStatus::Cancelled {
            // The message is consumed and the batch stays undone: a cancelled job takes no
            // more work, and resuming it is not possible.
            return Ok(());
        }
        let bytes = services
            .blobs
            .get(&batch.blob_key)
            .await
            .map_err(|e| HandlerError::new(format!("batch blob {}: {e}", batch.blob_key)))?;
        let write = build(services, kind, &job, work, &bytes).await?;
        store
            .commit_batch(&work.tenant, &write)
            .await
            .map_err(HandlerError::new)?;
    }
    // Checked even for a batch already done: a crash between the commit and this check
    // must not leave the phase waiting for an advance nobody sends.
    maybe_advance(services, &work.tenant, &work.job, kind).await
}

async fn build(
    services: &Services,
    kind: Kind,
    job: &migrationai_ports::store::JobRow,
    work: &WorkMessage,
    bytes: &[u8],
) -> Result<BatchWrite, HandlerError> {
    let def = kind_def(kind);
    let mut lines = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty());
    let (file, headers) = match lines.next().map(serde_json::from_slice::<BatchLine>) {
        Some(Ok(BatchLine::Header { file, headers })) => (file, headers),
        _ => return Err(HandlerError::permanent("batch blob has no header line")),
    };
    let mapping = services.mapping(job)?;
    // An API write's batch maps its columns by name (see direct.rs).
    let direct = super::direct::file_mapping(kind, &file, &headers);
    let file_mapping = mapping
        .file(&file)
        .or(direct.as_ref())
        .ok_or_else(|| HandlerError::permanent(format!("{file} is not in the job's mapping")))?;
    let mapper = RowMapper::new(&mapping, file_mapping, &headers)
        .ok_or_else(|| HandlerError::permanent(format!("{file} is not mapped to a kind")))?;
    let shared_headers: Arc<[String]> = headers.clone().into();
    let mut rejects = Vec::new();
    let mut candidates = Vec::new();
    let mut source_row = SourceRow::default();
    for line in lines {
        let line: BatchLine = serde_json::from_slice(line)
            .map_err(|e| HandlerError::permanent(format!("batch blob line: {e}")))?;
        let BatchLine::Row {
            row,
            values,
            duplicate,
            error,
        } = line
        else {
            continue;
        };
        let source_id = mapper.source_key(row, &values);
        if let Some(e) = error {
            let raw = raw_json(&headers, &values);
            rejects.push(reject(
                kind, &file, row, source_id, &e.field, &e.code, &e.reason, raw,
            ));
            continue;
        }
        source_row.row = row;
        source_row.values = values;
        let applied = mapper.apply(&source_row);
        let values = std::mem::take(&mut source_row.values);
        match applied {
            Err(problems) => {
                let (field, code, reason) = problems
                    .into_iter()
                    .next()
                    .map(|p| (p.field, p.code, p.reason))
                    .unwrap_or_else(|| {
                        (
                            def.id_field().name.into(),
                            "invalid".into(),
                            "invalid row".into(),
                        )
                    });
                let raw = raw_json(&headers, &values);
                rejects.push(reject(
                    kind, &file, row, source_id, &field, &code, &reason, raw,
                ));
            }
            Ok(record) if duplicate => {
                let reason = format!(
                    "source id \"{}\" already appears on an earlier row of {kind}",
                    record.source_id
                );
                rejects.push(reject(
                    kind,
                    &file,
                    row,
                    Some(record.source_id),
                    def.id_field().name,
                    "duplicate_id",
                    &reason,
                    raw_json(&headers, &values),
                ));
            }
            Ok(record) => candidates.push(Candidate {
                row,
                record,
                headers: shared_headers.clone(),
                values,
                refs: BTreeMap::new(),
                files: Vec::new(),
            }),
        }
    }
    let candidates = resolve_refs(services, work, kind, &file, candidates, &mut rejects).await?;
    let candidates = if matches!(kind, Kind::Document | Kind::ProjectEmail) {
        let source = files::FileSource::of(services, job).await?;
        files::attach(
            services,
            &source,
            work,
            kind,
            &file,
            candidates,
            &mut rejects,
        )
        .await?
    } else {
        candidates
    };
    let records = candidates
        .into_iter()
        .map(|c| {
            let data = serde_json::to_string(&RecordData {
                fields: &c.record.fields,
                files: &c.files,
                refs: &c.refs,
            })
            .map_err(HandlerError::new)?;
            Ok(RecordRow {
                kind,
                canonical_id: canonical_id(
                    &work.tenant,
                    &work.job,
                    kind.as_str(),
                    &c.record.source_id,
                ),
                source_id: c.record.source_id,
                file: file.clone(),
                row: c.row as i64,
                data,
            })
        })
        .collect::<Result<Vec<_>, HandlerError>>()?;
    rejects.sort_by_key(|r| r.row);
    Ok(BatchWrite {
        job: work.job.clone(),
        kind,
        batch_no: work.batch_no,
        records,
        rejects,
    })
}

/// The source ids a record refers to, per reference field, with the kind referred to.
fn references(record: &CanonicalRecord) -> Vec<(&'static str, Kind, Vec<String>)> {
    let def = kind_def(record.kind);
    def.fields
        .iter()
        .filter_map(|fd| match (fd.ty, record.get(fd.name)) {
            (FieldType::Ref(k), Some(Value::Ref(id))) => Some((fd.name, k, vec![id.clone()])),
            (FieldType::RefList(k), Some(Value::RefList(ids))) => Some((fd.name, k, ids.clone())),
            _ => None,
        })
        .collect()
}

async fn resolve_refs(
    services: &Services,
    work: &WorkMessage,
    kind: Kind,
    file: &str,
    candidates: Vec<Candidate>,
    rejects: &mut Vec<RejectRow>,
) -> Result<Vec<Candidate>, HandlerError> {
    let mut wanted: BTreeMap<Kind, HashSet<String>> = BTreeMap::new();
    for c in &candidates {
        for (_, target, ids) in references(&c.record) {
            wanted.entry(target).or_default().extend(ids);
        }
    }
    let mut found: HashMap<(Kind, String), String> = HashMap::new();
    for (target, ids) in wanted {
        let mut ids: Vec<String> = ids.into_iter().collect();
        ids.sort();
        let pairs = services
            .store
            .lookup(&work.tenant, &work.job, target, &ids)
            .await
            .map_err(HandlerError::new)?;
        for (source, canonical) in pairs {
            found.insert((target, source), canonical);
        }
    }
    let mut kept = Vec::with_capacity(candidates.len());
    'rows: for mut c in candidates {
        for (field, target, ids) in references(&c.record) {
            let mut resolved = Vec::with_capacity(ids.len());
            for id in &ids {
                match found.get(&(target, id.clone())) {
                    Some(canonical) => resolved.push(canonical.clone()),
                    None => {
                        let reason = orphan_reason(field, id, target);
                        rejects.push(reject(
                            kind,
                            file,
                            c.row,
                            Some(c.record.source_id.clone()),
                            field,
                            "orphan_reference",
                            &reason,
                            c.raw(),
                        ));
                        continue 'rows;
                    }
                }
            }
            let value = if resolved.len() == 1 && matches!(c.record.get(field), Some(Value::Ref(_)))
            {
                json!(resolved[0])
            } else {
                json!(resolved)
            };
            c.refs.insert(field.to_string(), value);
        }
        kept.push(c);
    }
    Ok(kept)
}

/// Asks the jobs worker to advance when every batch of this kind's phase is done.
async fn maybe_advance(
    services: &Services,
    tenant: &str,
    job: &str,
    kind: Kind,
) -> Result<(), HandlerError> {
    let phase = i64::from(kind.phase());
    let phases = Kind::phases();
    let Some(kinds) = phases.get(phase as usize) else {
        return Ok(());
    };
    let progress = services
        .store
        .progress(tenant, job)
        .await
        .map_err(HandlerError::new)?;
    let complete = progress
        .iter()
        .filter(|p| kinds.contains(&p.kind))
        .all(|p| p.batches_done == p.batches);
    if complete {
        crate::jobs::ask(services, tenant, job, JobAction::Advance { phase }).await?;
    }
    Ok(())
}
