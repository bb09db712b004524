//! Deterministic ids (the record and job ids come from the model, `migrationai_domain::ids`)
//! and the blob keys derived from them.

pub use migrationai_domain::ids::{canonical_id, job_id};

pub fn batch_key(tenant: &str, job: &str, kind: &str, batch_no: i64) -> String {
    named_batch_key(tenant, job, kind, &format!("{batch_no:06}"))
}

/// A batch blob named otherwise than by its number (an API write's, by its request).
pub fn named_batch_key(tenant: &str, job: &str, kind: &str, name: &str) -> String {
    format!("tenants/{tenant}/jobs/{job}/batches/{kind}/{name}.jsonl.gz")
}

pub fn file_key(tenant: &str, job: &str, kind: &str, canonical_id: &str, n: usize) -> String {
    format!("tenants/{tenant}/jobs/{job}/files/{kind}/{canonical_id}/{n}")
}
