//! Modelled on a Tabs3- or PCLaw-style billing export: matters numbered client.matter
//! ("1000.01"), fees and costs in separate files keyed by a reference number, statements
//! rather than invoices, receipts, and a trust file in posting order with signed amounts.

use super::Attr::*;
use super::{col, extra, Dates, Entity, Flags, Ids, Money, Numbering as N, Rows, Style, Table};

pub(super) fn style() -> Style {
    Style {
        name: "tabs3",
        modelled_on: "Tabs3 / PCLaw billing export",
        seed: 707,
        matters: 30,
        ids: Ids {
            contact: N::new("", 0, 500),
            company: N::new("", 0, 500),
            matter: N::new("1000.", 2, 1),
            task: N::new("", 0, 1),
            note: N::new("", 0, 1),
            event: N::new("", 0, 1),
            activity: N::new("", 0, 60001),
            invoice: N::new("", 0, 9001),
            payment: N::new("", 0, 15001),
            trust: N::new("", 0, 25001),
        },
        dates: Dates::UsPadded,
        money: Money::Plain,
        flags: Flags::YN,
        tables: vec![
            Table {
                path: "CONTACTS.csv",
                entity: Entity::Contact,
                rows: Rows::All,
                key: &["Contact No"],
                columns: vec![
                    col("Contact No", Id, "contact_id"),
                    col("Name", FullName, "full_name"),
                    col("Address 1", Street, "address_line1"),
                    col("City", City, "city"),
                    col("State", State, "region"),
                    col("Zip", Zip, "postal_code"),
                    col("Phone", Phone, "phone"),
                    col("E-mail", Email, "email"),
                ],
            },
            Table {
                path: "MATTERS.csv",
                entity: Entity::Matter,
                rows: Rows::All,
                key: &["Matter No"],
                columns: vec![
                    col("Matter No", Id, "number"),
                    col("Contact No", ClientRef, "client_id"),
                    col("Description", Name, "name"),
                    col("Case Type", PracticeArea, "project_type"),
                    col("Status", Status, "status"),
                    col("Open Date", Opened, "opened_on"),
                    extra("Primary Tkpr", Attorney),
                ],
            },
            Table {
                path: "FEES.csv",
                entity: Entity::Activity,
                rows: Rows::Time,
                key: &["Ref #"],
                columns: vec![
                    col("Ref #", Id, "item_id"),
                    col("Matter No", MatterRef, "project_id"),
                    col("Date", Date, "date"),
                    extra("Tkpr", Timekeeper),
                    col("Hours", Hours, "quantity"),
                    col("Rate", Rate, "rate"),
                    col("Amount", Amount, "amount"),
                    col("Description", Description, "description"),
                    col("Statement #", InvoiceRef, "invoice_id"),
                ],
            },
            Table {
                path: "COSTS.csv",
                entity: Entity::Activity,
                rows: Rows::Expenses,
                key: &["Ref #"],
                columns: vec![
                    col("Ref #", Id, "item_id"),
                    col("Matter No", MatterRef, "project_id"),
                    col("Date", Date, "date"),
                    col("Units", Hours, "quantity"),
                    col("Price", Rate, "rate"),
                    col("Amount", Amount, "amount"),
                    col("Description", Description, "description"),
                    col("Statement #", InvoiceRef, "invoice_id"),
                ],
            },
            Table {
                path: "STATEMENTS.csv",
                entity: Entity::Invoice,
                rows: Rows::All,
                key: &["Statement #"],
                columns: vec![
                    col("Statement #", Id, "invoice_number"),
                    col("Matter No", MatterRef, "project_id"),
                    col("Statement Date", Date, "issued_on"),
                    col("Due Date", Due, "due_on"),
                    col("Total", Total, "total"),
                    col("Paid", Paid, "paid_amount"),
                    col("Balance Due", BalanceDue, "balance_due"),
                ],
            },
            Table {
                path: "RECEIPTS.csv",
                entity: Entity::Payment,
                rows: Rows::All,
                key: &["Receipt #"],
                columns: vec![
                    col("Receipt #", Id, "payment_id"),
                    col("Statement #", InvoiceRef, "invoice_id"),
                    col("Date", Date, "paid_on"),
                    col("Amount", Amount, "amount"),
                    col("Pay Type", Method, "method"),
                ],
            },
            Table {
                path: "TRUST.csv",
                entity: Entity::Trust,
                rows: Rows::All,
                key: &["Trans #"],
                columns: vec![
                    col("Trans #", Id, "transaction_id"),
                    col("Matter No", MatterRef, "project_id"),
                    col("Date", Date, "date"),
                    col("Amount", Amount, "amount"),
                    col("Description", Description, "description"),
                    col("Check #", CheckNo, "reference"),
                ],
            },
        ],
    }
}
