//! Column profiles: what a sample of a column's values looks like, and how well they fit
//! each canonical field type.

use migrationai_domain::catalogue::{FieldDef, FieldType};
use migrationai_domain::record::{check_path, choose};
use migrationai_domain::value::date::{self, OrderEvidence};
use migrationai_domain::value::{address, text, Currency, DecimalSeparator, Email, Money, Phone};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// Rows read from the top of a table to profile it.
pub const SAMPLE_ROWS: usize = 1000;
/// Values a column's type fit is measured on: parsing is the costly part of profiling.
const FIT_VALUES: usize = 200;

/// The head of one table: its headers and its first rows.
#[derive(Debug, Clone, Default)]
pub struct TableSample {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct ColumnProfile {
    pub header: String,
    pub total: usize,
    /// Non-empty sampled values.
    pub values: Vec<String>,
    pub distinct: usize,
    /// Every value is a yes/no word ("true", "N"): a flag, which fits only a yes/no field or a
    /// choice, never text, an amount or a record's id.
    pub flags: bool,
    /// Fit per field type (per field for choices, whose values differ by field).
    fits: RefCell<HashMap<String, Option<f64>>>,
}

impl ColumnProfile {
    pub fn of(sample: &TableSample, column: usize) -> ColumnProfile {
        let mut values = Vec::new();
        for row in &sample.rows {
            if let Some(v) = row.get(column) {
                let v = v.trim();
                if !v.is_empty() {
                    values.push(v.to_string());
                }
            }
        }
        let distinct = values.iter().collect::<HashSet<_>>().len();
        let flags = !values.is_empty() && values.iter().all(|v| flag_word(v));
        ColumnProfile {
            header: sample.headers.get(column).cloned().unwrap_or_default(),
            total: sample.rows.len(),
            values,
            distinct,
            flags,
            fits: RefCell::new(HashMap::new()),
        }
    }

    /// Share of non-empty values that are distinct.
    pub fn uniqueness(&self) -> f64 {
        if self.values.is_empty() {
            0.0
        } else {
            self.distinct as f64 / self.values.len() as f64
        }
    }

    /// Share of non-empty sampled values that pass `test`; 0 for an empty column.
    pub fn share(&self, test: impl Fn(&str) -> bool) -> f64 {
        if self.values.is_empty() {
            return 0.0;
        }
        self.values.iter().filter(|v| test(v)).count() as f64 / self.values.len() as f64
    }

    /// A few distinct values to show a person reviewing the mapping.
    pub fn examples(&self, n: usize) -> Vec<String> {
        let mut seen = HashSet::new();
        self.values
            .iter()
            .filter(|v| seen.insert(v.as_str()))
            .take(n)
            .map(|v| v.chars().take(60).collect())
            .collect()
    }

    /// Share of non-empty values that parse as the field's type; `None` when the column is empty.
    pub fn fit(&self, field: &FieldDef) -> Option<f64> {
        let key = match field.ty {
            // Fields of different kinds share names ("status") but not choices.
            FieldType::Choice => format!("choice:{:p}", field.choices),
            ty => format!("{ty:?}"),
        };
        if let Some(cached) = self.fits.borrow().get(&key) {
            return *cached;
        }
        let fit = self.measure(field);
        self.fits.borrow_mut().insert(key, fit);
        fit
    }

    fn measure(&self, field: &FieldDef) -> Option<f64> {
        if self.values.is_empty() {
            return None;
        }
        let values = &self.values[..self.values.len().min(FIT_VALUES)];
        let ok = match field.ty {
            FieldType::Phone => phones(values),
            _ => values.iter().filter(|v| value_fits(field, v)).count(),
        };
        let share = ok as f64 / values.len() as f64;
        Some(match field.ty {
            // An id column is one whose values are distinct.
            FieldType::SourceId => share * self.uniqueness(),
            _ => share,
        })
    }

    /// Whether the values read as short titles: nearly all distinct, each a few words of
    /// text (a matter's "Smith v Jones — lease dispute"), not codes, amounts or dates.
    pub fn reads_as_titles(&self) -> bool {
        let values = &self.values[..self.values.len().min(FIT_VALUES)];
        if values.len() < 2 || !self.titles_distinct() {
            return false;
        }
        let titled = values.iter().filter(|v| is_title(v)).count();
        let mean = values.iter().map(|v| v.chars().count()).sum::<usize>() / values.len();
        titled as f64 >= TITLES_WORDED * values.len() as f64 && mean <= TITLE_LEN
    }

