//! Embedded blob store in one SQLite file: an `ObjectStore` whose objects are rows, for blobs
//! too many and too short-lived to be worth a file each (the pipeline's batches). Each file
//! costs an inode, and ext4 creates inodes slowly, most of all right after a large tree was
//! deleted; a row costs a few pages of a file that already exists.
//!
//! An object is stored as chunks of at most [`CHUNK`] bytes under a version number. A put
//! writes a new version and points the key at it in one transaction, so a reader sees the old
//! bytes or the new ones, never a mix. A multipart upload writes each part's chunks as the
//! part arrives (a document never sits in memory whole) and points the key at them only when
//! it completes; an aborted or abandoned upload leaves no object. A get streams the chunks
//! one at a time.
//!
//! Durability as the embedded queue's: WAL with `synchronous=NORMAL`, so every committed put
//! survives a crash of the process. All calls share one connection behind an async mutex:
//! SQLite admits one writer at a time, and one process owns the file.
//!
//! Conditional gets (`if_match`, dates, versions) are not supported: nothing here uses them.

use std::ops::Range;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::{self, BoxStream};
use futures::{StreamExt, TryStreamExt};
use migrationai_ports::blob::{BlobError, BlobStore};
use object_store::path::Path;
use object_store::{
    GetOptions, GetRange, GetResult, GetResultPayload, ListResult, MultipartUpload, ObjectMeta,
    ObjectStore, PutMode, PutMultipartOpts, PutOptions, PutPayload, PutResult, UploadPart,
};
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};
use tokio::sync::Mutex;

/// Largest chunk row. Small enough that a streamed read holds little at a time, large
/// enough that a batch blob is a handful of rows.
pub const CHUNK: usize = 1024 * 1024;

/// A multipart upload neither completed nor aborted (its process was killed) is swept
/// when the store is next opened, once it is this old.
const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

const STORE: &str = "SQLite";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/blobs");

/// The blob store kept in `<data_dir>/blobs.db`.
pub async fn db_blob_store(data_dir: impl AsRef<FsPath>) -> Result<BlobStore, BlobError> {
    let store = SqliteObjectStore::open(data_dir.as_ref().join("blobs.db")).await?;
    Ok(BlobStore::new(Arc::new(store)))
}

/// An `ObjectStore` over one SQLite file. Cheap to clone.
#[derive(Debug, Clone)]
pub struct SqliteObjectStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    conn: Mutex<SqliteConnection>,
    path: PathBuf,
}

impl std::fmt::Display for SqliteObjectStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqliteObjectStore({})", self.inner.path.display())
    }
}

impl SqliteObjectStore {
    /// Opens (creating if needed) the database at `path`.
    pub async fn open(path: impl AsRef<FsPath>) -> Result<Self, object_store::Error> {
        let path = path.as_ref();
        let mut conn = super::sqlite_file(path)
            .map_err(generic)?
            .connect()
            .await
            .map_err(generic)?;
        MIGRATOR.run(&mut conn).await.map_err(generic)?;
        sweep_abandoned(&mut conn).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                path: path.to_path_buf(),
            }),
        })
    }

    /// The current version and size of `key`.
    async fn current(&self, location: &Path) -> Result<ObjectMeta, object_store::Error> {
        let mut conn = self.inner.conn.lock().await;
        current(&mut conn, location)
            .await?
            .ok_or_else(|| not_found(location))
    }

    /// Copies `from` to `to` under `mode` (`Overwrite` or `Create`).
    async fn copy_as(
        &self,
        from: &Path,
        to: &Path,
        mode: PutMode,
    ) -> Result<(), object_store::Error> {
        let mut conn = self.inner.conn.lock().await;
        let mut tx = conn.begin().await.map_err(generic)?;
        let source = current(&mut tx, from)
            .await?
            .ok_or_else(|| not_found(from))?;
        let version = start_version(&mut tx, to).await?;
        sqlx::query(
            "INSERT INTO chunks (version, part, seq, bytes) \
             SELECT ?, part, seq, bytes FROM chunks WHERE version = ?",
        )
        .bind(version)
        .bind(version_of(&source)?)
        .execute(&mut *tx)
        .await
        .map_err(generic)?;
        point_key(&mut tx, to, version, source.size as i64, &mode).await?;
        tx.commit().await.map_err(generic)
    }
}

