//! Candidates read from a column's values alone, whatever its header says: emails and
//! phone numbers by their form, a choice by its options, a person's name parts by the
//! email address that spells them. Values alone give [`VALUES_ONLY`], below a fair header
//! match, which wins.

use std::collections::HashSet;

use migrationai_domain::catalogue::{FieldDef, FieldType, KindDef};
use migrationai_domain::record::choose;
use unicode_normalization::UnicodeNormalization as _;

use crate::columns::{ColumnProfile, TableSample};
use crate::keys::ValueLink;
use crate::suggest::{from_values, Candidate, VALUES_ONLY};

/// A column whose values are nearly all emails, phone numbers, SHA-256 checksums or paths
/// to files is a candidate for its kind's first field of that type whatever its header
/// ("Courriel", "Tel. privé"): no other field holds such values.
pub(crate) fn typed(
    def: &KindDef,
    profiles: &[ColumnProfile],
    links: &[ValueLink],
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for ty in [
        FieldType::Email,
        FieldType::Phone,
        FieldType::Sha256,
        FieldType::FilePath,
    ] {
        let Some(fd) = def.fields.iter().find(|f| f.ty == ty) else {
            continue;
        };
        for (i, p) in profiles.iter().enumerate() {
            if p.flags || links.iter().any(|l| l.column == i) {
                continue;
            }
            let fit = match ty {
                FieldType::FilePath => Some(p.share(reads_as_file)),
                _ => p.fit(fd),
            };
            if let Some(fit) = fit.filter(|f| *f >= crate::keys::REFERS) {
                out.extend(from_values(def, profiles, fd.name, i, VALUES_ONLY, fit));
            }
        }
    }
    out
}

/// A path to a file as exports write one: folders, then a name with an extension
/// ("docs/2024/letter.pdf"). Any text with a dot is a valid path, so that alone says nothing.
fn reads_as_file(v: &str) -> bool {
    let Some((folders, name)) = v.rsplit_once(['/', '\\']) else {
        return false;
    };
    let extension = name.rsplit_once('.').map(|(_, e)| e);
    !folders.is_empty()
        && extension.is_some_and(|e| {
            (1..=5).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric())
        })
        && migrationai_domain::record::check_path("", v).is_ok()
}

