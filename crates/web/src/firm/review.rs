//! The mapping review, file by file and column by column: the kind (or leaving the file
//! out), the key column, the date order, the export's currency and time zone, the required
//! fields still unmet and the questions the analysis left; per column the field by its name
//! for people with its description, the confidence, the best guess and sample values; and
//! the check of the data with the mapping as it stands. Built from the API's mapping view,
//! its proposal and its check.

use std::collections::HashMap;

use migrationai_api_types::jobs::check::{CheckView, FileCheck};
use migrationai_api_types::jobs::mapping::{MappingChange, MappingView, TableView};
use migrationai_domain::catalogue::{kind_def, FieldDef, FieldType};
use migrationai_domain::Kind;
use migrationai_ingest::question::{Question, Topic};
use serde::{Deserialize, Serialize};

/// Below this a mapped column is shown as a low-confidence match to look at.
pub const LOW: f64 = 0.85;

/// What the proposal said about a table (the ingest suggestion as JSON).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct Proposed {
    table: String,
    kind: Option<String>,
    kind_confidence: f64,
    kind_scores: Vec<(String, f64)>,
    columns: Vec<ProposedColumn>,
    date_order_evidence: (usize, usize, usize),
    questions: Vec<Question>,
    key_evidence: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
struct ProposedColumn {
    header: String,
    field: Option<String>,
    confidence: f64,
    best_guess: Option<(String, f64)>,
    examples: Vec<String>,
}

/// Which rows the review shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Only {
    All,
    /// Columns whose match is below [`LOW`], or unmapped with a best guess.
    Low,
    /// Columns and tables with something to fix: low matches, unmet fields, questions,
    /// problems the check found.
    Problems,
}

