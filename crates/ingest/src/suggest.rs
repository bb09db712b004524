//! Kind detection and mapping suggestion: for each table the most likely kind, and for each
//! column the proposed canonical field with a confidence and the evidence behind it.

use crate::columns::{ColumnProfile, TableSample};
use crate::header::{best_match, normalise_header};
use crate::keys::{ParentKey, ValueLink};
use crate::mapping::Key;
use crate::question::Question;
use migrationai_domain::catalogue::{FieldDef, FieldType, KindDef, CATALOGUE};
use migrationai_domain::value::{DateOrder, DecimalSeparator};
use migrationai_domain::Kind;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// Below this confidence a column stays unmapped and is listed for review.
pub const DEFAULT_THRESHOLD: f64 = 0.7;

/// Below this score a table gets no kind: it is listed for a person to decide, never guessed.
pub const KIND_THRESHOLD: f64 = 0.6;

/// Two kinds whose scores are closer than this are a question for a person.
const KIND_MARGIN: f64 = 0.05;

/// Below this header similarity no value fit can lift a column to the default threshold.
const HOPELESS_HEADER: f64 = 0.3;

/// Confidence of a parent's key read as the id of a kind others refer to, from the other
/// tables' references alone (as a reference read from values alone, see `keys`).
const PARENT_KEY: f64 = 0.8;
/// Confidence of a field values fill without their header: titles as a kind's required text,
/// and a parent table's dates as its kind's first date. Above the default threshold, so such
/// a table loads, and below a fair header match, which wins over it.
pub(crate) const VALUES_ONLY: f64 = 0.75;

/// Confidence of a line total's or a running balance's columns read from their values alone
/// (see [`crate::arithmetic::line_totals`], [`crate::arithmetic::ledger`]): arithmetic that holds row after row is
/// strong evidence, above the default threshold, and still below a fair header match.
const LINE_TOTAL: f64 = 0.8;

/// How much a type's values say about a column: any text is "text", but only emails parse as emails.
fn specificity(ty: FieldType) -> f64 {
    match ty {
        FieldType::Text | FieldType::LongText => 0.0,
        FieldType::Ref(_) | FieldType::RefList(_) => 0.2,
        FieldType::SourceId | FieldType::Integer | FieldType::Decimal => 0.3,
        FieldType::Bool => 0.4,
        FieldType::Money { .. } => 0.5,
        FieldType::Phone
        | FieldType::Date
        | FieldType::DateTime
        | FieldType::FilePath
        | FieldType::Country => 0.6,
        FieldType::Choice | FieldType::Currency => 0.7,
        FieldType::Email | FieldType::TimeZone => 0.8,
        FieldType::Sha256 => 0.9,
    }
}

