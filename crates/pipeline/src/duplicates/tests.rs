use super::*;
use std::collections::{HashMap, HashSet};

fn person(id: &str, name: (&str, &str), email: &str, phone: &str, street: &str) -> Contact {
    Contact::person(
        id, name.0, name.1, email, phone, street, "10001", "New York", "",
    )
}

#[test]
fn people_sharing_only_a_common_name_are_not_grouped() {
    let contacts = [
        person(
            "C1",
            ("John", "Smith"),
            "jsmith@a.com",
            "2125550101",
            "1 Main St",
        ),
        person(
            "C2",
            ("john", "SMITH"),
            "john.smith@b.org",
            "2125550102",
            "9 Oak Ave",
        ),
        person(
            "C3",
            ("John", "Smith"),
            "smithj@c.net",
            "2125550103",
            "4 Elm Rd",
        ),
        // C1 typed in again: the same name and email, the phone in another style.
        person(
            "C4",
            ("JOHN ", "Smith"),
            "JSmith@a.com",
            "(212) 555-0101",
            "",
        ),
        person(
            "C5",
            ("Ada", "Jones"),
            "ada@d.com",
            "2125550104",
            "7 Pine St",
        ),
    ];
    let found = detect(contacts.iter().collect(), &Settings::default());
    assert_eq!(found.groups, vec![vec!["C1".to_string(), "C4".into()]]);
    assert!(found.suspicious.is_empty());
    let linked: Vec<(&str, &str)> = found
        .links
        .iter()
        .map(|l| (l.a.as_str(), l.b.as_str()))
        .collect();
    assert_eq!(linked, vec![("C1", "C4")], "{:#?}", found.links);
    let l = &found.links[0];
    let agree: Vec<&str> = l
        .evidence
        .iter()
        .filter(|e| e.outcome == "agree")
        .map(|e| e.field.as_str())
        .collect();
    assert!(
        agree.contains(&"email") && agree.contains(&"phone") && agree.contains(&"last_name"),
        "{agree:?}"
    );
    assert!(matches!(l.strongest(), "email" | "phone"), "{l:?}");
}

#[test]
fn a_typo_in_a_name_still_links_on_strong_evidence() {
    let contacts = [
        person(
            "C1",
            ("Katherine", "Oduya"),
            "k.oduya@x.com",
            "",
            "12 Harbor Way",
        ),
        person(
            "C2",
            ("Katherine", "Oduja"),
            "k.oduya@x.com",
            "",
            "12 Harbour Way",
        ),
        person("C3", ("Mark", "Peters"), "mp@y.com", "", "3 Hill St"),
    ];
    let found = detect(contacts.iter().collect(), &Settings::default());
    assert_eq!(found.groups, vec![vec!["C1".to_string(), "C2".into()]]);
}

#[test]
fn a_person_and_an_organisation_are_not_one_contact() {
    let mut org = person("C2", ("", ""), "info@acme.com", "2125550100", "1 Main St");
    org.is_organisation = true;
    org.organisation = Some("acme".into());
    let contacts = [
        person(
            "C1",
            ("Jane", "Acme"),
            "info@acme.com",
            "2125550100",
            "1 Main St",
        ),
        org,
    ];
    let found = detect(contacts.iter().collect(), &Settings::default());
    assert!(found.groups.is_empty(), "{:#?}", found.links);
}

/// A tiny deterministic generator for the scale test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FIRST: [&str; 12] = [
    "John", "Mary", "James", "Linda", "Robert", "Maria", "David", "Susan", "Michael", "Karen",
    "William", "Lisa",
];
const LAST: [&str; 12] = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Lopez",
    "Wilson",
];

