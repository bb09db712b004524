//! Header names: normalisation and similarity to a field's name and synonyms.

use strsim::jaro_winkler;

/// "ContactExternalID" → "contact external id"; "Open_Date" → "open date"; "Invoice #" → "invoice number".
pub fn normalise_header(h: &str) -> String {
    let mut out = String::with_capacity(h.len() + 4);
    let mut prev: Option<char> = None;
    let chars: Vec<char> = h.trim().trim_start_matches('\u{feff}').chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // "N°", "Nº": the number sign as French, Spanish and Italian exports write it ("º"
        // is a letter to Unicode, so it is looked at first).
        if matches!(c, '°' | 'º') && matches!(prev, Some('n' | 'N')) && out.ends_with('n') {
            out.pop();
            out.push_str(" number ");
        } else if c.is_alphanumeric() {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = match prev {
                Some(p) if p.is_lowercase() && c.is_uppercase() => true,
                Some(p) if p.is_uppercase() && c.is_uppercase() && next_lower => true,
                Some(p) if p.is_alphabetic() && c.is_ascii_digit() => true,
                _ => false,
            };
            if boundary {
                out.push(' ');
            }
            out.extend(c.to_lowercase());
        } else if c == '#' || c == '№' {
            out.push_str(" number ");
        } else {
            out.push(' ');
        }
        prev = Some(c);
    }
    let words: Vec<&str> = out.split_whitespace().collect();
    words.join(" ")
}

/// Words that carry no meaning in a header.
const FILLER: &[&str] = &[
    "the", "of", "a", "an", "primary", "main", "default", "field", "value", "code",
];

fn content_words(s: &str) -> Vec<&str> {
    let mut w: Vec<&str> = s
        .split(' ')
        .filter(|t| !t.is_empty() && !FILLER.contains(t))
        .collect();
    w.sort_unstable();
    // A word said twice ("Address.Street Address", a nested JSON key) counts once: a
    // likeness is a share of words, at most all of them.
    w.dedup();
    w
}

