//! Records of a kind the export has no table of, read from a table that writes them inline.
//!
//! A flat matter list carries each matter's client in columns of its own row (a name, an
//! email, a phone) and comes with no contacts file. Read only as references, every matter
//! would name a contact that is not in the export, and be rejected with everything under it.
//!
//! So when a table's reference column holds names and the export has no table of the kind
//! it refers to, that kind's records are read from the same table: the reference column is
//! each record's name and key, and the table's columns that no field of its own kind takes
//! are mapped onto the referred kind's fields where they fit (an email, a phone). Each
//! distinct record is read once (see `read::distinct`), under the name "Matters.csv
//! (contacts)", and the references link to it as to any key. Nothing here looks at what a
//! header says beyond the scores every table gets.

use migrationai_domain::catalogue::{kind_def, FieldType, KindDef};
use migrationai_domain::Kind;

use crate::by_values::reads_as_name;
use crate::columns::TableSample;
use crate::mapping::Key;
use crate::read::comparable;
use crate::suggest::{suggest_as, ColumnSuggestion, TableSuggestion};

/// Distinct names a reference column must show to be read as records.
const FEW: usize = 3;
/// Share of those that must read as names: a column of codes ("C-0042") names no one.
const NAMES: f64 = 0.9;

/// The name records read from `source` go by: "Matters.csv (contacts)".
pub fn name(source: &str, kind: Kind) -> String {
    format!("{source} ({kind})")
}

/// Adds a proposal, with its sample, for each kind some table refers to by name that the
/// export has no table of (run once kinds and keys are settled). When several tables name
/// such records (matters and invoices both name clients), they are read from the one that
/// writes the most of them, with the most fields: a matter list names every client, the
/// invoices only those billed.
pub fn settle(tables: &mut Vec<TableSuggestion>, samples: &mut Vec<TableSample>, threshold: f64) {
    let mut best: Vec<((usize, usize), Derived)> = Vec::new();
    for (t, (table, sample)) in tables.iter().zip(samples.iter()).enumerate() {
        let Some(def) = table.kind.map(kind_def).filter(|_| table.from.is_none()) else {
            continue;
        };
        for c in &table.columns {
            let Some(FieldType::Ref(parent)) = c.field.and_then(|f| def.field(f)).map(|f| f.ty)
            else {
                continue;
            };
            if tables.iter().any(|s| s.kind == Some(parent)) {
                continue;
            }
            let Some(names) = names(sample, c.column) else {
                continue;
            };
            let Some(found) = derive(t, table, sample, c.column, parent, threshold) else {
                continue;
            };
            let fields = found
                .records
                .columns
                .iter()
                .filter(|c| c.field.is_some())
                .count();
            let score = (names, fields);
            match best
                .iter_mut()
                .find(|(_, b)| b.records.kind == Some(parent))
            {
                Some(b) if b.0 >= score => {}
                Some(b) => *b = (score, found),
                None => best.push((score, found)),
            }
        }
    }
    for (_, found) in best {
        if let Some(source) = tables.get_mut(found.source) {
            for c in source.columns.iter_mut() {
                if found.moved.contains(&c.column) {
                    if let Some(f) = c.field.take() {
                        c.best_guess = Some((f, c.confidence));
                        c.confidence = 0.0;
                    }
                }
            }
        }
        tables.push(found.records);
        samples.push(found.sample);
    }
}

/// A kind's records found written inline in a table.
struct Derived {
    /// The table they are read from, by position.
    source: usize,
    records: TableSuggestion,
    sample: TableSample,
    /// Columns of the source that its own kind took, that fit the records' kind better
    /// (a client's email read as the matter's client reference): they move.
    moved: Vec<usize>,
}

/// How many distinct names a column holds, when its values are names rather than codes.
fn names(sample: &TableSample, column: usize) -> Option<usize> {
    let mut values: Vec<&str> = sample
        .rows
        .iter()
        .filter_map(|r| r.get(column))
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    values.sort_unstable();
    values.dedup();
    let named = values.iter().filter(|v| reads_as_name(v)).count();
    (values.len() >= FEW && named as f64 >= NAMES * values.len() as f64).then_some(values.len())
}

