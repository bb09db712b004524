//! Billing: billing items, project fund transactions, invoices and payments applied to them.

use super::decimal;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `BillingItemRequest`: the create and the (full) update body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BillingItemRequest {
    /// "Time", "Expenses" or "FlatFee".
    pub billing_type: &'static str,
    pub is_billable: bool,
    pub is_chargeable: bool,
    /// The timekeeper; required for time entries.
    #[serde(rename = "UserID", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// ISO date.
    pub date: String,
    pub description: String,
    /// Required for expenses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(with = "decimal::option", skip_serializing_if = "Option::is_none")]
    pub rate: Option<Decimal>,
    #[serde(with = "decimal")]
    pub quantity: Decimal,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BillingItemResponse {
    #[serde(default)]
    pub billing_item_id: Option<String>,
}

/// A billing item as lists give it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BillingItemListResponse {
    #[serde(default, rename = "ID")]
    pub id: Option<String>,
    #[serde(default)]
    pub billing_type: Option<String>,
    #[serde(default, rename = "ProjectID")]
    pub project_id: Option<i64>,
    #[serde(default, rename = "InvoiceID")]
    pub invoice_id: Option<i64>,
    #[serde(default)]
    pub is_billable: Option<bool>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default, with = "decimal::option")]
    pub quantity: Option<Decimal>,
    #[serde(default, with = "decimal::option")]
    pub rate: Option<Decimal>,
}

impl BillingItemListResponse {
    /// What the item comes to (Filevine gives a rate and a quantity, no amount).
    pub fn amount(&self) -> Decimal {
        (self.rate.unwrap_or_default() * self.quantity.unwrap_or_default()).round_dp(2)
    }

    /// Marked not billable: Filevine leaves it out of its invoice's total.
    pub fn not_billable(&self) -> bool {
        self.is_billable == Some(false)
    }
}

/// `ProjectFundType2`: the request's integer fund type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FundType {
    Deposit = 0,
    Retainer = 1,
    Debit = 2,
    Refund = 3,
}

impl FundType {
    pub fn name(self) -> &'static str {
        match self {
            FundType::Deposit => "Deposit",
            FundType::Retainer => "Retainer",
            FundType::Debit => "Debit",
            FundType::Refund => "Refund",
        }
    }

    /// Deposits and retainers add to the trust balance; debits and refunds take from it.
    pub fn sign(self) -> Decimal {
        match self {
            FundType::Deposit | FundType::Retainer => Decimal::ONE,
            FundType::Debit | FundType::Refund => Decimal::NEGATIVE_ONE,
        }
    }
}

impl Serialize for FundType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(*self as u8)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectFundRequest {
    #[serde(with = "decimal")]
    pub amount: Decimal,
    pub date: String,
    pub fund_type: FundType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectFundTransaction {
    #[serde(default, rename = "ID")]
    pub id: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default, with = "decimal::option")]
    pub amount: Option<Decimal>,
    /// The response's fund type is its name ("Deposit", ...).
    #[serde(default)]
    pub fund_type: Option<String>,
    #[serde(default)]
    pub reference_number: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub is_voided: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectFundResponse {
    #[serde(default)]
    pub project_fund_transaction: Option<ProjectFundTransaction>,
    #[serde(default, with = "decimal::option")]
    pub fund_balance: Option<Decimal>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectFundsListResponse {
    #[serde(default)]
    pub count: Option<i64>,
    #[serde(default)]
    pub project_funds: Vec<ProjectFundTransaction>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProjectFundBalanceResponse {
    #[serde(default, with = "decimal::option")]
    pub fund_balance: Option<Decimal>,
}

/// `InvoiceRequest`: the create and the (full) update body.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvoiceRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_date: Option<String>,
    /// Billing item ids; on update, items not listed leave the invoice.
    pub billing_items: Vec<String>,
    /// 1 = percentage, 2 = amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_type: Option<u8>,
    #[serde(with = "decimal::option", skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Decimal>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvoiceIdResponse {
    #[serde(default, rename = "InvoiceID")]
    pub invoice_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InvoiceListResponse {
    #[serde(default, rename = "InvoiceID")]
    pub invoice_id: Option<i64>,
    #[serde(default)]
    pub invoice_number: Option<i64>,
    #[serde(default, rename = "ProjectID")]
    pub project_id: Option<i64>,
    #[serde(default)]
    pub invoice_date: Option<String>,
    #[serde(default, with = "decimal::option")]
    pub outstanding_balance: Option<Decimal>,
    #[serde(default, with = "decimal::option")]
    pub total: Option<Decimal>,
    #[serde(default, with = "decimal::option")]
    pub billable_total: Option<Decimal>,
    #[serde(default)]
    pub billing_items: Vec<BillingItemListResponse>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactionInvoice {
    #[serde(rename = "InvoiceID")]
    pub invoice_id: i64,
    #[serde(with = "decimal")]
    pub amount: Decimal,
}

/// `PaymentRequest2`: create a payment and apply it to invoices.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PaymentRequest {
    pub date: String,
    #[serde(with = "decimal")]
    pub total: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub use_project_funds: bool,
    pub invoices: Vec<TransactionInvoice>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdatePaymentRequest {
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SimpleTransactionResponse {
    #[serde(default, rename = "TransactionID")]
    pub transaction_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PaymentApplication {
    #[serde(default, rename = "InvoiceID")]
    pub invoice_id: Option<i64>,
    #[serde(default, with = "decimal::option")]
    pub amount: Option<Decimal>,
}

/// A transaction as the project's list gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactionResponse {
    #[serde(default, rename = "ID")]
    pub id: Option<i64>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default, with = "decimal::option")]
    pub total: Option<Decimal>,
    #[serde(default)]
    pub is_void: Option<bool>,
    #[serde(default)]
    pub payment_applications: Vec<PaymentApplication>,
}

/// `Transaction`, as `GET /Billing/transactions/{id}` gives it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transaction {
    #[serde(default, rename = "ID")]
    pub id: Option<i64>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default, with = "decimal::option")]
    pub total: Option<Decimal>,
    #[serde(default)]
    pub is_void: Option<bool>,
    #[serde(default)]
    pub payment_applied_invoices: Vec<PaymentApplication>,
}
