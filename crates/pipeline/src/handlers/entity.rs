//! The generic entity handler: a batch the planner settled becomes records and rejects.
//!
//! Order of checks (the sample's ground truth follows the same): reader problems, then field
//! validation (first error), then duplicate source id (all three settled by the planner,
//! which sees the whole kind in (file, row) order), then references to records of earlier
//! phases, then the document or email file (both here: they need the store and the files).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use migrationai_domain::Kind;
use migrationai_ports::store::{BatchWrite, RecordRow, RejectRow};
use serde_json::json;

use crate::batch::HandlerError;
use crate::batch_blob::{self, ref_target, BlobHeader, RowLine};
use crate::ids::canonical_id;
use crate::message::{JobAction, WorkMessage};
use crate::orphan::orphan_reason;
use crate::services::Services;

use super::files;

/// A row that passed validation and the duplicate check, on its way to the store.
pub(crate) struct Candidate {
    pub row: u64,
    pub source_id: String,
    /// The record's fields as the store keeps them (JSON), made by the planner.
    pub fields: String,
    /// The records it names, per reference field.
    pub wanted: Vec<Wanted>,
    /// The document or email file it names.
    pub path: Option<String>,
    pub headers: Arc<[String]>,
    pub values: Vec<String>,
    pub refs: BTreeMap<String, serde_json::Value>,
    pub files: Vec<serde_json::Value>,
}

/// The source ids one reference field of a row names.
pub(crate) struct Wanted {
    pub field: &'static str,
    pub target: Kind,
    pub ids: Vec<String>,
    /// The field holds a list (even of one id), not a single reference.
    pub list: bool,
}

impl Candidate {
    /// The source cells, for a reject: made only when a later check refuses the row.
    pub fn raw(&self) -> String {
        raw_json(&self.headers, &self.values)
    }

    /// What the record row keeps: the same JSON as serialising {fields, files, refs}, with
    /// the planner's fields copied in rather than read and written again.
    fn data(&self) -> Result<String, HandlerError> {
        let files = serde_json::to_string(&self.files).map_err(HandlerError::new)?;
        let refs = serde_json::to_string(&self.refs).map_err(HandlerError::new)?;
        let mut data = String::with_capacity(self.fields.len() + files.len() + refs.len() + 30);
        data.push_str("{\"fields\":");
        data.push_str(&self.fields);
        data.push_str(",\"files\":");
        data.push_str(&files);
        data.push_str(",\"refs\":");
        data.push_str(&refs);
        data.push('}');
        Ok(data)
    }
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
            .batch_blob(&batch.blob_key)
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
    let (header, lines) = batch_blob::read(bytes).map_err(HandlerError::permanent)?;
    let BlobHeader { file, headers } = header;
    let shared_headers: Arc<[String]> = headers.into();
    let mut rejects = Vec::new();
    let mut candidates = Vec::new();
    for line in lines {
        match line {
            RowLine::Reject(r) => {
                let raw = raw_json(&shared_headers, &r.values);
                rejects.push(reject(
                    kind,
                    &file,
                    r.row,
                    r.source_id,
                    &r.field,
                    &r.code,
                    &r.reason,
                    raw,
                ));
            }
            RowLine::Load(l) => {
                let wanted = l
                    .refs
                    .into_iter()
                    .map(|r| match ref_target(kind, &r.field) {
                        Some((field, target)) => Ok(Wanted {
                            field,
                            target,
                            ids: r.ids,
                            list: r.list,
                        }),
                        None => Err(HandlerError::permanent(format!(
                            "batch blob: {} is no reference field of {kind}",
                            r.field
                        ))),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                candidates.push(Candidate {
                    row: l.row,
                    source_id: l.source_id,
                    fields: l.fields.into_json().map_err(|e| {
                        HandlerError::permanent(format!("batch blob row {}: {e}", l.row))
                    })?,
                    wanted,
                    path: l.path,
                    headers: shared_headers.clone(),
                    values: l.values,
                    refs: BTreeMap::new(),
                    files: Vec::new(),
                });
            }
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
            let data = c.data()?;
            Ok(RecordRow {
                kind,
                canonical_id: canonical_id(&work.tenant, &work.job, kind.as_str(), &c.source_id),
                source_id: c.source_id,
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
        for w in &c.wanted {
            wanted
                .entry(w.target)
                .or_default()
                .extend(w.ids.iter().cloned());
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
        for Wanted {
            field,
            target,
            ids,
            list,
        } in std::mem::take(&mut c.wanted)
        {
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
                            Some(c.source_id.clone()),
                            field,
                            "orphan_reference",
                            &reason,
                            c.raw(),
                        ));
                        continue 'rows;
                    }
                }
            }
            let value = match (list, resolved.as_slice()) {
                (false, [one]) => json!(one),
                _ => json!(resolved),
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
