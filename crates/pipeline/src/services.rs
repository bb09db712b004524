//! What handlers run against: the four ports, the queue names, and per-job caches of the
//! opened export and the parsed mapping (both read-only for the life of a job).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use migrationai_ingest::mapping::Mapping;
use migrationai_ingest::{Export, Limits};
use migrationai_ports::blob::{BlobError, BlobStore};
use migrationai_ports::queue::{Queue, QueueNames};
use migrationai_ports::store::{JobRow, Store};
use migrationai_ports::target::{Target, TargetKind};
use serde::{Deserialize, Serialize};

use crate::delivery::store_target::StoreTarget;
use crate::error::ProcessingError;
use crate::report::Threshold;
use crate::staged::{self, Staged};

/// The settings a job was created with, kept as JSON in the job row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSettings {
    pub export: PathBuf,
    pub batch_size: usize,
    /// The export's and mapping's digest (`fingerprint::source_fingerprint`), for jobs
    /// started by `migrate`: the same name resumes only the same source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The share of each kind's rows that must load for the job to count as migrated.
    #[serde(default)]
    pub threshold: Threshold,
}

/// The store, queue and blob stores a process opened for the pipeline (the host opens them
/// from its profile; tests open embedded ones).
pub struct Adapters {
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    pub blobs: BlobStore,
    /// Where batch blobs go (see [`Services::batches`]).
    pub batches: BlobStore,
    /// Whether missing queues are this process's to create (embedded) or another's (on AWS,
    /// the Terraform's).
    pub ensure_queues: bool,
    /// Where they are, for errors (never a secret).
    pub place: String,
}

impl Adapters {
    /// The services over them, for a process that only consumes queues (a worker, a
    /// Lambda function): nothing is created.
    pub fn into_services(self, config: &crate::Config) -> Services {
        Services::new(
            self.store,
            self.queue,
            self.blobs,
            self.batches,
            QueueNames::new(config.env.clone()),
            config.data_dir.join("work"),
        )
    }
}

#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    /// The firm's files (documents, emails, attachments, uploads) and what is kept about
    /// them: browsable files in embedded mode, the bucket on AWS.
    pub blobs: BlobStore,
    /// Batch blobs: the rows the planner (or an API write) hands to a handler, named by the
    /// message (claim check). Many, small and internal, so in embedded mode they are rows of
    /// one SQLite file rather than a file each; on AWS the same bucket as `blobs`. Read them
    /// with [`Services::batch_blob`].
    pub batches: BlobStore,
    pub names: QueueNames,
    /// Where a zip export is unpacked.
    pub work_dir: PathBuf,
    /// Where pushes go: the store always, Filevine when this process has its credentials.
    targets: BTreeMap<TargetKind, Arc<dyn Target>>,
    exports: Arc<Mutex<HashMap<String, Arc<Export>>>>,
    mappings: Arc<Mutex<HashMap<String, Arc<Mapping>>>>,
    staged: Arc<Mutex<HashMap<String, Arc<Staged>>>>,
}

impl Services {
    pub fn new(
        store: Arc<dyn Store>,
        queue: Arc<dyn Queue>,
        blobs: BlobStore,
        batches: BlobStore,
        names: QueueNames,
        work_dir: PathBuf,
    ) -> Self {
        let into_store: Arc<dyn Target> = Arc::new(StoreTarget::new(store.clone(), blobs.clone()));
        Services {
            store,
            queue,
            blobs,
            batches,
            names,
            work_dir,
            targets: BTreeMap::from([(TargetKind::Store, into_store)]),
            exports: Arc::default(),
            mappings: Arc::default(),
            staged: Arc::default(),
        }
    }

    /// The batch blob `key`. Jobs planned before batches had a store of their own kept them
    /// with the files, so a batch missing from `batches` is looked for in `blobs`: such a
    /// job resumes where it stopped.
    pub async fn batch_blob(&self, key: &str) -> Result<Bytes, BlobError> {
        match self.batches.get(key).await {
            Err(BlobError::NotFound { .. }) => self.blobs.get(key).await,
            read => read,
        }
    }

