//! A project type's custom sections (`CustomSection`, `CustomField`) and a collection
//! section's rows (`CollectionItem`).

use super::{ItemIdentifier, Object};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomSection {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub section_selector: Option<String>,
    #[serde(default)]
    pub is_collection: bool,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomField {
    #[serde(default, rename = "ID")]
    pub id: Option<i64>,
    #[serde(default)]
    pub field_selector: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub custom_field_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CollectionItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<ItemIdentifier>,
    #[serde(default)]
    pub data_object: Object,
}
