//! Duplicate contacts as scored pairs, in the spirit of Fellegi–Sunter.
//!
//! Candidate pairs come from blocking on several keys (email, phone, name, name prefixes,
//! birth date, street, postcode); a key held by more than `max_block` contacts makes no
//! block, since a value that common says little and would make the pairs explode. Each
//! candidate pair is scored field by field in bits (log2 of a likelihood ratio):
//!
//! - an agreement weighs log2(m·N/n), where n is how many of the N contacts hold the value:
//!   a shared personal email (n = 2) says a lot, a shared office phone or a common name
//!   (n in the hundreds) says little;
//! - a near agreement (a typo, a swapped day and month) weighs less than an exact one;
//! - a disagreement where both sides have a value counts against (strongly for names and
//!   birth dates, mildly for email, phone and address, which people have several of);
//! - the prior, −log2 N, says that a given other contact is rarely the same one.
//!
//! Pairs scoring at least `review` are reported with their evidence; only pairs at or above
//! `strong` link contacts into groups, and a group larger than `max_group` is reported as
//! suspicious rather than as one person.

pub mod febrl;

use std::collections::{BTreeMap, HashMap, HashSet};

use migrationai_domain::value::name::{normalise_name, organisation_key};
use migrationai_domain::Value;
use migrationai_ports::store::{ContactLink, LinkEvidence};
use strsim::jaro_winkler;

/// One contact as the matcher sees it: every value normalised, absent when empty.
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

    /// A loaded contact record's fields.
    pub fn from_fields(id: &str, fields: &BTreeMap<String, Value>) -> Contact {
        let text = |k: &str| match fields.get(k) {
            Some(Value::Text(s)) | Some(Value::Code(s)) => Some(s.clone()),
            _ => None,
        };
        let is_organisation = text("contact_type").as_deref() == Some("organization");
        let organisation = clean(
            text("organization")
                .or_else(|| is_organisation.then(|| text("full_name")).flatten())
                .map(|o| organisation_key(&o)),
        );
        let street = [text("address_line1"), text("address_line2")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        Contact {
            id: id.to_string(),
            is_organisation,
            first: clean(text("first_name").map(|s| normalise_name(&s))),
            last: clean(text("last_name").map(|s| normalise_name(&s))),
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

    /// The name a duplicate is matched on: "first last" of a person, the key of an
    /// organisation.
    fn name(&self) -> Option<String> {
        if self.is_organisation {
            return self.organisation.as_ref().map(|o| format!("org:{o}"));
        }
        match (&self.first, &self.last) {
            (None, None) => None,
            (f, l) => Some(format!(
                "{} {}",
                f.as_deref().unwrap_or(""),
                l.as_deref().unwrap_or("")
            )),
        }
    }

    fn address(&self) -> Option<String> {
        self.street
            .as_ref()
            .map(|s| format!("{s}|{}", self.postcode.as_deref().unwrap_or("")))
    }
}

fn normalise_street(s: &str) -> String {
    normalise_name(s)
        .split(' ')
        .map(street_word)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where the lines fall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Pairs at or above this many bits are reported for review.
    pub review: f64,
    /// Pairs at or above this many bits link contacts into groups.
    pub strong: f64,
    /// Groups larger than this are suspicious, not one person.
    pub max_group: usize,
    /// Blocking keys held by more contacts than this make no candidate pairs.
    pub max_block: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            review: 0.0,
            strong: 0.5,
            max_group: 5,
            max_block: 100,
        }
    }
}

/// What the detection found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// Pairs at or above the review line, by (a, b).
    pub links: Vec<ContactLink>,
    /// Groups of two to `max_group` contacts joined by strong links: ids sorted, groups
    /// sorted.
    pub groups: Vec<Vec<String>>,
    /// Groups of strong links larger than `max_group`: likely a shared value, not a person.
    pub suspicious: Vec<Vec<String>>,
}

/// How many contacts hold each value of each field.
#[derive(Default)]
struct Counts {
    n: f64,
    by: HashMap<Field, HashMap<String, u32>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Field {
    Name,
    First,
    Last,
    Email,
    Phone,
    Address,
    Postcode,
    City,
    Organisation,
    Birth,
}

impl Field {
    fn label(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::First => "first_name",
            Field::Last => "last_name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::Address => "address",
            Field::Postcode | Field::City => "locality",
            Field::Organisation => "organisation",
            Field::Birth => "birth_date",
        }
    }

