//! Billing: a project's billing items, its fund (trust) transactions and balance, invoices
//! built from billing items, and payments applied to invoices. Amounts are decimals; an
//! invoice's outstanding balance is its billable total less the payments applied to it.

use axum::extract::{Path, Query as Q, State};
use axum::http::HeaderMap;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use bytes::Bytes;
use chrono::{Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::sync::Arc;

use crate::http::{self, body, number, path_int, stamp, Answer, ApiError, Page, Query};
use crate::state::{
    Application, BillingItem, Fund, Invoice, Json as Obj, State as Org, Transaction,
};
use crate::Shared;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/fv-app/v2/projects/{projectId}/BillingItem",
            post(create_item),
        )
        .route(
            "/fv-app/v2/projects/{projectId}/BillingItem/{billingItemId}",
            put(update_item),
        )
        .route(
            "/fv-app/v2/billingitem/projects/{projectId}",
            get(list_items),
        )
        .route(
            "/fv-app/v2/billing/projects/{projectId}/billing-items/{billingItemId}",
            get(read_item),
        )
        .route(
            "/fv-app/v2/Billing/projects/{projectId}/funds",
            get(fund_balance).post(create_fund),
        )
        .route(
            "/fv-app/v2/Billing/projects/{projectId}/fundslist",
            get(list_funds),
        )
        .route(
            "/fv-app/v2/Billing/projects/{projectId}/funds/{fundId}",
            get(read_fund),
        )
        .route(
            "/fv-app/v2/Billing/projects/{projectId}/funds/{fundId}/void",
            put(void_fund),
        )
        .route(
            "/fv-app/v2/projects/{projectId}/invoices",
            post(create_invoice),
        )
        .route(
            "/fv-app/v2/projects/{projectId}/invoices/{invoiceId}",
            put(update_invoice),
        )
        .route(
            "/fv-app/v2/billingitem/invoices/{invoiceId}",
            get(read_invoice),
        )
        .route(
            "/fv-app/v2/billingitem/projects/{projectId}/invoices",
            get(list_invoices),
        )
        .route(
            "/fv-app/v2/billing/projects/{projectId}/payment/apply",
            post(create_payment),
        )
        .route(
            "/fv-app/v2/billing/projects/{projectId}/payment/{transactionId}",
            put(update_payment),
        )
        .route(
            "/fv-app/v2/billing/projects/{projectId}/transactions/{transactionId}",
            delete(void_transaction),
        )
        .route(
            "/fv-app/v2/Billing/projects/{projectId}/transactions",
            get(list_transactions),
        )
        .route(
            "/fv-app/v2/Billing/transactions/{transactionId}",
            get(read_transaction),
        )
}

fn project(org: &Org, raw: &str) -> Result<i64, ApiError> {
    let id = path_int(raw, "projectId")?;
    if org.projects.contains_key(&id) {
        Ok(id)
    } else {
        Err(ApiError::not_found(format!("Project {id} was not found")))
    }
}

/// A list's date range: `startDate`/`endDate`, or the last 30 days when neither is given
/// ("Range defaults to 30 days").
fn range(q: &Query) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let parse = |k: &str| -> Result<Option<NaiveDate>, ApiError> {
        match q.get(k).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => http::parse_date(v)
                .map(Some)
                .ok_or_else(|| ApiError::bad(format!("{k} '{v}' is not a date"))),
        }
    };
    let today = Utc::now().date_naive();
    match (parse("startDate")?, parse("endDate")?) {
        (None, None) => Ok((today - Duration::days(30), today)),
        (s, e) => Ok((s.unwrap_or(NaiveDate::MIN), e.unwrap_or(NaiveDate::MAX))),
    }
}

// ---- billing items ----

struct ItemRequest {
    billing_type: String,
    is_billable: bool,
    is_chargeable: bool,
    user_id: Option<i64>,
    date: NaiveDate,
    description: String,
    unit: Option<String>,
    rate: Decimal,
    quantity: Decimal,
    invoice: Option<i64>,
}

