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

pub const CONTACTS: KindDef = KindDef {
    kind: Kind::Contacts,
    description: "People and organisations: clients, opposing parties, experts, courts.",
    file_words: &[
        "names",
        "contact",
        "contacts",
        "client",
        "clients",
        "people",
        "person",
        "persons",
        "address book",
        "parties",
        "party",
    ],
    fields: &[
        f(
            "contact_id",
            SourceId,
            true,
            "The contact's id in the source system.",
            &[
                "id",
                "contact id",
                "contactexternalid",
                "contact external id",
                "external id",
                "client id",
                "person id",
                "contact number",
                "contact no",
                "record id",
                "party id",
                "customer id",
            ],
        ),
        choice(
            "contact_type",
            false,
            "Person or organisation.",
            &[
                "type",
                "contact type",
                "entity type",
                "kind",
                "person or company",
                "is company",
                "category",
            ],
            &[
                c(
                    "person",
                    &[
                        "individual",
                        "person",
                        "people",
                        "natural person",
                        "false",
                        "no",
                        "n",
                        "0",
                    ],
                ),
                c(
                    "organization",
                    &[
                        "company",
                        "organisation",
                        "organization",
                        "business",
                        "firm",
                        "entity",
                        "corporation",
                        "true",
                        "yes",
                        "y",
                        "1",
                    ],
                ),
            ],
        ),
        f(
            "full_name",
            Text,
            false,
            "The whole name as one text, when the source has no separate parts.",
            &[
                "name",
                "full name",
                "display name",
                "contact name",
                "client name",
                "party name",
            ],
        ),
        f(
            "prefix",
            Text,
            false,
            "Title before the name: Mr, Ms, Dr.",
            &["prefix", "salutation", "honorific", "name prefix"],
        ),
        f(
            "first_name",
            Text,
            false,
            "Given name.",
            &[
                "first",
                "first name",
                "given name",
                "forename",
                "firstname",
                "fname",
            ],
        ),
        f(
            "middle_name",
            Text,
            false,
            "Middle name or initial.",
            &["middle", "middle name", "middle initial", "mi"],
        ),
        f(
            "last_name",
            Text,
            false,
            "Family name.",
            &[
                "last",
                "last name",
                "surname",
                "family name",
                "lastname",
                "lname",
            ],
        ),
        f(
            "suffix",
            Text,
            false,
            "Jr, Sr, III, Esq.",
            &["suffix", "name suffix"],
        ),
        f(
            "organization",
            Text,
            false,
            "Company or organisation name.",
            &[
                "company",
                "company name",
                "organisation",
                "organization",
                "employer",
                "business name",
                "organisation name",
                "organization name",
                "account name",
                "firm name",
            ],
        ),
        f(
            "job_title",
            Text,
            false,
            "Job title at the organisation.",
            &["title", "job title", "position", "role"],
        ),
        f(
            "email",
            Email,
            false,
            "Primary email address.",
            &[
                "email",
                "e-mail",
                "email address",
                "e-mail address",
                "primary email",
                "mail",
            ],
        ),
        f(
            "phone",
            Phone,
            false,
            "Primary phone number.",
            &[
                "home phone",
                "cell phone",
                "phone",
                "phone number",
                "telephone",
                "tel",
                "primary phone",
                "work phone",
                "business phone",
                "mobile",
                "cell",
                "mobile phone",
            ],
        ),
        f(
            "address_line1",
            Text,
            false,
            "Street address.",
            &[
                "address",
                "street",
                "street address",
                "address 1",
                "address line 1",
                "street 1",
                "mailing address",
            ],
        ),
        f(
            "address_line2",
            Text,
            false,
            "Second address line: suite, floor.",
            &["address 2", "address line 2", "street 2", "suite", "apt"],
        ),
        f(
            "city",
            Text,
            false,
            "City or town.",
            &["city", "town", "locality", "suburb"],
        ),
        f(
            "region",
            Text,
            false,
            "State, province or county.",
            &["state", "province", "region", "county", "state province"],
        ),
        f(
            "postal_code",
            Text,
            false,
            "ZIP or postal code.",
            &[
                "zip",
                "zip code",
                "postal code",
                "postcode",
                "post code",
                "zipcode",
            ],
        ),
        f(
            "country",
            Country,
            false,
            "Country.",
            &["country", "country code", "nation"],
        ),
        f(
            "is_client",
            Bool,
            false,
            "Whether the contact is a client of the firm.",
            &["is client", "client", "client flag", "is a client"],
        ),
        f(
            "birth_date",
            Date,
            false,
            "Date of birth.",
            &["birth date", "date of birth", "dob", "birthday"],
        ),
        f(
            "created_at",
            DateTime,
            false,
            "When the contact was created in the source.",
            &[
                "created",
                "created at",
                "date created",
                "created on",
                "added",
            ],
        ),
    ],
    one_of: &[&["full_name", "first_name", "last_name", "organization"]],
};

