//! General facts about countries that an export's values can be checked against: their
//! region codes, the shapes of their postcodes, the web domains and currency signs that name
//! them, and where dates are written month first. Tables of facts only; nothing here knows an
//! export.

use migrationai_domain::value::Phone;

/// Region (state, province, territory) codes as addresses write them.
const REGION_CODES: &[(&str, &[&str])] = &[
    (
        "US",
        &[
            "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL",
            "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE",
            "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD",
            "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
        ],
    ),
    (
        "CA",
        &[
            "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
        ],
    ),
    ("AU", &["ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"]),
    (
        "IN",
        &[
            "AP", "AR", "AS", "BR", "CG", "GA", "GJ", "HR", "HP", "JH", "KA", "KL", "MP", "MH",
            "MN", "ML", "MZ", "NL", "OD", "PB", "RJ", "SK", "TN", "TS", "TR", "UP", "UK", "WB",
            "DL",
        ],
    ),
    (
        "MX",
        &[
            "AGS", "BC", "BCS", "CAMP", "CHIS", "CHIH", "CDMX", "COAH", "COL", "DGO", "GTO", "GRO",
            "HGO", "JAL", "MEX", "MICH", "MOR", "NAY", "NL", "OAX", "PUE", "QRO", "QROO", "SLP",
            "SIN", "SON", "TAB", "TAMPS", "TLAX", "VER", "YUC", "ZAC",
        ],
    ),
];

/// Postcode shapes: `9` a digit, `A` a letter, anything else itself; spaces are ignored.
const POSTCODE_SHAPES: &[(&str, &[&str])] = &[
    ("US", &["99999", "99999-9999"]),
    ("CA", &["A9A9A9"]),
    (
        "GB",
        &["A99AA", "A999AA", "AA99AA", "AA999AA", "A9A9AA", "AA9A9AA"],
    ),
    (
        "IE",
        &[
            "A99A9A9", "A99AAAA", "A999A9A", "A99A99A", "A999AAA", "A9999A9",
        ],
    ),
    ("AU", &["9999"]),
    ("NZ", &["9999"]),
    ("ZA", &["9999"]),
    ("AT", &["9999"]),
    ("BE", &["9999"]),
    ("CH", &["9999"]),
    ("DK", &["9999"]),
    ("NO", &["9999"]),
    ("PH", &["9999"]),
    ("NL", &["9999AA"]),
    ("DE", &["99999"]),
    ("FR", &["99999"]),
    ("IT", &["99999"]),
    ("ES", &["99999"]),
    ("FI", &["99999"]),
    ("MX", &["99999"]),
    ("MY", &["99999"]),
    ("SE", &["99999"]),
    ("PT", &["9999-999"]),
    ("PL", &["99-999"]),
    ("BR", &["99999-999", "99999999"]),
    ("JP", &["999-9999"]),
    ("IN", &["999999"]),
    ("SG", &["999999"]),
    ("CN", &["999999"]),
];

/// Country-code top-level domains sold for other uses (".io", ".co", ".tv"): they name no
/// country.
const GENERIC_DOMAINS: &[&str] = &[
    "ac", "ad", "ag", "ai", "am", "as", "bz", "cc", "cd", "co", "fm", "gg", "im", "io", "la", "ly",
    "md", "me", "ms", "nu", "sh", "so", "st", "tk", "to", "tv", "vc", "ws",
];

/// Top-level domains that differ from the ISO code of their country.
const DOMAIN_EXCEPTIONS: &[(&str, &str)] = &[("uk", "GB")];

/// Countries that write dates month first (the rest of the world writes the day first or
/// the year first; Canada writes both).
const MONTH_FIRST: &[&str] = &["US", "PH", "FM", "PW", "MH", "GU", "AS", "MP", "PR", "VI"];
const EITHER_ORDER: &[&str] = &["CA"];

/// Whether a region code ("VIC", "ny") is one of `country`'s.
pub fn is_region_of(value: &str, country: &str) -> bool {
    let v = value.trim().to_ascii_uppercase();
    REGION_CODES
        .iter()
        .any(|(c, codes)| *c == country && codes.contains(&v.as_str()))
}

