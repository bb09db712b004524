//! Key inference: which column (or columns) identify a table's rows, from the evidence of the
//! whole export: values that are present and unique, values other tables' columns point at,
//! and header words that name keys (id, no., number, #, code, ref). A table with no such
//! column gets a derived key (its name and the row's place), never a reject of every row.

use crate::columns::TableSample;
use crate::header::{best_match, normalise_header};
use crate::mapping::Key;
use crate::question::{Question, Topic};
use crate::suggest::{Evidence, TableSuggestion};
use migrationai_domain::catalogue::{kind_def, FieldType};
use std::collections::HashSet;

/// Shares of a column's sampled rows that must be filled and distinct for it to be a key.
/// Not 1.0: an export's key column may carry a few dirty duplicates, which the migration
/// rejects row by row.
const FILLED: f64 = 0.98;
const DISTINCT: f64 = 0.98;
/// Below this, a column mapped to the id field is no key: its values repeat.
const ID_DISTINCT: f64 = 0.9;
/// Share of a column's values found among a key's values for it to refer to that table.
pub(crate) const REFERS: f64 = 0.9;
/// Confidence of a reference read from a column's values when its header names the key or
/// the kind it points at, and when only its values do.
const LINK_NAMED: f64 = 0.95;
const LINK_VALUES: f64 = 0.8;
/// Distinct values a column needs before its values alone make it a reference.
const LINK_DISTINCT: usize = 3;
/// Longest value a key is expected to have.
const KEY_LEN: usize = 64;

/// Header words that name a key.
const KEY_WORDS: &[&str] = &[
    "id",
    "no",
    "nr",
    "num",
    "number",
    "code",
    "ref",
    "reference",
    "key",
    "uid",
    "guid",
];

/// Whether a header names a key: "Matter No.", "Invoice #", "casenum", "names_id".
pub fn names_a_key(header: &str) -> bool {
    let norm = normalise_header(header);
    norm.split(' ').any(|w| {
        KEY_WORDS.contains(&w) || (w.len() > 4 && (w.ends_with("id") || w.ends_with("num")))
    })
}

/// Whether a column no field takes reads as identifiers whatever its header: every value a
/// short code with a digit in it ("1", "TX-0042", "2024/117"), no spaces, no amount written
/// with decimals and no date. A unique such column keys its table better than row numbers.
fn reads_as_ids(col: &Column) -> bool {
    !col.values.is_empty()
        && col.values.iter().all(|v| {
            v.len() <= 32
                && v.chars().any(|c| c.is_ascii_digit())
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '#'))
                && !crate::columns::reads_as_date(v)
        })
}

struct Column {
    header: String,
    filled: f64,
    distinct: f64,
    longest: usize,
    values: HashSet<String>,
}

fn columns(sample: &TableSample) -> Vec<Column> {
    let rows = sample.rows.len().max(1) as f64;
    (0..sample.headers.len())
        .map(|i| {
            let mut values = HashSet::new();
            let mut filled = 0usize;
            let mut longest = 0;
            for r in &sample.rows {
                let v = r.get(i).map(|v| v.trim()).unwrap_or("");
                if !v.is_empty() {
                    filled += 1;
                    longest = longest.max(v.len());
                    values.insert(v.to_string());
                }
            }
            Column {
                header: sample.headers[i].clone(),
                filled: filled as f64 / rows,
                distinct: values.len() as f64 / filled.max(1) as f64,
                longest,
                values,
            }
        })
        .collect()
}

impl Column {
    fn unique(&self) -> bool {
        self.filled >= FILLED && self.distinct >= DISTINCT && self.longest <= KEY_LEN
    }
}

/// Infers every table's key, then the references the headers missed, from one profile of
/// the samples.
pub fn infer(tables: &mut [TableSuggestion], samples: &[TableSample]) {
    let profiles: Vec<Vec<Column>> = samples.iter().map(columns).collect();
    infer_keys(tables, samples, &profiles);
    link_references(tables, &profiles);
}

/// A column whose values are the keys of one kind's tables: evidence, from the values alone,
/// that the column refers to that kind, whatever its header says.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueLink {
    pub column: usize,
    pub kind: migrationai_domain::Kind,
    /// Share of the column's distinct values that are keys of the kind.
    pub share: f64,
    /// The confidence the reference deserves: more when the header names the key or kind.
    pub confidence: f64,
}

