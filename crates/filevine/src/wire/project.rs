//! `UpdateableProject` (the create body), `Project`, `PatchProjectRequest` and
//! `ProjectType`.

use super::Identifier;
use serde::{Deserialize, Serialize};

/// The create body: a project of a project type for a client contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateableProject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<Identifier>,
    pub project_type_id: Identifier,
    pub client_id: Identifier,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// UTC with a `Z` suffix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Project {
    #[serde(default)]
    pub project_id: Option<Identifier>,
    #[serde(default)]
    pub project_type_id: Option<Identifier>,
    #[serde(default)]
    pub client_id: Option<Identifier>,
    #[serde(default)]
    pub project_name: Option<String>,
    #[serde(default)]
    pub number: Option<String>,
}

/// What `PATCH /Projects/{projectId}` can change.
pub const PATCHABLE: &[&str] = &["ProjectName", "IncidentDate", "Description", "Number"];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectType {
    #[serde(default)]
    pub project_type_id: Option<Identifier>,
    #[serde(default)]
    pub name: Option<String>,
}
