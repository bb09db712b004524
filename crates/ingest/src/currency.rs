//! The currency an export's amounts are in.
//!
//! A bare "$" is the dollar of a dozen countries and a bare number names no currency at all,
//! so reading every export in US dollars files an Australian firm's money as USD. The
//! currency is read from the money columns first: ISO codes ("120.00 NZD") and signs of one
//! currency ("£", "€", "A$") name it outright. Only when they name none (a bare "$", "kr" or
//! no sign) does the country the rest of the export points to decide it (see
//! [`crate::country`]), through a table of each country's currency. Codes that disagree, or
//! a country that is itself in doubt, make a question.

use std::collections::BTreeMap;

use migrationai_domain::catalogue::{kind_def, FieldType};
use migrationai_domain::value::Currency;

use crate::columns::TableSample;
use crate::mapping::Mapping;
use crate::question::{Question, Topic};
use crate::suggest::TableSuggestion;

/// Values read per money column, at most.
const VALUES: usize = 200;
/// Share of the named amounts one currency must hold to be chosen without a question.
const DOMINANT: f64 = 0.9;

/// Signs that stand for one currency wherever they are written.
pub(crate) const SIGNS: &[(char, &str)] = &[
    ('£', "GBP"),
    ('€', "EUR"),
    ('¥', "JPY"),
    ('₹', "INR"),
    ('₩', "KRW"),
    ('₱', "PHP"),
    ('₪', "ILS"),
    ('₺', "TRY"),
    ('₦', "NGN"),
    ('₫', "VND"),
    ('฿', "THB"),
];

/// Each country's currency (a general fact table; countries sharing the euro included).
const COUNTRY_CURRENCY: &[(&str, &str)] = &[
    ("US", "USD"),
    ("PR", "USD"),
    ("GU", "USD"),
    ("AU", "AUD"),
    ("NZ", "NZD"),
    ("CA", "CAD"),
    ("GB", "GBP"),
    ("IE", "EUR"),
    ("DE", "EUR"),
    ("FR", "EUR"),
    ("IT", "EUR"),
    ("ES", "EUR"),
    ("PT", "EUR"),
    ("NL", "EUR"),
    ("BE", "EUR"),
    ("AT", "EUR"),
    ("FI", "EUR"),
    ("GR", "EUR"),
    ("LU", "EUR"),
    ("CH", "CHF"),
    ("SE", "SEK"),
    ("NO", "NOK"),
    ("DK", "DKK"),
    ("PL", "PLN"),
    ("CZ", "CZK"),
    ("HU", "HUF"),
    ("IN", "INR"),
    ("SG", "SGD"),
    ("HK", "HKD"),
    ("MY", "MYR"),
    ("PH", "PHP"),
    ("JP", "JPY"),
    ("CN", "CNY"),
    ("KR", "KRW"),
    ("IL", "ILS"),
    ("ZA", "ZAR"),
    ("NG", "NGN"),
    ("KE", "KES"),
    ("MX", "MXN"),
    ("BR", "BRL"),
    ("AR", "ARS"),
    ("CL", "CLP"),
    ("CO", "COP"),
    ("AE", "AED"),
    ("SA", "SAR"),
];

/// The currency of a country, when the table knows it.
pub fn of_country(country: &str) -> Option<&'static str> {
    COUNTRY_CURRENCY
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(country))
        .map(|(_, cur)| *cur)
}

/// The currency a money value names outright: an ISO code, a sign of one currency, or a
/// dollar with its letters. A bare "$", "kr" or number names none.
pub fn named_by(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if let Some((_, c)) = SIGNS.iter().find(|(s, _)| v.contains(*s)) {
        return Some(c);
    }
    let letters: String = v
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    if v.contains('$') {
        // Whose dollar its letters say, as the amount itself is read ("A$" is AUD).
        return Currency::of_dollar(&letters).and_then(|c| known(c.as_str()));
    }
    if letters.len() == 3 {
        // Only codes of a known currency: "abc" in an amount column is dirt, not a currency.
        return known(&letters);
    }
    None
}

/// A currency code these tables know, as a static string.
fn known(code: &str) -> Option<&'static str> {
    COUNTRY_CURRENCY
        .iter()
        .map(|(_, c)| *c)
        .chain(SIGNS.iter().map(|(_, c)| *c))
        .find(|c| *c == code)
}

/// The export's currency and why, in a sentence; `question` when the evidence is weak or
/// contradictory.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub currency: &'static str,
    pub evidence: String,
    pub question: Option<Question>,
}

