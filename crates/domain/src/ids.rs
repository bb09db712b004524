//! Deterministic ids: the same tenant, job name and source id give the same canonical id on
//! every run and on every deployment profile. They live in the model, not the pipeline, because
//! the store relies on the rule too: it leaves out a canonical id it can derive again.

use sha1::{Digest, Sha1};
use uuid::Uuid;

// A fixed namespace of our own, so our v5 ids do not collide with other v5 schemes.
const NAMESPACE: Uuid = Uuid::from_u128(0x6d69_6772_6174_696f_6e61_692d_6964_7331);

pub fn job_id(tenant: &str, job_name: &str) -> String {
    v5(&["job", tenant, job_name])
}

/// Made for every record and for every reference found, so it is hashed from the parts
/// without building the name first.
pub fn canonical_id(tenant: &str, job: &str, kind: &str, source_id: &str) -> String {
    v5(&["record", tenant, job, kind, source_id])
}

/// `Uuid::new_v5(NAMESPACE, parts joined by "/")`, with a SHA-1 that uses the CPU's SHA
/// instructions.
fn v5(parts: &[&str]) -> String {
    let mut hash = Sha1::new();
    hash.update(NAMESPACE.as_bytes());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hash.update(b"/");
        }
        hash.update(part.as_bytes());
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_sha1_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .encode_lower(&mut Uuid::encode_buffer())
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

    #[test]
    fn ids_are_the_v5_ids_of_their_names() {
        // Stored ids were made by uuid's own v5: the same names must give the same ids.
        for (tenant, job, kind, source) in [
            ("t", "j", "contacts", "C1"),
            ("default", "8f1c", "billing-items", "A/7 é"),
            ("", "", "", ""),
        ] {
            let name = format!("record/{tenant}/{job}/{kind}/{source}");
            assert_eq!(
                canonical_id(tenant, job, kind, source),
                Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
            );
        }
        assert_eq!(
            job_id("default", "export (2)"),
            Uuid::new_v5(&NAMESPACE, b"job/default/export (2)").to_string()
        );
    }
}