/// Every table's columns whose values are the keys of another table's kind, as the keys
/// stand now (run after [`infer`]). A table of no kind yet has them too: they are what kind
/// scoring needs to recognise a child table whose headers nothing knows.
/// `parents` are [`parent_keys`]' answers: a table other tables refer to by one column has
/// that column for its key, whatever key its kind so far gave it.
pub fn value_links(
    tables: &[TableSuggestion],
    samples: &[TableSample],
    parents: &[Option<ParentKey>],
) -> Vec<Vec<ValueLink>> {
    let profiles: Vec<Vec<Column>> = samples.iter().map(columns).collect();
    let keys = kind_keys(tables, &profiles);
    tables
        .iter()
        .zip(&profiles)
        .enumerate()
        .map(|(t, (table, cols))| {
            let parent = parents.get(t).and_then(Option::as_ref);
            let own_key = |c: usize, col: &Column| match parent {
                Some(p) => p.column == c,
                // The columns of a key made of several (a matter and a contact) may each
                // name another table's rows; a single-column key names the table's own.
                None => matches!(&table.key, Key::Columns(h) if table.kind.is_some() && h.len() == 1 && h.contains(&col.header)),
            };
            cols.iter()
                .enumerate()
                .filter(|(c, col)| !own_key(*c, col))
                .filter_map(|(c, col)| {
                    let link = link_for(t, col, &keys)?;
                    Some(ValueLink {
                        column: c,
                        kind: link.kind,
                        share: link.share,
                        confidence: if link.named { LINK_NAMED } else { LINK_VALUES },
                    })
                })
                .collect()
        })
        .collect()
}

/// A column of a table of no kind yet whose values other tables' rows name, many rows one
/// value: the shape of a parent's key (a matters table's, which time entries name) whatever
/// the headers say. Kind scoring weighs it as the id of a kind others refer to.
#[derive(Debug, Clone, PartialEq)]
pub struct ParentKey {
    pub column: usize,
    /// How many other tables have a column naming these values.
    pub referrers: usize,
    /// The smallest share, over those columns, of their distinct values found among the key's.
    pub share: f64,
}

/// For each table of no kind, or of a kind nothing refers to (a matters table its headers
/// made look like tasks), the column other tables refer to, if one is: a table other tables
/// point at is a parent, whatever its headers say. A referring
/// column must repeat its values (many rows to one: a unique column pointing at a unique
/// column says nothing of which is the parent) and be a reference by [`link_for`]'s
/// standards: enough distinct values, reaching across the keys.
pub fn parent_keys(tables: &[TableSuggestion], samples: &[TableSample]) -> Vec<Option<ParentKey>> {
    let profiles: Vec<Vec<Column>> = samples.iter().map(columns).collect();
    let keys = kind_keys(tables, &profiles);
    tables
        .iter()
        .zip(&profiles)
        .enumerate()
        .map(|(t, (table, cols))| {
            if table.kind.is_some_and(crate::suggest::referred_to)
                || samples.get(t).is_none_or(|s| s.rows.len() < 2)
            {
                return None;
            }
            cols.iter()
                .enumerate()
                // A column holding a recognised kind's keys refers to it (invoices, one
                // per matter, name their matters uniquely): it is not this table's key.
                .filter(|(_, col)| col.unique() && link_for(t, col, &keys).is_none())
                .filter_map(|(c, col)| {
                    let shares: Vec<f64> = profiles
                        .iter()
                        .enumerate()
                        .filter(|(o, _)| *o != t)
                        .filter_map(|(_, other)| {
                            other
                                .iter()
                                .filter(|r| refers_to(r, &col.values))
                                .map(|r| held_share(&r.values, &col.values))
                                .max_by(f64::total_cmp)
                        })
                        .collect();
                    let share = shares.iter().copied().min_by(f64::total_cmp)?;
                    Some(ParentKey {
                        column: c,
                        referrers: shares.len(),
                        share,
                    })
                })
                .max_by(|a, b| a.referrers.cmp(&b.referrers).then(b.column.cmp(&a.column)))
        })
        .collect()
}

/// Whether a column names a parent's keys: its values repeat (many rows to one), are enough
/// to say something, are nearly all among the keys, and reach across them.
fn refers_to(col: &Column, keys: &HashSet<String>) -> bool {
    !col.unique()
        && col.values.len() >= LINK_DISTINCT
        && held_share(&col.values, keys) >= REFERS
        && reaches_into(&col.values, keys)
}

