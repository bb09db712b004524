//! sections → a project's custom data. A canonical section record is one value of one
//! field. A static section (`Forms/{selector}`) holds one value per field, so writing it
//! twice writes the same thing. A collection section holds rows: the values of one row
//! (same project, section and row index) make one `CollectionItem`, whose partner id is the
//! row's key; the first value creates the item, the others are patched into it. The values
//! of one row may be on pages pushed by different workers at once: the row is claimed in
//! the id map, so one of them makes the item and the others write into it.

use async_trait::async_trait;
use migrationai_domain::Value;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{json, Value as Json};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

use super::text::show;
use super::{KindWrite, Plan, PushRecord, Pusher};
use crate::error::FvError;
use crate::idmap::FvId;
use crate::layout::SectionField;
use crate::ops::{Call, Op};
use crate::transport::{call_as, find};
use crate::wire::section::CollectionItem;
use crate::wire::ItemIdentifier;

const ITEM_SCOPE: &str = "CollectionItem";

/// A row claimed this long ago by a worker that never recorded its item is taken over: the
/// claimer is gone (a worker's invocation ends well within it).
const CLAIM_STALE: Duration = Duration::from_secs(300);
/// How often a worker that did not claim a row looks for the claimer's item before it lets
/// its message be received again, pausing a little longer each time.
const CLAIM_ROUNDS: u32 = 5;
const CLAIM_PAUSE: Duration = Duration::from_millis(20);

pub struct Sections;

pub struct SectionPlan {
    project: i64,
    field: SectionField,
    value: Json,
    /// The collection row's partner key.
    row: Option<String>,
}

impl SectionPlan {
    /// Where the value lives: project/section/field, or project/section/item/field.
    fn location(&self, item: Option<&str>) -> FvId {
        let f = &self.field;
        match item {
            Some(uid) => FvId(format!(
                "{}/{}/{uid}/{}",
                self.project, f.section_selector, f.field_selector
            )),
            None => FvId(format!(
                "{}/{}/{}",
                self.project, f.section_selector, f.field_selector
            )),
        }
    }
}

impl Plan for SectionPlan {
    fn payload(&self) -> Json {
        json!({
            "project": self.project,
            "section": self.field.section_selector,
            "field": self.field.field_selector,
            "row": self.row,
            "value": self.value,
        })
    }
}

/// The JSON a field of this Filevine type takes for a canonical value.
fn value_for(field: &SectionField, v: Option<&Value>) -> Result<Json, FvError> {
    let Some(v) = v else {
        return Ok(Json::Null);
    };
    let text = show(v);
    let bad = |what: &str| {
        FvError::refused(
            Some("value"),
            "invalid_value",
            format!(
                "\"{text}\" is not {what}, which Filevine field \"{}\" holds",
                field.field_selector
            ),
        )
    };
    Ok(match field.field_type.as_str() {
        "Integer" => json!(text
            .trim()
            .parse::<i64>()
            .map_err(|_| bad("a whole number"))?),
        "Decimal" | "Currency" => {
            let d = match v {
                Value::Money(m) => m.amount,
                _ => rust_decimal::Decimal::from_str(
                    text.trim()
                        .trim_start_matches('$')
                        .replace(',', "")
                        .as_str(),
                )
                .map_err(|_| bad("a number"))?,
            };
            json!(d.to_f64().ok_or_else(|| bad("a number"))?)
        }
        "YesNo" => {
            match v {
                Value::Bool(b) => json!(b),
                _ => json!(migrationai_domain::value::text::parse_bool(&text)
                    .map_err(|_| bad("yes or no"))?),
            }
        }
        "Date" => {
            let d = migrationai_domain::value::date::parse_date(&text, None)
                .map_err(|_| bad("a date"))?;
            json!(d.to_string())
        }
        _ => json!(text),
    })
}

impl Sections {
    /// The item id of a collection row, creating the item with this value if it does not
    /// exist. The row's lock keeps the values of one row in this process from racing to
    /// create two items; the id map's claim does it across workers (`make_row`).
    async fn write_row(
        &self,
        px: &Pusher,
        plan: &SectionPlan,
        row: &str,
    ) -> Result<String, FvError> {
        let slot = {
            let mut rows = px.rows.lock().await;
            rows.entry(row.to_string())
                .or_insert_with(|| Arc::new(Mutex::new(None)))
                .clone()
        };
        let mut known = slot.lock().await;
        let data = json!({ plan.field.field_selector.clone(): plan.value });
        let item = match known.clone() {
            Some(uid) => Some(uid),
            None => px.row_item(row).await?,
        };
        let uid = match item {
            Some(uid) => {
                self.patch_row(px, plan, &uid, &data).await?;
                uid
            }
            None => self.make_row(px, plan, row, &data).await?,
        };
        *known = Some(uid.clone());
        Ok(uid)
    }

