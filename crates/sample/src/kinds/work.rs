//! The matter's working records: custom fields (XLSX), notes (JSON lines), calendar and
//! tasks.

use super::matters::Matter;
use super::{close, day, emit, iso_datetime, us_date, us_datetime};
use crate::error::SampleError;
use crate::faults::Faults;
use crate::ids;
use crate::people;
use crate::truth::{Intent, Simulator};
use crate::writer::{col, extra, Column, FileSpec, Format, TableWriter, TextEncoding};
use crate::{Plan, Rng};
use chrono::{NaiveDate, NaiveDateTime};
use migrationai_domain::Kind;
use rand::Rng as _;
use std::path::Path;

pub(crate) const SECTIONS: FileSpec = FileSpec {
    path: "Custom Field Values.xlsx",
    kind: Kind::Sections,
    format: Format::Xlsx {
        sheet: "Custom Field Values",
    },
    columns: &[
        col("Value ID", "section_row_id"),
        col("Matter ID", "project_id"),
        col("Section Name", "section"),
        col("Field Name", "field"),
        col("Field Value", "value"),
        col("Data Type", "field_type"),
        col("Row Number", "row_index"),
        extra("Sync Status"),
    ],
    us_dates: false,
};

pub(crate) const NOTES: FileSpec = FileSpec {
    path: "Notes.jsonl",
    kind: Kind::Notes,
    format: Format::Jsonl,
    columns: &[
        col("Memo ID", "note_id"),
        col("Matter", "project_id"),
        col("Contact", "contact_id"),
        col("Summary", "subject"),
        col("Note Text", "body"),
        col("Created", "noted_at"),
        col("Created By", "author"),
        extra("Source System"),
        extra("Pinned"),
    ],
    us_dates: false,
};

const CSV_US: Format = Format::Csv {
    delimiter: b',',
    encoding: TextEncoding::Utf8,
    crlf: false,
};

pub(crate) const CALENDAR: FileSpec = FileSpec {
    path: "Calendar Entries.csv",
    kind: Kind::Calendar,
    format: CSV_US,
    columns: &[
        col("Entry ID", "event_id"),
        col("Matter", "project_id"),
        col("Summary", "title"),
        col("Details", "description"),
        col("Venue", "location"),
        col("Start", "starts_at"),
        col("End", "ends_at"),
        col("All Day Event", "all_day"),
        col("Start Time Zone", "time_zone"),
        col("Repeats", "recurrence"),
        col("Participants", "attendees"),
        col("Category", "event_type"),
        extra("Color"),
    ],
    us_dates: true,
};

const TASK_COLUMNS: &[Column] = &[
    col("Todo ID", "task_id"),
    col("Matter ID", "project_id"),
    col("Task Name", "title"),
    col("Details", "description"),
    col("Task Status", "status"),
    col("Importance", "priority"),
    col("Due Date", "due_on"),
    col("Date Completed", "completed_at"),
    col("Assigned To", "assignee"),
    col("SOL", "statute_of_limitations"),
    extra("Reminder Sent"),
    extra("Row Version"),
];

pub(crate) const TASKS: FileSpec = FileSpec {
    path: "Tasks.csv",
    kind: Kind::Tasks,
    format: CSV_US,
    columns: TASK_COLUMNS,
    us_dates: true,
};

pub(crate) fn pick_matter<'a>(rng: &mut Rng, matters: &'a [Matter]) -> Option<&'a Matter> {
    if matters.is_empty() {
        None
    } else {
        Some(&matters[rng.gen_range(0..matters.len())])
    }
}

/// A matter id that no matter has.
pub(crate) fn missing_matter(i: usize) -> String {
    ids::id(Kind::Projects, 990_000 + i % 9_000)
}

/// A day in the matter's life, never later than mid-2025.
pub(crate) fn during(rng: &mut Rng, m: &Matter) -> NaiveDate {
    let end = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap_or_default();
    let span = (end - m.opened).num_days().max(1);
    day(m.opened, rng.gen_range(0..span))
}

pub(crate) fn at(d: NaiveDate, h: u32, min: u32) -> NaiveDateTime {
    d.and_hms_opt(h, min, 0).unwrap_or_default()
}

