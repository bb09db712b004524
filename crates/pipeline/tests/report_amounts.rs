//! Amounts in the report read alike: a zero balance is "0.00" beside "12.50", in the JSON and
//! in every line built from it.

use migrationai_pipeline::report::{InvoiceMismatch, Report};
use rust_decimal::Decimal;

#[test]
fn zero_balances_read_with_cents() {
    let dec = |s: &str| s.parse::<Decimal>().expect("decimal");
    let mut r = Report {
        currency: "USD".into(),
        ..Report::default()
    };
    r.trust_by_project.insert("M1".into(), Decimal::ZERO);
    r.trust_by_project.insert("M2".into(), dec("12.5"));
    r.invoice_mismatches.push(InvoiceMismatch {
        invoice_id: "B1".into(),
        source_balance_due: dec("10.00"),
        computed_balance: Decimal::ZERO,
    });
    r.amounts_in_minor_digits();
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["trust_by_project"]["M1"], "0.00");
    assert_eq!(json["trust_by_project"]["M2"], "12.50");
    let problems = r.problems();
    assert!(
        problems[0].ends_with("total minus payments is 0.00"),
        "{problems:?}"
    );
}
