//! The field catalogue: every canonical field of every kind, with its type, whether it is
//! required, a description and the header names common exports use for it. Mapping,
//! validation, documentation and the web UI all read this one table.

use crate::kind::Kind;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "of", rename_all = "snake_case")]
pub enum FieldType {
    /// The record's id in the source system; unique within the kind.
    SourceId,
    /// The source id of a record of another kind.
    Ref(Kind),
    /// Several source ids of another kind in one cell, separated by ';', ',' or '|'.
    RefList(Kind),
    Text,
    LongText,
    Email,
    Phone,
    Date,
    /// A date-time; a date alone means a whole day.
    DateTime,
    TimeZone,
    Bool,
    /// An amount of money; `signed` allows negatives.
    Money {
        signed: bool,
    },
    Decimal,
    Integer,
    Currency,
    Country,
    /// One of a fixed set of values; see `FieldDef::choices`.
    Choice,
    /// A path to a file inside the export (a document or an .eml).
    FilePath,
    Sha256,
}

impl FieldType {
    pub fn label(&self) -> &'static str {
        match self {
            FieldType::SourceId => "source id",
            FieldType::Ref(_) => "reference",
            FieldType::RefList(_) => "list of references",
            FieldType::Text => "text",
            FieldType::LongText => "long text",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Date => "date",
            FieldType::DateTime => "date-time",
            FieldType::TimeZone => "time zone",
            FieldType::Bool => "yes/no",
            FieldType::Money { .. } => "money",
            FieldType::Decimal => "number",
            FieldType::Integer => "whole number",
            FieldType::Currency => "currency code",
            FieldType::Country => "country",
            FieldType::Choice => "choice",
            FieldType::FilePath => "file path",
            FieldType::Sha256 => "SHA-256 checksum",
        }
    }
}

/// One allowed value of a choice field and the spellings exports use for it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Choice {
    pub value: &'static str,
    pub aliases: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct FieldDef {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: FieldType,
    pub required: bool,
    pub description: &'static str,
    pub synonyms: &'static [&'static str],
    pub choices: &'static [Choice],
    /// A yes/no field stored as the opposite of another ("billable" as `non_billable`):
    /// exports write either, and a record keeps one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opposite_of: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct KindDef {
    pub kind: Kind,
    pub description: &'static str,
    /// Words in a file name that point to this kind ("matters.csv" → projects).
    pub file_words: &'static [&'static str],
    pub fields: &'static [FieldDef],
    /// Each group needs at least one field with a value (e.g. a contact needs some name).
    pub one_of: &'static [&'static [&'static str]],
}

impl KindDef {
    pub fn field(&self, name: &str) -> Option<&'static FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn id_field(&self) -> &'static FieldDef {
        // Every kind's first field is its source id (checked by a test).
        &self.fields[0]
    }

    /// What a table of this kind still needs, given which fields its columns map to: each
    /// required field not mapped, and each `one_of` group with no field mapped (named
    /// "one of a, b, c").
    pub fn unmet(&self, mapped: impl Fn(&str) -> bool) -> Vec<String> {
        let mut out: Vec<String> = self
            .fields
            .iter()
            .filter(|f| f.required && !mapped(f.name))
            .map(|f| f.name.to_string())
            .collect();
        for group in self.one_of {
            if !group.iter().any(|name| mapped(name)) {
                out.push(format!("one of {}", group.join(", ")));
            }
        }
        out
    }
}

impl FieldDef {
    /// The field's name for people: "project_id" reads "Matter ID", "issued_on" "Issued on".
    pub fn label(&self) -> String {
        let words: Vec<String> = self
            .name
            .split('_')
            .map(|w| match w {
                "id" | "ids" | "utbms" | "sha256" | "url" | "eml" => {
                    w.to_uppercase().replace("IDS", "IDs")
                }
                "project" => "matter".into(),
                "projects" => "matters".into(),
                w => w.to_string(),
            })
            .collect();
        let text = words.join(" ");
        let mut chars = text.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => text,
        }
    }
}

const fn f(
    name: &'static str,
    ty: FieldType,
    required: bool,
    description: &'static str,
    synonyms: &'static [&'static str],
) -> FieldDef {
    FieldDef {
        name,
        ty,
        required,
        description,
        synonyms,
        choices: &[],
        opposite_of: None,
    }
}

/// A yes/no field read from exports and stored as the opposite of `of`.
const fn opposite(
    name: &'static str,
    of: &'static str,
    description: &'static str,
    synonyms: &'static [&'static str],
) -> FieldDef {
    FieldDef {
        name,
        ty: FieldType::Bool,
        required: false,
        description,
        synonyms,
        choices: &[],
        opposite_of: Some(of),
    }
}

const fn choice(
    name: &'static str,
    required: bool,
    description: &'static str,
    synonyms: &'static [&'static str],
    choices: &'static [Choice],
) -> FieldDef {
    FieldDef {
        name,
        ty: FieldType::Choice,
        required,
        description,
        synonyms,
        choices,
        opposite_of: None,
    }
}

