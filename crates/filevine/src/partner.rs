//! Partner ids: the key MigrationAI stores against each Filevine record it creates, so the
//! record can be found again by the key alone. A key names the job (a namespace derived
//! from tenant and job), the kind and the source id, and is safe in a URL path.

use migrationai_domain::Kind;
use sha2::{Digest, Sha256};

use crate::idmap::JobRef;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerKeys {
    namespace: String,
}

fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

impl PartnerKeys {
    /// Keys of one job: the same tenant and job always give the same keys.
    pub fn for_job(job: &JobRef) -> PartnerKeys {
        PartnerKeys {
            namespace: format!("mai-{}", &short_hash(&[&job.tenant, &job.job])[..12]),
        }
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Every key of this job and kind starts with this.
    pub fn prefix(&self, kind: Kind) -> String {
        format!("{}.{}.", self.namespace, kind.as_str())
    }

    /// The key of one record. A short plain source id is kept readable ("s" + id); any other
    /// is hashed ("h" + hash), so the two can never collide.
    pub fn record(&self, kind: Kind, source_id: &str) -> String {
        let plain = !source_id.is_empty()
            && source_id.len() <= 64
            && source_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if plain {
            format!("{}s{source_id}", self.prefix(kind))
        } else {
            format!("{}h{}", self.prefix(kind), short_hash(&[source_id]))
        }
    }

    /// The key of one row of a collection section of a project, shared by the field values
    /// that make up the row.
    pub fn collection_row(&self, project_source_id: &str, section: &str, row: i64) -> String {
        format!(
            "{}h{}",
            self.prefix(Kind::Sections),
            short_hash(&[project_source_id, &section.to_lowercase(), &row.to_string()])
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_distinct_and_url_safe() {
        let job = JobRef {
            tenant: "t1".into(),
            job: "j1".into(),
        };
        let k = PartnerKeys::for_job(&job);
        assert_eq!(k, PartnerKeys::for_job(&job));
        let c = k.record(Kind::Contacts, "C-1");
        assert!(
            c.starts_with(&k.prefix(Kind::Contacts)) && c.ends_with(".sC-1"),
            "{c}"
        );
        assert_ne!(c, k.record(Kind::Projects, "C-1"));
        let odd = k.record(Kind::Contacts, "Smith, J / #2");
        assert!(
            odd.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'),
            "{odd}"
        );
        let other = PartnerKeys::for_job(&JobRef {
            tenant: "t1".into(),
            job: "j2".into(),
        });
        assert_ne!(
            k.record(Kind::Contacts, "C-1"),
            other.record(Kind::Contacts, "C-1")
        );
        assert_eq!(
            k.collection_row("M1", "Parties", 2),
            k.collection_row("M1", "parties", 2)
        );
        assert_ne!(
            k.collection_row("M1", "Parties", 2),
            k.collection_row("M1", "Parties", 3)
        );
    }
}
