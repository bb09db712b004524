//! Questions for a person: what the evidence in an export could not decide on its own.
//!
//! Wherever detection weighs evidence (a table's kind, its key, a column's date order, decimal
//! separator or encoding) and two readings stay close, it asks instead of guessing. `inspect`
//! lists the questions, the web review shows them beside the file, and each names the mapping
//! setting that answers it.

use serde::{Deserialize, Serialize};

/// What a question is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// Which kind of record a table holds.
    Kind,
    /// Which column is a table's key.
    Key,
    /// Which field a column maps to.
    Field,
    /// Month or day first.
    DateOrder,
    /// Decimal comma or decimal point.
    DecimalSeparator,
    /// Which character encoding a file is in.
    Encoding,
    /// The currency amounts are in.
    Currency,
    /// The time zone local times are in.
    TimeZone,
    /// The country phone numbers without a country code are in.
    Country,
    /// The unit time entries' quantities are written in (hours, tenths, minutes).
    QuantityUnit,
    /// The century of dates written with two-digit years.
    TwoDigitYears,
}

/// One question about one table (or one of its columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// The table's name, as the mapping file names it.
    pub table: String,
    /// The column the question is about, when it is about one.
    pub column: Option<String>,
    pub topic: Topic,
    /// The question, in a sentence a person can answer.
    pub prompt: String,
    /// The readings the evidence allows, best first.
    pub options: Vec<String>,
    /// What runs if nobody answers; `None` when nothing safe can run without an answer.
    pub proposed: Option<String>,
    /// Why the evidence does not decide, in a sentence.
    pub evidence: String,
    /// The mapping setting that answers the question, e.g. `kind = "tasks"`.
    pub setting: String,
}

impl Question {
    /// One line for a terminal: the question, its options and how to answer it.
    pub fn line(&self) -> String {
        let column = self
            .column
            .as_deref()
            .map(|c| format!(" column \"{c}\""))
            .unwrap_or_default();
        let proposed = self
            .proposed
            .as_deref()
            .map(|p| format!("; proposed: {p}"))
            .unwrap_or_else(|| "; nothing is proposed".into());
        format!(
            "{}{column}: {} ({}){proposed}. {} Answer with {} in the mapping file.",
            self.table,
            self.prompt,
            self.options.join(" or "),
            self.evidence,
            self.setting
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_names_its_table_column_options_and_setting() {
        let q = Question {
            table: "Tasks-list.csv".into(),
            column: None,
            topic: Topic::Kind,
            prompt: "which kind of record does this table hold?".into(),
            options: vec!["tasks".into(), "project-funds".into()],
            proposed: Some("tasks".into()),
            evidence: "Both kinds score within 0.05.".into(),
            setting: "kind = \"tasks\"".into(),
        };
        let line = q.line();
        for part in [
            "Tasks-list.csv",
            "tasks or project-funds",
            "proposed: tasks",
            "kind = \"tasks\"",
        ] {
            assert!(line.contains(part), "{line}");
        }
        let json = serde_json::to_string(&q).expect("serialises");
        assert!(json.contains("\"topic\":\"kind\""), "{json}");
    }
}