/// Combines the header's similarity with the values' fit: values that fit a specific type
/// add support (never enough alone to pass the threshold), values that do not fit take it away.
fn combine(header_score: f64, value_fit: Option<f64>, ty: FieldType) -> f64 {
    let Some(fit) = value_fit else {
        return header_score;
    };
    let spec = specificity(ty);
    let support = 0.6 * fit * spec;
    let conflict = (1.0 - fit) * spec;
    (1.0 - (1.0 - header_score) * (1.0 - support)) * (1.0 - 0.5 * conflict)
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// Similarity of the header to the field's name or one of its synonyms.
    pub header_score: f64,
    /// Which name or synonym the header matched best.
    pub matched: String,
    /// Share of sampled values that parse as the field's type (None: the column is empty).
    pub value_fit: Option<f64>,
    pub uniqueness: f64,
    /// Share of sampled values found among the ids of the referenced kind's file.
    pub reference_hits: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnSuggestion {
    pub column: usize,
    pub header: String,
    /// The proposed field; None when no field reaches the threshold.
    pub field: Option<&'static str>,
    pub confidence: f64,
    pub evidence: Option<Evidence>,
    /// The best field even when below the threshold, to help a reviewer.
    pub best_guess: Option<(&'static str, f64)>,
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableSuggestion {
    pub table: String,
    pub kind: Option<Kind>,
    pub kind_confidence: f64,
    /// Every kind's score, best first, so a reviewer sees the runner-up.
    pub kind_scores: Vec<(Kind, f64)>,
    pub columns: Vec<ColumnSuggestion>,
    pub date_order: Option<DateOrder>,
    pub date_order_evidence: (usize, usize, usize),
    /// The hundred years the table's two-digit years are read in, when it writes its dates
    /// that way (see [`crate::years`]).
    pub two_digit_years: Option<migrationai_domain::value::date::YearWindow>,
    /// Required fields of the detected kind that no column maps to.
    pub missing_required: Vec<&'static str>,
    /// What the evidence could not decide about this table, for a person to answer.
    pub questions: Vec<Question>,
    /// Where the rows' source ids come from.
    pub key: Key,
    /// Why that key, in a sentence (None until keys are inferred).
    pub key_evidence: Option<String>,
    /// Values for required fields no column holds, read from the table's name (an expenses
    /// file's item type).
    pub defaults: Vec<(&'static str, String)>,
    /// The decimal separator of each numeric column whose values decide it (header, separator).
    pub decimal: Vec<(String, DecimalSeparator)>,
    /// Headers of the amount columns written in minor units (see [`crate::minor_units`]).
    pub minor_units: Vec<String>,
    /// Headers of the date columns written as spreadsheet day numbers (see
    /// [`crate::serial_dates`]).
    pub serial_dates: Vec<String>,
    /// The legacy text encoding the file is pinned to read in (UTF-8 files need none).
    #[serde(serialize_with = "crate::read::encoding::serialize_label")]
    pub encoding: Option<crate::read::TextEncoding>,
    /// The country numbers without a country code are read in, when the export's values
    /// decide it (the same for every table; see [`crate::country`]).
    pub country: Option<String>,
    /// What that country rests on, in a sentence: how much of each source of evidence it
    /// explains, beside the default (None when the export gives no evidence).
    pub country_evidence: Option<String>,
    /// The currency amounts are in, when the export's money decides it (the same for every
    /// table; see [`crate::currency`]).
    pub currency: Option<String>,
    /// What that currency rests on, in a sentence.
    pub currency_evidence: Option<String>,
    /// The unit time entries' quantities are written in (see [`crate::units`]).
    pub quantity_unit: crate::units::QuantityUnit,
    /// Why that unit, in a sentence (None when the table gave no evidence).
    pub quantity_unit_evidence: Option<String>,
    /// Columns holding the time of day of a date-and-time field whose date the column
    /// before them holds (see [`crate::clock`]): (time header, field).
    pub times: Vec<(String, &'static str)>,
    /// Reference columns holding the parent's name rather than its id (see
    /// [`crate::by_name`]).
    pub by_name: Vec<crate::by_name::NameRef>,
    /// The table the records are read from, when they are a kind the export has no table
    /// of (see [`crate::derive`]); `table` is then the name they go by.
    pub from: Option<String>,
}

impl TableSuggestion {
    pub fn unmapped(&self) -> impl Iterator<Item = &ColumnSuggestion> {
        self.columns.iter().filter(|c| c.field.is_none())
    }

    pub fn column_for(&self, field: &str) -> Option<&ColumnSuggestion> {
        self.columns.iter().find(|c| c.field == Some(field))
    }
}

pub(crate) struct Candidate {
    pub(crate) column: usize,
    pub(crate) field: &'static str,
    pub(crate) confidence: f64,
    pub(crate) evidence: Evidence,
}

fn score_column(
    profile: &ColumnProfile,
    def: &KindDef,
    column: usize,
    link: Option<&ValueLink>,
) -> Vec<Candidate> {
    let header = normalise_header(&profile.header);
    def.fields
        .iter()
        .filter(|fd| !profile.flags || matches!(fd.ty, FieldType::Bool | FieldType::Choice))
        .map(|fd| {
            let (header_score, matched) = best_match(&header, fd.name, fd.synonyms);
            // Values that are the keys of the kind a reference field points at are evidence
            // of that reference whatever the header says (see `keys::value_links`).
            if let Some(l) = link.filter(|l| fd.ty == FieldType::Ref(l.kind)) {
                let by_header = combine(header_score, Some(l.share), fd.ty);
                return Candidate {
                    column,
                    field: fd.name,
                    confidence: by_header.max(l.confidence),
                    evidence: Evidence {
                        header_score,
                        matched: matched.to_string(),
                        value_fit: Some(round3(l.share)),
                        uniqueness: profile.uniqueness(),
                        reference_hits: Some(round3(l.share)),
                    },
                };
            }
            // Values alone never reach the threshold, so a header this unlike the field is not
            // worth parsing the column for.
            let value_fit = if header_score < HOPELESS_HEADER {
                None
            } else {
                profile.fit(fd)
            };
            let confidence = combine(header_score, value_fit, fd.ty);
            Candidate {
                column,
                field: fd.name,
                confidence,
                evidence: Evidence {
                    header_score,
                    matched: matched.to_string(),
                    value_fit,
                    uniqueness: profile.uniqueness(),
                    reference_hits: None,
                },
            }
        })
        .collect()
}

/// Whether some kind's records refer to this kind's (matters, which time entries name).
pub(crate) fn referred_to(kind: Kind) -> bool {
    CATALOGUE.iter().any(|d| {
        d.fields
            .iter()
            .any(|f| matches!(f.ty, FieldType::Ref(k) | FieldType::RefList(k) if k == kind))
    })
}

/// What a table's structure says when other tables refer to one of its columns and nothing
/// in its headers says what it is, for a kind others refer to: that column is the kind's id;
/// a column of short distinct titles is a candidate for each required text field the
/// headers leave open (a matter's name); and a column of dates for the kind's first date
/// field (a matter's opening). Nothing here looks at a header: a header that fits a field
/// still wins through its higher confidence.
fn parent_candidates(
    def: &KindDef,
    profiles: &[ColumnProfile],
    parent: &ParentKey,
    links: &[ValueLink],
) -> Vec<Candidate> {
    if !referred_to(def.kind) {
        return Vec::new();
    }
    let id = def.id_field();
    let evidence = |p: &ColumnProfile, fd: &FieldDef, fit: f64, hits: Option<f64>| {
        let (header_score, matched) =
            best_match(&normalise_header(&p.header), fd.name, fd.synonyms);
        Evidence {
            header_score,
            matched: matched.to_string(),
            value_fit: Some(round3(fit)),
            uniqueness: p.uniqueness(),
            reference_hits: hits,
        }
    };
    let mut out = Vec::new();
    if let Some(p) = profiles.get(parent.column) {
        out.push(Candidate {
            column: parent.column,
            field: id.name,
            confidence: PARENT_KEY,
            evidence: evidence(p, id, 1.0, Some(round3(parent.share))),
        });
    }
    // Columns the key or a reference already explains are no dates.
    let free = |i: usize| i != parent.column && !links.iter().any(|l| l.column == i);
    if let Some(fd) = def.fields.iter().find(|f| f.ty == FieldType::Date) {
        for (i, p) in profiles.iter().enumerate().filter(|(i, _)| free(*i)) {
            let fit = p.fit(fd).unwrap_or(0.0);
            if fit >= crate::keys::REFERS {
                out.push(Candidate {
                    column: i,
                    field: fd.name,
                    confidence: VALUES_ONLY,
                    evidence: evidence(p, fd, fit, None),
                });
            }
        }
    }
    out
}

/// Each required text field of a kind (a matter's name, a task's title) is a candidate for
/// every column whose values read as titles: short, distinct lines of words, such as an
/// export's "Re:" column. Values alone give [`VALUES_ONLY`], below a fair header match,
/// which wins; a column a reference explains is no title.
fn title_candidates(
    def: &KindDef,
    profiles: &[ColumnProfile],
    titles: &[bool],
    links: &[ValueLink],
) -> Vec<Candidate> {
    let id = def.id_field().name;
    let mut out = Vec::new();
    for fd in def
        .fields
        .iter()
        .filter(|f| f.required && f.name != id && f.ty == FieldType::Text)
    {
        for i in 0..profiles.len() {
            if !titles.get(i).copied().unwrap_or(false) || links.iter().any(|l| l.column == i) {
                continue;
            }
            out.extend(from_values(def, profiles, fd.name, i, VALUES_ONLY, 1.0));
        }
    }
    out
}

/// A candidate read from a column's values alone: `field` of `def` at `confidence`, with
/// the header's own likeness to the field kept as evidence for a reviewer.
pub(crate) fn from_values(
    def: &KindDef,
    profiles: &[ColumnProfile],
    field: &str,
    column: usize,
    confidence: f64,
    fit: f64,
) -> Option<Candidate> {
    let fd = def.field(field)?;
    let p = profiles.get(column)?;
    let (header_score, matched) = best_match(&normalise_header(&p.header), fd.name, fd.synonyms);
    Some(Candidate {
        column,
        field: fd.name,
        confidence,
        evidence: Evidence {
            header_score,
            matched: matched.to_string(),
            value_fit: Some(round3(fit)),
            uniqueness: p.uniqueness(),
            reference_hits: None,
        },
    })
}

/// The quantity, rate and amount of a kind that has all three, from a line total the values
/// hold whatever the headers say.
fn line_total_candidates(
    def: &KindDef,
    profiles: &[ColumnProfile],
    total: Option<&crate::arithmetic::line_totals::LineTotal>,
) -> Vec<Candidate> {
    let Some(t) = total else {
        return Vec::new();
    };
    let fields = [
        ("quantity", t.quantity),
        ("rate", t.rate),
        ("amount", t.amount),
    ];
    let typed = |name: &str| {
        def.field(name).is_some_and(|fd| match name {
            "quantity" => fd.ty == FieldType::Decimal,
            _ => matches!(fd.ty, FieldType::Money { .. }),
        })
    };
    if !fields.iter().all(|(name, _)| typed(name)) {
        return Vec::new();
    }
    let share = t.held as f64 / t.checked.max(1) as f64;
    fields
        .iter()
        .filter_map(|&(name, column)| from_values(def, profiles, name, column, LINE_TOTAL, share))
        .collect()
}

/// A ledger's running balance says which column is money in: the one that raises it.
/// Headers that say the opposite give way to the arithmetic: "Debit" is money out of a
/// client's ledger and money into the bank's, and an export may be written either way.
fn follow_the_balance(
    balance: Option<&crate::arithmetic::ledger::Balance>,
    chosen: &mut [Candidate],
) {
    use crate::arithmetic::ledger::Movement;
    let Some(Movement::InOut {
        money_in,
        money_out,
    }) = balance.map(|b| b.movement)
    else {
        return;
    };
    let at = |field: &str| chosen.iter().position(|c| c.field == field);
    let (Some(d), Some(w)) = (at("deposit"), at("withdrawal")) else {
        return;
    };
    if chosen[d].column == money_out && chosen[w].column == money_in {
        for (i, field, says) in [
            (d, "withdrawal", "lowers the running balance"),
            (w, "deposit", "raises the running balance"),
        ] {
            chosen[i].field = field;
            chosen[i].evidence.matched = says.to_string();
        }
    }
}

/// The running balance and movements of a kind that keeps a ledger (a trust account's
/// balance, money in and out, or one signed amount), from a balance the values hold
/// whatever the headers say (see [`crate::arithmetic::ledger`]).
fn ledger_candidates(
    def: &KindDef,
    profiles: &[ColumnProfile],
    balance: Option<&crate::arithmetic::ledger::Balance>,
) -> Vec<Candidate> {
    use crate::arithmetic::ledger::Movement;
    let Some(b) = balance else {
        return Vec::new();
    };
    let money = |name: &str| {
        def.field(name)
            .is_some_and(|fd| matches!(fd.ty, FieldType::Money { .. }))
    };
    if !money("running_balance") {
        return Vec::new();
    }
    let mut fields = vec![("running_balance", b.balance)];
    match b.movement {
        Movement::Amount(c) if money("amount") => fields.push(("amount", c)),
        Movement::InOut {
            money_in,
            money_out,
        } if money("deposit") && money("withdrawal") => {
            fields.push(("deposit", money_in));
            fields.push(("withdrawal", money_out));
        }
        _ => return Vec::new(),
    }
    let share = b.held as f64 / b.checked.max(1) as f64;
    fields
        .iter()
        .filter_map(|&(name, column)| from_values(def, profiles, name, column, LINE_TOTAL, share))
        .collect()
}

/// An invoice's total and its parts, from sums the values hold whatever the headers say
/// (see [`crate::arithmetic::sums`]), for a kind with all those amounts.
fn sum_candidates(
    def: &KindDef,
    profiles: &[ColumnProfile],
    sums: Option<&crate::arithmetic::sums::InvoiceSums>,
) -> Vec<Candidate> {
    let Some(s) = sums else {
        return Vec::new();
    };
    let fields: Vec<(&str, usize)> = [
        ("total", Some(s.total)),
        ("subtotal", s.subtotal),
        ("tax", s.tax),
        ("discount", s.discount),
        ("paid_amount", s.paid),
        ("balance_due", s.balance_due),
    ]
    .into_iter()
    .filter_map(|(f, c)| c.map(|c| (f, c)))
    .collect();
    let money = |name: &str| {
        def.field(name)
            .is_some_and(|fd| matches!(fd.ty, FieldType::Money { .. }))
    };
    if !fields.iter().all(|(f, _)| money(f)) {
        return Vec::new();
    }
    fields
        .iter()
        .filter_map(|&(name, column)| from_values(def, profiles, name, column, LINE_TOTAL, 1.0))
        .collect()
}

/// A table's only column written as money is the amount of a kind that has one required
/// amount (a payment's), whatever its header: with one amount there is nothing else it
/// could be. A column a reference explains is no amount.
fn amount_candidates(
    def: &KindDef,
    profiles: &[ColumnProfile],
    money: &[usize],
    links: &[ValueLink],
) -> Vec<Candidate> {
    let required: Vec<&FieldDef> = def
        .fields
        .iter()
        .filter(|f| f.required && matches!(f.ty, FieldType::Money { .. }))
        .collect();
    let free: Vec<usize> = money
        .iter()
        .copied()
        .filter(|c| !links.iter().any(|l| l.column == *c))
        .collect();
    match (required.as_slice(), free.as_slice()) {
        ([fd], [column]) => from_values(def, profiles, fd.name, *column, VALUES_ONLY, 1.0)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// A table's only column of dates is a candidate for its kind's required date (an
/// invoice's issue date, an entry's date) whatever its header, once the amounts'
/// arithmetic has said which kind the rows are: with one date column there is nothing else
/// it could be. Values alone give [`VALUES_ONLY`], below a fair header match.
fn date_candidates(
    def: &KindDef,
    profiles: &[ColumnProfile],
    links: &[ValueLink],
) -> Vec<Candidate> {
    let Some(fd) = def
        .fields
        .iter()
        .find(|f| f.required && matches!(f.ty, FieldType::Date | FieldType::DateTime))
    else {
        return Vec::new();
    };
    let dates: Vec<(usize, f64)> = profiles
        .iter()
        .enumerate()
        .filter(|(i, _)| !links.iter().any(|l| l.column == *i))
        .filter_map(|(i, p)| p.fit(fd).map(|fit| (i, fit)))
        .filter(|(_, fit)| *fit >= crate::keys::REFERS)
        .collect();
    let [(column, fit)] = dates.as_slice() else {
        return Vec::new();
    };
    from_values(def, profiles, fd.name, *column, VALUES_ONLY, *fit)
        .into_iter()
        .collect()
}

/// How much an empty column's header counts against a filled column's when both claim a
/// field: a blank "Home Phone" yields to a filled "Bus Phone" (0.89), while a blank
/// "Invoice #" keeps the invoice's id from a "Billed By" that only sounds like it (0.77).
const EMPTY_WEIGHT: f64 = 0.85;

/// Assigns each field to at most one column and each column to at most one field, best
/// first, an empty column's claim weighed down by [`EMPTY_WEIGHT`].
fn assign(
    mut candidates: Vec<Candidate>,
    threshold: f64,
    profiles: &[ColumnProfile],
) -> Vec<Candidate> {
    let weight = |c: &Candidate| {
        let empty = profiles.get(c.column).is_none_or(|p| p.values.is_empty());
        c.confidence * if empty { EMPTY_WEIGHT } else { 1.0 }
    };
    candidates.sort_by(|a, b| {
        weight(b)
            .total_cmp(&weight(a))
            .then(a.column.cmp(&b.column))
    });
    let mut used_cols = HashSet::new();
    let mut used_fields = HashSet::new();
    let mut chosen = Vec::new();
    for c in candidates {
        if c.confidence < threshold
            || used_cols.contains(&c.column)
            || used_fields.contains(c.field)
        {
            continue;
        }
        used_cols.insert(c.column);
        used_fields.insert(c.field);
        chosen.push(c);
    }
    chosen
}

/// A table's name as words: the file's stem (and sheet), hyphens, underscores and case
/// changes as spaces, each word singular.
pub fn name_words(table: &str) -> Vec<String> {
    let file = table.rsplit('/').next().unwrap_or(table);
    let (stem, sheet) = match file.split_once('#') {
        Some((f, s)) => (f, Some(s)),
        None => (file, None),
    };
    let stem = stem.rsplit_once('.').map(|(s, _)| s).unwrap_or(stem);
    let mut words = Vec::new();
    for name in [Some(stem), sheet].into_iter().flatten() {
        words.extend(normalise_header(name).split(' ').map(singular));
    }
    words
}

/// "matters" → "matter", "entries" → "entry", "address" stays.
fn singular(w: &str) -> String {
    if let Some(s) = w.strip_suffix("ies").filter(|s| s.len() > 2) {
        return format!("{s}y");
    }
    match w.strip_suffix('s') {
        Some(s) if s.len() > 2 && !s.ends_with('s') && !s.ends_with('u') => s.to_string(),
        _ => w.to_string(),
    }
}

/// How strongly a table's name points to a kind: a kind word that is the whole name, or its
/// last words (the head of "matter-tasks" is "tasks"), counts more than one anywhere in it.
fn name_score(table: &str, def: &KindDef) -> f64 {
    let words = name_words(table);
    let name = words.join(" ");
    let mut best: f64 = 0.0;
    for w in def.file_words {
        let w: Vec<String> = normalise_header(w).split(' ').map(singular).collect();
        let w = w.join(" ");
        if name == w {
            best = best.max(1.0);
        } else if name.ends_with(&format!(" {w}")) {
            best = best.max(0.9);
        } else if format!(" {name} ").contains(&format!(" {w} ")) {
            best = best.max(0.5);
        }
    }
    best
}

/// Required choice fields no column holds whose value the table's name gives ("Expenses.csv"
/// holds expenses): each becomes the table's default for that field.
fn defaults_from_name(
    table: &str,
    def: &KindDef,
    chosen: &[Candidate],
) -> Vec<(&'static str, String)> {
    let words = name_words(table);
    let mut out = Vec::new();
    for fd in def
        .fields
        .iter()
        .filter(|f| f.required && f.ty == FieldType::Choice)
    {
        if chosen.iter().any(|c| c.field == fd.name) {
            continue;
        }
        let found = fd.choices.iter().find(|c| {
            std::iter::once(c.value)
                .chain(c.aliases.iter().copied())
                .filter(|a| a.len() > 2)
                .any(|a| {
                    let a: Vec<String> = normalise_header(a).split(' ').map(singular).collect();
                    words.windows(a.len()).any(|w| w == a.as_slice())
                })
        });
        if let Some(c) = found {
            out.push((fd.name, c.value.to_string()));
        }
    }
    out
}

/// Values for required fields no column holds: from the table's name, and else a billing
/// table's item type from its quantities (see [`crate::units::item_type_from_quantities`]),
/// or from a line total whose quantity is in tenths or minutes of an hour: time.
fn defaults_for(
    table: &str,
    def: &KindDef,
    chosen: &[Candidate],
    profiles: &[ColumnProfile],
    total: Option<&crate::arithmetic::line_totals::LineTotal>,
) -> Vec<(&'static str, String)> {
    let mut defaults = defaults_from_name(table, def, chosen);
    let open =
        |f: &str| !chosen.iter().any(|c| c.field == f) && !defaults.iter().any(|(d, _)| *d == f);
    if let Some(fd) = def
        .field("item_type")
        .filter(|fd| fd.required && open(fd.name))
    {
        let quantities = chosen
            .iter()
            .find(|c| c.field == "quantity")
            .and_then(|c| profiles.get(c.column))
            .map(|p| p.values.as_slice())
            .unwrap_or_default();
        let by_unit = total
            .filter(|t| {
                t.unit != crate::units::QuantityUnit::Hours
                    && chosen
                        .iter()
                        .any(|c| c.field == "quantity" && c.column == t.quantity)
            })
            .map(|_| "time");
        if let Some(v) = crate::units::item_type_from_quantities(def, quantities).or(by_unit) {
            defaults.push((fd.name, v.to_string()));
        }
    }
    defaults
}

/// Profiles a table's sample and proposes its kind and column mapping.
pub fn suggest_table(sample: &TableSample, threshold: f64) -> TableSuggestion {
    suggest_table_with(sample, threshold, &[], None)
}

/// [`suggest_table`] with evidence from the rest of the export: columns whose values are
/// the keys of another table's kind count as references to it, for the kind's score too;
/// and a column other tables refer to (`parent`) makes the table a candidate for the kinds
/// others refer to, with that column as the id (see [`parent_candidates`]).
pub fn suggest_table_with(
    sample: &TableSample,
    threshold: f64,
    links: &[ValueLink],
    parent: Option<&ParentKey>,
) -> TableSuggestion {
    suggest_scoped(sample, threshold, links, parent, None)
}

/// The mapping of a table onto one kind, known already (see [`crate::derive`]).
pub(crate) fn suggest_as(sample: &TableSample, threshold: f64, kind: Kind) -> TableSuggestion {
    suggest_scoped(sample, threshold, &[], None, Some(kind))
}

fn suggest_scoped(
    sample: &TableSample,
    threshold: f64,
    links: &[ValueLink],
    parent: Option<&ParentKey>,
    only: Option<Kind>,
) -> TableSuggestion {
    let profiles: Vec<ColumnProfile> = (0..sample.headers.len())
        .map(|i| ColumnProfile::of(sample, i))
        .collect();
    let titles: Vec<bool> = profiles
        .iter()
        .map(ColumnProfile::reads_as_titles)
        .collect();
    let crate::arithmetic::Found {
        total,
        balance,
        sums,
        money,
    } = crate::arithmetic::read(sample, &profiles);
    let assigned: Vec<(&KindDef, Vec<Candidate>, Vec<Candidate>)> = CATALOGUE
        .iter()
        .copied()
        .filter(|def| only.is_none_or(|k| def.kind == k))
        .map(|def| {
            let mut all: Vec<Candidate> = profiles
                .iter()
                .enumerate()
                .flat_map(|(i, p)| score_column(p, def, i, links.iter().find(|l| l.column == i)))
                .collect();
            all.extend(title_candidates(def, &profiles, &titles, links));
            let mut arithmetic = line_total_candidates(def, &profiles, total.as_ref());
            arithmetic.extend(ledger_candidates(def, &profiles, balance.as_ref()));
            arithmetic.extend(sum_candidates(def, &profiles, sums.as_ref()));
            if arithmetic.is_empty() {
                arithmetic.extend(amount_candidates(def, &profiles, &money, links));
            }
            // Once the amounts say which kind the rows are, the table's one date is that
            // kind's date; without them a lone date says nothing of the kind (a task's due
            // date and an appointment's start read alike).
            if !arithmetic.is_empty() {
                all.extend(date_candidates(def, &profiles, links));
            }
            all.extend(arithmetic);
            all.extend(crate::by_values::typed(def, &profiles, links));
            all.extend(crate::by_values::choices(def, &profiles, links));
            all.extend(crate::by_values::names(def, sample, &profiles));
            if let Some(parent) = parent {
                all.extend(parent_candidates(def, &profiles, parent, links));
            }
            let best_per_col = best_per_column(&all);
            let mut chosen = assign(all, threshold, &profiles);
            chosen.extend(crate::by_values::organisation(
                def, sample, &profiles, &chosen,
            ));
            follow_the_balance(balance.as_ref(), &mut chosen);
            (def, chosen, best_per_col)
        })
        .collect();
    let ncols = profiles.len().max(1) as f64;
    let mut scored: Vec<(Kind, f64, Vec<Candidate>, Vec<Candidate>)> = assigned
        .into_iter()
        .map(|(def, chosen, best_per_col)| {
            let coverage: f64 = chosen.iter().map(|c| c.confidence).sum::<f64>() / ncols;
            // The id is left out: a key can be inferred or derived for any table.
            let id = def.id_field().name;
            let required: Vec<_> = def
                .fields
                .iter()
                .filter(|f| f.required && f.name != id)
                .collect();
            let defaults = defaults_for(&sample.name, def, &chosen, &profiles, total.as_ref());
            let covered = required
                .iter()
                .filter(|f| {
                    chosen.iter().any(|c| c.field == f.name)
                        || defaults.iter().any(|(d, _)| *d == f.name)
                })
                .count();
            // Each "one of" group (a contact needs some name) is one more requirement.
            let groups = def
                .one_of
                .iter()
                .filter(|g| g.iter().any(|f| chosen.iter().any(|c| c.field == *f)))
                .count();
            let (covered, needed) = (covered + groups, required.len() + def.one_of.len());
            let req_share = if needed == 0 {
                0.5
            } else {
                covered as f64 / needed as f64
            };
            let named = name_score(&sample.name, def);
            let mut score = 0.4 * coverage + 0.4 * req_share + 0.2 * named;
            // A kind whose required fields the columns cannot fill cannot load a row.
            if covered < needed {
                score *= 0.85;
            }
            // A name column fits many kinds: without the table's name pointing to the kind,
            // it takes typed values (dates, amounts, emails, references, ids) to say which.
            let typed: usize = chosen
                .iter()
                .filter_map(|c| def.field(c.field))
                .map(|fd| match fd.ty {
                    // A reference to a parent is the strongest single sign of a child table.
                    FieldType::Ref(_) => 2,
                    _ if fd.name == id || specificity(fd.ty) >= 0.2 => 1,
                    _ => 0,
                })
                .sum();
            if named == 0.0 && typed < 2 {
                score *= 0.7;
            }
            (def.kind, score, chosen, best_per_col)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let kind_scores: Vec<(Kind, f64)> =
        scored.iter().map(|(k, s, _, _)| (*k, round3(*s))).collect();
    let Some((kind, kind_score, chosen, best_per_col)) = scored.into_iter().next() else {
        return empty_suggestion(sample);
    };
    let def = CATALOGUE.iter().find(|d| d.kind == kind).copied();
    let columns = profiles
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let pick = chosen.iter().find(|c| c.column == i);
            let guess = best_per_col.iter().find(|c| c.column == i);
            ColumnSuggestion {
                column: i,
                header: p.header.clone(),
                field: pick.map(|c| c.field),
                confidence: round3(pick.map(|c| c.confidence).unwrap_or(0.0)),
                evidence: pick.or(guess).map(|c| c.evidence.clone()),
                best_guess: guess.map(|c| (c.field, round3(c.confidence))),
                examples: p.examples(3),
            }
        })
        .collect::<Vec<_>>();
    let missing_required: Vec<&'static str> = def
        .map(|d| {
            d.fields
                .iter()
                .filter(|f| f.required && !columns.iter().any(|c| c.field == Some(f.name)))
                .map(|f| f.name)
                .collect()
        })
        .unwrap_or_default();
    let mut votes = (0, 0, 0);
    for c in &columns {
        let is_date = c
            .field
            .and_then(|f| def.and_then(|d| d.field(f)))
            .is_some_and(|fd| matches!(fd.ty, FieldType::Date | FieldType::DateTime));
        if is_date {
            let (m, d, e) = profiles[c.column].order_votes();
            votes = (votes.0 + m, votes.1 + d, votes.2 + e);
        }
    }
    let defaults = def
        .map(|d| {
            let picked: Vec<Candidate> = columns
                .iter()
                .filter_map(|c| {
                    c.field.map(|f| Candidate {
                        column: c.column,
                        field: f,
                        confidence: c.confidence,
                        evidence: Evidence {
                            header_score: 0.0,
                            matched: String::new(),
                            value_fit: None,
                            uniqueness: 0.0,
                            reference_hits: None,
                        },
                    })
                })
                .collect();
            defaults_for(&sample.name, d, &picked, &profiles, total.as_ref())
        })
        .unwrap_or_default();
    let mut missing_required: Vec<&'static str> = missing_required
        .into_iter()
        .filter(|f| !defaults.iter().any(|(d, _)| d == f))
        .collect();
    let mut questions = Vec::new();
    if let Some((runner, runner_score)) = kind_scores.get(1) {
        if kind_score >= KIND_THRESHOLD && kind_score - runner_score < KIND_MARGIN {
            questions.push(Question {
                table: sample.name.clone(),
                column: None,
                topic: crate::question::Topic::Kind,
                prompt: "which kind of record does this table hold?".into(),
                options: vec![kind.to_string(), runner.to_string()],
                proposed: Some(kind.to_string()),
                evidence: format!(
                    "{kind} scores {:.2} and {runner} {:.2}: the columns fit both about as well.",
                    kind_score, runner_score
                ),
                setting: format!("kind = \"{kind}\""),
            });
        }
    }
    let recognised = only.is_some() || kind_score >= KIND_THRESHOLD;
    let mut columns = columns;
    let mut defaults = defaults;
    if !recognised {
        // A table of no known kind is left out whole: no guessed column may stay mapped to
        // a kind nobody chose (its fields would not be that table's).
        for c in &mut columns {
            if let Some(f) = c.field.take() {
                c.best_guess = Some((f, c.confidence));
                c.confidence = 0.0;
            }
        }
        defaults.clear();
        missing_required.clear();
    }
    let mut suggestion = TableSuggestion {
        table: sample.name.clone(),
        kind: recognised.then_some(kind),
        kind_confidence: round3(kind_score),
        kind_scores,
        columns,
        date_order: order_from_votes(votes),
        date_order_evidence: votes,
        two_digit_years: None,
        missing_required,
        questions,
        key: Key::Field,
        key_evidence: None,
        defaults,
        decimal: Vec::new(),
        minor_units: Vec::new(),
        serial_dates: Vec::new(),
        encoding: None,
        country: None,
        country_evidence: None,
        currency: None,
        currency_evidence: None,
        quantity_unit: Default::default(),
        quantity_unit_evidence: None,
        times: Vec::new(),
        by_name: Vec::new(),
        from: None,
    };
    if let Some(def) = def.filter(|_| recognised) {
        crate::separators::settle(&mut suggestion, def, &profiles);
        crate::minor_units::settle(&mut suggestion, def, &profiles);
        crate::serial_dates::settle(&mut suggestion, def, &profiles);
        crate::clock::settle(&mut suggestion, def, &profiles);
        crate::units::settle(&mut suggestion, def, sample);
        crate::years::settle(&mut suggestion, def, &profiles, this_year());
    }
    suggestion
}

fn this_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year()
}

fn best_per_column(all: &[Candidate]) -> Vec<Candidate> {
    let mut best: HashMap<usize, &Candidate> = HashMap::new();
    for c in all {
        let e = best.entry(c.column).or_insert(c);
        if c.confidence > e.confidence {
            *e = c;
        }
    }
    let mut v: Vec<Candidate> = best
        .into_values()
        .map(|c| Candidate {
            column: c.column,
            field: c.field,
            confidence: c.confidence,
            evidence: c.evidence.clone(),
        })
        .collect();
    v.sort_by_key(|c| c.column);
    v
}

fn empty_suggestion(sample: &TableSample) -> TableSuggestion {
    TableSuggestion {
        table: sample.name.clone(),
        kind: None,
        kind_confidence: 0.0,
        kind_scores: Vec::new(),
        columns: Vec::new(),
        date_order: None,
        date_order_evidence: (0, 0, 0),
        two_digit_years: None,
        missing_required: Vec::new(),
        questions: Vec::new(),
        key: Key::Field,
        key_evidence: None,
        defaults: Vec::new(),
        decimal: Vec::new(),
        minor_units: Vec::new(),
        serial_dates: Vec::new(),
        encoding: None,
        country: None,
        country_evidence: None,
        currency: None,
        currency_evidence: None,
        quantity_unit: Default::default(),
        quantity_unit_evidence: None,
        times: Vec::new(),
        by_name: Vec::new(),
        from: None,
    }
}

/// Values that read only one way a side needs for each one that reads only the other, for
/// that side to be the order: a stray date typed the other way (or two) does not make a
/// column's order unknown, and so every ambiguous date in it a reject; a column truly
/// written both ways stays unknown. The stray dates themselves are then rejected, each
/// saying it reads only the other way.
pub const ORDER_MAJORITY: usize = 20;

/// A column's order: the way its values point, when the other way has at most one value
/// for each [`ORDER_MAJORITY`] of them.
pub fn order_from_votes((mdy, dmy, _either): (usize, usize, usize)) -> Option<DateOrder> {
    if mdy > 0 && dmy.saturating_mul(ORDER_MAJORITY) <= mdy {
        Some(DateOrder::Mdy)
    } else if dmy > 0 && mdy.saturating_mul(ORDER_MAJORITY) <= dmy {
        Some(DateOrder::Dmy)
    } else {
        None
    }
}

/// Tables without evidence of their own take the order the rest of the export agrees on.
pub fn settle_date_orders(tables: &mut [TableSuggestion]) {
    let (m, d) = tables.iter().fold((0, 0), |(m, d), t| {
        (m + t.date_order_evidence.0, d + t.date_order_evidence.1)
    });
    let export_order = order_from_votes((m, d, 0));
    for t in tables.iter_mut() {
        if t.date_order.is_none() && t.date_order_evidence.0 == 0 && t.date_order_evidence.1 == 0 {
            t.date_order = export_order;
        }
    }
}

/// Adds cross-file evidence: a reference column whose values are ids of the referenced kind
/// gains confidence; one whose values are not loses it. `ids` holds each kind's sampled ids.
pub fn apply_reference_evidence(
    tables: &mut [TableSuggestion],
    samples: &[TableSample],
    ids: &HashMap<Kind, IdSet>,
    threshold: f64,
) {
    for (t, sample) in tables.iter_mut().zip(samples) {
        let Some(def) = t
            .kind
            .and_then(|k| CATALOGUE.iter().find(|d| d.kind == k).copied())
        else {
            continue;
        };
        for c in t.columns.iter_mut() {
            let Some(fd) = c.field.and_then(|f| def.field(f)) else {
                continue;
            };
            let target = match fd.ty {
                FieldType::Ref(k) => k,
                _ => continue,
            };
            let Some(known) = ids.get(&target) else {
                continue;
            };
            let values: Vec<&str> = sample
                .rows
                .iter()
                .filter_map(|r| r.get(c.column))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() || known.is_empty() {
                continue;
            }
            let hits = values
                .iter()
                .filter(|v| known.contains(&id_hash(v)))
                .count() as f64
                / values.len() as f64;
            if let Some(ev) = c.evidence.as_mut() {
                // A column linked by its sampled values (see `keys`) keeps that confidence
                // while every row's values still hold; its header was never the evidence.
                let linked = ev.reference_hits.is_some();
                ev.reference_hits = Some(round3(hits));
                let fit = hits.min(ev.value_fit.unwrap_or(1.0));
                ev.value_fit = Some(round3(fit));
                if !(linked && hits >= crate::keys::REFERS) {
                    c.confidence = round3(combine(ev.header_score, Some(fit), fd.ty));
                }
                if c.confidence < threshold {
                    c.best_guess = Some((fd.name, c.confidence));
                    c.field = None;
                }
            }
        }
    }
}

/// The hash ids are compared by, so large id sets stay small in memory.
pub fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // DefaultHasher::new() uses fixed keys: the same id always hashes the same.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

/// A set of [`id_hash`]es. They are hashes already, so the set keys its table with them as
/// they are instead of hashing each again (the full pass adds every row's id).
pub type IdSet = HashSet<u64, std::hash::BuildHasherDefault<Hashed>>;
/// A map keyed by [`id_hash`]es, as [`IdSet`].
pub type IdMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<Hashed>>;

/// The hasher of [`IdSet`]: a u64 key is its own hash.
#[derive(Default)]
pub struct Hashed(u64);

impl std::hash::Hasher for Hashed {
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are written; any other key is folded in, byte by byte.
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
