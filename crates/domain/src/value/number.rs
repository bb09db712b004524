//! Decimal and grouping separators. Whether "1,5" is one and a half or fifteen is a property
//! of the column (decided from the evidence in its values, or by the mapping file), never
//! guessed per value: a value whose reading depends on it is refused while it is unknown.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The character that separates whole units from fractions; the other one groups thousands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DecimalSeparator {
    /// "1,234.5"
    #[serde(rename = ".")]
    Point,
    /// "1.234,5"
    #[serde(rename = ",")]
    Comma,
}

impl DecimalSeparator {
    pub fn as_char(self) -> char {
        match self {
            DecimalSeparator::Point => '.',
            DecimalSeparator::Comma => ',',
        }
    }

    fn grouping(self) -> char {
        match self {
            DecimalSeparator::Point => ',',
            DecimalSeparator::Comma => '.',
        }
    }
}

impl fmt::Display for DecimalSeparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

impl FromStr for DecimalSeparator {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "." | "point" => Ok(DecimalSeparator::Point),
            "," | "comma" => Ok(DecimalSeparator::Comma),
            other => Err(format!(
                "decimal separator \"{other}\" must be \".\" or \",\""
            )),
        }
    }
}

/// Why digits and separators do not make a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeparatorError {
    /// No digits, a separator twice where once is the limit, or groups of the wrong size.
    Invalid,
    /// One separator followed by exactly three digits ("1,234"): a thousands group or three
    /// decimals, and the column's decimal separator is not known.
    Ambiguous,
}

/// What one value says about its column's decimal separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeparatorEvidence {
    /// No separator, or not a number: says nothing.
    None,
    /// Only a decimal point reads it ("1.5", "1,234.50", "1,234,567").
    Point,
    /// Only a decimal comma reads it ("1,5", "1.234,50", "1.234.567").
    Comma,
    /// Either reads it ("1,234", "1.500").
    Ambiguous,
}

/// Turns `digits` (ASCII digits, '.' and ',' only) into "1234.5"-style text under `sep`;
/// with `None`, only values that read the same under either separator are accepted.
pub fn normalise(digits: &str, sep: Option<DecimalSeparator>) -> Result<String, SeparatorError> {
    if !digits.bytes().any(|b| b.is_ascii_digit()) {
        return Err(SeparatorError::Invalid);
    }
    let sep = match sep {
        Some(s) => s,
        None => infer(digits)?,
    };
    let (decimal, group) = (sep.as_char(), sep.grouping());
    let (whole, fraction) = match digits.split_once(decimal) {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    if let Some(f) = fraction {
        if f.contains([decimal, group]) {
            return Err(SeparatorError::Invalid);
        }
    }
    if whole.contains(group) {
        check_groups(whole, group)?;
    }
    let mut out: String = whole.chars().filter(|c| *c != group).collect();
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    Ok(out)
}

/// The separator a value's own shape proves, or why it proves none.
fn infer(digits: &str) -> Result<DecimalSeparator, SeparatorError> {
    let last_point = digits.rfind('.');
    let last_comma = digits.rfind(',');
    let one = |c: char| {
        let count = digits.matches(c).count();
        let tail = digits.rsplit(c).next().unwrap_or_default();
        (count, tail.len())
    };
    Ok(match (last_point, last_comma) {
        (None, None) => DecimalSeparator::Point,
        // Both present: the last one is the decimal separator.
        (Some(p), Some(c)) if p > c => DecimalSeparator::Point,
        (Some(_), Some(_)) => DecimalSeparator::Comma,
        (Some(_), None) => match one('.') {
            (n, _) if n > 1 => DecimalSeparator::Comma,
            (_, 3) => return Err(SeparatorError::Ambiguous),
            _ => DecimalSeparator::Point,
        },
        (None, Some(_)) => match one(',') {
            (n, _) if n > 1 => DecimalSeparator::Point,
            (_, 3) => return Err(SeparatorError::Ambiguous),
            _ => DecimalSeparator::Comma,
        },
    })
}

/// Thousands groups: the first of one to three digits, then groups of three (groups of two
/// before the last are allowed for the Indian "1,23,45,678").
fn check_groups(whole: &str, group: char) -> Result<(), SeparatorError> {
    let parts: Vec<&str> = whole.split(group).collect();
    let Some((first, rest)) = parts.split_first() else {
        return Err(SeparatorError::Invalid);
    };
    let first_ok = (1..=3).contains(&first.len());
    let last = rest.len().saturating_sub(1);
    let rest_ok = rest
        .iter()
        .enumerate()
        .all(|(i, g)| g.len() == 3 || (i < last && g.len() == 2));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(SeparatorError::Invalid)
    }
}

