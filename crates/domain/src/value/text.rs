//! Plain text, flags and numbers, with the checks every cell gets.

use rust_decimal::Decimal;
use std::str::FromStr;

use super::number::{self, DecimalSeparator, SeparatorError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("contains a NUL byte")]
    Nul,
    #[error("contains a byte-order mark (U+FEFF) inside the text")]
    Bom,
    #[error("is {0} bytes long; the limit is {1}")]
    TooLong(usize, usize),
    #[error("looks like a spreadsheet formula (\"{0}\"); formulas are not imported, to keep exports safe to open")]
    Formula(String),
    #[error("\"{0}\" is not yes/no")]
    NotBool(String),
    #[error("\"{0}\" is not a whole number")]
    NotInteger(String),
    #[error("\"{0}\" is not a number")]
    NotNumber(String),
    #[error("\"{0}\" has a decimal separator that is not this column's ('{1}')")]
    WrongSeparator(String, DecimalSeparator),
    #[error("\"{0}\" is ambiguous: it reads as a thousands group or as three decimals, and the column's decimal separator is unknown; set it in the mapping (decimal)")]
    AmbiguousSeparator(String),
}

/// Checks a text cell. Formula-like text is refused so a rejects CSV or canonical export
/// opened in a spreadsheet cannot run it (CSV injection).
pub fn check_text(raw: &str, max_len: usize) -> Result<(), TextError> {
    if raw.len() > max_len {
        return Err(TextError::TooLong(raw.len(), max_len));
    }
    if raw.contains('\0') {
        return Err(TextError::Nul);
    }
    if raw.contains('\u{feff}') {
        return Err(TextError::Bom);
    }
    if is_formula(raw) {
        let shown: String = raw.chars().take(40).collect();
        return Err(TextError::Formula(shown));
    }
    Ok(())
}

/// "=…", "+SUM(…", "-cmd|…", "@HYPERLINK(…": what spreadsheets evaluate. Plain "-5" or "+1 212…" is not.
pub fn is_formula(raw: &str) -> bool {
    let s = raw.trim_start();
    let mut chars = s.chars();
    match chars.next() {
        Some('=') => s.len() > 1,
        Some('+' | '-' | '@') => {
            let rest: &str = chars.as_str();
            let head: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic() || *c == '.')
                .collect();
            (!head.is_empty() && rest[head.len()..].starts_with('('))
                || rest.contains('|') && rest.contains('!')
        }
        Some('\t' | '\r') => false,
        _ => false,
    }
}

/// A yes/no cell. "-1" is yes: Microsoft Access and Visual Basic store true as -1, and the
/// practice systems built on them export it that way.
pub fn parse_bool(raw: &str) -> Result<bool, TextError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" | "t" | "1" | "-1" | "x" | "checked" | "on" => Ok(true),
        "n" | "no" | "false" | "f" | "0" | "unchecked" | "off" | "" => Ok(false),
        _ => Err(TextError::NotBool(raw.to_string())),
    }
}

/// The digits and separators of a number cell: a sign, spaces, apostrophes and underscores
/// (thousands marks that are never decimal separators) are allowed around them.
fn number_body(raw: &str) -> Option<(bool, String)> {
    let s = raw.trim();
    let (negative, s) = match s.strip_prefix(['-', '\u{2212}']) {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let mut body = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '0'..='9' | '.' | ',' => body.push(c),
            ' ' | '\u{a0}' | '\u{202f}' | '\'' | '_' => {}
            _ => return None,
        }
    }
    Some((negative, body))
}

/// A quantity: a number under the column's decimal separator, or a duration written as a
/// clock ("1:30", "0:45:00"), which is that many hours: no other number is written with a
/// colon, and time entries' durations often are.
pub fn parse_quantity(raw: &str, sep: Option<DecimalSeparator>) -> Result<Decimal, TextError> {
    parse_decimal(raw, sep).or_else(|e| clock_hours(raw).ok_or(e))
}

/// Hours in a duration written "H:MM" or "H:MM:SS", to 4 decimal places.
pub fn clock_hours(raw: &str) -> Option<Decimal> {
    let parts: Vec<&str> = raw.trim().split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        || parts[0].len() > 4
        || parts[1..].iter().any(|p| p.len() != 2)
    {
        return None;
    }
    let n = |p: &str| p.parse::<u32>().ok();
    let (h, m) = (n(parts[0])?, n(parts[1])?);
    let sec = parts.get(2).map_or(Some(0), |p| n(p))?;
    if m > 59 || sec > 59 {
        return None;
    }
    let seconds = Decimal::from(h) * Decimal::from(3600) + Decimal::from(m * 60 + sec);
    Some(
        (seconds / Decimal::from(3600))
            .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            .normalize(),
    )
}