/// Share of a column's distinct values found among a set of keys.
fn held_share(values: &HashSet<String>, keys: &HashSet<String>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.iter().filter(|v| keys.contains(*v)).count() as f64 / values.len() as f64
}

/// Infers every table's key and records it, with its evidence, in the suggestions.
fn infer_keys(tables: &mut [TableSuggestion], samples: &[TableSample], profiles: &[Vec<Column>]) {
    // Candidate keys per table: (column, referenced by how many other tables).
    let mut candidates: Vec<Vec<(usize, usize)>> = Vec::with_capacity(tables.len());
    for (t, (table, cols)) in tables.iter().zip(profiles).enumerate() {
        let Some(def) = table.kind.map(kind_def) else {
            candidates.push(Vec::new());
            continue;
        };
        let id = def.id_field().name;
        let mut found = Vec::new();
        for (c, col) in cols.iter().enumerate() {
            if !col.unique() || samples.get(t).is_none_or(|s| s.rows.len() < 2) {
                continue;
            }
            let field = table.columns.get(c).and_then(|s| s.field);
            let (could, named) = match field.and_then(|f| def.field(f)) {
                None => (true, names_a_key(&col.header) || reads_as_ids(col)),
                Some(fd) if fd.name == id => (true, true),
                Some(fd) => (fd.ty == FieldType::Text, names_a_key(&col.header)),
            };
            if !could {
                continue;
            }
            // Other tables pointing at a column's values make it a key whatever its header.
            let refs = referenced_by(t, &col.values, tables, profiles);
            if named || refs > 0 {
                found.push((c, refs));
            }
        }
        candidates.push(found);
    }
    let refs_to: Vec<Vec<&HashSet<String>>> = (0..tables.len())
        .map(|t| referring_values(t, tables, profiles))
        .collect();
    for (t, table) in tables.iter_mut().enumerate() {
        let Some(def) = table.kind.map(kind_def) else {
            continue;
        };
        let id = def.id_field().name;
        let Some(cols) = profiles.get(t) else {
            continue;
        };
        let id_col = table.columns.iter().position(|c| c.field == Some(id));
        if let Some(c) = id_col {
            if let Some(by) = referred_instead(c, table, cols, &refs_to[t]) {
                let (header, old) = (cols[by].header.clone(), cols[c].header.clone());
                let col = &mut table.columns[c];
                col.best_guess = Some((id, col.confidence));
                col.field = None;
                col.confidence = 0.0;
                table.key = Key::Columns(vec![header.clone()]);
                keep_as_number(table, by);
                table.key_evidence = Some(format!(
                    "the other tables refer to \"{header}\", never to \"{old}\": \"{header}\" \
                     is unique and serves as the {id}"
                ));
                continue;
            }
            if cols[c].filled >= FILLED && cols[c].distinct >= ID_DISTINCT {
                table.key = Key::Field;
                table.key_evidence = Some(format!(
                    "\"{}\" holds the {id} and its values are unique",
                    cols[c].header
                ));
                continue;
            }
            // Its values repeat: it is no id, whatever its header says.
            let col = &mut table.columns[c];
            col.best_guess = Some((id, col.confidence));
            col.field = None;
            col.confidence = 0.0;
        }
        let mut ranked = candidates[t].clone();
        ranked.retain(|(c, _)| Some(*c) != id_col);
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        // The key fills the id field.
        table.missing_required.retain(|f| *f != id);
        if let Some(&(c, refs)) = ranked.first() {
            let header = cols[c].header.clone();
            table.key = Key::Columns(vec![header.clone()]);
            keep_as_number(table, c);
            table.key_evidence = Some(if refs > 0 {
                format!(
                    "\"{header}\" is unique and {refs} other table(s) refer to its values; it serves as the {id}"
                )
            } else {
                let why = if names_a_key(&header) {
                    "its header names a key"
                } else {
                    "its values read as identifiers"
                };
                format!("\"{header}\" is unique and {why}; it serves as the {id}")
            });
            if let Some(&(other, other_refs)) = ranked.get(1) {
                if other_refs == refs {
                    let alt = cols[other].header.clone();
                    table.questions.push(Question {
                        table: table.table.clone(),
                        column: None,
                        topic: Topic::Key,
                        prompt: "which column identifies this table's rows?".into(),
                        options: vec![header.clone(), alt.clone()],
                        proposed: Some(header.clone()),
                        evidence: format!(
                            "\"{header}\" and \"{alt}\" are both unique and equally referred to."
                        ),
                        setting: format!("key = \"{header}\""),
                    });
                }
            }
            continue;
        }
        if let Some((a, b)) = composite(table, cols, samples.get(t)) {
            let (ha, hb) = (cols[a].header.clone(), cols[b].header.clone());
            table.key_evidence = Some(format!(
                "no column is unique alone; \"{ha}\" and \"{hb}\" are unique together"
            ));
            table.key = Key::Columns(vec![ha, hb]);
            continue;
        }
        table.key = Key::Derived;
        table.key_evidence = Some(
            "no column or pair of columns is unique: ids are derived from the file and row".into(),
        );
    }
}

