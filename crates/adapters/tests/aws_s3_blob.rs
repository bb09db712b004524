//! The S3 blob store on moto: plain and multipart puts, SSE, listing, deletes.

mod aws_env;

use bytes::Bytes;
use futures::{stream, StreamExt};
use migrationai_adapters::aws::Sse;
use migrationai_ports::blob::{sha256_hex, BlobError, BlobStore};

async fn store(sse: Sse) -> Option<BlobStore> {
    let endpoint = aws_env::require("MIGRATIONAI_TEST_S3_ENDPOINT")?;
    let bucket = format!("blobs-{}", aws_env::unique("b").trim_end_matches('-'));
    Some(aws_env::bucket_at(&endpoint, &bucket, sse).await)
}

#[tokio::test]
async fn put_get_head_list_delete() {
    let Some(store) = store(Sse::Aes256).await else {
        return;
    };
    let data = Bytes::from_static(b"hello documents");
    let stored = store.put("t1/job1/doc.txt", data.clone()).await.unwrap();
    assert_eq!(stored.sha256, sha256_hex(&data));
    assert_eq!(store.get("t1/job1/doc.txt").await.unwrap(), data);
    assert_eq!(store.head("t1/job1/doc.txt").await.unwrap().size, 15);
    store
        .put("t1/job1b/x", Bytes::from_static(b"x"))
        .await
        .unwrap();
    let listed = store.list("t1/job1").await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    store.delete("t1/job1/doc.txt").await.unwrap();
    store.delete("t1/job1/doc.txt").await.unwrap();
    assert!(matches!(
        store.get("t1/job1/doc.txt").await,
        Err(BlobError::NotFound { .. })
    ));
}

#[tokio::test]
async fn large_objects_go_multipart_with_kms() {
    let Some(store) = store(Sse::Kms(None)).await else {
        return;
    };
    // 12 MiB in 1 MiB chunks: more than one 5 MiB part.
    let chunk: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        (0..12).map(|_| Ok(Bytes::from(chunk.clone()))).collect();
    let whole: Vec<u8> = chunk
        .iter()
        .copied()
        .cycle()
        .take(12 * chunk.len())
        .collect();
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
    assert_eq!(read.len(), whole.len());
    assert_eq!(sha256_hex(&read), stored.sha256);
}

#[tokio::test]
async fn encryption_setting_is_checked() {
    assert!(Sse::parse("AES256", None).is_ok());
    assert!(matches!(
        Sse::parse("aws:kms", Some("k".into())).unwrap(),
        Sse::Kms(Some(_))
    ));
    assert!(Sse::parse("rot13", None).is_err());
}
