//! Modelled on a Needles- or TrialWorks-style case export: lowercase database column names,
//! cases keyed by "casenum", a "names" table of every party, case notes and checklist items
//! without ids, and user-defined case data in long format (case, tab, field, data).

use super::Attr::*;
use super::{col, Dates, Entity, Flags, Ids, Money, Numbering as N, Rows, Style, Table};

pub(super) fn style() -> Style {
    Style {
        name: "needles",
        modelled_on: "Needles / TrialWorks case export",
        seed: 808,
        matters: 30,
        ids: Ids {
            contact: N::new("", 0, 20001),
            company: N::new("", 0, 20001),
            matter: N::new("", 0, 18001),
            task: N::new("", 0, 1),
            note: N::new("", 0, 1),
            event: N::new("", 0, 61001),
            activity: N::new("", 0, 1),
            invoice: N::new("", 0, 1),
            payment: N::new("", 0, 1),
            trust: N::new("", 0, 1),
        },
        dates: Dates::Us,
        money: Money::Plain,
        flags: Flags::YN,
        tables: vec![
            Table {
                path: "names.csv",
                entity: Entity::Contact,
                rows: Rows::All,
                key: &["names_id"],
                columns: vec![
                    col("names_id", Id, "contact_id"),
                    col("first_name", FirstName, "first_name"),
                    col("last_name", LastName, "last_name"),
                    col("company", Company, "organization"),
                    col("email", Email, "email"),
                    col("home_phone", Phone, "phone"),
                    col("address", Street, "address_line1"),
                    col("city", City, "city"),
                    col("state", State, "region"),
                    col("zipcode", Zip, "postal_code"),
                ],
            },
            Table {
                path: "cases.csv",
                entity: Entity::Matter,
                rows: Rows::All,
                key: &["casenum"],
                columns: vec![
                    col("casenum", Id, "number"),
                    col("names_id", ClientRef, "client_id"),
                    col("casename", Name, "name"),
                    col("case_type", PracticeArea, "project_type"),
                    col("date_opened", Opened, "opened_on"),
                    col("close_date", Closed, "closed_on"),
                ],
            },
            Table {
                path: "case_notes.csv",
                entity: Entity::Note,
                rows: Rows::All,
                key: &[],
                columns: vec![
                    col("casenum", MatterRef, "project_id"),
                    col("note_date", At, "noted_at"),
                    col("topic", Subject, "subject"),
                    col("note", Body, "body"),
                    col("staff", Author, "author"),
                ],
            },
            Table {
                path: "calendar.csv",
                entity: Entity::Event,
                rows: Rows::All,
                key: &["calendar_id"],
                columns: vec![
                    col("calendar_id", Id, "event_id"),
                    col("casenum", MatterRef, "project_id"),
                    col("subject", Title, "title"),
                    col("start_date", Start, "starts_at"),
                    col("stop_date", End, "ends_at"),
                    col("location", Location, "location"),
                ],
            },
            Table {
                path: "checklist.csv",
                entity: Entity::Task,
                rows: Rows::All,
                key: &[],
                columns: vec![
                    col("casenum", MatterRef, "project_id"),
                    col("description", Title, "title"),
                    col("due_date", Due, "due_on"),
                    col("staff_assigned", Assignee, "assignee"),
                    col("status", Status, "status"),
                ],
            },
            Table {
                path: "user_case_data.csv",
                entity: Entity::Custom,
                rows: Rows::All,
                key: &[],
                columns: vec![
                    col("casenum", MatterRef, "project_id"),
                    col("tab", Section, "section"),
                    col("field_name", Field, "field"),
                    col("data", Value, "value"),
                ],
            },
        ],
    }
}