/// The countries that have a region with this code.
pub fn countries_with_region(value: &str) -> Vec<&'static str> {
    let v = value.trim().to_ascii_uppercase();
    REGION_CODES
        .iter()
        .filter(|(_, codes)| codes.contains(&v.as_str()))
        .map(|(c, _)| *c)
        .collect()
}

/// Whether a postcode has one of `country`'s shapes.
pub fn postcode_fits(value: &str, country: &str) -> bool {
    let v: Vec<char> = value
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    POSTCODE_SHAPES
        .iter()
        .filter(|(c, _)| *c == country)
        .flat_map(|(_, shapes)| shapes.iter())
        .any(|shape| {
            let s: Vec<char> = shape.chars().collect();
            s.len() == v.len()
                && s.iter().zip(&v).all(|(p, c)| match p {
                    '9' => c.is_ascii_digit(),
                    'A' => c.is_ascii_alphabetic(),
                    other => other == c,
                })
        })
}

/// The country an email address's or web address's domain names (".com.au" → AU), if any.
pub fn country_of_domain(address: &str) -> Option<&'static str> {
    let host = address.trim().rsplit('@').next()?;
    let host = host.split(['/', '?', '#', ':']).find(|p| p.contains('.'))?;
    let tld = host.rsplit('.').next()?.to_ascii_lowercase();
    if tld.len() != 2 || GENERIC_DOMAINS.contains(&tld.as_str()) {
        return None;
    }
    if let Some((_, c)) = DOMAIN_EXCEPTIONS.iter().find(|(d, _)| *d == tld) {
        return Some(c);
    }
    region_id(&tld.to_ascii_uppercase())
}

/// The country a money value's currency names: its code ("AUD", "120 NZD"), a sign of one
/// currency ("£"), or a dollar with its letters ("A$"), as [`crate::currency::named_by`]
/// reads them. A bare "$" or "€" names none.
pub fn country_of_money(value: &str) -> Option<&'static str> {
    let code = crate::currency::named_by(value)?;
    // An ISO 4217 code begins with its country's code, but for supranational ones (X…, EUR).
    if code.starts_with('X') || code == "EUR" {
        return None;
    }
    region_id(&code[..2])
}

/// Whether `country` writes dates in this order: month first (`true`) or day first.
pub fn writes_dates(country: &str, month_first: bool) -> bool {
    EITHER_ORDER.contains(&country) || MONTH_FIRST.contains(&country) == month_first
}

/// The region id as the phone metadata spells it (a `'static` str), if it is a region.
fn region_id(code: &str) -> Option<&'static str> {
    Phone::region_id(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_read_as_expected() {
        assert!(is_region_of("vic", "AU"));
        assert!(!is_region_of("VIC", "US"));
        assert_eq!(countries_with_region("WA"), vec!["US", "AU"]);
        assert!(postcode_fits("3000", "AU"));
        assert!(!postcode_fits("3000", "US"));
        assert!(postcode_fits("SW1A 1AA", "GB"));
        assert!(postcode_fits("k1a 0b1", "CA"));
        assert!(postcode_fits("10001-1234", "US"));
        assert_eq!(country_of_domain("ava@example.com.au"), Some("AU"));
        assert_eq!(country_of_domain("https://firm.co.uk/about"), Some("GB"));
        assert_eq!(country_of_domain("ava@example.com"), None);
        assert_eq!(country_of_domain("ava@startup.io"), None);
        assert_eq!(country_of_money("A$1,200.00"), Some("AU"));
        assert_eq!(country_of_money("£12.50"), Some("GB"));
        assert_eq!(country_of_money("120.00 NZD"), Some("NZ"));
        assert_eq!(country_of_money("$1,200.00"), None);
        assert_eq!(country_of_money("€12,50"), None);
        assert!(writes_dates("US", true) && !writes_dates("US", false));
        assert!(writes_dates("AU", false) && !writes_dates("AU", true));
    }
}
