//! A digest of everything a job stored, for checking that two runs (interrupted or not,
//! messages duplicated or not) ended with an identical store.

use migrationai_domain::Kind;
use migrationai_ports::store::Store;
use sha2::{Digest, Sha256};

use crate::error::ProcessingError;
use crate::pages::Pages;

pub async fn fingerprint(
    store: &dyn Store,
    tenant: &str,
    job: &str,
) -> Result<String, ProcessingError> {
    let mut h = Sha256::new();
    for kind in Kind::ENTITIES {
        let mut pages = Pages::new(store, tenant, job, kind);
        while let Some(page) = pages.next_rows().await? {
            for r in page {
                h.update(format!(
                    "R|{}|{}|{}|{}|{}|{}\n",
                    r.kind, r.source_id, r.canonical_id, r.file, r.row, r.data
                ));
            }
        }
    }
    for r in store.rejects(tenant, job).await? {
        h.update(format!(
            "X|{}|{}|{}|{:?}|{}|{}|{}|{}\n",
            r.kind, r.file, r.row, r.source_id, r.field, r.code, r.reason, r.raw
        ));
    }
    for l in store.contact_links(tenant, job).await? {
        h.update(format!("L|{}|{}|{}|{:?}\n", l.a, l.b, l.score, l.evidence));
    }
    for b in store.batches(tenant, job).await? {
        h.update(format!(
            "B|{}|{}|{}|{}|{}|{}|{}|{}\n",
            b.kind, b.batch_no, b.file, b.blob_key, b.rows, b.done, b.loaded, b.rejected
        ));
    }
    Ok(hex::encode(h.finalize()))
}
