//! References written as the parent's name: a matters export whose "Client" column holds
//! "Cynthia Myers" or "Ivesburn Capital LLP" rather than the contact's id, as many practice
//! systems print it. Read as ids, every such matter is an orphan and everything under it is
//! lost with it.
//!
//! A reference column is read by name when its values are the names its parent's rows
//! render (in one or more forms: "{first_name} {last_name}", "{last_name}, {first_name}",
//! "{organization}", any text field of the parent) and not the parent's keys. The mapping
//! file says so (`by_name = { "Client" = ["{first_name} {last_name}"] }`). The planner reads
//! the parent's tables once, whole, into a [`NameIndex`], and each name becomes the id of the
//! one parent row that renders it. A name two parents share names neither: the row is
//! rejected with both ids, never linked to a guess. A name no parent renders stays as
//! written and is an orphan, as an unknown id is.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use migrationai_domain::catalogue::{kind_def, FieldType, KindDef};
use migrationai_domain::Kind;

use crate::columns::{TableSample, SAMPLE_ROWS};
use crate::mapping::{Key, Mapping};
use crate::read::{ReadOptions, SourceRow};
use crate::suggest::TableSuggestion;
use crate::tables::{list_tables, open_mapped};
use crate::transform::RowMapper;
use crate::Export;

/// Names found among a column's values, at least, before it is read by name.
const FEW: usize = 3;
/// Share of a column's values that must be names when the parent was sampled whole.
const MOST: f64 = 0.5;
/// Name hits per key hit, at least: a column of ids that happens to hold a name is ids.
const OVER_KEYS: usize = 10;
/// Forms kept per column.
const FORMS: usize = 4;

/// A way a parent row writes its name: fields in braces, with the text between them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Form {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Piece {
    Text(String),
    Field(&'static str),
}

impl Form {
    /// Reads "{last_name}, {first_name}" against the parent's fields.
    pub fn parse(text: &str, parent: &KindDef) -> Result<Form, String> {
        let mut pieces = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("\"{text}\": a '{{' is never closed"))?;
            let name = after[..close].trim();
            let field = parent
                .field(name)
                .ok_or_else(|| format!("\"{name}\" is not a field of kind {}", parent.kind))?;
            pieces.push(Piece::Field(field.name));
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_string()));
        }
        if !pieces.iter().any(|p| matches!(p, Piece::Field(_))) {
            return Err(format!("\"{text}\" names no field in braces"));
        }
        Ok(Form { pieces })
    }

    fn of(fields: &[&'static str], between: &str) -> Form {
        let mut pieces = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                pieces.push(Piece::Text(between.to_string()));
            }
            pieces.push(Piece::Field(f));
        }
        Form { pieces }
    }

    /// Whether the form is the parent's key alone (ids written another way, not names).
    pub fn is_key(&self, parent: &KindDef) -> bool {
        matches!(self.pieces.as_slice(), [Piece::Field(f)] if *f == parent.id_field().name)
    }

    /// The name a row renders, normalised; `None` when a field it needs is empty.
    fn render(&self, value: impl Fn(&str) -> Option<String>) -> Option<String> {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(f) => out.push_str(value(f).filter(|v| !v.trim().is_empty())?.trim()),
            }
        }
        Some(normalise(&out))
    }
}

impl std::fmt::Display for Form {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.pieces {
            match p {
                Piece::Text(t) => f.write_str(t)?,
                Piece::Field(name) => write!(f, "{{{name}}}")?,
            }
        }
        Ok(())
    }
}

impl serde::Serialize for Form {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Names compare without case and with runs of spaces as one; a name of digits alone
/// compares as its number, as a spreadsheet that opened the file saves it ("000128" is
/// "128").
pub fn normalise(name: &str) -> String {
    let name = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
        let number = name.trim_start_matches('0');
        return if number.is_empty() { "0" } else { number }.to_string();
    }
    name
}

