//! Modelled on CosmoLex's exports: "Client-Matter" as the matter's key, time and expense
//! entries numbered per matter (so only matter and entry number together are a key), payments
//! without any id, and the client's trust ledger with receipts, disbursements and a running
//! balance.

use super::Attr::*;
use super::{col, Dates, Entity, Flags, Ids, Money, Numbering as N, Rows, Style, Table};

pub(super) fn style() -> Style {
    Style {
        name: "cosmolex",
        modelled_on: "CosmoLex",
        seed: 505,
        matters: 30,
        ids: Ids {
            contact: N::new("CL", 4, 1),
            company: N::new("CL", 4, 1),
            matter: N::new("CM-", 4, 1),
            task: N::new("", 0, 1),
            note: N::new("", 0, 1),
            event: N::new("", 0, 1),
            activity: N::new("", 0, 1),
            invoice: N::new("", 0, 2001),
            payment: N::new("", 0, 1),
            trust: N::new("", 0, 1),
        },
        dates: Dates::UsPadded,
        money: Money::Dollars,
        flags: Flags::YN,
        tables: vec![
            Table {
                path: "Clients.csv",
                entity: Entity::Contact,
                rows: Rows::All,
                key: &["Client ID"],
                columns: vec![
                    col("Client ID", Id, "contact_id"),
                    col("First Name", FirstName, "first_name"),
                    col("Last Name", LastName, "last_name"),
                    col("Company Name", Company, "organization"),
                    col("Email Address", Email, "email"),
                    col("Work Phone", Phone, "phone"),
                    col("Address Line 1", Street, "address_line1"),
                    col("City", City, "city"),
                    col("State", State, "region"),
                    col("ZIP", Zip, "postal_code"),
                ],
            },
            Table {
                path: "Matters.csv",
                entity: Entity::Matter,
                rows: Rows::All,
                key: &["Client-Matter"],
                columns: vec![
                    col("Client-Matter", Id, "number"),
                    col("Client ID", ClientRef, "client_id"),
                    col("Matter Description", Name, "name"),
                    col("Matter Type", PracticeArea, "project_type"),
                    col("Status", Status, "status"),
                    col("Open Date", Opened, "opened_on"),
                    col("Close Date", Closed, "closed_on"),
                    col("Matter Owner", Attorney, "responsible_attorney"),
                ],
            },
            Table {
                path: "Time Entries.csv",
                entity: Entity::Activity,
                rows: Rows::Time,
                key: &["Client-Matter", "Entry #"],
                columns: vec![
                    col("Client-Matter", MatterRef, "project_id"),
                    super::extra("Entry #", Seq),
                    col("Date", Date, "date"),
                    col("Timekeeper", Timekeeper, "timekeeper"),
                    col("Hours", Hours, "quantity"),
                    col("Rate", Rate, "rate"),
                    col("Amount", Amount, "amount"),
                    col("Description", Description, "description"),
                    col("Invoice #", InvoiceRef, "invoice_id"),
                ],
            },
            Table {
                path: "Expenses.csv",
                entity: Entity::Activity,
                rows: Rows::Expenses,
                key: &["Client-Matter", "Entry #"],
                columns: vec![
                    col("Client-Matter", MatterRef, "project_id"),
                    super::extra("Entry #", Seq),
                    col("Date", Date, "date"),
                    col("Timekeeper", Timekeeper, "timekeeper"),
                    col("Quantity", Hours, "quantity"),
                    col("Rate", Rate, "rate"),
                    col("Amount", Amount, "amount"),
                    col("Description", Description, "description"),
                    col("Invoice #", InvoiceRef, "invoice_id"),
                ],
            },
            Table {
                path: "Invoices.csv",
                entity: Entity::Invoice,
                rows: Rows::All,
                key: &["Invoice #"],
                columns: vec![
                    col("Invoice #", Id, "invoice_number"),
                    col("Client-Matter", MatterRef, "project_id"),
                    col("Invoice Date", Date, "issued_on"),
                    col("Due Date", Due, "due_on"),
                    col("Invoice Amount", Total, "total"),
                    col("Amount Paid", Paid, "paid_amount"),
                    col("Balance Due", BalanceDue, "balance_due"),
                ],
            },
            Table {
                path: "Payments.csv",
                entity: Entity::Payment,
                rows: Rows::All,
                key: &[],
                columns: vec![
                    col("Invoice #", InvoiceRef, "invoice_id"),
                    col("Payment Date", Date, "paid_on"),
                    col("Amount", Amount, "amount"),
                    col("Payment Method", Method, "method"),
                ],
            },
            Table {
                path: "Client's Trust Ledger.csv",
                entity: Entity::Trust,
                rows: Rows::All,
                key: &[],
                columns: vec![
                    col("Client-Matter", MatterRef, "project_id"),
                    col("Date", Date, "date"),
                    col("Description", Description, "description"),
                    col("Receipts", Deposit, "deposit"),
                    col("Disbursements", Withdrawal, "withdrawal"),
                    col("Balance", RunningBalance, "running_balance"),
                ],
            },
        ],
    }
}