pub const PROJECTS: KindDef = KindDef {
    kind: Kind::Projects,
    description: "Matters (Filevine projects): a client's case with its type, status and dates.",
    file_words: &[
        "matter", "matters", "case", "cases", "project", "projects", "file", "files",
    ],
    fields: &[
        f(
            "project_id",
            SourceId,
            true,
            "The matter's id in the source system.",
            &[
                "id",
                "matter id",
                "case id",
                "project id",
                "projectexternalid",
                "project external id",
                "matter ref",
                "matter reference",
                "external id",
                "record id",
            ],
        ),
        f(
            "number",
            Text,
            false,
            "The matter number people see (display number).",
            &[
                "matter number",
                "display number",
                "case number",
                "file number",
                "matter no",
                "number",
                "file no",
                "docket number",
            ],
        ),
        f(
            "name",
            Text,
            true,
            "The matter's name or description.",
            &[
                "name",
                "matter name",
                "case name",
                "project name",
                "description",
                "matter description",
                "title",
                "matter",
                "caption",
            ],
        ),
        f(
            "client_id",
            Ref(Kind::Contacts),
            true,
            "The client: a contact's source id.",
            &[
                "client",
                "client id",
                "client contact id",
                "contact id",
                "contactexternalid",
                "primary client",
                "client ref",
                "client number",
            ],
        ),
        f(
            "project_type",
            Text,
            false,
            "Practice area or case type.",
            &[
                "practice area",
                "case type",
                "matter type",
                "project type",
                "type",
                "area of law",
            ],
        ),
        choice(
            "status",
            false,
            "Open, pending or closed.",
            &["status", "matter status", "case status", "state", "stage"],
            &[
                c("open", &["open", "active", "in progress", "ongoing", "o"]),
                c("pending", &["pending", "on hold", "hold", "intake", "p"]),
                c(
                    "closed",
                    &[
                        "closed",
                        "archived",
                        "inactive",
                        "complete",
                        "completed",
                        "done",
                        "c",
                    ],
                ),
            ],
        ),
        f(
            "opened_on",
            Date,
            false,
            "Date the matter was opened.",
            &[
                "open date",
                "opened",
                "date opened",
                "opened on",
                "opening date",
                "start date",
                "created",
            ],
        ),
        f(
            "closed_on",
            Date,
            false,
            "Date the matter was closed.",
            &[
                "close date",
                "closed",
                "date closed",
                "closed on",
                "closing date",
                "end date",
            ],
        ),
        f(
            "responsible_attorney",
            Text,
            false,
            "Lawyer responsible for the matter.",
            &[
                "matter owner",
                "person responsible",
                "responsible attorney",
                "responsible lawyer",
                "lead attorney",
                "handling attorney",
                "attorney",
                "responsible",
            ],
        ),
        f(
            "originating_attorney",
            Text,
            false,
            "Lawyer who brought the matter in.",
            &[
                "originating attorney",
                "originating lawyer",
                "originator",
                "referring attorney",
            ],
        ),
        choice(
            "billing_method",
            false,
            "How the matter is billed.",
            &[
                "billing method",
                "billing type",
                "fee type",
                "fee arrangement",
            ],
            &[
                c(
                    "hourly",
                    &["hourly", "time", "time and materials", "hourly rate"],
                ),
                c("flat", &["flat", "flat fee", "fixed", "fixed fee"]),
                c(
                    "contingency",
                    &["contingency", "contingent", "contingency fee"],
                ),
                c("pro_bono", &["pro bono", "probono", "none", "no charge"]),
            ],
        ),
        f(
            "location",
            Text,
            false,
            "Court or office location.",
            &["location", "venue", "court", "jurisdiction", "office"],
        ),
        f(
            "client_reference",
            Text,
            false,
            "The client's own reference for the matter.",
            &[
                "client reference",
                "client ref number",
                "client matter number",
                "reference",
            ],
        ),
        f(
            "trust_balance",
            Money { signed: true },
            false,
            "Trust balance the source reports for the matter, compared with the ledger.",
            &[
                "trust balance",
                "trust",
                "retainer balance",
                "funds balance",
                "trust account balance",
            ],
        ),
    ],
    one_of: &[],
};

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

