//! The country that phone numbers written without a country code are read in.
//!
//! "0412 345 678" is a mobile number in Australia and no number at all in the United States,
//! and ten digits without a prefix are a number in dozens of countries. Assuming one country
//! rejects every contact of a firm elsewhere, or worse, files a number under the wrong one.
//! So the country is read from the export: each sampled phone number votes for the countries
//! it is valid in, a number written with its code ("+61 …") for its own, and a country column
//! for the country it names. An export whose numbers fit the default keeps it; one whose
//! numbers clearly fit another country takes that country; a close call is a question.

use std::collections::BTreeMap;

use migrationai_domain::catalogue::{kind_def, FieldType};
use migrationai_domain::value::{address, Phone};

use crate::columns::TableSample;
use crate::mapping::Mapping;
use crate::question::{Question, Topic};
use crate::suggest::TableSuggestion;

/// National-format numbers weighed, at most.
const NUMBERS: usize = 40;
/// Numbers scanned against every region; the rest are tried only in the regions these fit.
const SCANNED: usize = 3;
/// Share of the evidence the default must fit to be kept without weighing other countries.
const DEFAULT_FITS: f64 = 0.8;
/// Share of the evidence a country must fit to be chosen over the default.
const CHOSEN_FITS: f64 = 0.6;

/// What the export's values say about its country.
#[derive(Debug, Default)]
struct Evidence {
    /// Phone numbers written without a country code, distinct, in sample order.
    national: Vec<String>,
    /// Votes of numbers written with their code and of country columns.
    named: BTreeMap<&'static str, usize>,
    /// The table the first phone or country value came from, where a question is filed.
    table: Option<usize>,
}

impl Evidence {
    fn total(&self) -> usize {
        self.national.len() + self.named.values().sum::<usize>()
    }
}

/// Decides the export's country from its sampled values and records it in every table's
/// suggestion (the mapping takes it from there); a close call is a question on the first table
/// that holds phone numbers.
pub fn infer(tables: &mut [TableSuggestion], samples: &[TableSample]) {
    let evidence = gather(tables, samples);
    let default = Mapping::default().country.unwrap_or_default();
    let Some(decision) = decide(&evidence, &default) else {
        return;
    };
    for t in tables.iter_mut() {
        t.country = Some(decision.country.clone());
    }
    if let (Some(q), Some(i)) = (decision.question, evidence.table) {
        if let Some(t) = tables.get_mut(i) {
            t.questions.push(Question {
                table: t.table.clone(),
                ..q
            });
        }
    }
}

fn gather(tables: &[TableSuggestion], samples: &[TableSample]) -> Evidence {
    let mut ev = Evidence::default();
    for (i, (table, sample)) in tables.iter().zip(samples).enumerate() {
        let Some(def) = table.kind.map(kind_def) else {
            continue;
        };
        for col in &table.columns {
            let Some(ty) = col.field.and_then(|f| def.field(f)).map(|f| f.ty) else {
                continue;
            };
            if !matches!(ty, FieldType::Phone | FieldType::Country) {
                continue;
            }
            for row in &sample.rows {
                let Some(v) = row.get(col.column).map(|v| v.trim()) else {
                    continue;
                };
                if v.is_empty() {
                    continue;
                }
                ev.table.get_or_insert(i);
                match ty {
                    FieldType::Country => {
                        if let Some(c) = address::country_code(v) {
                            *ev.named.entry(c).or_default() += 1;
                        }
                    }
                    _ => {
                        if let Some(r) = Phone::region_of_international(v) {
                            *ev.named.entry(r).or_default() += 1;
                        } else if ev.national.len() < NUMBERS && !ev.national.iter().any(|n| n == v)
                        {
                            ev.national.push(v.to_string());
                        }
                    }
                }
            }
        }
    }
    ev
}

#[derive(Debug)]
struct Decision {
    country: String,
    question: Option<Question>,
}

