//! `inspect`: each table's kind, rows and encoding, the proposed mapping with confidences,
//! and the row-level problems a migration would reject.

use crate::columns::SAMPLE_ROWS;
use crate::mapping::Mapping;
use crate::read::{ErrorKind, Export, ExportError, Limits, ReadError, ReadOptions, SourceRow};
use crate::suggest::{self, id_hash, TableSuggestion};
use crate::tables::{self, TableRef};
use crate::transform::RowMapper;
use migrationai_domain::catalogue::FieldType;
use migrationai_domain::Kind;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

#[derive(Debug, Clone)]
pub struct InspectOptions {
    pub threshold: f64,
    /// Problems listed per file; all are counted.
    pub problems_per_file: usize,
    /// A reviewed mapping; without one, the proposed mapping is used.
    pub mapping: Option<Mapping>,
    pub limits: Limits,
    pub read: ReadOptions,
    /// Tables read at once.
    pub threads: usize,
    /// Encodings named by the person (`--encoding FILE=LABEL`), over detection and mapping.
    pub encodings: Vec<(String, crate::read::TextEncoding)>,
}

impl Default for InspectOptions {
    fn default() -> Self {
        InspectOptions {
            threshold: suggest::DEFAULT_THRESHOLD,
            problems_per_file: 5,
            mapping: None,
            limits: Limits::default(),
            read: ReadOptions::default(),
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(4),
            encodings: Vec::new(),
        }
    }
}

/// Told as tables are read, for a progress bar.
pub trait Progress: Sync {
    fn table_started(&self, _table: &str, _bytes: u64) {}
    fn rows(&self, _table: &str, _rows: u64) {}
    fn table_done(&self, _table: &str, _rows: u64) {}
}

pub struct NoProgress;
impl Progress for NoProgress {}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub row: Option<u64>,
    /// The source column's header.
    pub column: Option<String>,
    /// The canonical field, when the problem is a field's.
    pub field: Option<String>,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    pub kind: Option<Kind>,
    pub kind_confidence: f64,
    /// Where the rows' source ids come from, as the mapping in use says.
    pub key: crate::mapping::Key,
    pub encoding: String,
    pub delimiter: Option<String>,
    pub rows: u64,
    pub valid_rows: u64,
    pub suggestion: TableSuggestion,
    pub problems: Vec<Problem>,
    pub problem_totals: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    pub export: String,
    pub files: Vec<FileReport>,
    /// Files that could not be read at all.
    pub unreadable: Vec<Problem>,
    pub documents: usize,
    pub emails: usize,
    #[serde(skip)]
    pub mapping: Mapping,
    pub mapping_toml: String,
}

impl InspectReport {
    pub fn total_rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }

    /// Every question the export leaves for a person, file by file.
    pub fn questions(&self) -> impl Iterator<Item = &crate::question::Question> {
        self.files
            .iter()
            .flat_map(|f| f.suggestion.questions.iter())
    }
}

pub fn problem_code(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::TooFewFields | ErrorKind::TooManyFields => "ragged_row",
        ErrorKind::NulByte => "nul_byte",
        ErrorKind::MidFileBom => "bom",
        ErrorKind::FieldTooLarge => "too_long",
        ErrorKind::InvalidEncoding => "invalid_encoding",
        ErrorKind::UnknownEncoding => "unknown_encoding",
        ErrorKind::BinaryContent => "binary_content",
        ErrorKind::UnterminatedQuote => "unterminated_quote",
        ErrorKind::InvalidJson | ErrorKind::NotAnObject | ErrorKind::NotArrayOfObjects => {
            "invalid_json"
        }
        ErrorKind::ObjectTooLarge => "too_long",
        ErrorKind::TooDeep => "too_deep",
        ErrorKind::DuplicateKey => "duplicate_key",
        ErrorKind::EmptyFile => "empty_file",
        ErrorKind::BlankHeader => "blank_header",
        ErrorKind::DuplicateHeader => "duplicate_header",
        ErrorKind::Preamble => "preamble",
        ErrorKind::CorruptXlsx => "corrupt_xlsx",
        ErrorKind::SheetNotFound => "sheet_not_found",
        ErrorKind::UnsupportedFormat => "unsupported_format",
        ErrorKind::Io => "io",
    }
}

pub fn read_problem(e: &ReadError) -> Problem {
    Problem {
        file: e.file.clone(),
        row: e.row,
        column: e.field.clone(),
        field: None,
        code: problem_code(e.kind).to_string(),
        message: e.to_string(),
    }
}

