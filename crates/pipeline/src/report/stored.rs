//! The SHA-256 of stored files, several read at once.

use futures::stream::BoxStream;
use futures::StreamExt;
use migrationai_ports::blob::{BlobError, BlobStore};

/// Reads in flight while the reconcile hashes stored files. On S3 each read waits tens of
/// milliseconds for its first byte: one at a time, a medium export's 3,000 files took 18 s of
/// the reconcile step, and a ten times larger one neared Lambda's 300 s. Sixteen overlap the
/// waits while holding at most sixteen streams (`migrationai bench documents` measures it).
pub const AT_ONCE: usize = 16;

/// Each item's blob hashed as it streams, `at_once` reads in flight, yielded in the items'
/// own order, so whatever is built from them comes out as it did when read one at a time.
///
/// Boxed: the concrete stream's closures would otherwise leave callers inside `async_trait`
/// handlers unable to prove their futures `Send`.
pub fn sha256_in_order<'a, T: Send + 'a>(
    blobs: &'a BlobStore,
    items: impl Iterator<Item = (T, &'a str)> + Send + 'a,
    at_once: usize,
) -> BoxStream<'a, (T, &'a str, Result<String, BlobError>)> {
    futures::stream::iter(items)
        .map(move |(item, key)| async move { (item, key, blobs.sha256_of(key).await) })
        .buffered(at_once.max(1))
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use migrationai_adapters::embedded::local_blob_store;
    use migrationai_ports::blob::sha256_hex;

    #[tokio::test]
    async fn hashes_come_back_in_the_files_order_with_failures_in_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blobs = local_blob_store(dir.path()).expect("blob store");
        // Sizes fall and rise, so reads finish out of order when several run at once.
        let mut expected = Vec::new();
        let mut keys = Vec::new();
        for i in 0..40usize {
            let key = format!("docs/{i:02}.bin");
            if i == 17 {
                expected.push(None); // never stored
            } else {
                let body: Vec<u8> = (0..((40 - i) * 7919)).map(|b| (b % 251) as u8).collect();
                expected.push(Some(sha256_hex(&body)));
                blobs.put(&key, body.into()).await.expect("put");
            }
            keys.push(key);
        }
        let got: Vec<(usize, Option<String>)> =
            sha256_in_order(&blobs, keys.iter().map(String::as_str).enumerate(), AT_ONCE)
                .map(|(i, key, hash)| {
                    assert_eq!(key, keys[i]);
                    (i, hash.ok())
                })
                .collect()
                .await;
        let want: Vec<(usize, Option<String>)> = expected.into_iter().enumerate().collect();
        assert_eq!(got, want);
    }
}