pub const NOTES: KindDef = KindDef {
    kind: Kind::Notes,
    description: "Notes filed on a matter or a contact.",
    file_words: &[
        "note",
        "notes",
        "memo",
        "memos",
        "comments",
        "activity notes",
    ],
    fields: &[
        f(
            "note_id",
            SourceId,
            true,
            "The note's id in the source.",
            &["id", "note id", "memo id", "record id"],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            false,
            "The matter the note is on.",
            MATTER_REF,
        ),
        f(
            "contact_id",
            Ref(Kind::Contacts),
            false,
            "The contact the note is on.",
            CONTACT_REF,
        ),
        f(
            "subject",
            Text,
            false,
            "Subject line.",
            &["topic", "subject", "title", "summary", "heading"],
        ),
        f(
            "body",
            LongText,
            true,
            "The note's text.",
            &[
                "body",
                "note",
                "text",
                "detail",
                "details",
                "content",
                "note text",
                "description",
                "memo",
            ],
        ),
        f(
            "noted_at",
            DateTime,
            false,
            "When the note was written.",
            &[
                "date",
                "note date",
                "created",
                "created at",
                "date created",
                "timestamp",
                "entered",
            ],
        ),
        f(
            "author",
            Text,
            false,
            "Who wrote it.",
            &[
                "author",
                "user",
                "created by",
                "entered by",
                "written by",
                "staff",
            ],
        ),
    ],
    one_of: &[&["project_id", "contact_id"]],
};

pub const CALENDAR: KindDef = KindDef {
    kind: Kind::Calendar,
    description: "Appointments and deadlines, with their time zone and all-day flag preserved.",
    file_words: &[
        "calendar",
        "calendars",
        "event",
        "events",
        "appointment",
        "appointments",
        "deadline",
        "deadlines",
        "schedule",
    ],
    fields: &[
        f(
            "event_id",
            SourceId,
            true,
            "The event's id in the source.",
            &["id", "event id", "appointment id", "entry id", "record id"],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            true,
            "The matter the event belongs to.",
            MATTER_REF,
        ),
        f(
            "title",
            Text,
            true,
            "What the event is.",
            &[
                "title",
                "summary",
                "subject",
                "event",
                "event name",
                "name",
                "appointment",
            ],
        ),
        f(
            "description",
            LongText,
            false,
            "Details.",
            &["description", "details", "notes", "body"],
        ),
        f(
            "location",
            Text,
            false,
            "Where.",
            &["location", "place", "room", "where", "venue"],
        ),
        f(
            "starts_at",
            DateTime,
            true,
            "Start; a date alone is an all-day event.",
            &[
                "start",
                "start date",
                "start time",
                "starts",
                "starts at",
                "begin",
                "from",
                "start datetime",
                "date",
            ],
        ),
        f(
            "ends_at",
            DateTime,
            false,
            "End.",
            &[
                "stop",
                "stop date",
                "stop time",
                "end",
                "end date",
                "end time",
                "ends",
                "ends at",
                "finish",
                "to",
                "end datetime",
            ],
        ),
        f(
            "all_day",
            Bool,
            false,
            "Whether the event takes whole days.",
            &[
                "all day",
                "all-day",
                "all day event",
                "allday",
                "is all day",
            ],
        ),
        f(
            "time_zone",
            TimeZone,
            false,
            "The zone the times are written in (IANA name).",
            &["time zone", "timezone", "tz", "zone", "start time zone"],
        ),
        f(
            "recurrence",
            Text,
            false,
            "Recurrence rule (iCalendar RRULE).",
            &[
                "recurrence",
                "rrule",
                "recurrence rule",
                "repeats",
                "repeat",
            ],
        ),
        f(
            "attendees",
            Text,
            false,
            "Who attends.",
            &["attendees", "participants", "invitees", "guests", "owner"],
        ),
        choice(
            "event_type",
            false,
            "Appointment or deadline.",
            &["event type", "type", "category", "kind"],
            &[
                c(
                    "appointment",
                    &[
                        "appointment",
                        "meeting",
                        "event",
                        "hearing",
                        "call",
                        "consultation",
                    ],
                ),
                c(
                    "deadline",
                    &[
                        "deadline",
                        "due",
                        "statute",
                        "filing deadline",
                        "court deadline",
                    ],
                ),
            ],
        ),
    ],
    one_of: &[],
};