/// Proposes kinds and mappings for every table of an export from the head of each table.
pub fn propose(
    export: &Export,
    tables: &[TableRef],
    opts: &InspectOptions,
) -> (
    Vec<TableSuggestion>,
    Vec<crate::columns::TableSample>,
    Vec<Problem>,
) {
    let mut suggestions = Vec::new();
    let mut samples = Vec::new();
    let mut unreadable = Vec::new();
    let mut hidden = Vec::new();
    // Each table's head is read and scored on its own; what ties tables together follows.
    let first = crate::parallel::map_ordered(
        tables,
        opts.threads,
        |t| t.entry.size,
        |t| propose_table(export, t, opts),
    );
    for (t, proposed) in tables.iter().zip(first) {
        match proposed {
            Ok((suggestion, sample)) => {
                suggestions.push(suggestion);
                samples.push(sample);
                hidden.push(t.hidden);
            }
            Err(e) => unreadable.push(read_problem(&e)),
        }
    }
    let mut suggestions = recognise(suggestions, &samples, &hidden, opts.threshold);
    crate::derive::settle(&mut suggestions, &mut samples, opts.threshold);
    crate::by_name::settle(&mut suggestions, &samples);
    crate::country::infer(&mut suggestions, &samples);
    crate::currency::infer(&mut suggestions, &samples);
    (suggestions, samples, unreadable)
}

/// The first proposal for one table, from its head alone.
fn propose_table(
    export: &Export,
    t: &TableRef,
    opts: &InspectOptions,
) -> Result<(TableSuggestion, crate::columns::TableSample), ReadError> {
    let pinned = opts
        .encodings
        .iter()
        .find(|(f, _)| *f == t.entry.path)
        .map(|(_, e)| *e);
    let read = ReadOptions {
        encoding: pinned,
        guess_encoding: true,
        ..opts.read.clone()
    };
    let mut reader = tables::open(export, t, &read)?;
    let sample = tables::sample(&mut reader, &t.name, SAMPLE_ROWS);
    let mut suggestion = suggest::suggest_table(&sample, opts.threshold);
    settle_encoding(&mut suggestion, &reader, pinned.is_some());
    if t.hidden {
        leave_hidden_out(&mut suggestion);
    }
    Ok((suggestion, sample))
}

/// Rounds of re-scoring kinds with reference evidence, at most: each can recognise a table
/// whose parent the round before recognised (a grandchild).
const LINK_ROUNDS: usize = 3;

/// Settles date orders and keys over the first proposals, then re-scores the kind of each
/// table with the references its values show (columns holding the keys of a recognised
/// table): a child table whose headers nothing knows is recognised by what it refers to,
/// and a table of no kind that other tables' rows refer to (see `keys::parent_keys`) by
/// being referred to: its children follow in the next round.
/// A re-scored table is adopted when its kind changes, and keys are inferred again from the
/// first proposals with those adopted, until no kind changes.
fn recognise(
    first: Vec<TableSuggestion>,
    samples: &[crate::columns::TableSample],
    hidden: &[bool],
    threshold: f64,
) -> Vec<TableSuggestion> {
    let settle = |mut tables: Vec<TableSuggestion>| {
        suggest::settle_date_orders(&mut tables);
        crate::keys::infer(&mut tables, samples);
        tables
    };
    let mut base = first.clone();
    let mut current = settle(first);
    for _ in 0..LINK_ROUNDS {
        let parents = crate::keys::parent_keys(&current, samples);
        let links = crate::keys::value_links(&current, samples, &parents);
        let mut changed = false;
        for (i, links) in links.iter().enumerate() {
            let parent = parents.get(i).and_then(Option::as_ref);
            let (Some(sample), Some(now)) = (samples.get(i), current.get(i)) else {
                continue;
            };
            // Links the table's columns already hold (see `keys::infer`) change no score.
            let held = |l: &crate::keys::ValueLink| {
                let def = now.kind.map(migrationai_domain::catalogue::kind_def);
                now.columns
                    .get(l.column)
                    .and_then(|c| c.field)
                    .and_then(|f| def.and_then(|d| d.field(f)))
                    .is_some_and(|fd| fd.ty == FieldType::Ref(l.kind))
            };
            if (links.iter().all(held) && parent.is_none())
                || hidden.get(i).copied().unwrap_or(false)
            {
                continue;
            }
            let mut fresh = suggest::suggest_table_with(sample, threshold, links, parent);
            if fresh.kind == now.kind {
                continue;
            }
            // What was settled from reading the file stays: its encoding and that question.
            fresh.encoding = now.encoding;
            fresh.questions.extend(
                now.questions
                    .iter()
                    .filter(|q| q.topic == crate::question::Topic::Encoding)
                    .cloned(),
            );
            base[i] = fresh;
            changed = true;
        }
        if !changed {
            break;
        }
        current = settle(base.clone());
    }
    current
}

