//! The file part of documents and emails: the file named in the row is found among the
//! files tfp copied to the blob store (or, for a job run on one machine, inside the export
//! and then stored), with its SHA-256; for an .eml each attachment is stored too.

use std::sync::Arc;

use bytes::Bytes;
use mail_parser::{MessageParser, MimeHeaders};
use migrationai_domain::Kind;
use migrationai_ingest::{Export, RefError};
use migrationai_ports::blob::StoredBlob;
use migrationai_ports::store::{JobRow, RejectRow};
use serde_json::json;

use crate::batch::HandlerError;
use crate::ids::{canonical_id, file_key};
use crate::message::WorkMessage;
use crate::services::Services;
use crate::staged::Staged;

use super::entity::{reject, Candidate};

/// The field holding the file path of a kind.
pub fn path_field(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Document => Some("file_path"),
        Kind::ProjectEmail => Some("eml_path"),
        _ => None,
    }
}

fn ref_code(e: &RefError) -> &'static str {
    match e {
        RefError::Absolute(_) | RefError::DriveLetter(_) => "absolute_path",
        RefError::Traversal(_) | RefError::EscapesExport(_) => "path_traversal",
        RefError::InvalidCharacter(_) => "invalid_path",
        RefError::Empty | RefError::Missing(_) | RefError::NotAFile(_) => "missing_file",
    }
}

/// Where a job's document and email files are: in the blob store (copied by tfp when it
/// split the job) or in the export on this machine.
pub(crate) enum FileSource {
    Staged(Arc<Staged>),
    Export(Arc<Export>),
}

impl FileSource {
    pub(crate) async fn of(services: &Services, job: &JobRow) -> Result<Self, HandlerError> {
        if let Some(staged) = services.staged(job).await? {
            return Ok(FileSource::Staged(staged));
        }
        Ok(FileSource::Export(services.export(job).await?))
    }
}

/// A file found for a row: its blob once stored, and its bytes when it is an email whose
/// attachments are read (documents are never held in memory whole).
struct Found {
    stored: StoredBlob,
    eml: Option<Bytes>,
}

/// Why a row's file cannot be used: (code, reason).
type Missing = (&'static str, String);

async fn find(
    services: &Services,
    source: &FileSource,
    kind: Kind,
    path: &str,
    key: &str,
) -> Result<Result<Found, Missing>, HandlerError> {
    match source {
        FileSource::Staged(staged) => {
            let f = match staged.resolve(path) {
                Ok(f) => f,
                Err(e) => return Ok(Err((ref_code(&e), e.to_string()))),
            };
            // Already stored and hashed by tfp: the record points at that blob.
            let eml = if kind == Kind::ProjectEmail {
                Some(
                    services
                        .blobs
                        .get(&f.key)
                        .await
                        .map_err(HandlerError::new)?,
                )
            } else {
                None
            };
            let stored = StoredBlob {
                key: f.key.clone(),
                size: f.size,
                sha256: f.sha256.clone(),
            };
            Ok(Ok(Found { stored, eml }))
        }
        FileSource::Export(export) => {
            let located = match export.resolve_reference(path) {
                Ok(p) => p,
                Err(e) => return Ok(Err((ref_code(&e), e.to_string()))),
            };
            let unreadable = |e: &dyn std::fmt::Display| {
                Ok(Err((
                    "missing_file",
                    format!("\"{path}\" cannot be read: {e}"),
                )))
            };
            if kind == Kind::ProjectEmail {
                let bytes = match tokio::fs::read(&located).await {
                    Ok(b) => Bytes::from(b),
                    Err(e) => return unreadable(&e),
                };
                let stored = services
                    .blobs
                    .put(key, bytes.clone())
                    .await
                    .map_err(HandlerError::new)?;
                return Ok(Ok(Found {
                    stored,
                    eml: Some(bytes),
                }));
            }
            // A file that cannot be opened is the row's problem; a failing store is not.
            if let Err(e) = tokio::fs::File::open(&located).await {
                return unreadable(&e);
            }
            // Streamed into the store and hashed on the way.
            let stored = services
                .blobs
                .put_file(key, &located)
                .await
                .map_err(HandlerError::new)?;
            Ok(Ok(Found { stored, eml: None }))
        }
    }
}

pub(crate) async fn attach(
    services: &Services,
    source: &FileSource,
    work: &WorkMessage,
    kind: Kind,
    file: &str,
    candidates: Vec<Candidate>,
    rejects: &mut Vec<RejectRow>,
) -> Result<Vec<Candidate>, HandlerError> {
    let Some(field) = path_field(kind) else {
        return Ok(candidates);
    };
    let mut kept = Vec::with_capacity(candidates.len());
    for mut c in candidates {
        let Some(path) = c.path.clone() else {
            kept.push(c);
            continue;
        };
        let id = canonical_id(&work.tenant, &work.job, kind.as_str(), &c.source_id);
        let key = file_key(&work.tenant, &work.job, kind.as_str(), &id, 0);
        let found = match find(services, source, kind, &path, &key).await? {
            Ok(found) => found,
            Err((code, reason)) => {
                rejects.push(reject(
                    kind,
                    file,
                    c.row,
                    Some(c.source_id.clone()),
                    field,
                    code,
                    &reason,
                    c.raw(),
                ));
                continue;
            }
        };
        if let Some(eml) = &found.eml {
            for (n, (name, content_type, part)) in attachments(eml).into_iter().enumerate() {
                let key = file_key(&work.tenant, &work.job, kind.as_str(), &id, n + 1);
                let stored = services
                    .blobs
                    .put(&key, part)
                    .await
                    .map_err(HandlerError::new)?;
                c.files.push(json!({
                    "role": "attachment",
                    "name": name,
                    "content_type": content_type,
                    "size": stored.size,
                    "sha256": stored.sha256,
                    "blob_key": stored.key,
                }));
            }
        }
        let stored = found.stored;
        c.files.insert(
            0,
            json!({
                "role": if kind == Kind::Document { "document" } else { "eml" },
                "name": path,
                "size": stored.size,
                "sha256": stored.sha256,
                "blob_key": stored.key,
            }),
        );
        kept.push(c);
    }
    Ok(kept)
}

/// Each attachment of an email: (file name, content type, decoded bytes), in order.
/// An .eml that does not parse has no attachments; the file itself is still kept.
pub fn attachments(eml: &[u8]) -> Vec<(String, String, Bytes)> {
    let Some(message) = MessageParser::default().parse(eml) else {
        return Vec::new();
    };
    message
        .attachments()
        .map(|part| {
            let name = part.attachment_name().unwrap_or("attachment").to_string();
            let content_type = part
                .content_type()
                .map(|ct| match &ct.c_subtype {
                    Some(sub) => format!("{}/{}", ct.c_type, sub),
                    None => ct.c_type.to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into());
            (name, content_type, Bytes::copy_from_slice(part.contents()))
        })
        .collect()
}