pub const TASKS: KindDef = KindDef {
    kind: Kind::Tasks,
    description: "Tasks on a matter: assignee, due date and status.",
    file_words: &[
        "checklist",
        "task",
        "tasks",
        "todo",
        "todos",
        "to do",
        "action items",
        "assignments",
    ],
    fields: &[
        f(
            "task_id",
            SourceId,
            true,
            "The task's id in the source.",
            &["id", "task id", "todo id", "record id"],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            true,
            "The matter the task is on.",
            MATTER_REF,
        ),
        f(
            "title",
            Text,
            true,
            "What is to be done.",
            &[
                "description",
                "item",
                "title",
                "name",
                "task",
                "task name",
                "subject",
                "summary",
            ],
        ),
        f(
            "description",
            LongText,
            false,
            "Details.",
            &["description", "details", "notes", "body"],
        ),
        choice(
            "status",
            false,
            "Where the task stands.",
            &["status", "state", "task status"],
            &[
                c(
                    "open",
                    &["open", "not started", "new", "pending", "to do", "todo"],
                ),
                c(
                    "in_progress",
                    &["in progress", "started", "working", "in-progress"],
                ),
                c(
                    "done",
                    &["done", "complete", "completed", "closed", "finished"],
                ),
                c("cancelled", &["cancelled", "canceled", "void", "dropped"]),
            ],
        ),
        choice(
            "priority",
            false,
            "How urgent.",
            &["priority", "importance", "urgency"],
            &[
                c("low", &["low", "3", "minor"]),
                c("normal", &["normal", "medium", "2", "standard"]),
                c("high", &["high", "1", "urgent", "critical"]),
            ],
        ),
        f(
            "due_on",
            Date,
            false,
            "Due date.",
            &["due", "due date", "due on", "deadline", "due by"],
        ),
        f(
            "completed_at",
            DateTime,
            false,
            "When it was completed.",
            &[
                "completed",
                "completed at",
                "completed on",
                "date completed",
                "finished at",
            ],
        ),
        f(
            "assignee",
            Text,
            false,
            "Who it is assigned to.",
            &[
                "assigned",
                "staff assigned",
                "assignee",
                "assigned to",
                "owner",
                "responsible",
                "user",
                "staff",
            ],
        ),
        f(
            "statute_of_limitations",
            Bool,
            false,
            "Whether the task tracks a statute of limitations.",
            &["statute of limitations", "sol", "is statute", "limitation"],
        ),
        f(
            "done",
            Bool,
            false,
            "Whether the task is done, as a yes/no flag (exports that keep no status).",
            &[
                "done",
                "is done",
                "complete",
                "is complete",
                "completed",
                "finished",
                "done flag",
            ],
        ),
    ],
    one_of: &[],
};