fn item_request(org: &Org, project: i64, req: &Obj) -> Result<ItemRequest, ApiError> {
    let billing_type = http::required_string(req, "BillingType")?;
    if !["Time", "Expenses", "FlatFee"].contains(&billing_type.as_str()) {
        return Err(ApiError::bad(format!(
            "BillingType '{billing_type}' must be one of Time, Expenses, FlatFee"
        )));
    }
    let date = http::date(req, "Date")?.ok_or_else(|| ApiError::bad("Date is required"))?;
    let description = http::required_string(req, "Description")?;
    let quantity = http::required_decimal(req, "Quantity")?;
    if quantity.is_sign_negative() {
        return Err(ApiError::bad("Quantity must not be negative"));
    }
    let rate = http::decimal(req, "Rate")?;
    let unit = http::string(req, "Unit")?.filter(|u| !u.trim().is_empty());
    let user_id = http::integer(req, "UserID")?;
    match billing_type.as_str() {
        "Time" if user_id.is_none() => {
            return Err(ApiError::bad(
                "UserID (the timekeeper) is required for Time entries",
            ))
        }
        "Expenses" if unit.is_none() => return Err(ApiError::bad("Unit is required for Expenses")),
        "Expenses" | "FlatFee" if rate.is_none() => {
            return Err(ApiError::bad(format!(
                "Rate is required for {billing_type}"
            )))
        }
        _ => {}
    }
    if rate.is_some_and(|r| r.is_sign_negative()) {
        return Err(ApiError::bad("Rate must not be negative"));
    }
    if http::boolean(req, "IsDraft")? == Some(true) && billing_type != "Time" {
        return Err(ApiError::bad("IsDraft is only allowed for Time entries"));
    }
    let invoice = http::integer(req, "InvoiceId")?;
    if let Some(inv) = invoice {
        if org.invoices.get(&inv).is_none_or(|i| i.project != project) {
            return Err(ApiError::bad(format!(
                "InvoiceId {inv} is not an invoice of this project"
            )));
        }
    }
    Ok(ItemRequest {
        billing_type,
        is_billable: http::required_bool(req, "IsBillable")?,
        is_chargeable: http::required_bool(req, "IsChargeable")?,
        user_id,
        date,
        description,
        unit,
        rate: rate.unwrap_or_default(),
        quantity,
        invoice,
    })
}

fn category(billing_type: &str) -> i64 {
    match billing_type {
        "Time" => 1,
        "Expenses" => 2,
        _ => 3,
    }
}

fn item_view(org_id: i64, b: &BillingItem) -> Value {
    json!({
        "ID": b.id,
        "BillingType": b.billing_type,
        "BillingCategory": category(&b.billing_type),
        "OrgID": org_id,
        "ProjectID": b.project,
        "InvoiceID": b.invoice,
        "SyncNeeded": true,
        "IsBillable": b.is_billable,
        "IsChargeable": b.is_chargeable,
        "IsDraft": false,
        "UserID": b.user_id,
        "Date": b.date.to_string(),
        "Description": b.description,
        "Unit": b.unit,
        "Quantity": number(b.quantity),
        "Rate": number(b.rate),
        "DateCreated": stamp(b.created),
        "CreatedByUserID": b.user_id.unwrap_or_default(),
        "Status": { "IsQueued": false },
    })
}

async fn create_item(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let mut org = s.state();
    let project = project(&org, &raw)?;
    let r = item_request(&org, project, &req)?;
    let id = org.guid();
    org.add_billing_item(BillingItem {
        id: id.clone(),
        project,
        billing_type: r.billing_type,
        is_billable: r.is_billable,
        is_chargeable: r.is_chargeable,
        user_id: r.user_id,
        date: r.date,
        description: r.description,
        unit: r.unit,
        rate: r.rate,
        quantity: r.quantity,
        invoice: r.invoice,
        created: Utc::now(),
    });
    Ok(Json(json!({ "BillingItemId": id })))
}

