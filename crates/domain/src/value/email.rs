//! Email addresses: trimmed, domain lower-cased, checked for the shape mail systems accept.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("\"{0}\" is not an email address")]
    Invalid(String),
    #[error("\"{0}\" holds more than one email address")]
    Several(String),
}

impl Email {
    pub fn parse(raw: &str) -> Result<Email, EmailError> {
        let mut s = raw.trim();
        // "Jane Doe <jane@x.com>" is how mail clients export an address.
        if let (Some(open), true) = (s.rfind('<'), s.ends_with('>')) {
            s = &s[open + 1..s.len() - 1];
        }
        let s = s.trim().trim_start_matches("mailto:");
        if s.matches('@').count() > 1 && (s.contains(';') || s.contains(',') || s.contains(' ')) {
            return Err(EmailError::Several(raw.to_string()));
        }
        let invalid = || EmailError::Invalid(raw.to_string());
        let (local, domain) = s.split_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && domain.len() <= 253
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
        if !local_ok || !domain_ok {
            return Err(invalid());
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key duplicates are matched on: the whole address lower-cased.
    pub fn match_key(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_normalises() {
        assert_eq!(
            Email::parse(" Jane.Doe@Example.COM ").map(|e| e.0),
            Ok("Jane.Doe@example.com".into())
        );
        assert_eq!(
            Email::parse("Jane <jane@x.org>").map(|e| e.0),
            Ok("jane@x.org".into())
        );
        assert_eq!(
            Email::parse("mailto:a+b@x.co.uk").map(|e| e.0),
            Ok("a+b@x.co.uk".into())
        );
    }

    #[test]
    fn refuses() {
        for bad in [
            "",
            "jane",
            "jane@",
            "@x.com",
            "jane@x",
            "jane@@x.com",
            "ja ne@x.com",
            "jane@x..com",
            "jane@-x.com",
            "a@1.2",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Email::parse("a@x.com; b@y.com"),
            Err(EmailError::Several("a@x.com; b@y.com".into()))
        );
    }
}