/// The values of every column of the other tables mapped to a reference to this table's
/// kind: what the export's own references say this kind's keys are.
fn referring_values<'a>(
    t: usize,
    tables: &[TableSuggestion],
    profiles: &'a [Vec<Column>],
) -> Vec<&'a HashSet<String>> {
    let Some(kind) = tables.get(t).and_then(|x| x.kind) else {
        return Vec::new();
    };
    tables
        .iter()
        .zip(profiles)
        .enumerate()
        .filter(|(o, _)| *o != t)
        .flat_map(|(_, (other, cols))| {
            let def = other.kind.map(kind_def);
            other.columns.iter().filter_map(move |c| {
                let fd = def?.field(c.field?)?;
                let refers = matches!(fd.ty, FieldType::Ref(k) if k == kind);
                refers.then(|| cols.get(c.column).map(|col| &col.values))?
            })
        })
        .filter(|values| values.len() >= LINK_DISTINCT)
        .collect()
}

/// A unique column the other tables' references name, when they never name the column the
/// headers took for the id: payments that name their invoices by number ("INV-24001") while
/// the invoices' own "Invoice ID" is an internal 9001. Keyed by the id, every payment would
/// be an orphan.
fn referred_instead(
    id_col: usize,
    table: &TableSuggestion,
    cols: &[Column],
    refs: &[&HashSet<String>],
) -> Option<usize> {
    let id_values = &cols.get(id_col)?.values;
    if refs.is_empty() || refs.iter().any(|r| held_share(r, id_values) >= REFERS) {
        return None;
    }
    let key_like = |c: usize| {
        table.columns.get(c).is_none_or(|s| {
            s.field.is_none()
                || table
                    .kind
                    .map(kind_def)
                    .and_then(|d| d.field(s.field?))
                    .is_some_and(|fd| fd.ty == FieldType::Text)
        })
    };
    cols.iter()
        .enumerate()
        .filter(|(c, col)| *c != id_col && col.unique() && key_like(*c))
        .find(|(_, col)| refs.iter().all(|r| held_share(r, &col.values) >= REFERS))
        .map(|(c, _)| c)
}

/// A key that is the table's only identifier is its number too ("the matter number"): the
/// kind's number field takes it unless another column already holds that field.
fn keep_as_number(table: &mut TableSuggestion, c: usize) {
    let Some(def) = table.kind.map(kind_def) else {
        return;
    };
    let Some(number) = def
        .fields
        .iter()
        .find(|f| f.ty == FieldType::Text && f.name.ends_with("number"))
    else {
        // A kind with no number: an unmapped key column is plainly its id.
        let id = def.id_field().name;
        if let Some(col) = table.columns.get_mut(c).filter(|col| col.field.is_none()) {
            col.field = Some(id);
            col.confidence = col.confidence.max(crate::suggest::DEFAULT_THRESHOLD);
            table.key = Key::Field;
        }
        return;
    };
    if table
        .columns
        .iter()
        .any(|col| col.field == Some(number.name))
    {
        return;
    }
    let Some(col) = table.columns.get_mut(c) else {
        return;
    };
    // A key column a header took for another field ("Matter" for the matter's name) gives
    // that field back to the column that was its runner-up ("Title").
    let displaced = col.field.replace(number.name);
    col.confidence = col.confidence.max(crate::suggest::DEFAULT_THRESHOLD);
    if let Some(freed) = displaced.filter(|f| *f != number.name) {
        give_to_runner_up(table, def, freed);
    }
}

