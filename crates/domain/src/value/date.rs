//! Dates and date-times as exports write them. Day/month order is a property of the column
//! (decided by profiling or by the mapping file), never guessed per value.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    /// month/day/year, as US accounts write it
    Mdy,
    /// day/month/year
    Dmy,
}

impl DateOrder {
    pub fn other(self) -> DateOrder {
        match self {
            DateOrder::Mdy => DateOrder::Dmy,
            DateOrder::Dmy => DateOrder::Mdy,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DateOrder::Mdy => "month first",
            DateOrder::Dmy => "day first",
        }
    }

    /// The order in words, with what it makes of "03/04/2024".
    pub fn describe(self) -> &'static str {
        match self {
            DateOrder::Mdy => "month first (03/04/2024 is March 4)",
            DateOrder::Dmy => "day first (03/04/2024 is 3 April)",
        }
    }
}

/// How one value constrains the column's day/month order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvidence {
    /// Year first or month written as a word: order does not matter.
    Unambiguous,
    OnlyMdy,
    OnlyDmy,
    /// Both readings are valid dates (e.g. 03/04/2024).
    Either,
    NotADate,
}

/// The hundred years two-digit years are read in, from `first` to `first + 99`. Only a mapping
/// sets one (a person's decision, or a proposal shown to them): a two-digit year alone is
/// ambiguous, and a stray one in a column of four-digit years stays an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearWindow {
    pub first: i32,
}

impl YearWindow {
    /// How far past the current year a two-digit year may reach: far enough for deadlines
    /// and hearings, near enough that "47" is a birth year, not a future one.
    pub const AHEAD: i32 = 20;

    /// A window for telling whether a value is a date at all: which century it falls in is
    /// decided elsewhere (a mapping's window), and does not change which order it reads in.
    pub const ANY: YearWindow = YearWindow { first: 1950 };

    /// The window that ends `AHEAD` years after `year` (the current year).
    pub fn ending_after(year: i32) -> YearWindow {
        YearWindow {
            first: year + Self::AHEAD - 99,
        }
    }

    pub fn last(self) -> i32 {
        self.first + 99
    }

    /// The four-digit year of a two-digit one.
    pub fn year(self, yy: i32) -> i32 {
        let century = self.first - self.first.rem_euclid(100);
        let y = century + yy;
        if y < self.first {
            y + 100
        } else {
            y
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("empty date")]
    Empty,
    #[error("\"{0}\" is not a date")]
    Invalid(String),
    #[error("\"{0}\" has a two-digit year, which is ambiguous; write the year with four digits")]
    TwoDigitYear(String),
    #[error("\"{0}\" is ambiguous: day and month could be swapped and the column's date order is unknown; set date_order in the mapping")]
    AmbiguousOrder(String),
    #[error("\"{raw}\" reads as a date only {}, but this column writes its dates {}; correct it, or set date_order in the mapping", .order.other().name(), .order.describe())]
    AgainstOrder { raw: String, order: DateOrder },
    #[error("\"{0}\" has a year outside 1800..=2200")]
    YearOutOfRange(String),
    #[error("\"{0}\" is not a time of day")]
    InvalidTime(String),
    #[error("unknown time zone \"{0}\"; use an IANA name such as America/New_York")]
    UnknownZone(String),
    #[error(
        "{local} does not exist in {zone}: the clocks skip that hour (daylight-saving change)"
    )]
    NonexistentLocalTime { local: String, zone: String },
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_from_word(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .zip(full.iter())
        .position(|(abbr, long)| w == *abbr || w == *long || (w == "sept" && *abbr == "sep"))
        .map(|i| i as u32 + 1)
}

fn ymd(y: i32, m: u32, d: u32, raw: &str) -> Result<NaiveDate, DateError> {
    if !(1800..=2200).contains(&y) {
        return Err(DateError::YearOutOfRange(raw.to_string()));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DateError::Invalid(raw.to_string()))
}

fn year(tok: &str, raw: &str, window: Option<YearWindow>) -> Result<i32, DateError> {
    if tok.len() == 2 {
        return match (window, tok.parse::<i32>()) {
            (Some(w), Ok(yy)) => Ok(w.year(yy)),
            (None, Ok(_)) => Err(DateError::TwoDigitYear(raw.to_string())),
            (_, Err(_)) => Err(DateError::Invalid(raw.to_string())),
        };
    }
    if tok.len() != 4 {
        return Err(DateError::Invalid(raw.to_string()));
    }
    tok.parse().map_err(|_| DateError::Invalid(raw.to_string()))
}

