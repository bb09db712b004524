//! How two contacts compare, field by field: each comparison puts the pair at one of a few
//! levels (exact, close, different...), or at none when either side has no value. The model
//! learns how often true duplicates and unrelated pairs reach each level.

use strsim::jaro_winkler;

use super::table::{Col, Table, NONE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Comparison {
    Given,
    Family,
    Organisation,
    Birth,
    Email,
    Phone,
    Number,
    Street,
    Locality,
}

pub(super) const COMPARISONS: usize = 9;

pub(super) const ALL: [Comparison; COMPARISONS] = [
    Comparison::Given,
    Comparison::Family,
    Comparison::Organisation,
    Comparison::Birth,
    Comparison::Email,
    Comparison::Phone,
    Comparison::Number,
    Comparison::Street,
    Comparison::Locality,
];

/// A pair's level in each comparison, `NULL` where either side has no value.
pub(super) type Vector = [u8; COMPARISONS];

pub(super) const NULL: u8 = u8::MAX;

/// The most levels any comparison has.
pub(super) const MAX_LEVELS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Agree,
    Similar,
    Disagree,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Agree => "agree",
            Outcome::Similar => "similar",
            Outcome::Disagree => "disagree",
        }
    }
}

/// One level of a comparison.
#[derive(Debug, Clone, Copy)]
pub(super) struct Level {
    pub outcome: Outcome,
    /// An agreement whose weight depends on how rare the shared value of this column is.
    pub rarity: Option<Col>,
    /// Where the model starts, and what it falls back on with little data: how often a true
    /// duplicate (`m`) and an unrelated pair (`u`) reach this level.
    pub m: f64,
    pub u: f64,
}

const fn agree(rarity: Col, m: f64, u: f64) -> Level {
    Level {
        outcome: Outcome::Agree,
        rarity: Some(rarity),
        m,
        u,
    }
}

const fn similar(m: f64, u: f64) -> Level {
    Level {
        outcome: Outcome::Similar,
        rarity: None,
        m,
        u,
    }
}

const fn differ(m: f64, u: f64) -> Level {
    Level {
        outcome: Outcome::Disagree,
        rarity: None,
        m,
        u,
    }
}

/// Jaro–Winkler similarity at which two names or streets are close (a typo) and at which they
/// are still alike (two typos, a shortened form).
const CLOSE: f64 = 0.92;
const ALIKE: f64 = 0.8;

/// The given name's levels, in order: exact, close, alike, an initial, written as the family
/// name (the two swapped), different.
const GIVEN: [Level; 6] = [
    agree(Col::Given, 0.85, 0.01),
    similar(0.05, 0.005),
    similar(0.02, 0.02),
    similar(0.02, 0.005),
    similar(0.01, 0.0005),
    differ(0.05, 0.96),
];
const GIVEN_SWAPPED: u8 = 4;
const FAMILY: [Level; 4] = [
    agree(Col::Family, 0.88, 0.005),
    similar(0.05, 0.005),
    similar(0.02, 0.02),
    differ(0.05, 0.97),
];
const ORGANISATION: [Level; 3] = [
    agree(Col::Organisation, 0.7, 0.01),
    similar(0.1, 0.01),
    differ(0.2, 0.98),
];
/// Exact, one keystroke (or day and month swapped), two keystrokes, different.
const BIRTH: [Level; 4] = [
    agree(Col::Birth, 0.9, 0.0005),
    similar(0.05, 0.005),
    similar(0.02, 0.01),
    differ(0.03, 0.98),
];
/// Exact, one keystroke apart, different.
const EMAIL: [Level; 3] = [
    agree(Col::Email, 0.94, 0.0005),
    similar(0.03, 0.0005),
    differ(0.03, 0.999),
];
const PHONE: [Level; 3] = [
    agree(Col::Phone, 0.85, 0.001),
    similar(0.03, 0.001),
    differ(0.12, 0.998),
];
const NUMBER: [Level; 2] = [agree(Col::Number, 0.9, 0.02), differ(0.1, 0.98)];
/// Exact, close (or the same words in another order), alike, different.
const STREET: [Level; 4] = [
    agree(Col::Street, 0.8, 0.005),
    similar(0.1, 0.005),
    similar(0.04, 0.02),
    differ(0.06, 0.97),
];
/// Postcode and city both, the postcode alone, the city alone, one of them a keystroke away
/// (or the city close), different.
const LOCALITY: [Level; 5] = [
    agree(Col::Place, 0.85, 0.005),
    agree(Col::Postcode, 0.04, 0.001),
    agree(Col::City, 0.04, 0.02),
    similar(0.03, 0.01),
    differ(0.04, 0.96),
];