/// What a cell says about its column's decimal separator; currency signs, spaces and other
/// marks around the number are ignored.
pub fn evidence(raw: &str) -> SeparatorEvidence {
    let digits: String = raw
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ','))
        .collect();
    evidence_of(&digits)
}

/// Classifies the separators of `digits` (ASCII digits, '.' and ',' only).
pub fn evidence_of(digits: &str) -> SeparatorEvidence {
    if !digits.contains(['.', ',']) {
        return SeparatorEvidence::None;
    }
    match infer(digits) {
        Err(SeparatorError::Ambiguous) => SeparatorEvidence::Ambiguous,
        Err(SeparatorError::Invalid) => SeparatorEvidence::None,
        Ok(sep) => match normalise(digits, Some(sep)) {
            Ok(_) if sep == DecimalSeparator::Point => SeparatorEvidence::Point,
            Ok(_) => SeparatorEvidence::Comma,
            Err(_) => SeparatorEvidence::None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::DecimalSeparator::{Comma, Point};
    use super::*;

    #[test]
    fn a_known_separator_reads_every_value_one_way() {
        assert_eq!(normalise("1,5", Some(Comma)).as_deref(), Ok("1.5"));
        assert_eq!(normalise("0,25", Some(Comma)).as_deref(), Ok("0.25"));
        assert_eq!(normalise("1.234,56", Some(Comma)).as_deref(), Ok("1234.56"));
        assert_eq!(normalise("1.234", Some(Comma)).as_deref(), Ok("1234"));
        assert_eq!(normalise("1,234", Some(Point)).as_deref(), Ok("1234"));
        assert_eq!(normalise("1,234.5", Some(Point)).as_deref(), Ok("1234.5"));
        assert_eq!(
            normalise("1,23,456.00", Some(Point)).as_deref(),
            Ok("123456.00")
        );
        // A decimal comma in a decimal-point column is refused, not read as fifteen.
        assert_eq!(normalise("1,5", Some(Point)), Err(SeparatorError::Invalid));
        assert_eq!(normalise("1.5", Some(Comma)), Err(SeparatorError::Invalid));
        assert_eq!(
            normalise("1.2.3", Some(Point)),
            Err(SeparatorError::Invalid)
        );
    }

    #[test]
    fn an_unknown_separator_reads_only_what_cannot_be_misread() {
        assert_eq!(normalise("1,5", None).as_deref(), Ok("1.5"));
        assert_eq!(normalise("1.5", None).as_deref(), Ok("1.5"));
        assert_eq!(normalise("1.234,56", None).as_deref(), Ok("1234.56"));
        assert_eq!(normalise("1,234,567", None).as_deref(), Ok("1234567"));
        assert_eq!(normalise("1,234", None), Err(SeparatorError::Ambiguous));
        assert_eq!(normalise("1.500", None), Err(SeparatorError::Ambiguous));
        assert_eq!(normalise("12", None).as_deref(), Ok("12"));
        assert_eq!(normalise(",", None), Err(SeparatorError::Invalid));
    }

    #[test]
    fn evidence() {
        assert_eq!(evidence_of("1,5"), SeparatorEvidence::Comma);
        assert_eq!(evidence_of("1.234,50"), SeparatorEvidence::Comma);
        assert_eq!(evidence_of("1.234.567"), SeparatorEvidence::Comma);
        assert_eq!(evidence_of("0.25"), SeparatorEvidence::Point);
        assert_eq!(evidence_of("1,234,567"), SeparatorEvidence::Point);
        assert_eq!(evidence_of("1,234"), SeparatorEvidence::Ambiguous);
        assert_eq!(evidence_of("15"), SeparatorEvidence::None);
        assert_eq!(evidence_of("1,2,3"), SeparatorEvidence::None);
    }
}