/// 60,000 contacts: 54,000 people over 144 common names (about 375 people per name), half of
/// them at one of 400 offices whose phone and address they give; and 6,000 re-entries of
/// earlier people (same name, then their email or their phone, or both).
#[test]
fn sixty_thousand_contacts_with_common_names_and_office_phones() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut contacts: Vec<Contact> = Vec::with_capacity(60_000);
    // person index of each contact (re-entries share their original's)
    let mut who: Vec<usize> = Vec::with_capacity(60_000);
    let people = 54_000;
    for p in 0..people {
        let (f, l) = (FIRST[rng.below(12)], LAST[rng.below(12)]);
        let (phone, street) = if rng.below(2) == 0 {
            let office = rng.below(400);
            (
                format!("212{:07}", 1_000_000 + office),
                format!("{} Office Plaza", office + 1),
            )
        } else {
            (
                format!("646{:07}", p),
                format!("{} Home St Apt {}", p % 997 + 1, p),
            )
        };
        let email = format!("{}.{}.{p}@mail.example", f.to_lowercase(), l.to_lowercase());
        contacts.push(person(&format!("P{p:05}"), (f, l), &email, &phone, &street));
        who.push(p);
    }
    for r in 0..6_000 {
        let p = rng.below(people);
        let mut again = contacts[p].clone();
        again.id = format!("R{r:05}");
        match rng.below(3) {
            0 => again.phone = None,
            1 => again.email = None,
            _ => {}
        }
        if rng.below(2) == 0 {
            again.street = None;
        }
        contacts.push(again);
        who.push(p);
    }
    let found = detect(contacts.iter().collect(), &Settings::default());
    assert!(
        found.suspicious.is_empty(),
        "{} suspicious groups, the largest {}",
        found.suspicious.len(),
        found.suspicious.iter().map(Vec::len).max().unwrap_or(0)
    );
    assert!(found.groups.iter().all(|g| g.len() <= 5));
    let index: HashMap<&str, usize> = contacts
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    // No reported pair of two people who share only their name.
    for l in &found.links {
        let (a, b) = (index[l.a.as_str()], index[l.b.as_str()]);
        if who[a] != who[b] {
            let shares_more = l
                .evidence
                .iter()
                .any(|e| !e.field.ends_with("name") && e.outcome == "agree");
            assert!(shares_more, "two people linked on their name alone: {l:#?}");
        }
    }
    // Precision and recall of the grouped pairs against the truth.
    let mut right = 0usize;
    let mut grouped = 0usize;
    let mut together: HashSet<(usize, usize)> = HashSet::new();
    for g in &found.groups {
        for (n, a) in g.iter().enumerate() {
            for b in &g[n + 1..] {
                let (x, y) = (index[a.as_str()], index[b.as_str()]);
                together.insert((x.min(y), x.max(y)));
                grouped += 1;
                if who[x] == who[y] {
                    right += 1;
                }
            }
        }
    }
    let reported: HashSet<(usize, usize)> = found
        .links
        .iter()
        .map(|l| {
            let (x, y) = (index[l.a.as_str()], index[l.b.as_str()]);
            (x.min(y), x.max(y))
        })
        .collect();
    // Every true pair, by whether the two share something only one person has (an email, a
    // personal phone), only a common name and an office's phone (and address), or only the
    // name (two re-entries of one person, one giving the email, the other the phone).
    let mut of: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &p) in who.iter().enumerate() {
        of.entry(p).or_default().push(i);
    }
    let (mut personal, mut personal_grouped) = (0usize, 0usize);
    let (mut office, mut office_grouped, mut office_reported) = (0usize, 0usize, 0usize);
    let (mut name_only, mut name_only_grouped) = (0usize, 0usize);
    for members in of.values() {
        for (n, &x) in members.iter().enumerate() {
            for &y in &members[n + 1..] {
                let (a, b) = (&contacts[x], &contacts[y]);
                let shares_own = (a.email.is_some() && a.email == b.email)
                    || (a.phone.is_some()
                        && a.phone == b.phone
                        && a.phone.as_deref().is_some_and(|p| p.starts_with("646")));
                let pair = (x.min(y), x.max(y));
                if shares_own {
                    personal += 1;
                    personal_grouped += usize::from(together.contains(&pair));
                } else if a.phone.is_none() || a.phone != b.phone {
                    name_only += 1;
                    name_only_grouped += usize::from(together.contains(&pair));
                } else {
                    office += 1;
                    office_grouped += usize::from(together.contains(&pair));
                    office_reported += usize::from(reported.contains(&pair));
                }
            }
        }
    }
    let precision = right as f64 / grouped.max(1) as f64;
    let recall = (personal_grouped + office_grouped + name_only_grouped) as f64
        / (personal + office + name_only).max(1) as f64;
    eprintln!(
        "60,000 contacts: {} groups, {} pairs reported, grouped pairs precision {precision:.4} recall {recall:.4}; \
         sharing an email or a personal phone: {personal_grouped}/{personal} grouped; \
         sharing only a name and an office: {office_grouped}/{office} grouped, {office_reported} reported; \
         sharing only a name: {name_only_grouped}/{name_only} grouped (through a third entry)",
        found.groups.len(),
        found.links.len()
    );
    assert!(
        precision >= 0.99,
        "precision {precision} ({right}/{grouped})"
    );
    assert!(
        personal_grouped as f64 >= 0.99 * personal as f64,
        "{personal_grouped} of {personal} pairs sharing an email or a personal phone grouped"
    );
    // A re-entry that gives only a common name and an office's phone (and address) shared by
    // about 70 people is one of about 0.5 colleagues of that name there for each duplicate
    // expected: at even odds or below it is reported for review, not grouped.
    assert!(
        office_reported as f64 >= 0.95 * office as f64,
        "{office_reported} of {office} pairs sharing only a name and an office reported"
    );
}