/// What the money columns say: amounts naming each currency, and amounts naming none.
#[derive(Debug, Default)]
struct Amounts {
    named: BTreeMap<&'static str, usize>,
    bare: usize,
    /// Of the bare amounts, those written with a "$": they name no one currency, but rule
    /// out every currency not written with one.
    dollars: usize,
    /// The first table with amounts, where a question is filed.
    table: Option<usize>,
}

/// Decides the export's currency from its money columns and the country the export points
/// to (run after [`crate::country::infer`]), and records it in every table's suggestion.
pub fn infer(tables: &mut [TableSuggestion], samples: &[TableSample]) {
    let amounts = gather(tables, samples);
    let country_in_doubt = tables
        .iter()
        .flat_map(|t| &t.questions)
        .any(|q| q.topic == Topic::Country);
    let country = tables
        .iter()
        .find_map(|t| t.country.clone())
        .or(Mapping::default().country)
        .unwrap_or_default();
    let Some(decision) = decide(&amounts, &country, country_in_doubt) else {
        return;
    };
    for t in tables.iter_mut() {
        t.currency = Some(decision.currency.to_string());
        t.currency_evidence = Some(decision.evidence.clone());
    }
    if let (Some(q), Some(i)) = (decision.question, amounts.table) {
        if let Some(t) = tables.get_mut(i) {
            t.questions.push(Question {
                table: t.table.clone(),
                ..q
            });
        }
    }
}

fn gather(tables: &[TableSuggestion], samples: &[TableSample]) -> Amounts {
    let mut out = Amounts::default();
    for (i, (table, sample)) in tables.iter().zip(samples).enumerate() {
        let Some(def) = table.kind.map(kind_def) else {
            continue;
        };
        for col in &table.columns {
            let Some(fd) = col.field.and_then(|f| def.field(f)) else {
                continue;
            };
            if !matches!(fd.ty, FieldType::Money { .. } | FieldType::Currency) {
                continue;
            }
            for row in sample.rows.iter().take(VALUES) {
                let Some(v) = row.get(col.column).map(|v| v.trim()) else {
                    continue;
                };
                if v.is_empty() {
                    continue;
                }
                out.table.get_or_insert(i);
                match named_by(v) {
                    Some(c) => *out.named.entry(c).or_default() += 1,
                    // A currency column's bare value is no amount; only amounts count.
                    None if matches!(fd.ty, FieldType::Money { .. }) => {
                        out.bare += 1;
                        out.dollars += usize::from(v.contains('$'));
                    }
                    None => {}
                }
            }
        }
    }
    out
}

