//! The cache port on Redis (MemoryDB): `rediss://` TLS, an ACL user and password, and the
//! same generation-counter invalidation as the in-process cache (`INCR gen:<namespace>`).

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use migrationai_ports::cache::{generation_key, Cache, CacheError};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands, IntoConnectionInfo};
use secrecy::{ExposeSecret, SecretString};

/// How long one connection attempt, and one command, may take. The cache is best effort: a
/// Redis that does not answer must cost a request a second, not hang it.
const TIMEOUT: Duration = Duration::from_secs(1);
/// Reconnection attempts per command once a connection is lost; the next command tries again.
const RETRIES: usize = 1;

/// How to reach Redis. The password is never logged.
#[derive(Clone, Default)]
pub struct RedisSettings {
    /// `redis://host:port[/db]` or `rediss://host:port` for TLS.
    pub url: String,
    /// ACL user; overrides one in the URL.
    pub user: Option<String>,
    /// ACL password; overrides one in the URL.
    pub password: Option<SecretString>,
}

impl std::fmt::Debug for RedisSettings {
    // The URL may carry a password, so only the user and the (redacted) password show.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSettings")
            .field("user", &self.user)
            .field("password", &self.password)
            .finish_non_exhaustive()
    }
}

/// Cache on Redis through a reconnecting connection manager.
#[derive(Clone)]
pub struct RedisCache {
    conn: ConnectionManager,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedisCache")
    }
}

fn backend(e: redis::RedisError) -> CacheError {
    // A RedisError never carries the password; the URL is not part of it.
    CacheError::Backend(e.to_string())
}

impl RedisCache {
    /// Connects (with the ACL user, over TLS for `rediss://`) and fails when Redis cannot be
    /// reached or refuses the user, so a role never starts on a cache it cannot use. Later
    /// outages are reconnected to; until then every call fails and readiness says so.
    pub async fn connect(settings: &RedisSettings) -> Result<Self, CacheError> {
        let info = settings
            .url
            .as_str()
            .into_connection_info()
            .map_err(|_| CacheError::Backend("invalid Redis URL".to_owned()))?;
        let mut redis_info = info.redis_settings().clone();
        if let Some(user) = &settings.user {
            redis_info = redis_info.set_username(user);
        }
        if let Some(password) = &settings.password {
            redis_info = redis_info.set_password(password.expose_secret());
        }
        let info = info.set_redis_settings(redis_info);
        // Only the address: the URL may carry the password.
        let addr = info.addr().to_string();
        let client = redis::Client::open(info).map_err(backend)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(RETRIES);
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| CacheError::Backend(format!("cannot reach Redis at {addr}: {e}")))?;
        Ok(RedisCache { conn })
    }
}

fn ttl_millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Bytes>, CacheError> {
        let mut conn = self.conn.clone();
        let value: Option<Vec<u8>> = conn.get(key).await.map_err(backend)?;
        Ok(value.map(Bytes::from))
    }

    async fn set(&self, key: &str, value: Bytes, ttl: Duration) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        if ttl.is_zero() {
            let _: () = conn.del(key).await.map_err(backend)?;
            return Ok(());
        }
        let _: () = conn
            .pset_ex(key, value.as_ref(), ttl_millis(ttl))
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        let _: () = conn.del(key).await.map_err(backend)?;
        Ok(())
    }

    async fn incr(&self, key: &str, ttl: Duration) -> Result<u64, CacheError> {
        let mut conn = self.conn.clone();
        // One transaction: the counter is created with its TTL or not at all, so a crash
        // can never leave a count that lives for ever.
        let (count,): (u64,) = redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(key)
            .arg(0)
            .arg("PX")
            .arg(ttl_millis(ttl))
            .arg("NX")
            .ignore()
            .incr(key, 1u64)
            .query_async(&mut conn)
            .await
            .map_err(backend)?;
        Ok(count)
    }

    async fn generation(&self, namespace: &str) -> Result<u64, CacheError> {
        let mut conn = self.conn.clone();
        let value: Option<u64> = conn.get(generation_key(namespace)).await.map_err(backend)?;
        Ok(value.unwrap_or(0))
    }

    async fn bump(&self, namespace: &str) -> Result<u64, CacheError> {
        let mut conn = self.conn.clone();
        conn.incr(generation_key(namespace), 1u64)
            .await
            .map_err(backend)
    }
}
