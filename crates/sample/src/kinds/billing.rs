//! Money: activities (time and expenses), the trust ledger, bills and payments.

use super::matters::Matter;
use super::work::{at, during, missing_matter};
use super::{cents, close, day, dollars, emit, iso_date, plain, us_date};
use crate::error::SampleError;
use crate::faults::Faults;
use crate::ids;
use crate::people;
use crate::truth::{Intent, InvoiceMismatch, Simulator, TrustMismatch};
use crate::writer::{col, extra, FileSpec, Format, TableWriter, TextEncoding};
use crate::{Plan, Rng};
use migrationai_domain::Kind;
use rand::Rng as _;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

pub(crate) const ACTIVITIES: FileSpec = FileSpec {
    path: "Activities.csv",
    kind: Kind::BillingItems,
    format: Format::Csv {
        delimiter: b'\t',
        encoding: TextEncoding::Utf8,
        crlf: false,
    },
    columns: &[
        col("Activity ID", "item_id"),
        col("Matter", "project_id"),
        col("Activity Type", "item_type"),
        col("Activity Date", "date"),
        col("Hours", "quantity"),
        col("Price", "rate"),
        col("Total", "amount"),
        col("Activity Description", "description"),
        col("Invoiced", "billed"),
        col("No Charge", "non_billable"),
        col("User", "timekeeper"),
        col("Cost Category", "expense_category"),
        col("LEDES Code", "utbms_code"),
        extra("Import Batch"),
        extra("Legacy Flag"),
    ],
    us_dates: false,
};

pub(crate) const TRUST: FileSpec = FileSpec {
    path: "Trust Ledger.csv",
    kind: Kind::ProjectFunds,
    format: Format::Csv {
        delimiter: b',',
        encoding: TextEncoding::Utf8,
        crlf: false,
    },
    columns: &[
        col("Txn ID", "transaction_id"),
        col("Matter ID", "project_id"),
        col("Client ID", "contact_id"),
        col("Posting Date", "date"),
        col("Type", "transaction_type"),
        col("Money In", "deposit"),
        col("Money Out", "withdrawal"),
        col("Balance", "running_balance"),
        col("Memo", "description"),
        col("Check Number", "reference"),
        extra("Bank Account"),
        extra("Reconciled"),
    ],
    us_dates: false,
};

pub(crate) const BILLS: FileSpec = FileSpec {
    path: "Bills.csv",
    kind: Kind::BillingInvoice,
    format: Format::Csv {
        delimiter: b',',
        encoding: TextEncoding::Utf8,
        crlf: false,
    },
    columns: &[
        col("Bill ID", "invoice_id"),
        col("Invoice #", "invoice_number"),
        col("Matter", "project_id"),
        col("Bill To", "contact_id"),
        col("Issue Date", "issued_on"),
        col("Due Date", "due_on"),
        col("Bill Status", "status"),
        col("Sub Total", "subtotal"),
        col("Sales Tax", "tax"),
        col("Discounts", "discount"),
        col("Bill Total", "total"),
        col("Amount Paid", "paid_amount"),
        col("Amount Due", "balance_due"),
        col("Line Items", "billing_item_ids"),
        extra("Printed"),
        extra("Legacy Flag"),
    ],
    us_dates: true,
};

pub(crate) const PAYMENTS: FileSpec = FileSpec {
    path: "Payments.csv",
    kind: Kind::Payment,
    format: Format::Csv {
        delimiter: b';',
        encoding: TextEncoding::Utf8,
        crlf: false,
    },
    columns: &[
        col("Receipt ID", "payment_id"),
        col("Applied To", "invoice_id"),
        col("Matter", "project_id"),
        col("Paid By", "contact_id"),
        col("Payment Date", "paid_on"),
        col("Applied Amount", "amount"),
        col("Payment Method", "method"),
        col("Transaction Reference", "reference"),
        extra("Deposited To"),
        extra("Legacy Flag"),
    ],
    us_dates: true,
};

/// Loaded billing items per matter (a few each), for bills to list as line items.
pub(crate) type Billable = Vec<Vec<(String, Decimal)>>;