async fn update_item(
    State(s): State<Arc<Shared>>,
    Path((raw, item)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let mut org = s.state();
    let project = project(&org, &raw)?;
    let r = item_request(&org, project, &req)?;
    let b = org
        .billing_item_mut(&item, project)
        .ok_or_else(|| ApiError::not_found(format!("Billing item {item} was not found")))?;
    b.billing_type = r.billing_type;
    b.is_billable = r.is_billable;
    b.is_chargeable = r.is_chargeable;
    b.user_id = r.user_id;
    b.date = r.date;
    b.description = r.description;
    b.unit = r.unit;
    b.rate = r.rate;
    b.quantity = r.quantity;
    if r.invoice.is_some() {
        b.invoice = r.invoice;
    }
    Ok(Json(json!({ "BillingItemId": item })))
}

async fn list_items(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    Q(q): Q<Query>,
) -> Answer {
    let page = Page::of(&q)?;
    let (from, to) = range(&q)?;
    let org = s.state();
    let project = project(&org, &raw)?;
    let kind = q.get("billingType");
    let all: Vec<Value> = org
        .billing_items_of(project)
        .filter(|b| b.date >= from && b.date <= to)
        .filter(|b| kind.is_none_or(|k| &b.billing_type == k))
        .map(|b| item_view(s.config.credentials.org_id, b))
        .collect();
    let mut list = page.list(&format!("/fv-app/v2/billingitem/projects/{project}"), all);
    if let Some(o) = list.as_object_mut() {
        o.remove("RequestedFields");
    }
    Ok(Json(list))
}

async fn read_item(
    State(s): State<Arc<Shared>>,
    Path((raw, item)): Path<(String, String)>,
) -> Answer {
    let org = s.state();
    let project = project(&org, &raw)?;
    let b = org
        .billing_item(&item)
        .filter(|b| b.project == project)
        .ok_or_else(|| ApiError::not_found(format!("Billing item {item} was not found")))?;
    let total = b.total();
    Ok(Json(json!({
        "ID": b.id,
        "BillingType": b.billing_type,
        "OrgID": s.config.credentials.org_id,
        "ProjectID": b.project,
        "IsBillable": b.is_billable,
        "IsChargeable": b.is_chargeable,
        "Date": b.date.to_string(),
        "Description": b.description,
        "InvoiceID": b.invoice,
        "OriginalTotal": number(total),
        "FinalTotal": number(total),
        "Billed": number(if b.invoice.is_some() { total } else { Decimal::ZERO }),
        "CanBeEdited": true,
        "DateCreated": stamp(b.created),
        "CreatedByUserID": b.user_id.unwrap_or_default(),
        "SyncNeeded": true,
    })))
}

// ---- project funds ----

const FUND_TYPES: [&str; 4] = ["Deposit", "Retainer", "Debit", "Refund"];

fn fund_view(f: &Fund) -> Value {
    json!({
        "ID": f.id,
        "ProjectID": f.project,
        "Date": f.date.to_string(),
        "Amount": number(f.amount),
        "FundType": f.fund_type,
        "ReferenceNumber": f.reference,
        "Source": f.source,
        "IsVoided": f.voided,
        "DateCreated": stamp(f.created),
        "CreatedByUserID": 0,
    })
}

async fn create_fund(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let fund_type = match req.get("FundType") {
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|i| FUND_TYPES.get(i as usize).copied())
            .ok_or_else(|| {
                ApiError::bad("FundType must be 0 (Deposit), 1 (Retainer), 2 (Debit) or 3 (Refund)")
            })?,
        Some(Value::String(t)) => FUND_TYPES
            .iter()
            .find(|f| f.eq_ignore_ascii_case(t))
            .copied()
            .ok_or_else(|| ApiError::bad(format!("FundType '{t}' is not a fund type")))?,
        _ => return Err(ApiError::bad("FundType is required")),
    };
    let amount = http::required_decimal(&req, "Amount")?;
    if amount <= Decimal::ZERO {
        return Err(ApiError::bad("Amount must be greater than zero"));
    }
    let date = http::date(&req, "Date")?.unwrap_or_else(|| Utc::now().date_naive());
    let mut org = s.state();
    let project = project(&org, &raw)?;
    let fund = Fund {
        id: org.guid(),
        project,
        date,
        amount,
        fund_type,
        reference: http::string(&req, "ReferenceNumber")?,
        source: http::string(&req, "Source")?,
        voided: false,
        created: Utc::now(),
    };
    let view = fund_view(&fund);
    org.add_fund(fund);
    Ok(Json(json!({
        "ProjectFundTransaction": view,
        "FundBalance": number(org.fund_balance(project)),
    })))
}

async fn fund_balance(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let org = s.state();
    let project = project(&org, &raw)?;
    let name = org
        .projects
        .get(&project)
        .and_then(|p| p.get("ProjectName"))
        .cloned();
    Ok(Json(json!({
        "ProjectID": project,
        "ProjectName": name,
        "FundBalance": number(org.fund_balance(project)),
    })))
}

