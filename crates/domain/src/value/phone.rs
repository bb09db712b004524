//! Phone numbers, normalised to E.164 when the country is known.

use phonenumber::country::Id as CountryId;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;

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
        if !plausible(s) {
            return Err(invalid());
        }
        let country_id: Option<CountryId> =
            country.and_then(|c| c.trim().to_ascii_uppercase().parse().ok());
        if let Some(id) = country_id {
            crate::value::phone_patterns::prepare(id.as_ref());
        }
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

    /// The region a number written with its country code ("+61 …", "0061 …") belongs to.
    pub fn region_of_international(raw: &str) -> Option<&'static str> {
        let s = raw.trim();
        if !s.starts_with('+') && !s.starts_with("00") {
            return None;
        }
        let number = phonenumber::parse(None, s).ok()?;
        if !phonenumber::is_valid(&number) {
            return None;
        }
        number
            .metadata(&phonenumber::metadata::DATABASE)
            .map(|m| m.id())
    }

    /// The regions (ISO 3166 alpha-2) in which `raw`, written without a country code, is a
    /// valid number. The same digits are a number in one country and not in another, or a
    /// different subscriber, so an export's country is read from which regions its numbers fit.
    pub fn regions_valid_for(raw: &str) -> Vec<&'static str> {
        let s = raw.trim();
        if s.starts_with('+') || s.starts_with("00") || !plausible(s) {
            return Vec::new();
        }
        // Trying a number in every region is costly (the first try of a region compiles its
        // patterns, see `phone_patterns`), and an export's profiling asks about the same
        // values more than once, so answers are kept.
        static SEEN: std::sync::OnceLock<Mutex<HashMap<String, Vec<&'static str>>>> =
            std::sync::OnceLock::new();
        let seen = SEEN.get_or_init(Default::default);
        if let Some(found) = seen.lock().ok().and_then(|m| m.get(s).cloned()) {
            return found;
        }
        let digits: String = s
            .chars()
            .take_while(|c| !c.is_ascii_alphabetic() && *c != '#')
            .filter(char::is_ascii_digit)
            .collect();
        let found: Vec<&'static str> = phonenumber::metadata::DATABASE
            .iter()
            // A region whose numbers are never this long (with or without its trunk prefix)
            // is passed over unparsed.
            .filter(|meta| could_be_long_enough(meta, &digits))
            .filter_map(|meta| {
                let id: CountryId = meta.id().parse().ok()?;
                crate::value::phone_patterns::prepare(meta.id());
                let number = phonenumber::parse(Some(id), s).ok()?;
                phonenumber::is_valid(&number).then_some(meta.id())
            })
            .collect();
        if let Ok(mut m) = seen.lock() {
            if m.len() >= REMEMBERED {
                m.clear();
            }
            m.insert(s.to_string(), found.clone());
        }
        found
    }

    /// How `raw`, written without a country code, fits `region`: None when it is no valid
    /// number there; otherwise whether it is grouped as the region writes its numbers
    /// nationally ("0412 345 678" in Australia, "(02) 9876 5432" for a Sydney line). People
    /// write numbers the way their country does, so the grouping tells apart regions in which
    /// the digits are equally valid.
    pub fn fit(raw: &str, region: &str) -> Option<bool> {
        let s = raw.trim();
        let id: CountryId = region.parse().ok()?;
        if !plausible(s) {
            return None;
        }
        crate::value::phone_patterns::prepare(id.as_ref());
        let number = phonenumber::parse(Some(id), s).ok()?;
        if !phonenumber::is_valid(&number) {
            return None;
        }
        let national = number
            .format()
            .mode(phonenumber::Mode::National)
            .to_string();
        let groups = |s: &str| -> Vec<usize> {
            s.split(|c: char| !c.is_ascii_digit())
                .filter(|g| !g.is_empty())
                .map(str::len)
                .collect()
        };
        Some(groups(raw) == groups(&national))
    }

    /// The international calling code of a region, and whether it is the code's main region
    /// (numbers of regions sharing a code, such as +61, have the same E.164 form).
    pub fn calling_code(region: &str) -> Option<(u16, bool)> {
        phonenumber::metadata::DATABASE
            .iter()
            .find(|m| m.id() == region)
            .map(|m| (m.country_code(), m.is_main_country_for_code()))
    }

    /// The region id ("AU") as the phone metadata spells it, when `code` names a region.
    pub fn region_id(code: &str) -> Option<&'static str> {
        phonenumber::metadata::DATABASE
            .iter()
            .map(|m| m.id())
            .find(|id| id.eq_ignore_ascii_case(code))
    }

    /// The key duplicates are matched on: E.164, or the bare digits.
    pub fn match_key(&self) -> String {
        match &self.e164 {
            Some(e) => e.clone(),
            None => self.raw.chars().filter(|c| c.is_ascii_digit()).collect(),
        }
    }
}

/// Values whose regions [`Phone::regions_valid_for`] keeps, at most (then it starts afresh).
const REMEMBERED: usize = 4096;

/// Whether `digits`, a number written without its country code, has a length the region's
/// numbers can have, as written or without the region's trunk prefix ("0" of "07123 456789").
fn could_be_long_enough(meta: &phonenumber::Metadata, digits: &str) -> bool {
    let lengths = meta.descriptors().general().possible_length();
    if lengths.is_empty() {
        return true;
    }
    let fits = |n: usize| u16::try_from(n).is_ok_and(|n| lengths.contains(&n));
    let without_prefix = meta
        .national_prefix()
        .filter(|p| digits.starts_with(*p))
        .map(|p| digits.len() - p.len());
    fits(digits.len()) || without_prefix.is_some_and(fits)
}

/// Digits, separators and an extension's letters only, with 5 to 20 digits: what any
/// country's number can look like as written.
fn plausible(s: &str) -> bool {
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    let allowed = s.chars().all(|c| {
        c.is_ascii_digit() || " +-().\u{a0}/".contains(c) || c.is_ascii_alphabetic() || c == '#'
    });
    (5..=20).contains(&digits) && allowed
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

    #[test]
    fn regions_of_a_national_number() {
        let au = Phone::regions_valid_for("0412 345 678");
        assert!(au.contains(&"AU"), "{au:?}");
        assert!(!au.contains(&"US"), "{au:?}");
        let us = Phone::regions_valid_for("(212) 555-0143");
        assert!(us.contains(&"US") && us.contains(&"CA"), "{us:?}");
        assert_eq!(
            Phone::region_of_international("+61 412 345 678"),
            Some("AU")
        );
        assert_eq!(Phone::region_of_international("0412 345 678"), None);
        assert!(Phone::regions_valid_for("+61 412 345 678").is_empty());
        assert_eq!(Phone::fit("0412 345 678", "AU"), Some(true));
        assert_eq!(Phone::fit("(02) 9876 5432", "AU"), Some(true));
        assert_ne!(Phone::fit("0412 345 678", "DE"), Some(true));
        assert_eq!(Phone::calling_code("AU"), Some((61, true)));
        assert_eq!(Phone::calling_code("CX"), Some((61, false)));
    }
}