/// A number under the column's decimal separator (`None`: unknown, see [`number::normalise`]).
pub fn parse_decimal(raw: &str, sep: Option<DecimalSeparator>) -> Result<Decimal, TextError> {
    let not = || TextError::NotNumber(raw.to_string());
    let (negative, body) = number_body(raw).ok_or_else(not)?;
    let plain = number::normalise(&body, sep).map_err(|e| match (e, sep) {
        (SeparatorError::Ambiguous, _) => TextError::AmbiguousSeparator(raw.to_string()),
        (SeparatorError::Invalid, Some(s)) if body.contains(['.', ',']) => {
            TextError::WrongSeparator(raw.to_string(), s)
        }
        _ => not(),
    })?;
    let value = Decimal::from_str(&plain).map_err(|_| not())?;
    Ok(if negative { -value } else { value })
}

pub fn parse_integer(raw: &str, sep: Option<DecimalSeparator>) -> Result<i64, TextError> {
    let value = parse_decimal(raw, sep).map_err(|e| match e {
        TextError::NotNumber(_) => TextError::NotInteger(raw.to_string()),
        other => other,
    })?;
    if !value.fract().is_zero() {
        return Err(TextError::NotInteger(raw.to_string()));
    }
    i64::try_from(value.trunc()).map_err(|_| TextError::NotInteger(raw.to_string()))
}

#[cfg(test)]
mod tests {

    #[test]
    fn clock_durations_are_hours() {
        let h = |s: &str| parse_quantity(s, None).map(|d| d.to_string());
        assert_eq!(h("1:30"), Ok("1.5".into()));
        assert_eq!(h("0:45:00"), Ok("0.75".into()));
        assert_eq!(h("2:20"), Ok("2.3333".into()));
        assert_eq!(h("1.25"), Ok("1.25".into()));
        assert!(h("1:75").is_err());
        assert!(h("12:3").is_err());
        assert!(h("a:30").is_err());
    }

    use super::*;

    #[test]
    fn formulas_are_caught_and_plain_text_passes() {
        assert!(is_formula("=HYPERLINK(\"http://evil\",\"click\")"));
        assert!(is_formula("+SUM(A1:A2)"));
        assert!(is_formula("@SUM(1)"));
        assert!(is_formula("-cmd|' /C calc'!A0"));
        assert!(!is_formula("-5"));
        assert!(!is_formula("+1 212 555 0143"));
        assert!(!is_formula("="));
        assert!(!is_formula("Smith & Jones"));
        assert!(check_text("ok", 10).is_ok());
        assert_eq!(check_text("a\0b", 10), Err(TextError::Nul));
        assert_eq!(check_text("abcdef", 3), Err(TextError::TooLong(6, 3)));
        assert_eq!(check_text("a\u{feff}b", 10), Err(TextError::Bom));
    }

    #[test]
    fn flags_and_numbers() {
        assert_eq!(parse_bool("Yes"), Ok(true));
        assert_eq!(parse_bool(""), Ok(false));
        assert!(parse_bool("maybe").is_err());
        assert_eq!(parse_bool("-1"), Ok(true));
        assert_eq!(parse_bool("0"), Ok(false));
        assert!(parse_bool("-2").is_err());
        let point = Some(DecimalSeparator::Point);
        let comma = Some(DecimalSeparator::Comma);
        assert_eq!(parse_integer("1,024", point), Ok(1024));
        assert_eq!(parse_integer("1.024", comma), Ok(1024));
        assert!(parse_integer("1,5", comma).is_err());
        assert_eq!(parse_decimal("1.25", None), Ok(Decimal::new(125, 2)));
        assert_eq!(parse_decimal("-1 234,5", None), Ok(Decimal::new(-12345, 1)));
        assert!(parse_decimal("1.2.5", None).is_err());
        // Hours written with a decimal comma stay hours.
        assert_eq!(parse_decimal("1,5", comma), Ok(Decimal::new(15, 1)));
        assert_eq!(parse_decimal("0,25", None), Ok(Decimal::new(25, 2)));
        assert_eq!(
            parse_decimal("1,5", point),
            Err(TextError::WrongSeparator(
                "1,5".into(),
                DecimalSeparator::Point
            ))
        );
        assert_eq!(
            parse_decimal("1,250", None),
            Err(TextError::AmbiguousSeparator("1,250".into()))
        );
    }
}