/// The proposal for `parent`'s records written in `table`'s column `column` and the
/// columns no field of the table's own kind takes; `None` when they cannot make records
/// (a field the kind requires is nowhere).
fn derive(
    source: usize,
    table: &TableSuggestion,
    sample: &TableSample,
    column: usize,
    parent: Kind,
    threshold: f64,
) -> Option<Derived> {
    let def = kind_def(parent);
    let own = table.kind.map(kind_def)?;
    // A column the table's own kind needs stays: its key, its references, what it requires.
    let movable = |c: &ColumnSuggestion| match c.field.and_then(|f| own.field(f)) {
        None => true,
        Some(fd) => {
            !fd.required
                && fd.name != own.id_field().name
                && !matches!(fd.ty, FieldType::Ref(_) | FieldType::RefList(_))
                && !matches!(&table.key, Key::Columns(h) if h.contains(&c.header))
        }
    };
    let picked: Vec<usize> = std::iter::once(column)
        .chain(
            table
                .columns
                .iter()
                .filter(|c| c.column != column && movable(c))
                .map(|c| c.column),
        )
        .collect();
    let cell = |row: &Vec<String>, i: usize| row.get(i).cloned().unwrap_or_default();
    let part = TableSample {
        name: name(&table.table, parent),
        headers: picked
            .iter()
            .map(|&i| sample.headers.get(i).cloned().unwrap_or_default())
            .collect(),
        rows: sample
            .rows
            .iter()
            .map(|r| picked.iter().map(|&i| cell(r, i)).collect())
            .collect(),
    };
    let mut proposed = suggest_as(&part, threshold, parent);
    let id = def.id_field().name;
    let named = proposed
        .columns
        .first()
        .and_then(|c| c.field)
        .filter(|f| def.field(f).is_some_and(|fd| fd.ty == FieldType::Text))
        .or_else(|| name_field(def))?;
    let reference = table.columns.iter().find(|c| c.column == column)?;
    let header = reference.header.clone();
    let mut columns: Vec<ColumnSuggestion> = table
        .columns
        .iter()
        .map(|c| ColumnSuggestion {
            column: c.column,
            header: c.header.clone(),
            field: None,
            confidence: 0.0,
            evidence: None,
            best_guess: None,
            examples: c.examples.clone(),
        })
        .collect();
    let mut moved = Vec::new();
    for (j, proposal) in proposed.columns.iter().enumerate() {
        let Some(&i) = picked.get(j) else {
            continue;
        };
        // A column its own table took moves only when it fits the records better.
        let held = table
            .columns
            .iter()
            .find(|c| c.column == i && c.field.is_some())
            .map(|c| c.confidence);
        let field = match j {
            0 => Some(named),
            _ => proposal
                .field
                .filter(|f| *f != named && *f != id)
                .filter(|_| held.is_none_or(|h| proposal.confidence > h))
                .filter(|_| describes(sample, column, i, proposal)),
        };
        if field.is_none() {
            continue;
        }
        if j > 0 && held.is_some() {
            moved.push(i);
        }
        if let Some(c) = columns.iter_mut().find(|c| c.column == i) {
            c.field = field;
            c.confidence = match j {
                0 => reference.confidence,
                _ => proposal.confidence,
            };
            c.evidence = proposal.evidence.clone();
            c.best_guess = proposal.best_guess;
        }
    }
    let mapped = |f: &str| f == id || columns.iter().any(|c| c.field == Some(f));
    if !def.unmet(mapped).is_empty() {
        return None;
    }
    // The kind is the reference's, as sure as the reference column is.
    proposed.kind_confidence = reference.confidence;
    proposed.kind_scores = vec![(parent, proposed.kind_confidence)];
    proposed.missing_required = Vec::new();
    proposed.columns = columns;
    proposed.key = Key::Columns(vec![header.clone()]);
    proposed.key_evidence = Some(format!(
        "the export has no {parent} file, and \"{header}\" in {} names a {parent} record on \
         each row: each distinct one is read once, keyed by its name",
        table.table
    ));
    proposed.from = Some(table.table.clone());
    proposed.table = part.name.clone();
    let whole = TableSample {
        name: part.name,
        headers: sample.headers.clone(),
        rows: sample.rows.clone(),
    };
    Some(Derived {
        source,
        records: proposed,
        sample: whole,
        moved,
    })
}

/// Share of the repeated names on whose rows a column may hold more than one value and still
/// describe the named record: namesakes and typos. A column describing the rows varies on
/// most of them.
const VARIES: f64 = 0.25;
/// Header likeness a column needs to describe the named record when no name repeats in the
/// sample to show it.
const HEADER_ALONE: f64 = 0.5;

