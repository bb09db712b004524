//! Money: an exact decimal amount with an ISO 4217 currency. Never floating point.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use super::number::{self, DecimalSeparator, SeparatorError};

/// A three-letter ISO 4217 currency code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");

    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// Digits after the decimal point of the currency's minor unit (ISO 4217): 2 for most,
    /// 0 for the yen or the won, 3 for the dinars of Bahrain, Iraq, Jordan, Kuwait, Libya,
    /// Oman and Tunisia.
    pub fn minor_digits(&self) -> u32 {
        match self.as_str() {
            "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF"
            | "UGX" | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
            "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
            _ => 2,
        }
    }

    /// `amount` written with at least the currency's minor digits, so a zero balance reads
    /// "0.00" beside "12.50"; digits it has beyond them are kept, never rounded away.
    pub fn in_minor_digits(&self, amount: Decimal) -> Decimal {
        let mut a = amount;
        if a.scale() < self.minor_digits() {
            a.rescale(self.minor_digits());
        }
        a
    }

    /// Currencies written with a bare "$": the dollars and the pesos.
    const DOLLAR_SIGNED: &'static [&'static [u8; 3]] = &[
        b"USD", b"AUD", b"CAD", b"NZD", b"HKD", b"SGD", b"MXN", b"ARS", b"CLP", b"COP", b"TWD",
    ];

    /// Dollar signs with the letters that say whose dollar they are ("A$", "NZ$", "US$").
    const DOLLAR_PREFIXES: &'static [(&'static str, &'static [u8; 3])] = &[
        ("A", b"AUD"),
        ("AU", b"AUD"),
        ("C", b"CAD"),
        ("CA", b"CAD"),
        ("NZ", b"NZD"),
        ("US", b"USD"),
        ("HK", b"HKD"),
        ("S", b"SGD"),
        ("SG", b"SGD"),
        ("R", b"BRL"),
    ];

    /// The currency of a dollar sign written with letters ("A" of "A$" is AUD), in any case.
    pub fn of_dollar(letters: &str) -> Option<Currency> {
        Self::DOLLAR_PREFIXES
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(letters.trim()))
            .map(|(_, c)| Currency(**c))
    }

    /// Whether a currency is written with a "$": a dollar, a peso, or the real ("R$").
    pub fn is_dollar(self) -> bool {
        Self::DOLLAR_SIGNED.contains(&&self.0) || Self::of_dollar("R") == Some(self)
    }

    /// The currency a symbol stands for in practice-management exports. A "$" is the
    /// export's own currency when that is written with one (an Australian firm's "$" is
    /// AUD), and USD otherwise.
    fn from_symbol(c: char, default: Currency) -> Option<Currency> {
        match c {
            '$' if Self::DOLLAR_SIGNED.contains(&&default.0) => Some(default),
            '$' => Some(Currency(*b"USD")),
            '€' => Some(Currency(*b"EUR")),
            '£' => Some(Currency(*b"GBP")),
            '¥' => Some(Currency(*b"JPY")),
            '₹' => Some(Currency(*b"INR")),
            _ => None,
        }
    }
}

impl FromStr for Currency {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.trim().as_bytes();
        if b.len() == 3 && b.iter().all(|c| c.is_ascii_alphabetic()) {
            Ok(Currency([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
                b[2].to_ascii_uppercase(),
            ]))
        } else {
            Err(format!("\"{s}\" is not a three-letter currency code"))
        }
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Money { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money {
            amount: Decimal::ZERO,
            currency,
        }
    }

