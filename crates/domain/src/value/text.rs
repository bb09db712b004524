//! Plain text, flags and numbers, with the checks every cell gets.

use rust_decimal::Decimal;
use std::str::FromStr;

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

pub fn parse_bool(raw: &str) -> Result<bool, TextError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" | "t" | "1" | "x" | "checked" | "on" => Ok(true),
        "n" | "no" | "false" | "f" | "0" | "unchecked" | "off" | "" => Ok(false),
        _ => Err(TextError::NotBool(raw.to_string())),
    }
}

pub fn parse_integer(raw: &str) -> Result<i64, TextError> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    s.parse()
        .map_err(|_| TextError::NotInteger(raw.to_string()))
}

pub fn parse_decimal(raw: &str) -> Result<Decimal, TextError> {
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '_')
        .collect();
    Decimal::from_str(&s).map_err(|_| TextError::NotNumber(raw.to_string()))
}

#[cfg(test)]
mod tests {
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
        assert_eq!(parse_integer("1,024"), Ok(1024));
        assert_eq!(parse_decimal("1.25"), Ok(Decimal::new(125, 2)));
        assert!(parse_decimal("1.2.5").is_err());
    }
}
