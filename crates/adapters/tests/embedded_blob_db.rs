//! The SQLite blob store, on a real database file in a temporary directory: through the
//! blob port as the pipeline uses it, and through `ObjectStore` for what the port does not
//! wrap (parts put out of order, ranges, copies, listing by delimiter).

use bytes::Bytes;
use futures::{stream, StreamExt, TryStreamExt};
use migrationai_adapters::embedded::{db_blob_store, SqliteObjectStore};
use migrationai_ports::blob::{sha256_hex, BlobError};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, PutMode, PutOptions, UpdateVersion};

fn keys(metas: Vec<migrationai_ports::BlobMeta>) -> Vec<String> {
    metas.into_iter().map(|m| m.key).collect()
}

/// `n` bytes that differ from one position to the next, so a misplaced chunk shows.
fn pattern(n: usize, seed: u8) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8 ^ seed).collect()
}

#[tokio::test]
async fn put_get_head_delete_in_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = db_blob_store(dir.path()).await.unwrap();
    let data = Bytes::from_static(b"one batch of rows");
    let stored = store
        .put("t1/job1/batches/a.jsonl.gz", data.clone())
        .await
        .unwrap();
    assert_eq!(stored.size, data.len() as u64);
    assert_eq!(stored.sha256, sha256_hex(&data));

    assert_eq!(store.get("t1/job1/batches/a.jsonl.gz").await.unwrap(), data);
    let head = store.head("t1/job1/batches/a.jsonl.gz").await.unwrap();
    assert_eq!(head.key, "t1/job1/batches/a.jsonl.gz");
    assert_eq!(head.size, data.len() as u64);
    assert_eq!(
        store.sha256_of("t1/job1/batches/a.jsonl.gz").await.unwrap(),
        stored.sha256
    );
    // No file per object: the database is all there is.
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("blobs.db-"))
        .collect();
    files.sort();
    assert_eq!(files, ["blobs.db"]);

    store.delete("t1/job1/batches/a.jsonl.gz").await.unwrap();
    assert!(matches!(
        store.get("t1/job1/batches/a.jsonl.gz").await,
        Err(BlobError::NotFound { .. })
    ));
    assert!(matches!(
        store.head("t1/job1/batches/a.jsonl.gz").await,
        Err(BlobError::NotFound { .. })
    ));
    // Deleting again is fine, as on S3.
    store.delete("t1/job1/batches/a.jsonl.gz").await.unwrap();
}

#[tokio::test]
async fn a_missing_key_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = db_blob_store(dir.path()).await.unwrap();
    match store.get("never/written").await {
        Err(BlobError::NotFound { key }) => assert_eq!(key, "never/written"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(
        store.get_stream("never/written").await,
        Err(BlobError::NotFound { .. })
    ));
    let err = store
        .put("../escape", Bytes::from_static(b"x"))
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::InvalidKey { .. }), "{err}");
}

#[tokio::test]
async fn overwriting_replaces_the_bytes_whole() {
    let dir = tempfile::tempdir().unwrap();
    let store = db_blob_store(dir.path()).await.unwrap();
    // Longer than a chunk first, then shorter: no chunk of the first may survive.
    let first = Bytes::from(pattern(3 * 1024 * 1024 + 5, 1));
    store.put("k", first.clone()).await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), first);
    let second = Bytes::from(pattern(10, 2));
    store.put("k", second.clone()).await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), second);
    assert_eq!(store.head("k").await.unwrap().size, 10);
    // A re-plan writes the same bytes again: the same object afterwards.
    store.put("k", second.clone()).await.unwrap();
    assert_eq!(store.get("k").await.unwrap(), second);
    assert_eq!(store.list("").await.unwrap().len(), 1);
    // An empty object is an object.
    store.put("empty", Bytes::new()).await.unwrap();
    assert_eq!(store.get("empty").await.unwrap(), Bytes::new());
    assert_eq!(store.head("empty").await.unwrap().size, 0);
}

#[tokio::test]
async fn what_was_put_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let data = Bytes::from(pattern(2 * 1024 * 1024 + 17, 3));
    {
        let store = db_blob_store(dir.path()).await.unwrap();
        store.put("kept/after/close", data.clone()).await.unwrap();
    }
    let store = db_blob_store(dir.path()).await.unwrap();
    assert_eq!(store.get("kept/after/close").await.unwrap(), data);
}

#[tokio::test]
async fn lists_by_whole_segments() {
    let dir = tempfile::tempdir().unwrap();
    let store = db_blob_store(dir.path()).await.unwrap();
    for key in [
        "t1/a/1.txt",
        "t1/a/2.txt",
        "t1/ab/3.txt",
        "t1/a",
        "t2/4.txt",
        "t1/a0/5",
    ] {
        store.put(key, Bytes::from_static(b"x")).await.unwrap();
    }
    assert_eq!(
        keys(store.list("t1/a").await.unwrap()),
        ["t1/a/1.txt", "t1/a/2.txt"]
    );
    assert_eq!(
        keys(store.list("t1").await.unwrap()),
        ["t1/a", "t1/a/1.txt", "t1/a/2.txt", "t1/a0/5", "t1/ab/3.txt"]
    );
    assert_eq!(store.list("").await.unwrap().len(), 6);
    assert!(store.list("none").await.unwrap().is_empty());

    let raw = store.object_store();
    let listed = raw
        .list_with_delimiter(Some(&Path::from("t1")))
        .await
        .unwrap();
    let common: Vec<String> = listed
        .common_prefixes
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(common, ["t1/a", "t1/a0", "t1/ab"]);
    let objects: Vec<String> = listed
        .objects
        .iter()
        .map(|m| m.location.to_string())
        .collect();
    assert_eq!(objects, ["t1/a"]);
}

