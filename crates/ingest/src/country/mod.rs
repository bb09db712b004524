//! The country that phone numbers written without a country code are read in.
//!
//! "0412 345 678" is a mobile number in Australia and no number at all in the United States,
//! and ten digits without a prefix are a number in dozens of countries. Assuming one country
//! rejects every contact of a firm elsewhere, or worse, files a number under the wrong one.
//! So the country is read from the whole export, each source of evidence weighed as one
//! voice: the phone numbers (which countries each is valid in, and written as it writes
//! them), numbers written with their code ("+61 …") and country columns, region codes,
//! postcode shapes, the domains of email addresses, currency signs and the order dates are
//! written in. An export whose evidence fits the default keeps it; one whose evidence clearly
//! fits another country takes that country; a close call or a contradiction is a question,
//! and the support behind the choice is said either way.

mod facts;

use std::collections::BTreeMap;

use migrationai_domain::catalogue::{kind_def, FieldType};
use migrationai_domain::value::{address, DateOrder, Phone};

use crate::columns::TableSample;
use crate::mapping::Mapping;
use crate::question::{Question, Topic};
use crate::suggest::TableSuggestion;

/// Values weighed per source, at most.
const NUMBERS: usize = 40;
const VALUES: usize = 200;
/// Numbers scanned against every region; the rest are tried only in the regions these fit.
const SCANNED: usize = 3;
/// Support the default must have to be kept without weighing other countries.
const DEFAULT_FITS: f64 = 0.8;
/// Support a country must have to be chosen over the default.
const CHOSEN_FITS: f64 = 0.6;
/// Countries whose support is this close to the best one's are a close call.
const CLOSE: f64 = 0.05;
/// A source speaks with its full weight from this many values on.
const FULL_VOICE: usize = 5;

/// Where a piece of evidence comes from, and how much it weighs against the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    /// Numbers written without a country code: valid in the country or not.
    Phones,
    /// Numbers written with their code, and country columns: they name the country.
    Named,
    /// State, province and territory codes.
    Regions,
    /// Postcodes, by shape: many countries share a shape, so it weighs half.
    Postcodes,
    /// Country-code domains of email and web addresses.
    Domains,
    /// Currency codes and signs that belong to one country.
    Currencies,
    /// Month-first or day-first dates: most of the world shares an order, so it weighs little.
    DateOrder,
}

impl Source {
    fn weight(self) -> f64 {
        match self {
            Source::Phones | Source::Named | Source::Regions | Source::Domains => 1.0,
            Source::Postcodes | Source::Currencies => 0.5,
            Source::DateOrder => 0.25,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Source::Phones => "phone numbers",
            Source::Named => "numbers with a country code and country values",
            Source::Regions => "region codes",
            Source::Postcodes => "postcodes",
            Source::Domains => "email and web domains",
            Source::Currencies => "currency codes and signs",
            Source::DateOrder => "date orders",
        }
    }
}

/// What the export's values say about its country.
#[derive(Debug, Default)]
struct Evidence {
    /// Phone numbers written without a country code, distinct, in sample order.
    national: Vec<String>,
    /// Countries named outright, per source (numbers with their code and country columns;
    /// domains; currencies), with how many values named each.
    named: BTreeMap<Source, BTreeMap<&'static str, usize>>,
    /// Region codes and postcodes, distinct.
    regions: Vec<String>,
    postcodes: Vec<String>,
    /// The export's date order, when its dates show one.
    date_order: Option<DateOrder>,
    /// The table the first phone or country value came from, where a question is filed.
    table: Option<usize>,
}

impl Evidence {
    fn name(&mut self, source: Source, country: &'static str) {
        *self
            .named
            .entry(source)
            .or_default()
            .entry(country)
            .or_default() += 1;
    }

    /// Whether the export has phone numbers or country values: without them there is nothing
    /// to read in a country, whatever else points at one.
    fn bears_on_phones(&self) -> bool {
        !self.national.is_empty() || self.named.contains_key(&Source::Named)
    }

    /// The sources present, each with how many values it has.
    fn sources(&self) -> Vec<(Source, usize)> {
        let mut out = Vec::new();
        if !self.national.is_empty() {
            out.push((Source::Phones, self.national.len()));
        }
        for (s, counts) in &self.named {
            out.push((*s, counts.values().sum()));
        }
        if !self.regions.is_empty() {
            out.push((Source::Regions, self.regions.len()));
        }
        if !self.postcodes.is_empty() {
            out.push((Source::Postcodes, self.postcodes.len()));
        }
        if self.date_order.is_some() {
            out.push((Source::DateOrder, 1));
        }
        out.sort();
        out
    }
}

