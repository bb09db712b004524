//! The queue handlers: one generic entity handler driven by the field catalogue (with
//! kind-specific parts for files), which also pushes a page of its kind into the target
//! (`delivery::queued`), and the jobs handler.

pub mod direct;
pub mod entity;
pub mod files;
pub mod job_queue;

use std::sync::Arc;

use async_trait::async_trait;
use migrationai_domain::Kind;
use migrationai_ports::queue::ReceivedMessage;

use crate::batch::{Handler, HandlerError};
use crate::message::KindMessage;
use crate::services::Services;

/// The handler of one entity queue.
pub struct EntityHandler {
    pub kind: Kind,
    pub services: Services,
}

impl EntityHandler {
    pub fn new(kind: Kind, services: Services) -> Arc<Self> {
        Arc::new(EntityHandler { kind, services })
    }
}

#[async_trait]
impl Handler for EntityHandler {
    async fn handle(&self, message: &ReceivedMessage) -> Result<(), HandlerError> {
        let m = KindMessage::parse(&message.body)
            .map_err(|e| HandlerError::permanent(format!("unreadable message body: {e}")))?;
        if m.kind() != self.kind {
            return Err(HandlerError::permanent(format!(
                "a {} message was sent to the {} queue",
                m.kind(),
                self.kind
            )));
        }
        match m {
            KindMessage::Work(work) => entity::process(&self.services, self.kind, &work).await,
            KindMessage::Push(page) => {
                Ok(crate::delivery::queued::push_page(&self.services, &page).await?)
            }
        }
    }
}
