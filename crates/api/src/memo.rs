//! A map whose entries are trusted for a short time: who a token stands for, asked of the
//! database or of the API at most once per TTL rather than on every request.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

pub struct Memo<V> {
    ttl: Duration,
    /// Past this many entries the map starts again, so a flood of tokens cannot grow it.
    cap: usize,
    map: RwLock<HashMap<String, (V, Instant)>>,
}

impl<V: Clone> Memo<V> {
    pub fn new(ttl: Duration, cap: usize) -> Memo<V> {
        Memo {
            ttl,
            cap,
            map: RwLock::default(),
        }
    }

    /// The value, if remembered within the TTL.
    pub fn get(&self, key: &str) -> Option<V> {
        let map = self.map.read().ok()?;
        map.get(key)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(v, _)| v.clone())
    }

    /// Remembers what was found; `None` (nothing found) forgets the key.
    pub fn put(&self, key: String, found: Option<&V>) {
        let Ok(mut map) = self.map.write() else {
            return;
        };
        match found {
            Some(v) => {
                if map.len() >= self.cap {
                    map.clear();
                }
                map.insert(key, (v.clone(), Instant::now()));
            }
            None => {
                map.remove(&key);
            }
        }
    }

    pub fn forget(&self, key: &str) {
        if let Ok(mut map) = self.map.write() {
            map.remove(key);
        }
    }
}