/// A reference column read by name: its header and the forms its parent's names take.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NameRef {
    pub header: String,
    pub forms: Vec<Form>,
}

/// The forms a parent's rows may write their names in: each of its text fields the table
/// maps, and a person's name in the orders people write it.
fn candidate_forms(parent: &TableSuggestion, def: &KindDef) -> Vec<Form> {
    let mapped: Vec<&'static str> = parent
        .columns
        .iter()
        .filter_map(|c| c.field)
        .filter(|f| def.field(f).is_some_and(|fd| fd.ty == FieldType::Text))
        .collect();
    let has = |f: &str| mapped.contains(&f);
    let mut forms: Vec<Form> = mapped.iter().map(|f| Form::of(&[f], "")).collect();
    // The key itself, compared as names compare: a child that lost the keys' leading zeros
    // or their case still names each parent once. A column of the keys as written is never
    // read this way (it hits the keys themselves; see `names_of`).
    let id = def.id_field().name;
    if matches!(parent.key, Key::Field) && parent.columns.iter().any(|c| c.field == Some(id)) {
        forms.push(Form::of(&[id], ""));
    }
    if has("first_name") && has("last_name") {
        forms.push(Form::of(&["first_name", "last_name"], " "));
        forms.push(Form::of(&["last_name", "first_name"], ", "));
        if has("middle_name") {
            forms.push(Form::of(&["first_name", "middle_name", "last_name"], " "));
        }
    }
    forms
}

/// Reads each mapped reference column whose values are its parent's names by name (run
/// once keys are known).
pub fn settle(tables: &mut [TableSuggestion], samples: &[TableSample]) {
    let mut found: Vec<(usize, NameRef)> = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        let (Some(def), Some(sample)) = (table.kind.map(kind_def), samples.get(t)) else {
            continue;
        };
        for col in &table.columns {
            let Some(FieldType::Ref(parent)) = col.field.and_then(|f| def.field(f)).map(|f| f.ty)
            else {
                continue;
            };
            let values: HashSet<String> = sample
                .rows
                .iter()
                .filter_map(|r| r.get(col.column))
                .filter(|v| !v.trim().is_empty())
                .map(|v| v.trim().to_string())
                .collect();
            if values.len() < FEW {
                continue;
            }
            if let Some(forms) = names_of(parent, &values, tables, samples) {
                found.push((
                    t,
                    NameRef {
                        header: col.header.clone(),
                        forms,
                    },
                ));
            }
        }
    }
    for (t, name_ref) in found {
        if let Some(table) = tables.get_mut(t) {
            table.by_name.push(name_ref);
        }
    }
}

