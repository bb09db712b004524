//! Person and organisation names, and the normalised key duplicates are matched on.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName {
    pub prefix: Option<String>,
    pub first: Option<String>,
    pub middle: Option<String>,
    pub last: Option<String>,
    pub suffix: Option<String>,
}

impl PersonName {
    pub fn display(&self) -> String {
        [
            &self.prefix,
            &self.first,
            &self.middle,
            &self.last,
            &self.suffix,
        ]
        .iter()
        .filter_map(|p| p.as_deref())
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Splits a full name as exports write it: "Doe, Jane A." or "Dr. Jane A. Doe Jr.".
    pub fn from_full(full: &str) -> PersonName {
        let clean = collapse_spaces(full);
        let (mut given, mut last) = match clean.split_once(',') {
            Some((l, g)) if !g.trim().is_empty() && !is_suffix(g.trim()) => {
                (g.trim().to_string(), Some(l.trim().to_string()))
            }
            _ => (clean.clone(), None),
        };
        let mut tokens: Vec<String> = given
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let prefix = match tokens.first() {
            Some(t) if is_prefix(t) => Some(tokens.remove(0)),
            _ => None,
        };
        let suffix = match tokens.last() {
            Some(t) if tokens.len() > 1 && is_suffix(t) => tokens.pop(),
            _ => None,
        };
        if last.is_none() && tokens.len() > 1 {
            last = tokens.pop();
        }
        given = tokens.join(" ");
        let mut parts = given.splitn(2, ' ');
        let first = parts.next().filter(|s| !s.is_empty()).map(str::to_string);
        let middle = parts.next().filter(|s| !s.is_empty()).map(str::to_string);
        PersonName {
            prefix,
            first,
            middle,
            last,
            suffix,
        }
    }

    /// First and last name, case and spacing folded, punctuation dropped: "JANE  doe" = "Jane Doe".
    pub fn match_key(&self) -> String {
        let joined = format!(
            "{} {}",
            self.first.as_deref().unwrap_or(""),
            self.last.as_deref().unwrap_or("")
        );
        normalise_name(&joined)
    }
}

fn is_prefix(t: &str) -> bool {
    matches!(
        t.trim_end_matches('.').to_lowercase().as_str(),
        "mr" | "mrs" | "ms" | "dr" | "prof" | "hon" | "mx"
    )
}

fn is_suffix(t: &str) -> bool {
    matches!(
        t.trim_end_matches('.').to_lowercase().as_str(),
        "jr" | "sr" | "ii" | "iii" | "iv" | "esq" | "md" | "phd" | "cpa"
    )
}

pub fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower case, letters and digits only, single spaces: the matching form of any name.
pub fn normalise_name(s: &str) -> String {
    name_chars(s).collect()
}

/// True when `a` and `b` have the same matching form ([`normalise_name`]), compared as they
/// are read: the hot checks (a choice against each of its values and aliases, per row) then
/// allocate nothing.
pub fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return same_ascii_name(a.as_bytes(), b.as_bytes());
    }
    name_chars(a).eq(name_chars(b))
}

/// [`same_name`] of two ASCII texts, byte by byte: on ASCII, `is_alphanumeric` and
/// `to_lowercase` are their ASCII forms, so the matching forms are the same, without the
/// per-character work of the general form (this is a choice check of every row).
fn same_ascii_name(a: &[u8], b: &[u8]) -> bool {
    let (mut ca, mut cb) = (AsciiName::default(), AsciiName::default());
    loop {
        match (ca.next(a), cb.next(b)) {
            (None, None) => return true,
            (x, y) if x != y => return false,
            _ => {}
        }
    }
}

/// A cursor over the matching form of an ASCII text (see [`name_chars`]).
#[derive(Default)]
struct AsciiName {
    at: usize,
    started: bool,
}

impl AsciiName {
    fn next(&mut self, s: &[u8]) -> Option<u8> {
        let mut gap = false;
        while let Some(&c) = s.get(self.at) {
            if c.is_ascii_alphanumeric() {
                if gap && self.started {
                    // The space between runs; the run's letter is read next time.
                    return Some(b' ');
                }
                self.at += 1;
                self.started = true;
                return Some(c.to_ascii_lowercase());
            }
            gap = true;
            self.at += 1;
        }
        None
    }
}

