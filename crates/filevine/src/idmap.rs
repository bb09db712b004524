//! The id map: which Filevine record each canonical record became, kept by the store per
//! (tenant, job, kind, source id). A push writes `Pending` before it sends a create and
//! `Delivered` after, so a rerun knows where a crash or a lost answer may have left a
//! record behind, and that a record with no entry was never sent.

use async_trait::async_trait;
use migrationai_domain::Kind;
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A Filevine id as text: a native integer, or a GUID for billing items, fund transactions
/// and collection items.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FvId(pub String);

impl FvId {
    pub fn int(id: i64) -> FvId {
        FvId(id.to_string())
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FvId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The job whose records are being delivered.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JobRef {
    pub tenant: String,
    pub job: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdKey {
    pub job: JobRef,
    pub kind: Kind,
    pub source_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdEntry {
    /// A create may have been sent; whether it landed is not known.
    Pending,
    /// The record is in Filevine as `fv_id`, last written from a payload with `digest`.
    Delivered { fv_id: FvId, digest: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("id map: {0}")]
pub struct IdMapError(pub String);

#[async_trait]
pub trait IdMap: Send + Sync {
    async fn get(&self, key: &IdKey) -> Result<Option<IdEntry>, IdMapError>;
    async fn put(&self, key: &IdKey, entry: IdEntry) -> Result<(), IdMapError>;
    /// Takes `key` for one creator, for what several workers may try to create at once (a
    /// collection row's item): true when this caller now holds it, because the key had no
    /// entry, or a pending one older than `stale` (its creator is gone). A key delivered, or
    /// taken by another within `stale`, is not taken.
    async fn claim(&self, key: &IdKey, stale: Duration) -> Result<bool, IdMapError>;
    /// The source id whose record already is this Filevine record, if any.
    async fn owner(
        &self,
        job: &JobRef,
        kind: Kind,
        fv_id: &FvId,
    ) -> Result<Option<String>, IdMapError>;
}

/// An id map in memory, for tests, benches and dry runs.
#[derive(Default)]
pub struct MemoryIdMap {
    entries: Mutex<HashMap<IdKey, IdEntry>>,
    owners: Mutex<HashMap<(JobRef, Kind, FvId), String>>,
    claimed: Mutex<HashMap<IdKey, Instant>>,
}

impl MemoryIdMap {
    pub fn new() -> MemoryIdMap {
        MemoryIdMap::default()
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every delivered record of a kind: source id → Filevine id.
    pub fn delivered(&self, kind: Kind) -> HashMap<String, FvId> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|(k, _)| k.kind == kind)
            .filter_map(|(k, e)| match e {
                IdEntry::Delivered { fv_id, .. } => Some((k.source_id.clone(), fv_id.clone())),
                IdEntry::Pending => None,
            })
            .collect()
    }
}

#[async_trait]
impl IdMap for MemoryIdMap {
    async fn get(&self, key: &IdKey) -> Result<Option<IdEntry>, IdMapError> {
        Ok(self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned())
    }

    async fn put(&self, key: &IdKey, entry: IdEntry) -> Result<(), IdMapError> {
        if let IdEntry::Delivered { fv_id, .. } = &entry {
            self.owners
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(
                    (key.job.clone(), key.kind, fv_id.clone()),
                    key.source_id.clone(),
                );
        }
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.clone(), entry);
        Ok(())
    }

    async fn claim(&self, key: &IdKey, stale: Duration) -> Result<bool, IdMapError> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let mut claimed = self.claimed.lock().unwrap_or_else(|p| p.into_inner());
        let free = match entries.get(key) {
            None => true,
            Some(IdEntry::Pending) => claimed.get(key).is_none_or(|at| at.elapsed() >= stale),
            Some(IdEntry::Delivered { .. }) => false,
        };
        if free {
            entries.insert(key.clone(), IdEntry::Pending);
            claimed.insert(key.clone(), Instant::now());
        }
        Ok(free)
    }

    async fn owner(
        &self,
        job: &JobRef,
        kind: Kind,
        fv_id: &FvId,
    ) -> Result<Option<String>, IdMapError> {
        Ok(self
            .owners
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(job.clone(), kind, fv_id.clone()))
            .cloned())
    }
}