/// The forms of `parent`'s names that `values` are written in, when they are names rather
/// than keys.
fn names_of(
    parent: Kind,
    values: &HashSet<String>,
    tables: &[TableSuggestion],
    samples: &[TableSample],
) -> Option<Vec<Form>> {
    let def = kind_def(parent);
    let normalised: HashSet<String> = values.iter().map(|v| normalise(v)).collect();
    let mut keys: HashSet<&str> = HashSet::new();
    let mut rendered: HashMap<Form, HashSet<String>> = HashMap::new();
    let mut whole = true;
    for (p, table) in tables.iter().enumerate() {
        let Some(sample) = samples.get(p).filter(|_| table.kind == Some(parent)) else {
            continue;
        };
        whole &= sample.rows.len() < SAMPLE_ROWS;
        let id = table
            .columns
            .iter()
            .find(|c| c.field == Some(def.id_field().name))
            .map(|c| c.column);
        let key_columns: Vec<usize> = match (&table.key, id) {
            (Key::Field, Some(c)) => vec![c],
            (Key::Columns(h), _) => table
                .columns
                .iter()
                .filter(|c| h.contains(&c.header))
                .map(|c| c.column)
                .collect(),
            _ => Vec::new(),
        };
        let forms = candidate_forms(table, def);
        for row in &sample.rows {
            for c in &key_columns {
                if let Some(k) = row.get(*c) {
                    keys.insert(k.trim());
                }
            }
            let value = |f: &str| {
                let c = table.columns.iter().find(|c| c.field == Some(f))?;
                row.get(c.column).cloned()
            };
            for form in &forms {
                if let Some(name) = form.render(value) {
                    rendered.entry(form.clone()).or_default().insert(name);
                }
            }
        }
    }
    let key_hits = values.iter().filter(|v| keys.contains(v.as_str())).count();
    // The forms that explain the most names first, each kept only for names the ones
    // before it did not explain.
    let mut by_hits: Vec<(Form, HashSet<&String>)> = rendered
        .iter()
        .map(|(form, names)| {
            let hits: HashSet<&String> = normalised.iter().filter(|v| names.contains(*v)).collect();
            (form.clone(), hits)
        })
        .filter(|(_, hits)| !hits.is_empty())
        .collect();
    by_hits.sort_by(|a, b| {
        b.1.len()
            .cmp(&a.1.len())
            .then_with(|| a.0.to_string().cmp(&b.0.to_string()))
    });
    let mut explained: HashSet<&String> = HashSet::new();
    let mut forms = Vec::new();
    for (form, hits) in by_hits {
        if forms.len() < FORMS && hits.iter().any(|h| !explained.contains(h)) {
            explained.extend(hits);
            forms.push(form);
        }
    }
    let hits = explained.len();
    let enough = match whole {
        true => hits as f64 >= MOST * values.len() as f64,
        false => true,
    };
    (hits >= FEW && enough && hits >= OVER_KEYS * key_hits).then_some(forms)
}

/// What a name stands for among a parent's rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Named {
    One(String),
    /// Two or more rows render it (their ids, the first few).
    Several(Vec<String>),
}

/// Every name a parent kind's rows render, in the given forms, to the row's source id.
#[derive(Debug, Default)]
pub struct NameIndex {
    names: HashMap<String, Named>,
}

/// Ids named for a name several rows share.
const SHOWN: usize = 3;

impl NameIndex {
    fn add(&mut self, name: String, id: &str) {
        match self.names.get_mut(&name) {
            None => {
                self.names.insert(name, Named::One(id.to_string()));
            }
            Some(Named::One(first)) if first != id => {
                let first = std::mem::take(first);
                self.names
                    .insert(name, Named::Several(vec![first, id.to_string()]));
            }
            Some(Named::Several(ids)) if ids.len() < SHOWN && !ids.iter().any(|i| i == id) => {
                ids.push(id.to_string())
            }
            Some(_) => {}
        }
    }

