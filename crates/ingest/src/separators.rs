//! Decimal separators per column, decided from the evidence in the column's values as date
//! order is: "1,5" and "0,25" prove a decimal comma, "1.5" and "1,234.50" a decimal point,
//! "1,250" proves nothing. A column whose values disagree, or that holds only values that
//! read both ways, becomes a question; nothing is guessed.

use crate::columns::ColumnProfile;
use crate::question::{Question, Topic};
use crate::suggest::TableSuggestion;
use migrationai_domain::catalogue::{FieldType, KindDef};
use migrationai_domain::value::number::{evidence, SeparatorEvidence};
use migrationai_domain::value::DecimalSeparator;

/// How a column's values vote: (point, comma, either).
pub fn votes(profile: &ColumnProfile) -> (usize, usize, usize) {
    let (mut point, mut comma, mut either) = (0, 0, 0);
    for v in &profile.values {
        match evidence(v) {
            SeparatorEvidence::Point => point += 1,
            SeparatorEvidence::Comma => comma += 1,
            SeparatorEvidence::Ambiguous => either += 1,
            SeparatorEvidence::None => {}
        }
    }
    (point, comma, either)
}

/// The decimal separator a column's own values prove, if they prove one: some values read
/// only one way, and none only the other.
pub fn proven(values: &[String]) -> Option<DecimalSeparator> {
    let (mut point, mut comma) = (false, false);
    for v in values {
        match evidence(v) {
            SeparatorEvidence::Point => point = true,
            SeparatorEvidence::Comma => comma = true,
            SeparatorEvidence::Ambiguous | SeparatorEvidence::None => {}
        }
    }
    match (point, comma) {
        (true, false) => Some(DecimalSeparator::Point),
        (false, true) => Some(DecimalSeparator::Comma),
        _ => None,
    }
}

fn is_numeric(ty: FieldType) -> bool {
    matches!(
        ty,
        FieldType::Money { .. } | FieldType::Decimal | FieldType::Integer
    )
}

/// Decides the separator of every mapped numeric column of `t`, and asks about the rest.
pub fn settle(t: &mut TableSuggestion, def: &KindDef, profiles: &[ColumnProfile]) {
    for c in &t.columns {
        let Some(fd) = c.field.and_then(|f| def.field(f)) else {
            continue;
        };
        let Some(profile) = profiles.get(c.column) else {
            continue;
        };
        if !is_numeric(fd.ty) {
            continue;
        }
        let (point, comma, either) = votes(profile);
        let ask = |evidence: String| Question {
            table: t.table.clone(),
            column: Some(c.header.clone()),
            topic: Topic::DecimalSeparator,
            prompt: "is the decimal separator of this column a point or a comma?".into(),
            options: vec![".".into(), ",".into()],
            proposed: None,
            evidence,
            setting: format!(
                "[file.decimal] {} = \".\" or \",\"",
                toml::Value::String(c.header.clone())
            ),
        };
        match (point > 0, comma > 0) {
            (true, false) => t.decimal.push((c.header.clone(), DecimalSeparator::Point)),
            (false, true) => t.decimal.push((c.header.clone(), DecimalSeparator::Comma)),
            (true, true) => t.questions.push(ask(format!(
                "{point} sampled values read only with a decimal point and {comma} only with a \
                 decimal comma; values that depend on it are rejected until it is set."
            ))),
            (false, false) if either > 0 => t.questions.push(ask(format!(
                "{either} sampled values such as \"{}\" read either way (a thousands group or \
                 three decimals); they are rejected until it is set.",
                profile
                    .values
                    .iter()
                    .find(|v| evidence(v) == SeparatorEvidence::Ambiguous)
                    .map(String::as_str)
                    .unwrap_or_default()
            ))),
            (false, false) => {}
        }
    }
    // In header order, as the mapping file keeps them.
    t.decimal.sort_by(|a, b| a.0.cmp(&b.0));
}