fn decide(ev: &Evidence, default: &str) -> Option<Decision> {
    let total = ev.total();
    if total == 0 {
        return None;
    }
    let default_fits = fits(ev, default);
    let default_score = score(ev, default, &default_fits);
    let fits_default = default_score.valid;
    if fits_default as f64 >= DEFAULT_FITS * total as f64 {
        return None;
    }
    let mut ranked: Vec<(&str, Score, CallingCode)> =
        votes(ev, default, &default_fits, default_score)
            .into_iter()
            .map(|(c, v)| (c, v, Phone::calling_code(c)))
            .collect();
    // Most numbers valid first; then most written as the region writes them; among equals,
    // the default, then a code's main region, then the alphabet (a stable order).
    let main = |code: CallingCode| code.is_some_and(|(_, main)| main);
    ranked.sort_by(|a, b| {
        b.1.cmp(&a.1)
            .then((b.0 == default).cmp(&(a.0 == default)))
            .then(main(b.2).cmp(&main(a.2)))
            .then(a.0.cmp(b.0))
    });
    let (best, best_score, best_code) = ranked.first().copied()?;
    let best_votes = best_score.valid;
    // Regions tied with the best, whose reading would differ from it: a region sharing its
    // calling code gives every number the same E.164 form.
    let code = |c: CallingCode| c.map(|(c, _)| c);
    let tied: Vec<&str> = ranked
        .iter()
        .filter(|(_, v, c)| *v == best_score && code(*c) != code(best_code))
        .map(|(c, _, _)| *c)
        .collect();
    let share = |v: usize| format!("{v} of {total}");
    let evidence = format!(
        "Of the {total} sampled phone numbers and country values, {} fit {best} and {} fit \
         {default}.",
        share(best_votes),
        share(fits_default)
    );
    let question = |options: Vec<&str>, proposed: &str, why: String| Question {
        table: String::new(),
        column: None,
        topic: Topic::Country,
        prompt: "which country are phone numbers written without a country code in?".into(),
        options: options.iter().map(|c| c.to_string()).collect(),
        proposed: Some(proposed.to_string()),
        evidence: why,
        setting: format!("country = \"{proposed}\""),
    };
    if best == default || (best_votes as f64) < CHOSEN_FITS * total as f64 {
        // No country explains the numbers much better than the default does.
        let mut options = vec![default];
        options.extend(
            ranked
                .iter()
                .map(|(c, _, _)| *c)
                .filter(|c| *c != default)
                .take(3),
        );
        return Some(Decision {
            country: default.to_string(),
            question: Some(question(
                options,
                default,
                format!("{evidence} No country fits most of them."),
            )),
        });
    }
    let question = (!tied.is_empty()).then(|| {
        let mut options = vec![best];
        options.extend(tied.iter().take(3));
        question(
            options,
            best,
            format!(
                "{evidence} They fit {best} and {} equally well, and are written as both write \
                 them.",
                tied.join(", ")
            ),
        )
    });
    Some(Decision {
        country: best.to_string(),
        question,
    })
}

/// A region's international calling code, and whether it is the code's main region.
type CallingCode = Option<(u16, bool)>;

/// How well a region explains the numbers: how many are valid in it, then how many are
/// written as it writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
struct Score {
    valid: usize,
    written: usize,
}

/// How each national number fits `region` (see [`Phone::fit`]).
fn fits(ev: &Evidence, region: &str) -> Vec<Option<bool>> {
    ev.national.iter().map(|n| Phone::fit(n, region)).collect()
}

/// A region's score from its numbers' fits and the values that name it.
fn score(ev: &Evidence, region: &str, fits: &[Option<bool>]) -> Score {
    Score {
        valid: fits.iter().flatten().count() + ev.named.get(region).copied().unwrap_or(0),
        written: fits.iter().filter(|f| **f == Some(true)).count(),
    }
}

/// Scores per candidate region: the named countries, and the regions the first few numbers
/// the default does not explain are valid in. Only those few are tried in every region, since
/// trying a number in a region compiles that region's patterns.
fn votes<'a>(
    ev: &'a Evidence,
    default: &'a str,
    default_fits: &[Option<bool>],
    default_score: Score,
) -> BTreeMap<&'a str, Score> {
    let mut candidates: Vec<&str> = ev.named.keys().copied().collect();
    let unexplained = ev
        .national
        .iter()
        .zip(default_fits)
        .filter(|(_, fit)| fit.is_none())
        .map(|(n, _)| n);
    for n in unexplained.take(SCANNED) {
        for r in Phone::regions_valid_for(n) {
            if !candidates.contains(&r) {
                candidates.push(r);
            }
        }
    }
    let mut votes: BTreeMap<&str, Score> = candidates
        .into_iter()
        .filter(|c| *c != default)
        .map(|c| (c, score(ev, c, &fits(ev, c))))
        .collect();
    votes.insert(default, default_score);
    votes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(ns: &[&str]) -> Evidence {
        Evidence {
            national: ns.iter().map(|n| n.to_string()).collect(),
            named: BTreeMap::new(),
            table: Some(0),
        }
    }

    #[test]
    fn numbers_that_fit_the_default_keep_it() {
        let ev = numbers(&["(212) 555-0143", "415-555-0199", "312 555 0100"]);
        assert!(decide(&ev, "US").is_none());
    }

    #[test]
    fn australian_mobiles_choose_australia() {
        let ev = numbers(&[
            "0412 345 678",
            "0423 456 789",
            "0400 111 222",
            "(02) 9876 5432",
            "0413 222 333",
        ]);
        let d = decide(&ev, "US").expect("a decision");
        assert_eq!(d.country, "AU");
        assert!(d.question.is_none(), "{:?}", d.question);
    }

    #[test]
    fn numbers_with_their_code_name_the_country() {
        let mut ev = numbers(&[]);
        ev.named.insert("GB", 5);
        let d = decide(&ev, "US").expect("a decision");
        assert_eq!(d.country, "GB");
    }

    #[test]
    fn numbers_no_country_explains_are_a_question_and_keep_the_default() {
        let ev = numbers(&["12", "abcde", "999999999999999999", "0412 345 678", "n/a"]);
        let d = decide(&ev, "US").expect("a decision");
        assert_eq!(d.country, "US");
        let q = d.question.expect("a question");
        assert_eq!(q.topic, Topic::Country);
        assert!(q.setting.starts_with("country = "), "{}", q.setting);
    }
}
