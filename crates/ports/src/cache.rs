//! Cache port: bytes with a TTL, plus namespace invalidation through a
//! generation counter so a whole namespace can be dropped in O(1) — on Redis
//! with `INCR`, in process with an atomic counter.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache backend: {0}")]
    Backend(String),
}

/// A best-effort cache. Callers must treat every miss, and every error, as
/// "go to the source": nothing stored here is authoritative.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError>;

    /// Stores `value` under `key` for `ttl`, replacing any earlier value and
    /// its TTL.
    async fn set(&self, key: &str, value: Bytes, ttl: Duration) -> Result<(), CacheError>;

    async fn delete(&self, key: &str) -> Result<(), CacheError>;

    /// Adds one to the counter at `key` and returns the new count. A counter that does not
    /// exist starts at 1 and lives for `ttl` from then; later increments do not extend it,
    /// so a count covers a fixed window (Redis `SET NX PX` + `INCR`, atomically).
    async fn incr(&self, key: &str, ttl: Duration) -> Result<u64, CacheError>;

    /// Current generation of `namespace`; 0 until the first bump.
    async fn generation(&self, namespace: &str) -> Result<u64, CacheError>;

    /// Invalidates every key built from the previous generation and returns
    /// the new one (Redis `INCR` semantics).
    async fn bump(&self, namespace: &str) -> Result<u64, CacheError>;

    /// `get` of a key inside a namespace, at the namespace's current
    /// generation.
    async fn get_in(&self, namespace: &str, key: &str) -> Result<Option<Bytes>, CacheError> {
        let generation = self.generation(namespace).await?;
        self.get(&namespaced_key(namespace, generation, key)).await
    }

    /// `set` of a key inside a namespace, at the namespace's current
    /// generation.
    async fn set_in(
        &self,
        namespace: &str,
        key: &str,
        value: Bytes,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let generation = self.generation(namespace).await?;
        self.set(&namespaced_key(namespace, generation, key), value, ttl)
            .await
    }
}

/// The key under which the generation counter of `namespace` lives.
pub fn generation_key(namespace: &str) -> String {
    format!("gen:{namespace}")
}

/// A key scoped to one generation of a namespace: `<ns>:<gen>:<key>`. Keys of
/// older generations are never read again and age out through their TTL.
pub fn namespaced_key(namespace: &str, generation: u64, key: &str) -> String {
    format!("{namespace}:{generation}:{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_embed_the_generation() {
        assert_eq!(namespaced_key("jobs", 3, "a"), "jobs:3:a");
        assert_ne!(
            namespaced_key("jobs", 3, "a"),
            namespaced_key("jobs", 4, "a")
        );
        assert_eq!(generation_key("jobs"), "gen:jobs");
    }
}