pub(crate) fn write_activities(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    matters: &[Matter],
) -> Result<Billable, SampleError> {
    let mut w = TableWriter::create(root, ACTIVITIES)?;
    let mut faults = Faults::new(plan.activities, 4);
    let mut billable: Billable = vec![Vec::new(); matters.len()];
    let mut last_loaded = String::new();
    for i in 0..plan.activities {
        if matters.is_empty() {
            break;
        }
        let mi = rng.gen_range(0..matters.len());
        let m = &matters[mi];
        let mut id = ids::id(Kind::BillingItems, i + 1);
        let mut project = m.id.clone();
        let (ty, qty, rate, category, code) = match rng.gen_range(0..20) {
            0..=14 => {
                let tenths = rng.gen_range(1..80i64);
                let rate = *people::pick(rng, &[&150i64, &225, &300, &350, &425, &550]);
                (
                    "TimeEntry",
                    Decimal::new(tenths, 1),
                    Decimal::from(rate),
                    "",
                    people::pick(rng, &["L110", "L120", "L210", "L250", "A101", "A103"]),
                )
            }
            15..=18 => (
                "ExpenseEntry",
                Decimal::ONE,
                cents(rng.gen_range(500..90_000)),
                people::pick(rng, &["Filing fees", "Courier", "Expert witness", "Copies"]),
                "E101",
            ),
            _ => (
                "Flat Fee",
                Decimal::ONE,
                Decimal::from(rng.gen_range(5..50) * 100),
                "",
                "",
            ),
        };
        let amount = (qty * rate).round_dp(2);
        let mut amount_text = dollars(amount);
        let mut rate_text = dollars(rate);
        let mut intent = Intent::Clean;
        match faults.at(i) {
            Some(0) => {
                amount_text = "12.3.4".into();
                intent = Intent::Fault("amount", "invalid_amount");
            }
            Some(1) => {
                amount_text = "abc".into();
                intent = Intent::Fault("amount", "invalid_amount");
            }
            Some(2) if !last_loaded.is_empty() => {
                id = last_loaded.clone();
                intent = Intent::Fault("item_id", "duplicate_id");
            }
            Some(3) => {
                rate_text = format!("-{rate_text}");
                intent = Intent::Fault("rate", "negative_amount");
            }
            _ => {}
        }
        let cells = vec![
            id.clone(),
            std::mem::take(&mut project),
            ty.into(),
            iso_date(during(rng, m)),
            qty.to_string(),
            rate_text,
            amount_text,
            people::text(rng),
            if rng.gen_bool(0.6) { "Yes" } else { "No" }.into(),
            if rng.gen_bool(0.05) { "Yes" } else { "No" }.into(),
            people::staff(rng).into(),
            category.into(),
            code.into(),
            format!("IMP-{}", i / 5_000 + 1),
            String::new(),
        ];
        if let Some(record) = emit(&mut w, sim, &cells, intent)? {
            last_loaded = record.source_id.clone();
            if billable[mi].len() < 3 {
                if let Some(a) = record.money("amount") {
                    billable[mi].push((record.source_id, a.amount));
                }
            }
        }
    }
    close(w, sim)?;
    Ok(billable)
}

pub(crate) struct TrustTruth {
    pub by_project: BTreeMap<String, Decimal>,
    pub by_client: BTreeMap<String, Decimal>,
    pub mismatches: Vec<TrustMismatch>,
}

