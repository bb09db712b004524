//! The gateway operations MigrationAI uses, each with its method and its path exactly as
//! Filevine's specification writes it (paths are case-sensitive and inconsistently cased:
//! `/Projects/...` and `/projects/...` are different routes), and one request built from them.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

macro_rules! ops {
    ($($name:ident => $method:ident $path:literal $(, $idem:ident)?;)*) => {
        /// One gateway operation of the specification.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Op { $($name,)* }

        impl Op {
            pub const ALL: &'static [Op] = &[$(Op::$name,)*];

            pub fn method(self) -> Method {
                match self { $(Op::$name => Method::$method,)* }
            }

            /// The path template as the specification writes it.
            pub fn template(self) -> &'static str {
                match self { $(Op::$name => $path,)* }
            }

            /// Whether repeating the request cannot do more than doing it once. Reads, PUTs
            /// and PATCHes that set values are; creates are not (a retried create after a
            /// dropped answer is decided by looking the record up again, not by resending).
            pub fn idempotent(self) -> bool {
                match self {
                    $(Op::$name => ops!(@idem $method $($idem)?),)*
                }
            }
        }
    };
    (@idem Post) => { false };
    (@idem Post repeatable) => { true };
    (@idem $m:ident) => { true };
}

ops! {
    PartnerGet => Get "/fv-app/v2/PartnerIdentifiers/{scope}/{id}";
    PartnerSet => Put "/fv-app/v2/PartnerIdentifiers/{scope}/{id}";
    PartnerItemGet => Get "/fv-app/v2/PartnerItemIdentifiers/{scope}/{id}";
    PartnerItemSet => Put "/fv-app/v2/PartnerItemIdentifiers/{scope}/{id}";

    ContactList => Get "/fv-app/v2/Contacts";
    ContactCreate => Post "/fv-app/v2/Contacts";
    ContactGet => Get "/fv-app/v2/Contacts/{contactId}";
    ContactUpdate => Patch "/fv-app/v2/Contacts/{contactId}";

    ProjectList => Get "/fv-app/v2/Projects";
    ProjectCreate => Post "/fv-app/v2/Projects";
    ProjectGet => Get "/fv-app/v2/Projects/{projectId}";
    ProjectUpdate => Patch "/fv-app/v2/Projects/{projectId}";
    ProjectTypeList => Get "/fv-app/v2/ProjectTypes";
    ProjectTypeSections => Get "/fv-app/v2/ProjectTypes/{projectTypeId}/sections";

    FormGet => Get "/fv-app/v2/Projects/{projectId}/Forms/{selector}";
    FormUpdate => Patch "/fv-app/v2/Projects/{projectId}/Forms/{selector}";
    CollectionList => Get "/fv-app/v2/Projects/{projectId}/Collections/{selector}";
    CollectionCreate => Post "/fv-app/v2/Projects/{projectId}/Collections/{selector}";
    CollectionGet => Get "/fv-app/v2/Projects/{projectId}/Collections/{selector}/{uniqueId}";
    CollectionUpdate => Patch "/fv-app/v2/Projects/{projectId}/Collections/{selector}/{uniqueId}";

    NoteCreate => Post "/fv-app/v2/Notes";
    NoteGet => Get "/fv-app/v2/Notes/{noteId}";
    NoteUpdate => Patch "/fv-app/v2/Notes/{noteId}";
    ProjectNoteList => Get "/fv-app/v2/Projects/{projectId}/Notes";

    AppointmentCreate => Post "/fv-app/v2/Projects/{projectId}/Appointments";
    AppointmentList => Get "/fv-app/v2/Projects/{projectId}/Appointments";
    AppointmentGet => Get "/fv-app/v2/Appointments/{appointmentId}";
    AppointmentUpdate => Patch "/fv-app/v2/Appointments/{appointmentId}";

    TaskCreate => Post "/fv-app/v2/tasks";
    TaskGet => Get "/fv-app/v2/tasks/{taskId}";
    TaskUpdate => Patch "/fv-app/v2/tasks/{taskId}";
    TaskComplete => Post "/fv-app/v2/tasks/{taskID}/complete", repeatable;
    ProjectTaskList => Get "/fv-app/v2/projects/{projectId}/tasks";

    BillingItemCreate => Post "/fv-app/v2/projects/{projectId}/BillingItem";
    BillingItemUpdate => Put "/fv-app/v2/projects/{projectId}/BillingItem/{billingItemId}";
    BillingItemList => Get "/fv-app/v2/billingitem/projects/{projectId}";

    FundCreate => Post "/fv-app/v2/Billing/projects/{projectID}/funds";
    FundBalance => Get "/fv-app/v2/Billing/projects/{projectID}/funds";
    FundList => Get "/fv-app/v2/Billing/projects/{projectID}/fundslist";
    FundGet => Get "/fv-app/v2/Billing/projects/{projectID}/funds/{projectFundID}";
    FundVoid => Put "/fv-app/v2/Billing/projects/{projectID}/funds/{projectFundID}/void";

    InvoiceCreate => Post "/fv-app/v2/projects/{projectId}/invoices";
    InvoiceUpdate => Put "/fv-app/v2/projects/{projectId}/invoices/{invoiceId}";
    InvoiceGet => Get "/fv-app/v2/billingitem/invoices/{invoiceId}";
    InvoiceList => Get "/fv-app/v2/billingitem/projects/{projectId}/invoices";

    PaymentCreateApply => Post "/fv-app/v2/billing/projects/{projectID}/payment/apply";
    PaymentUpdate => Put "/fv-app/v2/billing/projects/{projectID}/payment/{transactionID}";
    TransactionVoid => Delete "/fv-app/v2/billing/projects/{projectID}/transactions/{transactionID}";
    TransactionList => Get "/fv-app/v2/Billing/projects/{projectID}/transactions";
    TransactionGet => Get "/fv-app/v2/Billing/transactions/{transactionId}";

    EmailCreate => Post "/fv-app/v2/projects/{projectId}/emails";
    EmailList => Get "/fv-app/v2/projects/{projectId}/emails";

    DocumentUploadUrl => Post "/fv-app/v2/Documents";
    DocumentAdd => Post "/fv-app/v2/Projects/{projectId}/Documents/{documentId}", repeatable;
    DocumentGet => Get "/fv-app/v2/Documents/{documentId}";
    DocumentLocator => Get "/fv-app/v2/Documents/{documentId}/locator";
    DocumentSeries => Get "/fv-app/v2/DocumentSeries";
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method().as_str(), self.template())
    }
}