/// One kind's keys across its tables (contacts may span several files).
struct KindKeys {
    kind: migrationai_domain::Kind,
    values: HashSet<String>,
    /// The tables whose keys these are: a table never refers to itself this way.
    owners: Vec<usize>,
    /// The key columns' headers, normalised: a column named like one refers to it.
    headers: Vec<String>,
}

/// Every kind's key values, merged over the tables of that kind.
fn kind_keys(tables: &[TableSuggestion], profiles: &[Vec<Column>]) -> Vec<KindKeys> {
    let mut by_kind: Vec<KindKeys> = Vec::new();
    for (t, (table, cols)) in tables.iter().zip(profiles).enumerate() {
        let Some(kind) = table.kind else { continue };
        let def = kind_def(kind);
        let c = match &table.key {
            Key::Field => table
                .columns
                .iter()
                .position(|c| c.field == Some(def.id_field().name)),
            Key::Columns(h) if h.len() == 1 => cols.iter().position(|c| c.header == h[0]),
            _ => None,
        };
        let Some(col) = c.and_then(|c| cols.get(c)) else {
            continue;
        };
        let header = normalise_header(&col.header);
        match by_kind.iter_mut().find(|k| k.kind == kind) {
            Some(k) => {
                k.values.extend(col.values.iter().cloned());
                k.owners.push(t);
                k.headers.push(header);
            }
            None => by_kind.push(KindKeys {
                kind,
                values: col.values.clone(),
                owners: vec![t],
                headers: vec![header],
            }),
        }
    }
    by_kind
}

/// What a column's values say about the kind it refers to.
struct Link {
    kind: migrationai_domain::Kind,
    /// Share of the column's distinct values that are keys of the kind.
    share: f64,
    /// The header names the key column or the kind ("ActionID" beside a key "ActionID",
    /// "Matter" for matters).
    named: bool,
}

/// The one kind whose keys hold a column's values, when the evidence is strong enough to
/// stand: values that are keys of several kinds (small numbers) say nothing, and values that
/// only happen to fall among numeric keys (quantities 1–30 among ids 1–500) are told apart
/// by the header or by reaching into the keys' upper half as real references do.
fn link_for(t: usize, col: &Column, keys: &[KindKeys]) -> Option<Link> {
    if col.values.is_empty() {
        return None;
    }
    let share = |k: &KindKeys| {
        col.values.iter().filter(|v| k.values.contains(*v)).count() as f64 / col.values.len() as f64
    };
    let holding: Vec<(&KindKeys, f64)> = keys
        .iter()
        .filter(|k| !k.owners.contains(&t))
        .map(|k| (k, share(k)))
        .filter(|(_, s)| *s >= REFERS)
        .collect();
    let [(k, share)] = holding.as_slice() else {
        return None;
    };
    let header = normalise_header(&col.header);
    let words: Vec<&str> = header.split(' ').collect();
    let named = k.headers.contains(&header)
        || kind_def(k.kind)
            .file_words
            .iter()
            .any(|w| !w.contains(' ') && words.contains(w));
    if !named && (col.values.len() < LINK_DISTINCT || !reaches_into(&col.values, &k.values)) {
        return None;
    }
    Some(Link {
        kind: k.kind,
        share: *share,
        named,
    })
}

/// Whether a column's values reach as far into the keys as references would: a sample of
/// references to ids 1..500 reaches past the middle id, while counts that merely fall among
/// them stay at the bottom. Keys that are not all numbers are not ordered: any values do.
fn reaches_into(values: &HashSet<String>, keys: &HashSet<String>) -> bool {
    let numbers = |set: &HashSet<String>| -> Option<Vec<i128>> {
        set.iter().map(|v| v.parse::<i128>().ok()).collect()
    };
    let (Some(vals), Some(mut ks)) = (numbers(values), numbers(keys)) else {
        return true;
    };
    ks.sort_unstable();
    let median = ks.get(ks.len() / 2).copied();
    match (vals.iter().max(), median) {
        (Some(max), Some(median)) => *max >= median,
        _ => false,
    }
}

