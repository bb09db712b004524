//! One module per group of kinds; each writes its files row by row and feeds the simulator.

pub(crate) mod billing;
pub(crate) mod contacts;
pub(crate) mod files;
pub(crate) mod matters;
pub(crate) mod work;

use crate::error::SampleError;
use crate::truth::{Intent, Simulator};
use crate::writer::TableWriter;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use migrationai_domain::CanonicalRecord;
use rust_decimal::Decimal;

/// Writes a row, then runs it through the migration rules.
pub(crate) fn emit(
    w: &mut TableWriter,
    sim: &mut Simulator,
    cells: &[String],
    intent: Intent,
) -> Result<Option<CanonicalRecord>, SampleError> {
    let row = w.next_row_number();
    w.write(cells)?;
    Ok(sim.row(w, row, cells, intent, false))
}

/// Closes a file and records it in the truth.
pub(crate) fn close(w: TableWriter, sim: &mut Simulator) -> Result<(), SampleError> {
    let spec = *w.spec();
    let rows = w.finish()?;
    sim.file(&spec, rows);
    Ok(())
}

pub(crate) fn us_date(d: NaiveDate) -> String {
    format!("{}/{}/{}", d.month(), d.day(), d.year())
}

pub(crate) fn iso_date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// "3/15/2024 2:30 PM", as US exports write a local time.
pub(crate) fn us_datetime(t: NaiveDateTime) -> String {
    let (pm, h) = t.hour12();
    format!(
        "{} {}:{:02} {}",
        us_date(t.date()),
        h,
        t.minute(),
        if pm { "PM" } else { "AM" }
    )
}

pub(crate) fn iso_datetime(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// "$1,234.56"; negatives as "-$1,234.56".
pub(crate) fn dollars(amount: Decimal) -> String {
    let plain = plain(amount.abs());
    let (whole, cents) = plain.split_once('.').unwrap_or((plain.as_str(), "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount.is_sign_negative() && !amount.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}${grouped}.{cents}")
}

/// "1234.56" with exactly two decimals.
pub(crate) fn plain(amount: Decimal) -> String {
    format!("{:.2}", amount.round_dp(2))
}

pub(crate) fn cents(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

pub(crate) fn day(from: NaiveDate, days: i64) -> NaiveDate {
    from + chrono::Duration::days(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_styles() {
        assert_eq!(dollars(cents(123456)), "$1,234.56");
        assert_eq!(dollars(cents(-5)), "-$0.05");
        assert_eq!(dollars(cents(100000000)), "$1,000,000.00");
        assert_eq!(plain(cents(-25000)), "-250.00");
    }
}
