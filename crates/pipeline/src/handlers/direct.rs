//! Single-record writes through the queues (the API's "queue a contact or a project").
//!
//! A write becomes a one-row batch blob in the planner's format whose header names canonical
//! fields, plus a job_batches row, plus a work message to the kind's queue. Like the planner,
//! the write maps and validates its row as it makes the blob (each column is the field of the
//! same name, read with the job's mapping's currency, country and time zone); the same entity
//! handler then resolves references, upserts or rejects it. The batch's file name
//! ("api:<request id>") marks it, and the request's outcome is found again by that name (the
//! batch, its reject, its record).

use std::collections::BTreeMap;

use bytes::Bytes;
use migrationai_domain::catalogue::kind_def;
use migrationai_domain::Kind;
use migrationai_ingest::mapping::FileMapping;
use migrationai_ingest::transform::RowMapper;
use migrationai_ingest::SourceRow;
use migrationai_ports::store::{BatchRow, JobRow};

use crate::batch_blob::{self, settle, BlobHeader, BlobWriter, RowLine};
use crate::error::ProcessingError;
use crate::ids::named_batch_key;
use crate::message::WorkMessage;
use crate::services::Services;

/// The file name prefix of an API write's batch.
pub const FILE_PREFIX: &str = "api:";
/// The source row number an API write is recorded under (its only row).
pub const ROW: u64 = 1;
/// How many times a batch number taken by a concurrent write is tried again.
const NUMBER_TRIES: usize = 8;

pub fn file_name(request_id: &str) -> String {
    format!("{FILE_PREFIX}{request_id}")
}

/// The identity mapping of an API write's batch: each column is the canonical field it is
/// named after. None for any other file (the job's mapping applies).
pub fn file_mapping(kind: Kind, file: &str, headers: &[String]) -> Option<FileMapping> {
    if !file.starts_with(FILE_PREFIX) {
        return None;
    }
    let def = kind_def(kind);
    let columns = headers
        .iter()
        .map(|h| (h.clone(), def.field(h).map(|f| f.name)))
        .collect();
    Some(FileMapping {
        table: file.to_string(),
        kind: Some(kind),
        left_out: false,
        date_order: None,
        two_digit_years: None,
        minor_units: Vec::new(),
        serial_dates: Vec::new(),
        by_name: Vec::new(),
        from: None,
        times: Vec::new(),
        columns,
        ignored: Vec::new(),
        key: Default::default(),
        defaults: Vec::new(),
        decimal: Vec::new(),
        encoding: None,
        quantity_unit: Default::default(),
    })
}

/// Why a write was refused before it was queued.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0} records cannot be written one at a time")]
    Kind(Kind),
    #[error("\"{field}\" is not a field of {kind} (see /v1/catalogue)")]
    UnknownField { kind: Kind, field: String },
    #[error("the record has no fields")]
    Empty,
    #[error(transparent)]
    Processing(#[from] ProcessingError),
}

/// Kinds whose records can be written alone: those carrying no document or email file (a
/// file needs the export it came in).
pub fn writable(kind: Kind) -> bool {
    !matches!(kind, Kind::Document | Kind::ProjectEmail)
}

/// Stores the one-row batch and queues it; returns the request id. The job must be planned
/// (the caller checks it is done, so that its phases are not waiting for this batch).
pub async fn submit(
    services: &Services,
    job: &JobRow,
    kind: Kind,
    fields: &BTreeMap<String, String>,
) -> Result<String, WriteError> {
    if !writable(kind) {
        return Err(WriteError::Kind(kind));
    }
    let def = kind_def(kind);
    if fields.is_empty() {
        return Err(WriteError::Empty);
    }
    if let Some(field) = fields.keys().find(|f| def.field(f).is_none()) {
        return Err(WriteError::UnknownField {
            kind,
            field: field.clone(),
        });
    }
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let file = file_name(&request_id);
    let header = BlobHeader {
        file: file.clone(),
        headers: fields.keys().cloned().collect(),
    };
    let mapping = services.mapping(job)?;
    let identity = file_mapping(kind, &file, &header.headers)
        .ok_or_else(|| ProcessingError::Mapping(format!("{file} is not an API write")))?;
    let mapper = RowMapper::new(&mapping, &identity, &header.headers)
        .ok_or_else(|| ProcessingError::Mapping(format!("{file} is not mapped to a kind")))?;
    let row = SourceRow {
        row: ROW,
        values: fields.values().cloned().collect(),
    };
    // Alone in its batch, the row is the first of its source id there; a record of the same
    // id already loaded is overwritten, as a write means to.
    let line = settle(&mapper, &row, |_| true)?;
    let mut blob = BlobWriter::new(&header)?;
    blob.row(&line)?;
    let body = blob.finish()?;
    // Keyed by the request, not the batch number: a number taken by a concurrent write must
    // not overwrite that write's blob.
    let blob_key = named_batch_key(&job.tenant, &job.id, kind.as_str(), &file.replace(':', "-"));
    services
        .batches
        .put(&blob_key, Bytes::from(body))
        .await
        .map_err(ProcessingError::from)?;
    let batch_no = add_batch(services, job, kind, &file, &blob_key).await?;
    let message = WorkMessage {
        tenant: job.tenant.clone(),
        job: job.id.clone(),
        kind,
        batch_no,
        blob_key,
    };
    let body = serde_json::to_string(&message).map_err(crate::error::json("work message"))?;
    services
        .queue
        .send(&services.names.queue(kind.into()), &body, None)
        .await
        .map_err(ProcessingError::from)?;
    Ok(request_id)
}