/// Maps columns to the reference field their values point at: a column whose values are the
/// keys of one kind's tables refers to that kind. That evidence outranks a weaker guess from
/// the header or the values' type, which then gives way (its field goes to the column that
/// was its runner-up, if any); a strong header match or a correct reference stays. Runs once
/// keys are known.
fn link_references(tables: &mut [TableSuggestion], profiles: &[Vec<Column>]) {
    let keys = kind_keys(tables, profiles);
    for (t, table) in tables.iter_mut().enumerate() {
        let Some(def) = table.kind.map(kind_def) else {
            continue;
        };
        let id = def.id_field().name;
        for (c, col) in profiles.get(t).into_iter().flatten().enumerate() {
            let Some(held) = table.columns.get(c) else {
                continue;
            };
            if held.field == Some(id)
                || matches!(&table.key, Key::Columns(h) if h.contains(&col.header))
            {
                continue;
            }
            let Some(link) = link_for(t, col, &keys) else {
                continue;
            };
            let held_ty = held.field.and_then(|f| def.field(f)).map(|f| f.ty);
            if held_ty == Some(FieldType::Ref(link.kind)) {
                continue;
            }
            let confidence = if link.named { LINK_NAMED } else { LINK_VALUES };
            if held.field.is_some() && held.confidence >= confidence {
                continue;
            }
            let Some(fd) = def.fields.iter().find(|fd| {
                fd.ty == FieldType::Ref(link.kind)
                    && !table.columns.iter().any(|x| x.field == Some(fd.name))
            }) else {
                continue;
            };
            let (header_score, matched) =
                best_match(&normalise_header(&col.header), fd.name, fd.synonyms);
            let displaced = held.field;
            let Some(slot) = table.columns.get_mut(c) else {
                continue;
            };
            slot.field = Some(fd.name);
            slot.confidence = confidence;
            slot.best_guess = None;
            slot.evidence = Some(Evidence {
                header_score,
                matched: matched.to_string(),
                value_fit: Some(link.share),
                uniqueness: col.distinct,
                reference_hits: Some(link.share),
            });
            table.missing_required.retain(|f| *f != fd.name);
            if let Some(freed) = displaced {
                give_to_runner_up(table, def, freed);
            }
        }
    }
}