/// `ProjectFundsListResponse`: a count and the page of transactions (no `HasMore`).
async fn list_funds(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    Q(q): Q<Query>,
) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let project = project(&org, &raw)?;
    let start = q.get("startDate").and_then(|d| http::parse_date(d));
    let end = q.get("endDate").and_then(|d| http::parse_date(d));
    let all: Vec<Value> = org
        .funds_of(project)
        .filter(|f| start.is_none_or(|d| f.date >= d) && end.is_none_or(|d| f.date <= d))
        .map(fund_view)
        .collect();
    let items: Vec<Value> = all.into_iter().skip(page.offset).take(page.limit).collect();
    Ok(Json(json!({ "Count": items.len(), "ProjectFunds": items })))
}

async fn read_fund(
    State(s): State<Arc<Shared>>,
    Path((raw, fund)): Path<(String, String)>,
) -> Answer {
    let org = s.state();
    let project = project(&org, &raw)?;
    let found = org
        .funds_of(project)
        .find(|f| f.id == fund)
        .map(|f| Json(fund_view(f)))
        .ok_or_else(|| ApiError::not_found(format!("Fund transaction {fund} was not found")));
    found
}

async fn void_fund(
    State(s): State<Arc<Shared>>,
    Path((raw, fund)): Path<(String, String)>,
) -> Answer {
    let mut org = s.state();
    let project = project(&org, &raw)?;
    let f = org
        .fund_mut(&fund, project)
        .ok_or_else(|| ApiError::not_found(format!("Fund transaction {fund} was not found")))?;
    f.voided = true;
    let view = fund_view(f);
    Ok(Json(json!({
        "ProjectFundTransaction": view,
        "FundBalance": number(org.fund_balance(project)),
    })))
}

// ---- invoices ----

struct InvoiceRequest {
    number: Option<i64>,
    description: Option<String>,
    invoice_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    items: Vec<String>,
    discount_type: Option<i64>,
    discount_amount: Decimal,
}

fn invoice_request(
    org: &Org,
    project: i64,
    invoice: Option<i64>,
    req: &Obj,
) -> Result<InvoiceRequest, ApiError> {
    let items = match req.get("BillingItems") {
        Some(Value::Array(list)) if !list.is_empty() => list
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ApiError::bad("BillingItems must be billing item ids"))
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => return Err(ApiError::bad("BillingItems is required")),
    };
    for id in &items {
        let b = org
            .billing_item(id)
            .filter(|b| b.project == project)
            .ok_or_else(|| ApiError::bad(format!("Billing item {id} is not in this project")))?;
        if b.invoice.is_some() && b.invoice != invoice {
            return Err(ApiError::bad(format!(
                "Billing item {id} is already on invoice {}",
                b.invoice.unwrap_or_default()
            )));
        }
    }
    let number = http::integer(req, "InvoiceNumber")?;
    if let Some(n) = number {
        if org
            .invoices
            .values()
            .any(|i| i.number == n && Some(i.id) != invoice)
        {
            return Err(ApiError::bad(format!("Invoice number {n} is already used")));
        }
    }
    let discount_type = http::integer(req, "DiscountType")?;
    if discount_type.is_some_and(|t| t != 1 && t != 2) {
        return Err(ApiError::bad(
            "DiscountType must be 1 (percentage) or 2 (amount)",
        ));
    }
    Ok(InvoiceRequest {
        number,
        description: http::string(req, "Description")?,
        invoice_date: http::date(req, "InvoiceDate")?,
        due_date: http::date(req, "DueDate")?,
        items,
        discount_type,
        discount_amount: http::decimal(req, "DiscountAmount")?.unwrap_or_default(),
    })
}

/// Puts `items` (of the invoice's project, as `invoice_request` checked) on `invoice`, and
/// takes off it those no longer listed.
fn attach(org: &mut Org, project: i64, invoice: i64, items: &[String]) {
    let at: Vec<usize> = org.index.billing_items.of(project).copied().collect();
    for i in at {
        let Some(b) = org.billing_items.get_mut(i) else {
            continue;
        };
        if b.invoice == Some(invoice) && !items.contains(&b.id) {
            b.invoice = None;
        }
        if items.contains(&b.id) {
            b.invoice = Some(invoice);
        }
    }
}

