//! The mapping file: a plain TOML file a person can read, edit and pass back with `--mapping`.

use crate::read::TextEncoding;
use crate::suggest::TableSuggestion;
use crate::units::QuantityUnit;
use migrationai_domain::catalogue::{kind_def, KindDef};
use migrationai_domain::value::date::YearWindow;
use migrationai_domain::value::{DateOrder, DecimalSeparator};
use migrationai_domain::Kind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use toml::Spanned;

/// The kind a mapping file gives a table it leaves out on purpose.
pub const IGNORE: &str = "ignore";

/// Where a table's rows get their source ids.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// The column mapped to the kind's id field.
    #[default]
    Field,
    /// These columns' values: one column (a matter number that is the only key), or several
    /// that are unique only together (a matter and a line number within it).
    Columns(Vec<String>),
    /// The table has no key: each row's id is derived from the table's name and the row's
    /// place in it, so the same export always gives the same ids.
    Derived,
}

impl Key {
    /// How the mapping file writes it.
    pub fn to_toml(&self) -> Option<String> {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        match self {
            Key::Field => None,
            Key::Columns(c) if c.len() == 1 => Some(q(&c[0])),
            Key::Columns(c) => Some(format!(
                "[{}]",
                c.iter().map(|h| q(h)).collect::<Vec<_>>().join(", ")
            )),
            Key::Derived => Some("{ derived = true }".into()),
        }
    }

    /// A phrase for a person: `column "Matter Number"`, `derived from file and row`.
    pub fn describe(&self, id_field: &str) -> String {
        match self {
            Key::Field => format!("the column mapped to {id_field}"),
            Key::Columns(c) if c.len() == 1 => format!("column \"{}\"", c[0]),
            Key::Columns(c) => format!(
                "columns {} together",
                c.iter()
                    .map(|h| format!("\"{h}\""))
                    .collect::<Vec<_>>()
                    .join(" + ")
            ),
            Key::Derived => "derived from the file and row (the table has no key column)".into(),
        }
    }
}

