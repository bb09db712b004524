//! Dates written as spreadsheet day numbers: a CSV saved from a sheet whose date cells were
//! formatted as numbers holds "45006" for 2023-03-21. Read as written, every such date is an
//! error and every row is rejected. Nothing in "45006" alone says it is a date, so a column
//! is read this way only when its header already mapped it to a date field and nearly all
//! of its values are day numbers of recent dates; the mapping file says so
//! (`serial_dates = [...]`), where a person can see and undo it.

use migrationai_domain::catalogue::{FieldType, KindDef};
use migrationai_domain::value::date;

use crate::columns::ColumnProfile;
use crate::suggest::TableSuggestion;

/// Share of a date column's values that must be five-digit day numbers.
const MOST: f64 = 0.9;

/// Marks each mapped date or date-and-time column whose values are day numbers, each of
/// them (a stray "3/21/2023" among them stays the row's error, as any bad date is).
pub fn settle(t: &mut TableSuggestion, def: &KindDef, profiles: &[ColumnProfile]) {
    for c in &t.columns {
        let dated = c
            .field
            .and_then(|f| def.field(f))
            .is_some_and(|fd| matches!(fd.ty, FieldType::Date | FieldType::DateTime));
        let Some(p) = profiles.get(c.column).filter(|_| dated) else {
            continue;
        };
        if !p.values.is_empty() && p.share(date::written_as_serial) >= MOST {
            t.serial_dates.push(c.header.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::columns::TableSample;
    use crate::mapping::Mapping;
    use crate::suggest::suggest_table;

    fn matters(opened: &[&str]) -> TableSample {
        TableSample {
            name: "Matters.csv".into(),
            headers: ["Matter ID", "Matter Name", "Client ID", "Open Date", "Zip"]
                .map(String::from)
                .to_vec(),
            rows: opened
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    vec![
                        format!("M{i:04}"),
                        format!("Estate of Client {i}"),
                        format!("C{:04}", i % 7),
                        o.to_string(),
                        format!("{}", 21200 + i),
                    ]
                })
                .collect(),
        }
    }

    #[test]
    fn a_date_column_of_day_numbers_is_marked_and_round_trips() {
        let t = suggest_table(&matters(&["45006", "44513", "44387.5", "45100"]), 0.7);
        assert_eq!(t.serial_dates, ["Open Date"], "{:?}", t.columns);
        let mapping = Mapping::from_suggestions(&[t]);
        assert_eq!(mapping.files[0].serial_dates, ["Open Date"]);
        let toml = mapping.to_toml(&[]);
        assert!(toml.contains(r#"serial_dates = ["Open Date"]"#), "{toml}");
        let again = Mapping::parse("m.toml", &toml).expect("round trip");
        assert_eq!(again.files[0].serial_dates, ["Open Date"]);
    }

    #[test]
    fn dates_written_as_dates_and_numbers_no_date_field_takes_are_not_marked() {
        let t = suggest_table(
            &matters(&["2023-03-21", "2021-11-13", "45006", "2022-01-05"]),
            0.7,
        );
        assert!(t.serial_dates.is_empty(), "{:?}", t.serial_dates);
        // The zip codes are five-digit numbers too, but no date field takes them.
        let t = suggest_table(&matters(&["2023-03-21", "2021-11-13"]), 0.7);
        assert!(t.serial_dates.is_empty(), "{:?}", t.serial_dates);
    }
}