async fn create_invoice(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let mut org = s.state();
    let project = project(&org, &raw)?;
    let r = invoice_request(&org, project, None, &req)?;
    let id = org.next();
    let number = r
        .number
        .unwrap_or_else(|| org.invoices.values().map(|i| i.number).max().unwrap_or(0) + 1);
    org.invoices.insert(
        id,
        Invoice {
            id,
            number,
            project,
            description: r.description,
            invoice_date: r.invoice_date.unwrap_or_else(|| Utc::now().date_naive()),
            due_date: r.due_date,
            discount_type: r.discount_type,
            discount_amount: r.discount_amount,
            created: Utc::now(),
        },
    );
    org.index.invoices.add(project, id);
    attach(&mut org, project, id, &r.items);
    Ok(Json(json!({ "InvoiceID": id })))
}

async fn update_invoice(
    State(s): State<Arc<Shared>>,
    Path((raw, inv)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let invoice = path_int(&inv, "invoiceId")?;
    let mut org = s.state();
    let project = project(&org, &raw)?;
    if org
        .invoices
        .get(&invoice)
        .is_none_or(|i| i.project != project)
    {
        return Err(ApiError::not_found(format!(
            "Invoice {invoice} was not found"
        )));
    }
    let r = invoice_request(&org, project, Some(invoice), &req)?;
    if let Some(i) = org.invoices.get_mut(&invoice) {
        if let Some(n) = r.number {
            i.number = n;
        }
        i.description = r.description;
        if let Some(d) = r.invoice_date {
            i.invoice_date = d;
        }
        i.due_date = r.due_date;
        i.discount_type = r.discount_type;
        i.discount_amount = r.discount_amount;
    }
    attach(&mut org, project, invoice, &r.items);
    Ok(Json(json!({ "InvoiceID": invoice })))
}

fn invoice_view(s: &Shared, org: &Org, inv: &Invoice) -> Value {
    let total = org.invoice_total(inv.id);
    let billable = org.invoice_billable(inv);
    let outstanding = org.invoice_outstanding(inv);
    let paid = org.invoice_paid(inv.id);
    let status = if outstanding <= Decimal::ZERO && paid > Decimal::ZERO {
        "Paid"
    } else if paid > Decimal::ZERO {
        "PartiallyPaid"
    } else {
        "Editing"
    };
    let items: Vec<Value> = org
        .billing_items_of(inv.project)
        .filter(|b| b.invoice == Some(inv.id))
        .map(|b| item_view(s.config.credentials.org_id, b))
        .collect();
    let transactions: Vec<Value> = org
        .index
        .transactions
        .of(inv.project)
        .filter_map(|id| org.transactions.get(id))
        .filter(|t| !t.voided)
        .flat_map(|t| t.applications.iter().map(move |a| (t, a)))
        .filter(|(_, a)| a.invoice == inv.id)
        .map(|(t, a)| {
            json!({
                "ID": a.id,
                "TransactionID": t.id,
                "ProjectID": t.project,
                "InvoiceID": a.invoice,
                "TransactionTypeDisplayName": "Payment",
                "TransactionType": 1,
                "Date": stamp(t.created),
                "PaymentDate": t.date.to_string(),
                "DateApplied": stamp(t.created),
                "Method": t.method,
                "Description": t.description,
                "Amount": number(a.amount),
                "UnappliedBalance": number(Decimal::ZERO),
                "PaymentUnappliedAmount": number(t.total - t.applications.iter().map(|a| a.amount).sum::<Decimal>()),
                "Total": number(t.total),
                "PaymentTotalAmount": number(t.total),
                "IsVoid": false,
            })
        })
        .collect();
    json!({
        "InvoiceID": inv.id,
        "InvoiceNumber": inv.number,
        "ProjectID": inv.project,
        "OrgID": s.config.credentials.org_id,
        "Description": inv.description,
        "TermsID": 0,
        "InvoiceDate": inv.invoice_date.to_string(),
        "DueDate": inv.due_date.map(|d| d.to_string()),
        "OutstandingBalance": number(outstanding),
        "CreatedDate": stamp(inv.created),
        "CreatedByUserID": s.config.credentials.user_id,
        "Total": number(total),
        "BillableTotal": number(billable),
        "DiscountAmount": number(inv.discount_amount),
        "DiscountType": inv.discount_type,
        "InvoiceStatus": status,
        "HasHiddenProjects": false,
        "BillingItems": items,
        "Transactions": transactions,
        "Links": {},
    })
}

async fn read_invoice(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let id = path_int(&raw, "invoiceId")?;
    let org = s.state();
    let inv = org
        .invoices
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Invoice {id} was not found")))?;
    Ok(Json(invoice_view(&s, &org, inv)))
}

async fn list_invoices(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    Q(q): Q<Query>,
) -> Answer {
    let page = Page::of(&q)?;
    let org = s.state();
    let project = project(&org, &raw)?;
    let all: Vec<Value> = org
        .index
        .invoices
        .of(project)
        .filter_map(|id| org.invoices.get(id))
        .map(|i| invoice_view(&s, &org, i))
        .collect();
    Ok(Json(page.list(
        &format!("/fv-app/v2/billingitem/projects/{project}/invoices"),
        all,
    )))
}

// ---- payments ----

async fn create_payment(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let date = http::date(&req, "Date")?.ok_or_else(|| ApiError::bad("Date is required"))?;
    let total = http::required_decimal(&req, "Total")?;
    if total <= Decimal::ZERO {
        return Err(ApiError::bad("Total must be greater than zero"));
    }
    let use_funds = http::required_bool(&req, "UseProjectFunds")?;
    let mut org = s.state();
    let project = project(&org, &raw)?;
    let mut applications = Vec::new();
    let mut applied = Decimal::ZERO;
    if let Some(list) = req.get("Invoices").filter(|v| !v.is_null()) {
        let Some(list) = list.as_array() else {
            return Err(ApiError::bad("Invoices must be an array"));
        };
        for entry in list {
            let Some(e) = entry.as_object() else {
                return Err(ApiError::bad("Each invoice needs InvoiceID and Amount"));
            };
            let invoice = http::integer(e, "InvoiceID")?
                .ok_or_else(|| ApiError::bad("InvoiceID is required"))?;
            let amount = http::required_decimal(e, "Amount")?;
            if amount <= Decimal::ZERO {
                return Err(ApiError::bad(
                    "Each applied Amount must be greater than zero",
                ));
            }
            let inv = org
                .invoices
                .get(&invoice)
                .filter(|i| i.project == project)
                .ok_or_else(|| {
                    ApiError::bad(format!(
                        "Invoice {invoice} is not an invoice of this project"
                    ))
                })?;
            let outstanding = org.invoice_outstanding(inv);
            if amount > outstanding {
                return Err(ApiError::bad(format!(
                    "Amount {amount} exceeds the outstanding balance {outstanding} of invoice {invoice}"
                )));
            }
            applied += amount;
            applications.push((invoice, amount));
        }
    }
    if applied > total {
        return Err(ApiError::bad(
            "The amounts applied exceed the payment's Total",
        ));
    }
    if use_funds && org.fund_balance(project) < total {
        return Err(ApiError::bad(
            "The project's funds do not cover the payment",
        ));
    }
    let id = org.next();
    let applications = applications
        .into_iter()
        .map(|(invoice, amount)| Application {
            id: 0,
            invoice,
            amount,
        })
        .collect::<Vec<_>>();
    let applications = applications
        .into_iter()
        .map(|mut a| {
            a.id = org.next();
            a
        })
        .collect();
    if use_funds {
        let fund = Fund {
            id: org.guid(),
            project,
            date,
            amount: total,
            fund_type: "Debit",
            reference: None,
            source: Some(format!("Payment {id}")),
            voided: false,
            created: Utc::now(),
        };
        org.add_fund(fund);
    }
    org.index.transactions.add(project, id);
    org.transactions.insert(
        id,
        Transaction {
            id,
            project,
            date,
            total,
            method: http::string(&req, "Method")?,
            description: http::string(&req, "Description")?,
            use_project_funds: use_funds,
            applications,
            voided: false,
            created: Utc::now(),
        },
    );
    Ok(Json(json!({ "TransactionID": id })))
}

async fn update_payment(
    State(s): State<Arc<Shared>>,
    Path((raw, tx)): Path<(String, String)>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Answer {
    let req = body(&headers, &bytes)?;
    let method = http::required_string(&req, "Method")?;
    let tx = path_int(&tx, "transactionId")?;
    let mut org = s.state();
    let project = project(&org, &raw)?;
    let t = org
        .transactions
        .get_mut(&tx)
        .filter(|t| t.project == project && !t.voided)
        .ok_or_else(|| ApiError::not_found(format!("Payment {tx} was not found")))?;
    t.method = Some(method);
    t.description = http::string(&req, "Description")?;
    Ok(Json(json!({ "TransactionID": tx })))
}

async fn void_transaction(
    State(s): State<Arc<Shared>>,
    Path((raw, tx)): Path<(String, String)>,
) -> Answer {
    let tx = path_int(&tx, "transactionId")?;
    let mut org = s.state();
    let project = project(&org, &raw)?;
    let t = org
        .transactions
        .get_mut(&tx)
        .filter(|t| t.project == project)
        .ok_or_else(|| ApiError::not_found(format!("Transaction {tx} was not found")))?;
    t.voided = true;
    Ok(Json(json!({ "TransactionID": tx })))
}

fn transaction_view(org: &Org, t: &Transaction) -> Value {
    let applied: Decimal = t.applications.iter().map(|a| a.amount).sum();
    let applications: Vec<Value> = t
        .applications
        .iter()
        .map(|a| {
            json!({
                "ID": a.id,
                "PaymentID": t.id,
                "InvoiceID": a.invoice,
                "Amount": number(a.amount),
                "PaymentDate": t.date.to_string(),
                "DateApplied": stamp(t.created),
                "PaymentTotalAmount": number(t.total),
                "PaymentUnappliedAmount": number(t.total - applied),
            })
        })
        .collect();
    let name = org
        .projects
        .get(&t.project)
        .and_then(|p| p.get("ProjectName"))
        .cloned();
    json!({
        "ID": t.id,
        "ProjectID": t.project,
        "Date": t.date.to_string(),
        "Total": number(t.total),
        "Source": t.method,
        "ReferenceNumber": Value::Null,
        "AppliedBalance": number(applied),
        "UnappliedBalance": number(t.total - applied),
        "IsVoid": t.voided,
        "IsWriteOff": false,
        "PaymentApplications": applications,
        "Project": { "ProjectID": t.project, "ProjectName": name },
        "CreatedDate": stamp(t.created),
        "UseProjectFunds": t.use_project_funds,
        "TransactionType": 1,
        "TransactionTypeDisplayName": "Payment",
    })
}

async fn list_transactions(
    State(s): State<Arc<Shared>>,
    Path(raw): Path<String>,
    Q(q): Q<Query>,
) -> Answer {
    let page = Page::of(&q)?;
    let (from, to) = range(&q)?;
    let org = s.state();
    let project = project(&org, &raw)?;
    if q.get("transactionType")
        .is_some_and(|t| !t.eq_ignore_ascii_case("Payment"))
    {
        return Ok(Json(page.list("", Vec::new())));
    }
    let all: Vec<Value> = org
        .index
        .transactions
        .of(project)
        .filter_map(|id| org.transactions.get(id))
        .filter(|t| t.date >= from && t.date <= to)
        .map(|t| transaction_view(&org, t))
        .collect();
    Ok(Json(page.list(
        &format!("/fv-app/v2/Billing/projects/{project}/transactions"),
        all,
    )))
}

async fn read_transaction(State(s): State<Arc<Shared>>, Path(raw): Path<String>) -> Answer {
    let id = path_int(&raw, "transactionId")?;
    let org = s.state();
    let t = org
        .transactions
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("Transaction {id} was not found")))?;
    let applied: Vec<Value> = t
        .applications
        .iter()
        .map(|a| json!({ "InvoiceID": a.invoice, "Amount": number(a.amount) }))
        .collect();
    Ok(Json(json!({
        "ID": t.id,
        "ProjectID": t.project,
        "Date": t.date.to_string(),
        "Total": number(t.total),
        "Source": t.method,
        "PaymentAppliedInvoices": applied,
        "TransactionType": 1,
        "UseProjectFunds": t.use_project_funds,
        "IsVoid": t.voided,
    })))
}