pub(crate) fn write_trust(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    matters: &[Matter],
) -> Result<TrustTruth, SampleError> {
    let mut w = TableWriter::create(root, TRUST)?;
    let mut faults = Faults::new(plan.trust, 3);
    let mut by_project: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut by_client: BTreeMap<String, Decimal> = BTreeMap::new();
    // Each matter's ledger runs in file order (its rows are written together, dates rising):
    // the first loaded row whose stated balance is not the sum of the loaded amounts so far
    // is where the report must say it breaks.
    let mut mismatches: Vec<TrustMismatch> = Vec::new();
    // Every other matter has a trust ledger; the rows are shared out evenly among them.
    let ledgers: Vec<&Matter> = matters.iter().step_by(2).collect();
    let mut i = 0usize;
    for (k, m) in ledgers.iter().enumerate() {
        let rows = (k + 1) * plan.trust / ledgers.len() - k * plan.trust / ledgers.len();
        // A few ledgers carry a data-entry error in their running balance.
        let drift = if k % 45 == 7 && rows > 1 {
            cents(9_000)
        } else {
            Decimal::ZERO
        };
        let mut balance = Decimal::ZERO;
        let mut loaded_sum = Decimal::ZERO;
        let mut broken = false;
        let mut date = m.opened;
        for r in 0..rows {
            date = day(date, rng.gen_range(1..60));
            let (ty, amount) = if r == 0 || balance < cents(50_000) || rng.gen_bool(0.25) {
                ("Deposit", cents(rng.gen_range(10..250) * 10_000))
            } else if r + 1 == rows && rng.gen_bool(0.3) {
                ("Refund", -balance)
            } else {
                let share = Decimal::new(rng.gen_range(10..60), 2);
                (
                    people::pick(rng, &["Disbursement", "Transfer to Operating", "Check"]),
                    -(balance * share).round_dp(2),
                )
            };
            let (mut dep, mut wd) = if amount >= Decimal::ZERO {
                (plain(amount), String::new())
            } else {
                (String::new(), plain(-amount))
            };
            let mut date_text = iso_date(date);
            let mut intent = Intent::Clean;
            match faults.at(i) {
                Some(0) => {
                    dep = String::new();
                    wd = "-250.00".into();
                    intent = Intent::Fault("withdrawal", "negative_amount");
                }
                Some(1) => {
                    date_text = date.format("%m/%d/%y").to_string();
                    intent = Intent::Fault("date", "two_digit_year");
                }
                Some(_) => {
                    dep = "12.3.4".into();
                    wd = String::new();
                    intent = Intent::Fault("deposit", "invalid_amount");
                }
                None => {}
            }
            if intent == Intent::Clean {
                // The source system's own balance leaves out what it could not post.
                balance += amount;
            }
            let shown = if r > 0 { balance + drift } else { balance };
            let cells = vec![
                ids::id(Kind::ProjectFunds, i + 1),
                m.id.clone(),
                m.client.clone(),
                date_text,
                ty.into(),
                dep,
                wd,
                plain(shown),
                people::pick(
                    rng,
                    &["Retainer", "Filing fee, court", "Settlement funds", ""],
                )
                .into(),
                if ty == "Check" {
                    rng.gen_range(1000..9999).to_string()
                } else {
                    String::new()
                },
                "IOLTA Operating ****4821".into(),
                if rng.gen_bool(0.9) { "Y" } else { "N" }.into(),
            ];
            let row = w.next_row_number();
            if let Some(rec) = emit(&mut w, sim, &cells, intent)? {
                let amount = rec.money("amount").map(|m| m.amount).unwrap_or_default();
                let project = rec.reference("project_id").unwrap_or_default().to_string();
                if let Some(client) = rec.reference("contact_id") {
                    *by_client.entry(client.to_string()).or_default() += amount;
                }
                *by_project.entry(project.clone()).or_default() += amount;
                loaded_sum += amount;
                let source = rec.money("running_balance").map(|m| m.amount);
                if let Some(stated) = source.filter(|s| !broken && *s != loaded_sum) {
                    broken = true;
                    mismatches.push(TrustMismatch {
                        project_id: project,
                        source_balance: stated,
                        computed_balance: loaded_sum,
                        file: TRUST.path.to_string(),
                        row,
                        transaction_id: rec.source_id.clone(),
                    });
                }
            }
            i += 1;
        }
    }
    close(w, sim)?;
    Ok(TrustTruth {
        by_project,
        by_client,
        mismatches,
    })
}

pub(crate) struct InvoiceTruth {
    pub balance: BTreeMap<String, Decimal>,
    pub receivable: BTreeMap<String, Decimal>,
    pub mismatches: Vec<InvoiceMismatch>,
}

struct InvoiceState {
    project: String,
    total: Decimal,
    void: bool,
    source_balance: Option<Decimal>,
    paid: Decimal,
}

