//! The Filevine ids of the records a record refers to, read from the id map through the
//! catalogue's reference fields.

use migrationai_domain::catalogue::FieldType;
use migrationai_domain::{kind_def, Kind, Value};
use std::collections::BTreeMap;

use crate::error::FvError;
use crate::idmap::{FvId, IdEntry, IdKey, IdMap, JobRef};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parents {
    pub project: Option<FvId>,
    pub contact: Option<FvId>,
    pub invoice: Option<FvId>,
    pub billing_items: Vec<FvId>,
    /// References whose records are not (yet) in Filevine: (field, source id).
    pub missing: Vec<(String, String)>,
}

impl Parents {
    /// The record's project as a native id, or the refusal saying why there is none.
    pub fn require_project(&self) -> Result<i64, FvError> {
        self.require(&self.project, "project_id", "project")
    }

    /// A native id of a resolved parent, or the refusal naming the field.
    pub fn require(&self, id: &Option<FvId>, field: &str, what: &str) -> Result<i64, FvError> {
        match id.as_ref().and_then(FvId::as_i64) {
            Some(n) => Ok(n),
            None => Err(super::text::parent_missing(
                field,
                what,
                self.missing_of(field),
            )),
        }
    }

    /// The source id a field names that did not resolve, if any.
    pub fn missing_of(&self, field: &str) -> Option<&str> {
        self.missing
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, s)| s.as_str())
    }
}

pub async fn resolve(
    ids: &dyn IdMap,
    job: &JobRef,
    kind: Kind,
    fields: &BTreeMap<String, Value>,
) -> Result<Parents, FvError> {
    let mut out = Parents::default();
    let def = kind_def(kind);
    for fd in def.fields {
        let (target, sources): (Kind, Vec<&str>) = match (fd.ty, fields.get(fd.name)) {
            (FieldType::Ref(k), Some(Value::Ref(s))) => (k, vec![s.as_str()]),
            (FieldType::RefList(k), Some(Value::RefList(list))) => {
                (k, list.iter().map(String::as_str).collect())
            }
            _ => continue,
        };
        for source in sources {
            let key = IdKey {
                job: job.clone(),
                kind: target,
                source_id: source.to_string(),
            };
            let found = match ids.get(&key).await {
                Ok(Some(IdEntry::Delivered { fv_id, .. })) => Some(fv_id),
                Ok(_) => None,
                Err(e) => return Err(FvError::transient("id map", e.0)),
            };
            let Some(id) = found else {
                out.missing.push((fd.name.to_string(), source.to_string()));
                continue;
            };
            match target {
                Kind::Projects => out.project = out.project.take().or(Some(id)),
                Kind::Contacts => out.contact = out.contact.take().or(Some(id)),
                Kind::BillingInvoice => out.invoice = out.invoice.take().or(Some(id)),
                Kind::BillingItems => out.billing_items.push(id),
                _ => {}
            }
        }
    }
    Ok(out)
}