    /// How often a true duplicate agrees on the field.
    fn m(self) -> f64 {
        match self {
            Field::Name | Field::First | Field::Last => 0.9,
            Field::Email | Field::Phone => 0.9,
            Field::Address => 0.8,
            Field::Postcode | Field::City => 0.85,
            Field::Organisation => 0.5,
            Field::Birth => 0.95,
        }
    }

    /// Bits against when both have a value and the values differ.
    fn disagreement(self) -> f64 {
        match self {
            Field::Name => -4.5,
            Field::First => -3.0,
            Field::Last => -4.0,
            Field::Email => -6.0,
            Field::Phone => -3.0,
            Field::Address | Field::Postcode | Field::City => -1.0,
            Field::Organisation => 0.0,
            Field::Birth => -4.5,
        }
    }
}

/// Frequencies are read as if there were at least this many contacts: in a handful of
/// contacts every value is "rare", which says nothing about how rare it really is.
const MIN_POPULATION: f64 = 1_000.0;

/// A near agreement weighs this many bits less than an exact one.
const NEAR: f64 = 3.0;
/// Jaro–Winkler similarity at which two names or streets count as near.
const NEAR_TEXT: f64 = 0.9;

impl Counts {
    fn of(contacts: &[Contact]) -> Counts {
        let mut c = Counts {
            n: (contacts.len() as f64).max(MIN_POPULATION),
            by: HashMap::new(),
        };
        for x in contacts {
            for (f, v) in values(x) {
                *c.by.entry(f).or_default().entry(v).or_default() += 1;
            }
        }
        c
    }

    /// Bits for agreeing on `value` of `field`: log2(m·N/n), never below half a bit.
    fn agree(&self, field: Field, value: &str) -> f64 {
        let n = self
            .by
            .get(&field)
            .and_then(|m| m.get(value))
            .copied()
            .unwrap_or(1)
            .max(1) as f64;
        (field.m() * self.n / n).log2().max(0.5)
    }
}

/// The values counted for frequencies.
fn values(x: &Contact) -> Vec<(Field, String)> {
    let mut v = Vec::new();
    let mut put = |f: Field, s: Option<String>| {
        if let Some(s) = s {
            v.push((f, s));
        }
    };
    put(Field::Name, x.name());
    put(Field::First, x.first.clone());
    put(Field::Last, x.last.clone());
    put(Field::Email, x.email.clone());
    put(Field::Phone, x.phone.clone());
    put(Field::Address, x.address());
    put(Field::Postcode, x.postcode.clone());
    put(Field::City, x.city.clone());
    if !x.is_organisation {
        put(Field::Organisation, x.organisation.clone());
    }
    put(Field::Birth, x.birth.clone());
    v
}

fn prefix(s: &Option<String>, n: usize) -> Option<String> {
    s.as_ref().map(|s| s.chars().take(n).collect())
}

/// The blocking keys of a contact.
fn blocks(x: &Contact) -> Vec<String> {
    let mut keys = Vec::new();
    let mut put = |tag: &str, parts: &[Option<String>]| {
        if parts.iter().all(Option::is_some) {
            let joined: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
            keys.push(format!("{tag}:{}", joined.join("|")));
        }
    };
    put("email", std::slice::from_ref(&x.email));
    put("phone", std::slice::from_ref(&x.phone));
    put("name", &[x.name()]);
    put("birth", std::slice::from_ref(&x.birth));
    put("address", &[x.address()]);
    if !x.is_organisation {
        put("last3first1", &[prefix(&x.last, 3), prefix(&x.first, 1)]);
        put("first3last1", &[prefix(&x.first, 3), prefix(&x.last, 1)]);
        put("postcodefirst1", &[x.postcode.clone(), prefix(&x.first, 1)]);
        put("postcodelast1", &[x.postcode.clone(), prefix(&x.last, 1)]);
        put(
            "birthmonthfirst1",
            &[prefix(&x.birth, 7), prefix(&x.first, 1)],
        );
        put(
            "birthmonthlast1",
            &[prefix(&x.birth, 7), prefix(&x.last, 1)],
        );
        let number = x
            .street
            .as_ref()
            .and_then(|s| s.split(' ').next().map(str::to_string));
        put("streetnumberpostcode", &[number, x.postcode.clone()]);
    } else {
        put("org4", &[prefix(&x.organisation, 4)]);
    }
    keys
}