#[async_trait]
impl ObjectStore for SqliteObjectStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult, object_store::Error> {
        let chunks = rechunk(payload.into_iter());
        let size: usize = chunks.iter().map(Bytes::len).sum();
        let mut conn = self.inner.conn.lock().await;
        let mut tx = conn.begin().await.map_err(generic)?;
        let version = start_version(&mut tx, location).await?;
        write_chunks(&mut tx, version, 0, &chunks).await?;
        point_key(&mut tx, location, version, size as i64, &opts.mode).await?;
        tx.commit().await.map_err(generic)?;
        Ok(put_result(version))
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        _opts: PutMultipartOpts,
    ) -> Result<Box<dyn MultipartUpload>, object_store::Error> {
        let mut conn = self.inner.conn.lock().await;
        // Committed at once: the parts' chunks are written under it in their own
        // transactions.
        let version = start_version(&mut conn, location).await?;
        Ok(Box::new(Upload {
            inner: self.inner.clone(),
            location: location.clone(),
            version,
            next_part: 0,
        }))
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> Result<GetResult, object_store::Error> {
        if options.if_match.is_some()
            || options.if_none_match.is_some()
            || options.if_modified_since.is_some()
            || options.if_unmodified_since.is_some()
            || options.version.is_some()
        {
            return Err(object_store::Error::NotSupported {
                source: "conditional or versioned gets".into(),
            });
        }
        let meta = self.current(location).await?;
        let range = match &options.range {
            Some(range) => resolve(range, meta.size, location)?,
            None => 0..meta.size,
        };
        let payload = if options.head {
            stream::empty().boxed()
        } else {
            chunk_stream(
                self.inner.clone(),
                version_of(&meta)?,
                range.clone(),
                location,
            )
        };
        Ok(GetResult {
            payload: GetResultPayload::Stream(payload),
            meta,
            range,
            attributes: Default::default(),
        })
    }

    async fn head(&self, location: &Path) -> Result<ObjectMeta, object_store::Error> {
        self.current(location).await
    }

    /// Deleting a missing object is not an error, as on S3.
    async fn delete(&self, location: &Path) -> Result<(), object_store::Error> {
        let mut conn = self.inner.conn.lock().await;
        let mut tx = conn.begin().await.map_err(generic)?;
        if let Some(old) = current(&mut tx, location).await? {
            drop_version(&mut tx, version_of(&old)?).await?;
            sqlx::query("DELETE FROM objects WHERE key = ?")
                .bind(location.as_ref())
                .execute(&mut *tx)
                .await
                .map_err(generic)?;
        }
        tx.commit().await.map_err(generic)
    }

    fn list(
        &self,
        prefix: Option<&Path>,
    ) -> BoxStream<'_, Result<ObjectMeta, object_store::Error>> {
        let prefix = prefix.cloned();
        stream::once(async move { self.listed(prefix.as_ref()).await })
            .map_ok(|metas| stream::iter(metas.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    async fn list_with_delimiter(
        &self,
        prefix: Option<&Path>,
    ) -> Result<ListResult, object_store::Error> {
        let root = Path::default();
        let prefix = prefix.unwrap_or(&root);
        let mut objects = Vec::new();
        let mut common_prefixes: Vec<Path> = Vec::new();
        for meta in self.listed(Some(prefix)).await? {
            // The segment after the prefix, when the object lies deeper than one.
            let common = {
                let Some(mut parts) = meta.location.prefix_match(prefix) else {
                    continue;
                };
                let Some(first) = parts.next() else {
                    continue;
                };
                parts.next().is_some().then(|| prefix.child(first))
            };
            match common {
                // Listed in key order, so a repeated prefix follows its first.
                Some(common) if common_prefixes.last() == Some(&common) => {}
                Some(common) => common_prefixes.push(common),
                None => objects.push(meta),
            }
        }
        Ok(ListResult {
            common_prefixes,
            objects,
        })
    }

    async fn copy(&self, from: &Path, to: &Path) -> Result<(), object_store::Error> {
        self.copy_as(from, to, PutMode::Overwrite).await
    }

    async fn copy_if_not_exists(&self, from: &Path, to: &Path) -> Result<(), object_store::Error> {
        self.copy_as(from, to, PutMode::Create).await
    }
}

impl SqliteObjectStore {
    /// The objects under `prefix` (whole segments: `a/b` holds `a/b/c`, not `a/bc`), in key
    /// order.
    async fn listed(&self, prefix: Option<&Path>) -> Result<Vec<ObjectMeta>, object_store::Error> {
        // Keys under `p` sort between `p/` and `p0`, '0' being the character after '/'.
        let (low, high) = match prefix.map(|p| p.as_ref()).filter(|p| !p.is_empty()) {
            Some(p) => (format!("{p}/"), Some(format!("{p}0"))),
            None => (String::new(), None),
        };
        let mut conn = self.inner.conn.lock().await;
        let rows = sqlx::query(
            "SELECT key, version, size, modified_ms FROM objects \
             WHERE key >= ?1 AND (?2 IS NULL OR key < ?2) ORDER BY key",
        )
        .bind(low)
        .bind(high)
        .fetch_all(&mut *conn)
        .await
        .map_err(generic)?;
        rows.iter().map(to_meta).collect()
    }
}

/// A multipart upload: each part's chunks are committed as the part is put, under a version
/// no key points at until [`MultipartUpload::complete`].
#[derive(Debug)]
struct Upload {
    inner: Arc<Inner>,
    location: Path,
    version: i64,
    next_part: i64,
}

#[async_trait]
impl MultipartUpload for Upload {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        let part = self.next_part;
        self.next_part += 1;
        let (inner, version) = (self.inner.clone(), self.version);
        Box::pin(async move {
            let chunks = rechunk(data.into_iter());
            let mut conn = inner.conn.lock().await;
            let mut tx = conn.begin().await.map_err(generic)?;
            write_chunks(&mut tx, version, part, &chunks).await?;
            tx.commit().await.map_err(generic)
        })
    }

    async fn complete(&mut self) -> Result<PutResult, object_store::Error> {
        let mut conn = self.inner.conn.lock().await;
        let mut tx = conn.begin().await.map_err(generic)?;
        let size: i64 =
            sqlx::query("SELECT COALESCE(SUM(length(bytes)), 0) FROM chunks WHERE version = ?")
                .bind(self.version)
                .fetch_one(&mut *tx)
                .await
                .and_then(|row| row.try_get(0))
                .map_err(generic)?;
        point_key(
            &mut tx,
            &self.location,
            self.version,
            size,
            &PutMode::Overwrite,
        )
        .await?;
        tx.commit().await.map_err(generic)?;
        Ok(put_result(self.version))
    }

    async fn abort(&mut self) -> Result<(), object_store::Error> {
        let mut conn = self.inner.conn.lock().await;
        let mut tx = conn.begin().await.map_err(generic)?;
        drop_version(&mut tx, self.version).await?;
        end_version(&mut tx, self.version).await?;
        tx.commit().await.map_err(generic)
    }
}

/// Streams the chunks of `version` that overlap `range`, one query per chunk, so a large
/// object is never read whole and the connection is free between chunks.
fn chunk_stream(
    inner: Arc<Inner>,
    version: i64,
    range: Range<usize>,
    location: &Path,
) -> BoxStream<'static, Result<Bytes, object_store::Error>> {
    struct Cursor {
        inner: Arc<Inner>,
        after: (i64, i64),
        /// Bytes of the object before the next chunk.
        offset: usize,
    }
    let location = location.clone();
    let start = Cursor {
        inner,
        after: (-1, -1),
        offset: 0,
    };
    stream::try_unfold(start, move |mut cursor| {
        let (range, location) = (range.clone(), location.clone());
        async move {
            while cursor.offset < range.end {
                let row = {
                    let mut conn = cursor.inner.conn.lock().await;
                    sqlx::query(
                        "SELECT part, seq, bytes FROM chunks WHERE version = ?1 \
                         AND (part > ?2 OR (part = ?2 AND seq > ?3)) \
                         ORDER BY part, seq LIMIT 1",
                    )
                    .bind(version)
                    .bind(cursor.after.0)
                    .bind(cursor.after.1)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(generic)?
                };
                // The object was replaced or deleted while it was being read: its old
                // chunks are gone, and a short read must not pass for the object.
                let Some(row) = row else {
                    return Err(generic(format!(
                        "{location} changed while it was read ({} of {} bytes)",
                        cursor.offset, range.end
                    )));
                };
                cursor.after = (
                    row.try_get(0).map_err(generic)?,
                    row.try_get(1).map_err(generic)?,
                );
                let bytes = Bytes::from(row.try_get::<Vec<u8>, _>(2).map_err(generic)?);
                let (from, to) = (cursor.offset, cursor.offset + bytes.len());
                cursor.offset = to;
                let (low, high) = (from.max(range.start), to.min(range.end));
                if low < high {
                    return Ok(Some((bytes.slice(low - from..high - from), cursor)));
                }
            }
            Ok(None)
        }
    })
    .boxed()
}