pub const BILLING_ITEMS: KindDef = KindDef {
    kind: Kind::BillingItems,
    description: "Time entries, expenses and flat fees on a matter.",
    file_words: &[
        "billables",
        "costs",
        "time",
        "time entries",
        "timesheet",
        "timesheets",
        "activities",
        "activity",
        "billing items",
        "expenses",
        "expense",
        "fees",
        "billable",
        "entries",
        "wip",
    ],
    fields: &[
        f(
            "item_id",
            SourceId,
            true,
            "The entry's id in the source.",
            &[
                "id",
                "activity id",
                "entry id",
                "time entry id",
                "item id",
                "record id",
                "transaction id",
            ],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            true,
            "The matter the entry is billed to.",
            MATTER_REF,
        ),
        choice(
            "item_type",
            true,
            "Time entry, expense or flat fee.",
            &[
                "type",
                "activity type",
                "entry type",
                "item type",
                "kind",
                "category type",
            ],
            &[
                c(
                    "time",
                    &[
                        "time",
                        "time entry",
                        "timeentry",
                        "hourly",
                        "service",
                        "fee",
                        "t",
                    ],
                ),
                c(
                    "expense",
                    &["expense", "cost", "disbursement", "expenseentry", "e"],
                ),
                c(
                    "flat_fee",
                    &["flat", "flat fee", "fixed fee", "flatfee", "f"],
                ),
            ],
        ),
        f(
            "date",
            Date,
            true,
            "Date of the work or cost.",
            &[
                "date",
                "activity date",
                "entry date",
                "work date",
                "service date",
                "date of service",
            ],
        ),
        f(
            "quantity",
            Decimal,
            false,
            "Hours (time) or units (expense).",
            &[
                "quantity",
                "hours",
                "qty",
                "duration",
                "units",
                "time spent",
                "hrs",
            ],
        ),
        f(
            "rate",
            Money { signed: false },
            false,
            "Rate per hour or unit.",
            &["rate", "price", "hourly rate", "unit price", "billing rate"],
        ),
        f(
            "amount",
            Money { signed: true },
            true,
            "Total of the entry.",
            &[
                "amount",
                "total",
                "value",
                "line total",
                "charge",
                "fee amount",
                "billable amount",
            ],
        ),
        f(
            "description",
            LongText,
            false,
            "What was done or bought.",
            &[
                "description",
                "note",
                "narrative",
                "details",
                "memo",
                "activity description",
            ],
        ),
        f(
            "billed",
            Bool,
            false,
            "Whether it has been billed.",
            &["billed", "is billed", "invoiced", "billed status"],
        ),
        f(
            "non_billable",
            Bool,
            false,
            "Whether it is not charged.",
            &[
                "non billable",
                "non-billable",
                "no charge",
                "nonbillable",
                "write off",
            ],
        ),
        f(
            "timekeeper",
            Text,
            false,
            "Who did the work.",
            &[
                "timekeeper",
                "user",
                "lawyer",
                "attorney",
                "staff",
                "biller",
                "employee",
            ],
        ),
        f(
            "expense_category",
            Text,
            false,
            "Category of an expense.",
            &["expense category", "cost category", "category"],
        ),
        f(
            "utbms_code",
            Text,
            false,
            "UTBMS task or activity code.",
            &[
                "utbms",
                "utbms code",
                "task code",
                "activity code",
                "ledes code",
            ],
        ),
        f(
            "invoice_id",
            Text,
            false,
            "The invoice (its id or number) the entry was billed on. Kept as written: invoices load after their entries.",
            &[
                "invoice",
                "invoice id",
                "invoice number",
                "invoice no",
                "bill",
                "bill id",
                "bill number",
                "bill no",
                "billed on",
                "statement number",
                "statement no",
            ],
        ),
    ],
    one_of: &[],
};