    /// Whether the values are distinct enough for titles: nearly all distinct; or, in a
    /// sample large enough to tell, mostly distinct with no value common, as the titles of
    /// matters of the same parties are, and a status or a type never is.
    fn titles_distinct(&self) -> bool {
        if self.uniqueness() >= TITLES_DISTINCT {
            return true;
        }
        if self.values.len() < TITLES_SAMPLE || self.uniqueness() < TITLES_MOSTLY_DISTINCT {
            return false;
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for v in &self.values {
            *counts.entry(v.as_str()).or_default() += 1;
        }
        let top = counts.values().copied().max().unwrap_or(0);
        top as f64 <= TITLE_REPEATS * self.values.len() as f64
    }

    /// How this column's values constrain day/month order.
    pub fn order_votes(&self) -> (usize, usize, usize) {
        let (mut mdy, mut dmy, mut either) = (0, 0, 0);
        for v in &self.values {
            match date::order_evidence(v) {
                OrderEvidence::OnlyMdy => mdy += 1,
                OrderEvidence::OnlyDmy => dmy += 1,
                OrderEvidence::Either => either += 1,
                _ => {}
            }
        }
        (mdy, dmy, either)
    }
}

/// Share of a titles column's values that must be distinct: matters of the same parties
/// ("Smith v. Jones") share a title now and then.
const TITLES_DISTINCT: f64 = 0.8;
/// Values a sample needs before titles that repeat more than that can be told from a
/// status column's.
const TITLES_SAMPLE: usize = 20;
/// Share of distinct values titles that repeat must still have.
const TITLES_MOSTLY_DISTINCT: f64 = 0.5;
/// Most a single title may repeat, as a share of the values.
const TITLE_REPEATS: f64 = 0.1;
/// Share of a titles column's values that must read as titles.
const TITLES_WORDED: f64 = 0.9;
/// Longest a title runs on average, in characters: longer text is a note or a description.
const TITLE_LEN: usize = 80;

/// A title is one line of at least two words with letters, and no date.
fn is_title(v: &str) -> bool {
    let words = v
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count();
    words >= 2
        && !v.contains('\n')
        && [date::DateOrder::Mdy, date::DateOrder::Dmy]
            .iter()
            .all(|o| date::parse_date(v, Some(*o)).is_err())
}

/// Numbers no region found so far explains that are tried in every region, at most: trying a
/// number in a region compiles that region's patterns.
const PHONES_SCANNED: usize = 3;

/// How many values are phone numbers in some country. The export's country is not known
/// while columns are recognised (it is read from these very numbers, see [`crate::country`]),
/// so a national number counts when it is valid in the default country or in a region an
/// earlier number of the column was valid in; a few that none of those explain are tried in
/// every region, and the regions they fit join the candidates. Numbers with their code
/// ("+44 …") are checked as written.
fn phones(values: &[String]) -> usize {
    let mut regions: Vec<&'static str> = crate::mapping::Mapping::default()
        .country
        .as_deref()
        .and_then(Phone::region_id)
        .into_iter()
        .collect();
    let mut scanned = 0;
    values
        .iter()
        .filter(|v| {
            // Parsing in a region checks a number written with its code ("+44 …") as written.
            if regions.iter().any(|r| Phone::parse(v, Some(r)).is_ok())
                || Phone::region_of_international(v).is_some()
            {
                return true;
            }
            if scanned >= PHONES_SCANNED || !national_shape(v) {
                return false;
            }
            scanned += 1;
            let found = Phone::regions_valid_for(v);
            let fits = !found.is_empty();
            for r in found {
                if !regions.contains(&r) {
                    regions.push(r);
                }
            }
            fits
        })
        .count()
}

/// Fewest digits a national number with its area code has in most of the world.
const NATIONAL_DIGITS: usize = 7;

/// Whether a value is shaped like a number written nationally, so that it is worth trying
/// in every region: enough digits, and not an amount ("12345.00") or a date, which are valid
/// digits in some region too. Most columns a phone field is weighed against hold neither.
fn national_shape(v: &str) -> bool {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let cents = v
        .rsplit_once(['.', ','])
        .is_some_and(|(_, d)| d.len() == 2 && d.chars().all(|c| c.is_ascii_digit()));
    let dated = [date::DateOrder::Mdy, date::DateOrder::Dmy]
        .iter()
        .any(|o| date::parse_date(v, Some(*o)).is_ok());
    digits >= NATIONAL_DIGITS && !cents && !dated
}

const SEPARATORS: [DecimalSeparator; 2] = [DecimalSeparator::Point, DecimalSeparator::Comma];

/// Any century reads a two-digit year's date as a date: which one is a question for later
/// (see [`crate::years`]), not for whether the column holds dates.
const ANY_CENTURY: Option<date::YearWindow> = Some(date::YearWindow::ANY);

/// Whether a value reads as a date in either day order.
pub(crate) fn reads_as_date(v: &str) -> bool {
    [date::DateOrder::Mdy, date::DateOrder::Dmy]
        .iter()
        .any(|o| date::parse_date_in(v, Some(*o), ANY_CENTURY).is_ok())
}

/// A value written as a date ("03/01/23", "2024-03-05"): a date column, not an id, whatever
/// its uniqueness. Eight bare digits are left out: ids are written that way too.
fn written_as_date(v: &str) -> bool {
    v.contains(['/', '-', '.', ' ']) && reads_as_date(v)
}

/// A yes/no word ("true", "N"): a flag, which names no record.
fn flag_word(v: &str) -> bool {
    v.chars().all(char::is_alphabetic) && text::parse_bool(v).is_ok()
}

fn value_fits(field: &FieldDef, v: &str) -> bool {
    match field.ty {
        FieldType::SourceId => v.len() <= 256 && !v.contains('\n') && !written_as_date(v),
        FieldType::Ref(_) => v.len() <= 256 && !v.contains('\n'),
        FieldType::RefList(_) => !v.contains('\n'),
        FieldType::Text => v.len() <= 512 && !v.contains('\n'),
        FieldType::LongText => true,
        FieldType::Email => Email::parse(v).is_ok(),
        FieldType::Phone => phones(std::slice::from_ref(&v.to_string())) == 1,
        FieldType::Date => reads_as_date(v),
        FieldType::DateTime => [date::DateOrder::Mdy, date::DateOrder::Dmy]
            .iter()
            .any(|o| date::parse_datetime_in(v, Some(*o), ANY_CENTURY, chrono_tz::UTC).is_ok()),
        FieldType::TimeZone => date::parse_zone(v).is_ok(),
        FieldType::Bool => text::parse_bool(v).is_ok(),
        // A number fits whichever its column's decimal separator turns out to be.
        FieldType::Money { .. } => SEPARATORS
            .iter()
            .any(|s| Money::parse(v, Currency::USD, Some(*s)).is_ok()),
        FieldType::Decimal => SEPARATORS
            .iter()
            .any(|s| text::parse_quantity(v, Some(*s)).is_ok()),
        FieldType::Integer => SEPARATORS
            .iter()
            .any(|s| text::parse_integer(v, Some(*s)).is_ok()),
        FieldType::Currency => v.parse::<Currency>().is_ok(),
        FieldType::Country => address::country_code(v).is_some(),
        FieldType::Choice => choose(field, v).is_ok(),
        FieldType::FilePath => check_path("", v).is_ok() && v.contains('.'),
        FieldType::Sha256 => v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use migrationai_domain::catalogue::CONTACTS;

    fn profile(values: &[&str]) -> ColumnProfile {
        let sample = TableSample {
            name: "people.csv".into(),
            headers: vec!["Tel".into()],
            rows: values.iter().map(|v| vec![v.to_string()]).collect(),
        };
        ColumnProfile::of(&sample, 0)
    }

    /// A few distinct words each: titles. Codes, amounts, dates, repeated words and long
    /// text are not.
    #[test]
    fn titles_are_short_distinct_lines_of_words() {
        let titles = [
            "Smith v Jones — lease dispute",
            "Estate of A. Brown",
            "Purchase of 4 Murphy Street",
        ];
        assert!(profile(&titles).reads_as_titles());
        for not in [
            &["F-1001", "F-1002", "F-1003"][..],
            &["A$ 12.00", "A$ 13.50", "A$ 9.00"],
            &["12 March 2024", "13 March 2024", "14 March 2024"],
            &["Open matter", "Open matter", "Closed matter"],
        ] {
            assert!(!profile(not).reads_as_titles(), "{not:?}");
        }
        let long = "word ".repeat(40);
        assert!(!profile(&[long.as_str(), &format!("{long}x")]).reads_as_titles());
        // Matters of the same parties share a title now and then; a status never varies so.
        let shared: Vec<String> = (0..40)
            .map(|i| {
                format!(
                    "Lease dispute Ng v {}",
                    ["Ali", "Bo", "Cy"][i % 3].repeat(1 + i % 8)
                )
            })
            .collect();
        let shared: Vec<&str> = shared.iter().map(String::as_str).collect();
        assert!(profile(&shared).reads_as_titles());
        let status: Vec<&str> = (0..40)
            .map(|i| ["Open matter", "Closed matter", "On hold"][i % 3])
            .collect();
        assert!(!profile(&status).reads_as_titles());
    }

    /// National numbers of a country other than the default are phone numbers all the same:
    /// the export's country is read from them later, so recognising them cannot wait for it.
    #[test]
    fn national_numbers_of_any_country_fit_phones() {
        let phone = CONTACTS.field("phone").expect("phone field");
        for numbers in [
            &[
                "07123 456789",
                "07311 234567",
                "07234 987654",
                "0113 496 0000",
            ][..],
            &[
                "0412 345 678",
                "0423 456 789",
                "(02) 9876 5432",
                "0400 111 222",
            ],
            &[
                "(212) 555-0143",
                "415-555-0199",
                "+44 20 7946 0958",
                "+61 412 345 678",
            ],
        ] {
            assert_eq!(profile(numbers).fit(phone), Some(1.0), "{numbers:?}");
        }
        let dirt = profile(&["R001", "n/a", "abc", "12", "Leeds"]);
        assert_eq!(dirt.fit(phone), Some(0.0));
    }
}