    /// Parses what exports carry: "1,234.56", "$1,234.56", "(12.00)", "12.00-", "-$5",
    /// "USD 10", "10 EUR", "1.234,56 €". The default currency applies when none is written;
    /// `sep` is the column's decimal separator (`None`: unknown, so "1,234" is refused).
    pub fn parse(
        raw: &str,
        default: Currency,
        sep: Option<DecimalSeparator>,
    ) -> Result<Money, MoneyError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let mut negative = false;
        let mut body = s;
        if body.starts_with('(') && body.ends_with(')') {
            negative = true;
            body = body[1..body.len() - 1].trim();
        }
        let mut currency: Option<Currency> = None;
        let mut digits = String::with_capacity(body.len());
        let mut letters = String::new();
        // A "$" is whose dollar its letters say ("NZ$"), so it is read once they are known.
        let mut dollar = false;
        for c in body.chars() {
            match c {
                '0'..='9' | '.' | ',' => digits.push(c),
                '-' | '−' => {
                    if negative {
                        return Err(MoneyError::Invalid(raw.to_string()));
                    }
                    negative = true;
                }
                '+' => {}
                ' ' | '\u{a0}' | '\'' | '_' => {}
                c if c.is_ascii_alphabetic() => letters.push(c),
                '$' => dollar = true,
                c => match Currency::from_symbol(c, default) {
                    Some(cur) => set_currency(&mut currency, cur, raw)?,
                    None => return Err(MoneyError::Invalid(raw.to_string())),
                },
            }
        }
        let invalid = || MoneyError::Invalid(raw.to_string());
        match (dollar, letters.is_empty()) {
            (true, true) => {
                let cur = Currency::from_symbol('$', default).ok_or_else(invalid)?;
                set_currency(&mut currency, cur, raw)?;
            }
            (true, false) => {
                // "A$", "US$ 5", or a code beside a "$" ("$5 CAD"): a code must be a dollar's.
                let cur = match Currency::of_dollar(&letters) {
                    Some(c) => c,
                    None => letters
                        .parse::<Currency>()
                        .ok()
                        .filter(|c| c.is_dollar())
                        .ok_or_else(invalid)?,
                };
                set_currency(&mut currency, cur, raw)?;
            }
            (false, false) => {
                let cur: Currency = letters.parse().map_err(|_| invalid())?;
                set_currency(&mut currency, cur, raw)?;
            }
            (false, true) => {}
        }
        let normalised = number::normalise(&digits, sep).map_err(|e| match e {
            SeparatorError::Ambiguous => MoneyError::AmbiguousSeparator(raw.to_string()),
            SeparatorError::Invalid => MoneyError::Invalid(raw.to_string()),
        })?;
        let mut amount = Decimal::from_str(&normalised).map_err(|_| {
            if normalised.trim_start_matches('0').len() > 20 {
                MoneyError::OutOfRange(raw.to_string())
            } else {
                MoneyError::Invalid(raw.to_string())
            }
        })?;
        if amount.abs() > max_abs_amount() {
            return Err(MoneyError::OutOfRange(raw.to_string()));
        }
        if amount.scale() > 4 {
            return Err(MoneyError::TooPrecise(raw.to_string()));
        }
        if negative {
            amount = -amount;
        }
        Ok(Money {
            amount,
            currency: currency.unwrap_or(default),
        })
    }
}

fn set_currency(slot: &mut Option<Currency>, cur: Currency, raw: &str) -> Result<(), MoneyError> {
    match slot {
        Some(existing) if *existing != cur => Err(MoneyError::Invalid(raw.to_string())),
        _ => {
            *slot = Some(cur);
            Ok(())
        }
    }
}