fn num(tok: &str, raw: &str) -> Result<u32, DateError> {
    if tok.is_empty() || tok.len() > 2 {
        return Err(DateError::Invalid(raw.to_string()));
    }
    tok.parse().map_err(|_| DateError::Invalid(raw.to_string()))
}

/// Splits a value into its date part and an optional time part ("2024-03-05T10:00", "3/5/2024 10:00 AM").
fn split_date_time(s: &str) -> (&str, Option<&str>) {
    if let Some(i) = s.find('T') {
        if i >= 8 && s[..i].bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return (&s[..i], Some(&s[i + 1..]));
        }
    }
    // The time starts at the first token holding a colon.
    let mut start = None;
    let mut pos = 0;
    for tok in s.split(' ') {
        if tok.contains(':') {
            start = Some(pos);
            break;
        }
        pos += tok.len() + 1;
    }
    match start {
        Some(p) if p > 0 => (s[..p].trim_end().trim_end_matches(','), Some(s[p..].trim())),
        _ => (s, None),
    }
}

/// Classifies one value for column profiling.
pub fn order_evidence(raw: &str) -> OrderEvidence {
    let parse_date = |s: &str, o| parse_date_in(s, o, Some(YearWindow::ANY));
    let s = raw.trim();
    let (date, _) = split_date_time(s);
    let parts: Vec<&str> = date.split(['/', '-', '.']).collect();
    if parts.len() != 3 {
        return match parse_date(s, Some(DateOrder::Mdy)) {
            Ok(_) => OrderEvidence::Unambiguous,
            Err(_) => OrderEvidence::NotADate,
        };
    }
    if parts[0].len() == 4 || parts.iter().any(|p| month_from_word(p).is_some()) {
        return match parse_date(s, Some(DateOrder::Mdy)) {
            Ok(_) => OrderEvidence::Unambiguous,
            Err(_) => OrderEvidence::NotADate,
        };
    }
    let mdy = parse_date(s, Some(DateOrder::Mdy)).is_ok();
    let dmy = parse_date(s, Some(DateOrder::Dmy)).is_ok();
    match (mdy, dmy) {
        (true, true) if parts[0] == parts[1] => OrderEvidence::Unambiguous,
        (true, true) => OrderEvidence::Either,
        (true, false) => OrderEvidence::OnlyMdy,
        (false, true) => OrderEvidence::OnlyDmy,
        (false, false) => OrderEvidence::NotADate,
    }
}

/// Parses a calendar date. `order` resolves "03/04/2024"; `None` makes such values an error.
pub fn parse_date(raw: &str, order: Option<DateOrder>) -> Result<NaiveDate, DateError> {
    parse_date_in(raw, order, None)
}

/// [`parse_date`], reading two-digit years in `window` when one is given.
pub fn parse_date_in(
    raw: &str,
    order: Option<DateOrder>,
    window: Option<YearWindow>,
) -> Result<NaiveDate, DateError> {
    let year = |tok: &str, raw: &str| year(tok, raw, window);
    let s = raw.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    let (date, time) = split_date_time(s);
    if let Some(t) = time {
        // A date column may carry a time it does not keep; an impossible one ("25:00")
        // means the cell is not what it claims to be.
        check_clock(t, raw)?;
    }
    let date = date.trim();
    if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) {
        let y = year(&date[..4], raw)?;
        return ymd(y, num(&date[4..6], raw)?, num(&date[6..8], raw)?, raw);
    }
    let parts: Vec<&str> = date
        .split(['/', '-', '.', ' ', ','])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() != 3 {
        return Err(DateError::Invalid(raw.to_string()));
    }
    // Month written as a word: "March 5, 2024", "5 Mar 2024", "05-Mar-2024".
    if let Some(m) = month_from_word(parts[0]) {
        let d = num(
            parts[1].trim_end_matches(|c: char| c.is_ascii_alphabetic()),
            raw,
        )?;
        return ymd(year(parts[2], raw)?, m, d, raw);
    }
    if let Some(m) = month_from_word(parts[1]) {
        let d = num(parts[0], raw)?;
        return ymd(year(parts[2], raw)?, m, d, raw);
    }
    if !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(DateError::Invalid(raw.to_string()));
    }
    if parts[0].len() == 4 {
        return ymd(
            year(parts[0], raw)?,
            num(parts[1], raw)?,
            num(parts[2], raw)?,
            raw,
        );
    }
    let y = year(parts[2], raw)?;
    let a = num(parts[0], raw)?;
    let b = num(parts[1], raw)?;
    let read = |order| match order {
        DateOrder::Mdy => ymd(y, a, b, raw),
        DateOrder::Dmy => ymd(y, b, a, raw),
    };
    match order {
        // A date the column's order cannot read but the other can is a slip of one row
        // (or a column of two styles): say so, rather than that it is no date at all.
        Some(o) => read(o).map_err(|e| match (e, read(o.other())) {
            (DateError::Invalid(_), Ok(_)) => DateError::AgainstOrder {
                raw: raw.to_string(),
                order: o,
            },
            (e, _) => e,
        }),
        None if a == b || a > 12 || b > 12 => read(if a > 12 {
            DateOrder::Dmy
        } else {
            DateOrder::Mdy
        }),
        None => Err(DateError::AmbiguousOrder(raw.to_string())),
    }
}