impl Comparison {
    pub fn levels(self) -> &'static [Level] {
        match self {
            Comparison::Given => &GIVEN,
            Comparison::Family => &FAMILY,
            Comparison::Organisation => &ORGANISATION,
            Comparison::Birth => &BIRTH,
            Comparison::Email => &EMAIL,
            Comparison::Phone => &PHONE,
            Comparison::Number => &NUMBER,
            Comparison::Street => &STREET,
            Comparison::Locality => &LOCALITY,
        }
    }

    /// The field an evidence line names.
    pub fn label(self, level: u8) -> &'static str {
        match self {
            Comparison::Given if level == GIVEN_SWAPPED => "name",
            Comparison::Given => "first_name",
            Comparison::Family => "last_name",
            Comparison::Organisation => "organisation",
            Comparison::Birth => "birth_date",
            Comparison::Email => "email",
            Comparison::Phone => "phone",
            Comparison::Number => "street_number",
            Comparison::Street => "street",
            Comparison::Locality => "locality",
        }
    }

    /// A different value here says the two are different people, not one typed twice.
    pub fn identifies(self) -> bool {
        matches!(
            self,
            Comparison::Given
                | Comparison::Family
                | Comparison::Organisation
                | Comparison::Birth
                | Comparison::Email
                | Comparison::Phone
        )
    }

    pub fn different(self) -> u8 {
        (self.levels().len() - 1) as u8
    }
}

/// At most one edit apart: a character added, dropped, changed, or two neighbours swapped.
pub(super) fn one_edit(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let head = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        let tail = |from: usize| short[from..] == long[from..];
        head == short.len()
            || tail(head + 1)
            || (head + 1 < short.len()
                && short[head] == long[head + 1]
                && short[head + 1] == long[head]
                && tail(head + 2))
    } else {
        short[head..] == long[head + 1..]
    }
}

/// Two ISO dates that are one typed twice: one keystroke apart, or day and month swapped.
fn date_typo(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let swapped = x.len() == 10
        && y.len() == 10
        && x[..5] == y[..5]
        && x[5..7] == y[8..10]
        && x[8..10] == y[5..7];
    swapped || one_edit(a, b)
}

/// Two dates two changed digits apart.
fn date_near(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() <= 2
}

fn alike(a: &str, b: &str) -> f64 {
    jaro_winkler(a, b)
}

/// One side's value: its id and its text.
type Held<'a> = (u32, &'a str);

struct Pair<'a> {
    t: &'a Table,
    i: usize,
    j: usize,
}

impl Pair<'_> {
    fn values(&self, c: Col) -> Option<(Held<'_>, Held<'_>)> {
        let col = self.t.col(c);
        Some((col.get(self.i)?, col.get(self.j)?))
    }

    fn same(&self, c: Col) -> bool {
        let col = self.t.col(c);
        let a = col.id(self.i);
        a != NONE && a == col.id(self.j)
    }

    /// Exact, close, alike or different, by Jaro–Winkler; `None` without both values.
    fn text(&self, c: Col) -> Option<(u8, f64)> {
        let ((x, a), (y, b)) = self.values(c)?;
        if x == y {
            return Some((0, 1.0));
        }
        let s = alike(a, b);
        Some((
            if s >= CLOSE {
                1
            } else if s >= ALIKE {
                2
            } else {
                3
            },
            s,
        ))
    }

    fn names(&self, v: &mut Vector) {
        let given = self.text(Col::Given);
        let family = self.text(Col::Family);
        if let (Some((g, _)), Some((f, _))) = (given, family) {
            if g >= 2 && f >= 2 && self.swapped() {
                v[Comparison::Given as usize] = GIVEN_SWAPPED;
                return;
            }
        }
        if let Some((g, _)) = given {
            v[Comparison::Given as usize] = match g {
                0..=2 => g,
                _ if self.initial() => 3,
                _ => Comparison::Given.different(),
            };
        }
        if let Some((f, _)) = family {
            v[Comparison::Family as usize] = f;
        }
    }

    /// The given and family names written the other way round.
    fn swapped(&self) -> bool {
        let (g, f) = (self.t.col(Col::Given), self.t.col(Col::Family));
        let close = |a: &str, b: &str| a == b || alike(a, b) >= CLOSE;
        match (g.get(self.i), f.get(self.i), g.get(self.j), f.get(self.j)) {
            (Some((_, gi)), Some((_, fi)), Some((_, gj)), Some((_, fj))) => {
                close(gi, fj) && close(fi, gj)
            }
            _ => false,
        }
    }

    /// One given name is the other's initial.
    fn initial(&self) -> bool {
        let Some(((_, a), (_, b))) = self.values(Col::Given) else {
            return false;
        };
        (a.len() == 1 || b.len() == 1) && a.as_bytes().first() == b.as_bytes().first()
    }

    fn exact_or(&self, c: Col, close: impl Fn(&str, &str) -> bool, levels: u8) -> u8 {
        match self.values(c) {
            None => NULL,
            Some(((x, _), (y, _))) if x == y => 0,
            Some(((_, a), (_, b))) if close(a, b) => 1,
            Some(_) => levels - 1,
        }
    }

    fn birth(&self) -> u8 {
        match self.values(Col::Birth) {
            None => NULL,
            Some(((x, _), (y, _))) if x == y => 0,
            Some(((_, a), (_, b))) if date_typo(a, b) => 1,
            Some(((_, a), (_, b))) if date_near(a, b) => 2,
            Some(_) => 3,
        }
    }

    fn street(&self) -> u8 {
        if self.same(Col::StreetSorted) && !self.same(Col::Street) {
            return 1;
        }
        self.text(Col::Street).map_or(NULL, |(l, _)| l)
    }

    fn locality(&self) -> u8 {
        let postcode = self.values(Col::Postcode);
        let city = self.values(Col::City);
        if postcode.is_none() && city.is_none() {
            return NULL;
        }
        let same = |v: Option<(Held, Held)>| v.is_some_and(|((x, _), (y, _))| x == y);
        match (same(postcode), same(city)) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            _ => {
                let near_code = postcode.is_some_and(|((_, a), (_, b))| one_edit(a, b));
                let near_city = city.is_some_and(|((_, a), (_, b))| alike(a, b) >= CLOSE);
                if near_code || near_city {
                    3
                } else {
                    4
                }
            }
        }
    }
}