/// The largest amount accepted: one trillion.
pub fn max_abs_amount() -> Decimal {
    Decimal::from(1_000_000_000_000i64)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("empty amount")]
    Empty,
    #[error("\"{0}\" is not an amount")]
    Invalid(String),
    #[error("amount \"{0}\" is out of range (more than one trillion)")]
    OutOfRange(String),
    #[error("amount \"{0}\" has more than 4 decimal places")]
    TooPrecise(String),
    #[error("amount \"{0}\" is ambiguous: it reads as a thousands group or as three decimals, and the column's decimal separator is unknown; set it in the mapping (decimal)")]
    AmbiguousSeparator(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        pub fn dec(s: &str) -> rust_decimal::Decimal {
            s.parse().expect("test literal")
        }
    }

    fn p(s: &str) -> Result<Money, MoneyError> {
        Money::parse(s, Currency::USD, None)
    }

    #[test]
    fn parses_export_formats() {
        assert_eq!(p("1,234.56").unwrap().amount, dec("1234.56"));
        assert_eq!(p("$1,234.56").unwrap().amount, dec("1234.56"));
        assert_eq!(p("(12.00)").unwrap().amount, dec("-12.00"));
        assert_eq!(p("12.00-").unwrap().amount, dec("-12.00"));
        assert_eq!(p("-$5").unwrap().amount, dec("-5"));
        assert_eq!(
            p("1.234,56 €").unwrap(),
            Money::new(dec("1234.56"), "EUR".parse().unwrap())
        );
        assert_eq!(p("EUR 10").unwrap().currency.as_str(), "EUR");
        assert_eq!(p("1,5").unwrap().amount, dec("1.5"));
        assert_eq!(
            Money::parse("1,234", Currency::USD, Some(DecimalSeparator::Point))
                .unwrap()
                .amount,
            dec("1234")
        );
        assert_eq!(
            Money::parse("1,5", Currency::USD, Some(DecimalSeparator::Point)),
            Err(MoneyError::Invalid("1,5".into()))
        );
        assert!(matches!(p("1,234"), Err(MoneyError::AmbiguousSeparator(_))));
        assert_eq!(
            p("0.1").unwrap().amount + p("0.2").unwrap().amount,
            dec("0.3")
        );
    }

    #[test]
    fn refuses_dirt() {
        assert!(matches!(p(""), Err(MoneyError::Empty)));
        assert!(matches!(p("abc"), Err(MoneyError::Invalid(_))));
        assert!(matches!(p("12..5"), Err(MoneyError::Invalid(_))));
        assert!(matches!(
            p("99999999999999999999999999999999"),
            Err(MoneyError::OutOfRange(_))
        ));
        assert!(matches!(p("2000000000000"), Err(MoneyError::OutOfRange(_))));
        assert!(matches!(p("1.23456"), Err(MoneyError::TooPrecise(_))));
        assert!(matches!(p("$5 €"), Err(MoneyError::Invalid(_))));
        assert!(matches!(p("--5"), Err(MoneyError::Invalid(_))));
        assert!(matches!(p("1.2.3"), Err(MoneyError::Invalid(_))));
    }

    #[test]
    fn a_bare_dollar_is_the_exports_dollar() {
        let aud: Currency = "AUD".parse().expect("AUD");
        let gbp: Currency = "GBP".parse().expect("GBP");
        assert_eq!(Money::parse("$12.50", aud, None).unwrap().currency, aud);
        assert_eq!(Money::parse("£12.50", aud, None).unwrap().currency, gbp);
        assert_eq!(
            Money::parse("$12.50", gbp, None).unwrap().currency,
            Currency::USD
        );
    }

    /// A dollar sign with its letters names its currency whatever the job's currency is.
    #[test]
    fn prefixed_dollars_name_their_currency() {
        let gbp: Currency = "GBP".parse().expect("GBP");
        for (raw, code) in [
            ("A$12.00", "AUD"),
            ("A$ 12.00", "AUD"),
            ("NZ$12.00", "NZD"),
            ("NZ$ 12.00", "NZD"),
            ("C$12.00", "CAD"),
            ("US$12.00", "USD"),
            ("US$ 12.00", "USD"),
            ("HK$12.00", "HKD"),
            ("S$12.00", "SGD"),
            ("-A$12.00", "AUD"),
            ("(A$12.00)", "AUD"),
            ("$12.00 CAD", "CAD"),
        ] {
            for default in [Currency::USD, gbp] {
                let m = Money::parse(raw, default, None).expect(raw);
                assert_eq!(m.currency.as_str(), code, "{raw}");
                assert_eq!(m.amount.abs(), dec("12.00"), "{raw}");
            }
        }
        // Letters that are no dollar's, or a code that is not written with "$", stay dirt.
        for raw in ["X$12.00", "$12.00 EUR", "A$12 NZ$", "Q$5"] {
            assert!(
                matches!(p(raw), Err(MoneyError::Invalid(_))),
                "{raw}: {:?}",
                p(raw)
            );
        }
    }

    #[test]
    fn amounts_read_with_the_currency_minor_digits() {
        let usd = Currency::USD;
        assert_eq!(usd.in_minor_digits(dec("0")).to_string(), "0.00");
        assert_eq!(usd.in_minor_digits(dec("12.5")).to_string(), "12.50");
        assert_eq!(usd.in_minor_digits(dec("1.2345")).to_string(), "1.2345");
        let yen: Currency = "jpy".parse().expect("JPY");
        assert_eq!(yen.in_minor_digits(dec("1500")).to_string(), "1500");
        let dinar: Currency = "KWD".parse().expect("KWD");
        assert_eq!(dinar.in_minor_digits(dec("0")).to_string(), "0.000");
    }
}
