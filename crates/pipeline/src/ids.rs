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

/// Where a record's `n`th file is copied: the document or email itself is 0, an email's
/// attachments 1, 2, ... Flat in one directory per kind, with no directory of its own: on a
/// local file system each directory is one more inode to create, the costliest part of a
/// load. Keys of the earlier layout (`{canonical_id}/{n}`) stay readable, since a record
/// stores the key its file was copied to.
pub fn file_key(tenant: &str, job: &str, kind: &str, canonical_id: &str, n: usize) -> String {
    format!("tenants/{tenant}/jobs/{job}/files/{kind}/{canonical_id}.{n}")
}
