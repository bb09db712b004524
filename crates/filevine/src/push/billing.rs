//! Billing: billing-items → the project's `BillingItem`s; project-funds → its fund
//! transactions; billing-invoice → its invoices, built from the delivered billing items;
//! payment → a payment applied to its invoice (up to what Filevine says is outstanding on
//! it: see `Payments::create`).
//!
//! Filevine gives none of these a partner id on create, so after an interrupted attempt
//! a record is found by its content among the project's records that no other source row
//! of the job owns (an invoice by its set of billing items, which no other invoice can
//! hold).

use async_trait::async_trait;
use migrationai_domain::Kind;
use rust_decimal::Decimal;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

use super::text::{date, exact, money, with_extras};
use super::{KindWrite, Plan, PushRecord, Pusher, Taken};
use crate::error::FvError;
use crate::idmap::FvId;
use crate::ops::{Call, Op};
use crate::paging;
use crate::transport::call_as;
use crate::wire::billing::{
    BillingItemListResponse, BillingItemRequest, BillingItemResponse, FundType, InvoiceIdResponse,
    InvoiceListResponse, InvoiceRequest, PaymentRequest, ProjectFundRequest, ProjectFundResponse,
    ProjectFundTransaction, SimpleTransactionResponse, Transaction, TransactionInvoice,
    TransactionResponse, UpdatePaymentRequest,
};

fn payload<T: serde::Serialize>(t: &T) -> Json {
    serde_json::to_value(t).unwrap_or_default()
}

fn required_date(rec: &PushRecord, field: &str) -> Result<String, FvError> {
    date(rec, field)
        .map(|d| d.to_string())
        .ok_or_else(|| FvError::refused(Some(field), "required", format!("{field} is required")))
}