/// The pair's comparison vector.
pub(super) fn compare(t: &Table, i: usize, j: usize) -> Vector {
    let p = Pair { t, i, j };
    let mut v = [NULL; COMPARISONS];
    p.names(&mut v);
    v[Comparison::Organisation as usize] = p.text(Col::Organisation).map_or(NULL, |(l, s)| {
        if l == 0 {
            0
        } else if s >= CLOSE {
            1
        } else {
            2
        }
    });
    v[Comparison::Birth as usize] = p.birth();
    v[Comparison::Email as usize] = p.exact_or(Col::Email, one_edit, 3);
    v[Comparison::Phone as usize] = p.exact_or(Col::Phone, one_edit, 3);
    v[Comparison::Number as usize] = p.exact_or(Col::Number, |_, _| false, 2);
    v[Comparison::Street as usize] = p.street();
    v[Comparison::Locality as usize] = p.locality();
    v
}

#[cfg(test)]
mod tests {
    use super::super::Contact;
    use super::*;

    #[test]
    fn one_edit_takes_one_keystroke_and_no_more() {
        for (a, b) in [
            ("abc", "abc"),
            ("abc", "abd"),
            ("abc", "ab"),
            ("abc", "xabc"),
            ("abcd", "abdc"),
            ("2125550101", "2125550110"),
        ] {
            assert!(one_edit(a, b) && one_edit(b, a), "{a} {b}");
        }
        for (a, b) in [
            ("abc", "a"),
            ("abcd", "badc"),
            ("abc", "xyz"),
            ("ab", "ba c"),
        ] {
            assert!(!one_edit(a, b), "{a} {b}");
        }
    }

    #[test]
    fn dates_typed_twice() {
        assert!(date_typo("1970-03-04", "1970-04-03"));
        assert!(date_typo("1970-03-04", "1970-03-05"));
        assert!(!date_typo("1970-03-04", "1971-03-05"));
        assert!(date_near("1970-03-04", "1971-03-05"));
        assert!(!date_near("1970-03-04", "1981-03-05"));
    }

    fn vector(a: Contact, b: Contact) -> Vector {
        compare(&Table::of(&[a, b]), 0, 1)
    }

    fn person(first: &str, last: &str, street: &str, postcode: &str, city: &str) -> Contact {
        Contact::person("x", first, last, "", "", street, postcode, city, "")
    }

    #[test]
    fn levels_of_names_streets_and_localities() {
        let v = vector(
            person("Jane", "Doe", "12 King St", "2042", "Newtown"),
            person("jane", "DOE", "12 King Street", "2042", "newtown"),
        );
        let at = |c: Comparison| v[c as usize];
        assert_eq!(
            [
                at(Comparison::Given),
                at(Comparison::Family),
                at(Comparison::Number),
                at(Comparison::Street),
                at(Comparison::Locality),
                at(Comparison::Email),
            ],
            [0, 0, 0, 0, 0, NULL]
        );
        let v = vector(
            person("Jane", "Doe", "12 King St", "2042", "Newtown"),
            person("Doe", "Jane", "King St 14", "2043", "Camperdown"),
        );
        assert_eq!(v[Comparison::Given as usize], GIVEN_SWAPPED);
        assert_eq!(v[Comparison::Family as usize], NULL);
        assert_eq!(v[Comparison::Number as usize], 1);
        assert_eq!(v[Comparison::Street as usize], 0);
        assert_eq!(v[Comparison::Locality as usize], 3);
        let v = vector(
            person(
                "J",
                "Doe",
                "rose scott circuit cordoba manor",
                "",
                "ashfield",
            ),
            person(
                "Jane",
                "Doe",
                "cordoba manor rose scott circuit",
                "",
                "ashfi eld",
            ),
        );
        assert_eq!(v[Comparison::Given as usize], 3);
        assert_eq!(v[Comparison::Street as usize], 1);
        assert_eq!(v[Comparison::Locality as usize], 2);
    }
}
