//! projects → `Projects`: a matter of a project type (chosen through the mapping) for its
//! client contact. What Filevine has no property for (status, dates, attorneys, billing
//! method...) is kept in the description.

use async_trait::async_trait;
use migrationai_domain::Kind;
use serde_json::Value as Json;

use super::diff::changed;
use super::text::{date, midnight, with_extras};
use super::{KindWrite, Plan, PushRecord, Pusher};
use crate::error::FvError;
use crate::idmap::FvId;
use crate::ops::{Call, Op};
use crate::transport::call_as;
use crate::wire::project::{Project, UpdateableProject, PATCHABLE};
use crate::wire::{Identifier, Object};

const SCOPE: &str = "Project";

pub struct Projects;

pub struct ProjectPlan {
    body: UpdateableProject,
    project_type: i64,
}

impl Plan for ProjectPlan {
    fn payload(&self) -> Json {
        serde_json::to_value(&self.body).unwrap_or_default()
    }
}

#[async_trait]
impl KindWrite for Projects {
    type P = ProjectPlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<ProjectPlan, FvError> {
        let client = rec
            .parents
            .require(&rec.parents.contact, "client_id", "client contact")?;
        let project_type = px.layout.project_type(rec.text("project_type")).await?;
        let description = with_extras(
            None,
            rec,
            &[
                ("status", "Status"),
                ("closed_on", "Closed"),
                ("responsible_attorney", "Responsible attorney"),
                ("originating_attorney", "Originating attorney"),
                ("billing_method", "Billing method"),
                ("location", "Location"),
                ("client_reference", "Client reference"),
                ("project_type", "Type in the source"),
            ],
        );
        Ok(ProjectPlan {
            body: UpdateableProject {
                project_id: Some(Identifier::partner(
                    &px.keys.record(Kind::Projects, &rec.source_id),
                )),
                project_type_id: Identifier::native(project_type),
                client_id: Identifier::native(client),
                project_name: rec.text("name").map(str::to_string),
                description,
                number: rec.text("number").map(str::to_string),
                created_date: date(rec, "opened_on").map(midnight),
            },
            project_type,
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &ProjectPlan,
    ) -> Result<FvId, FvError> {
        let made: Project =
            call_as(px.t(), Call::new(Op::ProjectCreate).body(plan.payload())).await?;
        let id = made.project_id.and_then(|p| p.native).ok_or_else(|| {
            FvError::permanent(
                Op::ProjectCreate.to_string(),
                "the answer has no ProjectId.Native",
            )
        })?;
        px.layout.learn_project(id, plan.project_type).await;
        Ok(FvId::int(id))
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &ProjectPlan,
    ) -> Result<Option<FvId>, FvError> {
        px.by_partner(SCOPE, plan.body.project_id.as_ref()).await
    }

    /// Only name, description and number can change (`PatchProjectRequest`); a project's
    /// type and client stay as created.
    async fn update(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &ProjectPlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let remote: Object = call_as(px.t(), Call::new(Op::ProjectGet).arg(id)).await?;
        let desired: Object = match plan.payload() {
            Json::Object(o) => o
                .into_iter()
                .filter(|(k, _)| PATCHABLE.contains(&k.as_str()))
                .collect(),
            _ => Object::new(),
        };
        let diff = changed(&desired, &remote, &[]);
        if !diff.is_empty() {
            px.t()
                .call(
                    Call::new(Op::ProjectUpdate)
                        .arg(id)
                        .body(Json::Object(diff.clone())),
                )
                .await?;
        }
        Ok((id.clone(), diff.keys().cloned().collect()))
    }
}