/// Checks the time written after a date: its clock (with an optional AM/PM word) must be a
/// real time of day; a trailing "Z", UTC offset or zone name is allowed and not kept.
fn check_clock(time: &str, raw: &str) -> Result<(), DateError> {
    let time = time.trim();
    let mut words = time.split_whitespace();
    let clock = words.next().unwrap_or_default();
    // "10:00:00Z", "10:00:00+02:00", "10:00-0500": the offset starts after the clock.
    let clock = clock.strip_suffix(['Z', 'z']).unwrap_or(clock);
    let clock = match clock
        .char_indices()
        .skip(1)
        .find(|(_, c)| *c == '+' || *c == '-')
    {
        Some((i, _)) => &clock[..i],
        None => clock,
    };
    let meridiem = words.next().filter(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "am" | "pm" | "a.m." | "p.m."
        )
    });
    let text = match meridiem {
        Some(m) => format!("{clock} {}", m.replace('.', "")),
        None => clock.to_string(),
    };
    parse_time(&text)
        .map(|_| ())
        .map_err(|_| DateError::InvalidTime(raw.to_string()))
}

/// Parses "14:30", "14:30:15", "2:30 PM", "2:30pm", "14:30:15.250".
pub fn parse_time(raw: &str) -> Result<NaiveTime, DateError> {
    let s = raw.trim().to_ascii_lowercase();
    let (clock, pm) = if let Some(c) = s.strip_suffix("pm") {
        (c.trim(), Some(true))
    } else if let Some(c) = s.strip_suffix("am") {
        (c.trim(), Some(false))
    } else {
        (s.as_str(), None)
    };
    let bad = || DateError::InvalidTime(raw.to_string());
    let mut it = clock.split(':');
    let h: u32 = it.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
    let m: u32 = it.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
    let (sec, nano) = match it.next() {
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let s: u32 = whole.parse().map_err(|_| bad())?;
            let frac = frac.get(..frac.len().min(9)).unwrap_or("");
            let nano = if frac.is_empty() {
                0
            } else {
                let n: u32 = frac.parse().map_err(|_| bad())?;
                n * 10u32.pow(9 - frac.len() as u32)
            };
            (s, nano)
        }
        None => (0, 0),
    };
    if it.next().is_some() {
        return Err(bad());
    }
    let h = match pm {
        Some(_) if !(1..=12).contains(&h) => return Err(bad()),
        Some(true) if h != 12 => h + 12,
        Some(false) if h == 12 => 0,
        _ => h,
    };
    NaiveTime::from_hms_nano_opt(h, m, sec, nano).ok_or_else(bad)
}

pub fn parse_zone(raw: &str) -> Result<Tz, DateError> {
    let s = raw.trim();
    s.parse::<Tz>()
        .or_else(|_| {
            // Windows and abbreviations that US exports commonly write.
            let alias = match s.to_ascii_lowercase().as_str() {
                "eastern standard time" | "est" | "edt" | "eastern" => "America/New_York",
                "central standard time" | "cst" | "cdt" | "central" => "America/Chicago",
                "mountain standard time" | "mst" | "mdt" | "mountain" => "America/Denver",
                "pacific standard time" | "pst" | "pdt" | "pacific" => "America/Los_Angeles",
                "utc" | "gmt" | "z" => "UTC",
                _ => "",
            };
            alias.parse::<Tz>()
        })
        .map_err(|_| DateError::UnknownZone(s.to_string()))
}