/// Candidate pairs (i < j) from every block no larger than `max_block`.
fn candidates(contacts: &[Contact], max_block: usize) -> Vec<(u32, u32)> {
    let mut by_key: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, x) in contacts.iter().enumerate() {
        for k in blocks(x) {
            by_key.entry(k).or_default().push(i as u32);
        }
    }
    let mut pairs: HashSet<(u32, u32)> = HashSet::new();
    for members in by_key.values() {
        if members.len() < 2 || members.len() > max_block {
            continue;
        }
        for (n, &a) in members.iter().enumerate() {
            for &b in &members[n + 1..] {
                if a != b {
                    pairs.insert((a.min(b), a.max(b)));
                }
            }
        }
    }
    let mut pairs: Vec<(u32, u32)> = pairs.into_iter().collect();
    pairs.sort_unstable();
    pairs
}

/// Two dates near enough to be one typed twice: two keystrokes apart at most, or day and
/// month swapped.
fn near_date(a: &str, b: &str) -> bool {
    let parts = |s: &str| -> Vec<String> { s.split('-').map(str::to_string).collect() };
    let (p, q) = (parts(a), parts(b));
    if p.len() == 3 && q.len() == 3 && p[0] == q[0] && p[1] == q[2] && p[2] == q[1] {
        return true;
    }
    strsim::damerau_levenshtein(a, b) <= 2
}

fn near_text(a: &str, b: &str) -> bool {
    jaro_winkler(a, b) >= NEAR_TEXT
}

/// Streets are near when their numbers (house, apartment) are the same and the words are
/// near: "12 King St Apt 3" and "12 King St Apt 4" are two homes, not a typo.
fn near_street(a: &str, b: &str) -> bool {
    let numbers = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_ascii_digit())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    };
    numbers(a) == numbers(b) && near_text(a, b)
}

/// One field's part in a score, before it is kept (most pairs are not).
struct Piece {
    field: &'static str,
    outcome: &'static str,
    weight: f64,
}

struct Scorer<'a> {
    counts: &'a Counts,
    evidence: Vec<Piece>,
}

impl Scorer<'_> {
    fn add(&mut self, field: Field, outcome: &'static str, weight: f64) {
        self.evidence.push(Piece {
            field: field.label(),
            outcome,
            weight: (weight * 100.0).round() / 100.0,
        });
    }

    /// Exact, near or different values of one field; nothing when either is missing.
    fn compare(&mut self, field: Field, a: &Option<String>, b: &Option<String>, near: bool) {
        let (Some(x), Some(y)) = (a, b) else {
            return;
        };
        if x == y {
            let w = self.counts.agree(field, x);
            self.add(field, "agree", w);
        } else if near && near_text(x, y) {
            let w = self.counts.agree(field, x).min(self.counts.agree(field, y)) - NEAR;
            self.add(field, "similar", w.max(0.5));
        } else {
            self.add(field, "disagree", field.disagreement());
        }
    }

    fn names(&mut self, x: &Contact, y: &Contact) {
        if x.is_organisation != y.is_organisation {
            self.add(Field::Name, "disagree", -6.0);
            return;
        }
        let (Some(a), Some(b)) = (x.name(), y.name()) else {
            return;
        };
        if a == b {
            let w = self.counts.agree(Field::Name, &a);
            self.add(Field::Name, "agree", w);
            return;
        }
        let weight = |s: &Self| {
            s.counts
                .agree(Field::Name, &a)
                .min(s.counts.agree(Field::Name, &b))
        };
        if x.is_organisation {
            if near_text(&a, &b) {
                let w = weight(self) - NEAR;
                self.add(Field::Name, "similar", w.max(0.5));
            } else {
                self.add(Field::Name, "disagree", Field::Name.disagreement());
            }
            return;
        }
        // A person: the given and family names weigh apart, so a typo or a nickname in one
        // leaves the other's evidence; the two written the other way round count as near.
        let near = |p: &Option<String>, q: &Option<String>| match (p, q) {
            (Some(p), Some(q)) => p == q || near_text(p, q),
            _ => false,
        };
        if near(&x.first, &y.last) && near(&x.last, &y.first) && !near(&x.first, &y.first) {
            let w = weight(self) - NEAR;
            self.add(Field::Name, "similar", w.max(0.5));
            return;
        }
        self.part(Field::Last, &x.last, &y.last);
        self.part(Field::First, &x.first, &y.first);
    }

    /// One part of a person's name: exact, near (a typo), an initial, or different.
    fn part(&mut self, field: Field, a: &Option<String>, b: &Option<String>) {
        let (Some(p), Some(q)) = (a, b) else {
            return;
        };
        let initial = (p.chars().count() == 1 || q.chars().count() == 1)
            && p.chars().next() == q.chars().next();
        if p == q {
            let w = self.counts.agree(field, p);
            self.add(field, "agree", w);
        } else if near_text(p, q) {
            let w = self.counts.agree(field, p).min(self.counts.agree(field, q)) - NEAR;
            self.add(field, "similar", w.max(0.5));
        } else if initial {
            self.add(field, "similar", 0.5);
        } else {
            self.add(field, "disagree", field.disagreement());
        }
    }

    fn address(&mut self, x: &Contact, y: &Contact) {
        let street_agrees = match (&x.street, &y.street) {
            (Some(a), Some(b)) => a == b || near_street(a, b),
            _ => false,
        };
        if street_agrees && x.postcode == y.postcode {
            match (x.address(), y.address()) {
                (Some(a), Some(b)) if a == b => {
                    let w = self.counts.agree(Field::Address, &a);
                    self.add(Field::Address, "agree", w);
                }
                (Some(a), Some(_)) => {
                    let w = self.counts.agree(Field::Address, &a) - NEAR;
                    self.add(Field::Address, "similar", w.max(0.5));
                }
                _ => {}
            }
            return;
        }
        match (&x.street, &y.street) {
            (Some(a), Some(b)) if a != b && near_street(a, b) => {
                let w = self.counts.agree(Field::Address, &format!("{a}|")) - NEAR;
                self.add(Field::Address, "similar", w.max(0.5));
            }
            _ => self.compare(Field::Address, &x.street, &y.street, false),
        }
        // The locality stands in for (or adds to) a street that differs or is missing.
        if x.postcode.is_some() && y.postcode.is_some() {
            self.compare(Field::Postcode, &x.postcode, &y.postcode, false);
        } else {
            self.compare(Field::City, &x.city, &y.city, true);
        }
    }

    fn birth(&mut self, x: &Contact, y: &Contact) {
        let (Some(a), Some(b)) = (&x.birth, &y.birth) else {
            return;
        };
        if a == b {
            let w = self.counts.agree(Field::Birth, a);
            self.add(Field::Birth, "agree", w);
        } else if near_date(a, b) {
            let w = self.counts.agree(Field::Birth, a) - NEAR;
            self.add(Field::Birth, "similar", w.max(0.5));
        } else {
            self.add(Field::Birth, "disagree", Field::Birth.disagreement());
        }
    }
}

