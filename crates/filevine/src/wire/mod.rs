//! Filevine's wire types for the operations used, named and shaped as the specification's
//! definitions (PascalCase properties). Requests carry only what is set; responses are read
//! leniently (every property optional) so an answer with more or fewer properties still
//! decodes, and what a push needs from it is checked where it is used.

pub mod billing;
pub mod calendar;
pub mod contact;
pub mod document;
pub mod feed;
pub mod identity;
pub mod project;
pub mod section;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `Identifier`: how Filevine knows a record (`Native`) and how an integration knows it
/// (`Partner`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Identifier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
}

impl Identifier {
    pub fn native(id: i64) -> Identifier {
        Identifier {
            native: Some(id),
            partner: None,
        }
    }

    pub fn partner(key: &str) -> Identifier {
        Identifier {
            native: None,
            partner: Some(key.to_string()),
        }
    }
}

/// `ItemIdentifier`: a collection item's id, a GUID.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemIdentifier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub native: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<String>,
}

/// `ItemList<T>`: one page of a list.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemList<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(default)]
    pub count: Option<i64>,
    #[serde(default)]
    pub offset: Option<i64>,
    #[serde(default)]
    pub limit: Option<i64>,
    #[serde(default)]
    pub has_more: Option<bool>,
    /// Cursor-paged lists (`DocumentSeries`) give the last id instead of an offset.
    #[serde(default, rename = "LastID")]
    pub last_id: Option<i64>,
    #[serde(default)]
    pub links: Option<BTreeMap<String, Value>>,
}

/// A JSON object in Filevine's shape, for properties whose set is defined by the org
/// (form and collection fields) and for diffing.
pub type Object = Map<String, Value>;

/// Decimal amounts are JSON numbers (`format: decimal`). They go out through the shortest
/// float text that reads back to the same value (exact for amounts of up to 15 significant
/// digits, which push checks before sending) and come back through their text, never
/// through float arithmetic.
pub mod decimal {
    use rust_decimal::prelude::ToPrimitive;
    use rust_decimal::Decimal;
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;
    use std::str::FromStr;

    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        match d.to_f64() {
            Some(f) => s.serialize_f64(f),
            None => Err(serde::ser::Error::custom(format!(
                "{d} does not fit a JSON number"
            ))),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }

    pub(crate) struct DecimalVisitor;

    impl Visitor<'_> for DecimalVisitor {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a decimal number")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            parse(&v.to_string())
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            parse(v)
        }
    }

    fn parse<E: de::Error>(text: &str) -> Result<Decimal, E> {
        Decimal::from_str(text)
            .or_else(|_| Decimal::from_scientific(text))
            .map(|d| d.normalize())
            .map_err(|_| E::custom(format!("\"{text}\" is not a decimal number")))
    }

    /// The same, for optional properties.
    pub mod option {
        use super::*;
        use serde::Deserialize;

        pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            #[derive(Deserialize)]
            struct Wrap(#[serde(deserialize_with = "super::deserialize")] Decimal);
            Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
        }
    }
}

/// Whether an amount goes through a JSON number unchanged.
pub fn exact_as_number(d: Decimal) -> bool {
    use rust_decimal::prelude::ToPrimitive;
    use std::str::FromStr;
    d.to_f64()
        .and_then(|f| Decimal::from_str(&f.to_string()).ok())
        .is_some_and(|back| back == d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Amount {
        #[serde(with = "decimal")]
        a: Decimal,
        #[serde(with = "decimal::option", default)]
        b: Option<Decimal>,
    }

    #[test]
    fn amounts_travel_as_exact_numbers() {
        let d = |s: &str| Decimal::from_str(s).expect("decimal");
        let json = serde_json::to_string(&Amount {
            a: d("1234.56"),
            b: Some(d("0.1")),
        })
        .expect("ser");
        assert_eq!(json, r#"{"a":1234.56,"b":0.1}"#);
        let back: Amount = serde_json::from_str(r#"{"a":999999999999.99,"b":null}"#).expect("de");
        assert_eq!(back.a, d("999999999999.99"));
        assert_eq!(back.b, None);
        let from_text: Amount = serde_json::from_str(r#"{"a":"12.50"}"#).expect("de");
        assert_eq!(from_text.a, d("12.5"));
        assert!(exact_as_number(d("999999999999.99")));
        assert!(!exact_as_number(d("12345678901234567.89")));
    }
}
