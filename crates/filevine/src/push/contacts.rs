//! contacts → `Contacts`: a person or an organisation, with email, phone and address; the
//! partner id rides in `PersonId`.

use async_trait::async_trait;
use migrationai_domain::{Kind, Value};
use serde_json::Value as Json;

use super::diff::changed;
use super::text::{date, midnight, with_extras};
use super::{KindWrite, Plan, PushRecord, Pusher};
use crate::error::FvError;
use crate::idmap::FvId;
use crate::ops::{Call, Op};
use crate::transport::call_as;
use crate::wire::contact::{Address, Contact, Email, Phone};
use crate::wire::{Identifier, Object};

const SCOPE: &str = "Contact";

/// A contact's phone fields, in the order Filevine lists them, with their labels.
const PHONES: [(&str, &str); 6] = [
    ("phone", "Primary"),
    ("mobile_phone", "Mobile"),
    ("work_phone", "Work"),
    ("home_phone", "Home"),
    ("other_phone", "Other"),
    ("fax", "Fax"),
];

/// A contact's email fields, with their labels.
const EMAILS: [(&str, &str); 2] = [("email", "Primary"), ("other_email", "Other")];

pub struct Contacts;

pub struct ContactPlan {
    body: Contact,
}

impl Plan for ContactPlan {
    fn payload(&self) -> Json {
        serde_json::to_value(&self.body).unwrap_or_default()
    }
}

fn text(rec: &PushRecord, field: &str) -> Option<String> {
    rec.text(field).map(str::to_string)
}

fn build(rec: &PushRecord, key: String) -> Result<Contact, FvError> {
    let org_name = text(rec, "organization");
    let is_org = rec.text("contact_type") == Some("organization");
    let mut c = Contact {
        person_id: Some(Identifier::partner(&key)),
        job_title: text(rec, "job_title"),
        birth_date: date(rec, "birth_date").map(midnight),
        person_types: super::text::boolean(rec, "is_client")
            .filter(|c| *c)
            .map(|_| vec!["Client".to_string()]),
        notes: with_extras(None, rec, &[("created_at", "Created in the source")]),
        ..Contact::default()
    };
    if is_org {
        let name = org_name
            .clone()
            .or_else(|| text(rec, "full_name"))
            .ok_or_else(|| {
                FvError::refused(
                    Some("organization"),
                    "required",
                    "an organisation needs its name",
                )
            })?;
        c.is_single_name = Some(true);
        c.first_name = Some(name.clone());
        c.full_name = Some(name);
    } else {
        c.is_single_name = Some(false);
        c.prefix = text(rec, "prefix");
        c.first_name = text(rec, "first_name");
        c.middle_name = text(rec, "middle_name");
        c.last_name = text(rec, "last_name");
        c.suffix = text(rec, "suffix");
        c.full_name = text(rec, "full_name");
        c.from_company = org_name;
        if c.first_name.is_none() && c.last_name.is_none() && c.full_name.is_none() {
            return Err(FvError::refused(
                Some("full_name"),
                "required",
                "a person needs a name",
            ));
        }
    }
    let emails: Vec<Email> = EMAILS
        .iter()
        .filter_map(|(field, label)| match rec.get(field) {
            Some(Value::Email(e)) => Some(Email {
                address: Some(e.as_str().to_string()),
                label: Some((*label).into()),
            }),
            _ => None,
        })
        .collect();
    c.emails = (!emails.is_empty()).then_some(emails);
    let phones: Vec<Phone> = PHONES
        .iter()
        .filter_map(|(field, label)| match rec.get(field) {
            Some(Value::Phone(p)) => Some(Phone {
                number: Some(p.e164.clone().unwrap_or_else(|| p.raw.clone())),
                raw_number: Some(p.raw.clone()),
                extension: p.extension.clone(),
                label: Some((*label).into()),
                is_smsable: *field == "mobile_phone",
                is_faxable: *field == "fax",
            }),
            _ => None,
        })
        .collect();
    c.phones = (!phones.is_empty()).then_some(phones);
    let address = Address {
        line1: text(rec, "address_line1"),
        line2: text(rec, "address_line2"),
        city: text(rec, "city"),
        state: text(rec, "region"),
        postal_code: text(rec, "postal_code"),
        country: text(rec, "country"),
        label: None,
    };
    if address != Address::default() {
        c.addresses = Some(vec![Address {
            label: Some("Primary".into()),
            ..address
        }]);
    }
    Ok(c)
}