/// The pair's score in bits and its evidence, strongest first.
fn score(counts: &Counts, x: &Contact, y: &Contact) -> (f64, Vec<Piece>) {
    let mut s = Scorer {
        counts,
        evidence: Vec::new(),
    };
    s.names(x, y);
    s.compare(Field::Email, &x.email, &y.email, false);
    s.compare(Field::Phone, &x.phone, &y.phone, false);
    s.address(x, y);
    if !x.is_organisation && !y.is_organisation {
        if let (Some(a), Some(b)) = (&x.organisation, &y.organisation) {
            if a == b {
                let w = counts.agree(Field::Organisation, a);
                s.add(Field::Organisation, "agree", w);
            }
        }
    }
    s.birth(x, y);
    // A phone and an address that both agree are often one fact (an office's number and
    // its address): the smaller of the two counts half.
    let agreeing = |f: &str| {
        s.evidence
            .iter()
            .position(|e| e.field == f && e.outcome != "disagree")
    };
    if let (Some(p), Some(a)) = (agreeing("phone"), agreeing("address")) {
        let smaller = if s.evidence[p].weight < s.evidence[a].weight {
            p
        } else {
            a
        };
        s.evidence[smaller].weight = (s.evidence[smaller].weight * 50.0).round() / 100.0;
    }
    let prior = -counts.n.log2();
    let total: f64 = prior + s.evidence.iter().map(|e| e.weight).sum::<f64>();
    let mut evidence = s.evidence;
    evidence.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
    ((total * 100.0).round() / 100.0, evidence)
}

/// One scored candidate pair; its evidence is kept only at or above the review line.
pub struct Scored {
    pub i: u32,
    pub j: u32,
    pub score: f64,
    /// Evidence that the two are different: a name, email, phone or birth date that
    /// differs, in a pair that is not strongly linked anyway.
    pub contradicts: bool,
    pub evidence: Vec<LinkEvidence>,
}

