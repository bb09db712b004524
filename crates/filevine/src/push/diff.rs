//! What differs between the properties a push would send and a record Filevine holds, by
//! meaning rather than by text: numbers as decimals, dates and instants as points in time,
//! objects by the properties the push sets.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use std::str::FromStr;

/// The properties of `desired` (except `skip`) whose value `remote` does not already hold.
pub fn changed(
    desired: &Map<String, Value>,
    remote: &Map<String, Value>,
    skip: &[&str],
) -> Map<String, Value> {
    desired
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .filter(|(k, v)| !same(v, remote.get(k.as_str()).unwrap_or(&Value::Null)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn number(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => {
            let t = n.to_string();
            Decimal::from_str(&t)
                .or_else(|_| Decimal::from_scientific(&t))
                .ok()
        }
        Value::String(s) => Decimal::from_str(s.trim()).ok(),
        _ => None,
    }
}

fn instant(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(|d| d.and_time(NaiveTime::MIN).and_utc());
    }
    None
}

pub fn same(desired: &Value, remote: &Value) -> bool {
    match (desired, remote) {
        (Value::Null, _) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Number(_), _) => match (number(desired), number(remote)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        },
        (Value::String(a), Value::String(b)) => {
            a == b
                || a.trim() == b.trim()
                || matches!((instant(a), instant(b)), (Some(x), Some(y)) if x == y)
        }
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .all(|(k, v)| same(v, b.get(k).unwrap_or(&Value::Null))),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn differences_are_of_meaning_not_text() {
        let desired = json!({
            "Amount": 10.5,
            "Date": "2024-03-01",
            "StartUtc": "2024-03-01T14:00:00Z",
            "Title": "Hearing",
            "Phones": [{ "Number": "+12125550143" }],
            "Id": { "Partner": "k" },
        });
        let remote = json!({
            "Amount": 10.50,
            "Date": "2024-03-01T00:00:00Z",
            "StartUtc": "2024-03-01T09:00:00-05:00",
            "Title": "Trial",
            "Phones": [{ "Number": "+12125550143", "Label": "Work" }],
        });
        let d = changed(
            desired.as_object().expect("object"),
            remote.as_object().expect("object"),
            &["Id"],
        );
        assert_eq!(d.keys().collect::<Vec<_>>(), vec!["Title"]);
        assert!(!same(&json!("2024-03-01"), &json!("2024-03-01T10:00:00Z")));
        assert!(!same(&json!(1), &Value::Null));
    }
}
