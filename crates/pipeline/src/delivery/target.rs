//! The Filevine adapter of the target port: the connection (one gateway, so one token and
//! one limit of calls in flight per process), the id map in the store, the blobs the
//! documents are read from, and the store's records, for what a page alone cannot decide
//! (which of the job's invoices bills a billing item). The host opens it where the credentials are (the
//! `MIGRATIONAI_FILEVINE_*` variables, or on aws the secret), for `push` and for every queue
//! worker, which push the pages of a push.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use migrationai_domain::Kind;
use migrationai_filevine::{
    FvError, Gateway, IdMap, ItemHolders, JobRef, PushConfig, Pusher, ReadBack, Settings,
};
use migrationai_ports::blob::BlobStore;
use migrationai_ports::store::Store;
use migrationai_ports::target::{
    CallStats, Delivery, Expected, PageDelivered, PushOptions, PushRef, Record, Target,
    TargetError, TargetKind,
};

use super::batch::{invoice_holders, push_batch};

pub struct FilevineTarget {
    settings: Settings,
    gateway: Arc<Gateway>,
    ids: Arc<dyn IdMap>,
    blobs: BlobStore,
    store: Arc<dyn Store>,
    /// One pusher per push (job, start time, options): it keeps the org's layout it read
    /// and the collection rows being written, so the pages of one push share them.
    pushers: Mutex<HashMap<(JobRef, i64, String), Arc<Pusher>>>,
    /// The holders of the billing items per push (job, start time), read at its first
    /// invoice page.
    holders: tokio::sync::Mutex<HashMap<(JobRef, i64), Arc<ItemHolders>>>,
}

impl FilevineTarget {
    pub fn new(
        settings: Settings,
        ids: Arc<dyn IdMap>,
        blobs: BlobStore,
        store: Arc<dyn Store>,
    ) -> Result<FilevineTarget, FvError> {
        let gateway = Arc::new(Gateway::new(&settings)?);
        Ok(FilevineTarget {
            settings,
            gateway,
            ids,
            blobs,
            store,
            pushers: Mutex::default(),
            holders: tokio::sync::Mutex::default(),
        })
    }

    /// The connection to the org, for reads that are not a push (a dry run's lookups and
    /// layout).
    pub fn gateway(&self) -> Arc<Gateway> {
        self.gateway.clone()
    }

    /// Which invoice bills each billing item, for the invoice pages of `push`; other kinds
    /// need none.
    async fn holders(&self, push: &PushRef, kind: Kind) -> Result<Arc<ItemHolders>, TargetError> {
        if kind != Kind::BillingInvoice {
            return Ok(Arc::default());
        }
        // Held across the read, so the pages of one push arriving at once read it once.
        let mut map = self.holders.lock().await;
        let key = (job_of(push), push.started);
        if let Some(h) = map.get(&key) {
            return Ok(h.clone());
        }
        let decided = invoice_holders(self.store.as_ref(), &push.tenant, &push.job)
            .await
            .map_err(|e| TargetError::Transient {
                // The store's records, not Filevine, could not be read: worth a retry.
                target: TargetKind::Filevine,
                detail: format!("reading the job's invoices: {}", e.chain()),
            })?;
        let decided = Arc::new(decided);
        map.insert(key, decided.clone());
        Ok(decided)
    }

    /// The pusher of `push`, made once per process.
    fn pusher(&self, job: &JobRef, started: i64, options: &PushOptions) -> Arc<Pusher> {
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

fn job_of(push: &PushRef) -> JobRef {
    JobRef {
        tenant: push.tenant.clone(),
        job: push.job.clone(),
    }
}

#[async_trait]
impl Target for FilevineTarget {
    fn kind(&self) -> TargetKind {
        TargetKind::Filevine
    }

    async fn deliver(
        &self,
        push: &PushRef,
        kind: Kind,
        records: &[Record],
    ) -> Result<PageDelivered, TargetError> {
        let px = self.pusher(&job_of(push), push.started, &push.options);
        let holders = self.holders(push, kind).await?;
        Ok(push_batch(
            &px,
            &self.blobs,
            kind,
            records,
            push.options.concurrency,
            &holders,
        )
        .await?)
    }

    async fn read_back(
        &self,
        push: &PushRef,
        expected: &Expected,
    ) -> Result<Delivery, TargetError> {
        let job = job_of(push);
        Ok(
            ReadBack::new(self.gateway.as_ref(), self.ids.as_ref(), &job)
                .run(expected)
                .await?,
        )
    }

    fn stats(&self) -> CallStats {
        self.gateway.stats()
    }
}
