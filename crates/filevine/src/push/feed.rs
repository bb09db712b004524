//! The project's activity feed: notes → `Notes`, tasks → `tasks` (completed when done),
//! project-email → the project's `emails`. All three carry the partner id in their own id
//! (`NoteId.Partner`, `EmailId.Partner`), which Filevine files under the Note scope.

use async_trait::async_trait;
use base64::Engine;
use chrono::Utc;
use migrationai_domain::value::date::When;
use migrationai_domain::{Kind, Value};
use serde_json::{json, Value as Json};

use super::diff::changed;
use super::text::{date, instant, with_extras};
use super::{FileRole, KindWrite, Plan, PushRecord, Pusher};
use crate::error::FvError;
use crate::idmap::FvId;
use crate::ops::{Call, Op};
use crate::transport::call_as;
use crate::wire::feed::{
    CreateNote, CreateTask, EmailAddress, EmailAttachment, EmailMessage, Note,
};
use crate::wire::{Identifier, Object};

const SCOPE: &str = "Note";

fn note_id(made: Note, op: Op) -> Result<FvId, FvError> {
    made.note_id
        .and_then(|n| n.native)
        .map(FvId::int)
        .ok_or_else(|| FvError::permanent(op.to_string(), "the answer has no NoteId.Native"))
}

// ---- notes ----

pub struct Notes;

pub struct NotePlan(CreateNote);

impl Plan for NotePlan {
    fn payload(&self) -> Json {
        serde_json::to_value(&self.0).unwrap_or_default()
    }
}

#[async_trait]
impl KindWrite for Notes {
    type P = NotePlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<NotePlan, FvError> {
        let project = match (rec.get("project_id"), rec.get("contact_id")) {
            // The source keeps this note on a contact alone: Filevine keeps notes on
            // projects only (`POST /Notes` requires `ProjectId`), and which of the
            // contact's projects it belongs to is not ours to guess.
            (None, Some(Value::Ref(contact))) => {
                return Err(FvError::refused(
                    Some("project_id"),
                    "note_on_contact_only",
                    format!(
                        "the note is on contact \"{contact}\" and names no project; Filevine \
                         keeps notes on projects only"
                    ),
                ))
            }
            _ => rec.parents.require_project()?,
        };
        let created_at = instant(rec, "noted_at");
        Ok(NotePlan(CreateNote {
            project_id: Identifier::native(project),
            note_id: Some(Identifier::partner(
                &px.keys.record(Kind::Notes, &rec.source_id),
            )),
            body: with_extras(
                rec.text("body"),
                rec,
                &[("author", "Author"), ("contact_id", "About contact")],
            ),
            subject: rec.text("subject").map(str::to_string),
            created_at,
        }))
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &NotePlan,
    ) -> Result<FvId, FvError> {
        let made: Note = call_as(px.t(), Call::new(Op::NoteCreate).body(plan.payload())).await?;
        note_id(made, Op::NoteCreate)
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &NotePlan,
    ) -> Result<Option<FvId>, FvError> {
        px.by_partner(SCOPE, plan.0.note_id.as_ref()).await
    }

    /// A note's body and subject can change; the rest stays as created.
    async fn update(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &NotePlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let remote: Object = call_as(px.t(), Call::new(Op::NoteGet).arg(id)).await?;
        let mut desired = Object::new();
        desired.insert(
            "Body".into(),
            json!(plan.0.body.clone().unwrap_or_default()),
        );
        if let Some(s) = &plan.0.subject {
            desired.insert("Subject".into(), json!(s));
        }
        let diff = changed(&desired, &remote, &[]);
        if !diff.is_empty() {
            px.t()
                .call(
                    Call::new(Op::NoteUpdate)
                        .arg(id)
                        .body(Json::Object(diff.clone())),
                )
                .await?;
        }
        Ok((id.clone(), diff.keys().cloned().collect()))
    }
}

// ---- tasks ----

pub struct Tasks;

pub struct TaskPlan {
    body: CreateTask,
    done: bool,
}

impl Plan for TaskPlan {
    fn payload(&self) -> Json {
        json!({ "task": self.body, "done": self.done })
    }
}