pub const PROJECT_FUNDS: KindDef = KindDef {
    kind: Kind::ProjectFunds,
    description: "Trust (retainer) ledger transactions of a matter, with running balance.",
    file_words: &[
        "trust",
        "trust ledger",
        "trust transactions",
        "funds",
        "retainer",
        "retainers",
        "iolta",
        "client funds",
        "ledger",
    ],
    fields: &[
        f(
            "transaction_id",
            SourceId,
            true,
            "The transaction's id in the source.",
            &[
                "id",
                "transaction id",
                "trust transaction id",
                "entry id",
                "record id",
                "txn id",
            ],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            true,
            "The matter whose trust ledger it is on.",
            MATTER_REF,
        ),
        f(
            "contact_id",
            Ref(Kind::Contacts),
            false,
            "The client whose money it is.",
            CONTACT_REF,
        ),
        f(
            "date",
            Date,
            true,
            "Transaction date.",
            &[
                "date",
                "transaction date",
                "posted",
                "posting date",
                "entry date",
            ],
        ),
        choice(
            "transaction_type",
            false,
            "Deposit, withdrawal, transfer or refund.",
            &["type", "transaction type", "txn type", "entry type"],
            &[
                c(
                    "deposit",
                    &["deposit", "receipt", "credit", "retainer", "in"],
                ),
                c(
                    "withdrawal",
                    &[
                        "withdrawal",
                        "payment",
                        "disbursement",
                        "debit",
                        "out",
                        "check",
                    ],
                ),
                c(
                    "transfer",
                    &[
                        "transfer",
                        "transfer to operating",
                        "applied to invoice",
                        "bill payment",
                    ],
                ),
                c("refund", &["refund", "return", "refund to client"]),
            ],
        ),
        f(
            "amount",
            Money { signed: true },
            false,
            "Signed amount: deposits positive, withdrawals negative.",
            &["amount", "net amount", "value", "transaction amount"],
        ),
        f(
            "deposit",
            Money { signed: false },
            false,
            "Money in, when the source keeps in and out apart.",
            &[
                "deposit", "deposits", "credit", "money in", "receipts", "in",
            ],
        ),
        f(
            "withdrawal",
            Money { signed: false },
            false,
            "Money out, when the source keeps in and out apart.",
            &[
                "withdrawal",
                "withdrawals",
                "debit",
                "money out",
                "payments",
                "disbursements",
                "out",
            ],
        ),
        f(
            "running_balance",
            Money { signed: true },
            false,
            "The balance after this transaction, as the source computed it.",
            &[
                "balance",
                "running balance",
                "ledger balance",
                "balance after",
            ],
        ),
        f(
            "description",
            LongText,
            false,
            "What it was for.",
            &["description", "memo", "note", "details", "purpose"],
        ),
        f(
            "reference",
            Text,
            false,
            "Cheque number or bank reference.",
            &[
                "reference",
                "check number",
                "cheque number",
                "ref",
                "check no",
                "bank reference",
            ],
        ),
    ],
    one_of: &[&["amount", "deposit", "withdrawal"]],
};

pub const BILLING_INVOICE: KindDef = KindDef {
    kind: Kind::BillingInvoice,
    description: "Invoices (bills) of a matter, and the billing items they bill.",
    file_words: &[
        "invoice",
        "invoices",
        "bill",
        "bills",
        "billing",
        "statements",
    ],
    fields: &[
        f(
            "invoice_id",
            SourceId,
            true,
            "The invoice's id in the source.",
            &["id", "invoice id", "bill id", "record id"],
        ),
        f(
            "invoice_number",
            Text,
            false,
            "The number printed on the invoice.",
            &[
                "statement number",
                "statement no",
                "invoice number",
                "bill number",
                "invoice no",
                "number",
                "invoice #",
                "bill no",
            ],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            true,
            "The matter billed.",
            MATTER_REF,
        ),
        f(
            "contact_id",
            Ref(Kind::Contacts),
            false,
            "Who the bill is addressed to.",
            &[
                "bill to",
                "client",
                "client id",
                "contact id",
                "billed to",
                "contactexternalid",
            ],
        ),
        f(
            "issued_on",
            Date,
            true,
            "Issue date.",
            &[
                "statement date",
                "issue date",
                "issued",
                "invoice date",
                "bill date",
                "date",
                "issued on",
                "date issued",
            ],
        ),
        f(
            "due_on",
            Date,
            false,
            "Due date.",
            &["due date", "due", "due on", "payment due"],
        ),
        choice(
            "status",
            false,
            "Draft, issued, paid or void.",
            &["status", "state", "invoice status", "bill status"],
            &[
                c("draft", &["draft", "pending approval", "unissued"]),
                c(
                    "issued",
                    &[
                        "issued",
                        "awaiting payment",
                        "sent",
                        "open",
                        "unpaid",
                        "partially paid",
                        "partial",
                        "overdue",
                    ],
                ),
                c("paid", &["paid", "paid in full", "closed", "settled"]),
                c(
                    "void",
                    &["void", "voided", "cancelled", "canceled", "deleted"],
                ),
            ],
        ),
        f(
            "subtotal",
            Money { signed: false },
            false,
            "Total before tax and discount.",
            &["subtotal", "sub total", "fees and costs", "net"],
        ),
        f(
            "tax",
            Money { signed: false },
            false,
            "Tax.",
            &["tax", "taxes", "sales tax", "vat", "gst"],
        ),
        f(
            "discount",
            Money { signed: false },
            false,
            "Discount.",
            &["discount", "discounts", "write down", "adjustment"],
        ),
        f(
            "total",
            Money { signed: false },
            true,
            "Amount billed.",
            &[
                "total",
                "invoice total",
                "bill total",
                "amount",
                "total amount",
                "amount billed",
                "grand total",
            ],
        ),
        f(
            "paid_amount",
            Money { signed: false },
            false,
            "Amount paid, as the source reports it.",
            &[
                "paid",
                "amount paid",
                "paid amount",
                "payments",
                "total paid",
            ],
        ),
        f(
            "balance_due",
            Money { signed: true },
            false,
            "Unpaid balance, as the source reports it; compared with payments.",
            &[
                "unpaid",
                "amount unpaid",
                "balance",
                "balance due",
                "amount due",
                "outstanding",
                "due amount",
                "open balance",
                "remaining",
            ],
        ),
        f(
            "billing_item_ids",
            RefList(Kind::BillingItems),
            false,
            "The billing items this invoice bills.",
            &[
                "billing items",
                "line items",
                "activities",
                "activity ids",
                "entries",
                "time entry ids",
                "items",
                "line item ids",
            ],
        ),
    ],
    one_of: &[],
};