impl Only {
    pub fn from_query(v: Option<&str>) -> Only {
        match v {
            Some("low") => Only::Low,
            Some("problems") => Only::Problems,
            _ => Only::All,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldOption {
    pub name: &'static str,
    pub label: String,
    pub description: &'static str,
    pub required: bool,
    pub ty: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindOption {
    pub slug: &'static str,
    pub label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnReview {
    pub idx: usize,
    pub header: String,
    pub field: Option<String>,
    pub field_label: Option<String>,
    /// What the field holds, from the catalogue.
    pub field_description: Option<&'static str>,
    /// The proposal's confidence for the field the column has now (0 when a person chose
    /// another).
    pub confidence: f64,
    /// For an unmapped column: the field it most resembles, with the name for people.
    pub best_guess: Option<(String, String, f64)>,
    pub examples: String,
    pub low: bool,
    /// Why the column needs a look, when it does.
    pub problem: Option<String>,
    pub shown: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct QuestionView {
    pub column: Option<String>,
    pub topic: Topic,
    pub prompt: String,
    pub options: Vec<String>,
    pub proposed: Option<String>,
    pub evidence: String,
    pub setting: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableReview {
    pub idx: usize,
    pub table: String,
    pub kind: Option<String>,
    pub kind_label: Option<&'static str>,
    /// Left out on purpose; with no kind and not left out, the table waits for a decision.
    pub left_out: bool,
    /// The kind the analysis detected, and how sure it was.
    pub detected: Option<String>,
    pub detected_label: Option<&'static str>,
    pub kind_confidence: f64,
    /// The runners-up: (label, slug, score).
    pub alternatives: Vec<(&'static str, String, f64)>,
    pub key: Option<String>,
    pub key_label: Option<String>,
    /// Why the analysis chose the key it proposed.
    pub key_evidence: Option<String>,
    /// Fields filled on every row with one value: (name for people, value).
    pub defaults: Vec<(String, String)>,
    pub date_order: Option<String>,
    pub has_dates: bool,
    /// Values only month-first reads, only day-first reads, either.
    pub date_evidence: (usize, usize, usize),
    /// The order is a guess: no value decides it, or a question asks it.
    pub date_guess: bool,
    /// The kind's required fields by their names for people, each with whether a column
    /// gives it.
    pub required: Vec<(String, bool)>,
    /// Required fields (by their names for people) that no column gives.
    pub unmet: Vec<String>,
    pub questions: Vec<QuestionView>,
    pub fields: Vec<FieldOption>,
    pub columns: Vec<ColumnReview>,
    pub check: Option<FileCheck>,
    pub has_problems: bool,
    pub shown: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub currency: String,
    pub time_zone: String,
    /// Questions about the whole export's currency or time zone.
    pub settings_questions: Vec<QuestionView>,
    pub kinds: Vec<KindOption>,
    pub tables: Vec<TableReview>,
    pub only: Only,
    /// Tables mapped to a kind with required fields unmet.
    pub unmet_tables: usize,
    pub check: CheckView,
}

fn question(q: &Question) -> QuestionView {
    QuestionView {
        column: q.column.clone(),
        topic: q.topic,
        prompt: q.prompt.clone(),
        options: q.options.clone(),
        proposed: q.proposed.clone(),
        evidence: q.evidence.clone(),
        setting: q.setting.clone(),
    }
}

fn kind_label(slug: &str) -> Option<&'static str> {
    slug.parse::<Kind>().ok().map(Kind::label)
}

fn field_option(f: &FieldDef) -> FieldOption {
    FieldOption {
        name: f.name,
        label: f.label(),
        description: f.description,
        required: f.required,
        ty: f.ty.label(),
    }
}

/// A field's name for people in the table's kind.
fn label_in(kind: Option<&str>, field: &str) -> String {
    kind.and_then(|k| k.parse::<Kind>().ok())
        .map(kind_def)
        .and_then(|d| d.field(field))
        .map(|f| f.label())
        .unwrap_or_else(|| field.to_string())
}

/// Turns "one of a, b" and field names into words for people.
fn unmet_labels(kind: Option<&str>, unmet: &[String]) -> Vec<String> {
    unmet
        .iter()
        .map(|u| match u.strip_prefix("one of ") {
            Some(list) => format!(
                "one of {}",
                list.split(", ")
                    .map(|f| label_in(kind, f))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => label_in(kind, u),
        })
        .collect()
}

fn table_review(
    idx: usize,
    t: &TableView,
    p: Option<&Proposed>,
    check: Option<&FileCheck>,
    only: Only,
) -> TableReview {
    let kind = t.kind.as_deref();
    let def = kind.and_then(|k| k.parse::<Kind>().ok()).map(kind_def);
    let detected = p.and_then(|p| p.kind.clone());
    let questions: Vec<QuestionView> = p
        .map(|p| {
            p.questions
                .iter()
                .filter(|q| !matches!(q.topic, Topic::Currency | Topic::TimeZone | Topic::Country))
                .map(question)
                .collect()
        })
        .unwrap_or_default();
    let proposed_cols: HashMap<&str, &ProposedColumn> = p
        .map(|p| p.columns.iter().map(|c| (c.header.as_str(), c)).collect())
        .unwrap_or_default();
    let columns: Vec<ColumnReview> = t
        .columns
        .iter()
        .enumerate()
        .map(|(ci, c)| {
            let pc = proposed_cols.get(c.header.as_str()).copied();
            let confidence = match (pc, &c.field) {
                (Some(pc), Some(f)) if pc.field.as_deref() == Some(f.as_str()) => pc.confidence,
                (_, Some(_)) => 1.0, // chosen by a person
                _ => 0.0,
            };
            let best_guess = match (&c.field, pc.and_then(|pc| pc.best_guess.clone())) {
                (None, Some((f, conf))) if def.is_some_and(|d| d.field(&f).is_some()) => {
                    Some((f.clone(), label_in(kind, &f), conf))
                }
                _ => None,
            };
            let checked: Vec<String> = check
                .map(|fc| {
                    fc.problems
                        .iter()
                        .filter(|pr| pr.column.as_deref() == Some(c.header.as_str()))
                        .map(|pr| match pr.row {
                            Some(r) => format!("row {r}: {}", pr.message),
                            None => pr.message.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let low = (c.field.is_some() && confidence < LOW) || best_guess.is_some();
            let problem = if !checked.is_empty() {
                Some(checked.join("; "))
            } else if let Some((_, label, conf)) = &best_guess {
                Some(format!(
                    "not mapped; it looks most like {label} ({:.0}%)",
                    conf * 100.0
                ))
            } else if c.field.is_some() && confidence < LOW {
                Some(format!("a weak match ({:.0}%)", confidence * 100.0))
            } else {
                None
            };
            let shown = match only {
                Only::All => true,
                Only::Low => low,
                Only::Problems => problem.is_some(),
            };
            ColumnReview {
                idx: ci,
                header: c.header.clone(),
                field_label: c.field.as_deref().map(|f| label_in(kind, f)),
                field_description: c
                    .field
                    .as_deref()
                    .and_then(|f| def.and_then(|d| d.field(f)))
                    .map(|f| f.description),
                field: c.field.clone(),
                confidence,
                best_guess,
                examples: pc
                    .map(|pc| {
                        pc.examples
                            .iter()
                            .take(3)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" · ")
                    })
                    .unwrap_or_default(),
                low,
                problem,
                shown,
            }
        })
        .collect();
    let has_dates = def.is_some_and(|d| {
        t.columns.iter().any(|c| {
            c.field
                .as_deref()
                .and_then(|f| d.field(f))
                .is_some_and(|f| matches!(f.ty, FieldType::Date | FieldType::DateTime))
        })
    });
    let date_evidence = p.map(|p| p.date_order_evidence).unwrap_or_default();
    // A guess when a sampled date reads both ways and none settles it, or a question asks;
    // dates that read one way only (2024-05-01) need no order at all.
    let date_guess = has_dates
        && (questions.iter().any(|q| q.topic == Topic::DateOrder)
            || (date_evidence.0 == 0 && date_evidence.1 == 0 && date_evidence.2 > 0));
    let unmet = if kind.is_some() {
        unmet_labels(kind, &t.unmet)
    } else {
        Vec::new()
    };
    let required = def
        .map(|d| {
            d.fields
                .iter()
                .filter(|f| f.required)
                .map(|f| (f.label(), !t.unmet.iter().any(|u| u == f.name)))
                .collect()
        })
        .unwrap_or_default();
    let undecided = t.kind.is_none() && !t.left_out;
    let has_problems = undecided
        || !unmet.is_empty()
        || !questions.is_empty()
        || date_guess
        || check.is_some_and(|c| !c.problem_totals.is_empty())
        || columns.iter().any(|c| c.problem.is_some());
    let shown = match only {
        Only::All => true,
        Only::Low => columns.iter().any(|c| c.shown),
        Only::Problems => has_problems,
    };
    TableReview {
        idx,
        table: t.table.clone(),
        kind_label: kind.and_then(kind_label),
        kind: t.kind.clone(),
        left_out: t.left_out,
        detected_label: detected.as_deref().and_then(kind_label),
        detected,
        kind_confidence: p.map_or(0.0, |p| p.kind_confidence),
        alternatives: p
            .map(|p| {
                p.kind_scores
                    .iter()
                    .filter(|(k, _)| Some(k) != p.kind.as_ref())
                    .filter_map(|(k, s)| kind_label(k).map(|l| (l, k.clone(), *s)))
                    .take(2)
                    .collect()
            })
            .unwrap_or_default(),
        key_label: t.key.as_ref().map(|_| {
            def.map(|d| d.id_field().label())
                .unwrap_or_else(|| "ID".into())
        }),
        key: t.key.clone(),
        key_evidence: p.and_then(|p| p.key_evidence.clone()),
        defaults: t
            .defaults
            .iter()
            .map(|(f, v)| (label_in(kind, f), v.clone()))
            .collect(),
        date_order: t.date_order.clone(),
        has_dates,
        date_evidence,
        date_guess,
        required,
        unmet,
        questions,
        fields: def
            .map(|d| d.fields.iter().map(field_option).collect())
            .unwrap_or_default(),
        columns,
        check: check.cloned(),
        has_problems,
        shown,
    }
}

/// The review of a job's mapping.
pub fn review(view: &MappingView, check: CheckView, only: Only) -> Review {
    let proposed: Vec<Proposed> = serde_json::from_value(view.proposal.clone()).unwrap_or_default();
    let current_check = check.result.as_ref().filter(|_| check.current);
    let tables: Vec<TableReview> = view
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let p = proposed.iter().find(|p| p.table == t.table);
            let c = current_check.and_then(|r| r.files.iter().find(|f| f.table == t.table));
            table_review(i, t, p, c, only)
        })
        .collect();
    let settings_questions = proposed
        .iter()
        .flat_map(|p| p.questions.iter())
        .filter(|q| matches!(q.topic, Topic::Currency | Topic::TimeZone | Topic::Country))
        .map(question)
        .collect();
    Review {
        currency: view.currency.clone(),
        time_zone: view.time_zone.clone(),
        settings_questions,
        kinds: Kind::ALL
            .iter()
            .map(|k| KindOption {
                slug: k.as_str(),
                label: k.label(),
            })
            .collect(),
        unmet_tables: tables
            .iter()
            .filter(|t| t.kind.is_some() && !t.unmet.is_empty())
            .count(),
        tables,
        only,
        check,
    }
}

/// The changes a submitted review form asks for. Its fields: `kind.<t>`, `key.<t>`,
/// `order.<t>`, `f.<t>.<c>` per table `t` and column `c`, and `currency`, `time_zone`.
/// A table whose kind changes takes no column changes from the same form (its fields were
/// the old kind's); its columns are mapped again for the new kind.
pub fn changes_from_form(view: &MappingView, form: &HashMap<String, String>) -> Vec<MappingChange> {
    let mut changes = Vec::new();
    let get = |k: String| form.get(&k).map(String::as_str);
    for setting in ["currency", "time_zone"] {
        let Some(v) = form.get(setting).map(|v| v.trim()) else {
            continue;
        };
        let current = if setting == "currency" {
            &view.currency
        } else {
            &view.time_zone
        };
        if !v.is_empty() && !v.eq_ignore_ascii_case(current) {
            changes.push(MappingChange {
                currency: (setting == "currency").then(|| v.to_string()),
                time_zone: (setting == "time_zone").then(|| v.to_string()),
                ..MappingChange::default()
            });
        }
    }
    for (ti, t) in view.tables.iter().enumerate() {
        let table = || Some(t.table.clone());
        if let Some(kind) = get(format!("kind.{ti}")) {
            let now = match (&t.kind, t.left_out) {
                (Some(k), _) => k.as_str(),
                (None, true) => "skip",
                (None, false) => "",
            };
            if kind != now {
                changes.push(MappingChange {
                    table: table(),
                    kind: Some(kind.to_string()),
                    ..MappingChange::default()
                });
                continue;
            }
        }
        for (ci, c) in t.columns.iter().enumerate() {
            let Some(value) = get(format!("f.{ti}.{ci}")) else {
                continue;
            };
            let field = (!value.is_empty()).then(|| value.to_string());
            if field != c.field {
                changes.push(MappingChange {
                    table: table(),
                    column: Some(c.header.clone()),
                    field,
                    ..MappingChange::default()
                });
            }
        }
        if let Some(key) = get(format!("key.{ti}")) {
            let id = t
                .kind
                .as_deref()
                .and_then(|k| k.parse::<Kind>().ok())
                .map(kind_def)
                .map(|d| d.id_field().name);
            if let Some(id) = id {
                if Some(key) != t.key.as_deref() {
                    let is_column = |h: &str| t.columns.iter().any(|c| c.header == h);
                    let change = match (key, &t.key) {
                        // A key of several columns, or derived, is left as it is.
                        ("", Some(old)) if !is_column(old) => None,
                        ("", Some(old)) => Some(MappingChange {
                            table: table(),
                            column: Some(old.clone()),
                            field: None,
                            ..MappingChange::default()
                        }),
                        (new, _) if is_column(new) => Some(MappingChange {
                            table: table(),
                            column: Some(new.to_string()),
                            field: Some(id.to_string()),
                            ..MappingChange::default()
                        }),
                        _ => None,
                    };
                    changes.extend(change);
                }
            }
        }
        if let Some(order) = get(format!("order.{ti}")) {
            if Some(order) != t.date_order.as_deref()
                && !(order.is_empty() && t.date_order.is_none())
            {
                changes.push(MappingChange {
                    table: table(),
                    date_order: Some(order.to_string()),
                    ..MappingChange::default()
                });
            }
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrationai_api_types::jobs::mapping::ColumnView;

    fn view() -> MappingView {
        MappingView {
            toml: String::new(),
            proposal: serde_json::json!([{
                "table": "people.csv", "kind": "contacts", "kind_confidence": 0.62,
                "kind_scores": [["contacts", 0.62], ["projects", 0.58]],
                "columns": [
                    {"header": "Ref", "field": null, "confidence": 0.0, "best_guess": ["contact_id", 0.66], "examples": ["C1", "C2"]},
                    {"header": "Surname", "field": "last_name", "confidence": 0.74, "examples": ["Lee"]},
                    {"header": "Mail", "field": "email", "confidence": 0.99, "examples": ["a@b.c"]}
                ],
                "date_order_evidence": [0, 0, 0],
                "questions": []
            }]),
            currency: "USD".into(),
            time_zone: "America/New_York".into(),
            country: Some("US".into()),
            tables: vec![TableView {
                table: "people.csv".into(),
                kind: Some("contacts".into()),
                left_out: false,
                date_order: None,
                key: None,
                unmet: vec!["contact_id".into()],
                defaults: Vec::new(),
                columns: vec![
                    ColumnView {
                        header: "Ref".into(),
                        field: None,
                    },
                    ColumnView {
                        header: "Surname".into(),
                        field: Some("last_name".into()),
                    },
                    ColumnView {
                        header: "Mail".into(),
                        field: Some("email".into()),
                    },
                ],
            }],
        }
    }

    fn empty_check() -> CheckView {
        CheckView {
            status: "none".into(),
            current: false,
            error: None,
            result: None,
            updated_at: None,
        }
    }

    #[test]
    fn a_table_shows_its_unmet_fields_guesses_and_weak_matches() {
        let r = review(&view(), empty_check(), Only::All);
        let t = &r.tables[0];
        assert_eq!(t.unmet, vec!["Contact ID".to_string()]);
        assert_eq!(t.alternatives[0].0, "Matters");
        assert_eq!(r.unmet_tables, 1);
        let guess = t.columns[0].best_guess.as_ref().expect("guess");
        assert_eq!(
            (guess.0.as_str(), guess.1.as_str()),
            ("contact_id", "Contact ID")
        );
        assert!(t.columns[1].low && !t.columns[2].low);
        assert!(t
            .fields
            .iter()
            .any(|f| f.label == "Last name" && !f.description.is_empty()));

        let low = review(&view(), empty_check(), Only::Low);
        let shown: Vec<&str> = low.tables[0]
            .columns
            .iter()
            .filter(|c| c.shown)
            .map(|c| c.header.as_str())
            .collect();
        assert_eq!(shown, vec!["Ref", "Surname"]);
    }

    #[test]
    fn the_form_becomes_changes() {
        let form: HashMap<String, String> = [
            ("key.0", "Ref"),
            ("f.0.0", ""),
            ("f.0.1", "last_name"),
            ("f.0.2", ""),
            ("currency", "eur"),
            ("time_zone", "America/New_York"),
            ("order.0", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let changes = changes_from_form(&view(), &form);
        assert_eq!(changes.len(), 3, "{changes:?}");
        assert_eq!(changes[0].currency.as_deref(), Some("eur"));
        assert_eq!(changes[1].column.as_deref(), Some("Mail"));
        assert_eq!(changes[1].field, None);
        assert_eq!(
            (changes[2].column.as_deref(), changes[2].field.as_deref()),
            (Some("Ref"), Some("contact_id"))
        );

        // A new kind takes no column changes from the same form.
        let form: HashMap<String, String> = [("kind.0", "projects"), ("f.0.2", "")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let changes = changes_from_form(&view(), &form);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].kind.as_deref(), Some("projects"));
    }

    #[test]
    fn an_undecided_table_stays_undecided_until_left_out() {
        let mut v = view();
        v.tables[0].kind = None;
        let form = |kind: &str| -> HashMap<String, String> {
            [("kind.0".to_string(), kind.to_string())]
                .into_iter()
                .collect()
        };
        assert!(changes_from_form(&v, &form("")).is_empty());
        let changes = changes_from_form(&v, &form("skip"));
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].kind.as_deref(), Some("skip"));

        let r = review(&v, empty_check(), Only::Problems);
        assert!(
            r.tables[0].shown && r.tables[0].has_problems,
            "an undecided table is a problem to look at"
        );
        v.tables[0].left_out = true;
        assert!(changes_from_form(&v, &form("skip")).is_empty());
    }
}