/// None when the export has no money at all (the default stands unremarked).
fn decide(amounts: &Amounts, country: &str, country_in_doubt: bool) -> Option<Decision> {
    amounts.table?;
    let question = |options: Vec<&str>, proposed: &str, why: &str| Question {
        table: String::new(),
        column: None,
        topic: Topic::Currency,
        prompt: "which currency are the amounts in?".into(),
        options: options.iter().map(|c| c.to_string()).collect(),
        proposed: Some(proposed.to_string()),
        evidence: why.to_string(),
        setting: format!("currency = \"{proposed}\""),
    };
    let named: usize = amounts.named.values().sum();
    let by_country = of_country(country);
    if named > 0 {
        let mut ranked: Vec<(&'static str, usize)> =
            amounts.named.iter().map(|(c, n)| (*c, *n)).collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let (best, n) = ranked[0];
        let evidence = format!(
            "{n} of {named} amounts that name a currency name {best}{}",
            if amounts.bare > 0 {
                format!(" ({} name none)", amounts.bare)
            } else {
                String::new()
            }
        );
        let mut options: Vec<&str> = ranked.iter().map(|(c, _)| *c).collect();
        // Bare amounts beside named ones are in the country's currency if it differs.
        let bare_elsewhere = amounts.bare > 0 && by_country.is_some_and(|c| c != best);
        if let Some(c) = by_country.filter(|_| bare_elsewhere) {
            if !options.contains(&c) {
                options.push(c);
            }
        }
        let weak = (n as f64) < DOMINANT * named as f64 || bare_elsewhere && amounts.bare > n;
        let question = weak.then(|| {
            question(
                options,
                best,
                &format!("{evidence}: the amounts name more than one currency."),
            )
        });
        return Some(Decision {
            currency: best,
            evidence: format!("{evidence}."),
            question,
        });
    }
    let default = Mapping::default().currency;
    // Amounts written "$" are in a dollar, whatever the country says: an export of
    // "$250.00" is not in euros. The country's own dollar if it has one, else the US dollar,
    // and a question, since the "$" does not say whose.
    let dollar = |c: &str| c.parse::<Currency>().is_ok_and(Currency::is_dollar);
    if amounts.dollars > 0 && !by_country.is_some_and(dollar) {
        let usd: &'static str = of_country("US").unwrap_or("USD");
        let why = format!(
            "{} amounts are written with \"$\", which {country}'s currency{} is not; a \"$\" \
             names no one dollar, so {usd} is assumed",
            amounts.dollars,
            by_country.map(|c| format!(" ({c})")).unwrap_or_default()
        );
        let why = format!("{why}.");
        return Some(Decision {
            currency: usd,
            evidence: why.clone(),
            question: Some(question(vec![usd], usd, &why)),
        });
    }
    let Some(cur) = by_country else {
        // A country without a known currency: the default, as a question.
        let d: &'static str = of_country("US").unwrap_or("USD");
        let why = format!(
            "no amount names a currency, and {country} (the export's country) has none this \
             product knows; {default} is assumed"
        );
        return Some(Decision {
            currency: d,
            evidence: format!("{why}."),
            question: Some(question(vec![d], d, &why)),
        });
    };
    let evidence = format!(
        "no amount names a currency ({} bare amounts); the export's evidence points to {country}, \
         whose currency is {cur}",
        amounts.bare
    );
    let question = country_in_doubt.then(|| {
        question(
            vec![cur],
            cur,
            &format!("{evidence}, but the country itself is in doubt (see its question)."),
        )
    });
    Some(Decision {
        currency: cur,
        evidence: format!("{evidence}."),
        question,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amounts(named: &[(&'static str, usize)], bare: usize) -> Amounts {
        Amounts {
            named: named.iter().copied().collect(),
            bare,
            dollars: 0,
            table: Some(0),
        }
    }

    #[test]
    fn values_name_their_currency() {
        assert_eq!(named_by("£1,200.50"), Some("GBP"));
        assert_eq!(named_by("1.200,50 €"), Some("EUR"));
        assert_eq!(named_by("A$12.00"), Some("AUD"));
        assert_eq!(named_by("NZ$ 12.00"), Some("NZD"));
        assert_eq!(named_by("US$12.00"), Some("USD"));
        assert_eq!(named_by("120.00 NZD"), Some("NZD"));
        assert_eq!(named_by("$1,200.00"), None);
        assert_eq!(named_by("1200"), None);
        assert_eq!(named_by("12 kr"), None);
        assert_eq!(named_by("12 abc"), None);
    }

    #[test]
    fn pounds_are_gbp_whatever_the_country() {
        let d = decide(&amounts(&[("GBP", 40)], 0), "US", false).expect("a decision");
        assert_eq!(d.currency, "GBP");
        assert!(d.question.is_none(), "{:?}", d.question);
    }

    #[test]
    fn bare_dollars_take_the_country_currency() {
        let d = decide(&amounts(&[], 30), "AU", false).expect("a decision");
        assert_eq!(d.currency, "AUD");
        assert!(d.evidence.contains("AU"), "{}", d.evidence);
        assert!(d.question.is_none());
        let d = decide(&amounts(&[], 30), "US", false).expect("a decision");
        assert_eq!(d.currency, "USD");
    }

    #[test]
    fn mixed_currencies_are_a_question() {
        let d = decide(&amounts(&[("GBP", 20), ("EUR", 15)], 0), "GB", false).expect("decision");
        assert_eq!(d.currency, "GBP");
        let q = d.question.expect("a question");
        assert_eq!(q.topic, Topic::Currency);
        assert_eq!(q.options, vec!["GBP".to_string(), "EUR".to_string()]);
        assert_eq!(q.setting, "currency = \"GBP\"");
    }

    #[test]
    fn a_country_in_doubt_makes_the_currency_a_question() {
        let d = decide(&amounts(&[], 10), "AU", true).expect("a decision");
        assert_eq!(d.currency, "AUD");
        assert!(d.question.is_some());
    }

    #[test]
    fn dollars_rule_out_a_country_currency_not_written_with_one() {
        let mut a = amounts(&[], 160);
        a.dollars = 160;
        let d = decide(&a, "AT", true).expect("a decision");
        assert_eq!(d.currency, "USD");
        assert!(d.question.is_some());
        // An Australian firm's "$" is its own dollar.
        assert_eq!(decide(&a, "AU", false).map(|d| d.currency), Some("AUD"));
    }

    #[test]
    fn no_money_no_decision() {
        assert!(decide(&Amounts::default(), "AU", false).is_none());
    }
}
