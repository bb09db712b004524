//! A moment an export writes in two columns side by side, its date in one and its time of
//! day in the next ("Start Date", "Start Time"), as calendar exports often do: the second
//! column is the time of day of the date-and-time field the first is mapped to. Read alone,
//! the date would keep midnight and the time would be a column no field takes.

use migrationai_domain::catalogue::{FieldType, KindDef};

use crate::columns::ColumnProfile;
use crate::suggest::TableSuggestion;

/// Share of a column's values that must read as dates without a time, or as times of day.
const READS: f64 = 0.9;

/// Pairs each date-and-time field mapped to a column of dates alone with the unmapped
/// column right after it, when that one holds times of day.
pub fn settle(t: &mut TableSuggestion, def: &KindDef, profiles: &[ColumnProfile]) {
    let pairs: Vec<(String, &'static str)> = t
        .columns
        .iter()
        .filter_map(|c| {
            let field = c.field?;
            if def.field(field)?.ty != FieldType::DateTime {
                return None;
            }
            let next = t.columns.get(c.column + 1)?;
            let (dates, times) = (profiles.get(c.column)?, profiles.get(c.column + 1)?);
            (next.field.is_none()
                && dates.share(|v| !v.contains(':')) >= READS
                && times.share(reads_as_time) >= READS)
                .then(|| (next.header.clone(), field))
        })
        .collect();
    t.times = pairs;
}

/// A time of day as exports write one: "9:00 AM", "9:00am", "14:30", "09:00:00".
pub fn reads_as_time(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    let (clock, twelve) = match ["am", "pm", "a.m.", "p.m."]
        .iter()
        .find_map(|m| v.strip_suffix(m))
    {
        Some(rest) => (rest.trim_end(), true),
        None => (v.as_str(), false),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
        || parts[1..].iter().any(|p| p.len() != 2)
    {
        return false;
    }
    let n = |p: &str| p.parse::<u32>().unwrap_or(u32::MAX);
    let hour = n(parts[0]);
    let within = if twelve {
        (1..=12).contains(&hour)
    } else {
        hour <= 23
    };
    within && parts[1..].iter().all(|p| n(p) <= 59)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_read_as_such_and_durations_and_dates_do_not() {
        for yes in [
            "9:00 AM",
            "9:00am",
            "12:30 p.m.",
            "14:30",
            "09:00:00",
            "0:05",
        ] {
            assert!(reads_as_time(yes), "{yes}");
        }
        for no in [
            "25:00",
            "13:00 PM",
            "1:5",
            "100:00",
            "2024-01-02",
            "9",
            "9.30",
            "",
        ] {
            assert!(!reads_as_time(no), "{no}");
        }
    }
}

#[cfg(test)]
mod settle_tests {
    use crate::columns::TableSample;

    #[test]
    fn a_time_beside_a_date_is_its_time_of_day() {
        let sample = TableSample {
            name: "Appointments.csv".into(),
            headers: [
                "Appt ID",
                "Case No",
                "Subject",
                "Start Date",
                "Start Time",
                "End Date",
                "End Time",
            ]
            .map(String::from)
            .to_vec(),
            rows: (0..20)
                .map(|i| {
                    vec![
                        format!("E{i}"),
                        format!("{}", 2024000 + i),
                        format!("Hearing {i}"),
                        format!("04/{:02}/2024", 1 + i),
                        format!("{}:00 AM", 9 + i % 3),
                        format!("04/{:02}/2024", 1 + i),
                        format!("{}:30 AM", 10 + i % 2),
                    ]
                })
                .collect(),
        };
        let s = crate::suggest::suggest_table(&sample, 0.7);
        assert_eq!(
            s.times,
            [
                ("Start Time".to_string(), "starts_at"),
                ("End Time".to_string(), "ends_at")
            ],
            "{:?}",
            s.columns
                .iter()
                .map(|c| (&c.header, c.field))
                .collect::<Vec<_>>()
        );
    }
}