/// `payload` as chunks of at most [`CHUNK`] bytes (slices of it, not copies).
fn rechunk(payload: impl Iterator<Item = Bytes>) -> Vec<Bytes> {
    payload
        .flat_map(|bytes| {
            (0..bytes.len())
                .step_by(CHUNK)
                .map(move |at| bytes.slice(at..(at + CHUNK).min(bytes.len())))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A new version number for `location`, recorded as being written.
async fn start_version(
    conn: &mut SqliteConnection,
    location: &Path,
) -> Result<i64, object_store::Error> {
    let done = sqlx::query("INSERT INTO uploads (key, started_ms) VALUES (?, ?)")
        .bind(location.as_ref())
        .bind(now_ms())
        .execute(conn)
        .await
        .map_err(generic)?;
    Ok(done.last_insert_rowid())
}

async fn end_version(conn: &mut SqliteConnection, version: i64) -> Result<(), object_store::Error> {
    sqlx::query("DELETE FROM uploads WHERE id = ?")
        .bind(version)
        .execute(conn)
        .await
        .map_err(generic)?;
    Ok(())
}

async fn write_chunks(
    conn: &mut SqliteConnection,
    version: i64,
    part: i64,
    chunks: &[Bytes],
) -> Result<(), object_store::Error> {
    for (seq, chunk) in chunks.iter().enumerate() {
        sqlx::query("INSERT INTO chunks (version, part, seq, bytes) VALUES (?, ?, ?, ?)")
            .bind(version)
            .bind(part)
            .bind(seq as i64)
            .bind(chunk.as_ref())
            .execute(&mut *conn)
            .await
            .map_err(generic)?;
    }
    Ok(())
}

async fn drop_version(
    conn: &mut SqliteConnection,
    version: i64,
) -> Result<(), object_store::Error> {
    sqlx::query("DELETE FROM chunks WHERE version = ?")
        .bind(version)
        .execute(conn)
        .await
        .map_err(generic)?;
    Ok(())
}

/// Points `location` at `version` (whose chunks are written), as `mode` allows, and drops
/// the version it replaces.
async fn point_key(
    conn: &mut SqliteConnection,
    location: &Path,
    version: i64,
    size: i64,
    mode: &PutMode,
) -> Result<(), object_store::Error> {
    let old = current(conn, location).await?;
    match (mode, &old) {
        (PutMode::Overwrite, _) => {}
        (PutMode::Create, None) => {}
        (PutMode::Create, Some(_)) => {
            return Err(object_store::Error::AlreadyExists {
                path: location.to_string(),
                source: "the object exists".into(),
            })
        }
        (PutMode::Update(expected), Some(meta))
            if expected.e_tag.is_some() && expected.e_tag == meta.e_tag => {}
        (PutMode::Update(expected), _) => {
            return Err(object_store::Error::Precondition {
                path: location.to_string(),
                source: format!("the object's ETag is not {:?}", expected.e_tag).into(),
            })
        }
    }
    if let Some(old) = &old {
        drop_version(conn, version_of(old)?).await?;
    }
    sqlx::query(
        "INSERT INTO objects (key, version, size, modified_ms) VALUES (?, ?, ?, ?) \
         ON CONFLICT (key) DO UPDATE SET version = excluded.version, size = excluded.size, \
         modified_ms = excluded.modified_ms",
    )
    .bind(location.as_ref())
    .bind(version)
    .bind(size)
    .bind(now_ms())
    .execute(&mut *conn)
    .await
    .map_err(generic)?;
    end_version(conn, version).await
}

async fn current(
    conn: &mut SqliteConnection,
    location: &Path,
) -> Result<Option<ObjectMeta>, object_store::Error> {
    sqlx::query("SELECT key, version, size, modified_ms FROM objects WHERE key = ?")
        .bind(location.as_ref())
        .fetch_optional(conn)
        .await
        .map_err(generic)?
        .as_ref()
        .map(to_meta)
        .transpose()
}

/// Drops uploads left by a process that died mid-upload.
async fn sweep_abandoned(conn: &mut SqliteConnection) -> Result<(), object_store::Error> {
    let before = now_ms() - ABANDONED_AFTER.as_millis() as i64;
    let mut tx = conn.begin().await.map_err(generic)?;
    sqlx::query(
        "DELETE FROM chunks WHERE version IN (SELECT id FROM uploads WHERE started_ms < ?)",
    )
    .bind(before)
    .execute(&mut *tx)
    .await
    .map_err(generic)?;
    sqlx::query("DELETE FROM uploads WHERE started_ms < ?")
        .bind(before)
        .execute(&mut *tx)
        .await
        .map_err(generic)?;
    tx.commit().await.map_err(generic)
}

fn to_meta(row: &sqlx::sqlite::SqliteRow) -> Result<ObjectMeta, object_store::Error> {
    let key: String = row.try_get(0).map_err(generic)?;
    let version: i64 = row.try_get(1).map_err(generic)?;
    let size: i64 = row.try_get(2).map_err(generic)?;
    let modified_ms: i64 = row.try_get(3).map_err(generic)?;
    Ok(ObjectMeta {
        location: Path::parse(&key)?,
        last_modified: DateTime::<Utc>::from_timestamp_millis(modified_ms).unwrap_or_default(),
        size: usize::try_from(size).map_err(generic)?,
        e_tag: Some(version.to_string()),
        version: None,
    })
}

/// The version an object's ETag names.
fn version_of(meta: &ObjectMeta) -> Result<i64, object_store::Error> {
    meta.e_tag
        .as_deref()
        .and_then(|tag| tag.parse().ok())
        .ok_or_else(|| generic(format!("{} has no version", meta.location)))
}

fn put_result(version: i64) -> PutResult {
    PutResult {
        e_tag: Some(version.to_string()),
        version: None,
    }
}

/// The bytes of an object of `size` that `range` asks for, as S3 reads a range: an end past
/// the object is cut to it, a start past it is an error.
fn resolve(
    range: &GetRange,
    size: usize,
    location: &Path,
) -> Result<Range<usize>, object_store::Error> {
    let wanted = match range {
        GetRange::Bounded(r) => r.clone(),
        GetRange::Offset(start) => *start..size,
        GetRange::Suffix(n) => size.saturating_sub(*n)..size,
    };
    if wanted.start > wanted.end || (wanted.start >= size && size > 0) {
        return Err(generic(format!(
            "range {}..{} of {location}, which has {size} bytes",
            wanted.start, wanted.end
        )));
    }
    Ok(wanted.start..wanted.end.min(size))
}

fn not_found(location: &Path) -> object_store::Error {
    object_store::Error::NotFound {
        path: location.to_string(),
        source: "no such object".into(),
    }
}

fn generic(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> object_store::Error {
    object_store::Error::Generic {
        store: STORE,
        source: err.into(),
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
