//! Two-digit years per table. A stray "3/4/24" in a column of four-digit years is a row's
//! error, and stays one. A table whose date columns write the year with two digits on most
//! values is written that way on purpose (older practice systems export "mm/dd/yy"), and
//! rejecting every row would migrate nothing: the proposal reads its years in the hundred
//! years ending [`YearWindow::AHEAD`] years from now, and asks a person to confirm them.

use crate::columns::ColumnProfile;
use crate::question::{Question, Topic};
use crate::suggest::TableSuggestion;
use migrationai_domain::catalogue::{FieldType, KindDef};
use migrationai_domain::value::date::{self, DateError, DateOrder, YearWindow};

/// Share of a table's date values that must write a two-digit year for the table to be
/// read that way; below it, two-digit years are the rows' faults.
const MOST: f64 = 0.5;

/// How a table's mapped date columns write their years: (two digits, four digits).
fn votes(t: &TableSuggestion, def: &KindDef, profiles: &[ColumnProfile]) -> (usize, usize) {
    let (mut two, mut four) = (0, 0);
    let dated = t.columns.iter().filter(|c| {
        c.field
            .and_then(|f| def.field(f))
            .is_some_and(|fd| matches!(fd.ty, FieldType::Date | FieldType::DateTime))
    });
    for c in dated {
        let Some(p) = profiles.get(c.column) else {
            continue;
        };
        for v in &p.values {
            // Only a date's year is in question here, so either day order will do.
            let plain = |o| date::parse_date(date_part(v), Some(o));
            match (plain(DateOrder::Mdy), plain(DateOrder::Dmy)) {
                (Ok(_), _) | (_, Ok(_)) => four += 1,
                (Err(DateError::TwoDigitYear(_)), _) | (_, Err(DateError::TwoDigitYear(_))) => {
                    two += 1
                }
                _ => {}
            }
        }
    }
    (two, four)
}

/// The date in a date-time value ("02/03/21 10:00"); a date's own spaces ("5 Mar 21") stay.
fn date_part(v: &str) -> &str {
    match v.split_once(' ') {
        Some((d, rest)) if rest.contains(':') => d,
        _ => v,
    }
}

/// Decides the two-digit years of `t`, reading them in the window ending `AHEAD` years after
/// `this_year`.
pub fn settle(t: &mut TableSuggestion, def: &KindDef, profiles: &[ColumnProfile], this_year: i32) {
    let (two, four) = votes(t, def, profiles);
    if two == 0 || (two as f64) < MOST * (two + four) as f64 {
        return;
    }
    let window = YearWindow::ending_after(this_year);
    let range = crate::mapping::window_text(window);
    t.two_digit_years = Some(window);
    t.questions.push(Question {
        table: t.table.clone(),
        column: None,
        topic: Topic::TwoDigitYears,
        prompt: "which hundred years do its two-digit years fall in?".into(),
        options: vec![
            range.clone(),
            crate::mapping::window_text(YearWindow {
                first: window.first - 100,
            }),
        ],
        proposed: Some(range.clone()),
        evidence: format!(
            "{two} of its {} sampled dates write the year with two digits, which does not say \
             the century; they are read as {range}.",
            two + four
        ),
        setting: format!("two_digit_years = \"{range}\""),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::TableSample;
    use crate::suggest::suggest_table;

    fn sample(dates: &[&str]) -> TableSample {
        TableSample {
            name: "matters.csv".into(),
            headers: ["Matter ID", "Client ID", "Matter Name", "Open Date"]
                .map(String::from)
                .to_vec(),
            rows: dates
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    vec![
                        format!("M{i}"),
                        format!("C{}", i % 2),
                        format!("Smith v Jones {i}"),
                        d.to_string(),
                    ]
                })
                .collect(),
        }
    }

    #[test]
    fn a_table_written_with_two_digit_years_is_read_in_a_proposed_window() {
        let t = suggest_table(
            &sample(&["02/14/21", "11/30/19", "07/04/23", "1/2/99"]),
            0.7,
        );
        assert_eq!(
            t.column_for("opened_on").map(|c| c.header.as_str()),
            Some("Open Date")
        );
        let w = t.two_digit_years.expect("a window is proposed");
        assert!(w.first <= 1999 && w.last() >= 2023, "{w:?}");
        let q = t
            .questions
            .iter()
            .find(|q| q.topic == Topic::TwoDigitYears)
            .expect("and asked about");
        assert_eq!(
            q.proposed.as_deref(),
            Some(crate::mapping::window_text(w).as_str())
        );
        assert!(q.setting.starts_with("two_digit_years = "), "{}", q.setting);
    }

    #[test]
    fn a_stray_two_digit_year_among_four_digit_ones_stays_a_fault() {
        let t = suggest_table(
            &sample(&["02/14/2021", "11/30/2019", "07/04/23", "01/02/1999"]),
            0.7,
        );
        assert_eq!(t.two_digit_years, None);
        assert!(!t.questions.iter().any(|q| q.topic == Topic::TwoDigitYears));
    }
}
