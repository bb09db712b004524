//! Candidate pairs: contacts that share at least one blocking key. Each key is a value or a
//! combination of values that a duplicate is likely to keep even when it has typos elsewhere;
//! a key held by more than `max_block` contacts makes no block, since a value that common
//! says little and would make the pairs explode. A loose key (a city and a street's first
//! letters, a name's first letters) stops at a quarter of that: in a town-sized export it
//! would pair everyone on Main Street, while the keys that matter there are the exact ones.

use std::hash::{DefaultHasher, Hash, Hasher};

use super::table::{Col, Table, NONE};

#[derive(Debug, Clone, Copy, Hash)]
enum Key {
    Email,
    Phone,
    Birth,
    Names,
    NamePrefixes,
    FamilyBirthYear,
    GivenBirthYear,
    FamilyPostcode,
    GivenPostcode,
    FamilyCity,
    NumberPostcode,
    NumberStreet,
    CityStreet,
    CityStreetWords,
    PostcodeStreetWords,
    Organisation,
    OrganisationPrefix,
}

impl Key {
    fn loose(self) -> bool {
        matches!(
            self,
            Key::NamePrefixes
                | Key::FamilyCity
                | Key::CityStreet
                | Key::CityStreetWords
                | Key::PostcodeStreetWords
                | Key::OrganisationPrefix
        )
    }
}

/// The top bit of a key's hash says that it is loose.
const LOOSE: u64 = 1 << 63;

fn prefix(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

/// A value a key is made of.
#[derive(Clone, Copy)]
enum Part<'a> {
    Value(u32),
    Text(&'a str),
}

impl Part<'_> {
    /// For keys whose parts count in either order (text, whose values compare across
    /// columns).
    fn order(&self) -> &str {
        match self {
            Part::Value(_) => "",
            Part::Text(s) => s,
        }
    }
}

/// Two parts in one order whichever way round they come.
fn either<'a>(a: Option<Part<'a>>, b: Option<Part<'a>>) -> [Option<Part<'a>>; 2] {
    match (a, b) {
        (Some(x), Some(y)) if x.order() > y.order() => [Some(y), Some(x)],
        _ => [a, b],
    }
}

/// The contact's blocking keys, hashed.
fn keys(t: &Table, i: usize, out: &mut Vec<u64>) {
    let value = |c: Col| Some(t.col(c).id(i)).filter(|&v| v != NONE).map(Part::Value);
    let text = |c: Col, n: usize| t.col(c).get(i).map(|(_, s)| Part::Text(prefix(s, n)));
    let mut put = |key: Key, parts: &[Option<Part>]| {
        if parts.iter().all(Option::is_some) {
            let mut h = DefaultHasher::new();
            key.hash(&mut h);
            for p in parts.iter().flatten() {
                match p {
                    Part::Value(v) => h.write_u32(*v),
                    Part::Text(s) => {
                        h.write(s.as_bytes());
                        h.write_u8(0xff);
                    }
                }
            }
            let loose = if key.loose() { LOOSE } else { 0 };
            out.push((h.finish() & !LOOSE) | loose);
        }
    };
    let (given, family) = (value(Col::Given), value(Col::Family));
    let (postcode, city, number) = (value(Col::Postcode), value(Col::City), value(Col::Number));
    let year = text(Col::Birth, 4);
    // The street by its start, and by its words sorted (two address lines swapped).
    let (street, words) = (text(Col::Street, 4), text(Col::StreetSorted, 4));
    put(Key::Email, &[value(Col::Email)]);
    put(Key::Phone, &[value(Col::Phone)]);
    put(Key::NumberPostcode, &[number, postcode]);
    put(Key::NumberStreet, &[number, street]);
    put(Key::CityStreet, &[city, street]);
    put(Key::CityStreetWords, &[city, words]);
    put(Key::PostcodeStreetWords, &[postcode, words]);
    if t.organisation[i] {
        put(Key::Organisation, &[value(Col::Organisation)]);
        put(Key::OrganisationPrefix, &[text(Col::Organisation, 5)]);
        return;
    }
    put(Key::Birth, &[value(Col::Birth)]);
    // The two names in either order, whole and by their first letters.
    let whole = |c: Col| t.col(c).get(i).map(|(_, s)| Part::Text(s));
    put(Key::Names, &either(whole(Col::Given), whole(Col::Family)));
    put(
        Key::NamePrefixes,
        &either(text(Col::Given, 3), text(Col::Family, 3)),
    );
    put(Key::FamilyBirthYear, &[family, year]);
    put(Key::GivenBirthYear, &[given, year]);
    put(Key::FamilyPostcode, &[family, postcode]);
    put(Key::GivenPostcode, &[given, postcode]);
    put(Key::FamilyCity, &[family, city]);
}

/// Candidate pairs (i < j, both people or both organisations) from every block no larger
/// than `max_block`, sorted.
pub(super) fn candidates(t: &Table, max_block: usize) -> Vec<(u32, u32)> {
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(t.len * 8);
    let mut buf = Vec::new();
    for i in 0..t.len {
        buf.clear();
        keys(t, i, &mut buf);
        keyed.extend(buf.iter().map(|&k| (k, i as u32)));
    }
    keyed.sort_unstable();
    let mut pairs: Vec<u64> = Vec::new();
    for block in keyed.chunk_by(|a, b| a.0 == b.0) {
        let most = if block[0].0 & LOOSE != 0 {
            max_block / 4
        } else {
            max_block
        };
        if block.len() < 2 || block.len() > most {
            continue;
        }
        for (n, &(_, a)) in block.iter().enumerate() {
            for &(_, b) in &block[n + 1..] {
                if a != b && t.organisation[a as usize] == t.organisation[b as usize] {
                    let (x, y) = (a.min(b), a.max(b));
                    pairs.push((u64::from(x) << 32) | u64::from(y));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .collect()
}
