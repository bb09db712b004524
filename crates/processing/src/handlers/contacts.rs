//! Duplicate contacts: loaded contacts sharing a lower-cased email, a phone (E.164 or its
//! digits) or a name key are linked for a person to review, never merged silently.
//!
//! The detection runs over all loaded contacts at once (not per batch), so the links do not
//! depend on the order batches arrived in.

use std::collections::{BTreeMap, BTreeSet};

use migrationai_domain::value::name::{normalise_name, organisation_key};
use migrationai_domain::Value;
use migrationai_ports::store::ContactLink;

/// A loaded contact's matching keys.
#[derive(Debug, Clone, Default)]
pub struct ContactKeys {
    pub source_id: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
}

impl ContactKeys {
    pub fn from_fields(source_id: &str, fields: &BTreeMap<String, Value>) -> ContactKeys {
        let text = |k: &str| match fields.get(k) {
            Some(Value::Text(s)) | Some(Value::Code(s)) => Some(s.clone()),
            _ => None,
        };
        let email = match fields.get("email") {
            Some(Value::Email(e)) => Some(e.match_key()),
            _ => None,
        };
        let phone = match fields.get("phone") {
            Some(Value::Phone(p)) => Some(p.match_key()).filter(|k| !k.is_empty()),
            _ => None,
        };
        let organisation = text("contact_type").as_deref() == Some("organization");
        let name = if organisation {
            text("organization")
                .or_else(|| text("full_name"))
                .map(|n| organisation_key(&n))
        } else {
            let first = text("first_name").unwrap_or_default();
            let last = text("last_name").unwrap_or_default();
            Some(normalise_name(&format!("{first} {last}")))
        }
        .filter(|k| !k.is_empty())
        // Organisations and people live in separate name spaces.
        .map(|k| format!("{}:{k}", if organisation { "org" } else { "person" }));
        ContactKeys {
            source_id: source_id.to_string(),
            email,
            phone,
            name,
        }
    }
}

/// Links (each duplicate to the first contact holding the key) and the groups (connected
/// components of two or more, ids sorted, groups sorted).
pub fn detect(contacts: &[ContactKeys]) -> (Vec<ContactLink>, Vec<Vec<String>>) {
    let mut by_key: BTreeMap<(&'static str, String), Vec<usize>> = BTreeMap::new();
    for (i, c) in contacts.iter().enumerate() {
        for (reason, key) in [("email", &c.email), ("phone", &c.phone), ("name", &c.name)] {
            if let Some(k) = key {
                by_key.entry((reason, k.clone())).or_default().push(i);
            }
        }
    }
    let mut parent: Vec<usize> = (0..contacts.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut links = BTreeSet::new();
    for ((reason, key), members) in &by_key {
        let Some((&first, rest)) = members.split_first() else {
            continue;
        };
        for &other in rest {
            let (a, b) = (&contacts[first].source_id, &contacts[other].source_id);
            if a == b {
                continue;
            }
            let (a, b) = if a < b { (a, b) } else { (b, a) };
            links.insert(ContactLink {
                a: a.clone(),
                b: b.clone(),
                reason: reason.to_string(),
                key: key.clone(),
            });
            let (ra, rb) = (root(&mut parent, first), root(&mut parent, other));
            if ra != rb {
                parent[ra] = rb;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, c) in contacts.iter().enumerate() {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(c.source_id.clone());
    }
    let mut groups: Vec<Vec<String>> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            g.sort();
            g
        })
        .collect();
    groups.sort();
    (links.into_iter().collect(), groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(id: &str, email: Option<&str>, phone: Option<&str>, name: Option<&str>) -> ContactKeys {
        ContactKeys {
            source_id: id.into(),
            email: email.map(str::to_string),
            phone: phone.map(str::to_string),
            name: name.map(str::to_string),
        }
    }

    #[test]
    fn groups_are_connected_components() {
        let contacts = [
            keys("C3", Some("a@x.com"), None, None),
            keys("C1", Some("a@x.com"), Some("+1555"), None),
            keys("C2", None, Some("+1555"), None),
            keys("C4", None, None, Some("person:jane doe")),
            keys("C5", None, None, Some("person:jane doe")),
            keys("C6", None, None, Some("person:john roe")),
        ];
        let (links, groups) = detect(&contacts);
        assert_eq!(
            groups,
            vec![
                vec!["C1".to_string(), "C2".into(), "C3".into()],
                vec!["C4".into(), "C5".into()]
            ]
        );
        assert_eq!(links.len(), 3);
    }
}