    /// The same services, able to push into `target` (in place of any of its kind).
    pub fn with_target(mut self, target: Arc<dyn Target>) -> Self {
        self.targets.insert(target.kind(), target);
        self
    }

    /// The target of `kind`, when this process can reach it.
    pub fn target(&self, kind: TargetKind) -> Option<Arc<dyn Target>> {
        self.targets.get(&kind).cloned()
    }

    /// Sends message bodies to their queues, ten to a batch (SQS's most); returns how many
    /// were sent. A message the queue refuses is an error naming the queue.
    pub async fn send_grouped(
        &self,
        by_queue: std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<usize, ProcessingError> {
        let mut sent = 0;
        for (queue, bodies) in by_queue {
            for chunk in bodies.chunks(10) {
                let entries = chunk
                    .iter()
                    .enumerate()
                    .map(|(i, body)| {
                        migrationai_ports::queue::SendEntry::new(format!("m{i}"), body.clone())
                    })
                    .collect();
                let outcome = self.queue.send_batch(&queue, entries).await?;
                if let Some(f) = outcome.failed.first() {
                    return Err(ProcessingError::Send {
                        queue,
                        reason: f.message.clone(),
                    });
                }
                sent += chunk.len();
            }
        }
        Ok(sent)
    }

    pub async fn job(&self, tenant: &str, job: &str) -> Result<JobRow, ProcessingError> {
        self.store
            .job(tenant, job)
            .await?
            .ok_or_else(|| ProcessingError::JobNotFound(job.to_string()))
    }

    pub fn settings(job: &JobRow) -> Result<JobSettings, ProcessingError> {
        serde_json::from_str(&job.settings).map_err(crate::error::json("job settings"))
    }

    /// The job's mapping, parsed once per process.
    pub fn mapping(&self, job: &JobRow) -> Result<Arc<Mapping>, ProcessingError> {
        if let Some(m) = self
            .mappings
            .lock()
            .ok()
            .and_then(|m| m.get(&job.id).cloned())
        {
            return Ok(m);
        }
        let mapping = Arc::new(
            Mapping::parse("job mapping", &job.mapping)
                .map_err(|e| ProcessingError::Mapping(e.to_string()))?,
        );
        if let Ok(mut m) = self.mappings.lock() {
            m.insert(job.id.clone(), mapping.clone());
        }
        Ok(mapping)
    }

    /// The job's export, opened once per process (a zip is unpacked once).
    pub async fn export(&self, job: &JobRow) -> Result<Arc<Export>, ProcessingError> {
        if let Some(e) = self
            .exports
            .lock()
            .ok()
            .and_then(|m| m.get(&job.id).cloned())
        {
            return Ok(e);
        }
        let settings = Self::settings(job)?;
        let work = self.work_dir.clone();
        let export = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&work).map_err(|e| ProcessingError::Export(e.to_string()))?;
            Export::open_in(&settings.export, &Limits::default(), &work)
                .map_err(|e| ProcessingError::Export(e.to_string()))
        })
        .await??;
        let export = Arc::new(export);
        if let Ok(mut m) = self.exports.lock() {
            m.entry(job.id.clone()).or_insert_with(|| export.clone());
        }
        Ok(export)
    }

    /// Forgets the job's opened export; an unpacked zip is deleted once no handler holds it.
    pub fn forget_export(&self, job: &str) {
        if let Ok(mut m) = self.exports.lock() {
            m.remove(job);
        }
    }

    /// The job's files copied to the blob store by tfp, read once per process; `None` when
    /// the job reads its files from the export.
    pub async fn staged(&self, job: &JobRow) -> Result<Option<Arc<Staged>>, ProcessingError> {
        if let Some(s) = self
            .staged
            .lock()
            .ok()
            .and_then(|m| m.get(&job.id).cloned())
        {
            return Ok(Some(s));
        }
        // Only a present manifest is remembered: it is written before the job starts.
        let Some(loaded) = staged::load(self, &job.tenant, &job.id).await? else {
            return Ok(None);
        };
        let loaded = Arc::new(loaded);
        if let Ok(mut m) = self.staged.lock() {
            m.entry(job.id.clone()).or_insert_with(|| loaded.clone());
        }
        Ok(Some(loaded))
    }
}