/// Every candidate pair scored, in (i, j) order. Pairs are many (millions in a large
/// export), so each is a few numbers unless it is worth reporting.
pub fn scored_pairs(contacts: &[Contact], settings: &Settings) -> Vec<Scored> {
    let counts = Counts::of(contacts);
    candidates(contacts, settings.max_block)
        .into_iter()
        .filter(|&(i, j)| contacts[i as usize].id != contacts[j as usize].id)
        .map(|(i, j)| {
            let (score, pieces) = score(&counts, &contacts[i as usize], &contacts[j as usize]);
            let contradicts = score < settings.strong
                && pieces.iter().any(|e| {
                    e.outcome == "disagree"
                        && matches!(
                            e.field,
                            "name" | "first_name" | "last_name" | "email" | "phone" | "birth_date"
                        )
                });
            let evidence = if score >= settings.review {
                pieces
                    .into_iter()
                    .map(|p| LinkEvidence {
                        field: p.field.to_string(),
                        outcome: p.outcome.to_string(),
                        weight: p.weight,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Scored {
                i,
                j,
                score,
                contradicts,
                evidence,
            }
        })
        .collect()
}

fn root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Scores the contacts' candidate pairs and forms groups from the strong ones.
///
/// A strong link is kept for grouping only when it is unambiguous: a contact strongly like
/// two others that contradict each other (two colleagues of one name at one office, and a
/// re-entry giving only the name and the office phone) could be either, so it joins neither.
/// Links are then merged strongest first, never joining two groups between which a pair
/// contradicts, and never a person with an organisation.
pub fn detect(contacts: &[Contact], settings: &Settings) -> Found {
    let pairs = scored_pairs(contacts, settings);
    let contradiction: HashSet<(u32, u32)> = pairs
        .iter()
        .filter(|p| p.contradicts)
        .map(|p| (p.i, p.j))
        .collect();
    let contradicts = |a: u32, b: u32| contradiction.contains(&(a.min(b), a.max(b)));
    let strong: Vec<&Scored> = pairs
        .iter()
        .filter(|p| {
            p.score >= settings.strong
                && contacts[p.i as usize].is_organisation == contacts[p.j as usize].is_organisation
        })
        .collect();
    let mut adjacent: HashMap<u32, Vec<u32>> = HashMap::new();
    for p in &strong {
        adjacent.entry(p.i).or_default().push(p.j);
        adjacent.entry(p.j).or_default().push(p.i);
    }
    let ambiguous = |a: u32, b: u32| {
        adjacent
            .get(&a)
            .is_some_and(|ks| ks.iter().any(|&k| k != b && contradicts(b, k)))
    };
    let mut kept: Vec<&Scored> = strong
        .into_iter()
        .filter(|p| !ambiguous(p.i, p.j) && !ambiguous(p.j, p.i))
        .collect();
    kept.sort_by(|x, y| {
        y.score
            .total_cmp(&x.score)
            .then((x.i, x.j).cmp(&(y.i, y.j)))
    });
    let mut parent: Vec<usize> = (0..contacts.len()).collect();
    let mut members: HashMap<usize, Vec<u32>> = HashMap::new();
    for p in kept {
        let (ri, rj) = (
            root(&mut parent, p.i as usize),
            root(&mut parent, p.j as usize),
        );
        if ri == rj {
            continue;
        }
        let side = |members: &HashMap<usize, Vec<u32>>, r: usize| {
            members.get(&r).cloned().unwrap_or_else(|| vec![r as u32])
        };
        let (a, b) = (side(&members, ri), side(&members, rj));
        if a.iter().any(|&x| b.iter().any(|&y| contradicts(x, y))) {
            continue;
        }
        let (keep, gone) = (ri.min(rj), ri.max(rj));
        parent[gone] = keep;
        members.remove(&gone);
        let mut joined = a;
        joined.extend(b);
        members.insert(keep, joined);
    }
    let mut links: Vec<ContactLink> = pairs
        .into_iter()
        .filter(|p| p.score >= settings.review)
        .map(|p| {
            let (x, y) = (&contacts[p.i as usize].id, &contacts[p.j as usize].id);
            let (a, b) = if x < y { (x, y) } else { (y, x) };
            ContactLink {
                a: a.clone(),
                b: b.clone(),
                score: p.score,
                evidence: p.evidence,
            }
        })
        .collect();
    links.sort_by(|p, q| (&p.a, &p.b).cmp(&(&q.a, &q.b)));
    let mut by_root: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, c) in contacts.iter().enumerate() {
        let r = root(&mut parent, i);
        by_root.entry(r).or_default().push(c.id.clone());
    }
    let mut found = Found {
        links,
        ..Found::default()
    };
    for mut g in by_root.into_values().filter(|g| g.len() > 1) {
        g.sort();
        if g.len() > settings.max_group {
            found.suspicious.push(g);
        } else {
            found.groups.push(g);
        }
    }
    found.groups.sort();
    found.suspicious.sort();
    found
}

#[cfg(test)]
mod tests;