/// Everything but unreserved characters and `@` (which marks a partner id, and is allowed
/// in a segment) is escaped, so an id or selector can never add a segment or a query.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'@');

/// One gateway request: an operation, its path arguments in template order, a query and a
/// JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub op: Op,
    pub args: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Call {
    pub fn new(op: Op) -> Call {
        Call {
            op,
            args: Vec::new(),
            query: Vec::new(),
            body: None,
        }
    }

    /// The next path argument, in the order the template names them.
    pub fn arg(mut self, value: impl ToString) -> Call {
        self.args.push(value.to_string());
        self
    }

    pub fn query(mut self, name: &str, value: impl ToString) -> Call {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: Value) -> Call {
        self.body = Some(body);
        self
    }

    /// The path with its arguments filled in, each escaped as one segment.
    pub fn path(&self) -> Result<String, String> {
        let template = self.op.template();
        let mut out = String::with_capacity(template.len() + 32);
        let mut args = self.args.iter();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .map(|c| open + c)
                .ok_or_else(|| format!("unterminated parameter in {template}"))?;
            let arg = args
                .next()
                .ok_or_else(|| format!("{} needs {}", self.op, &rest[open..=close]))?;
            out.extend(utf8_percent_encode(arg, SEGMENT));
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        if args.next().is_some() {
            return Err(format!("{} was given too many path arguments", self.op));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_the_specs_casing_and_escape_arguments() {
        let c = Call::new(Op::PartnerGet)
            .arg("Contact")
            .arg("@mai.c/../x y");
        assert_eq!(
            c.path().as_deref(),
            Ok("/fv-app/v2/PartnerIdentifiers/Contact/@mai.c%2F..%2Fx%20y")
        );
        let c = Call::new(Op::TaskComplete).arg(7);
        assert_eq!(c.path().as_deref(), Ok("/fv-app/v2/tasks/7/complete"));
        assert!(Call::new(Op::ContactGet).path().is_err());
        assert!(Call::new(Op::ContactList).arg(1).path().is_err());
        assert_eq!(
            Op::FundCreate.template(),
            "/fv-app/v2/Billing/projects/{projectID}/funds"
        );
        assert_eq!(
            Op::PaymentCreateApply.template(),
            "/fv-app/v2/billing/projects/{projectID}/payment/apply"
        );
    }

    #[test]
    fn creates_are_not_blindly_repeatable() {
        assert!(!Op::ContactCreate.idempotent());
        assert!(Op::ContactUpdate.idempotent());
        assert!(Op::TaskComplete.idempotent());
        assert!(Op::DocumentAdd.idempotent());
        assert!(Op::PartnerGet.idempotent());
    }
}
