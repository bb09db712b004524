//! Deterministic ids: the same tenant, job name and source id give the same canonical id on
//! every run and on every deployment profile.

use uuid::Uuid;

// A fixed namespace of our own, so our v5 ids do not collide with other v5 schemes.
const NAMESPACE: Uuid = Uuid::from_u128(0x6d69_6772_6174_696f_6e61_692d_6964_7331);

pub fn job_id(tenant: &str, job_name: &str) -> String {
    Uuid::new_v5(&NAMESPACE, format!("job/{tenant}/{job_name}").as_bytes()).to_string()
}

pub fn canonical_id(tenant: &str, job: &str, kind: &str, source_id: &str) -> String {
    Uuid::new_v5(
        &NAMESPACE,
        format!("record/{tenant}/{job}/{kind}/{source_id}").as_bytes(),
    )
    .to_string()
}

pub fn batch_key(tenant: &str, job: &str, kind: &str, batch_no: i64) -> String {
    named_batch_key(tenant, job, kind, &format!("{batch_no:06}"))
}

/// A batch blob named otherwise than by its number (an API write's, by its request).
pub fn named_batch_key(tenant: &str, job: &str, kind: &str, name: &str) -> String {
    format!("tenants/{tenant}/jobs/{job}/batches/{kind}/{name}.jsonl")
}

pub fn file_key(tenant: &str, job: &str, kind: &str, canonical_id: &str, n: usize) -> String {
    format!("tenants/{tenant}/jobs/{job}/files/{kind}/{canonical_id}/{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable() {
        assert_eq!(
            canonical_id("t", "j", "contacts", "C1"),
            canonical_id("t", "j", "contacts", "C1")
        );
        assert_ne!(
            canonical_id("t", "j", "contacts", "C1"),
            canonical_id("u", "j", "contacts", "C1")
        );
        assert_eq!(job_id("t", "x"), job_id("t", "x"));
    }
}