/// Bills and their payments are written side by side: each bill's payments follow it.
/// The line items of each bill (`chosen[k]` is bill k's matter): a billing item is billed
/// once, as in any real system, so a matter's items are shared out in order over its bills,
/// each bill listing only items no earlier bill listed. A bill with none left (a matter
/// with fewer items than bills, or none) lists none and is a flat amount.
fn bill_lines(chosen: &[usize], billable: &Billable) -> Vec<Vec<(String, Decimal)>> {
    let mut bills_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, &mi) in chosen.iter().enumerate() {
        bills_of.entry(mi).or_default().push(k);
    }
    let mut lines = vec![Vec::new(); chosen.len()];
    for (mi, bills) in bills_of {
        let items = billable.get(mi).map(Vec::as_slice).unwrap_or_default();
        let n = bills.len();
        for (j, k) in bills.into_iter().enumerate() {
            let part = items
                .get(j * items.len() / n..(j + 1) * items.len() / n)
                .unwrap_or_default();
            if let Some(l) = lines.get_mut(k) {
                *l = part.to_vec();
            }
        }
    }
    lines
}

pub(crate) fn write_bills(
    root: &Path,
    plan: &Plan,
    rng: &mut Rng,
    sim: &mut Simulator,
    matters: &[Matter],
    billable: &Billable,
) -> Result<InvoiceTruth, SampleError> {
    let mut bills = TableWriter::create(root, BILLS)?;
    let mut pays = TableWriter::create(root, PAYMENTS)?;
    let mut faults = Faults::new(plan.bills, 3);
    let mut pay_faults = Faults::new(plan.bills.saturating_sub(3), 3);
    let mut invoices: BTreeMap<String, InvoiceState> = BTreeMap::new();
    let mut payment_no = 0usize;
    let chosen: Vec<usize> = if matters.is_empty() {
        Vec::new()
    } else {
        (0..plan.bills)
            .map(|_| rng.gen_range(0..matters.len()))
            .collect()
    };
    let mut lines = bill_lines(&chosen, billable);
    for (k, &mi) in chosen.iter().enumerate() {
        let m = &matters[mi];
        let id = ids::id(Kind::BillingInvoice, k + 1);
        let items = std::mem::take(&mut lines[k]);
        let subtotal = if items.is_empty() {
            cents(rng.gen_range(300..8_000) * 100)
        } else {
            items
                .iter()
                .map(|(_, a)| *a)
                .sum::<Decimal>()
                .max(Decimal::ZERO)
        };
        let discount = if rng.gen_bool(0.1) {
            (subtotal * Decimal::new(5, 2)).round_dp(2)
        } else {
            Decimal::ZERO
        };
        let tax = Decimal::ZERO;
        let total = subtotal + tax - discount;
        let issued = during(rng, m);
        let roll = rng.gen_range(0..100);
        let (void, draft) = (roll < 5, (5..10).contains(&roll));
        // Payments as the source recorded them; faulty extra rows come on top.
        let mut plan_pay: Vec<Decimal> = Vec::new();
        if !void && !draft && total > Decimal::ZERO {
            match rng.gen_range(0..10) {
                0..=2 => {}
                3..=6 => plan_pay.push(total),
                _ => {
                    let first = (total * Decimal::new(rng.gen_range(20..70), 2)).round_dp(2);
                    plan_pay.push(first);
                    if rng.gen_bool(0.5) {
                        plan_pay.push(((total - first) / Decimal::TWO).round_dp(2));
                    }
                }
            }
        }
        let paid: Decimal = plan_pay.iter().copied().sum();
        let status = if void {
            "Void"
        } else if draft {
            "Draft"
        } else if paid == total && paid > Decimal::ZERO {
            "Paid"
        } else if paid > Decimal::ZERO {
            "Partially Paid"
        } else {
            people::pick(rng, &["Sent", "Overdue", "Awaiting Payment"])
        };
        let mut balance = total - paid;
        if k % 50 == 31 {
            // The source forgot a payment or mistyped the balance.
            balance = if paid > Decimal::ZERO {
                total
            } else {
                balance + cents(5_000)
            };
        }
        let mut project = m.id.clone();
        let mut total_text = dollars(total);
        let mut intent = Intent::Clean;
        match faults.at(k) {
            Some(0) => {
                project = missing_matter(k);
                intent = Intent::Fault("project_id", "orphan_reference");
            }
            Some(1) => {
                total_text = "12.3.4".into();
                intent = Intent::Fault("total", "invalid_amount");
            }
            Some(_) => {
                total_text = format!("-{total_text}");
                intent = Intent::Fault("total", "negative_amount");
            }
            None => {}
        }
        let line_items: Vec<&str> = items.iter().map(|(id, _)| id.as_str()).collect();
        let cells = vec![
            id.clone(),
            format!("INV-{}", 10_000 + k),
            project,
            m.client.clone(),
            us_date(issued),
            us_date(day(issued, 30)),
            status.into(),
            dollars(subtotal),
            dollars(tax),
            if discount.is_zero() {
                String::new()
            } else {
                dollars(discount)
            },
            total_text,
            dollars(paid),
            if void {
                String::new()
            } else {
                dollars(balance)
            },
            line_items.join(";"),
            if rng.gen_bool(0.7) { "Yes" } else { "No" }.into(),
            String::new(),
        ];
        if let Some(rec) = emit(&mut bills, sim, &cells, intent)? {
            invoices.insert(
                rec.source_id.clone(),
                InvoiceState {
                    project: rec.reference("project_id").unwrap_or_default().to_string(),
                    total: rec.money("total").map(|m| m.amount).unwrap_or_default(),
                    void: rec.text("status") == Some("void"),
                    source_balance: rec.money("balance_due").map(|m| m.amount),
                    paid: Decimal::ZERO,
                },
            );
        }
        let mut when = issued;
        let mut rows: Vec<(String, String, Intent)> = plan_pay
            .iter()
            .map(|a| (id.clone(), plain(*a), Intent::Clean))
            .collect();
        match pay_faults.at(k) {
            Some(0) => rows.push((
                ids::id(Kind::BillingInvoice, 990_000 + k % 9_000),
                "100.00".into(),
                Intent::Fault("invoice_id", "orphan_reference"),
            )),
            Some(1) => rows.push((
                id.clone(),
                "-50.00".into(),
                Intent::Fault("amount", "negative_amount"),
            )),
            Some(_) => rows.push((
                id.clone(),
                "abc".into(),
                Intent::Fault("amount", "invalid_amount"),
            )),
            None => {}
        }
        for (invoice, amount, intent) in rows {
            payment_no += 1;
            when = day(when, rng.gen_range(3..45));
            let method = people::pick(
                rng,
                &["Check", "Credit Card", "ACH", "Wire", "Trust Transfer"],
            );
            let cells = vec![
                ids::id(Kind::Payment, payment_no),
                invoice,
                m.id.clone(),
                m.client.clone(),
                us_date(when),
                amount,
                method.into(),
                if method == "Check" {
                    format!("Chk #{}", rng.gen_range(1000..9999))
                } else {
                    format!("TXN-{}", rng.gen_range(100_000..999_999))
                },
                "Operating ****1177".into(),
                String::new(),
            ];
            if let Some(rec) = emit(&mut pays, sim, &cells, intent)? {
                let amount = rec.money("amount").map(|m| m.amount).unwrap_or_default();
                if let Some(inv) = rec
                    .reference("invoice_id")
                    .and_then(|i| invoices.get_mut(i))
                {
                    inv.paid += amount;
                }
            }
        }
        let _ = at;
    }
    close(bills, sim)?;
    close(pays, sim)?;
    let mut balance = BTreeMap::new();
    let mut receivable: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for (id, inv) in &invoices {
        let due = inv.total - inv.paid;
        balance.insert(id.clone(), due);
        if !inv.void {
            *receivable.entry(inv.project.clone()).or_default() += due;
        }
        if let Some(source) = inv.source_balance {
            if source != due {
                mismatches.push(InvoiceMismatch {
                    invoice_id: id.clone(),
                    source_balance_due: source,
                    computed_balance: due,
                });
            }
        }
    }
    Ok(InvoiceTruth {
        balance,
        receivable,
        mismatches,
    })
}
