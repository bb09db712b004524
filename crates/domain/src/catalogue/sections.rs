//! The sections kind: its fields, the words exports use for them, and its choices.

use super::*;

pub const SECTIONS: KindDef = KindDef {
    kind: Kind::Sections,
    description: "Custom data of a matter: a form section holds one record of fields, a collection section holds rows.",
    file_words: &["custom", "custom fields", "custom field values", "section", "sections", "form", "forms", "intake", "collection"],
    fields: &[
        f("section_row_id", SourceId, true, "The custom value's id in the source.", &["id", "value id", "custom field value id", "row id", "record id", "entry id"]),
        f("project_id", Ref(Kind::Projects), true, "The matter the value belongs to.", MATTER_REF),
        f("section", Text, true, "The section (form or collection) name.", &["section", "section name", "form", "form name", "custom field set", "group", "field set", "tab"]),
        f("field", Text, true, "The custom field's name.", &["field", "field name", "custom field", "custom field name", "question", "label", "attribute"]),
        f("value", LongText, false, "The value as written.", &["value", "field value", "answer", "response", "custom field value", "data"]),
        choice("field_type", false, "The custom field's type.", &["field type", "type", "data type", "value type"], &[
            c("text", &["text", "text line", "text area", "string", "textarea"]),
            c("number", &["number", "numeric", "decimal", "integer"]),
            c("date", &["date", "time", "datetime"]),
            c("checkbox", &["checkbox", "boolean", "bool", "yes/no"]),
            c("picklist", &["picklist", "dropdown", "choice", "select"]),
            c("currency", &["currency", "money"]),
            c("contact", &["contact"]),
            c("url", &["url", "link"]),
            c("email", &["email"]),
        ]),
        f("row_index", Integer, false, "Row number within a collection section (empty for forms).", &["row", "row index", "row number", "item number", "index"]),
    ],
    one_of: &[],
};