/// Decides the export's country from its sampled values and records it, with the evidence, in
/// every table's suggestion (the mapping takes it from there); a close call is a question on
/// the first table that holds phone numbers.
pub fn infer(tables: &mut [TableSuggestion], samples: &[TableSample]) {
    let evidence = gather(tables, samples);
    let default = Mapping::default().country.unwrap_or_default();
    let Some(decision) = decide(&evidence, &default) else {
        return;
    };
    for t in tables.iter_mut() {
        t.country = decision.country.clone();
        t.country_evidence = Some(decision.evidence.clone());
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
    let (mut mdy, mut dmy) = (0, 0);
    for (i, (table, sample)) in tables.iter().zip(samples).enumerate() {
        let Some(def) = table.kind.map(kind_def) else {
            continue;
        };
        mdy += table.date_order_evidence.0;
        dmy += table.date_order_evidence.1;
        for col in &table.columns {
            let Some(fd) = col.field.and_then(|f| def.field(f)) else {
                continue;
            };
            for row in sample.rows.iter().take(VALUES) {
                let Some(v) = row.get(col.column).map(|v| v.trim()) else {
                    continue;
                };
                if v.is_empty() {
                    continue;
                }
                match fd.ty {
                    FieldType::Country => {
                        ev.table.get_or_insert(i);
                        if let Some(c) = address::country_code(v) {
                            ev.name(Source::Named, c);
                        }
                    }
                    FieldType::Phone => {
                        ev.table.get_or_insert(i);
                        if let Some(r) = Phone::region_of_international(v) {
                            ev.name(Source::Named, r);
                        } else if ev.national.len() < NUMBERS && !ev.national.iter().any(|n| n == v)
                        {
                            ev.national.push(v.to_string());
                        }
                    }
                    FieldType::Email => {
                        if let Some(c) = facts::country_of_domain(v) {
                            ev.name(Source::Domains, c);
                        }
                    }
                    FieldType::Money { .. } | FieldType::Currency => {
                        if let Some(c) = facts::country_of_money(v) {
                            ev.name(Source::Currencies, c);
                        }
                    }
                    FieldType::Text if fd.name == "region" => push_distinct(&mut ev.regions, v),
                    FieldType::Text if fd.name == "postal_code" => {
                        push_distinct(&mut ev.postcodes, v)
                    }
                    _ => {}
                }
            }
        }
    }
    ev.date_order = crate::suggest::order_from_votes((mdy, dmy, 0));
    ev
}

fn push_distinct(values: &mut Vec<String>, v: &str) {
    if values.len() < VALUES && !values.iter().any(|x| x == v) {
        values.push(v.to_string());
    }
}

#[derive(Debug)]
struct Decision {
    /// None: the default stands, and nothing is written.
    country: Option<String>,
    /// The support behind the choice, in a sentence.
    evidence: String,
    question: Option<Question>,
}

/// How well one country explains the evidence.
#[derive(Debug, Clone)]
struct Fit {
    country: &'static str,
    /// Weighted share of the evidence the country explains, in [0, 1].
    support: f64,
    /// Phone numbers written as the country writes them: tells apart countries in which the
    /// same digits are equally valid.
    written: usize,
    /// Per source: (values it explains, values).
    parts: Vec<(Source, usize, usize)>,
    code: CallingCode,
}

fn decide(ev: &Evidence, default: &str) -> Option<Decision> {
    if !ev.bears_on_phones() {
        return None;
    }
    let default_id = Phone::region_id(default)?;
    let default_fit = fit(ev, default_id);
    if default_fit.support >= DEFAULT_FITS {
        return None;
    }
    let mut ranked: Vec<Fit> = candidates(ev, default_id)
        .into_iter()
        .map(|c| {
            if c == default_id {
                default_fit.clone()
            } else {
                fit(ev, c)
            }
        })
        .collect();
    // Best supported first; then most written as the region writes them; among equals, the
    // default, then a code's main region, then the alphabet (a stable order).
    let main = |code: CallingCode| code.is_some_and(|(_, main)| main);
    ranked.sort_by(|a, b| {
        b.support
            .total_cmp(&a.support)
            .then(b.written.cmp(&a.written))
            .then((b.country == default).cmp(&(a.country == default)))
            .then(main(b.code).cmp(&main(a.code)))
            .then(a.country.cmp(b.country))
    });
    // The rest of the evidence only chooses among countries the numbers are valid in: numbers
    // that fit the default, and no other country as well supported, keep it.
    let phones_fit = |f: &Fit| phone_share(f) >= DEFAULT_FITS;
    if phones_fit(&default_fit)
        && !ranked.iter().any(|f| {
            f.country != default && phones_fit(f) && f.support > default_fit.support + CLOSE
        })
    {
        return None;
    }
    let best = ranked.first()?.clone();
    // Countries as well supported as the best whose reading would differ from it: a region
    // sharing its calling code gives every number the same E.164 form.
    let code = |c: CallingCode| c.map(|(c, _)| c);
    let close: Vec<&str> = ranked
        .iter()
        .skip(1)
        .filter(|f| {
            best.support - f.support < CLOSE
                && f.written >= best.written
                && code(f.code) != code(best.code)
        })
        .map(|f| f.country)
        .collect();
    let evidence = format!(
        "{}; {default} {:.2} ({}).",
        describe(&best),
        default_fit.support,
        parts(&default_fit)
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
    if best.country == default || best.support < CHOSEN_FITS {
        // No country explains the evidence much better than the default does.
        let mut options = vec![default];
        options.extend(
            ranked
                .iter()
                .map(|f| f.country)
                .filter(|c| *c != default)
                .take(3),
        );
        return Some(Decision {
            country: Some(default.to_string()),
            evidence: evidence.clone(),
            question: Some(question(
                options,
                default,
                format!("{evidence} No country fits most of it."),
            )),
        });
    }
    // The numbers are what the country is for: a country that explains the rest of the
    // evidence but few of them, while another explains most, is a contradiction to ask about.
    let phones = phone_share;
    let mut close = close;
    if phones(&best) < CHOSEN_FITS {
        if let Some(other) = ranked
            .iter()
            .filter(|f| phones(f) >= CHOSEN_FITS && code(f.code) != code(best.code))
            // Reversed so that among equals the first in rank order is the one kept.
            .rev()
            .max_by(|a, b| {
                phones(a)
                    .total_cmp(&phones(b))
                    .then(a.written.cmp(&b.written))
            })
        {
            close.insert(0, other.country);
        }
    }
    let question = (!close.is_empty()).then(|| {
        let mut options = vec![best.country];
        options.extend(close.iter().take(3));
        question(
            options,
            best.country,
            format!(
                "{evidence} {} fit(s) about as well: the evidence does not tell them apart.",
                close.join(", ")
            ),
        )
    });
    Some(Decision {
        country: Some(best.country.to_string()),
        evidence,
        question,
    })
}

/// "AU fits 0.93 of the evidence (31 of 40 phone numbers, 4 of 4 region codes, …)".
fn describe(f: &Fit) -> String {
    format!(
        "{} fits {:.2} of the evidence ({})",
        f.country,
        f.support,
        parts(f)
    )
}

fn parts(f: &Fit) -> String {
    f.parts
        .iter()
        .map(|(s, fits, of)| match s {
            Source::DateOrder if *fits == 1 => "its date order".to_string(),
            Source::DateOrder => "not its date order".to_string(),
            _ => format!("{fits} of {of} {}", s.noun()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Share of the national numbers a country explains (1 when there are none).
fn phone_share(f: &Fit) -> f64 {
    f.parts
        .iter()
        .find(|(s, _, _)| *s == Source::Phones)
        .map_or(1.0, |(_, fits, of)| *fits as f64 / (*of).max(1) as f64)
}

/// A region's international calling code, and whether it is the code's main region.
type CallingCode = Option<(u16, bool)>;

/// How `country` explains each source of the evidence, and all of it together.
fn fit(ev: &Evidence, country: &'static str) -> Fit {
    let mut parts = Vec::new();
    let mut written = 0;
    let (mut weighed, mut total) = (0.0, 0.0);
    for (source, n) in ev.sources() {
        let explained = match source {
            Source::Phones => {
                let fits: Vec<Option<bool>> =
                    ev.national.iter().map(|n| Phone::fit(n, country)).collect();
                written = fits.iter().filter(|f| **f == Some(true)).count();
                fits.iter().flatten().count()
            }
            Source::Regions => ev
                .regions
                .iter()
                .filter(|r| facts::is_region_of(r, country))
                .count(),
            Source::Postcodes => ev
                .postcodes
                .iter()
                .filter(|p| facts::postcode_fits(p, country))
                .count(),
            Source::DateOrder => usize::from(
                ev.date_order
                    .is_some_and(|o| facts::writes_dates(country, o == DateOrder::Mdy)),
            ),
            named => ev
                .named
                .get(&named)
                .and_then(|c| c.get(country))
                .copied()
                .unwrap_or(0),
        };
        // A source of few values speaks softly: one email domain is a hint, not a verdict.
        let voice = match source {
            Source::DateOrder => source.weight(),
            _ => source.weight() * n.min(FULL_VOICE) as f64 / FULL_VOICE as f64,
        };
        weighed += voice * explained as f64 / n.max(1) as f64;
        total += voice;
        parts.push((source, explained, n));
    }
    Fit {
        country,
        support: if total > 0.0 { weighed / total } else { 0.0 },
        written,
        parts,
        code: Phone::calling_code(country),
    }
}

/// The countries worth weighing: those the evidence names (by a number's code, a country
/// column, a domain, a currency or a region code), and the regions the first few numbers the
/// default does not explain are valid in. Only those few are tried in every region, since
/// trying a number in a region compiles that region's patterns. Postcode shapes and date
/// orders are shared by too many countries to propose one.
fn candidates(ev: &Evidence, default: &'static str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = vec![default];
    let mut add = |c: &'static str| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    for counts in ev.named.values() {
        counts.keys().for_each(|c| add(c));
    }
    for r in &ev.regions {
        facts::countries_with_region(r)
            .into_iter()
            .for_each(&mut add);
    }
    let unexplained = ev
        .national
        .iter()
        .filter(|n| Phone::fit(n, default).is_none());
    for n in unexplained.take(SCANNED) {
        Phone::regions_valid_for(n).into_iter().for_each(&mut add);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(ns: &[&str]) -> Evidence {
        Evidence {
            national: ns.iter().map(|n| n.to_string()).collect(),
            table: Some(0),
            ..Evidence::default()
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
        assert_eq!(d.country.as_deref(), Some("AU"));
        assert!(d.question.is_none(), "{:?}", d.question);
    }

    #[test]
    fn numbers_with_their_code_name_the_country() {
        let mut ev = numbers(&[]);
        for _ in 0..5 {
            ev.name(Source::Named, "GB");
        }
        let d = decide(&ev, "US").expect("a decision");
        assert_eq!(d.country.as_deref(), Some("GB"));
    }

    #[test]
    fn numbers_no_country_explains_are_a_question_and_keep_the_default() {
        let ev = numbers(&["12", "abcde", "999999999999999999", "0412 345 678", "n/a"]);
        let d = decide(&ev, "US").expect("a decision");
        assert_eq!(d.country.as_deref(), Some("US"));
        let q = d.question.expect("a question");
        assert_eq!(q.topic, Topic::Country);
        assert!(q.setting.starts_with("country = "), "{}", q.setting);
    }

    /// Ten digits starting with 0 are a number in many countries; the addresses, domains
    /// and dates around them say which.
    #[test]
    fn places_decide_between_countries_the_numbers_fit_equally() {
        let mut ev = numbers(&[
            "0460 766 149",
            "0474 319 138",
            "0421 664 534",
            "0455 123 456",
        ]);
        ev.regions = ["VIC", "NSW", "WA", "SA"].map(String::from).to_vec();
        ev.postcodes = ["3000", "2010", "6008", "5000", "3121"]
            .map(String::from)
            .to_vec();
        for _ in 0..6 {
            ev.name(Source::Domains, "AU");
        }
        ev.date_order = Some(DateOrder::Dmy);
        let d = decide(&ev, "US").expect("a decision");
        assert_eq!(d.country.as_deref(), Some("AU"));
        assert!(d.question.is_none(), "{:?}", d.question);
        assert!(d.evidence.contains("4 of 4 region codes"), "{}", d.evidence);

        // The same numbers with nothing else: no exotic country wins on the digits alone.
        let bare = numbers(&[
            "0460 766 149",
            "0474 319 138",
            "0421 664 534",
            "0455 123 456",
        ]);
        let d = decide(&bare, "US").expect("a decision");
        assert_eq!(d.country.as_deref(), Some("AU"), "{}", d.evidence);
    }

    /// Numbers of one country beside the domains and postcodes of another are a question, not
    /// a pick.
    #[test]
    fn contradicting_evidence_is_a_question() {
        let mut ev = numbers(&[
            "0412 345 678",
            "0423 456 789",
            "0413 222 333",
            "0400 111 222",
        ]);
        ev.postcodes = ["SW1A 1AA", "EC1A 1BB", "M1 1AE", "B33 8TH", "CR2 6XH"]
            .map(String::from)
            .to_vec();
        for _ in 0..6 {
            ev.name(Source::Domains, "GB");
        }
        let d = decide(&ev, "US").expect("a decision");
        let q = d.question.expect("a question");
        assert_eq!(q.topic, Topic::Country);
        assert!(q.options.iter().any(|o| o == "AU"), "{:?}", q.options);
        assert!(q.options.iter().any(|o| o == "GB"), "{:?}", q.options);
    }
}