    /// Makes a collection row's item once across every worker of the push, whose pages may
    /// hold values of the same row: the worker that claims the row in the id map looks it
    /// up (an earlier attempt may have made it) and makes it with its value; any other
    /// writes its value into the item the claimer made, once the id map or Filevine shows
    /// it, waiting a little, and past that lets its message be received again.
    async fn make_row(
        &self,
        px: &Pusher,
        plan: &SectionPlan,
        row: &str,
        data: &Json,
    ) -> Result<String, FvError> {
        for round in 1..=CLAIM_ROUNDS {
            if px.claim_row(row, CLAIM_STALE).await? {
                let uid = match self.look_up(px, row).await? {
                    Some(uid) => {
                        self.patch_row(px, plan, &uid, data).await?;
                        uid
                    }
                    None => self.create_row(px, plan, row, data).await?,
                };
                px.row_made(row, &uid).await?;
                return Ok(uid);
            }
            let made = match px.row_item(row).await? {
                Some(uid) => Some(uid),
                None => self.look_up(px, row).await?,
            };
            if let Some(uid) = made {
                self.patch_row(px, plan, &uid, data).await?;
                return Ok(uid);
            }
            tokio::time::sleep(CLAIM_PAUSE * round).await;
        }
        Err(FvError::transient(
            Op::CollectionCreate.to_string(),
            "another worker is making this collection row's item",
        ))
    }

    /// The item a row's partner id names in Filevine.
    async fn look_up(&self, px: &Pusher, row: &str) -> Result<Option<String>, FvError> {
        let call = Call::new(Op::PartnerItemGet)
            .arg(ITEM_SCOPE)
            .arg(format!("@{row}"));
        let found: Option<ItemIdentifier> = find(px.t(), call).await?;
        Ok(found.and_then(|i| i.native))
    }

    async fn patch_row(
        &self,
        px: &Pusher,
        plan: &SectionPlan,
        uid: &str,
        data: &Json,
    ) -> Result<(), FvError> {
        let call = Call::new(Op::CollectionUpdate)
            .arg(plan.project)
            .arg(&plan.field.section_selector)
            .arg(uid)
            .body(json!({ "DataObject": data }));
        px.t().call(call).await?;
        Ok(())
    }

    async fn create_row(
        &self,
        px: &Pusher,
        plan: &SectionPlan,
        row: &str,
        data: &Json,
    ) -> Result<String, FvError> {
        let body = CollectionItem {
            item_id: Some(ItemIdentifier {
                native: None,
                partner: Some(row.to_string()),
            }),
            data_object: data.as_object().cloned().unwrap_or_default(),
        };
        let call = Call::new(Op::CollectionCreate)
            .arg(plan.project)
            .arg(&plan.field.section_selector)
            .body(serde_json::to_value(&body).unwrap_or_default());
        let made: CollectionItem = call_as(px.t(), call).await?;
        made.item_id.and_then(|i| i.native).ok_or_else(|| {
            FvError::permanent(
                Op::CollectionCreate.to_string(),
                "the answer has no ItemId.Native",
            )
        })
    }

    async fn write(&self, px: &Pusher, plan: &SectionPlan) -> Result<FvId, FvError> {
        let f = &plan.field;
        match &plan.row {
            Some(row) => {
                let uid = self.write_row(px, plan, row).await?;
                Ok(plan.location(Some(&uid)))
            }
            None => {
                let call = Call::new(Op::FormUpdate)
                    .arg(plan.project)
                    .arg(&f.section_selector)
                    .body(json!({ f.field_selector.clone(): plan.value }));
                px.t().call(call).await?;
                Ok(plan.location(None))
            }
        }
    }
}

#[async_trait]
impl KindWrite for Sections {
    type P = SectionPlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<SectionPlan, FvError> {
        let project = rec.parents.require_project()?;
        let section = rec.text("section").ok_or_else(|| {
            FvError::refused(
                Some("section"),
                "required",
                "a section value needs its section",
            )
        })?;
        let field_name = rec.text("field").ok_or_else(|| {
            FvError::refused(Some("field"), "required", "a section value needs its field")
        })?;
        let row_index = match rec.get("row_index") {
            Some(Value::Integer(i)) => Some(*i),
            _ => None,
        };
        let project_type = px.layout.type_of_project(project).await?;
        let field = px
            .layout
            .field(project_type, section, field_name, row_index.is_some())
            .await?;
        let value = value_for(&field, rec.get("value"))?;
        let row = field.is_collection.then(|| {
            let project_source = match rec.get("project_id") {
                Some(Value::Ref(s)) => s.as_str(),
                _ => "",
            };
            px.keys
                .collection_row(project_source, section, row_index.unwrap_or(0))
        });
        Ok(SectionPlan {
            project,
            field,
            value,
            row,
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &SectionPlan,
    ) -> Result<FvId, FvError> {
        self.write(px, plan).await
    }

    /// A form field is always there to write; a collection value is there when its row's
    /// item is. Writing either again is harmless, so a found value is simply written.
    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &SectionPlan,
    ) -> Result<Option<FvId>, FvError> {
        let Some(row) = &plan.row else {
            return Ok(Some(plan.location(None)));
        };
        let cached = px.rows.lock().await.get(row).cloned();
        let known = match cached {
            Some(slot) => slot.lock().await.clone(),
            None => None,
        };
        let uid = match known {
            Some(uid) => Some(uid),
            None => match px.row_item(row).await? {
                Some(uid) => Some(uid),
                None => self.look_up(px, row).await?,
            },
        };
        Ok(uid.map(|u| plan.location(Some(&u))))
    }

    async fn update(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &SectionPlan,
        _id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let id = self.write(px, plan).await?;
        Ok((id, vec![plan.field.field_selector.clone()]))
    }
}