pub(crate) fn write_sections(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    matters: &[Matter],
) -> Result<(), SampleError> {
    let mut w = TableWriter::create(root, SECTIONS)?;
    let mut faults = Faults::new(plan.sections, 2);
    for i in 0..plan.sections {
        let Some(m) = pick_matter(rng, matters) else {
            break;
        };
        let mut project = m.id.clone();
        let (section, field, value, mut ty, row) = match rng.gen_range(0..7) {
            0 => (
                "Intake",
                "Date of Incident",
                super::iso_date(during(rng, m)),
                "Date",
                String::new(),
            ),
            1 => (
                "Intake",
                "Injury Type",
                people::pick(rng, &["Back", "Neck, shoulder", "Head", "Burn", "Other"]).into(),
                "Picklist",
                String::new(),
            ),
            2 => (
                "Insurance",
                "Policy Limit",
                format!("{}.00", rng.gen_range(25..1_000) * 1_000),
                "Currency",
                String::new(),
            ),
            3 => (
                "Insurance",
                "Police Report Filed",
                if rng.gen_bool(0.5) { "Yes" } else { "No" }.into(),
                "Checkbox",
                String::new(),
            ),
            4 => (
                "Insurance",
                "Carrier",
                people::organisation(rng),
                "Text",
                String::new(),
            ),
            5 => (
                "Medical Providers",
                "Provider",
                format!("{} Clinic", people::person(rng, false).last),
                "Text",
                rng.gen_range(1..6).to_string(),
            ),
            _ => (
                "Medical Providers",
                "Notes",
                people::text(rng),
                "Text Area",
                rng.gen_range(1..6).to_string(),
            ),
        };
        let mut intent = Intent::Clean;
        match faults.at(i) {
            Some(0) => {
                ty = "Widget";
                intent = Intent::Fault("field_type", "invalid_choice");
            }
            Some(_) => {
                project = missing_matter(i);
                intent = Intent::Fault("project_id", "orphan_reference");
            }
            None => {}
        }
        let cells = vec![
            ids::id(Kind::Sections, i + 1),
            project,
            section.into(),
            field.into(),
            value,
            ty.into(),
            row,
            if rng.gen_bool(0.1) {
                "Pending"
            } else {
                "Synced"
            }
            .into(),
        ];
        emit(&mut w, sim, &cells, intent)?;
    }
    close(w, sim)
}

pub(crate) fn write_notes(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    matters: &[Matter],
    contacts: &[usize],
) -> Result<(), SampleError> {
    let mut w = TableWriter::create(root, NOTES)?;
    let mut faults = Faults::new(plan.notes, 3);
    for i in 0..plan.notes {
        let Some(m) = pick_matter(rng, matters) else {
            break;
        };
        let on_contact = rng.gen_bool(0.25) && !contacts.is_empty();
        let (mut project, mut contact) = if on_contact {
            let n = contacts[rng.gen_range(0..contacts.len())];
            (String::new(), ids::id(Kind::Contacts, n))
        } else {
            (m.id.clone(), String::new())
        };
        let when = at(during(rng, m), rng.gen_range(7..20), rng.gen_range(0..60));
        let mut body = people::text(rng);
        let mut intent = Intent::Clean;
        match faults.at(i) {
            Some(0) => {
                body = "=HYPERLINK(\"http://example.invalid/x\",\"details\")".into();
                intent = Intent::Fault("body", "formula");
            }
            Some(1) => {
                project = String::new();
                contact = ids::id(Kind::Contacts, 990_000 + i % 9_000);
                intent = Intent::Fault("contact_id", "orphan_reference");
            }
            Some(_) => {
                body = String::new();
                intent = Intent::Fault("body", "required");
            }
            None => {}
        }
        let cells = vec![
            ids::id(Kind::Notes, i + 1),
            project,
            contact,
            people::pick(rng, &["Phone call", "Meeting", "Research", "", "Email"]).into(),
            body,
            iso_datetime(when),
            people::staff(rng).into(),
            "PracticePanther".into(),
            if rng.gen_bool(0.05) { "true" } else { "false" }.into(),
        ];
        emit(&mut w, sim, &cells, intent)?;
    }
    close(w, sim)
}