pub const PAYMENT: KindDef = KindDef {
    kind: Kind::Payment,
    description: "Payments received and the invoices they are applied to.",
    file_words: &[
        "payment",
        "payments",
        "receipts",
        "allocations",
        "collections",
        "remittance",
    ],
    fields: &[
        f(
            "payment_id",
            SourceId,
            true,
            "The payment's id in the source.",
            &[
                "id",
                "payment id",
                "receipt id",
                "allocation id",
                "record id",
                "transaction id",
            ],
        ),
        f(
            "invoice_id",
            Ref(Kind::BillingInvoice),
            true,
            "The invoice the payment is applied to.",
            &[
                "bill number",
                "bill no",
                "invoice number",
                "invoice no",
                "statement number",
                "statement no",
                "invoice",
                "invoice id",
                "bill id",
                "bill",
                "applied to",
                "invoice ref",
                "applied invoice",
            ],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            false,
            "The matter.",
            MATTER_REF,
        ),
        f(
            "contact_id",
            Ref(Kind::Contacts),
            false,
            "Who paid.",
            &[
                "payer",
                "client",
                "client id",
                "contact id",
                "paid by",
                "contactexternalid",
            ],
        ),
        f(
            "paid_on",
            Date,
            true,
            "Payment date.",
            &[
                "date",
                "payment date",
                "paid on",
                "received",
                "date received",
                "received on",
                "paid date",
            ],
        ),
        f(
            "amount",
            Money { signed: false },
            true,
            "Amount applied.",
            &[
                "amount",
                "payment amount",
                "amount paid",
                "paid",
                "applied amount",
                "total",
            ],
        ),
        choice(
            "method",
            false,
            "How it was paid.",
            &["method", "payment method", "type", "payment type", "tender"],
            &[
                c("check", &["check", "cheque", "chk"]),
                c(
                    "card",
                    &[
                        "card",
                        "credit card",
                        "debit card",
                        "visa",
                        "mastercard",
                        "amex",
                        "cc",
                    ],
                ),
                c(
                    "ach",
                    &["ach", "bank transfer", "eft", "direct debit", "echeck"],
                ),
                c("wire", &["wire", "wire transfer"]),
                c("cash", &["cash"]),
                c(
                    "trust",
                    &["trust", "trust transfer", "from trust", "retainer"],
                ),
                c("other", &["other", "unknown"]),
            ],
        ),
        f(
            "reference",
            Text,
            false,
            "Cheque number or transaction reference.",
            &[
                "reference",
                "check number",
                "ref",
                "transaction reference",
                "confirmation",
            ],
        ),
    ],
    one_of: &[],
};

