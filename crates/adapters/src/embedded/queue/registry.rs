//! In-memory view of the `queues` table. The embedded queue is the only
//! writer of its database file, so this copy stays authoritative and spares
//! every call a lookup query.

use std::collections::HashMap;
use std::sync::atomic::AtomicI64;
use std::sync::{Arc, RwLock};

use migrationai_ports::queue::{QueueConfig, QueueError};
use tokio::sync::Notify;

/// One queue as the embedded adapter sees it.
#[derive(Debug)]
pub(crate) struct QueueMeta {
    pub id: i64,
    pub config: QueueConfig,
    /// Woken whenever a message may have become receivable in this queue.
    pub notify: Arc<Notify>,
    /// Last time expired messages were pruned, in ms since the epoch.
    pub last_prune_ms: Arc<AtomicI64>,
}

#[derive(Debug, Default)]
pub(crate) struct Registry {
    queues: RwLock<HashMap<String, Arc<QueueMeta>>>,
}

impl Registry {
    pub fn get(&self, name: &str) -> Result<Arc<QueueMeta>, QueueError> {
        let queues = self
            .queues
            .read()
            .map_err(|_| QueueError::backend("queue registry lock poisoned"))?;
        queues
            .get(name)
            .cloned()
            .ok_or_else(|| QueueError::queue_does_not_exist(name))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_ok()
    }

    /// Records a created or reconfigured queue; waiters on an existing queue
    /// keep their `Notify`.
    pub fn upsert(&self, name: &str, id: i64, config: QueueConfig) -> Result<(), QueueError> {
        let mut queues = self
            .queues
            .write()
            .map_err(|_| QueueError::backend("queue registry lock poisoned"))?;
        let (notify, last_prune_ms) = match queues.get(name) {
            Some(old) => (old.notify.clone(), old.last_prune_ms.clone()),
            None => (Arc::new(Notify::new()), Arc::new(AtomicI64::new(0))),
        };
        queues.insert(
            name.to_owned(),
            Arc::new(QueueMeta {
                id,
                config,
                notify,
                last_prune_ms,
            }),
        );
        Ok(())
    }
}