/// The fields a full-body PUT sent, as the update's list of changes.
fn sent(body: &Json) -> Vec<String> {
    body.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// The first candidate no source row of the job owns yet.
async fn unowned<I: Iterator<Item = FvId> + Send>(
    px: &Pusher,
    kind: Kind,
    ids: I,
) -> Result<Option<FvId>, FvError> {
    for id in ids {
        if px.owner(kind, &id).await?.is_none() {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

// ---- billing items ----

pub struct BillingItems;

pub struct ItemPlan {
    project: i64,
    body: BillingItemRequest,
}

impl Plan for ItemPlan {
    fn payload(&self) -> Json {
        payload(&self.body)
    }
}

#[async_trait]
impl KindWrite for BillingItems {
    type P = ItemPlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<ItemPlan, FvError> {
        let project = rec.parents.require_project()?;
        let (billing_type, label) = match rec.text("item_type") {
            Some("time") => ("Time", "Time entry"),
            Some("expense") => ("Expenses", "Expense"),
            Some("flat_fee") => ("FlatFee", "Flat fee"),
            other => {
                return Err(FvError::refused(
                    Some("item_type"),
                    "invalid_choice",
                    format!("\"{}\" is not a Filevine billing type", other.unwrap_or("")),
                ))
            }
        };
        let rate = money(rec, "rate");
        let amount = money(rec, "amount");
        let quantity = money(rec, "quantity")
            .or_else(|| match (amount, rate) {
                (Some(a), Some(r)) if !r.is_zero() => Some((a / r).round_dp(4)),
                _ => None,
            })
            .or((billing_type != "Time").then_some(Decimal::ONE))
            .ok_or_else(|| {
                FvError::refused(Some("quantity"), "required", "a time entry needs its hours")
            })?;
        let rate = rate.or_else(|| match amount {
            Some(a) if !quantity.is_zero() => Some((a / quantity).round_dp(4)),
            _ => None,
        });
        if billing_type != "Time" && rate.is_none() {
            return Err(FvError::refused(
                Some("rate"),
                "required",
                format!("an {} needs a rate or an amount", label.to_lowercase()),
            ));
        }
        if rate.is_some_and(|r| r.is_sign_negative()) || quantity.is_sign_negative() {
            return Err(FvError::refused(
                Some("amount"),
                "negative_amount",
                "Filevine billing items cannot be negative; a credit belongs on the invoice",
            ));
        }
        let non_billable = super::text::boolean(rec, "non_billable") == Some(true);
        let description = with_extras(
            rec.text("description"),
            rec,
            &[
                ("timekeeper", "Timekeeper"),
                ("utbms_code", "UTBMS code"),
                ("invoice_id", "Invoice in the source"),
                ("amount", "Amount in the source"),
            ],
        )
        .unwrap_or_else(|| label.to_string());
        Ok(ItemPlan {
            project,
            body: BillingItemRequest {
                billing_type,
                is_billable: !non_billable,
                is_chargeable: !non_billable,
                user_id: (billing_type == "Time").then_some(px.config.user_id),
                date: required_date(rec, "date")?,
                description,
                unit: (billing_type == "Expenses")
                    .then(|| rec.text("expense_category").unwrap_or("Item").to_string()),
                rate: rate.map(|r| exact("rate", r)).transpose()?,
                quantity: exact("quantity", quantity)?,
            },
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &ItemPlan,
    ) -> Result<FvId, FvError> {
        let call = Call::new(Op::BillingItemCreate)
            .arg(plan.project)
            .body(plan.payload());
        let made: BillingItemResponse = call_as(px.t(), call).await?;
        made.billing_item_id.map(FvId).ok_or_else(|| {
            FvError::permanent(
                Op::BillingItemCreate.to_string(),
                "the answer has no BillingItemId",
            )
        })
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &ItemPlan,
    ) -> Result<Option<FvId>, FvError> {
        let b = &plan.body;
        let call = Call::new(Op::BillingItemList)
            .arg(plan.project)
            .query("startDate", &b.date)
            .query("endDate", &b.date);
        let items: Vec<BillingItemListResponse> = paging::all(px.t(), call).await?;
        let same = items.into_iter().filter(|i| {
            i.billing_type.as_deref() == Some(b.billing_type)
                && i.description.as_deref() == Some(b.description.as_str())
                && i.quantity == Some(b.quantity)
                && (b.rate.is_none() || i.rate == b.rate)
        });
        unowned(px, Kind::BillingItems, same.filter_map(|i| i.id.map(FvId))).await
    }

    async fn update(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &ItemPlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let body = plan.payload();
        let call = Call::new(Op::BillingItemUpdate)
            .arg(plan.project)
            .arg(id)
            .body(body.clone());
        px.t().call(call).await?;
        Ok((id.clone(), sent(&body)))
    }
}

// ---- project funds ----

pub struct Funds;

pub struct FundPlan {
    project: i64,
    body: ProjectFundRequest,
}

impl Plan for FundPlan {
    fn payload(&self) -> Json {
        payload(&self.body)
    }
}

fn same_fund(t: &ProjectFundTransaction, b: &ProjectFundRequest) -> bool {
    t.is_voided != Some(true)
        && t.amount == Some(b.amount)
        && t.fund_type.as_deref() == Some(b.fund_type.name())
        && t.date.as_deref().and_then(|d| d.get(..10)) == Some(b.date.as_str())
        && t.reference_number.as_deref().filter(|r| !r.is_empty()) == b.reference_number.as_deref()
}

#[async_trait]
impl KindWrite for Funds {
    type P = FundPlan;

    async fn plan(&self, _px: &Pusher, rec: &PushRecord) -> Result<FundPlan, FvError> {
        let project = rec.parents.require_project()?;
        let amount = money(rec, "amount").ok_or_else(|| {
            FvError::refused(
                Some("amount"),
                "required",
                "a fund transaction needs its amount",
            )
        })?;
        if amount.is_zero() {
            return Err(FvError::refused(
                Some("amount"),
                "zero_amount",
                "Filevine records fund transactions of more than zero",
            ));
        }
        // The signed amount decides the direction, so Filevine's balance is the sum the
        // export's ledger gives; the type only names it.
        let fund_type = if amount.is_sign_positive() {
            FundType::Deposit
        } else if rec.text("transaction_type") == Some("refund") {
            FundType::Refund
        } else {
            FundType::Debit
        };
        Ok(FundPlan {
            project,
            body: ProjectFundRequest {
                amount: exact("amount", amount.abs())?,
                date: required_date(rec, "date")?,
                fund_type,
                reference_number: rec.text("reference").map(str::to_string),
                source: with_extras(
                    rec.text("description"),
                    rec,
                    &[("transaction_type", "Type")],
                ),
            },
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &FundPlan,
    ) -> Result<FvId, FvError> {
        let call = Call::new(Op::FundCreate)
            .arg(plan.project)
            .body(plan.payload());
        let made: ProjectFundResponse = call_as(px.t(), call).await?;
        made.project_fund_transaction
            .and_then(|t| t.id)
            .map(FvId)
            .ok_or_else(|| {
                FvError::permanent(
                    Op::FundCreate.to_string(),
                    "the answer has no ProjectFundTransaction.ID",
                )
            })
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &FundPlan,
    ) -> Result<Option<FvId>, FvError> {
        let listed = paging::funds(px.t(), plan.project, Some(&plan.body.date)).await?;
        let same = listed.into_iter().filter(|t| same_fund(t, &plan.body));
        unowned(px, Kind::ProjectFunds, same.filter_map(|t| t.id.map(FvId))).await
    }

    /// A fund transaction cannot be edited: one that differs is voided and made again.
    async fn update(
        &self,
        px: &Pusher,
        rec: &PushRecord,
        plan: &FundPlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let current: ProjectFundTransaction =
            call_as(px.t(), Call::new(Op::FundGet).arg(plan.project).arg(id)).await?;
        if same_fund(&current, &plan.body) {
            return Ok((id.clone(), Vec::new()));
        }
        if current.is_voided != Some(true) {
            px.t()
                .call(Call::new(Op::FundVoid).arg(plan.project).arg(id))
                .await?;
        }
        let fresh = self.create(px, rec, plan).await?;
        Ok((fresh, vec!["voided and recreated".to_string()]))
    }
}

// ---- invoices ----

pub struct Invoices;

/// The refusal of an invoice listing billing items the job gives to other invoices
/// (`ItemHolders`), naming each item's holder.
fn taken_elsewhere(taken: &[Taken]) -> FvError {
    let mut by_holder: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for t in taken {
        by_holder.entry(&t.holder).or_default().push(&t.item);
    }
    let parts: Vec<String> = by_holder
        .into_iter()
        .map(|(holder, items)| {
            let (noun, verb) = if items.len() == 1 {
                ("billing item", "is")
            } else {
                ("billing items", "are")
            };
            format!("{noun} {} {verb} on invoice \"{holder}\"", items.join(", "))
        })
        .collect();
    FvError::refused(
        Some("billing_item_ids"),
        "billing_item_on_another_invoice",
        format!(
            "its {}: Filevine puts a billing item on one invoice only, the one issued first",
            parts.join("; ")
        ),
    )
}

pub struct InvoicePlan {
    project: i64,
    body: InvoiceRequest,
}

impl Plan for InvoicePlan {
    fn payload(&self) -> Json {
        payload(&self.body)
    }
}

#[async_trait]
impl KindWrite for Invoices {
    type P = InvoicePlan;

    async fn plan(&self, _px: &Pusher, rec: &PushRecord) -> Result<InvoicePlan, FvError> {
        let project = rec.parents.require_project()?;
        if !rec.taken.is_empty() {
            return Err(taken_elsewhere(&rec.taken));
        }
        let missing: Vec<&str> = rec
            .parents
            .missing
            .iter()
            .filter(|(f, _)| f == "billing_item_ids")
            .map(|(_, s)| s.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(FvError::refused(
                Some("billing_item_ids"),
                "parent_not_delivered",
                format!(
                    "its billing items {} have not been delivered to Filevine",
                    missing.join(", ")
                ),
            ));
        }
        let mut items: Vec<String> = rec
            .parents
            .billing_items
            .iter()
            .map(|i| i.0.clone())
            .collect();
        items.sort();
        items.dedup();
        if items.is_empty() {
            return Err(FvError::refused(
                Some("billing_item_ids"),
                "no_billing_items",
                "Filevine builds an invoice from its billing items, and this invoice lists none",
            ));
        }
        let raw_number = rec.text("invoice_number");
        let number = raw_number
            .filter(|n| !n.is_empty() && n.len() <= 9 && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n > 0);
        let mut extras = vec![
            ("status", "Status"),
            ("subtotal", "Subtotal"),
            ("tax", "Tax"),
            ("total", "Total"),
            ("paid_amount", "Paid"),
            ("balance_due", "Balance due"),
        ];
        if number.is_none() {
            extras.insert(0, ("invoice_number", "Invoice number"));
        }
        let discount = money(rec, "discount").filter(|d| !d.is_zero());
        Ok(InvoicePlan {
            project,
            body: InvoiceRequest {
                invoice_number: number,
                description: with_extras(None, rec, &extras),
                due_date: date(rec, "due_on").map(|d| d.to_string()),
                invoice_date: date(rec, "issued_on").map(|d| d.to_string()),
                billing_items: items,
                discount_type: discount.map(|_| 2),
                discount_amount: discount.map(|d| exact("discount", d)).transpose()?,
            },
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &InvoicePlan,
    ) -> Result<FvId, FvError> {
        let call = Call::new(Op::InvoiceCreate)
            .arg(plan.project)
            .body(plan.payload());
        let made: InvoiceIdResponse = call_as(px.t(), call).await?;
        made.invoice_id.map(FvId::int).ok_or_else(|| {
            FvError::permanent(Op::InvoiceCreate.to_string(), "the answer has no InvoiceID")
        })
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &InvoicePlan,
    ) -> Result<Option<FvId>, FvError> {
        let want: BTreeSet<&str> = plan.body.billing_items.iter().map(String::as_str).collect();
        let listed: Vec<InvoiceListResponse> =
            paging::all(px.t(), Call::new(Op::InvoiceList).arg(plan.project)).await?;
        let same = listed.into_iter().filter(|inv| {
            let have: BTreeSet<&str> = inv
                .billing_items
                .iter()
                .filter_map(|b| b.id.as_deref())
                .collect();
            have == want
        });
        unowned(
            px,
            Kind::BillingInvoice,
            same.filter_map(|i| i.invoice_id.map(FvId::int)),
        )
        .await
    }

    async fn update(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &InvoicePlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let body = plan.payload();
        px.t()
            .call(
                Call::new(Op::InvoiceUpdate)
                    .arg(plan.project)
                    .arg(id)
                    .body(body.clone()),
            )
            .await?;
        Ok((id.clone(), sent(&body)))
    }
}

// ---- payments ----

pub struct Payments;

pub struct PaymentPlan {
    project: i64,
    body: PaymentRequest,
}

impl Plan for PaymentPlan {
    fn payload(&self) -> Json {
        payload(&self.body)
    }
}

impl PaymentPlan {
    fn invoice(&self) -> Option<&TransactionInvoice> {
        self.body.invoices.first()
    }

    fn same_money(
        &self,
        date: Option<&str>,
        total: Option<Decimal>,
        applied: &[(Option<i64>, Option<Decimal>)],
    ) -> bool {
        let Some(inv) = self.invoice() else {
            return false;
        };
        // Applied at most the payment's amount: a payment above the invoice's outstanding
        // balance is applied only up to it (`Payments::create`).
        date.and_then(|d| d.get(..10)) == Some(self.body.date.as_str())
            && total == Some(self.body.total)
            && applied.iter().any(|(i, a)| {
                *i == Some(inv.invoice_id)
                    && a.is_some_and(|a| a > Decimal::ZERO && a <= inv.amount)
            })
    }

    /// The same payment, applied to its invoice no more than `most`.
    fn applying_at_most(&self, most: Decimal) -> PaymentRequest {
        let mut body = self.body.clone();
        for inv in &mut body.invoices {
            inv.amount = inv.amount.min(most);
        }
        body
    }
}

impl Payments {
    async fn apply(
        &self,
        px: &Pusher,
        project: i64,
        body: &PaymentRequest,
    ) -> Result<FvId, FvError> {
        let call = Call::new(Op::PaymentCreateApply)
            .arg(project)
            .body(payload(body));
        let made: SimpleTransactionResponse = call_as(px.t(), call).await?;
        made.transaction_id.map(FvId::int).ok_or_else(|| {
            FvError::permanent(
                Op::PaymentCreateApply.to_string(),
                "the answer has no TransactionID",
            )
        })
    }
}

#[async_trait]
impl KindWrite for Payments {
    type P = PaymentPlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<PaymentPlan, FvError> {
        let invoice = rec
            .parents
            .require(&rec.parents.invoice, "invoice_id", "invoice")?;
        let project = match rec.parents.project.as_ref().and_then(FvId::as_i64) {
            Some(p) => p,
            None => {
                let inv: InvoiceListResponse =
                    call_as(px.t(), Call::new(Op::InvoiceGet).arg(invoice)).await?;
                inv.project_id.ok_or_else(|| {
                    FvError::permanent(Op::InvoiceGet.to_string(), "the invoice has no ProjectID")
                })?
            }
        };
        let amount = money(rec, "amount")
            .filter(|a| a.is_sign_positive() && !a.is_zero())
            .ok_or_else(|| {
                FvError::refused(
                    Some("amount"),
                    "required",
                    "a payment needs an amount above zero",
                )
            })?;
        let amount = exact("amount", amount)?;
        Ok(PaymentPlan {
            project,
            body: PaymentRequest {
                date: required_date(rec, "paid_on")?,
                total: amount,
                method: rec.text("method").map(str::to_string),
                description: with_extras(
                    None,
                    rec,
                    &[("reference", "Reference"), ("contact_id", "Paid by")],
                ),
                use_project_funds: false,
                invoices: vec![TransactionInvoice {
                    invoice_id: invoice,
                    amount,
                }],
            },
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &PaymentPlan,
    ) -> Result<FvId, FvError> {
        let refusal = match self.apply(px, plan.project, &plan.body).await {
            Err(FvError::Refused(r)) => r,
            done => return done,
        };
        // Filevine applies no more to an invoice than is outstanding on it, and an
        // invoice's total there leaves out the items marked not billable, which a source's
        // own total may count: a bill paid in full then pays more than Filevine billed.
        // When the excess is within those items, the payment is recorded whole and applied
        // up to the outstanding balance, the rest left unapplied on it (Filevine's own
        // record of an overpayment), so the invoice reads back paid, as the source has it.
        // Any other overpayment stays refused, with Filevine's reason. The invoice is read
        // only after a refusal, so a payment that fits costs no call more.
        let Some(inv) = plan.invoice() else {
            return Err(FvError::Refused(refusal));
        };
        let current: InvoiceListResponse =
            call_as(px.t(), Call::new(Op::InvoiceGet).arg(inv.invoice_id)).await?;
        let not_billed: Decimal = current
            .billing_items
            .iter()
            .filter(|i| i.not_billable())
            .map(|i| i.amount())
            .sum();
        match current.outstanding_balance {
            Some(out)
                if out > Decimal::ZERO && out < inv.amount && inv.amount - out <= not_billed =>
            {
                self.apply(px, plan.project, &plan.applying_at_most(out))
                    .await
            }
            _ => Err(FvError::Refused(refusal)),
        }
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &PaymentPlan,
    ) -> Result<Option<FvId>, FvError> {
        let call = Call::new(Op::TransactionList)
            .arg(plan.project)
            .query("transactionType", "Payment")
            .query("startDate", &plan.body.date)
            .query("endDate", &plan.body.date);
        let listed: Vec<TransactionResponse> = paging::all(px.t(), call).await?;
        let same = listed.into_iter().filter(|t| {
            let applied: Vec<_> = t
                .payment_applications
                .iter()
                .map(|a| (a.invoice_id, a.amount))
                .collect();
            t.is_void != Some(true) && plan.same_money(t.date.as_deref(), t.total, &applied)
        });
        unowned(px, Kind::Payment, same.filter_map(|t| t.id.map(FvId::int))).await
    }

    /// Method and description are updated in place; a payment whose date, amount or
    /// invoice changed is voided and made again.
    async fn update(
        &self,
        px: &Pusher,
        rec: &PushRecord,
        plan: &PaymentPlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let current: Transaction = call_as(px.t(), Call::new(Op::TransactionGet).arg(id)).await?;
        let applied: Vec<_> = current
            .payment_applied_invoices
            .iter()
            .map(|a| (a.invoice_id, a.amount))
            .collect();
        if current.is_void != Some(true)
            && plan.same_money(current.date.as_deref(), current.total, &applied)
        {
            let Some(method) = plan.body.method.clone() else {
                return Ok((id.clone(), Vec::new()));
            };
            let body = payload(&UpdatePaymentRequest {
                method,
                description: plan.body.description.clone(),
            });
            px.t()
                .call(
                    Call::new(Op::PaymentUpdate)
                        .arg(plan.project)
                        .arg(id)
                        .body(body),
                )
                .await?;
            return Ok((id.clone(), vec!["Method".into(), "Description".into()]));
        }
        if current.is_void != Some(true) {
            px.t()
                .call(Call::new(Op::TransactionVoid).arg(plan.project).arg(id))
                .await?;
        }
        let fresh = self.create(px, rec, plan).await?;
        Ok((fresh, vec!["voided and recreated".to_string()]))
    }
}