/// The characters of [`normalise_name`]'s form of `s`: each run of letters and digits,
/// lower-cased, with one space between runs and none at either end.
fn name_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    let mut gap = false;
    let mut started = false;
    s.chars()
        .flat_map(move |c| {
            if !c.is_alphanumeric() {
                gap = true;
                return [None, None];
            }
            let space = (gap && started).then_some(' ');
            gap = false;
            started = true;
            [space, Some(c.to_lowercase().next().unwrap_or(c))]
        })
        .flatten()
}

/// Organisation names match without their legal-form suffix: "Acme, Inc." = "ACME Inc" = "Acme".
pub fn organisation_key(s: &str) -> String {
    let n = normalise_name(s);
    let forms = [
        "inc",
        "llc",
        "llp",
        "ltd",
        "corp",
        "co",
        "pc",
        "pllc",
        "plc",
        "gmbh",
        "company",
        "corporation",
    ];
    let tokens: Vec<&str> = n.split(' ').collect();
    let keep = tokens.len()
        - tokens
            .iter()
            .rev()
            .take_while(|t| forms.contains(t))
            .count()
            .min(tokens.len().saturating_sub(1));
    tokens[..keep].join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matching_form_is_compared_as_it_is_built() {
        let cases = [
            "",
            "   ",
            "Jane Doe",
            "  ACME, Inc.  ",
            "o'Brien--Smith",
            "Ünïcode  Straße 12b",
            "İstanbul",
            "tab\tand\nnewline",
            "a",
            "...a...b...",
        ];
        for a in cases {
            let mapped: String = a
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() {
                        c.to_lowercase().next().unwrap_or(c)
                    } else {
                        ' '
                    }
                })
                .collect();
            assert_eq!(normalise_name(a), collapse_spaces(&mapped), "{a:?}");
            for b in cases {
                assert_eq!(
                    same_name(a, b),
                    normalise_name(a) == normalise_name(b),
                    "{a:?} / {b:?}"
                );
            }
        }
        assert!(same_name("Open / Active", "open active"));
        assert!(same_name(" Open / Active ", "OPEN-ACTIVE"));
        assert!(!same_name("open active", "openactive"));
        assert!(!same_name("", "a"));
        assert!(same_name("", " - "));
    }

    /// The ASCII fast path answers as the general form over every short ASCII text of a few
    /// letters, digits, separators and cases.
    #[test]
    fn ascii_names_compare_as_the_general_form() {
        let alphabet = ["a", "B", "1", " ", "-", "/", "\t", ".", "b"];
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, String::len))
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(longer);
        }
        let forms: Vec<String> = texts.iter().map(|t| normalise_name(t)).collect();
        for (i, a) in texts.iter().enumerate().step_by(7) {
            for (j, b) in texts.iter().enumerate() {
                assert_eq!(same_name(a, b), forms[i] == forms[j], "{a:?} / {b:?}");
            }
        }
        assert!(!same_name("open", "opened"));
    }

    #[test]
    fn splits_full_names() {
        let n = PersonName::from_full("Dr. Jane  A. Doe Jr.");
        assert_eq!(n.prefix.as_deref(), Some("Dr."));
        assert_eq!(n.first.as_deref(), Some("Jane"));
        assert_eq!(n.middle.as_deref(), Some("A."));
        assert_eq!(n.last.as_deref(), Some("Doe"));
        assert_eq!(n.suffix.as_deref(), Some("Jr."));
        let c = PersonName::from_full("Doe, Jane");
        assert_eq!(
            (c.first.as_deref(), c.last.as_deref()),
            (Some("Jane"), Some("Doe"))
        );
    }

    #[test]
    fn keys_fold_case_and_spacing() {
        assert_eq!(
            PersonName::from_full("JANE   doe").match_key(),
            PersonName::from_full("Jane Doe").match_key()
        );
        assert_eq!(organisation_key("Acme, Inc."), "acme");
        assert_eq!(organisation_key("ACME INC"), "acme");
        assert_eq!(organisation_key("Inc"), "inc");
    }
}