const fn c(value: &'static str, aliases: &'static [&'static str]) -> Choice {
    Choice { value, aliases }
}

use FieldType::*;

const MATTER_REF: &[&str] = &[
    "matter",
    "matter id",
    "matter number",
    "matter no",
    "matter ref",
    "case",
    "case id",
    "case number",
    "file number",
    "project",
    "projectexternalid",
    "project external id",
    "matter external id",
];
const CONTACT_REF: &[&str] = &[
    "contact",
    "contact id",
    "client",
    "client id",
    "contactexternalid",
    "contact external id",
    "person id",
];

mod billing_invoice;
mod billing_items;
mod calendar;
mod contacts;
mod document;
mod notes;
mod payment;
mod project_email;
mod project_funds;
mod projects;
mod sections;
mod tasks;

pub use billing_invoice::BILLING_INVOICE;
pub use billing_items::BILLING_ITEMS;
pub use calendar::CALENDAR;
pub use contacts::CONTACTS;
pub use document::DOCUMENT;
pub use notes::NOTES;
pub use payment::PAYMENT;
pub use project_email::PROJECT_EMAIL;
pub use project_funds::PROJECT_FUNDS;
pub use projects::PROJECTS;
pub use sections::SECTIONS;
pub use tasks::TASKS;

/// Every entity kind's definition, in the seed's order.
pub const CATALOGUE: [&KindDef; 12] = [
    &CONTACTS,
    &PROJECTS,
    &SECTIONS,
    &NOTES,
    &CALENDAR,
    &TASKS,
    &BILLING_ITEMS,
    &PROJECT_FUNDS,
    &BILLING_INVOICE,
    &PAYMENT,
    &PROJECT_EMAIL,
    &DOCUMENT,
];

/// The definition of a record kind.
pub fn kind_def(kind: Kind) -> &'static KindDef {
    match kind {
        Kind::Contacts => &CONTACTS,
        Kind::Projects => &PROJECTS,
        Kind::Sections => &SECTIONS,
        Kind::Notes => &NOTES,
        Kind::Calendar => &CALENDAR,
        Kind::Tasks => &TASKS,
        Kind::BillingItems => &BILLING_ITEMS,
        Kind::ProjectFunds => &PROJECT_FUNDS,
        Kind::BillingInvoice => &BILLING_INVOICE,
        Kind::Payment => &PAYMENT,
        Kind::ProjectEmail => &PROJECT_EMAIL,
        Kind::Document => &DOCUMENT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_well_formed() {
        for def in CATALOGUE {
            assert_eq!(def.id_field().ty, FieldType::SourceId, "{}", def.kind);
            let mut names: Vec<_> = def.fields.iter().map(|f| f.name).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(
                names.len(),
                def.fields.len(),
                "duplicate field in {}",
                def.kind
            );
            for fd in def.fields {
                if let Some(of) = fd.opposite_of {
                    assert_eq!(
                        def.field(of).map(|o| o.ty),
                        Some(FieldType::Bool),
                        "{}: {} is the opposite of a yes/no field",
                        def.kind,
                        fd.name
                    );
                }
            }
            for group in def.one_of {
                for name in *group {
                    assert!(
                        def.field(name).is_some(),
                        "{}: one_of names unknown {name}",
                        def.kind
                    );
                }
            }
            for field in def.fields {
                assert_eq!(
                    field.ty == FieldType::Choice,
                    !field.choices.is_empty(),
                    "{}.{}",
                    def.kind,
                    field.name
                );
                for s in field.synonyms {
                    assert_eq!(*s, s.to_lowercase(), "synonyms are lower case: {}", s);
                }
            }
        }
        assert_eq!(CATALOGUE.len(), Kind::ALL.len());
        for (def, kind) in CATALOGUE.iter().zip(Kind::ALL) {
            assert_eq!(def.kind, kind, "CATALOGUE is in Kind::ALL's order");
            assert_eq!(kind_def(kind).kind, kind);
        }
    }

    #[test]
    fn fields_read_as_words_for_people() {
        let projects = kind_def(Kind::Projects);
        let label = |def: &KindDef, name: &str| def.field(name).expect(name).label();
        assert_eq!(label(projects, "project_id"), "Matter ID");
        let invoices = kind_def(Kind::BillingInvoice);
        assert_eq!(label(invoices, "billing_item_ids"), "Billing item IDs");
        assert_eq!(label(invoices, "issued_on"), "Issued on");
        for def in CATALOGUE {
            for f in def.fields {
                let l = f.label();
                assert!(!l.contains('_') && l.starts_with(char::is_uppercase), "{l}");
            }
        }
    }

    #[test]
    fn unmet_names_required_fields_and_empty_groups() {
        let contacts = kind_def(Kind::Contacts);
        assert_eq!(
            contacts.unmet(|_| false),
            vec![
                "contact_id".to_string(),
                "one of full_name, first_name, last_name, organization".into()
            ]
        );
        assert!(contacts
            .unmet(|f| f == "contact_id" || f == "last_name")
            .is_empty());
    }
}
