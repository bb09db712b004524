//! The local-directory blob store, on a real temporary directory.

use bytes::Bytes;
use futures::{stream, StreamExt};
use migrationai_adapters::embedded::local_blob_store;
use migrationai_ports::blob::{sha256_hex, BlobError};

#[tokio::test]
async fn put_get_head_delete() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_blob_store(dir.path()).unwrap();
    let data = Bytes::from_static(b"hello documents");
    let stored = store.put("t1/job1/doc.txt", data.clone()).await.unwrap();
    assert_eq!(stored.size, data.len() as u64);
    assert_eq!(stored.sha256, sha256_hex(&data));
    assert!(dir.path().join("blobs/t1/job1/doc.txt").is_file());

    assert_eq!(store.get("t1/job1/doc.txt").await.unwrap(), data);
    let head = store.head("t1/job1/doc.txt").await.unwrap();
    assert_eq!(head.size, data.len() as u64);
    assert_eq!(head.key, "t1/job1/doc.txt");
    assert_eq!(
        store.sha256_of("t1/job1/doc.txt").await.unwrap(),
        stored.sha256
    );

    store.delete("t1/job1/doc.txt").await.unwrap();
    assert!(matches!(
        store.get("t1/job1/doc.txt").await,
        Err(BlobError::NotFound { .. })
    ));
    // Deleting again is fine, as on S3.
    store.delete("t1/job1/doc.txt").await.unwrap();
}

#[tokio::test]
async fn known_digest() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_blob_store(dir.path()).unwrap();
    let stored = store.put("abc", Bytes::from_static(b"abc")).await.unwrap();
    assert_eq!(
        stored.sha256,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[tokio::test]
async fn streams_large_objects_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_blob_store(dir.path()).unwrap();
    // 12 MiB in 1 MiB chunks: more than one multipart part.
    let chunk: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        (0..12).map(|_| Ok(Bytes::from(chunk.clone()))).collect();
    let mut whole = Vec::new();
    for _ in 0..12 {
        whole.extend_from_slice(&chunk);
    }
    let stored = store
        .put_stream("big/stream.bin", stream::iter(chunks))
        .await
        .unwrap();
    assert_eq!(stored.size, whole.len() as u64);
    assert_eq!(stored.sha256, sha256_hex(&whole));

    let mut read = Vec::new();
    let mut body = store.get_stream("big/stream.bin").await.unwrap();
    while let Some(part) = body.next().await {
        read.extend_from_slice(&part.unwrap());
    }
    assert_eq!(read, whole);
}

#[tokio::test]
async fn put_file_hashes_what_it_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_blob_store(dir.path()).unwrap();
    let source = dir.path().join("upload.zip");
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 7) as u8).collect();
    std::fs::write(&source, &content).unwrap();
    let stored = store.put_file("uploads/u1.zip", &source).await.unwrap();
    assert_eq!(stored.size, content.len() as u64);
    assert_eq!(stored.sha256, sha256_hex(&content));
    assert_eq!(
        store.get("uploads/u1.zip").await.unwrap().len(),
        content.len()
    );
}

#[tokio::test]
async fn failed_stream_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_blob_store(dir.path()).unwrap();
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from_static(b"partial")),
        Err(std::io::Error::other("upload cut off")),
    ];
    let err = store
        .put_stream("broken.bin", stream::iter(chunks))
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::Io(_)), "{err}");
    assert!(matches!(
        store.head("broken.bin").await,
        Err(BlobError::NotFound { .. })
    ));
}

#[tokio::test]
async fn lists_by_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_blob_store(dir.path()).unwrap();
    for key in ["t1/a/1.txt", "t1/a/2.txt", "t1/ab/3.txt", "t2/4.txt"] {
        store.put(key, Bytes::from_static(b"x")).await.unwrap();
    }
    let keys = |metas: Vec<migrationai_ports::BlobMeta>| -> Vec<String> {
        metas.into_iter().map(|m| m.key).collect()
    };
    assert_eq!(
        keys(store.list("t1/a").await.unwrap()),
        ["t1/a/1.txt", "t1/a/2.txt"]
    );
    assert_eq!(store.list("t1").await.unwrap().len(), 3);
    assert_eq!(store.list("").await.unwrap().len(), 4);
    assert!(store.list("none").await.unwrap().is_empty());
}

#[tokio::test]
async fn rejects_bad_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = local_blob_store(dir.path()).unwrap();
    let err = store
        .put("../escape", Bytes::from_static(b"x"))
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::InvalidKey { .. }), "{err}");
}