/// Takes the next batch number of the kind. `add_batches` leaves an existing number alone,
/// so the row is read back: if another write took the number first, the next one is tried.
async fn add_batch(
    services: &Services,
    job: &JobRow,
    kind: Kind,
    file: &str,
    blob_key: &str,
) -> Result<i64, ProcessingError> {
    for _ in 0..NUMBER_TRIES {
        let next = services
            .store
            .batches(&job.tenant, &job.id)
            .await?
            .iter()
            .filter(|b| b.kind == kind)
            .map(|b| b.batch_no + 1)
            .max()
            .unwrap_or(0);
        let row = BatchRow {
            kind,
            batch_no: next,
            file: file.to_string(),
            blob_key: blob_key.to_string(),
            rows: 1,
            done: false,
            loaded: 0,
            rejected: 0,
        };
        services
            .store
            .add_batches(&job.tenant, &job.id, std::slice::from_ref(&row))
            .await?;
        let stored = services
            .store
            .batch(&job.tenant, &job.id, kind, next)
            .await?;
        if stored.is_some_and(|b| b.file == file) {
            return Ok(next);
        }
    }
    Err(ProcessingError::NoBatchNumber {
        file: file.to_string(),
        tries: NUMBER_TRIES,
    })
}

/// Where a write is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Loaded {
        source_id: String,
        canonical_id: String,
    },
    Rejected {
        field: String,
        code: String,
        reason: String,
    },
}

/// The outcome of a write; None when the job has no such request of that kind.
pub async fn status(
    services: &Services,
    tenant: &str,
    job: &str,
    kind: Kind,
    request_id: &str,
) -> Result<Option<RequestStatus>, ProcessingError> {
    let file = file_name(request_id);
    let store = &services.store;
    let Some(batch) = store
        .batches(tenant, job)
        .await?
        .into_iter()
        .find(|b| b.kind == kind && b.file == file)
    else {
        return Ok(None);
    };
    if !batch.done {
        return Ok(Some(RequestStatus::Pending));
    }
    if batch.rejected > 0 {
        let reject = store
            .rejects(tenant, job)
            .await?
            .into_iter()
            .find(|r| r.kind == kind && r.file == file)
            .ok_or_else(|| {
                ProcessingError::Inconsistent(format!("{file}: rejected but no reject"))
            })?;
        return Ok(Some(RequestStatus::Rejected {
            field: reject.field,
            code: reject.code,
            reason: reject.reason,
        }));
    }
    // The record may have been overwritten since by a later write of the same source id, so
    // the source id is read from the request's own blob.
    let bytes = services
        .batch_blob(&batch.blob_key)
        .await
        .map_err(ProcessingError::from)?;
    let source_id = source_id_of(&bytes).ok_or_else(|| {
        ProcessingError::Inconsistent(format!("{}: no source id", batch.blob_key))
    })?;
    Ok(Some(RequestStatus::Loaded {
        canonical_id: crate::ids::canonical_id(tenant, job, kind.as_str(), &source_id),
        source_id,
    }))
}

fn source_id_of(bytes: &[u8]) -> Option<String> {
    let (_, rows) = batch_blob::read(bytes).ok()?;
    match rows.into_iter().next()? {
        RowLine::Load(load) => Some(load.source_id),
        RowLine::Reject(reject) => reject.source_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_api_files_get_the_identity_mapping() {
        let headers = vec!["contact_id".to_string(), "nonsense".to_string()];
        assert!(file_mapping(Kind::Contacts, "contacts.csv", &headers).is_none());
        let fm = file_mapping(Kind::Contacts, &file_name("r1"), &headers).expect("mapping");
        assert_eq!(fm.kind, Some(Kind::Contacts));
        assert_eq!(
            fm.fields_by_position(&headers),
            vec![Some("contact_id"), None]
        );
    }
}