/// A field a reference displaced goes to a column whose best guess it was, or is missing.
fn give_to_runner_up(
    table: &mut TableSuggestion,
    def: &migrationai_domain::catalogue::KindDef,
    field: &'static str,
) {
    let runner_up = table
        .columns
        .iter_mut()
        .filter(|c| c.field.is_none())
        .filter_map(|c| {
            let (guess, conf) = c.best_guess?;
            (guess == field && conf >= crate::suggest::DEFAULT_THRESHOLD).then_some((c, conf))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((c, conf)) = runner_up {
        c.field = Some(field);
        c.confidence = conf;
        c.best_guess = None;
    } else if def.field(field).is_some_and(|f| f.required) {
        table.missing_required.push(field);
    }
}

/// How many other tables have a column whose values are this key's values.
fn referenced_by(
    t: usize,
    key: &HashSet<String>,
    tables: &[TableSuggestion],
    profiles: &[Vec<Column>],
) -> usize {
    profiles
        .iter()
        .enumerate()
        .filter(|(o, _)| *o != t && tables[*o].kind.is_some())
        .filter(|(_, cols)| {
            cols.iter().any(|c| {
                !c.values.is_empty()
                    && c.values.iter().filter(|v| key.contains(*v)).count() as f64
                        >= REFERS * c.values.len() as f64
            })
        })
        .count()
}

/// Two columns unique together: a reference to a parent and a number within it.
fn composite(
    table: &TableSuggestion,
    cols: &[Column],
    sample: Option<&TableSample>,
) -> Option<(usize, usize)> {
    let sample = sample?;
    if sample.rows.len() < 2 {
        return None;
    }
    let def = table.kind.map(kind_def)?;
    let parents: Vec<usize> = table
        .columns
        .iter()
        .filter(|c| {
            c.field
                .and_then(|f| def.field(f))
                .is_some_and(|fd| matches!(fd.ty, FieldType::Ref(_)))
        })
        .map(|c| c.column)
        .collect();
    let numbers: Vec<usize> = cols
        .iter()
        .enumerate()
        .filter(|(c, col)| {
            col.filled >= FILLED
                && names_a_key(&col.header)
                && table.columns.get(*c).is_some_and(|s| s.field.is_none())
        })
        .map(|(c, _)| c)
        .collect();
    for &a in &parents {
        for &b in &numbers {
            if cols[a].filled < FILLED {
                continue;
            }
            let mut seen = HashSet::new();
            let unique = sample.rows.iter().all(|r| {
                let va = r.get(a).map(|v| v.trim()).unwrap_or("");
                let vb = r.get(b).map(|v| v.trim()).unwrap_or("");
                seen.insert((va, vb))
            });
            if unique {
                return Some((a, b));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_headers() {
        for h in [
            "Matter No.",
            "Invoice #",
            "casenum",
            "names_id",
            "Matter Code",
            "ID",
        ] {
            assert!(names_a_key(h), "{h}");
        }
        for h in ["Description", "Amount", "Name", "Piano"] {
            assert!(!names_a_key(h), "{h}");
        }
    }

    /// Two tables of no kind: `parent` keyed by codes, `child` naming them in `refs`.
    fn parent_of(refs: &[&str]) -> Vec<Option<ParentKey>> {
        let sample = |name: &str, headers: [&str; 2], rows: Vec<[String; 2]>| TableSample {
            name: name.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: rows.into_iter().map(Vec::from).collect(),
        };
        let samples = [
            sample(
                "alpha.csv",
                ["Code", "Label"],
                (1..=8)
                    .map(|i| [format!("X-{i}"), format!("thing {i}")])
                    .collect(),
            ),
            sample(
                "beta.csv",
                ["Pointer", "Seq"],
                refs.iter()
                    .enumerate()
                    .map(|(i, r)| [r.to_string(), i.to_string()])
                    .collect(),
            ),
        ];
        let tables: Vec<TableSuggestion> = samples
            .iter()
            .map(|s| {
                let mut t = crate::suggest::suggest_table(s, crate::suggest::DEFAULT_THRESHOLD);
                t.kind = None;
                t
            })
            .collect();
        parent_keys(&tables, &samples)
    }

    /// Many rows naming one code make the codes a parent's key; one row per code says nothing
    /// of which side is the parent.
    #[test]
    fn a_parent_key_is_named_by_many_rows() {
        let many = ["X-1", "X-2", "X-2", "X-5", "X-7", "X-8", "X-8", "X-3"];
        let found = parent_of(&many);
        assert_eq!(
            found[0],
            Some(ParentKey {
                column: 0,
                referrers: 1,
                share: 1.0
            })
        );
        assert_eq!(found[1], None);
        let one_each = ["X-1", "X-2", "X-3", "X-4", "X-5", "X-6", "X-7", "X-8"];
        assert_eq!(parent_of(&one_each)[0], None);
    }

    fn column(header: &str, values: impl IntoIterator<Item = u64>) -> Column {
        let values: HashSet<String> = values.into_iter().map(|v| v.to_string()).collect();
        Column {
            header: header.into(),
            filled: 1.0,
            distinct: 1.0,
            longest: 3,
            values,
        }
    }

    fn matters(keys: impl IntoIterator<Item = u64>) -> KindKeys {
        KindKeys {
            kind: migrationai_domain::Kind::Projects,
            values: keys.into_iter().map(|v| v.to_string()).collect(),
            owners: vec![0],
            headers: vec![normalise_header("DossierID")],
        }
    }

    /// Counts 1..=12 all fall among ids 1..=300, yet are no reference: they never reach past
    /// the low end of the ids as a sample of real references does.
    #[test]
    fn small_numbers_among_numeric_keys_are_not_references() {
        let keys = [matters(1..=300)];
        assert!(link_for(1, &column("Bundle Count", 1..=12), &keys).is_none());
        // Real references reach across the ids.
        let refs = column("Parent", [3, 17, 44, 90, 151, 208, 260, 297]);
        let link = link_for(1, &refs, &keys).expect("a link");
        assert!(!link.named);
        // A header naming the key links even a few low ids.
        let named = link_for(1, &column("DossierID", 1..=12), &keys).expect("a link");
        assert!(named.named);
        // A table never refers to its own key, and too few values say nothing alone.
        assert!(link_for(0, &refs, &keys).is_none());
        assert!(link_for(1, &column("Parent", [151, 297]), &keys).is_none());
        // Values that are keys of two kinds point at neither.
        let mut contacts = matters(1..=300);
        contacts.kind = migrationai_domain::Kind::Contacts;
        contacts.owners = vec![2];
        assert!(link_for(1, &refs, &[matters(1..=300), contacts]).is_none());
    }
}