pub(crate) fn write_calendar(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    matters: &[Matter],
) -> Result<(), SampleError> {
    let mut w = TableWriter::create(root, CALENDAR)?;
    let mut faults = Faults::new(plan.calendar, 3);
    let d = |y: i32, m: u32, day: u32| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
    for i in 0..plan.calendar {
        let Some(m) = pick_matter(rng, matters) else {
            break;
        };
        let mut project = m.id.clone();
        let mut zone = match rng.gen_range(0..20) {
            0..=13 => "America/New_York",
            14..=16 => "America/Chicago",
            17 | 18 => "America/Los_Angeles",
            _ => "Eastern Standard Time",
        };
        let (mut title, mut kind) = match rng.gen_range(0..5) {
            0 => ("Hearing", "Hearing"),
            1 => ("Client meeting", "Meeting"),
            2 => ("Deposition", "Appointment"),
            3 => ("Filing deadline", "Deadline"),
            _ => ("Call with adjuster", "Call"),
        };
        let mut all_day = kind == "Deadline" || rng.gen_bool(0.1);
        let date = during(rng, m);
        let start_t = at(date, rng.gen_range(8..18), 15 * rng.gen_range(0..4));
        let mut start_end: (NaiveDateTime, NaiveDateTime) = (
            start_t,
            start_t + chrono::Duration::minutes(30 * rng.gen_range(1..7)),
        );
        // Every 40th event sits on a daylight-saving change in 2024.
        if i % 40 == 20 {
            zone = "America/New_York";
            title = "Overnight trial prep";
            kind = "Meeting";
            all_day = false;
            start_end = match (i / 40) % 5 {
                0 => (at(d(2024, 3, 9), 23, 0), at(d(2024, 3, 10), 4, 0)),
                1 => (at(d(2024, 3, 10), 9, 0), at(d(2024, 3, 10), 10, 0)),
                2 => (at(d(2024, 11, 3), 1, 30), at(d(2024, 11, 3), 2, 30)),
                3 => (at(d(2024, 11, 2), 22, 0), at(d(2024, 11, 3), 3, 0)),
                _ => {
                    all_day = true;
                    title = "Trial day";
                    (at(d(2024, 3, 10), 0, 0), at(d(2024, 3, 11), 0, 0))
                }
            };
        }
        let (s, e) = start_end;
        let (mut start, end) = if all_day {
            let last = if rng.gen_bool(0.8) {
                s.date()
            } else {
                day(s.date(), 2)
            };
            (
                us_date(s.date()),
                us_date(last.max(e.date().pred_opt().unwrap_or(s.date()))),
            )
        } else {
            (us_datetime(s), us_datetime(e))
        };
        let mut intent = Intent::Clean;
        match faults.at(i) {
            Some(0) => {
                zone = "America/New_York";
                all_day = false;
                start = "3/10/2024 2:30 AM".into();
                intent = Intent::Fault("starts_at", "nonexistent_local_time");
            }
            Some(1) => {
                all_day = false;
                start = format!("{}/{}/{} 10:00 AM", s.date().format("%-m"), 14, 24);
                intent = Intent::Fault("starts_at", "two_digit_year");
            }
            Some(_) => {
                project = missing_matter(i);
                intent = Intent::Fault("project_id", "orphan_reference");
            }
            None => {}
        }
        let end = if intent != Intent::Clean && !all_day {
            // Keep the end valid and after any start, so the row has exactly one fault.
            "12/31/2030 5:00 PM".to_string()
        } else {
            end
        };
        let cells = vec![
            ids::id(Kind::Calendar, i + 1),
            project,
            title.into(),
            if rng.gen_bool(0.5) {
                people::text(rng)
            } else {
                String::new()
            },
            people::pick(
                rng,
                &["Courtroom 4B", "Main office, Conf. Room 2", "Zoom", ""],
            )
            .into(),
            start,
            end,
            if all_day { "Yes" } else { "No" }.into(),
            zone.into(),
            if rng.gen_bool(0.05) {
                "FREQ=WEEKLY;BYDAY=MO;COUNT=4".into()
            } else {
                String::new()
            },
            format!("{}; {}", people::staff(rng), people::staff(rng)),
            kind.into(),
            people::pick(rng, &["Blue", "Red", "", "Green"]).into(),
        ];
        emit(&mut w, sim, &cells, intent)?;
    }
    close(w, sim)
}

pub(crate) fn write_tasks(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    matters: &[Matter],
) -> Result<(), SampleError> {
    let mut w = TableWriter::create(root, TASKS)?;
    let mut faults = Faults::new(plan.tasks, 3);
    for i in 0..plan.tasks {
        let Some(m) = pick_matter(rng, matters) else {
            break;
        };
        let mut project = m.id.clone();
        let due = during(rng, m);
        let status = people::pick(
            rng,
            &["Not Started", "In Progress", "Completed", "Cancelled"],
        );
        let completed = if status == "Completed" {
            us_datetime(at(day(due, -rng.gen_range(0..5)), rng.gen_range(8..19), 0))
        } else {
            String::new()
        };
        let mut due_text = us_date(due);
        let mut priority = people::pick(rng, &["High", "Normal", "Low"]).to_string();
        let mut intent = Intent::Clean;
        match faults.at(i) {
            Some(0) => {
                project = missing_matter(i);
                intent = Intent::Fault("project_id", "orphan_reference");
            }
            Some(1) => {
                due_text = "2/30/2024".into();
                intent = Intent::Fault("due_on", "invalid_date");
            }
            Some(_) => {
                priority = "ASAP".into();
                intent = Intent::Fault("priority", "invalid_choice");
            }
            None => {}
        }
        let sol = rng.gen_bool(0.05);
        let cells = vec![
            ids::id(Kind::Tasks, i + 1),
            project,
            if sol {
                "Calendar statute of limitations".into()
            } else {
                people::pick(
                    rng,
                    &[
                        "Request medical records",
                        "Draft complaint",
                        "Call client",
                        "File motion",
                    ],
                )
                .to_string()
            },
            if rng.gen_bool(0.4) {
                people::text(rng)
            } else {
                String::new()
            },
            status.into(),
            priority,
            due_text,
            completed,
            people::staff(rng).into(),
            if sol { "Yes" } else { "No" }.into(),
            if rng.gen_bool(0.3) { "Y" } else { "N" }.into(),
            rng.gen_range(1..4).to_string(),
        ];
        emit(&mut w, sim, &cells, intent)?;
    }
    close(w, sim)
}