/// How one table maps onto one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct FileMapping {
    /// The table's name: a path inside the export, or "file.xlsx#Sheet".
    pub table: String,
    /// None: the file is not migrated, either left out on purpose (`left_out`) or not
    /// recognised and not yet decided.
    pub kind: Option<Kind>,
    /// A person chose to leave the file out (`kind = "ignore"`). A table that is neither
    /// mapped nor left out holds rows nobody decided about, and the verdict says so.
    pub left_out: bool,
    pub date_order: Option<DateOrder>,
    /// The hundred years two-digit years are read in; `None`: such a year is a row's error.
    pub two_digit_years: Option<YearWindow>,
    /// Header → canonical field (None: not migrated), in column order.
    pub columns: Vec<(String, Option<&'static str>)>,
    /// Headers of the columns a person left out on purpose (`"Legacy" = "ignore"`). Every
    /// other column no field takes is undecided, and the report lists what it holds.
    pub ignored: Vec<String>,
    /// Where the rows' source ids come from.
    pub key: Key,
    /// Values for fields no column fills on a row (an expenses file's item type).
    pub defaults: Vec<(&'static str, String)>,
    /// The decimal separator of each numeric column whose separator is known (header, separator).
    pub decimal: Vec<(String, DecimalSeparator)>,
    /// Headers of the amount columns written in the currency's minor unit (cents).
    pub minor_units: Vec<String>,
    /// Headers of the date columns written as spreadsheet day numbers ("45006").
    pub serial_dates: Vec<String>,
    /// Columns holding the time of day of a date-and-time field whose date another column
    /// holds ("Start Time" beside "Start Date"): (time header, field).
    pub times: Vec<(String, &'static str)>,
    /// Reference columns holding the parent's name rather than its id.
    pub by_name: Vec<crate::by_name::NameRef>,
    /// The text encoding the file is read in; `None`: detected (and refused when in doubt).
    pub encoding: Option<TextEncoding>,
    /// The unit time entries' quantities are written in; converted to hours on reading.
    pub quantity_unit: QuantityUnit,
    /// The table this kind's records are read from when the export has no table of them:
    /// each distinct record its mapped columns write, once (see [`crate::derive`]). `table`
    /// is then the name the records go by, "Matters.csv (contacts)".
    pub from: Option<String>,
}

impl FileMapping {
    /// The export's table the rows are read from.
    pub fn source(&self) -> &str {
        self.from.as_deref().unwrap_or(&self.table)
    }

    /// Whether rows of this table get a value for `field` of `def`: from a column, from
    /// the key (for the id field), or from a default.
    pub fn fills(&self, def: &KindDef, field: &str) -> bool {
        self.columns.iter().any(|(_, c)| *c == Some(field))
            || (field == def.id_field().name && self.key != Key::Field)
            || self.defaults.iter().any(|(d, _)| *d == field)
    }

    /// The canonical field of each column, by position.
    pub fn fields_by_position(&self, headers: &[String]) -> Vec<Option<&'static str>> {
        headers
            .iter()
            .map(|h| {
                self.columns
                    .iter()
                    .find(|(c, _)| c == h)
                    .and_then(|(_, f)| *f)
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub currency: String,
    pub country: Option<String>,
    pub time_zone: String,
    pub files: Vec<FileMapping>,
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            currency: "USD".into(),
            country: Some("US".into()),
            time_zone: "America/New_York".into(),
            files: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct MappingError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    #[serde(default = "usd")]
    currency: Spanned<String>,
    country: Option<Spanned<String>>,
    #[serde(default = "new_york")]
    time_zone: Spanned<String>,
    #[serde(default, rename = "file")]
    files: Vec<RawFile>,
}

fn usd() -> Spanned<String> {
    Spanned::new(0..0, "USD".into())
}
fn new_york() -> Spanned<String> {
    Spanned::new(0..0, "America/New_York".into())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    path: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    confidence: Option<f64>,
    date_order: Option<Spanned<String>>,
    /// "1947-2046": the hundred years two-digit years are read in.
    two_digit_years: Option<Spanned<String>>,
    #[serde(default)]
    columns: BTreeMap<String, Spanned<String>>,
    /// Column order as the file has it; written by `to_toml`, optional when editing by hand.
    #[serde(default)]
    order: Vec<String>,
    /// The key: a header, a list of headers, or `{ derived = true }`; absent: the column
    /// mapped to the kind's id field.
    key: Option<Spanned<RawKey>>,
    /// Field → value used where no column gives the field one.
    #[serde(default)]
    defaults: BTreeMap<String, Spanned<String>>,
    /// Header → "." or ",": the decimal separator of a numeric column.
    #[serde(default)]
    decimal: BTreeMap<String, Spanned<String>>,
    /// Headers of amount columns written in minor units ("1250" for 12.50).
    #[serde(default)]
    minor_units: Vec<String>,
    /// Headers of date columns written as spreadsheet day numbers ("45006" for 2023-03-21).
    #[serde(default)]
    serial_dates: Vec<String>,
    /// Header → date-and-time field: a column holding the time of day of a field whose
    /// date another column holds.
    #[serde(default)]
    times: BTreeMap<String, Spanned<String>>,
    /// Header → the forms the parent's names take in a reference column holding names
    /// ("{first_name} {last_name}").
    #[serde(default)]
    by_name: BTreeMap<String, Spanned<Vec<String>>>,
    /// The file's text encoding, as a label ("ISO-8859-15", "windows-1252", "UTF-8"...).
    encoding: Option<Spanned<String>>,
    /// "hours" (the default), "tenths" or "minutes": the unit of time entries' quantity.
    quantity_unit: Option<Spanned<String>>,
    /// Each distinct record the mapped columns write, once: a kind read from a table of
    /// another kind (clients named on a matter list), beside that table's own mapping.
    #[serde(default)]
    distinct: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawKey {
    One(String),
    Many(Vec<String>),
    Derived { derived: bool },
}

/// Reads "1947-2046": a first and a last year, a hundred years apart.
fn parse_window(text: &str) -> Option<YearWindow> {
    let (first, last) = text.trim().split_once('-')?;
    let (first, last): (i32, i32) = (first.trim().parse().ok()?, last.trim().parse().ok()?);
    (last == first + 99 && (1800..=2200).contains(&first)).then_some(YearWindow { first })
}

pub fn window_text(w: YearWindow) -> String {
    format!("{}-{}", w.first, w.last())
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len()))
        .map(|t| t.matches('\n').count() + 1)
        .unwrap_or(1)
}

impl Mapping {
    /// Parses a mapping file; an unknown kind, field or setting is an error naming its line.
    pub fn parse(file: &str, text: &str) -> Result<Mapping, MappingError> {
        let err = |offset: usize, message: String| MappingError {
            file: file.to_string(),
            line: line_of(text, offset),
            message,
        };
        let raw: RawMapping = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            err(offset, e.message().to_string())
        })?;
        if raw
            .currency
            .get_ref()
            .parse::<migrationai_domain::value::Currency>()
            .is_err()
        {
            return Err(err(
                raw.currency.span().start,
                format!("\"{}\" is not a currency code", raw.currency.get_ref()),
            ));
        }
        if migrationai_domain::value::date::parse_zone(raw.time_zone.get_ref()).is_err() {
            return Err(err(
                raw.time_zone.span().start,
                format!("unknown time zone \"{}\"", raw.time_zone.get_ref()),
            ));
        }
        let mut files = Vec::new();
        for f in raw.files {
            let kind_text = f.kind.get_ref().trim();
            let left_out = kind_text == IGNORE;
            let kind = if kind_text.is_empty() || left_out {
                None
            } else {
                let k: Kind =
                    kind_text
                        .parse()
                        .map_err(|e: migrationai_domain::kind::UnknownKind| {
                            err(f.kind.span().start, e.to_string())
                        })?;
                Some(k)
            };
            let date_order = match &f.date_order {
                None => None,
                Some(s) => Some(match s.get_ref().to_ascii_lowercase().as_str() {
                    "mdy" => DateOrder::Mdy,
                    "dmy" => DateOrder::Dmy,
                    other => {
                        return Err(err(
                            s.span().start,
                            format!("date_order \"{other}\" must be \"mdy\" or \"dmy\""),
                        ))
                    }
                }),
            };
            let two_digit_years = match &f.two_digit_years {
                None => None,
                Some(s) => Some(parse_window(s.get_ref()).ok_or_else(|| {
                    err(
                        s.span().start,
                        format!(
                            "two_digit_years \"{}\" must be a hundred years, e.g. \"1947-2046\"",
                            s.get_ref()
                        ),
                    )
                })?),
            };
            let mut columns = Vec::new();
            let mut ignored = Vec::new();
            let mut seen_fields: BTreeMap<&'static str, String> = BTreeMap::new();
            let mut headers: Vec<String> = f.order.clone();
            for h in f.columns.keys() {
                if !headers.contains(h) {
                    headers.push(h.clone());
                }
            }
            for header in headers {
                let Some(value) = f.columns.get(&header) else {
                    columns.push((header, None));
                    continue;
                };
                let name = value.get_ref().trim();
                if name == IGNORE {
                    ignored.push(header.clone());
                    columns.push((header, None));
                    continue;
                }
                // A file left out keeps no fields: `kind = "ignore"` alone is enough.
                let field = if name.is_empty() || kind.is_none() {
                    None
                } else {
                    let Some(def) = kind.map(kind_def) else {
                        return Err(err(
                            value.span().start,
                            format!(
                                "column \"{header}\" maps to \"{name}\" but the file has no kind"
                            ),
                        ));
                    };
                    let Some(fd) = def.field(name) else {
                        let known: Vec<&str> = def.fields.iter().map(|f| f.name).collect();
                        return Err(err(
                            value.span().start,
                            format!(
                                "unknown field \"{name}\" for kind {}; known fields: {}",
                                def.kind,
                                known.join(", ")
                            ),
                        ));
                    };
                    if let Some(other) = seen_fields.insert(fd.name, header.clone()) {
                        return Err(err(value.span().start, format!("field \"{name}\" is mapped twice: from \"{other}\" and \"{header}\"")));
                    }
                    Some(fd.name)
                };
                columns.push((header, field));
            }
            let mut decimal = Vec::new();
            for (header, sep) in &f.decimal {
                let parsed: DecimalSeparator = sep.get_ref().parse().map_err(|e: String| {
                    err(sep.span().start, format!("column \"{header}\": {e}"))
                })?;
                decimal.push((header.clone(), parsed));
            }
            let encoding = match &f.encoding {
                None => None,
                Some(label) => {
                    Some(TextEncoding::from_label(label.get_ref()).ok_or_else(|| {
                        err(
                            label.span().start,
                            format!(
                                "unknown encoding \"{}\"; use a label such as \"UTF-8\", \
                             \"windows-1252\", \"ISO-8859-15\" or \"macintosh\"",
                                label.get_ref()
                            ),
                        )
                    })?)
                }
            };
            let quantity_unit = match &f.quantity_unit {
                None => QuantityUnit::default(),
                Some(u) => {
                    let unit: QuantityUnit =
                        u.get_ref().parse().map_err(|e| err(u.span().start, e))?;
                    if unit != QuantityUnit::Hours && kind != Some(Kind::BillingItems) {
                        return Err(err(
                            u.span().start,
                            format!("quantity_unit applies to {} files only", Kind::BillingItems),
                        ));
                    }
                    unit
                }
            };
            let _ = f.confidence;
            let from = match (&f.distinct, kind) {
                (Some(d), None) if *d.get_ref() => {
                    return Err(err(
                        d.span().start,
                        "distinct needs the kind its records are".into(),
                    ))
                }
                (Some(d), Some(k)) if *d.get_ref() => {
                    if !columns.iter().any(|(_, c)| c.is_some()) {
                        return Err(err(
                            d.span().start,
                            "distinct records need a column mapped to a field".into(),
                        ));
                    }
                    Some((f.path.get_ref().clone(), k))
                }
                _ => None,
            };
            let key = match (&f.key, kind) {
                (None, _) | (_, None) => Key::Field,
                (Some(k), Some(_)) => {
                    let known = |h: &String| columns.iter().any(|(c, _)| c == h);
                    let key = match k.get_ref() {
                        RawKey::One(h) => Key::Columns(vec![h.clone()]),
                        RawKey::Many(hs) if !hs.is_empty() => Key::Columns(hs.clone()),
                        RawKey::Many(_) => {
                            return Err(err(k.span().start, "key lists no column".into()))
                        }
                        RawKey::Derived { derived: true } => Key::Derived,
                        RawKey::Derived { derived: false } => Key::Field,
                    };
                    if let Key::Columns(hs) = &key {
                        if let Some(h) = hs.iter().find(|h| !columns.is_empty() && !known(h)) {
                            return Err(err(
                                k.span().start,
                                format!("key column \"{h}\" is not one of the file's columns"),
                            ));
                        }
                    }
                    key
                }
            };
            let mut defaults = Vec::new();
            if let Some(def) = kind.map(kind_def) {
                for (name, value) in &f.defaults {
                    let Some(fd) = def.field(name.trim()) else {
                        return Err(err(
                            value.span().start,
                            format!("unknown field \"{name}\" for kind {} in defaults", def.kind),
                        ));
                    };
                    if fd.ty == migrationai_domain::catalogue::FieldType::Choice {
                        if let Err(e) = migrationai_domain::record::choose(fd, value.get_ref()) {
                            return Err(err(value.span().start, e.reason));
                        }
                    }
                    defaults.push((fd.name, value.get_ref().clone()));
                }
            }
            let mut times = Vec::new();
            if let Some(def) = kind.map(kind_def) {
                for (header, field) in &f.times {
                    let fd = def
                        .field(field.get_ref().trim())
                        .filter(|fd| fd.ty == migrationai_domain::catalogue::FieldType::DateTime)
                        .ok_or_else(|| {
                            err(
                                field.span().start,
                                format!(
                                    "\"{}\" is not a date-and-time field of kind {}",
                                    field.get_ref(),
                                    def.kind
                                ),
                            )
                        })?;
                    times.push((header.clone(), fd.name));
                }
            }
            let mut by_name = Vec::new();
            if let Some(def) = kind.map(kind_def) {
                for (header, forms) in &f.by_name {
                    let at = forms.span().start;
                    let parent =
                        crate::by_name::ref_kind(&columns, def, header).ok_or_else(|| {
                            err(
                                at,
                                format!(
                                    "by_name: \"{header}\" is not a column mapped to a reference"
                                ),
                            )
                        })?;
                    let forms = forms
                        .get_ref()
                        .iter()
                        .map(|text| crate::by_name::Form::parse(text, kind_def(parent)))
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(|e| err(at, format!("by_name: {e}")))?;
                    by_name.push(crate::by_name::NameRef {
                        header: header.clone(),
                        forms,
                    });
                }
            }
            let table = match &from {
                Some((path, k)) => crate::derive::name(path, *k),
                None => f.path.get_ref().clone(),
            };
            if files.iter().any(|m: &FileMapping| m.table == table) {
                return Err(err(
                    f.path.span().start,
                    format!("\"{table}\" is mapped twice"),
                ));
            }
            files.push(FileMapping {
                table,
                from: from.map(|(path, _)| path),
                kind,
                left_out,
                date_order,
                two_digit_years,
                columns,
                ignored,
                key,
                defaults,
                decimal,
                minor_units: f.minor_units.clone(),
                serial_dates: f.serial_dates.clone(),
                times,
                by_name,
                encoding,
                quantity_unit,
            });
        }
        Ok(Mapping {
            currency: raw.currency.into_inner().to_ascii_uppercase(),
            country: raw.country.map(|c| c.into_inner()),
            time_zone: raw.time_zone.into_inner(),
            files,
        })
    }

    pub fn file(&self, table: &str) -> Option<&FileMapping> {
        self.files.iter().find(|f| f.table == table)
    }

    /// Headers of `table` that a kind read from it takes (see [`FileMapping::from`]): the
    /// table's own mapping has decided about them.
    pub fn taken_from(&self, table: &str) -> Vec<&str> {
        self.files
            .iter()
            .filter(|f| f.from.as_deref() == Some(table))
            .flat_map(|f| f.columns.iter())
            .filter(|(_, field)| field.is_some())
            .map(|(h, _)| h.as_str())
            .collect()
    }

    /// The mapping a suggestion proposes.
    pub fn from_suggestions(tables: &[TableSuggestion]) -> Mapping {
        let files = tables
            .iter()
            .map(|t| FileMapping {
                table: t.table.clone(),
                from: t.from.clone(),
                kind: t.kind,
                // Only a person leaves a file out; an unrecognised one waits for a decision.
                left_out: false,
                date_order: t.date_order,
                two_digit_years: t.two_digit_years.filter(|_| t.kind.is_some()),
                // A file left out keeps no fields, key or defaults.
                // Records read from another kind's table are made of the columns they map.
                columns: t
                    .columns
                    .iter()
                    .map(|c| (c.header.clone(), c.field.filter(|_| t.kind.is_some())))
                    .filter(|(_, f)| t.from.is_none() || f.is_some())
                    .collect(),
                // Only a person leaves a column out on purpose.
                ignored: Vec::new(),
                key: if t.kind.is_some() {
                    t.key.clone()
                } else {
                    Key::Field
                },
                defaults: if t.kind.is_some() {
                    t.defaults.clone()
                } else {
                    Vec::new()
                },
                decimal: t.decimal.clone(),
                minor_units: if t.kind.is_some() {
                    t.minor_units.clone()
                } else {
                    Vec::new()
                },
                serial_dates: if t.kind.is_some() {
                    t.serial_dates.clone()
                } else {
                    Vec::new()
                },
                times: if t.kind.is_some() {
                    t.times.clone()
                } else {
                    Vec::new()
                },
                by_name: if t.kind.is_some() {
                    t.by_name.clone()
                } else {
                    Vec::new()
                },
                encoding: t.encoding,
                quantity_unit: if t.kind.is_some() {
                    t.quantity_unit
                } else {
                    QuantityUnit::default()
                },
            })
            .collect();
        let defaults = Mapping::default();
        Mapping {
            files,
            country: tables
                .iter()
                .find_map(|t| t.country.clone())
                .or(defaults.country.clone()),
            currency: tables
                .iter()
                .find_map(|t| t.currency.clone())
                .unwrap_or(defaults.currency.clone()),
            ..defaults
        }
    }

    /// Writes the mapping as TOML, with each column's confidence and examples as comments
    /// when the suggestions are given.
    pub fn to_toml(&self, suggestions: &[TableSuggestion]) -> String {
        let q = |s: &str| toml::Value::String(s.to_string()).to_string();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# MigrationAI mapping. Edit a column's field (\"ignore\" leaves it out on purpose; \"\" is a column nobody"
        );
        let _ = writeln!(out, "# decided about: the report lists what it holds, and amounts in it keep the run from counting as migrated),");
        let _ = writeln!(out, "# a file's kind, its key");
        let _ = writeln!(out, "# (\"ignore\" leaves the file out; its columns are then not read; \"\" is a file not recognised: until it is");
        let _ = writeln!(out, "# given a kind or \"ignore\", its rows are not migrated and the run does not count as migrated) or date_order (\"mdy\"/\"dmy\"),");
        let _ = writeln!(out, "# then pass it back with --mapping. key is a header, a list of headers that are a key together,");
        let _ = writeln!(out, "# or {{ derived = true }} (ids from the file and row); without key the column mapped to the id field is the key.");
        if let Some(why) = suggestions
            .iter()
            .find_map(|s| s.currency_evidence.as_ref())
        {
            let _ = writeln!(out, "# currency: {why}");
        }
        let _ = writeln!(out, "currency = {}", q(&self.currency));
        if let Some(c) = &self.country {
            if let Some(why) = suggestions.iter().find_map(|s| s.country_evidence.as_ref()) {
                let _ = writeln!(out, "# country: {why}");
            }
            let _ = writeln!(out, "country = {}", q(c));
        }
        let _ = writeln!(out, "time_zone = {}", q(&self.time_zone));
        for f in &self.files {
            let s = suggestions.iter().find(|s| s.table == f.table);
            let _ = writeln!(out, "\n[[file]]");
            let _ = writeln!(out, "path = {}", q(f.source()));
            let kind = match (f.kind, f.left_out) {
                (Some(k), _) => k.as_str(),
                (None, true) => IGNORE,
                (None, false) => {
                    let _ = writeln!(
                        out,
                        "# not recognised: give it a kind, or \"ignore\" to leave it out"
                    );
                    ""
                }
            };
            let _ = writeln!(out, "kind = {}", q(kind));
            if let Some(s) = s {
                let _ = writeln!(out, "confidence = {}", s.kind_confidence);
            }
            if f.from.is_some() {
                let _ = writeln!(out, "# the export has no {kind} file: each distinct {kind} record these columns write, once");
                let _ = writeln!(out, "# (from the first row that writes it; a later row that disagrees is rejected, never merged)");
                let _ = writeln!(out, "distinct = true");
            }
            if let Some(e) = f.encoding {
                let _ = writeln!(out, "encoding = {}", q(e.label()));
            }
            if let Some(o) = f.date_order {
                let _ = writeln!(
                    out,
                    "date_order = {}",
                    q(match o {
                        DateOrder::Mdy => "mdy",
                        DateOrder::Dmy => "dmy",
                    })
                );
            }
            if let Some(w) = f.two_digit_years {
                let _ = writeln!(out, "# two-digit years: read in the hundred years below; change them if the dates are older");
                let _ = writeln!(out, "two_digit_years = {}", q(&window_text(w)));
            }
            for (key, headers, why) in [
                (
                    "minor_units",
                    &f.minor_units,
                    "amounts these columns write in minor units (cents): 1250 is 12.50",
                ),
                (
                    "serial_dates",
                    &f.serial_dates,
                    "date columns written as spreadsheet day numbers: 45006 is 2023-03-21",
                ),
            ] {
                if !headers.is_empty() {
                    let quoted: Vec<String> = headers.iter().map(|h| q(h)).collect();
                    let _ = writeln!(out, "# {why}");
                    let _ = writeln!(out, "{key} = [{}]", quoted.join(", "));
                }
            }
            if !f.times.is_empty() {
                let _ = writeln!(
                    out,
                    "# columns holding the time of day of a field whose date another column holds"
                );
                let pairs: Vec<String> = f
                    .times
                    .iter()
                    .map(|(h, field)| format!("{} = {}", q(h), q(field)))
                    .collect();
                let _ = writeln!(out, "times = {{ {} }}", pairs.join(", "));
            }
            if !f.by_name.is_empty() {
                let _ = writeln!(
                    out,
                    "# reference columns holding the name of the record they refer to, in these forms"
                );
                let pairs: Vec<String> = f
                    .by_name
                    .iter()
                    .map(|r| {
                        let forms: Vec<String> =
                            r.forms.iter().map(|f| q(&f.to_string())).collect();
                        format!("{} = [{}]", q(&r.header), forms.join(", "))
                    })
                    .collect();
                let _ = writeln!(out, "by_name = {{ {} }}", pairs.join(", "));
            }
            if let Some(key) = f.key.to_toml() {
                let _ = writeln!(out, "key = {key}");
            }
            // Written when it is not the default, or when the values gave evidence for it.
            let unit_evidence = s.and_then(|s| s.quantity_unit_evidence.as_deref());
            if f.quantity_unit != QuantityUnit::Hours || unit_evidence.is_some() {
                let note = unit_evidence
                    .map(|e| format!("  # {}", e.replace(|c: char| c.is_control(), " ")))
                    .unwrap_or_default();
                let _ = writeln!(out, "quantity_unit = {}{note}", q(f.quantity_unit.as_str()));
            }
            // Records read from another kind's table take only the columns they name.
            let columns: Vec<&(String, Option<&'static str>)> = f
                .columns
                .iter()
                .filter(|(_, field)| f.from.is_none() || field.is_some())
                .collect();
            let taken = self.taken_from(&f.table);
            let order: Vec<String> = columns.iter().map(|(h, _)| q(h)).collect();
            let _ = writeln!(out, "order = [{}]", order.join(", "));
            let _ = writeln!(out, "[file.columns]");
            for (header, field) in columns {
                let note = s
                    .and_then(|s| s.columns.iter().find(|c| &c.header == header))
                    .map(|c| match (c.field, c.best_guess) {
                        (Some(_), _) => format!(
                            "  # confidence {:.2}; e.g. {}",
                            c.confidence,
                            c.examples.join(" | ")
                        ),
                        (None, Some((g, conf))) => format!(
                            "  # unmapped: best guess {g} at {conf:.2}; e.g. {}",
                            c.examples.join(" | ")
                        ),
                        (None, None) => "  # unmapped".to_string(),
                    });
                let note = match (field, taken.contains(&header.as_str())) {
                    (None, true) => Some("  # read as the distinct records below".to_string()),
                    _ => note,
                };
                // Example values may hold line breaks; a comment must stay on its line.
                let note = note
                    .unwrap_or_default()
                    .replace(|c: char| c.is_control(), " ");
                let value = match field {
                    Some(f) => f,
                    None if f.ignored.contains(header) => IGNORE,
                    None => "",
                };
                let _ = writeln!(out, "{} = {}{}", q(header), q(value), note);
            }
            if !f.defaults.is_empty() {
                let _ = writeln!(out, "[file.defaults]");
                for (field, value) in &f.defaults {
                    let _ = writeln!(out, "{} = {}", q(field), q(value));
                }
            }
            if !f.decimal.is_empty() {
                let _ = writeln!(out, "[file.decimal]");
                for (header, sep) in &f.decimal {
                    let _ = writeln!(out, "{} = {}", q(header), q(&sep.to_string()));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
currency = "USD"
time_zone = "America/Chicago"

[[file]]
path = "Matters.csv"
kind = "projects"
date_order = "mdy"
[file.columns]
"Matter Ref" = "project_id"
"Client" = "client_id"
"Legacy" = ""
[file.decimal]
"Fee" = ","
"#;

    /// A time column beside a date is written and read back; it must name a date-and-time
    /// field of the file's kind.
    #[test]
    fn times_of_day_round_trip_and_name_a_date_and_time_field() {
        let events = r#"
[[file]]
path = "Appointments.csv"
kind = "calendar"
times = { "Start Time" = "starts_at" }
[file.columns]
"Id" = "event_id"
"Start Date" = "starts_at"
"Start Time" = ""
"#;
        let m = Mapping::parse("m.toml", events).expect("valid mapping");
        assert_eq!(m.files[0].times, [("Start Time".to_string(), "starts_at")]);
        let again = Mapping::parse("m.toml", &m.to_toml(&[])).expect("round trip");
        assert_eq!(again, m);
        let bad = events.replace("= \"starts_at\" }", "= \"title\" }");
        let e = Mapping::parse("m.toml", &bad).expect_err("not a date and time");
        assert!(e.message.contains("date-and-time field"), "{}", e.message);
    }

    #[test]
    fn two_digit_years_are_a_hundred_years_a_person_can_read_and_change() {
        let with = GOOD.replace(
            "date_order = \"mdy\"",
            "date_order = \"mdy\"\ntwo_digit_years = \"1930-2029\"",
        );
        let m = Mapping::parse("m.toml", &with).expect("valid mapping");
        assert_eq!(m.files[0].two_digit_years, Some(YearWindow { first: 1930 }));
        let again = Mapping::parse("m.toml", &m.to_toml(&[])).expect("round trip");
        assert_eq!(again, m);
        let bad = GOOD.replace(
            "date_order = \"mdy\"",
            "date_order = \"mdy\"\ntwo_digit_years = \"1930-2000\"",
        );
        let e = Mapping::parse("m.toml", &bad).expect_err("not a hundred years");
        assert!(e.message.contains("a hundred years"), "{}", e.message);
        assert_eq!(e.line, 9, "the line of the setting");
    }

    #[test]
    fn parses_and_round_trips() {
        let m = Mapping::parse("m.toml", GOOD).expect("valid mapping");
        assert_eq!(m.files[0].kind, Some(Kind::Projects));
        assert_eq!(m.files[0].date_order, Some(DateOrder::Mdy));
        assert!(m.files[0]
            .columns
            .contains(&("Client".to_string(), Some("client_id"))));
        assert_eq!(
            m.files[0].decimal,
            [("Fee".to_string(), DecimalSeparator::Comma)]
        );
        let again = Mapping::parse("m.toml", &m.to_toml(&[])).expect("own output parses");
        assert_eq!(again.files, m.files);
    }

    #[test]
    fn keys_defaults_and_ignore() {
        let text = r#"
[[file]]
path = "Matters.csv"
kind = "projects"
key = "Matter No."
[file.columns]
"Matter No." = "number"
"Client" = "client_id"

[[file]]
path = "Lines.csv"
kind = "billing-items"
key = ["Matter", "Line"]
[file.columns]
"Matter" = "project_id"
"Line" = ""
[file.defaults]
item_type = "expense"

[[file]]
path = "Ledger.csv"
kind = "project-funds"
key = { derived = true }

[[file]]
path = "Settings.csv"
kind = "ignore"
[file.columns]
"Setting" = "no_such_field"
"#;
        let m = Mapping::parse("m.toml", text).expect("valid mapping");
        assert_eq!(m.files[0].key, Key::Columns(vec!["Matter No.".into()]));
        assert_eq!(
            m.files[1].key,
            Key::Columns(vec!["Matter".into(), "Line".into()])
        );
        assert_eq!(
            m.files[1].defaults,
            vec![("item_type", "expense".to_string())]
        );
        assert_eq!(m.files[2].key, Key::Derived);
        assert_eq!(m.files[3].kind, None);
        assert!(m.files[3].left_out, "\"ignore\" is a decision");
        assert!(m.files[3].columns.iter().all(|(_, f)| f.is_none()));
        let again = Mapping::parse("m.toml", &m.to_toml(&[])).expect("own output parses");
        assert_eq!(again.files, m.files);

        let bad_key = text.replace("key = \"Matter No.\"", "key = \"Matter Ref\"");
        let e = Mapping::parse("m.toml", &bad_key).expect_err("unknown key column");
        assert!(e.message.contains("key column \"Matter Ref\""), "{e}");
        assert_eq!(e.line, 5, "{e}");
        let bad_default = text.replace("item_type = \"expense\"", "item_type = \"lunch\"");
        assert!(Mapping::parse("m.toml", &bad_default).is_err());
    }

    #[test]
    fn an_unrecognised_file_stays_undecided_until_a_person_leaves_it_out() {
        let text = "[[file]]\npath = \"Odd.csv\"\nkind = \"\"\n\n\
                    [[file]]\npath = \"Old.csv\"\nkind = \"ignore\"\n";
        let m = Mapping::parse("m.toml", text).expect("valid mapping");
        assert_eq!((m.files[0].kind, m.files[0].left_out), (None, false));
        assert_eq!((m.files[1].kind, m.files[1].left_out), (None, true));
        let written = m.to_toml(&[]);
        assert!(
            written.contains("path = \"Odd.csv\"\n# not recognised"),
            "{written}"
        );
        assert!(written.contains("kind = \"ignore\""), "{written}");
        let again = Mapping::parse("m.toml", &written).expect("own output parses");
        assert_eq!(again.files, m.files);
    }

    #[test]
    fn the_quantity_unit_round_trips_and_a_bad_one_names_its_line() {
        let text = "[[file]]\npath = \"WIP.csv\"\nkind = \"billing-items\"\n\
                    quantity_unit = \"tenths\"\n[file.columns]\n\"Units\" = \"quantity\"\n";
        let m = Mapping::parse("m.toml", text).expect("valid mapping");
        assert_eq!(m.files[0].quantity_unit, QuantityUnit::Tenths);
        let written = m.to_toml(&[]);
        assert!(written.contains("quantity_unit = \"tenths\""), "{written}");
        let again = Mapping::parse("m.toml", &written).expect("own output parses");
        assert_eq!(again.files, m.files);
        let e = Mapping::parse("m.toml", &text.replace("\"tenths\"", "\"fortnights\""))
            .expect_err("unknown unit");
        assert_eq!(e.line, 4, "{e}");
        assert!(
            e.message.contains("\"hours\", \"tenths\" or \"minutes\""),
            "{e}"
        );
        let e = Mapping::parse(
            "m.toml",
            &text
                .replace("billing-items", "projects")
                .replace("\"quantity\"", "\"\""),
        )
        .expect_err("not a billing file");
        assert_eq!(e.line, 4, "{e}");
        // Without the setting, quantities are hours.
        let hours = Mapping::parse("m.toml", &text.replace("quantity_unit = \"tenths\"\n", ""))
            .expect("valid mapping");
        assert_eq!(hours.files[0].quantity_unit, QuantityUnit::Hours);
    }

    #[test]
    fn errors_name_the_line() {
        let bad_kind = GOOD.replace("kind = \"projects\"", "kind = \"matters\"");
        let e = Mapping::parse("m.toml", &bad_kind).expect_err("unknown kind");
        assert_eq!(e.line, 7, "{e}");
        assert!(e.message.contains("unknown kind"), "{e}");
        let bad_field = GOOD.replace("\"client_id\"", "\"customer\"");
        let e = Mapping::parse("m.toml", &bad_field).expect_err("unknown field");
        assert_eq!(e.line, 11, "{e}");
        assert!(e.message.contains("unknown field \"customer\""), "{e}");
        let e =
            Mapping::parse("m.toml", "currency = \"USD\"\nbogus = 1\n").expect_err("unknown key");
        assert_eq!(e.line, 2, "{e}");
        let twice = GOOD.replace("\"Legacy\" = \"\"", "\"Legacy\" = \"client_id\"");
        assert!(Mapping::parse("m.toml", &twice)
            .expect_err("twice")
            .message
            .contains("mapped twice"));
    }
}