/// Pins a legacy encoding the evidence settles (or the person named), so that every later
/// read of the file reads it the same way; one in doubt is a question, and is not pinned, so
/// a migration refuses the file until it is answered.
fn settle_encoding(s: &mut TableSuggestion, reader: &crate::read::TableReader, named: bool) {
    let encoding = reader.encoding_kind();
    if named {
        s.encoding = Some(encoding);
        return;
    }
    match reader.encoding_doubt() {
        None if matches!(encoding, crate::read::TextEncoding::Legacy(_)) => {
            s.encoding = Some(encoding);
        }
        None => {}
        Some(d) => {
            let file = s.table.split('#').next().unwrap_or(&s.table).to_string();
            s.questions.push(crate::question::Question {
                table: s.table.clone(),
                column: None,
                topic: crate::question::Topic::Encoding,
                prompt: "which character encoding is this file in?".into(),
                options: vec![encoding.label().into(), d.other.label().into()],
                proposed: None,
                evidence: format!(
                    "{}; until it is set the file is not migrated (--encoding \"{file}={}\" \
                     answers it too).",
                    d.evidence,
                    encoding.label()
                ),
                setting: format!("encoding = \"{}\"", encoding.label()),
            });
        }
    }
}

/// A sheet hidden in its workbook is not proposed for migration: someone hid it, often
/// because it is scratch work or a lookup list. It is listed with a question instead.
fn leave_hidden_out(s: &mut TableSuggestion) {
    let guess = s.kind.map(|k| k.as_str().to_string());
    s.kind = None;
    let mut options: Vec<String> = guess.iter().cloned().collect();
    options.push("ignore".into());
    s.questions.push(crate::question::Question {
        table: s.table.clone(),
        column: None,
        topic: crate::question::Topic::Kind,
        prompt: "this sheet is hidden in its workbook; should it be migrated?".into(),
        options,
        proposed: Some("ignore".into()),
        evidence: match &guess {
            Some(k) => format!("It looks like {k}, but hidden sheets are left out unless mapped."),
            None => "Hidden sheets are left out unless mapped.".into(),
        },
        setting: format!("kind = \"{}\"", guess.as_deref().unwrap_or("<kind>")),
    });
}

struct TableOutcome {
    rows: u64,
    valid: u64,
    encoding: String,
    delimiter: Option<String>,
    problems: Vec<Problem>,
    totals: BTreeMap<String, u64>,
    ids: Option<(Kind, suggest::IdSet)>,
}

fn note(out: &mut TableOutcome, p: Problem, keep: usize) {
    *out.totals.entry(p.code.clone()).or_insert(0) += 1;
    if out.problems.len() < keep {
        out.problems.push(p);
    }
}

