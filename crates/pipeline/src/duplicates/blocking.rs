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

impl Key {
    const ALL: [Key; 17] = [
        Key::Email,
        Key::Phone,
        Key::Birth,
        Key::Names,
        Key::NamePrefixes,
        Key::FamilyBirthYear,
        Key::GivenBirthYear,
        Key::FamilyPostcode,
        Key::GivenPostcode,
        Key::FamilyCity,
        Key::NumberPostcode,
        Key::NumberStreet,
        Key::CityStreet,
        Key::CityStreetWords,
        Key::PostcodeStreetWords,
        Key::Organisation,
        Key::OrganisationPrefix,
    ];

    /// Keys an organisation has; a person has every other.
    fn of_organisations(self) -> bool {
        matches!(self, Key::Organisation | Key::OrganisationPrefix)
    }

    /// Keys people and organisations both have.
    fn shared(self) -> bool {
        matches!(
            self,
            Key::Email
                | Key::Phone
                | Key::NumberPostcode
                | Key::NumberStreet
                | Key::CityStreet
                | Key::CityStreetWords
                | Key::PostcodeStreetWords
        )
    }
}

/// The key hashed from its parts, when the contact has them all.
fn hash(key: Key, parts: &[Option<Part>]) -> Option<u64> {
    if !parts.iter().all(Option::is_some) {
        return None;
    }
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
    Some((h.finish() & !LOOSE) | loose)
}

/// The contact's blocking key of this kind, hashed.
fn key(t: &Table, i: usize, key: Key) -> Option<u64> {
    let organisation = t.organisation[i];
    if !key.shared() && key.of_organisations() != organisation {
        return None;
    }
    let value = |c: Col| Some(t.col(c).id(i)).filter(|&v| v != NONE).map(Part::Value);
    let text = |c: Col, n: usize| t.col(c).get(i).map(|(_, s)| Part::Text(prefix(s, n)));
    let whole = |c: Col| t.col(c).get(i).map(|(_, s)| Part::Text(s));
    let year = || text(Col::Birth, 4);
    // The street by its start, and by its words sorted (two address lines swapped).
    let (street, words) = (|| text(Col::Street, 4), || text(Col::StreetSorted, 4));
    match key {
        Key::Email => hash(key, &[value(Col::Email)]),
        Key::Phone => hash(key, &[value(Col::Phone)]),
        Key::NumberPostcode => hash(key, &[value(Col::Number), value(Col::Postcode)]),
        Key::NumberStreet => hash(key, &[value(Col::Number), street()]),
        Key::CityStreet => hash(key, &[value(Col::City), street()]),
        Key::CityStreetWords => hash(key, &[value(Col::City), words()]),
        Key::PostcodeStreetWords => hash(key, &[value(Col::Postcode), words()]),
        Key::Organisation => hash(key, &[value(Col::Organisation)]),
        Key::OrganisationPrefix => hash(key, &[text(Col::Organisation, 5)]),
        Key::Birth => hash(key, &[value(Col::Birth)]),
        // The two names in either order, whole and by their first letters.
        Key::Names => hash(key, &either(whole(Col::Given), whole(Col::Family))),
        Key::NamePrefixes => hash(key, &either(text(Col::Given, 3), text(Col::Family, 3))),
        Key::FamilyBirthYear => hash(key, &[value(Col::Family), year()]),
        Key::GivenBirthYear => hash(key, &[value(Col::Given), year()]),
        Key::FamilyPostcode => hash(key, &[value(Col::Family), value(Col::Postcode)]),
        Key::GivenPostcode => hash(key, &[value(Col::Given), value(Col::Postcode)]),
        Key::FamilyCity => hash(key, &[value(Col::Family), value(Col::City)]),
    }
}

/// Adds the sorted pairs `more` to the sorted `pairs`, each pair once, in place: the pairs
/// of a large export are held once, not copied into a merged list.
fn merge(pairs: &mut Vec<(u32, u32)>, more: &[(u32, u32)]) {
    let fresh: Vec<(u32, u32)> = more
        .iter()
        .copied()
        .filter(|p| pairs.binary_search(p).is_err())
        .collect();
    let (mut old, mut new) = (pairs.len(), fresh.len());
    pairs.resize(old + new, (0, 0));
    // From the back, so that no pair is overwritten before it is moved.
    for slot in (0..pairs.len()).rev() {
        if new == 0 {
            break;
        }
        if old > 0 && pairs[old - 1] > fresh[new - 1] {
            pairs[slot] = pairs[old - 1];
            old -= 1;
        } else {
            pairs[slot] = fresh[new - 1];
            new -= 1;
        }
    }
}

/// Candidate pairs (i < j, both people or both organisations) from every block no larger
/// than `max_block`, sorted.
///
/// One kind of key at a time: the contacts' keys of one kind are sorted into blocks and
/// their pairs merged into the others', so a large export never holds every contact's every
/// key, nor a pair once per key that finds it.
pub(super) fn candidates(t: &Table, max_block: usize) -> Vec<(u32, u32)> {
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(t.len);
    let mut found: Vec<(u32, u32)> = Vec::new();
    for kind in Key::ALL {
        keyed.clear();
        keyed.extend((0..t.len).filter_map(|i| Some((key(t, i, kind)?, i as u32))));
        keyed.sort_unstable();
        found.clear();
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
                        found.push((a.min(b), a.max(b)));
                    }
                }
            }
        }
        found.sort_unstable();
        found.dedup();
        merge(&mut pairs, &found);
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_sorted_pairs_each_once() {
        let mut pairs = vec![(0, 1), (0, 5), (2, 3)];
        merge(&mut pairs, &[(0, 2), (0, 5), (4, 5)]);
        assert_eq!(pairs, vec![(0, 1), (0, 2), (0, 5), (2, 3), (4, 5)]);
        merge(&mut pairs, &[]);
        assert_eq!(pairs.len(), 5);
        let mut none = Vec::new();
        merge(&mut none, &[(1, 2)]);
        assert_eq!(none, vec![(1, 2)]);
    }
}
