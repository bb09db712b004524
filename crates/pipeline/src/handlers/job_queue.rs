//! The handler of the jobs queue: reads a job message and takes the job the step it asks
//! for through the life cycle (`crate::jobs`).

use std::sync::Arc;

use async_trait::async_trait;
use migrationai_ports::queue::ReceivedMessage;

use crate::batch::{Handler, HandlerError};
use crate::jobs::phases::{advance, begin, resume};
use crate::message::{JobAction, JobMessage};
use crate::services::Services;

pub struct JobsHandler {
    pub services: Services,
}

impl JobsHandler {
    pub fn new(services: Services) -> Arc<Self> {
        Arc::new(JobsHandler { services })
    }
}

#[async_trait]
impl Handler for JobsHandler {
    async fn handle(&self, message: &ReceivedMessage) -> Result<(), HandlerError> {
        let m: JobMessage = serde_json::from_str(&message.body)
            .map_err(|e| HandlerError::permanent(format!("unreadable message body: {e}")))?;
        let s = &self.services;
        match m.action {
            JobAction::Plan | JobAction::Resume => resume(s, &m.tenant, &m.job).await?,
            JobAction::Planned => begin(s, &m.tenant, &m.job).await?,
            JobAction::Advance { phase } => advance(s, &m.tenant, &m.job, phase).await?,
            JobAction::Push => crate::delivery::queued::resume(s, &m.tenant, &m.job).await?,
            JobAction::AdvancePush { phase } => {
                crate::delivery::queued::advance(s, &m.tenant, &m.job, phase).await?
            }
        }
        Ok(())
    }
}