/// An instant with the wall-clock time and zone it was written in, so nothing shifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZonedDateTime {
    pub utc: DateTime<Utc>,
    pub local: NaiveDateTime,
    /// An IANA zone name, or a fixed offset such as "+02:00" when the source wrote only that.
    pub zone: String,
}

/// A date-time field's value: a whole day (no time written, or flagged all-day) or an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum When {
    AllDay { date: NaiveDate },
    At(ZonedDateTime),
}

/// Parses a date-time. A value with an explicit offset keeps it; a local value is placed in
/// `zone` (the row's time-zone column, or the job's default). In a fall-back overlap the
/// earlier instant is taken; a local time inside a spring-forward gap is an error.
pub fn parse_datetime(raw: &str, order: Option<DateOrder>, zone: Tz) -> Result<When, DateError> {
    parse_datetime_in(raw, order, None, zone)
}

/// [`parse_datetime`], reading two-digit years in `window` when one is given.
pub fn parse_datetime_in(
    raw: &str,
    order: Option<DateOrder>,
    window: Option<YearWindow>,
    zone: Tz,
) -> Result<When, DateError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        let off = dt.offset().fix();
        return Ok(When::At(ZonedDateTime {
            utc: dt.with_timezone(&Utc),
            local: dt.naive_local(),
            zone: if off.local_minus_utc() == 0 {
                "UTC".into()
            } else {
                off.to_string()
            },
        }));
    }
    let (date_part, time_part) = split_date_time(s);
    let date = parse_date_in(date_part, order, window)?;
    let Some(time_raw) = time_part else {
        return Ok(When::AllDay { date });
    };
    let (time_raw, explicit_utc) = match time_raw.strip_suffix('Z') {
        Some(t) => (t, true),
        None => (time_raw, false),
    };
    let time = parse_time(time_raw)?;
    let local = date.and_time(time);
    if explicit_utc {
        return Ok(When::At(ZonedDateTime {
            utc: local.and_utc(),
            local,
            zone: "UTC".into(),
        }));
    }
    zoned(local, zone).map(When::At)
}

/// The last day number a spreadsheet counts (9999-12-31).
const LAST_SERIAL: i64 = 2_958_465;

