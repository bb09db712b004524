//! What a process delivers into Filevine with: the connection (one gateway, so one token
//! and one limit of calls in flight per process) and the id map in the store. The host opens
//! it where the credentials are (the `MIGRATIONAI_FILEVINE_*` variables, or on aws the
//! secret), for `push` and for every queue worker, which push the pages of a push.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use migrationai_filevine::{
    FvError, Gateway, GatewayStats, IdMap, JobRef, PushConfig, Pusher, Settings,
};

use super::PushOptions;

pub struct FilevineTarget {
    settings: Settings,
    gateway: Arc<Gateway>,
    ids: Arc<dyn IdMap>,
    /// One pusher per push (job, start time, options): it keeps the org's layout it read
    /// and the collection rows being written, so the pages of one push share them.
    pushers: Mutex<HashMap<(JobRef, i64, String), Arc<Pusher>>>,
}

impl FilevineTarget {
    pub fn new(settings: Settings, ids: Arc<dyn IdMap>) -> Result<FilevineTarget, FvError> {
        let gateway = Arc::new(Gateway::new(&settings)?);
        Ok(FilevineTarget {
            settings,
            gateway,
            ids,
            pushers: Mutex::default(),
        })
    }

    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    pub fn ids(&self) -> &dyn IdMap {
        self.ids.as_ref()
    }

    /// Calls, retries and faults seen by this process's gateway.
    pub fn stats(&self) -> GatewayStats {
        self.gateway.stats()
    }

    /// The pusher of the push of `job` started at `started` with `options`, made once per
    /// process.
    pub fn pusher(&self, job: &JobRef, started: i64, options: &PushOptions) -> Arc<Pusher> {
        let key = (
            job.clone(),
            started,
            serde_json::to_string(&options.project_types).unwrap_or_default(),
        );
        let make = || {
            Arc::new(Pusher::new(
                self.gateway.clone(),
                self.ids.clone(),
                job.clone(),
                PushConfig {
                    user_id: self.settings.user_id,
                    project_types: options.project_types.clone(),
                },
            ))
        };
        match self.pushers.lock() {
            Ok(mut map) => map.entry(key).or_insert_with(make).clone(),
            // A poisoned map only loses the sharing, not the push.
            Err(_) => make(),
        }
    }
}
