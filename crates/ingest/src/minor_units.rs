//! Amounts written in the currency's minor unit: an API dump's "amount_cents" holds 1250 for
//! 12.50. Read as written, every such amount would be a hundred times too large, and nothing
//! in the values tells: 1250 is a fine amount either way. The header says so, in a word for
//! a minor unit, and the values must agree: whole numbers only.

use crate::columns::ColumnProfile;
use crate::header::normalise_header;
use crate::suggest::TableSuggestion;
use migrationai_domain::catalogue::{FieldType, KindDef};

/// Words naming a currency's minor unit in a header.
const MINOR_WORDS: &[&str] = &["cents", "cent", "pence", "penny", "minor"];

fn names_minor_unit(header: &str) -> bool {
    normalise_header(header)
        .split(' ')
        .any(|w| MINOR_WORDS.contains(&w))
}

/// A whole number, with an optional sign and nothing else: no separator, no symbol.
fn whole(v: &str) -> bool {
    let digits = v.strip_prefix('-').unwrap_or(v);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Marks each mapped amount column whose header names a minor unit and whose values are
/// all whole numbers.
pub fn settle(t: &mut TableSuggestion, def: &KindDef, profiles: &[ColumnProfile]) {
    for c in &t.columns {
        let is_money = c
            .field
            .and_then(|f| def.field(f))
            .is_some_and(|fd| matches!(fd.ty, FieldType::Money { .. }));
        let Some(p) = profiles.get(c.column).filter(|_| is_money) else {
            continue;
        };
        if names_minor_unit(&c.header) && !p.values.is_empty() && p.values.iter().all(|v| whole(v))
        {
            t.minor_units.push(c.header.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::columns::TableSample;
    use crate::suggest::suggest_table;

    fn entries(amounts: &[&str]) -> TableSample {
        TableSample {
            name: "time_entries.jsonl".into(),
            headers: [
                "id",
                "matter_id",
                "date",
                "hours",
                "rate_cents",
                "amount_cents",
            ]
            .map(String::from)
            .to_vec(),
            rows: amounts
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    vec![
                        format!("{}", i + 1),
                        format!("M{}", i % 3),
                        "2024-03-05".into(),
                        "1.5".into(),
                        "30000".into(),
                        a.to_string(),
                    ]
                })
                .collect(),
        }
    }

    #[test]
    fn cents_columns_are_marked_and_read_in_major_units() {
        let t = suggest_table(&entries(&["45000", "45000", "45000"]), 0.7);
        assert_eq!(t.minor_units, ["rate_cents", "amount_cents"]);
        let mapping = crate::mapping::Mapping::from_suggestions(&[t]);
        let file = &mapping.files[0];
        assert_eq!(file.minor_units, ["rate_cents", "amount_cents"]);
        let toml = mapping.to_toml(&[]);
        assert!(
            toml.contains(r#"minor_units = ["rate_cents", "amount_cents"]"#),
            "{toml}"
        );
        let again = crate::mapping::Mapping::parse("m.toml", &toml).expect("round trip");
        assert_eq!(again.files[0].minor_units, file.minor_units);
    }

    #[test]
    fn a_cents_header_over_amounts_with_fractions_is_not_trusted() {
        let t = suggest_table(&entries(&["450.00", "45000", "45000"]), 0.7);
        assert_eq!(t.minor_units, ["rate_cents"]);
    }
}
