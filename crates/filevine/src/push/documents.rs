//! document → Filevine `Documents`: ask for an upload URL (with the partner id), PUT the
//! file to it with its MD5 (the store refuses bytes that changed on the way), then add the
//! document to the project, which commits it. Before anything is sent the file is checked
//! against the SHA-256 the migration recorded for it.

use async_trait::async_trait;
use migrationai_domain::Kind;
use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};

use super::{FileContent, FileRole, KindWrite, Plan, PushRecord, Pusher};
use crate::error::FvError;
use crate::idmap::FvId;
use crate::ops::{Call, Op};
use crate::transport::call_as;
use crate::wire::document::{CreateDocument, Document, DocumentUploadLocator};
use crate::wire::Identifier;

const SCOPE: &str = "Document";

pub struct Documents;

pub struct DocumentPlan {
    project: i64,
    body: CreateDocument,
    file: FileContent,
}

impl Plan for DocumentPlan {
    fn payload(&self) -> Json {
        json!({ "document": self.body, "sha256": self.file.sha256 })
    }
}

impl Documents {
    /// Upload URL, upload, add to project. Asking for the URL with the same partner id
    /// again answers the same document, so a retry finishes what an earlier attempt began.
    async fn deliver(&self, px: &Pusher, plan: &DocumentPlan) -> Result<FvId, FvError> {
        let body = serde_json::to_value(&plan.body).unwrap_or_default();
        let locator: DocumentUploadLocator =
            call_as(px.t(), Call::new(Op::DocumentUploadUrl).body(body)).await?;
        let missing = |what: &str| {
            FvError::permanent(
                Op::DocumentUploadUrl.to_string(),
                format!("the answer has no {what}"),
            )
        };
        let id = locator
            .document_id
            .and_then(|d| d.native)
            .ok_or_else(|| missing("DocumentId.Native"))?;
        let url = locator.url.ok_or_else(|| missing("Url"))?;
        let content_type = plan
            .file
            .content_type
            .clone()
            .or(locator.content_type)
            .unwrap_or_else(|| "application/octet-stream".into());
        px.t()
            .upload(&url, &content_type, plan.file.bytes.clone())
            .await?;
        px.t()
            .call(Call::new(Op::DocumentAdd).arg(plan.project).arg(id))
            .await?;
        Ok(FvId::int(id))
    }
}

#[async_trait]
impl KindWrite for Documents {
    type P = DocumentPlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<DocumentPlan, FvError> {
        let project = rec.parents.require_project()?;
        let file = rec
            .files
            .iter()
            .find(|f| f.role == FileRole::Document)
            .cloned()
            .ok_or_else(|| {
                FvError::refused(
                    Some("file_path"),
                    "file_missing",
                    "the document's file is not in the migration's store",
                )
            })?;
        let actual = hex::encode(Sha256::digest(&file.bytes));
        if !actual.eq_ignore_ascii_case(&file.sha256) {
            return Err(FvError::refused(
                Some("file_path"),
                "checksum_mismatch",
                format!(
                    "the file's SHA-256 is {actual}, not the {} the migration recorded",
                    file.sha256
                ),
            ));
        }
        let filename = rec.text("name").map(str::to_string).unwrap_or_else(|| {
            file.name
                .rsplit('/')
                .next()
                .unwrap_or(&file.name)
                .to_string()
        });
        Ok(DocumentPlan {
            project,
            body: CreateDocument {
                filename,
                size: file.bytes.len() as i64,
                project_id: Some(Identifier::native(project)),
                document_id: Some(Identifier::partner(
                    &px.keys.record(Kind::Document, &rec.source_id),
                )),
            },
            file,
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &DocumentPlan,
    ) -> Result<FvId, FvError> {
        self.deliver(px, plan).await
    }

    /// A document an earlier attempt began: committed (readable) means done; known by its
    /// partner id but not committed means the upload or the commit is still to do.
    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &DocumentPlan,
    ) -> Result<Option<FvId>, FvError> {
        let Some(id) = px.by_partner(SCOPE, plan.body.document_id.as_ref()).await? else {
            return Ok(None);
        };
        match call_as::<Document>(px.t(), Call::new(Op::DocumentGet).arg(&id)).await {
            Ok(_) => Ok(Some(id)),
            // Filevine answers 403 for a document that is not (yet) there to read.
            Err(e) if matches!(e.status(), Some(403) | Some(404)) => {
                self.deliver(px, plan).await.map(Some)
            }
            Err(e) => Err(e),
        }
    }

    /// A delivered document is kept as delivered: Filevine keeps revisions of its own, and
    /// a file that changed since is reported by the read-back's checksum check.
    async fn update(
        &self,
        _px: &Pusher,
        rec: &PushRecord,
        _plan: &DocumentPlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        tracing::info!(source = %rec.source_id, fv_id = %id, "document already in Filevine");
        Ok((id.clone(), Vec::new()))
    }
}