/// Whether column `i` describes the record column `named` names: the same value on every
/// row naming the same record (a client's email on each of their matters), where the sample
/// repeats names; a note's "Pinned" flag varies from note to note and describes the note.
fn describes(sample: &TableSample, named: usize, i: usize, proposal: &ColumnSuggestion) -> bool {
    // Values compare as two rows of one record's do: "617.943.7178" is "(617) 943-7178".
    let mut first: std::collections::HashMap<&str, (String, bool)> = Default::default();
    let (mut repeated, mut varied) = (0usize, 0usize);
    for row in &sample.rows {
        let (Some(name), Some(value)) = (row.get(named), row.get(i)) else {
            continue;
        };
        let (name, value) = (name.trim(), comparable(value));
        if name.is_empty() || value.is_empty() {
            continue;
        }
        match first.get_mut(name) {
            None => {
                first.insert(name, (value, false));
            }
            Some((seen, counted)) => {
                if !*counted {
                    *counted = true;
                    repeated += 1;
                }
                if *seen != value {
                    varied += 1;
                    *seen = value;
                }
            }
        }
    }
    match repeated {
        0 => proposal
            .evidence
            .as_ref()
            .is_some_and(|e| e.header_score >= HEADER_ALONE),
        _ => varied as f64 <= VARIES * repeated as f64,
    }
}