#[async_trait]
impl KindWrite for Contacts {
    type P = ContactPlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<ContactPlan, FvError> {
        let key = px.keys.record(Kind::Contacts, &rec.source_id);
        Ok(ContactPlan {
            body: build(rec, key)?,
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &ContactPlan,
    ) -> Result<FvId, FvError> {
        let call = Call::new(Op::ContactCreate).body(plan.payload());
        let made: Contact = call_as(px.t(), call).await?;
        made.person_id
            .and_then(|p| p.native)
            .map(FvId::int)
            .ok_or_else(|| {
                FvError::permanent(
                    Op::ContactCreate.to_string(),
                    "the answer has no PersonId.Native",
                )
            })
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &ContactPlan,
    ) -> Result<Option<FvId>, FvError> {
        px.by_partner(SCOPE, plan.body.person_id.as_ref()).await
    }

    async fn update(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &ContactPlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let remote: Object = call_as(px.t(), Call::new(Op::ContactGet).arg(id)).await?;
        let desired = match plan.payload() {
            Json::Object(o) => o,
            _ => Object::new(),
        };
        let diff = changed(&desired, &remote, &["PersonId"]);
        if !diff.is_empty() {
            px.t()
                .call(
                    Call::new(Op::ContactUpdate)
                        .arg(id)
                        .body(Json::Object(diff.clone())),
                )
                .await?;
        }
        Ok((id.clone(), diff.keys().cloned().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrationai_domain::value::{Email as Address_, Phone as Number};

    /// Every number and address a contact holds reaches Filevine, each under its label: a
    /// mobile can take texts and a fax takes faxes.
    #[test]
    fn every_phone_and_email_is_sent_with_its_label() {
        let phone = |raw: &str| Value::Phone(Number::parse(raw, Some("US")).expect("a phone"));
        let email = |raw: &str| Value::Email(Address_::parse(raw).expect("an email"));
        let fields = [
            ("first_name", Value::Text("Ada".into())),
            ("phone", phone("(212) 555-0143")),
            ("mobile_phone", phone("(917) 555-0199")),
            ("fax", phone("(212) 555-0100")),
            ("email", email("ada@example.com")),
            ("other_email", email("ada.home@example.org")),
        ];
        let rec = PushRecord {
            kind: Kind::Contacts,
            source_id: "C1".into(),
            fields: fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            parents: Default::default(),
            files: Vec::new(),
            taken: Vec::new(),
        };
        let c = build(&rec, "C1".into()).expect("a contact");
        let phones: Vec<(Option<&str>, Option<&str>, bool, bool)> = c
            .phones
            .iter()
            .flatten()
            .map(|p| {
                (
                    p.label.as_deref(),
                    p.number.as_deref(),
                    p.is_smsable,
                    p.is_faxable,
                )
            })
            .collect();
        assert_eq!(
            phones,
            [
                (Some("Primary"), Some("+12125550143"), false, false),
                (Some("Mobile"), Some("+19175550199"), true, false),
                (Some("Fax"), Some("+12125550100"), false, true),
            ]
        );
        let emails: Vec<(Option<&str>, Option<&str>)> = c
            .emails
            .iter()
            .flatten()
            .map(|e| (e.label.as_deref(), e.address.as_deref()))
            .collect();
        assert_eq!(
            emails,
            [
                (Some("Primary"), Some("ada@example.com")),
                (Some("Other"), Some("ada.home@example.org")),
            ]
        );
    }
}
