//! Deterministic ids: the same tenant, job name and source id give the same canonical id on
//! every run and on every deployment profile. They live in the model, not the pipeline, because
//! the store relies on the rule too: it leaves out a canonical id it can derive again.

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