#[tokio::test]
async fn a_streamed_put_of_several_parts_reads_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = db_blob_store(dir.path()).await.unwrap();
    // 12 MiB in 1 MiB chunks: the port uploads it as three parts of 5 MiB or less.
    let chunk = pattern(1024 * 1024, 4);
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
    assert_eq!(
        store.head("big/stream.bin").await.unwrap().size,
        stored.size
    );

    let mut read = Vec::new();
    let mut pieces = 0;
    let mut body = store.get_stream("big/stream.bin").await.unwrap();
    while let Some(piece) = body.next().await {
        let piece = piece.unwrap();
        assert!(piece.len() <= migrationai_adapters::embedded::blob_db::CHUNK);
        read.extend_from_slice(&piece);
        pieces += 1;
    }
    assert_eq!(read, whole);
    assert!(pieces >= 12, "streamed in {pieces} pieces");
}

#[tokio::test]
async fn parts_finished_out_of_order_keep_their_places() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteObjectStore::open(dir.path().join("blobs.db"))
        .await
        .unwrap();
    let location = Path::from("docs/parts.bin");
    let parts: Vec<Vec<u8>> = (0..3u8)
        .map(|n| pattern(1024 * 1024 + 100 * usize::from(n), n))
        .collect();
    let mut upload = store.put_multipart(&location).await.unwrap();
    let futures: Vec<_> = parts
        .iter()
        .map(|p| upload.put_part(Bytes::from(p.clone()).into()))
        .collect();
    // Awaited last to first: the order the parts were put decides, not when they land.
    for f in futures.into_iter().rev() {
        f.await.unwrap();
    }
    // Not visible before it completes.
    assert!(matches!(
        store.head(&location).await,
        Err(object_store::Error::NotFound { .. })
    ));
    upload.complete().await.unwrap();
    let whole: Vec<u8> = parts.concat();
    let got = store.get(&location).await.unwrap().bytes().await.unwrap();
    assert_eq!(got.len(), whole.len());
    assert!(got == whole, "parts out of place");

    // A range across the first part's end reads the right bytes.
    let at = parts[0].len() - 3;
    let ranged = store.get_range(&location, at..at + 10).await.unwrap();
    assert_eq!(ranged.as_ref(), &whole[at..at + 10]);
    let options = GetOptions {
        range: Some(GetRange::Suffix(5)),
        ..GetOptions::default()
    };
    let tail = store
        .get_opts(&location, options)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(tail.as_ref(), &whole[whole.len() - 5..]);
}

#[tokio::test]
async fn an_aborted_upload_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = db_blob_store(dir.path()).await.unwrap();
    store
        .put("broken.bin", Bytes::from_static(b"the old bytes"))
        .await
        .unwrap();
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(pattern(6 * 1024 * 1024, 5))),
        Err(std::io::Error::other("upload cut off")),
    ];
    let err = store
        .put_stream("broken.bin", stream::iter(chunks))
        .await
        .unwrap_err();
    assert!(matches!(err, BlobError::Io(_)), "{err}");
    // The object before the failed upload is untouched.
    assert_eq!(
        store.get("broken.bin").await.unwrap(),
        Bytes::from_static(b"the old bytes")
    );
    let fresh = vec![Err::<Bytes, _>(std::io::Error::other("nothing sent"))];
    assert!(store
        .put_stream("never.bin", stream::iter(fresh))
        .await
        .is_err());
    assert!(matches!(
        store.head("never.bin").await,
        Err(BlobError::NotFound { .. })
    ));
}

#[tokio::test]
async fn conditional_puts_and_copies() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteObjectStore::open(dir.path().join("blobs.db"))
        .await
        .unwrap();
    let (a, b) = (Path::from("a"), Path::from("b"));
    let create = PutOptions {
        mode: PutMode::Create,
        ..PutOptions::default()
    };
    let first = store
        .put_opts(&a, Bytes::from_static(b"1").into(), create.clone())
        .await
        .unwrap();
    let again = store
        .put_opts(&a, Bytes::from_static(b"2").into(), create)
        .await;
    assert!(matches!(
        again,
        Err(object_store::Error::AlreadyExists { .. })
    ));

    let update = |e_tag: Option<String>| PutOptions {
        mode: PutMode::Update(UpdateVersion {
            e_tag,
            version: None,
        }),
        ..PutOptions::default()
    };
    store
        .put_opts(
            &a,
            Bytes::from_static(b"3").into(),
            update(first.e_tag.clone()),
        )
        .await
        .unwrap();
    // The ETag changed with the update: the old one no longer matches.
    let stale = store
        .put_opts(&a, Bytes::from_static(b"4").into(), update(first.e_tag))
        .await;
    assert!(matches!(
        stale,
        Err(object_store::Error::Precondition { .. })
    ));

    store.copy(&a, &b).await.unwrap();
    assert_eq!(
        store.get(&b).await.unwrap().bytes().await.unwrap().as_ref(),
        b"3"
    );
    assert!(matches!(
        store.copy_if_not_exists(&a, &b).await,
        Err(object_store::Error::AlreadyExists { .. })
    ));
    store.rename(&b, &Path::from("c")).await.unwrap();
    let names: Vec<String> = store
        .list(None)
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["a", "c"]);
    assert!(matches!(
        store.copy(&Path::from("missing"), &b).await,
        Err(object_store::Error::NotFound { .. })
    ));
}
