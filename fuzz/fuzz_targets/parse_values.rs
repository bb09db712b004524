//! Arbitrary text through every value parser and through row validation of every kind:
//! values or errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use migrationai_domain::record::{validate_row, RowContext};
use migrationai_domain::value::date::{self, DateOrder};
use migrationai_domain::value::number::{self, DecimalSeparator};
use migrationai_domain::value::{text, Currency, Email, Money, PersonName, Phone};
use migrationai_domain::CATALOGUE;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = number::evidence(s);
    for sep in [None, Some(DecimalSeparator::Point), Some(DecimalSeparator::Comma)] {
        let _ = Money::parse(s, Currency::USD, sep);
        let _ = text::parse_integer(s, sep);
        // Whatever a separator makes of a number, an unknown one never reads it differently.
        if let (Ok(unknown), Some(sep)) = (text::parse_decimal(s, None), sep) {
            if let Ok(known) = text::parse_decimal(s, Some(sep)) {
                assert_eq!(unknown, known, "{s:?} under {sep}");
            }
        }
    }
    for order in [None, Some(DateOrder::Mdy), Some(DateOrder::Dmy)] {
        let _ = date::parse_date(s, order);
        let _ = date::parse_datetime(s, order, chrono_tz::America::New_York);
    }
    let _ = date::parse_time(s);
    let _ = date::parse_zone(s);
    let _ = date::order_evidence(s);
    let _ = Email::parse(s);
    let _ = Phone::parse(s, Some("US"));
    let _ = Phone::parse(s, None);
    let _ = PersonName::from_full(s).match_key();
    let _ = text::check_text(s, 1024);
    let _ = text::parse_bool(s);
    // The same text in every field of every kind.
    let ctx = RowContext::default();
    for def in CATALOGUE {
        let values: Vec<(&'static str, &str)> = def.fields.iter().map(|f| (f.name, s)).collect();
        if let Ok(r) = validate_row(def, &values, &ctx) {
            assert_eq!(r.kind, def.kind);
            assert!(!r.source_id.is_empty());
        }
    }
});
