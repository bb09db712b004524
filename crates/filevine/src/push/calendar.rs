//! calendar → the project's `Appointments`. Times go as UTC instants; an all-day event keeps
//! its flag and runs from its first day's midnight to the midnight after its last day.
//! Filevine has no time-zone property, so the event's zone is written into its notes
//! ("Time zone: America/Chicago"), where a read-back finds it again.

use async_trait::async_trait;
use chrono::{Duration, SecondsFormat};
use migrationai_domain::value::date::When;
use migrationai_domain::{Kind, Value};
use serde_json::Value as Json;

use super::diff::changed;
use super::text::{midnight, with_extras};
use super::{KindWrite, Plan, PushRecord, Pusher};
use crate::error::FvError;
use crate::idmap::FvId;
use crate::ops::{Call, Op};
use crate::transport::call_as;
use crate::wire::calendar::{Attendee, CalendarEvent};
use crate::wire::{Identifier, Object};

const SCOPE: &str = "Appointment";

pub struct Appointments;

pub struct AppointmentPlan {
    project: i64,
    body: CalendarEvent,
}

impl Plan for AppointmentPlan {
    fn payload(&self) -> Json {
        serde_json::to_value(&self.body).unwrap_or_default()
    }
}

/// Start and end in UTC, whether the event is all-day, and its zone.
fn times(rec: &PushRecord) -> Result<(String, String, bool, Option<String>), FvError> {
    let utc = |t: &chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let start = match rec.get("starts_at") {
        Some(Value::When(w)) => w.clone(),
        _ => {
            return Err(FvError::refused(
                Some("starts_at"),
                "required",
                "an appointment needs its start",
            ))
        }
    };
    let end = match rec.get("ends_at") {
        Some(Value::When(w)) => Some(w.clone()),
        _ => None,
    };
    let zone = rec.text("time_zone").map(str::to_string);
    Ok(match start {
        When::AllDay { date } => {
            let last = match end {
                Some(When::AllDay { date: d }) => d,
                Some(When::At(t)) => t.local.date(),
                None => date,
            };
            (
                midnight(date),
                midnight(last + Duration::days(1)),
                true,
                zone,
            )
        }
        When::At(s) => {
            let e = match end {
                Some(When::At(e)) => utc(&e.utc),
                Some(When::AllDay { date }) => midnight(date + Duration::days(1)),
                None => utc(&s.utc),
            };
            (utc(&s.utc), e, false, zone.or(Some(s.zone.clone())))
        }
    })
}

#[async_trait]
impl KindWrite for Appointments {
    type P = AppointmentPlan;

    async fn plan(&self, px: &Pusher, rec: &PushRecord) -> Result<AppointmentPlan, FvError> {
        let project = rec.parents.require_project()?;
        let title = rec.text("title").ok_or_else(|| {
            FvError::refused(Some("title"), "required", "an appointment needs a title")
        })?;
        let (start, end, all_day, zone) = times(rec)?;
        // An all-day event has a zone only when the source wrote one.
        let mut notes = with_extras(
            rec.text("description"),
            rec,
            &[
                ("event_type", "Type"),
                ("attendees", "Attendees in the source"),
                ("recurrence", "Recurrence"),
            ],
        );
        if let Some(z) = zone {
            let line = format!("Time zone: {z}");
            notes = Some(match notes {
                Some(n) => format!("{n}\n{line}"),
                None => line,
            });
        }
        Ok(AppointmentPlan {
            project,
            body: CalendarEvent {
                appointment_id: Some(Identifier::partner(
                    &px.keys.record(Kind::Calendar, &rec.source_id),
                )),
                project_id: Some(Identifier::native(project)),
                title: Some(title.to_string()),
                start_utc: Some(start),
                end_utc: Some(end),
                all_day: Some(all_day),
                location: rec.text("location").map(str::to_string),
                notes,
                calendar_event_type: Some("Appointment".into()),
                attendees: Some(vec![Attendee {
                    user_id: Some(Identifier::native(px.config.user_id)),
                    person_id: None,
                    optional: Some(false),
                }]),
            },
        })
    }

    async fn create(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &AppointmentPlan,
    ) -> Result<FvId, FvError> {
        let call = Call::new(Op::AppointmentCreate)
            .arg(plan.project)
            .body(plan.payload());
        let made: CalendarEvent = call_as(px.t(), call).await?;
        made.appointment_id
            .and_then(|a| a.native)
            .map(FvId::int)
            .ok_or_else(|| {
                FvError::permanent(
                    Op::AppointmentCreate.to_string(),
                    "the answer has no AppointmentId.Native",
                )
            })
    }

    async fn find(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &AppointmentPlan,
    ) -> Result<Option<FvId>, FvError> {
        px.by_partner(SCOPE, plan.body.appointment_id.as_ref())
            .await
    }

    async fn update(
        &self,
        px: &Pusher,
        _rec: &PushRecord,
        plan: &AppointmentPlan,
        id: &FvId,
    ) -> Result<(FvId, Vec<String>), FvError> {
        let remote: Object = call_as(px.t(), Call::new(Op::AppointmentGet).arg(id)).await?;
        let desired = match plan.payload() {
            Json::Object(o) => o,
            _ => Object::new(),
        };
        let diff = changed(
            &desired,
            &remote,
            &[
                "AppointmentId",
                "ProjectId",
                "Attendees",
                "CalendarEventType",
            ],
        );
        if !diff.is_empty() {
            px.t()
                .call(
                    Call::new(Op::AppointmentUpdate)
                        .arg(id)
                        .body(Json::Object(diff.clone())),
                )
                .await?;
        }
        Ok((id.clone(), diff.keys().cloned().collect()))
    }
}
