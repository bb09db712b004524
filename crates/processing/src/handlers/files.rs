//! The file part of documents and emails: the file named in the row is found inside the
//! export, stored in the blob store with its SHA-256, and for an .eml each attachment too.

use bytes::Bytes;
use mail_parser::{MessageParser, MimeHeaders};
use migrationai_domain::Kind;
use migrationai_ingest::{Export, RefError};
use migrationai_ports::store::RejectRow;
use serde_json::json;

use crate::batch::HandlerError;
use crate::ids::{canonical_id, file_key};
use crate::message::WorkMessage;
use crate::services::Services;

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

pub(crate) async fn attach(
    services: &Services,
    export: &Export,
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
        let Some(path) = c.record.text(field).map(str::to_string) else {
            kept.push(c);
            continue;
        };
        let located = match export.resolve_reference(&path) {
            Ok(p) => p,
            Err(e) => {
                rejects.push(reject(
                    kind,
                    file,
                    c.row,
                    Some(c.record.source_id.clone()),
                    field,
                    ref_code(&e),
                    &e.to_string(),
                    c.raw(),
                ));
                continue;
            }
        };
        let bytes = match tokio::fs::read(&located).await {
            Ok(b) => Bytes::from(b),
            Err(e) => {
                let reason = format!("\"{path}\" cannot be read: {e}");
                rejects.push(reject(
                    kind,
                    file,
                    c.row,
                    Some(c.record.source_id.clone()),
                    field,
                    "missing_file",
                    &reason,
                    c.raw(),
                ));
                continue;
            }
        };
        let id = canonical_id(&work.tenant, &work.job, kind.as_str(), &c.record.source_id);
        if kind == Kind::ProjectEmail {
            for (n, (name, content_type, part)) in attachments(&bytes).into_iter().enumerate() {
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
        let key = file_key(&work.tenant, &work.job, kind.as_str(), &id, 0);
        let stored = services
            .blobs
            .put(&key, bytes)
            .await
            .map_err(HandlerError::new)?;
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
