//! Embedded cache: moka in process, with per-entry TTLs and generation
//! counters that behave like Redis `INCR` on a key that never expires.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use migrationai_ports::cache::{Cache, CacheError};
use moka::sync::Cache as Moka;
use moka::Expiry;

/// Default capacity of the cache in bytes of keys plus values.
pub const DEFAULT_CAPACITY_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Clone)]
struct Entry {
    value: Bytes,
    ttl: Duration,
}

/// Expires each entry after the TTL it was last set with.
struct EntryTtl;

impl Expiry<String, Entry> for EntryTtl {
    fn expire_after_create(&self, _key: &String, entry: &Entry, _at: Instant) -> Option<Duration> {
        Some(entry.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &String,
        entry: &Entry,
        _at: Instant,
        _remaining: Option<Duration>,
    ) -> Option<Duration> {
        Some(entry.ttl)
    }
}

/// In-process cache bounded by total size.
pub struct MokaCache {
    entries: Moka<String, Entry>,
    // Kept apart from `entries` so a generation is never evicted: losing one
    // would resurrect keys of an invalidated generation.
    generations: Mutex<HashMap<String, u64>>,
    /// Counters with the instant their window ends (see [`Cache::incr`]).
    counters: Mutex<HashMap<String, (u64, Instant)>>,
}

/// Counters kept before expired ones are swept out.
const COUNTERS_BEFORE_SWEEP: usize = 10_000;

impl std::fmt::Debug for MokaCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MokaCache")
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

impl Default for MokaCache {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY_BYTES)
    }
}

impl MokaCache {
    pub fn new(capacity_bytes: u64) -> Self {
        let entries = Moka::builder()
            .max_capacity(capacity_bytes)
            .weigher(|key: &String, entry: &Entry| {
                u32::try_from(key.len() + entry.value.len()).unwrap_or(u32::MAX)
            })
            .expire_after(EntryTtl)
            .build();
        Self {
            entries,
            generations: Mutex::new(HashMap::new()),
            counters: Mutex::new(HashMap::new()),
        }
    }

    /// Applies pending evictions now; moka otherwise catches up lazily.
    pub fn run_pending_tasks(&self) {
        self.entries.run_pending_tasks();
    }

    fn generations(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, u64>>, CacheError> {
        self.generations
            .lock()
            .map_err(|_| CacheError::Backend("generation lock poisoned".to_owned()))
    }
}

#[async_trait]
impl Cache for MokaCache {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        Ok(self.entries.get(key).map(|entry| entry.value))
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Duration) -> Result<(), CacheError> {
        if ttl.is_zero() {
            self.entries.invalidate(key);
            return Ok(());
        }
        self.entries.insert(key.to_owned(), Entry { value, ttl });
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.entries.invalidate(key);
        Ok(())
    }

    async fn incr(&self, key: &str, ttl: Duration) -> Result<u64, CacheError> {
        let mut counters = self
            .counters
            .lock()
            .map_err(|_| CacheError::Backend("counter lock poisoned".to_owned()))?;
        let now = Instant::now();
        if counters.len() >= COUNTERS_BEFORE_SWEEP {
            counters.retain(|_, (_, until)| *until > now);
        }
        let counter = counters.entry(key.to_owned()).or_insert((0, now + ttl));
        if counter.1 <= now {
            *counter = (0, now + ttl);
        }
        counter.0 += 1;
        Ok(counter.0)
    }

    async fn generation(&self, namespace: &str) -> Result<u64, CacheError> {
        Ok(self.generations()?.get(namespace).copied().unwrap_or(0))
    }

    async fn bump(&self, namespace: &str) -> Result<u64, CacheError> {
        let mut generations = self.generations()?;
        let generation = generations.entry(namespace.to_owned()).or_insert(0);
        *generation += 1;
        Ok(*generation)
    }
}