/// A person's first and last name read from the table's emails, whatever the headers say:
/// a text column whose values are spelt inside the row's email address before the "@"
/// ("camille.martin@…") holds a part of the name, and the part written first is the first
/// name. For a kind with first and last names and an email column.
pub(crate) fn names(
    def: &KindDef,
    sample: &TableSample,
    profiles: &[ColumnProfile],
) -> Vec<Candidate> {
    let (Some(first), Some(last), Some(email)) = (
        def.field("first_name"),
        def.field("last_name"),
        def.fields.iter().find(|f| f.ty == FieldType::Email),
    ) else {
        return Vec::new();
    };
    let Some(at) = profiles
        .iter()
        .position(|p| p.fit(email).is_some_and(|f| f >= crate::keys::REFERS))
    else {
        return Vec::new();
    };
    // Letters as an email address writes them: accents taken off by Unicode decomposition,
    // everything but ASCII letters dropped.
    let letters = |s: &str| -> String {
        s.nfd()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    // For each other column: the rows whose value is in the local part, and where.
    let mut parts: Vec<(usize, f64, f64)> = Vec::new();
    for (i, p) in profiles.iter().enumerate() {
        if i == at || p.flags || p.values.is_empty() {
            continue;
        }
        let (mut rows, mut found, mut place) = (0usize, 0usize, 0usize);
        for row in &sample.rows {
            let (Some(v), Some(mail)) = (row.get(i), row.get(at)) else {
                continue;
            };
            let (v, local) = (letters(v), letters(mail.split('@').next().unwrap_or("")));
            if v.len() < 2 || local.is_empty() {
                continue;
            }
            rows += 1;
            if let Some(pos) = local.find(&v) {
                found += 1;
                place += pos;
            }
        }
        if rows > 0 && found as f64 >= NAME_IN_EMAIL * rows as f64 {
            parts.push((i, found as f64 / rows as f64, place as f64 / found as f64));
        }
    }
    parts.sort_by(|a, b| a.2.total_cmp(&b.2));
    let fields: Vec<(&FieldDef, (usize, f64, f64))> = match parts.as_slice() {
        [a, b] => vec![(first, *a), (last, *b)],
        _ => return Vec::new(),
    };
    fields
        .into_iter()
        .filter_map(|(fd, (column, share, _))| {
            from_values(def, profiles, fd.name, column, VALUES_ONLY, share)
        })
        .collect()
}

/// Share of a table's rows whose email must spell a column's value for it to be a name part.
const NAME_IN_EMAIL: f64 = 0.6;

/// Values a choice column must show to read as one: fewer say nothing of a column.
const CHOICE_VALUES: usize = 5;

/// A column whose values are nearly all a choice field's options, and more than one of
/// them, is a candidate for that field ("TimeEntry" and "ExpenseEntry" are entry types, "Open"
/// and "Closed" a status). A column of yes/no words is left out: it fits any choice whose
/// options read as yes and no, and says nothing of which.
pub(crate) fn choices(
    def: &KindDef,
    profiles: &[ColumnProfile],
    links: &[ValueLink],
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for fd in def.fields.iter().filter(|f| f.ty == FieldType::Choice) {
        for (i, p) in profiles.iter().enumerate() {
            if p.flags || p.values.len() < CHOICE_VALUES || links.iter().any(|l| l.column == i) {
                continue;
            }
            let Some(fit) = p.fit(fd).filter(|f| *f >= crate::keys::REFERS) else {
                continue;
            };
            let options: HashSet<String> =
                p.values.iter().filter_map(|v| choose(fd, v).ok()).collect();
            if options.len() >= 2 {
                out.extend(from_values(def, profiles, fd.name, i, VALUES_ONLY, fit));
            }
        }
    }
    out
}

/// Share of the rows without a person's name on which a column must hold a value to be
/// the organisation's name, and share of the rows with one on which it may.
const NAMELESS_FILLED: f64 = 0.9;
const NAMED_FILLED: f64 = 0.5;
/// Rows without a person's name a sample must have to tell anything.
const NAMELESS_ROWS: usize = 3;

/// Once a table's first or last names are mapped, the column of text that is filled where
/// they are empty, and mostly empty where they are not, names what has no first or last
/// name: an organisation. Without it, every organisation in an address book would be
/// refused for having no name.
pub(crate) fn organisation(
    def: &KindDef,
    sample: &TableSample,
    profiles: &[ColumnProfile],
    chosen: &[Candidate],
) -> Option<Candidate> {
    let org = def.field("organization")?;
    let parts: Vec<usize> = chosen
        .iter()
        .filter(|c| c.field == "first_name" || c.field == "last_name")
        .map(|c| c.column)
        .collect();
    if parts.is_empty() || chosen.iter().any(|c| c.field == org.name) {
        return None;
    }
    let filled = |row: &[String], c: usize| row.get(c).is_some_and(|v| !v.trim().is_empty());
    let (nameless, named): (Vec<&Vec<String>>, Vec<&Vec<String>>) = sample
        .rows
        .iter()
        .partition(|row| parts.iter().all(|c| !filled(row, *c)));
    if nameless.len() < NAMELESS_ROWS {
        return None;
    }
    let share = |rows: &[&Vec<String>], c: usize| {
        rows.iter().filter(|r| filled(r, c)).count() as f64 / rows.len().max(1) as f64
    };
    profiles
        .iter()
        .enumerate()
        .filter(|(i, p)| {
            !p.flags
                && !chosen.iter().any(|c| c.column == *i)
                && p.values.iter().all(|v| reads_as_name(v))
        })
        .map(|(i, _)| (i, share(&nameless, i), share(&named, i)))
        .filter(|(_, without, with)| *without >= NAMELESS_FILLED && *with <= NAMED_FILLED)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.2.total_cmp(&a.2)))
        .and_then(|(i, without, _)| from_values(def, profiles, org.name, i, VALUES_ONLY, without))
}

/// Text that could be a name: letters in it, and not an address, an amount or a date.
pub(crate) fn reads_as_name(v: &str) -> bool {
    v.chars().any(char::is_alphabetic)
        && !v.contains('@')
        && !crate::columns::reads_as_date(v)
        && v.chars().filter(char::is_ascii_digit).count() * 2 < v.chars().count()
}
