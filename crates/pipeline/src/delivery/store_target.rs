//! The canonical store as a target: the migration already put every loaded record there,
//! so delivering a page sends nothing, and the read-back is the store's own holdings: each
//! expected record present, each document's blob present with its SHA-256. Balances are
//! the ones the migration computed from this same store, so they hold by construction.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;
use migrationai_domain::Kind;
use migrationai_ports::blob::{BlobError, BlobStore};
use migrationai_ports::store::Store;
use migrationai_ports::target::{
    CallStats, Delivery, DocumentCheck, DocumentProblem, Expected, KindDelivery, PageDelivered,
    PushRef, Record, Target, TargetError, TargetKind,
};

use crate::record_pages::Pages;

/// Source ids a report lists by name before it only counts.
const LISTED: usize = 20;

pub struct StoreTarget {
    store: Arc<dyn Store>,
    blobs: BlobStore,
}

impl StoreTarget {
    pub fn new(store: Arc<dyn Store>, blobs: BlobStore) -> StoreTarget {
        StoreTarget { store, blobs }
    }

    /// The source ids of `kind` the store holds for the job.
    async fn held(&self, push: &PushRef, kind: Kind) -> Result<BTreeSet<String>, TargetError> {
        let mut out = BTreeSet::new();
        let mut pages = Pages::new(self.store.as_ref(), &push.tenant, &push.job, kind);
        while let Some(rows) = pages.next_rows().await.map_err(unavailable)? {
            out.extend(rows.into_iter().map(|r| r.source_id));
        }
        Ok(out)
    }

    /// SHA-256 of each stored document's blob, by the record's source id.
    async fn documents(&self, push: &PushRef) -> Result<BTreeMap<String, String>, TargetError> {
        let mut out = BTreeMap::new();
        let mut pages = Pages::new(self.store.as_ref(), &push.tenant, &push.job, Kind::Document);
        while let Some(records) = pages.next().await.map_err(unavailable)? {
            for r in records {
                for key in blob_keys(&r) {
                    match self.blobs.sha256_of(&key).await {
                        Ok(sha) => {
                            out.insert(r.source_id.clone(), sha);
                        }
                        Err(BlobError::NotFound { .. }) => {}
                        Err(e) => return Err(unavailable(e)),
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The blob keys of a record's document files (an email's own file is not its document).
fn blob_keys(r: &Record) -> Vec<String> {
    r.files
        .iter()
        .filter(|f| f.get("role").and_then(|v| v.as_str()) == Some("document"))
        .filter_map(|f| f.get("blob_key")?.as_str().map(str::to_string))
        .collect()
}

fn unavailable(e: impl std::fmt::Display) -> TargetError {
    TargetError::Transient {
        target: TargetKind::Store,
        detail: e.to_string(),
    }
}

#[async_trait]
impl Target for StoreTarget {
    fn kind(&self) -> TargetKind {
        TargetKind::Store
    }

    /// Nothing to send: the records are where the migration put them.
    async fn deliver(
        &self,
        _push: &PushRef,
        _kind: Kind,
        records: &[Record],
    ) -> Result<PageDelivered, TargetError> {
        Ok(PageDelivered::unchanged(records.len()))
    }

    async fn read_back(
        &self,
        push: &PushRef,
        expected: &Expected,
    ) -> Result<Delivery, TargetError> {
        let mut kinds = Vec::new();
        for (&kind, ids) in &expected.records {
            if ids.is_empty() {
                continue;
            }
            let held = self.held(push, kind).await?;
            let missing: Vec<&String> = ids.iter().filter(|id| !held.contains(*id)).collect();
            kinds.push(KindDelivery {
                kind,
                expected: ids.len(),
                found: ids.len() - missing.len(),
                missing: missing.len(),
                missing_ids: missing.iter().take(LISTED).map(|s| s.to_string()).collect(),
                // A job's source id is unique in the store.
                extra: 0,
            });
        }
        let stored = if expected.documents.is_empty() {
            BTreeMap::new()
        } else {
            self.documents(push).await?
        };
        let document_problems: Vec<DocumentCheck> = expected
            .documents
            .iter()
            .filter_map(|(id, want)| {
                let problem = match stored.get(id) {
                    None => DocumentProblem::Missing,
                    Some(found) if found != want => DocumentProblem::ChecksumMismatch {
                        found: found.clone(),
                    },
                    Some(_) => return None,
                };
                Some(DocumentCheck {
                    source_id: id.clone(),
                    expected_sha256: want.clone(),
                    problem,
                })
            })
            .collect();
        let delivered =
            kinds.iter().all(|k| k.missing == 0 && k.extra == 0) && document_problems.is_empty();
        Ok(Delivery {
            kinds,
            trust_checked: expected.trust.len(),
            trust_mismatches: Vec::new(),
            balances_checked: expected.balances.len(),
            balance_mismatches: Vec::new(),
            documents_checked: expected.documents.len(),
            document_problems,
            delivered,
        })
    }

    fn stats(&self) -> CallStats {
        CallStats::default()
    }
}
