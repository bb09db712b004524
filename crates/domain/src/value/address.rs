//! Postal addresses.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2 when recognised, otherwise as written.
    pub country: Option<String>,
}

impl Address {
    pub fn is_empty(&self) -> bool {
        [
            &self.line1,
            &self.line2,
            &self.city,
            &self.region,
            &self.postal_code,
            &self.country,
        ]
        .iter()
        .all(|p| p.is_none())
    }
}

/// Maps the country names exports use to ISO 3166 alpha-2 codes.
pub fn country_code(raw: &str) -> Option<&'static str> {
    let s = raw.trim().to_ascii_lowercase().replace('.', "");
    Some(match s.as_str() {
        "us" | "usa" | "united states" | "united states of america" | "america" => "US",
        "ca" | "can" | "canada" => "CA",
        "gb" | "uk" | "united kingdom" | "great britain" | "england" => "GB",
        "ie" | "ireland" => "IE",
        "au" | "australia" => "AU",
        "nz" | "new zealand" => "NZ",
        "mx" | "mexico" => "MX",
        "de" | "germany" => "DE",
        "fr" | "france" => "FR",
        _ => return None,
    })
}

/// US ZIP codes lose their leading zero when a spreadsheet treats them as numbers.
pub fn normalise_postal_code(raw: &str, country: Option<&str>) -> String {
    let s = raw.trim();
    if matches!(country, Some("US") | None) && s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
    {
        return format!("0{s}");
    }
    s.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_and_zips() {
        assert_eq!(country_code("U.S.A."), Some("US"));
        assert_eq!(country_code("Atlantis"), None);
        assert_eq!(normalise_postal_code("2134", Some("US")), "02134");
        assert_eq!(normalise_postal_code("SW1A 1AA", Some("GB")), "SW1A 1AA");
    }
}
