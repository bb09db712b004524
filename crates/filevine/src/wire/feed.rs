//! The activity feed: `Note` (notes, tasks and emails are all notes), the create bodies of
//! notes and tasks, and the email message posted to a project.

use super::Identifier;
use serde::{Deserialize, Serialize};

/// `POST /Notes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateNote {
    pub project_id: Identifier,
    /// Its `Partner` makes the create idempotent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_id: Option<Identifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// ISO 8601; must not be in the future.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// `POST /tasks`: a note with an assignee and a target date.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTask {
    pub project_id: Identifier,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note_id: Option<Identifier>,
    pub body: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub assignee_id: Identifier,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Note {
    #[serde(default)]
    pub note_id: Option<Identifier>,
    #[serde(default)]
    pub project_id: Option<Identifier>,
    #[serde(default)]
    pub type_tag: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub is_completed: Option<bool>,
    #[serde(default)]
    pub target_date: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailAddress {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailAttachment {
    pub name: String,
    pub content_type: String,
    pub is_base64: bool,
    pub content: String,
    #[serde(rename = "FolderID")]
    pub folder_id: i64,
}

/// `POST /projects/{projectId}/emails`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EmailMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_id: Option<Identifier>,
    pub from: EmailAddress,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<EmailAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<EmailAttachment>,
}
