//! Contacts.csv: people and organisations in Windows-1252, about one in ten entered twice.
//!
//! The duplicate truth is the generator's own knowledge: a re-entry of an earlier contact
//! (same person or firm, typed again with other case, spacing, phone style and some fields
//! left blank) is a duplicate of it; two different people never are, even when they share
//! a common name. Fresh contacts get an email and a phone no earlier contact has, so no two
//! different people look like one.

use super::{close, emit, us_date, us_datetime};
use crate::error::SampleError;
use crate::faults::Faults;
use crate::ids;
use crate::people::{self, PhoneNumber};
use crate::truth::{Intent, Simulator};
use crate::writer::{col, extra, Column, FileSpec, Format, TableWriter, TextEncoding};
use crate::{Plan, Rng};
use chrono::NaiveDate;
use migrationai_domain::Kind;
use rand::Rng as _;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

const COLUMNS: &[Column] = &[
    col("Contact No", "contact_id"),
    col("Entity Type", "contact_type"),
    col("Salutation", "prefix"),
    col("Given Name", "first_name"),
    col("Middle Initial", "middle_name"),
    col("Surname", "last_name"),
    col("Company Name", "organization"),
    col("Position", "job_title"),
    col("Email Address", "email"),
    col("Phone Number", "phone"),
    col("Street Address", "address_line1"),
    col("Address 2", "address_line2"),
    col("Town", "city"),
    col("State", "region"),
    col("Zip Code", "postal_code"),
    col("Country Code", "country"),
    col("Client Flag", "is_client"),
    col("Date of Birth", "birth_date"),
    col("Date Created", "created_at"),
    extra("Legacy Flag"),
    extra("Row Version"),
];

pub(crate) const SPEC: FileSpec = FileSpec {
    path: "Contacts.csv",
    kind: Kind::Contacts,
    format: Format::Csv {
        delimiter: b',',
        encoding: TextEncoding::Windows1252,
        crlf: true,
    },
    columns: COLUMNS,
    us_dates: true,
};

/// What a second entry of the same contact is made from.
#[derive(Clone)]
struct Original {
    id: String,
    org: Option<String>,
    person: people::Person,
    email: String,
    phone: PhoneNumber,
    phone_style: usize,
    address: people::Address,
    birth: String,
}

pub(crate) struct ContactsOut {
    /// Numbers (as in `ids::id`) of loaded contacts, for matters to pick clients from.
    pub loaded: Vec<usize>,
    pub duplicate_groups: Vec<Vec<String>>,
}