#[async_trait]
impl KindWrite for Tasks {
    type P = TaskPlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<TaskPlan, FvError> {
        let project = rec.parents.require_project()?;
        let title = rec.text("title");
        let text = with_extras(
            rec.text("description").or(title),
            rec,
            &[
                ("status", "Status"),
                ("priority", "Priority"),
                ("assignee", "Assignee in the source"),
                ("statute_of_limitations", "Statute of limitations"),
                ("completed_at", "Completed"),
            ],
        )
        .ok_or_else(|| {
            FvError::refused(
                Some("title"),
                "required",
                "a task needs a title or a description",
            )
        })?;
        let done = rec.text("status") == Some("done")
            || super::text::boolean(rec, "done") == Some(true)
            || rec.get("completed_at").is_some();
        Ok(TaskPlan {
            body: CreateTask {
                project_id: Identifier::native(project),
                note_id: Some(Identifier::partner(
                    &px.keys.record(Kind::Tasks, &rec.source_id),
                )),
                body: text,
                subject: title.map(str::to_string),
                assignee_id: Identifier::native(px.config.user_id),
                target_date: date(rec, "due_on").map(|d| d.to_string()),
                created_at: None,
            },
            done,
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &TaskPlan,
    ) -> Result<FvId, FvError> {
        let body = serde_json::to_value(&plan.body).unwrap_or_default();
        let made: Note = call_as(px.t(), Call::new(Op::TaskCreate).body(body)).await?;
        let id = note_id(made, Op::TaskCreate)?;
        if plan.done {
            px.t().call(Call::new(Op::TaskComplete).arg(&id)).await?;
        }
        Ok(id)
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &TaskPlan,
    ) -> Result<Option<FvId>, FvError> {
        px.by_partner(SCOPE, plan.body.note_id.as_ref()).await
    }

    /// A task's body can change (`PATCH /tasks/{id}` takes only `Body`), and an open task
    /// the source says is done is completed.
    async fn update(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &TaskPlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let remote: Note = call_as(px.t(), Call::new(Op::TaskGet).arg(id)).await?;
        let mut changed = Vec::new();
        if remote.body.as_deref().map(str::trim) != Some(plan.body.body.trim()) {
            px.t()
                .call(
                    Call::new(Op::TaskUpdate)
                        .arg(id)
                        .body(json!({ "Body": plan.body.body })),
                )
                .await?;
            changed.push("Body".to_string());
        }
        if plan.done && remote.is_completed != Some(true) {
            px.t().call(Call::new(Op::TaskComplete).arg(id)).await?;
            changed.push("IsCompleted".to_string());
        }
        Ok((id.clone(), changed))
    }
}

// ---- emails ----

pub struct Emails;

pub struct EmailPlan {
    project: i64,
    body: EmailMessage,
    /// The attachments' checksums stand in for their content in the digest.
    attachments: Vec<String>,
}

impl Plan for EmailPlan {
    fn payload(&self) -> Json {
        let mut v = serde_json::to_value(&self.body).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("Attachments");
            o.insert("AttachmentSha256".into(), json!(self.attachments));
        }
        v
    }
}

fn addresses(raw: &str) -> Vec<EmailAddress> {
    raw.split([',', ';'])
        .map(str::trim)
        .filter(|a| a.contains('@'))
        .map(|a| {
            // "Name <address>" or a bare address.
            match (a.find('<'), a.rfind('>')) {
                (Some(open), Some(close)) if open < close => EmailAddress {
                    address: a[open + 1..close].trim().to_string(),
                    name: Some(a[..open].trim().trim_matches('"').to_string())
                        .filter(|n| !n.is_empty()),
                },
                _ => EmailAddress {
                    address: a.to_string(),
                    name: None,
                },
            }
        })
        .collect()
}

#[async_trait]
impl KindWrite for Emails {
    type P = EmailPlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<EmailPlan, FvError> {
        let project = rec.parents.require_project()?;
        let from = match rec.get("from") {
            Some(Value::Email(e)) => e.as_str().to_string(),
            _ => {
                return Err(FvError::refused(
                    Some("from"),
                    "required",
                    "Filevine files an email only with its sender",
                ))
            }
        };
        let mut headers = serde_json::Map::new();
        if let Some(Value::When(When::At(t))) = rec.get("sent_at") {
            headers.insert("Date".into(), json!(t.utc.to_rfc2822()));
        }
        let attachments: Vec<&super::FileContent> = rec
            .files
            .iter()
            .filter(|f| f.role == FileRole::Attachment)
            .collect();
        Ok(EmailPlan {
            project,
            body: EmailMessage {
                email_id: Some(Identifier::partner(
                    &px.keys.record(Kind::ProjectEmail, &rec.source_id),
                )),
                from: EmailAddress {
                    address: from,
                    name: None,
                },
                to: rec.text("to").map(addresses).unwrap_or_default(),
                subject: rec.text("subject").map(str::to_string),
                text: with_extras(
                    rec.text("body"),
                    rec,
                    &[("sent_at", "Sent"), ("eml_path", "Source file")],
                ),
                headers: (!headers.is_empty()).then_some(headers),
                attachments: attachments
                    .iter()
                    .map(|f| EmailAttachment {
                        name: f.name.clone(),
                        content_type: f
                            .content_type
                            .clone()
                            .unwrap_or_else(|| "application/octet-stream".into()),
                        is_base64: true,
                        content: base64::engine::general_purpose::STANDARD.encode(&f.bytes),
                        folder_id: 0,
                    })
                    .collect(),
            },
            attachments: attachments.iter().map(|f| f.sha256.clone()).collect(),
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &EmailPlan,
    ) -> Result<FvId, FvError> {
        let body = serde_json::to_value(&plan.body).unwrap_or_default();
        let made: Note = call_as(
            px.t(),
            Call::new(Op::EmailCreate).arg(plan.project).body(body),
        )
        .await?;
        note_id(made, Op::EmailCreate)
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &EmailPlan,
    ) -> Result<Option<FvId>, FvError> {
        px.by_partner(SCOPE, plan.body.email_id.as_ref()).await
    }

    /// A posted email is a record of what was sent: Filevine has no call to change it.
    async fn update(
        &self,
        _px: &Pusher,
        rec: &PushRecord,
        _plan: &EmailPlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        tracing::info!(source = %rec.source_id, fv_id = %id, at = %Utc::now(), "email already in Filevine; posted emails are not changed");
        Ok((id.clone(), Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_read_with_or_without_names() {
        let a = addresses("\"Jane Doe\" <jane@x.com>; bob@y.org, not-an-address");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].address, "jane@x.com");
        assert_eq!(a[0].name.as_deref(), Some("Jane Doe"));
        assert_eq!(a[1].address, "bob@y.org");
    }
}
