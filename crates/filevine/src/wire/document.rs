//! Documents: the upload URL request and answer, `Document`, and the download locator.

use super::Identifier;
use serde::{Deserialize, Serialize};

/// `POST /Documents`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateDocument {
    pub filename: String,
    pub size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Identifier>,
    /// Its `Partner` creates the partner key association for the new document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_id: Option<Identifier>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentUploadLocator {
    #[serde(default)]
    pub document_id: Option<Identifier>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Document {
    #[serde(default)]
    pub document_id: Option<Identifier>,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub size: Option<i64>,
    #[serde(default)]
    pub project_id: Option<Identifier>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DocumentFileLocator {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
}