fn dice(a: &[&str], b: &[&str]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.iter().filter(|t| b.contains(t)).count();
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// Words that turn a name into its opposite: "non billable" is not "billable".
const NEGATIONS: &[&str] = &["non", "not", "without", "excluding"];

/// Whether one name is the other negated: a negation word in one only ("billable" and "non
/// billable"), or a word that is another's with "un" before it ("billed" and "unbilled").
fn negated(a: &str, b: &str) -> bool {
    // "nonbillable" is "non billable" written as one word.
    let negates = |s: &str| {
        s.split(' ').any(|w| {
            NEGATIONS.contains(&w) || w.strip_prefix("non").is_some_and(|rest| rest.len() > 3)
        })
    };
    if negates(a) != negates(b) {
        return true;
    }
    let un = |x: &str, y: &str| {
        x.split(' ').any(|w| {
            w.strip_prefix("un")
                .is_some_and(|rest| rest.len() > 2 && y.split(' ').any(|v| v == rest))
        })
    };
    un(a, b) || un(b, a) || able_and_done(a, b) || able_and_done(b, a)
}

/// Whether one name says a thing can be done and the other that it was: "billable" and
/// "billed", "taxable" and "taxed". An entry that may be billed has not been.
fn able_and_done(a: &str, b: &str) -> bool {
    a.split(' ').any(|w| {
        w.strip_suffix("able").is_some_and(|stem| {
            stem.len() > 2
                && b.split(' ').any(|v| {
                    v.strip_suffix("ed").is_some_and(|s| {
                        s == stem || s.strip_suffix(&stem[stem.len() - 1..]) == Some(stem)
                    })
                })
        })
    })
}

/// How similar a normalised header is to one candidate name, in [0, 1]. A name and its
/// negation are not similar at all, however alike they are spelt: mapping "billable" onto
/// "non billable" would turn every value over.
pub fn similarity(header: &str, candidate: &str) -> f64 {
    if header == candidate {
        return 1.0;
    }
    if negated(header, &candidate.replace('-', " ")) {
        return 0.0;
    }
    let (hw, cw) = (content_words(header), content_words(candidate));
    if !hw.is_empty() && hw == cw {
        return 0.96;
    }
    let squashed = |s: &str| s.replace(' ', "");
    if squashed(header) == squashed(candidate) {
        return 0.96;
    }
    // A name of two or three letters ("in", "no") spelt inside a much longer header
    // ("minuten") is no likeness: only whole words count then.
    let (short, long) = {
        let (a, b) = (header.chars().count(), candidate.chars().count());
        (a.min(b), a.max(b))
    };
    let spelling = if short <= 3 && long >= 2 * short + 2 {
        0.0
    } else {
        jaro_winkler(header, candidate)
    };
    let fuzzy = 0.85 * spelling.max(dice(&hw, &cw));
    // A header that qualifies the name ("Primary Address City" for "city", "Client-Matter"
    // for "matter"): it has every word of the name and ends on the same word.
    let qualifies = !cw.is_empty()
        && hw.len() > cw.len()
        && cw.iter().all(|w| hw.contains(w))
        && header.rsplit(' ').next() == candidate.rsplit(' ').next();
    if qualifies {
        return fuzzy.max(0.72 + 0.2 * cw.len() as f64 / hw.len() as f64);
    }
    fuzzy
}

/// The best similarity of a header to a field: its canonical name or any synonym.
pub fn best_match<'a>(header: &str, name: &'a str, synonyms: &[&'a str]) -> (f64, &'a str) {
    let canonical = name.replace('_', " ");
    let mut best = (similarity(header, &canonical), name);
    for s in synonyms {
        let score = similarity(header, &normalise_header(s));
        if score > best.0 {
            best = (score, s);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_said_twice_does_not_make_a_header_more_than_alike() {
        let score = similarity("address street address", "street address");
        assert!(score <= 1.0 && score > 0.9, "{score}");
    }

    #[test]
    fn a_name_and_its_negation_are_not_alike() {
        assert_eq!(similarity("billable", "non billable"), 0.0);
        assert_eq!(similarity("non billable", "billable"), 0.0);
        assert_eq!(similarity("unbilled", "billed"), 0.0);
        assert_eq!(similarity("is billable", "not billable"), 0.0);
        assert_eq!(similarity("billable", "billed"), 0.0);
        assert_eq!(similarity("taxed", "taxable"), 0.0);
        assert!(similarity("billed", "billed status") > 0.7);
        assert!(similarity("nonbillable", "non billable") > 0.9);
        assert!(similarity("non billable flag", "non billable") > 0.7);
        // "under" and "unit" are words of their own, not negations.
        assert!(similarity("units", "unit price") > 0.0);
    }

    #[test]
    fn normalises_vendor_spellings() {
        assert_eq!(normalise_header("ContactExternalID"), "contact external id");
        assert_eq!(normalise_header("Open_Date"), "open date");
        assert_eq!(normalise_header("Invoice #"), "invoice number");
        assert_eq!(normalise_header("  E-Mail Address "), "e mail address");
        assert_eq!(normalise_header("\u{feff}Matter Ref"), "matter ref");
        assert_eq!(normalise_header("Address1"), "address 1");
        assert_eq!(normalise_header("N° dossier"), "number dossier");
        assert_eq!(normalise_header("Invoice Nº"), "invoice number");
        assert_eq!(normalise_header("№ client"), "number client");
    }

    #[test]
    fn scores() {
        assert_eq!(similarity("open date", "open date"), 1.0);
        assert!(similarity("date opened", "opened date") > 0.9);
        assert!(similarity("e mail", "email") > 0.9);
        assert!(similarity("zzz", "email") < 0.5);
        assert!(similarity("primary address city", "city") > 0.8);
        assert!(similarity("client matter", "matter") > 0.8);
        // A two-letter name is not inside every word that spells it.
        assert!(similarity("minuten", "in") < 0.3);
        assert!(similarity("amt", "amount") > 0.4);
    }
}
