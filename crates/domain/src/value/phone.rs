//! Phone numbers, normalised to E.164 when the country is known.

use phonenumber::country::Id as CountryId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    /// E.164 ("+12125551234") when the number parses for its country; otherwise None.
    pub e164: Option<String>,
    /// As written in the source, for numbers whose country is unknown.
    pub raw: String,
    pub extension: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("\"{0}\" is not a phone number")]
    Invalid(String),
}

impl Phone {
    /// `country` is an ISO 3166 alpha-2 code ("US"), the default for numbers written without "+".
    pub fn parse(raw: &str, country: Option<&str>) -> Result<Phone, PhoneError> {
        let s = raw.trim();
        let invalid = || PhoneError::Invalid(raw.to_string());
        let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
        let allowed = s.chars().all(|c| {
            c.is_ascii_digit() || " +-().\u{a0}/".contains(c) || c.is_ascii_alphabetic() || c == '#'
        });
        if !(5..=20).contains(&digits) || !allowed {
            return Err(invalid());
        }
        let country_id: Option<CountryId> =
            country.and_then(|c| c.trim().to_ascii_uppercase().parse().ok());
        if !s.starts_with('+') && !s.starts_with("00") && country_id.is_none() {
            return Ok(Phone {
                e164: None,
                raw: s.to_string(),
                extension: None,
            });
        }
        let number = phonenumber::parse(country_id, s).map_err(|_| invalid())?;
        if !phonenumber::is_valid(&number) {
            return Err(invalid());
        }
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        let extension = number.extension().map(|e| e.to_string());
        Ok(Phone {
            e164: Some(e164),
            raw: s.to_string(),
            extension,
        })
    }

    /// The key duplicates are matched on: E.164, or the bare digits.
    pub fn match_key(&self) -> String {
        match &self.e164 {
            Some(e) => e.clone(),
            None => self.raw.chars().filter(|c| c.is_ascii_digit()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_agree() {
        let forms = [
            "(212) 555-0143",
            "212.555.0143",
            "+1 212 555 0143",
            "212-555-0143",
            "1-212-555-0143",
        ];
        for f in forms {
            let p = Phone::parse(f, Some("US")).expect(f);
            assert_eq!(p.e164.as_deref(), Some("+12125550143"), "{f}");
        }
        let ext = Phone::parse("212-555-0143 ext. 12", Some("US")).expect("ext");
        assert_eq!(ext.extension.as_deref(), Some("12"));
        let uk = Phone::parse("+44 20 7946 0958", Some("US")).expect("uk");
        assert_eq!(uk.e164.as_deref(), Some("+442079460958"));
    }

    #[test]
    fn refuses_non_numbers() {
        for bad in [
            "",
            "n/a",
            "123",
            "555-CALL-NOW-PLEASE-12345678901234",
            "212;555;0143",
            "(000) 000-0000",
        ] {
            assert!(Phone::parse(bad, Some("US")).is_err(), "{bad}");
        }
        let unknown = Phone::parse("0301 2345678", None).expect("kept as written");
        assert_eq!(unknown.e164, None);
        assert_eq!(unknown.match_key(), "03012345678");
    }
}
