//! The contacts as columns of interned values: comparing two contacts is then comparing
//! numbers, and a value's rarity is one lookup. Built once per detection.

use std::collections::HashMap;

use super::Contact;

/// No value.
pub(super) const NONE: u32 = u32::MAX;

/// One field of every contact: each contact's value id, and each value's text and how many
/// contacts hold it.
#[derive(Default)]
pub(super) struct Column {
    ids: Vec<u32>,
    text: Vec<Box<str>>,
    count: Vec<u32>,
}

impl Column {
    #[cfg(test)]
    fn build<I: IntoIterator<Item = Option<String>>>(values: I) -> Column {
        let mut c = ColumnBuilder::default();
        for v in values {
            c.push(v);
        }
        c.finish()
    }

    /// The contact's value id, `NONE` when it has none.
    pub fn id(&self, i: usize) -> u32 {
        self.ids[i]
    }

    pub fn text(&self, id: u32) -> &str {
        &self.text[id as usize]
    }

    /// How many contacts hold the value.
    pub fn count(&self, id: u32) -> u32 {
        self.count[id as usize]
    }

    /// The contact's value, when it has one.
    pub fn get(&self, i: usize) -> Option<(u32, &str)> {
        let id = self.ids[i];
        (id != NONE).then(|| (id, self.text(id)))
    }
}

/// A column being built one contact at a time. Each distinct value's text is held once,
/// as the key of the index, and moved into the column's list when it is finished: the
/// contacts of a large export are never all in memory at once, only their values.
#[derive(Default)]
struct ColumnBuilder {
    ids: Vec<u32>,
    count: Vec<u32>,
    index: HashMap<Box<str>, u32>,
}

impl ColumnBuilder {
    /// The next contact's value; returns its value id (`NONE` when it has none).
    fn push(&mut self, v: Option<String>) -> u32 {
        let id = match v {
            None => NONE,
            Some(v) if v.is_empty() => NONE,
            Some(v) => match self.index.get(v.as_str()) {
                Some(&id) => id,
                None => {
                    let id = self.count.len() as u32;
                    self.count.push(0);
                    self.index.insert(v.into_boxed_str(), id);
                    id
                }
            },
        };
        if let Some(n) = self.count.get_mut(id as usize) {
            *n += 1;
        }
        self.ids.push(id);
        id
    }

    fn finish(mut self) -> Column {
        // Grown one contact at a time, the list may hold twice the room it needs.
        self.ids.shrink_to_fit();
        let mut text: Vec<Box<str>> = vec![Box::default(); self.count.len()];
        for (v, id) in self.index {
            if let Some(slot) = text.get_mut(id as usize) {
                *slot = v;
            }
        }
        Column {
            ids: self.ids,
            text,
            count: self.count,
        }
    }
}

/// The columns the matcher compares. Text is compacted (no spaces), so "Mary Ann" and
/// "Maryann", or "Ashfi eld" and "Ashfield", are one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Col {
    Given,
    Family,
    Organisation,
    Email,
    Phone,
    /// The street line's numbers (house, unit), in order.
    Number,
    /// The street line's words, in order.
    Street,
    /// The street line's words, sorted: the same words written in another order.
    StreetSorted,
    Postcode,
    City,
    /// Postcode and city together: how rare a locality is when the two go together.
    Place,
    Birth,
    /// The street line's numbers and words together.
    Address,
}

const COLS: usize = 13;

/// The ways of being reached that an office or a household shares: agreeing on several of
/// them is one fact (the office's phone and address), weighed by how rare the combination is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Reach {
    Email = 1,
    Phone = 2,
    Address = 4,
}

pub(super) const REACH: [(Reach, Col); 3] = [
    (Reach::Email, Col::Email),
    (Reach::Phone, Col::Phone),
    (Reach::Address, Col::Address),
];

pub(super) struct Table {
    pub len: usize,
    pub organisation: Vec<bool>,
    columns: [Column; COLS],
    /// How many contacts hold each combination of two or more ways of being reached, by
    /// (the set of them, their value ids).
    together: HashMap<(u8, [u32; 3]), u32>,
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| *c != ' ').collect()
}

/// A street line's numbers and its words (without the unit marker).
fn street_parts(s: &str) -> (Option<String>, Option<String>, Option<String>) {
    let mut numbers = Vec::new();
    let mut words = Vec::new();
    for t in s.split(' ').filter(|t| !t.is_empty() && *t != "#") {
        if t.bytes().any(|b| b.is_ascii_digit()) {
            numbers.push(t);
        } else {
            words.push(t);
        }
    }
    let joined = words.concat();
    words.sort_unstable();
    let sorted = words.concat();
    let some = |s: String| (!s.is_empty()).then_some(s);
    (some(numbers.join(" ")), some(joined), some(sorted))
}