    pub fn get(&self, name: &str) -> Option<&Named> {
        self.names.get(&normalise(name))
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The name indexes a mapping's by-name references need, built by reading each parent
/// kind's tables once.
#[derive(Debug, Default, Clone)]
pub struct Lookups {
    built: Vec<(Kind, Vec<Form>, Arc<NameIndex>)>,
}

impl Lookups {
    pub fn build(export: &Export, mapping: &Mapping) -> Lookups {
        let mut lookups = Lookups::default();
        let (tables, _) = list_tables(export);
        for fm in &mapping.files {
            let Some(def) = fm.kind.map(kind_def) else {
                continue;
            };
            for r in &fm.by_name {
                let Some(parent) = ref_kind(&fm.columns, def, &r.header) else {
                    continue;
                };
                if lookups.index(parent, &r.forms).is_some() {
                    continue;
                }
                let mut index = NameIndex::default();
                for pfm in mapping.files.iter().filter(|f| f.kind == Some(parent)) {
                    let Some(table) = tables.iter().find(|t| t.name == pfm.source()) else {
                        continue;
                    };
                    let read = ReadOptions {
                        encoding: pfm.encoding,
                        ..ReadOptions::default()
                    };
                    // An unreadable parent is the planner's to report; its names stay unknown.
                    let Ok(mut reader) = open_mapped(export, table, pfm, &read) else {
                        continue;
                    };
                    let headers = reader.headers().to_vec();
                    let Some(mapper) = RowMapper::new(mapping, pfm, &headers) else {
                        continue;
                    };
                    let mut row = SourceRow::default();
                    while let Some(read) = reader.read_into(&mut row) {
                        if read.is_err() {
                            continue;
                        }
                        let Some(id) = mapper.source_key(row.row, &row.values) else {
                            continue;
                        };
                        let value = |f: &str| {
                            let (i, _) = mapper.positions.iter().find(|(_, p)| *p == f)?;
                            row.values.get(*i).cloned()
                        };
                        for form in &r.forms {
                            if let Some(name) = form.render(value) {
                                index.add(name, &id);
                            }
                        }
                    }
                }
                lookups
                    .built
                    .push((parent, r.forms.clone(), Arc::new(index)));
            }
        }
        lookups
    }

    pub fn index(&self, parent: Kind, forms: &[Form]) -> Option<Arc<NameIndex>> {
        self.built
            .iter()
            .find(|(k, f, _)| *k == parent && f == forms)
            .map(|(_, _, i)| i.clone())
    }
}

/// The kind the column `header` of a table refers to, when it is mapped to a reference.
pub fn ref_kind(
    columns: &[(String, Option<&'static str>)],
    def: &KindDef,
    header: &str,
) -> Option<Kind> {
    let (_, field) = columns.iter().find(|(h, _)| h == header)?;
    match def.field((*field)?)?.ty {
        FieldType::Ref(parent) => Some(parent),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suggest::suggest_table;

    fn contacts() -> TableSample {
        let people = [
            ("C01", "Ada", "Lovelace", ""),
            ("C02", "Grace", "Hopper", ""),
            ("C03", "", "", "Analytical Engines Ltd"),
            ("C04", "Alan", "Turing", ""),
            ("C05", "Alan", "Turing", ""),
            ("C06", "Edsger", "Dijkstra", ""),
        ];
        TableSample {
            name: "Contacts.csv".into(),
            headers: ["Contact ID", "First Name", "Last Name", "Company", "Email"]
                .map(String::from)
                .to_vec(),
            rows: people
                .iter()
                .map(|(id, first, last, company)| {
                    vec![
                        id.to_string(),
                        first.to_string(),
                        last.to_string(),
                        company.to_string(),
                        format!("{}{}@example.com", first.to_lowercase(), id),
                    ]
                })
                .collect(),
        }
    }

    fn matters(clients: &[&str]) -> TableSample {
        TableSample {
            name: "Matters.csv".into(),
            headers: ["Matter ID", "Matter Name", "Client ID", "Open Date"]
                .map(String::from)
                .to_vec(),
            rows: clients
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    vec![
                        format!("M{i:03}"),
                        format!("Matter {i}"),
                        c.to_string(),
                        "2024-03-05".into(),
                    ]
                })
                .collect(),
        }
    }

    fn settled(clients: &[&str]) -> Vec<TableSuggestion> {
        settled_with(contacts(), clients)
    }

    fn settled_with(contacts: TableSample, clients: &[&str]) -> Vec<TableSuggestion> {
        let samples = vec![contacts, matters(clients)];
        let mut tables: Vec<TableSuggestion> =
            samples.iter().map(|s| suggest_table(s, 0.7)).collect();
        crate::keys::infer(&mut tables, &samples);
        settle(&mut tables, &samples);
        tables
    }

    #[test]
    fn a_reference_column_of_names_is_read_by_name_in_the_forms_it_uses() {
        let tables = settled(&[
            "Lovelace, Ada",
            "Hopper, Grace",
            "Analytical Engines Ltd",
            "Lovelace, Ada",
            "Dijkstra, Edsger",
        ]);
        assert_eq!(tables[1].kind, Some(Kind::Projects));
        let forms: Vec<String> = tables[1]
            .by_name
            .iter()
            .flat_map(|r| r.forms.iter().map(|f| format!("{}: {f}", r.header)))
            .collect();
        assert_eq!(
            forms,
            [
                "Client ID: {last_name}, {first_name}",
                "Client ID: {organization}"
            ]
        );
        assert!(tables[0].by_name.is_empty());

        let mapping = Mapping::from_suggestions(&tables);
        let toml = mapping.to_toml(&[]);
        assert!(
            toml.contains(
                r#"by_name = { "Client ID" = ["{last_name}, {first_name}", "{organization}"] }"#
            ),
            "{toml}"
        );
        let again = Mapping::parse("m.toml", &toml).expect("round trip");
        assert_eq!(again.files[1].by_name, mapping.files[1].by_name);
    }

    #[test]
    fn a_reference_column_of_ids_is_never_read_by_name() {
        let tables = settled(&["C01", "C02", "C03", "C01", "C06"]);
        assert!(tables[1].by_name.is_empty(), "{:?}", tables[1].by_name);
    }

    #[test]
    fn ids_that_lost_their_leading_zeros_are_read_as_the_keys_they_were() {
        // Contacts keep "000101"; the matters file went through a spreadsheet.
        let numbered = || {
            let mut people = contacts();
            for (i, row) in people.rows.iter_mut().enumerate() {
                row[0] = format!("{:06}", 101 + i);
            }
            people
        };
        let tables = settled_with(numbered(), &["101", "102", "103", "101", "106"]);
        let forms: Vec<String> = tables[1]
            .by_name
            .iter()
            .flat_map(|r| r.forms.iter().map(|f| format!("{}: {f}", r.header)))
            .collect();
        assert_eq!(forms, ["Client ID: {contact_id}"]);
        let parent = kind_def(Kind::Contacts);
        assert!(tables[1].by_name[0].forms[0].is_key(parent));
        let mut index = NameIndex::default();
        index.add(normalise("000101"), "000101");
        index.add(normalise("000110"), "000110");
        assert_eq!(index.get("101"), Some(&Named::One("000101".into())));
        assert_eq!(index.get("0110"), Some(&Named::One("000110".into())));
        assert_eq!(index.get("1010"), None);
        // The keys as written stay ids.
        let tables = settled_with(numbered(), &["000101", "000102", "000103", "000106"]);
        assert!(tables[1].by_name.is_empty(), "{:?}", tables[1].by_name);
    }

    #[test]
    fn a_mapping_file_naming_a_field_the_parent_lacks_is_refused() {
        let tables = settled(&["Ada Lovelace", "Grace Hopper", "Edsger Dijkstra"]);
        let toml = Mapping::from_suggestions(&tables)
            .to_toml(&[])
            .replace("{first_name} {last_name}", "{nickname}");
        let e = Mapping::parse("m.toml", &toml).expect_err("no such field");
        assert!(e.to_string().contains("\"nickname\" is not a field"), "{e}");
    }

    #[test]
    fn a_name_two_rows_share_names_neither() {
        let mut index = NameIndex::default();
        let form = Form::parse("{first_name} {last_name}", kind_def(Kind::Contacts)).expect("form");
        let row = |first: &str, last: &str| {
            let (first, last) = (first.to_string(), last.to_string());
            move |f: &str| match f {
                "first_name" => Some(first.clone()),
                "last_name" => Some(last.clone()),
                _ => None,
            }
        };
        for (id, first, last) in [("C04", "Alan", "Turing"), ("C05", "Alan", "Turing")] {
            if let Some(name) = form.render(row(first, last)) {
                index.add(name, id);
            }
        }
        index.add(normalise("Ada  LOVELACE"), "C01");
        assert_eq!(index.get("ada lovelace"), Some(&Named::One("C01".into())));
        assert_eq!(
            index.get(" Alan Turing "),
            Some(&Named::Several(vec!["C04".into(), "C05".into()]))
        );
        assert_eq!(index.get("Alan"), None);
        assert_eq!(form.render(row("", "Turing")), None);
    }
}
