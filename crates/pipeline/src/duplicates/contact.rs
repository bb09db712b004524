//! A contact as the matcher sees it: every value normalised, absent when empty.

use std::collections::BTreeMap;

use migrationai_domain::value::name::{normalise_name, organisation_key};
use migrationai_domain::Value;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    /// An organisation record (its name is `organisation`), not a person.
    pub is_organisation: bool,
    pub first: Option<String>,
    pub last: Option<String>,
    /// The organisation's name, or a person's employer.
    pub organisation: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Street line(s), normalised.
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    /// ISO date.
    pub birth: Option<String>,
}

fn clean(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// Street words written many ways, folded to one.
fn street_word(w: &str) -> &str {
    match w {
        "street" | "str" => "st",
        "avenue" | "av" => "ave",
        "road" => "rd",
        "drive" => "dr",
        "boulevard" => "blvd",
        "lane" => "ln",
        "court" => "ct",
        "place" => "pl",
        "apartment" | "apt" | "unit" | "suite" | "ste" | "flat" => "#",
        "north" => "n",
        "south" => "s",
        "east" => "e",
        "west" => "w",
        w => w,
    }
}

fn normalise_street(s: &str) -> String {
    normalise_name(s)
        .split(' ')
        .map(street_word)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Contact {
    /// A person from its parts; values are normalised here.
    #[allow(clippy::too_many_arguments)]
    pub fn person(
        id: &str,
        first: &str,
        last: &str,
        email: &str,
        phone: &str,
        street: &str,
        postcode: &str,
        city: &str,
        birth: &str,
    ) -> Contact {
        Contact {
            id: id.to_string(),
            first: clean(Some(normalise_name(first))),
            last: clean(Some(normalise_name(last))),
            email: clean(Some(email.trim().to_lowercase())),
            phone: clean(Some(phone.chars().filter(char::is_ascii_digit).collect())),
            street: clean(Some(normalise_street(street))),
            postcode: clean(Some(normalise_name(postcode).replace(' ', ""))),
            city: clean(Some(normalise_name(city))),
            birth: clean(Some(birth.trim().to_string())),
            ..Contact::default()
        }
    }

    /// A loaded contact record's fields. A record with an organisation and no person's name
    /// is the organisation, whatever its type says.
    pub fn from_fields(id: &str, fields: &BTreeMap<String, Value>) -> Contact {
        let text = |k: &str| match fields.get(k) {
            Some(Value::Text(s)) | Some(Value::Code(s)) => Some(s.clone()),
            _ => None,
        };
        let first = clean(text("first_name").map(|s| normalise_name(&s)));
        let last = clean(text("last_name").map(|s| normalise_name(&s)));
        let typed_organisation = text("contact_type").as_deref() == Some("organization");
        let organisation = clean(
            text("organization")
                .or_else(|| typed_organisation.then(|| text("full_name")).flatten())
                .map(|o| organisation_key(&o)),
        );
        let is_organisation =
            typed_organisation || (first.is_none() && last.is_none() && organisation.is_some());
        let street = [text("address_line1"), text("address_line2")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        Contact {
            id: id.to_string(),
            is_organisation,
            first,
            last,
            organisation,
            email: match fields.get("email") {
                Some(Value::Email(e)) => clean(Some(e.match_key())),
                _ => None,
            },
            phone: match fields.get("phone") {
                Some(Value::Phone(p)) => clean(Some(p.match_key())),
                _ => None,
            },
            street: clean(Some(normalise_street(&street))),
            postcode: clean(text("postal_code").map(|p| normalise_name(&p).replace(' ', ""))),
            city: clean(text("city").map(|c| normalise_name(&c))),
            birth: match fields.get("birth_date") {
                Some(Value::Date(d)) => Some(d.to_string()),
                _ => None,
            },
        }
    }
}