/// Reads `table` whole as the mapping of `name` reads it (the table's own, or a kind read
/// from it), checking every row.
fn full_pass(
    export: &Export,
    table: &TableRef,
    name: &str,
    mapping: &Mapping,
    opts: &InspectOptions,
    progress: &dyn Progress,
) -> Result<TableOutcome, ReadError> {
    let file = mapping.file(name);
    // Read as the migration will (the mapping's encoding), or with the likelier encoding
    // while a question about it is open, so its rows can still be checked.
    let read = ReadOptions {
        encoding: file.and_then(|f| f.encoding),
        guess_encoding: true,
        ..opts.read.clone()
    };
    let mut reader = match file {
        Some(f) => tables::open_mapped(export, table, f, &read)?,
        None => tables::open(export, table, &read)?,
    };
    progress.table_started(name, table.entry.size);
    let mut out = TableOutcome {
        rows: 0,
        valid: 0,
        encoding: reader.encoding().to_string(),
        delimiter: reader.delimiter().map(|d| match d {
            b'\t' => "tab".to_string(),
            d => (d as char).to_string(),
        }),
        problems: Vec::new(),
        totals: BTreeMap::new(),
        ids: None,
    };
    for issue in reader.header_issues().to_vec() {
        note(&mut out, read_problem(&issue), opts.problems_per_file);
    }
    let headers = reader.headers().to_vec();
    let mapper = file.and_then(|f| RowMapper::new(mapping, f, &headers));
    let key_header = mapper.as_ref().and_then(|m| {
        let f = file?;
        Some(match &f.key {
            crate::mapping::Key::Field => headers.get(m.column_of(m.def.id_field().name)?)?.clone(),
            crate::mapping::Key::Columns(c) => c.join(" + "),
            crate::mapping::Key::Derived => return None,
        })
    });
    let path_cols: Vec<(usize, &'static str)> = mapper
        .as_ref()
        .map(|m| {
            m.positions
                .iter()
                .filter(|(_, f)| {
                    m.def
                        .field(f)
                        .is_some_and(|fd| fd.ty == FieldType::FilePath)
                })
                .copied()
                .collect()
        })
        .unwrap_or_default();
    let mut seen = suggest::IdSet::default();
    // Keys of rows that do not load are still keys: whether another table's column refers
    // to this kind is a question about keys, and a row refused for its own fault (an
    // organisation with no name mapped yet) must not make its references look stray.
    let mut refused = suggest::IdSet::default();
    let mut first_row: suggest::IdMap<u64> = suggest::IdMap::default();
    let mut row = SourceRow::default();
    loop {
        match reader.read_into(&mut row) {
            None => break,
            Some(Err(e)) => {
                out.rows += u64::from(e.kind.is_row_level());
                let fatal = !e.kind.is_row_level();
                note(&mut out, read_problem(&e), opts.problems_per_file);
                if fatal {
                    break;
                }
            }
            Some(Ok(())) => {
                out.rows += 1;
                if out.rows.is_multiple_of(65_536) {
                    progress.rows(name, out.rows);
                }
                let Some(m) = &mapper else { continue };
                let mut ok = match m.apply(&row) {
                    Ok(_) => true,
                    Err(problems) => {
                        for p in problems {
                            let problem = Problem {
                                file: name.to_string(),
                                row: Some(row.row),
                                column: p.column,
                                field: Some(p.field),
                                code: p.code,
                                message: p.reason,
                            };
                            note(&mut out, problem, opts.problems_per_file);
                        }
                        false
                    }
                };
                if let Some(id) = m.source_key(row.row, &row.values) {
                    let id = id.as_str();
                    if ok {
                        let h = id_hash(id);
                        if !seen.insert(h) {
                            let first = first_row.get(&h).copied().unwrap_or(0);
                            note(
                                &mut out,
                                Problem {
                                    file: name.to_string(),
                                    row: Some(row.row),
                                    column: key_header.clone(),
                                    field: Some(m.def.id_field().name.to_string()),
                                    code: "duplicate_id".into(),
                                    message: format!(
                                        "source id \"{id}\" already appears at row {first}"
                                    ),
                                },
                                opts.problems_per_file,
                            );
                            ok = false;
                        } else if first_row.len() < 1_000_000 {
                            first_row.insert(h, row.row);
                        }
                    } else {
                        refused.insert(id_hash(id));
                    }
                }
                for &(c, field) in &path_cols {
                    let reference = row.values.get(c).map(|v| v.trim()).unwrap_or("");
                    if ok && !reference.is_empty() {
                        if let Err(e) = export.resolve_reference(reference) {
                            note(
                                &mut out,
                                Problem {
                                    file: name.to_string(),
                                    row: Some(row.row),
                                    column: headers.get(c).cloned(),
                                    field: Some(field.to_string()),
                                    code: "missing_file".into(),
                                    message: e.to_string(),
                                },
                                opts.problems_per_file,
                            );
                            ok = false;
                        }
                    }
                }
                out.valid += u64::from(ok);
            }
        }
    }
    seen.extend(refused);
    out.ids = mapper.map(|m| (m.kind, seen));
    progress.table_done(name, out.rows);
    Ok(out)
}

/// Inspects an export: detection, mapping and a full validating read of every table.
pub fn inspect(
    path: &Path,
    opts: &InspectOptions,
    progress: &dyn Progress,
) -> Result<InspectReport, ExportError> {
    let export = Export::open(path, &opts.limits)?;
    Ok(inspect_export(&export, opts, progress))
}

/// [`inspect`] of an export opened already (tfp unpacks into its own work folder).
pub fn inspect_export(
    export: &Export,
    opts: &InspectOptions,
    progress: &dyn Progress,
) -> InspectReport {
    let (tables, list_errors) = tables::list_tables(export);
    let (mut suggestions, samples, mut unreadable) = propose(export, &tables, opts);
    unreadable.extend(list_errors.iter().map(read_problem));
    let mapping = match &opts.mapping {
        Some(m) => merge_mapping(m, &suggestions),
        None => Mapping::from_suggestions(&suggestions),
    };
    // Each proposal with the table it reads: its own, or the one its records come from.
    let readable: Vec<(&TableRef, &str)> = suggestions
        .iter()
        .filter_map(|s| {
            let source = s.from.as_deref().unwrap_or(&s.table);
            let t = tables.iter().find(|t| t.name == source)?;
            Some((t, s.table.as_str()))
        })
        .collect();
    let passes = crate::parallel::map_ordered(
        &readable,
        opts.threads,
        |(t, _)| t.entry.size,
        |(t, name)| full_pass(export, t, name, &mapping, opts, progress),
    );
    let mut outcomes: HashMap<String, Result<TableOutcome, ReadError>> = readable
        .iter()
        .map(|(_, name)| name.to_string())
        .zip(passes)
        .collect();
    let mut ids: HashMap<Kind, suggest::IdSet> = HashMap::new();
    for o in outcomes.values_mut().flatten() {
        if let Some((k, set)) = o.ids.take() {
            ids.entry(k).or_default().extend(set);
        }
    }
    if opts.mapping.is_none() {
        suggest::apply_reference_evidence(&mut suggestions, &samples, &ids, opts.threshold);
    }
    let mut files = Vec::new();
    for s in suggestions {
        match outcomes.remove(&s.table) {
            Some(Ok(o)) => {
                let kind = mapping.file(&s.table).and_then(|f| f.kind);
                let key = mapping
                    .file(&s.table)
                    .map(|f| f.key.clone())
                    .unwrap_or_default();
                files.push(FileReport {
                    file: s.table.clone(),
                    kind,
                    kind_confidence: s.kind_confidence,
                    key,
                    encoding: o.encoding,
                    delimiter: o.delimiter,
                    rows: o.rows,
                    valid_rows: o.valid,
                    suggestion: s,
                    problems: o.problems,
                    problem_totals: o.totals,
                })
            }
            Some(Err(e)) => unreadable.push(read_problem(&e)),
            None => {}
        }
    }
    let suggestions: Vec<TableSuggestion> = files.iter().map(|f| f.suggestion.clone()).collect();
    // Reference evidence may have unmapped columns since the first proposal, so it is rebuilt.
    let final_mapping = match &opts.mapping {
        Some(_) => mapping,
        None => Mapping::from_suggestions(&suggestions),
    };
    for entry in export.entries() {
        if let Some(inner) = export.archived_tables(entry) {
            unreadable.push(Problem {
                file: entry.path.clone(),
                row: None,
                column: None,
                field: None,
                code: "archive_not_read".into(),
                message: format!("{}: {}", entry.path, archive_message(&inner)),
            });
        }
    }
    let documents = export
        .entries()
        .iter()
        .filter(|e| e.format == crate::read::Format::Other)
        .count();
    let emails = export
        .entries()
        .iter()
        .filter(|e| e.format == crate::read::Format::Eml)
        .count();
    InspectReport {
        export: export.name().to_string(),
        files,
        unreadable,
        documents,
        emails,
        mapping_toml: final_mapping.to_toml(&suggestions),
        mapping: final_mapping,
    }
}

/// Why a zip inside the export is not read: it holds tables that are not unpacked.
pub fn archive_message(tables: &[String]) -> String {
    let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    let more = tables.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "a zip inside the export holding {} table file(s) ({}{more}) that were not read; \
         unpack it into the export and run again",
        tables.len(),
        shown.join(", ")
    )
}

/// A reviewed mapping wins; tables it does not mention keep their proposal.
pub fn merge_mapping(given: &Mapping, suggestions: &[TableSuggestion]) -> Mapping {
    let proposed = Mapping::from_suggestions(suggestions);
    let mut merged = given.clone();
    for f in proposed.files {
        if given.file(&f.table).is_none() {
            merged.files.push(f);
        }
    }
    merged
}