/// A table being built one contact at a time (see `ColumnBuilder`).
#[derive(Default)]
pub(super) struct TableBuilder {
    organisation: Vec<bool>,
    columns: [ColumnBuilder; COLS],
    together: HashMap<(u8, [u32; 3]), u32>,
}

impl TableBuilder {
    pub fn push(&mut self, c: &Contact) {
        let (numbers, words, sorted) = c.street.as_deref().map(street_parts).unwrap_or_default();
        let address = match (&numbers, &words) {
            (Some(n), Some(w)) => Some(format!("{n}|{w}")),
            _ => None,
        };
        let place = match (&c.postcode, &c.city) {
            (Some(p), Some(t)) => Some(format!("{p}|{}", compact(t))),
            _ => None,
        };
        let name = |s: &Option<String>| s.as_deref().map(compact);
        // In `Col` order.
        let values: [Option<String>; COLS] = [
            name(&c.first),
            name(&c.last),
            name(&c.organisation),
            c.email.clone(),
            c.phone.clone(),
            numbers,
            words,
            sorted,
            c.postcode.clone(),
            name(&c.city),
            place,
            c.birth.clone(),
            address,
        ];
        let mut ids = [NONE; COLS];
        for ((column, value), id) in self.columns.iter_mut().zip(values).zip(ids.iter_mut()) {
            *id = column.push(value);
        }
        self.organisation.push(c.is_organisation);
        let held: Vec<(Reach, u32)> = REACH
            .iter()
            .map(|&(r, col)| (r, ids[col as usize]))
            .filter(|&(_, id)| id != NONE)
            .collect();
        for subset in 1..(1u8 << held.len()) {
            if subset.count_ones() >= 2 {
                let parts: Vec<(Reach, u32)> = (0..held.len())
                    .filter(|b| subset & (1 << b) != 0)
                    .map(|b| held[b])
                    .collect();
                *self.together.entry(Table::key(&parts)).or_default() += 1;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.organisation.len()
    }

    pub fn finish(mut self) -> Table {
        // A combination one contact holds is what `Table::together` answers when it finds
        // none: only the shared ones are kept while the pairs are scored.
        self.together.retain(|_, n| *n > 1);
        self.together.shrink_to_fit();
        Table {
            len: self.organisation.len(),
            organisation: self.organisation,
            columns: self.columns.map(ColumnBuilder::finish),
            together: self.together,
        }
    }
}

impl Table {
    #[cfg(test)]
    pub fn of(contacts: &[Contact]) -> Table {
        let mut t = TableBuilder::default();
        for c in contacts {
            t.push(c);
        }
        t.finish()
    }

    fn key(parts: &[(Reach, u32)]) -> (u8, [u32; 3]) {
        let mut ids = [NONE; 3];
        let mut set = 0;
        for (k, &(r, id)) in parts.iter().enumerate() {
            set |= r as u8;
            ids[k] = id;
        }
        (set, ids)
    }

    pub fn col(&self, c: Col) -> &Column {
        &self.columns[c as usize]
    }

    /// How many contacts hold contact `i`'s values of all these ways of being reached.
    pub fn together(&self, i: usize, ways: &[Reach]) -> u32 {
        let mut parts = [(Reach::Email, NONE); 3];
        let mut n = 0;
        for &(r, c) in &REACH {
            if ways.contains(&r) {
                parts[n] = (r, self.col(c).id(i));
                n += 1;
            }
        }
        self.together
            .get(&Table::key(&parts[..n]))
            .copied()
            .unwrap_or(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_street_line_into_numbers_and_words() {
        assert_eq!(
            street_parts("12 king st # 3"),
            (
                Some("12 3".into()),
                Some("kingst".into()),
                Some("kingst".into())
            )
        );
        assert_eq!(
            street_parts("rose scott circuit cordoba manor"),
            (
                None,
                Some("rosescottcircuitcordobamanor".into()),
                Some("circuitcordobamanorrosescott".into())
            )
        );
    }

    #[test]
    fn counts_each_value_once_per_contact() {
        let c = Column::build([Some("a".into()), None, Some("a".into()), Some("b".into())]);
        let a = c.id(0);
        assert_eq!((c.id(2), c.count(a), c.id(1)), (a, 2, NONE));
        assert_eq!(c.get(3).map(|(_, t)| t), Some("b"));
    }

    #[test]
    fn counts_ways_of_being_reached_held_together() {
        let office = |id: &str, email: &str| {
            Contact::person(id, "", "", email, "2125550100", "1 Main St", "", "", "")
        };
        let t = Table::of(&[
            office("a", "a@x.com"),
            office("b", "b@x.com"),
            office("c", "a@x.com"),
        ]);
        assert_eq!(t.together(0, &[Reach::Phone, Reach::Address]), 3);
        assert_eq!(t.together(0, &[Reach::Email, Reach::Phone]), 2);
        assert_eq!(t.together(1, &[Reach::Email, Reach::Address]), 1);
    }
}
