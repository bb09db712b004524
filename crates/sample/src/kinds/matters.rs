//! Matters.csv: UTF-8 with a byte-order mark, as Excel saves "CSV UTF-8".

use super::{close, day, emit, iso_date};
use crate::error::SampleError;
use crate::faults::Faults;
use crate::ids;
use crate::people;
use crate::truth::{Intent, Simulator};
use crate::writer::{col, extra, Column, FileSpec, Format, TableWriter, TextEncoding};
use crate::{Plan, Rng};
use chrono::NaiveDate;
use migrationai_domain::Kind;
use rand::Rng as _;
use std::path::Path;

const COLUMNS: &[Column] = &[
    col("Matter ID", "project_id"),
    col("Display Number", "number"),
    col("Matter Description", "name"),
    col("Primary Client", "client_id"),
    col("Practice Area", "project_type"),
    col("Matter Status", "status"),
    col("Open Date", "opened_on"),
    col("Close Date", "closed_on"),
    col("Lead Attorney", "responsible_attorney"),
    col("Originator", "originating_attorney"),
    col("Fee Arrangement", "billing_method"),
    col("Court", "location"),
    col("Client Matter Number", "client_reference"),
    extra("Conflict Check"),
    extra("Row Version"),
];

pub(crate) const SPEC: FileSpec = FileSpec {
    path: "Matters.csv",
    kind: Kind::Projects,
    format: Format::Csv {
        delimiter: b',',
        encoding: TextEncoding::Utf8Bom,
        crlf: true,
    },
    columns: COLUMNS,
    us_dates: false,
};

const AREAS: &[&str] = &[
    "Personal Injury",
    "Family Law",
    "Estate Planning",
    "Real Estate",
    "Employment",
    "Criminal Defense",
    "Immigration",
    "Business Litigation",
    "Workers' Compensation",
    "Bankruptcy",
];

const COURTS: &[&str] = &[
    "Supreme Court, New York County",
    "Kings County Civil Court",
    "U.S. District Court, S.D.N.Y.",
    "Cook County Circuit Court",
    "Superior Court of California, Los Angeles",
    "Harris County District Court",
    "",
];

/// What later kinds need to know about a matter.
pub(crate) struct Matter {
    pub id: String,
    pub client: String,
    pub opened: NaiveDate,
    pub number: String,
}

pub(crate) fn write(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    clients: &[usize],
) -> Result<Vec<Matter>, SampleError> {
    let mut w = TableWriter::create(root, SPEC)?;
    let mut faults = Faults::new(plan.matters, 4);
    let mut matters = Vec::with_capacity(plan.matters);
    let start = NaiveDate::from_ymd_opt(2016, 1, 4).unwrap_or_default();
    for i in 0..plan.matters {
        let id = ids::id(Kind::Projects, i + 1);
        let client_n = if clients.is_empty() {
            1
        } else {
            clients[rng.gen_range(0..clients.len())]
        };
        let mut client = ids::id(Kind::Contacts, client_n);
        let opened = day(start, rng.gen_range(0..3_100));
        let area = people::pick(rng, AREAS);
        let other = people::person(rng, plan.varied_surnames);
        let number = format!("{:05}-{}", i + 1, &area[..3].to_uppercase());
        let mut name = match rng.gen_range(0..5) {
            0 => format!("{} v. {}", other.last, people::organisation(rng)),
            1 => format!("Estate of \"{}\" {}", other.first, other.last),
            2 => format!("{area} – {}, {}", other.last, other.first),
            3 => format!("In re {} {}", other.first, other.last),
            _ => format!("{} adv. {}", other.last, people::person(rng, false).last),
        };
        let status = match rng.gen_range(0..10) {
            0..=5 => "Open",
            6 => "Pending",
            _ => "Closed",
        };
        let mut opened_text = iso_date(opened);
        let closed = if status == "Closed" {
            iso_date(day(opened, rng.gen_range(30..900)))
        } else {
            String::new()
        };
        let mut billing =
            people::pick(rng, &["Hourly", "Flat Fee", "Contingency", "Pro Bono"]).to_string();
        let mut intent = Intent::Clean;
        match faults.at(i) {
            Some(0) => {
                client = ids::id(Kind::Contacts, 990_000 + i % 9_000);
                intent = Intent::Fault("client_id", "orphan_reference");
            }
            Some(1) => {
                opened_text = "2023-02-30".into();
                intent = Intent::Fault("opened_on", "invalid_date");
            }
            Some(2) => {
                name = String::new();
                intent = Intent::Fault("name", "required");
            }
            Some(_) => {
                billing = "Barter".into();
                intent = Intent::Fault("billing_method", "invalid_choice");
            }
            None => {}
        }
        let cells = vec![
            id.clone(),
            number.clone(),
            name,
            client.clone(),
            area.to_string(),
            status.to_string(),
            opened_text,
            closed,
            people::staff(rng).to_string(),
            people::staff(rng).to_string(),
            billing,
            people::pick(rng, COURTS).to_string(),
            if rng.gen_bool(0.3) {
                format!("CLM-{}", rng.gen_range(10_000..99_999))
            } else {
                String::new()
            },
            if rng.gen_bool(0.9) { "Cleared" } else { "" }.into(),
            rng.gen_range(1..4).to_string(),
        ];
        emit(&mut w, sim, &cells, intent)?;
        matters.push(Matter {
            id,
            client,
            opened,
            number,
        });
    }
    close(w, sim)?;
    Ok(matters)
}
