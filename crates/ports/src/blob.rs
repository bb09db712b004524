//! Blob store port: a thin layer over `object_store` that every adapter
//! (local directory, S3) shares, adding SHA-256 of what was stored so the
//! reconciliation report can prove each document arrived intact.

use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

/// Chunk size used when streaming a local file into the store.
const FILE_CHUNK: usize = 1024 * 1024;
/// Parts uploaded concurrently by a streaming put.
const UPLOAD_CONCURRENCY: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("blob {key} not found")]
    NotFound { key: String },
    #[error("invalid blob key {key:?}: {reason}")]
    InvalidKey { key: String, reason: String },
    #[error("blob I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("blob store: {0}")]
    Store(object_store::Error),
}

impl From<object_store::Error> for BlobError {
    fn from(err: object_store::Error) -> Self {
        match err {
            object_store::Error::NotFound { path, .. } => Self::NotFound { key: path },
            other => Self::Store(other),
        }
    }
}

/// What a put stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub key: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the stored bytes.
    pub sha256: String,
}

/// Metadata of a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    pub key: String,
    pub size: u64,
    pub last_modified: SystemTime,
    pub e_tag: Option<String>,
}

/// Blob store over any `object_store` backend. Keys are `/`-separated paths
/// such as `tenant/job/documents/a.pdf`.
#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobStore({})", self.inner)
    }
}

impl BlobStore {
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self { inner }
    }

    /// The underlying store, for calls this port does not wrap.
    pub fn object_store(&self) -> &Arc<dyn ObjectStore> {
        &self.inner
    }

    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<StoredBlob, BlobError> {
        let path = parse_key(key)?;
        let size = bytes.len() as u64;
        let sha256 = sha256_hex(&bytes);
        self.inner.put(&path, bytes.into()).await?;
        Ok(StoredBlob {
            key: key.to_owned(),
            size,
            sha256,
        })
    }

    /// Stores a stream of chunks as a multipart upload, so large objects never
    /// sit in memory whole. A failed stream aborts the upload.
    pub async fn put_stream<S, E>(&self, key: &str, chunks: S) -> Result<StoredBlob, BlobError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send,
        E: Into<BlobError>,
    {
        let mut upload = HashingUpload::start(self, key).await?;
        let mut chunks = std::pin::pin!(chunks);
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(chunk) => {
                    if let Err(err) = upload.push(chunk).await {
                        upload.abort().await;
                        return Err(err);
                    }
                }
                Err(err) => {
                    upload.abort().await;
                    return Err(err.into());
                }
            }
        }
        upload.finish().await
    }

    /// Stores a local file by streaming it.
    pub async fn put_file(
        &self,
        key: &str,
        file: &std::path::Path,
    ) -> Result<StoredBlob, BlobError> {
        let mut source = tokio::fs::File::open(file).await?;
        let mut upload = HashingUpload::start(self, key).await?;
        loop {
            let mut buf = Vec::with_capacity(FILE_CHUNK);
            let read = match (&mut source)
                .take(FILE_CHUNK as u64)
                .read_to_end(&mut buf)
                .await
            {
                Ok(read) => read,
                Err(err) => {
                    upload.abort().await;
                    return Err(err.into());
                }
            };
            if read == 0 {
                break;
            }
            if let Err(err) = upload.push(Bytes::from(buf)).await {
                upload.abort().await;
                return Err(err);
            }
        }
        upload.finish().await
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, BlobError> {
        let path = parse_key(key)?;
        Ok(self.inner.get(&path).await?.bytes().await?)
    }

    pub async fn get_stream(
        &self,
        key: &str,
    ) -> Result<BoxStream<'static, Result<Bytes, BlobError>>, BlobError> {
        let path = parse_key(key)?;
        let result = self.inner.get(&path).await?;
        Ok(result.into_stream().map_err(BlobError::from).boxed())
    }

    pub async fn head(&self, key: &str) -> Result<BlobMeta, BlobError> {
        let path = parse_key(key)?;
        Ok(to_meta(self.inner.head(&path).await?))
    }

    /// Deletes the object; deleting a missing object is not an error (as on
    /// S3).
    pub async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let path = parse_key(key)?;
        match self.inner.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Lists objects under `prefix`, which matches whole path segments:
    /// `a/b` lists `a/b/c` but not `a/bc`. An empty prefix lists everything.
    pub async fn list(&self, prefix: &str) -> Result<Vec<BlobMeta>, BlobError> {
        let prefix = if prefix.is_empty() {
            None
        } else {
            Some(parse_key(prefix)?)
        };
        let mut listed: Vec<BlobMeta> = self
            .inner
            .list(prefix.as_ref())
            .map_ok(to_meta)
            .try_collect()
            .await?;
        listed.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(listed)
    }

    /// SHA-256 of a stored object, read back in full.
    pub async fn sha256_of(&self, key: &str) -> Result<String, BlobError> {
        let mut stream = self.get_stream(key).await?;
        let mut hasher = Sha256::new();
        while let Some(chunk) = stream.next().await {
            hasher.update(&chunk?);
        }
        Ok(hex::encode(hasher.finalize()))
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn parse_key(key: &str) -> Result<Path, BlobError> {
    Path::parse(key).map_err(|err| BlobError::InvalidKey {
        key: key.to_owned(),
        reason: err.to_string(),
    })
}

fn to_meta(meta: object_store::ObjectMeta) -> BlobMeta {
    BlobMeta {
        key: meta.location.to_string(),
        size: meta.size as u64,
        last_modified: SystemTime::from(meta.last_modified),
        e_tag: meta.e_tag,
    }
}

/// A multipart upload that hashes and counts what passes through it.
struct HashingUpload {
    key: String,
    writer: WriteMultipart,
    hasher: Sha256,
    size: u64,
}

impl HashingUpload {
    async fn start(store: &BlobStore, key: &str) -> Result<Self, BlobError> {
        let path = parse_key(key)?;
        let upload = store.inner.put_multipart(&path).await?;
        Ok(Self {
            key: key.to_owned(),
            writer: WriteMultipart::new(upload),
            hasher: Sha256::new(),
            size: 0,
        })
    }

    async fn push(&mut self, chunk: Bytes) -> Result<(), BlobError> {
        self.hasher.update(&chunk);
        self.size += chunk.len() as u64;
        // Bounds memory: waits until earlier parts have been uploaded.
        self.writer.wait_for_capacity(UPLOAD_CONCURRENCY).await?;
        self.writer.put(chunk);
        Ok(())
    }

    async fn finish(self) -> Result<StoredBlob, BlobError> {
        self.writer.finish().await?;
        Ok(StoredBlob {
            key: self.key,
            size: self.size,
            sha256: hex::encode(self.hasher.finalize()),
        })
    }

    async fn abort(self) {
        // The caller reports the original failure; a failed abort only leaves
        // a partial upload behind for the store's own cleanup.
        let _ = self.writer.abort().await;
    }
}