/// A spreadsheet's day number ("45006", or "45006.375" with the time of day as a fraction):
/// days since 1899-12-30, as Excel and LibreOffice count them, which a CSV saved from a sheet
/// whose date cells were formatted as numbers holds. (Excel's phantom 29 February 1900 lies
/// before day 61; day numbers that small are read as LibreOffice reads them.) Only a column
/// known to hold day numbers is read this way: nothing in "45006" alone says it is a date.
pub fn parse_serial(raw: &str) -> Option<NaiveDateTime> {
    let s = raw.trim();
    let (whole, fraction) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 7 || !digits(whole) || !digits(fraction) {
        return None;
    }
    let days: i64 = whole.parse().ok()?;
    if !(1..=LAST_SERIAL).contains(&days) {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    // A day's fraction to the nearest second: "0.375" is 09:00:00.
    let share: f64 = if fraction.is_empty() {
        0.0
    } else {
        format!("0.{fraction}").parse().ok()?
    };
    let seconds = (share * 86_400.0).round() as i64;
    epoch.checked_add_signed(chrono::Duration::days(days) + chrono::Duration::seconds(seconds))
}

/// Whether a cell is written as a spreadsheet day number of a recent date: five digits
/// (1927-05-18 to 2173-10-14), with or without a fraction of a day.
pub fn written_as_serial(raw: &str) -> bool {
    let s = raw.trim();
    let whole = s.split_once('.').map_or(s, |(w, _)| w);
    whole.len() == 5 && !whole.starts_with('0') && parse_serial(s).is_some()
}

pub fn zoned(local: NaiveDateTime, zone: Tz) -> Result<ZonedDateTime, DateError> {
    let instant = match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(earlier, _) => earlier,
        LocalResult::None => {
            return Err(DateError::NonexistentLocalTime {
                local: local.format("%Y-%m-%d %H:%M").to_string(),
                zone: zone.name().to_string(),
            })
        }
    };
    Ok(ZonedDateTime {
        utc: instant.with_timezone(&Utc),
        local,
        zone: zone.name().to_string(),
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn spreadsheet_day_numbers_read_as_the_dates_they_count() {
        let at = |raw: &str| parse_serial(raw).map(|d| d.to_string());
        assert_eq!(at("45006").as_deref(), Some("2023-03-21 00:00:00"));
        assert_eq!(at("44197.375").as_deref(), Some("2021-01-01 09:00:00"));
        assert_eq!(at("61").as_deref(), Some("1900-03-01 00:00:00"));
        assert_eq!(at("2958465").as_deref(), Some("9999-12-31 00:00:00"));
        for not in [
            "",
            "0",
            "2958466",
            "4500a",
            "-45006",
            "45,006",
            "2023-03-21",
            ".5",
        ] {
            assert!(parse_serial(not).is_none(), "{not}");
        }
        assert!(written_as_serial("45006") && written_as_serial(" 44197.5 "));
        assert!(!written_as_serial("2024") && !written_as_serial("02134"));
        assert!(!written_as_serial("20240131"));
    }
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn two_digit_years_read_only_in_a_window_a_mapping_gives() {
        let w = YearWindow::ending_after(2026);
        assert_eq!((w.first, w.last()), (1947, 2046));
        assert_eq!(
            parse_date("02/03/21", Some(DateOrder::Mdy)),
            Err(DateError::TwoDigitYear("02/03/21".into()))
        );
        let mdy = Some(DateOrder::Mdy);
        assert_eq!(parse_date_in("02/03/21", mdy, Some(w)), Ok(d(2021, 2, 3)));
        assert_eq!(parse_date_in("12/31/46", mdy, Some(w)), Ok(d(2046, 12, 31)));
        assert_eq!(parse_date_in("1/1/47", mdy, Some(w)), Ok(d(1947, 1, 1)));
        assert_eq!(parse_date_in("5-Mar-99", None, Some(w)), Ok(d(1999, 3, 5)));
        // A four-digit year is read as written, whatever the window.
        assert_eq!(parse_date_in("1/1/2090", mdy, Some(w)), Ok(d(2090, 1, 1)));
        assert!(parse_date_in("02/30/21", mdy, Some(w)).is_err());
        assert_eq!(
            parse_datetime_in("02/03/21 10:00", mdy, Some(w), chrono_tz::UTC).map(
                |when| match when {
                    When::At(z) => z.local.date(),
                    When::AllDay { date } => date,
                }
            ),
            Ok(d(2021, 2, 3))
        );
        let old = YearWindow { first: 1900 };
        assert_eq!(parse_date_in("02/03/21", mdy, Some(old)), Ok(d(1921, 2, 3)));
    }

    #[test]
    fn common_formats() {
        assert_eq!(parse_date("2024-03-05", None), Ok(d(2024, 3, 5)));
        assert_eq!(parse_date("2024/3/5", None), Ok(d(2024, 3, 5)));
        assert_eq!(parse_date("20240305", None), Ok(d(2024, 3, 5)));
        assert_eq!(parse_date("March 5, 2024", None), Ok(d(2024, 3, 5)));
        assert_eq!(parse_date("5 Mar 2024", None), Ok(d(2024, 3, 5)));
        assert_eq!(parse_date("05-Mar-2024", None), Ok(d(2024, 3, 5)));
        assert_eq!(
            parse_date("03/05/2024", Some(DateOrder::Mdy)),
            Ok(d(2024, 3, 5))
        );
        assert_eq!(
            parse_date("03/05/2024", Some(DateOrder::Dmy)),
            Ok(d(2024, 5, 3))
        );
        assert_eq!(parse_date("25/12/2024", None), Ok(d(2024, 12, 25)));
        assert_eq!(parse_date("2024-03-05T10:00:00", None), Ok(d(2024, 3, 5)));
        assert_eq!(
            parse_date("3/5/2024 10:15 AM", Some(DateOrder::Mdy)),
            Ok(d(2024, 3, 5))
        );
    }

    #[test]
    fn refuses_what_cannot_be_known() {
        assert_eq!(
            parse_date("03/04/2024", None),
            Err(DateError::AmbiguousOrder("03/04/2024".into()))
        );
        assert_eq!(
            parse_date("03/04/24", Some(DateOrder::Mdy)),
            Err(DateError::TwoDigitYear("03/04/24".into()))
        );
        assert_eq!(
            parse_date("2023-02-29", None),
            Err(DateError::Invalid("2023-02-29".into()))
        );
        assert_eq!(
            parse_date("13/13/2024", None),
            Err(DateError::Invalid("13/13/2024".into()))
        );
        // A date the column's order cannot read, but the other order can: named as such.
        assert_eq!(
            parse_date("04/25/2024", Some(DateOrder::Dmy)),
            Err(DateError::AgainstOrder {
                raw: "04/25/2024".into(),
                order: DateOrder::Dmy
            })
        );
        assert_eq!(
            parse_date("31/02/2024", Some(DateOrder::Mdy)),
            Err(DateError::Invalid("31/02/2024".into())),
            "no day 31 of February either way"
        );
        assert_eq!(
            parse_date("0001-01-01", None),
            Err(DateError::YearOutOfRange("0001-01-01".into()))
        );
        assert!(parse_date("soon", None).is_err());
    }

    #[test]
    fn an_impossible_time_after_a_date_is_refused() {
        for bad in [
            "12/31/2024 25:00",
            "2024-12-31T24:61",
            "2024-12-31 13:00 PM",
            "2024-12-31 9:75",
        ] {
            assert_eq!(
                parse_date(bad, Some(DateOrder::Mdy)),
                Err(DateError::InvalidTime(bad.into())),
                "{bad}"
            );
        }
        for good in [
            "12/31/2024 23:59",
            "12/31/2024 11:59 PM",
            "2024-12-31T10:00:00Z",
            "2024-12-31T10:00:00.250+02:00",
            "2024-12-31 10:00-0500",
            "12/31/2024 10:00 AM EST",
        ] {
            assert_eq!(
                parse_date(good, Some(DateOrder::Mdy)),
                Ok(d(2024, 12, 31)),
                "{good}"
            );
        }
    }

    #[test]
    fn evidence_decides_order() {
        assert_eq!(order_evidence("13/04/2024"), OrderEvidence::OnlyDmy);
        assert_eq!(order_evidence("04/13/2024"), OrderEvidence::OnlyMdy);
        assert_eq!(order_evidence("04/03/2024"), OrderEvidence::Either);
        assert_eq!(order_evidence("2024-04-03"), OrderEvidence::Unambiguous);
        assert_eq!(order_evidence("nope"), OrderEvidence::NotADate);
    }

    #[test]
    fn times() {
        assert_eq!(
            parse_time("2:30 PM").map(|t| t.to_string()),
            Ok("14:30:00".into())
        );
        assert_eq!(
            parse_time("12:05am").map(|t| t.to_string()),
            Ok("00:05:00".into())
        );
        assert_eq!(
            parse_time("23:59:59.5").map(|t| t.to_string()),
            Ok("23:59:59.500".into())
        );
        assert!(parse_time("25:00").is_err());
        assert!(parse_time("13:00 PM").is_err());
    }

    #[test]
    fn daylight_saving() {
        let ny: Tz = "America/New_York".parse().expect("zone");
        // Spring forward: 02:30 does not exist on 2024-03-10 in New York.
        assert!(matches!(
            parse_datetime("2024-03-10 02:30", None, ny),
            Err(DateError::NonexistentLocalTime { .. })
        ));
        // Fall back: 01:30 happens twice on 2024-11-03; the earlier (EDT, -04:00) is taken.
        let When::At(t) = parse_datetime("2024-11-03 01:30", None, ny).expect("parses") else {
            panic!("expected an instant")
        };
        assert_eq!(t.utc.to_rfc3339(), "2024-11-03T05:30:00+00:00");
        // A meeting across the change keeps its wall-clock times and real duration.
        let When::At(a) = parse_datetime("2024-03-09 23:00", None, ny).expect("parses") else {
            panic!()
        };
        let When::At(b) = parse_datetime("2024-03-10 04:00", None, ny).expect("parses") else {
            panic!()
        };
        assert_eq!((b.utc - a.utc).num_hours(), 4);
    }

    #[test]
    fn offsets_and_all_day() {
        let ny: Tz = "America/New_York".parse().expect("zone");
        let When::At(t) = parse_datetime("2024-06-01T09:00:00+02:00", None, ny).expect("parses")
        else {
            panic!()
        };
        assert_eq!(t.zone, "+02:00");
        assert_eq!(t.utc.to_rfc3339(), "2024-06-01T07:00:00+00:00");
        assert_eq!(
            parse_datetime("2024-06-01", None, ny),
            Ok(When::AllDay {
                date: d(2024, 6, 1)
            })
        );
        assert_eq!(
            parse_zone("Eastern Standard Time").map(|z| z.name()),
            Ok("America/New_York")
        );
        assert!(parse_zone("Mars/Olympus").is_err());
    }
}