pub const PROJECT_EMAIL: KindDef = KindDef {
    kind: Kind::ProjectEmail,
    description: "Emails filed to a matter, with their .eml file and attachments.",
    file_words: &[
        "email",
        "emails",
        "e-mail",
        "mail",
        "messages",
        "correspondence",
        "communications",
    ],
    fields: &[
        f(
            "email_id",
            SourceId,
            true,
            "The email's id in the source.",
            &[
                "id",
                "email id",
                "message id",
                "communication id",
                "record id",
            ],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            true,
            "The matter it is filed to.",
            MATTER_REF,
        ),
        f(
            "subject",
            Text,
            false,
            "Subject.",
            &["subject", "title", "re"],
        ),
        f(
            "from",
            Email,
            false,
            "Sender.",
            &["from", "sender", "from address", "sent by"],
        ),
        f(
            "to",
            Text,
            false,
            "Recipients.",
            &["to", "recipients", "to address", "sent to"],
        ),
        f("cc", Text, false, "Copy recipients.", &["cc", "copy to"]),
        f(
            "sent_at",
            DateTime,
            false,
            "When it was sent.",
            &[
                "date",
                "sent",
                "sent at",
                "date sent",
                "received",
                "timestamp",
            ],
        ),
        f(
            "body",
            LongText,
            false,
            "Text body, when the source has no .eml file.",
            &["body", "message", "text", "content"],
        ),
        f(
            "eml_path",
            FilePath,
            false,
            "Path of the .eml file in the export.",
            &[
                "eml",
                "eml file",
                "file",
                "path",
                "message file",
                "file path",
                "eml path",
            ],
        ),
    ],
    one_of: &[&["eml_path", "body", "subject"]],
};

pub const DOCUMENT: KindDef = KindDef {
    kind: Kind::Document,
    description: "Document files of a matter, with their folder and checksum.",
    file_words: &[
        "document",
        "documents",
        "docs",
        "files",
        "attachments",
        "file index",
        "document index",
    ],
    fields: &[
        f(
            "document_id",
            SourceId,
            true,
            "The document's id in the source.",
            &["id", "document id", "doc id", "file id", "record id"],
        ),
        f(
            "project_id",
            Ref(Kind::Projects),
            true,
            "The matter the document belongs to.",
            MATTER_REF,
        ),
        f(
            "file_path",
            FilePath,
            true,
            "Path of the file in the export.",
            &[
                "path",
                "file path",
                "file",
                "location",
                "relative path",
                "filepath",
                "file location",
            ],
        ),
        f(
            "name",
            Text,
            false,
            "Document name.",
            &["name", "document name", "title", "file name", "filename"],
        ),
        f(
            "folder",
            Text,
            false,
            "Folder within the matter.",
            &["folder", "directory", "category folder", "parent folder"],
        ),
        f(
            "content_type",
            Text,
            false,
            "MIME type.",
            &["content type", "mime type", "mime", "file type", "format"],
        ),
        f(
            "size_bytes",
            Integer,
            false,
            "Size in bytes, as the source reports it.",
            &["size", "file size", "bytes", "size bytes"],
        ),
        f(
            "sha256",
            Sha256,
            false,
            "SHA-256 the source reports, checked against the file.",
            &["sha256", "checksum", "hash", "sha-256", "file hash"],
        ),
        f(
            "category",
            Text,
            false,
            "Document category.",
            &["category", "document type", "doc type", "tag", "tags"],
        ),
        f(
            "version",
            Integer,
            false,
            "Version number.",
            &["version", "revision", "rev"],
        ),
        f(
            "uploaded_at",
            DateTime,
            false,
            "When it was added.",
            &[
                "uploaded",
                "uploaded at",
                "created",
                "date added",
                "added",
                "modified",
                "date",
            ],
        ),
        f(
            "author",
            Text,
            false,
            "Who added it.",
            &["author", "uploaded by", "created by", "owner"],
        ),
    ],
    one_of: &[],
};

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
