//! The cache port on Redis (MemoryDB): `rediss://` TLS, an ACL user and password, and the
//! same generation-counter invalidation as the in-process cache (`INCR gen:<namespace>`).
//!
//! MemoryDB always runs in cluster mode, and its endpoint may resolve to a replica, which
//! answers every keyed command with `MOVED`. So the adapter asks the server first: a server
//! with `cluster_enabled:1` gets the cluster client, which follows the slot map to the
//! primaries; a plain server (local Redis) gets a reconnecting single connection.

use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use migrationai_ports::cache::{generation_key, Cache, CacheError};
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::{AsyncCommands, Cmd, ConnectionInfo, IntoConnectionInfo, Pipeline, RedisFuture, Value};

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
    pub password: Option<String>,
}

impl std::fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSettings")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// Cache on Redis: a reconnecting connection manager, or the cluster client on a server in
/// cluster mode.
#[derive(Clone)]
pub struct RedisCache {
    conn: Conn,
}

#[derive(Clone)]
enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
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
            redis_info = redis_info.set_password(password);
        }
        let info = info.set_redis_settings(redis_info);
        // Only the address: the URL may carry the password.
        let addr = info.addr().to_string();
        let unreachable = |e: redis::RedisError| {
            CacheError::Backend(format!("cannot reach Redis at {addr}: {e}"))
        };
        let conn = if cluster_enabled(&info).await.map_err(unreachable)? {
            let client = ClusterClientBuilder::new([info])
                .connection_timeout(TIMEOUT)
                .response_timeout(TIMEOUT)
                .retries(u32::try_from(RETRIES).unwrap_or(1))
                .build()
                .map_err(backend)?;
            Conn::Cluster(client.get_async_connection().await.map_err(unreachable)?)
        } else {
            let client = redis::Client::open(info).map_err(backend)?;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(TIMEOUT))
                .set_response_timeout(Some(TIMEOUT))
                .set_number_of_retries(RETRIES);
            Conn::Single(
                ConnectionManager::new_with_config(client, config)
                    .await
                    .map_err(unreachable)?,
            )
        };
        Ok(RedisCache { conn })
    }

    /// Whether this cache follows a cluster's slot map (for readiness and logs).
    pub fn is_cluster(&self) -> bool {
        matches!(self.conn, Conn::Cluster(_))
    }
}

/// Asks the server itself, with one short-lived connection, whether it runs in cluster mode.
/// `CLUSTER INFO` rather than `INFO`: MemoryDB's application user has `-@dangerous`, which
/// takes `INFO` away but leaves the cluster commands a cluster client needs anyway.
async fn cluster_enabled(info: &ConnectionInfo) -> redis::RedisResult<bool> {
    let client = redis::Client::open(info.clone())?;
    let mut conn = tokio::time::timeout(TIMEOUT, client.get_multiplexed_async_connection())
        .await
        .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "connection timed out")))??;
    let answer: redis::RedisResult<String> = redis::cmd("CLUSTER")
        .arg("INFO")
        .query_async(&mut conn)
        .await;
    match answer {
        Ok(_) => Ok(true),
        Err(e) if e.to_string().contains("cluster support disabled") => Ok(false),
        Err(e) => Err(e),
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