/// The field a record's name goes in when nothing says which: the first of the kind's
/// "some name" group, else its first required text field.
fn name_field(def: &KindDef) -> Option<&'static str> {
    def.one_of
        .first()
        .and_then(|g| g.first().copied())
        .or_else(|| {
            def.fields
                .iter()
                .find(|f| f.required && f.ty == FieldType::Text)
                .map(|f| f.name)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::Mapping;
    use crate::suggest::suggest_table;

    fn matters(clients: &[&str]) -> TableSample {
        TableSample {
            name: "Matters.csv".into(),
            headers: [
                "Matter Number",
                "Matter Name",
                "Client",
                "Client Email",
                "Client Phone",
                "Open Date",
            ]
            .map(String::from)
            .to_vec(),
            rows: clients
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let mail = c.to_lowercase().replace(' ', ".");
                    vec![
                        format!("2024-{i:03}"),
                        format!("Matter {i}"),
                        c.to_string(),
                        format!("{mail}@example.com"),
                        // A client's phone, the same on each of their matters.
                        format!(
                            "(212) 555-{:04}",
                            1000 + clients.iter().position(|x| x == c).unwrap_or(i)
                        ),
                        "2024-03-05".into(),
                    ]
                })
                .collect(),
        }
    }

    fn settled(samples: Vec<TableSample>) -> Vec<TableSuggestion> {
        let mut samples = samples;
        let mut tables: Vec<TableSuggestion> =
            samples.iter().map(|s| suggest_table(s, 0.7)).collect();
        crate::keys::infer(&mut tables, &samples);
        settle(&mut tables, &mut samples, 0.7);
        assert_eq!(tables.len(), samples.len());
        tables
    }

    const CLIENTS: [&str; 5] = [
        "Ada Lovelace",
        "Grace Hopper",
        "Alan Turing",
        "Ada Lovelace",
        "Analytical Engines Ltd",
    ];

    #[test]
    fn clients_written_on_a_matter_list_with_no_contacts_file_are_read_as_contacts() {
        let tables = settled(vec![matters(&CLIENTS)]);
        assert_eq!(tables.len(), 2, "{tables:#?}");
        let derived = &tables[1];
        assert_eq!(derived.table, "Matters.csv (contacts)");
        assert_eq!(derived.from.as_deref(), Some("Matters.csv"));
        assert_eq!(derived.kind, Some(Kind::Contacts));
        assert_eq!(derived.key, Key::Columns(vec!["Client".into()]));
        let mapped: Vec<(&str, &str)> = derived
            .columns
            .iter()
            .filter_map(|c| Some((c.header.as_str(), c.field?)))
            .collect();
        assert_eq!(
            mapped,
            [
                ("Client", "full_name"),
                ("Client Email", "email"),
                ("Client Phone", "phone")
            ],
            "{:#?}",
            tables[0].columns
        );
        // The matter list keeps its own mapping, the client as a reference; the client's
        // email, which its header made the matter's client reference, went to the contacts.
        assert_eq!(tables[0].table, "Matters.csv");
        assert!(tables[0].column_for("client_reference").is_none());
        assert_eq!(
            tables[0].column_for("client_id").map(|c| c.header.as_str()),
            Some("Client")
        );

        let mapping = Mapping::from_suggestions(&tables);
        let toml = mapping.to_toml(&tables);
        assert!(toml.contains("distinct = true"), "{toml}");
        let again = Mapping::parse("m.toml", &toml).expect("round trip");
        assert_eq!(again.files, mapping.files, "{toml}");
        assert_eq!(
            again.taken_from("Matters.csv"),
            ["Client", "Client Email", "Client Phone"]
        );
    }

    #[test]
    fn a_mapping_file_reads_distinct_records_only_of_a_kind() {
        let text = "[[file]]\npath = \"Matters.csv\"\nkind = \"ignore\"\ndistinct = true\n";
        let e = Mapping::parse("m.toml", text).expect_err("no kind");
        assert!(e.to_string().contains("distinct needs the kind"), "{e}");
        let text = "[[file]]\npath = \"Matters.csv\"\nkind = \"contacts\"\ndistinct = true\n\
                    [file.columns]\n\"Client\" = \"\"\n";
        let e = Mapping::parse("m.toml", text).expect_err("no column");
        assert!(e.to_string().contains("need a column mapped"), "{e}");
    }

    #[test]
    fn records_named_in_two_tables_are_read_from_the_one_naming_the_most() {
        let bills = TableSample {
            name: "Bills.csv".into(),
            headers: [
                "Invoice Number",
                "Matter Number",
                "Client",
                "Issued",
                "Total",
            ]
            .map(String::from)
            .to_vec(),
            rows: CLIENTS[..3]
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    vec![
                        format!("INV-{i:03}"),
                        format!("2024-{i:03}"),
                        c.to_string(),
                        "2024-04-30".into(),
                        "300.00".into(),
                    ]
                })
                .collect(),
        };
        let tables = settled(vec![bills, matters(&CLIENTS)]);
        // Both name clients.
        for (t, field) in tables[..2].iter().zip(["contact_id", "client_id"]) {
            let client = t.column_for(field).map(|c| c.header.as_str());
            assert_eq!(client, Some("Client"), "{}", t.table);
        }
        let derived: Vec<(&str, Option<&str>)> = tables
            .iter()
            .filter(|t| t.from.is_some())
            .map(|t| (t.table.as_str(), t.from.as_deref()))
            .collect();
        assert_eq!(derived, [("Matters.csv (contacts)", Some("Matters.csv"))]);
    }

    /// Notes naming contacts: the contact's name makes the records, and a flag that varies
    /// from note to note of one contact stays the note's.
    #[test]
    fn a_column_that_varies_for_one_name_is_not_the_records() {
        let notes = TableSample {
            name: "Notes.csv".into(),
            headers: ["Note ID", "Matter", "Contact", "Pinned", "Note"]
                .map(String::from)
                .to_vec(),
            rows: (0..40)
                .map(|i| {
                    vec![
                        format!("N{i:03}"),
                        format!("M{:03}", i % 7),
                        CLIENTS[i % CLIENTS.len()].to_string(),
                        ["true", "false", "false"][i % 3].to_string(),
                        format!("Called about the hearing {i}"),
                    ]
                })
                .collect(),
        };
        let tables = settled(vec![notes]);
        let derived = tables.iter().find(|t| t.from.is_some()).expect("derived");
        let mapped: Vec<(&str, &str)> = derived
            .columns
            .iter()
            .filter_map(|c| Some((c.header.as_str(), c.field?)))
            .collect();
        assert_eq!(mapped, [("Contact", "full_name")], "{derived:#?}");
    }

    #[test]
    fn a_reference_column_of_codes_makes_no_records() {
        let tables = settled(vec![matters(&["C-0001", "C-0002", "C-0003", "C-0001"])]);
        assert_eq!(tables.len(), 1, "{tables:#?}");
    }

    #[test]
    fn an_export_with_a_contacts_file_reads_its_clients_from_it() {
        let contacts = TableSample {
            name: "Contacts.csv".into(),
            headers: ["Contact ID", "Full Name", "Email"]
                .map(String::from)
                .to_vec(),
            rows: CLIENTS
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    vec![
                        format!("C{i:03}"),
                        c.to_string(),
                        format!("c{i}@example.com"),
                    ]
                })
                .collect(),
        };
        let tables = settled(vec![contacts, matters(&CLIENTS)]);
        assert_eq!(tables.len(), 2, "{tables:#?}");
        assert!(tables.iter().all(|t| t.from.is_none()));
    }
}