pub(crate) fn write(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
) -> Result<ContactsOut, SampleError> {
    let mut w = TableWriter::create(root, SPEC)?;
    let mut faults = Faults::new(plan.contacts, 5);
    let mut recent: Vec<Original> = Vec::new();
    // Loaded original id → the loaded re-entries of it.
    let mut entries: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut emails: HashSet<String> = HashSet::new();
    let mut phones: HashSet<(String, u16, u16)> = HashSet::new();
    let mut loaded = Vec::new();
    let base = NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or_default();
    for i in 0..plan.contacts {
        let n = i + 1;
        let mut id = ids::id(Kind::Contacts, n);
        let fault = faults.at(i);
        let again = fault.is_none() && !recent.is_empty() && rng.gen_bool(0.10);
        let mut addr = people::address(rng);
        let org_row = rng.gen_bool(0.12);
        let mut original = Original {
            id: id.clone(),
            org: org_row.then(|| people::organisation(rng)),
            person: people::person(rng, plan.varied_surnames),
            email: String::new(),
            phone: people::phone(rng, addr.area_code),
            phone_style: rng.gen_range(0..5),
            address: addr.clone(),
            birth: String::new(),
        };
        original.email = match &original.org {
            Some(o) => people::org_email(rng, o),
            None => people::email_for(rng, &original.person.first, &original.person.last),
        };
        if !again {
            // A fresh contact shares no email and no phone with any earlier one.
            let mut n = 2;
            while emails.contains(&original.email.to_lowercase()) {
                let (local, domain) = original
                    .email
                    .split_once('@')
                    .unwrap_or(("x", "example.com"));
                original.email = format!("{local}{n}@{domain}");
                n += 1;
            }
            emails.insert(original.email.to_lowercase());
            let key = |p: &PhoneNumber| (p.area.clone(), p.exchange, p.line);
            while phones.contains(&key(&original.phone)) {
                original.phone.line = (original.phone.line + 1) % 10_000;
            }
            phones.insert(key(&original.phone));
        }
        let mut phone_text = original.phone.format(original.phone_style);
        let mut email = original.email.clone();
        let (mut first, mut last) = (original.person.first.clone(), original.person.last.clone());
        let mut org = original.org.clone();
        if again {
            // The same contact typed in again: other case and spacing, another phone style,
            // sometimes no email, so each of the three match keys gets exercised.
            let from = recent[rng.gen_range(0..recent.len())].clone();
            original = from.clone();
            // The same address, or none written this time.
            addr = if rng.gen_bool(0.3) {
                people::Address {
                    line1: String::new(),
                    line2: String::new(),
                    city: "",
                    state: "",
                    zip: String::new(),
                    area_code: from.address.area_code,
                }
            } else {
                from.address.clone()
            };
            email = match rng.gen_range(0..3) {
                0 => from.email.to_uppercase(),
                1 => String::new(),
                _ => from.email.clone(),
            };
            phone_text = if email.is_empty() || rng.gen_bool(0.7) {
                from.phone
                    .format(from.phone_style + 1 + rng.gen_range(0..3))
            } else {
                String::new()
            };
            first = restyle(rng, &from.person.first);
            last = restyle(rng, &from.person.last);
            org = from.org.as_ref().map(|o| restyle_org(rng, o));
        }
        let is_org = org.is_some();
        let mut intent = Intent::Clean;
        let mut birth = if again {
            // The same birth date, or none written this time.
            if rng.gen_bool(0.5) {
                original.birth.clone()
            } else {
                String::new()
            }
        } else if !is_org && rng.gen_bool(0.6) {
            let d = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default()
                + chrono::Duration::days(rng.gen_range(0..22_000));
            us_date(d)
        } else {
            String::new()
        };
        if !again {
            original.birth = birth.clone();
        }
        let mut job = if is_org || rng.gen_bool(0.7) {
            String::new()
        } else {
            people::pick(
                rng,
                &["Owner", "Manager", "Nurse", "Engineer", "Teacher", "Driver"],
            )
            .to_string()
        };
        match fault {
            Some(0) => {
                email = email.split('@').next().unwrap_or("jane").to_string() + "@";
                intent = Intent::Fault("email", "invalid_email");
            }
            Some(1) => {
                birth = format!("{}/{}/{}", rng.gen_range(1..13), rng.gen_range(13..29), 68);
                org = None;
                intent = Intent::Fault("birth_date", "two_digit_year");
            }
            Some(2) => {
                if let Some(prev) = recent.last() {
                    id = prev.id.clone();
                    intent = Intent::Fault("contact_id", "duplicate_id");
                }
            }
            Some(3) => {
                phone_text = "555-CALL".into();
                intent = Intent::Fault("phone", "invalid_phone");
            }
            Some(_) => {
                job = "=HYPERLINK(\"http://example.invalid\",\"Open\")".into();
                intent = Intent::Fault("job_title", "formula");
            }
            None => {}
        }
        let is_org = org.is_some();
        let created = base
            .and_hms_opt(rng.gen_range(8..18), rng.gen_range(0..60), 0)
            .unwrap_or_default()
            + chrono::Duration::days(rng.gen_range(0..3_600));
        let (first, middle, last) = if is_org {
            (String::new(), String::new(), String::new())
        } else {
            (first, original.person.middle.clone(), last)
        };
        let cells = vec![
            id.clone(),
            if is_org { "Company" } else { "Person" }.into(),
            if !is_org && rng.gen_bool(0.2) {
                people::pick(rng, &["Mr.", "Ms.", "Mrs.", "Dr."]).into()
            } else {
                String::new()
            },
            first,
            middle,
            last,
            org.unwrap_or_default(),
            job,
            email,
            phone_text,
            addr.line1,
            addr.line2,
            addr.city.into(),
            addr.state.into(),
            addr.zip,
            if rng.gen_bool(0.8) {
                "US"
            } else {
                "United States"
            }
            .into(),
            if rng.gen_bool(0.6) { "Yes" } else { "No" }.into(),
            birth,
            us_datetime(created),
            if rng.gen_bool(0.05) { "Y" } else { "" }.into(),
            rng.gen_range(1..6).to_string(),
        ];
        if emit(&mut w, sim, &cells, intent)?.is_some() {
            loaded.push(n);
            if again {
                entries
                    .entry(original.id.clone())
                    .or_default()
                    .push(id.clone());
            } else if intent == Intent::Clean {
                if recent.len() >= 256 {
                    recent.swap_remove(rng.gen_range(0..recent.len()));
                }
                recent.push(original);
            }
        }
    }
    close(w, sim)?;
    let mut duplicate_groups: Vec<Vec<String>> = entries
        .into_iter()
        .map(|(first, again)| {
            let mut g = again;
            g.push(first);
            g.sort();
            g
        })
        .collect();
    duplicate_groups.sort();
    Ok(ContactsOut {
        loaded,
        duplicate_groups,
    })
}

fn restyle(rng: &mut Rng, s: &str) -> String {
    match rng.gen_range(0..4) {
        0 => s.to_uppercase(),
        1 => s.to_lowercase(),
        2 => format!(" {s}  "),
        _ => s.replace(' ', "  "),
    }
}

fn restyle_org(rng: &mut Rng, s: &str) -> String {
    // Same name, other legal-form spelling: "Acme Co." and "ACME CO, INC." are one firm.
    let words: Vec<&str> = s.split(' ').collect();
    let stem = words[..words.len().saturating_sub(1)].join(" ");
    let form = people::pick(rng, &["LLC", "Inc.", ", Inc.", "Corp", "Ltd"]);
    let joined = if form.starts_with(',') {
        format!("{stem}{form}")
    } else {
        format!("{stem} {form}")
    };
    if rng.gen_bool(0.5) {
        joined.to_uppercase()
    } else {
        joined
    }
}
