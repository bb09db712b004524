//! Resumable uploads through the backend API, against the spawned app and its real blob
//! store: a file in parts, resumed after a connection cut mid-chunk, chunks out of order
//! refused with the server's offset, size limits on the total, abort, and other firms.

mod common;

use std::io::Write as _;

use common::{spawn, spawn_with, TestApp};
use migrationai_api::Settings;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn begin(app: &TestApp, token: &str, job: &str, name: &str, size: usize) -> (u16, Value) {
    let r = app
        .http
        .post(format!("{}/v1/jobs/{job}/uploads", app.api))
        .bearer_auth(token)
        .json(&serde_json::json!({ "name": name, "size": size }))
        .send()
        .await
        .expect("begin");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn chunk(
    app: &TestApp,
    token: &str,
    url: &str,
    data: &[u8],
    first: usize,
    len: usize,
) -> (u16, Value, Option<String>) {
    let r = app
        .http
        .put(format!("{}{url}", app.api))
        .bearer_auth(token)
        .header(
            "content-range",
            format!("bytes {first}-{}/{}", first + len - 1, data.len()),
        )
        .body(data[first..first + len].to_vec())
        .send()
        .await
        .expect("chunk");
    let offset = r
        .headers()
        .get("upload-offset")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (
        r.status().as_u16(),
        r.json().await.unwrap_or(Value::Null),
        offset,
    )
}

async fn blobs(app: &TestApp, prefix: &str) -> Vec<String> {
    app.state
        .app
        .services
        .blobs
        .list(prefix)
        .await
        .expect("list")
        .into_iter()
        .map(|m| m.key)
        .collect()
}

/// A CSV of about 37 KB: three chunks of 12 000 bytes and a short last one.
fn contacts_csv() -> Vec<u8> {
    let mut out = Vec::new();
    writeln!(out, "id,first_name,last_name,email").expect("write");
    for i in 0..1000 {
        writeln!(out, "{i},Ann{i},Lee{i},ann{i}@example.test").expect("write");
    }
    out
}

/// Sends a chunk's headers and only half its bytes over a raw connection, then hangs up,
/// as a client whose network drops mid-chunk.
async fn cut_off_chunk(
    app: &TestApp,
    token: &str,
    url: &str,
    data: &[u8],
    first: usize,
    len: usize,
) {
    let addr = app.api.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "PUT {url} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Range: bytes {first}-{}/{}\r\nContent-Length: {len}\r\n\r\n",
        first + len - 1,
        data.len()
    );
    tcp.write_all(head.as_bytes()).await.expect("head");
    tcp.write_all(&data[first..first + len / 2])
        .await
        .expect("half");
    // Closing our sending side ends the body early; reading until the server closes
    // means it has finished with the request before the test goes on.
    tcp.shutdown().await.expect("shutdown");
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_uploads_in_parts_and_resumes_after_a_dropped_chunk() {
    let app = spawn().await;
    let job = app.create_job(&app.a, "parts").await;
    let data = contacts_csv();
    let part = 12_000;
    let (status, up) = begin(&app, &app.a, &job, "contacts.csv", data.len()).await;
    assert_eq!(status, 201, "{up}");
    assert_eq!(up["offset"], 0);
    assert!(up["part_size"].as_u64().unwrap_or(0) >= part as u64, "{up}");
    let id = up["upload_id"].as_str().expect("id").to_string();
    let url = format!("/v1/jobs/{job}/uploads/{id}");

    let (status, v, _) = chunk(&app, &app.a, &url, &data, 0, part).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["offset"].as_u64(), Some(part as u64));
    assert!(v["file"].is_null());

    // The second chunk is cut off mid-way: the server keeps none of it.
    cut_off_chunk(&app, &app.a, &url, &data, part, part).await;
    // The server dropped the partial chunk: the offset is where it was.
    let (status, v) = app.get_json(&app.a, &url).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["offset"].as_u64(), Some(part as u64), "{v}");

    // Out of order: the third chunk before the second is refused with the offset.
    let (status, v, header) =
        chunk(&app, &app.a, &url, &data, 2 * part, data.len() - 2 * part).await;
    assert_eq!(status, 409, "{v}");
    assert_eq!(v["offset"].as_u64(), Some(part as u64), "{v}");
    assert_eq!(header.as_deref(), Some(part.to_string().as_str()));

    // A chunk shorter than its Content-Range says is refused and not kept.
    let r = app
        .http
        .put(format!("{}{url}", app.api))
        .bearer_auth(&app.a)
        .header(
            "content-range",
            format!("bytes {part}-{}/{}", 2 * part - 1, data.len()),
        )
        .body(data[part..part + 10].to_vec())
        .send()
        .await
        .expect("short");
    assert_eq!(r.status(), 400);

    // Resume from the server's offset to the end.
    let (status, v, _) = chunk(&app, &app.a, &url, &data, part, part).await;
    assert_eq!(status, 200, "{v}");
    let (status, v, _) = chunk(&app, &app.a, &url, &data, 2 * part, data.len() - 2 * part).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["offset"].as_u64(), Some(data.len() as u64));
    let sha = hex::encode(Sha256::digest(&data));
    assert_eq!(v["file"]["sha256"].as_str(), Some(sha.as_str()), "{v}");

    // The file is the job's like a single-shot upload, whole, and no part remains.
    let (_, files) = app.get_json(&app.a, &format!("/v1/jobs/{job}/files")).await;
    assert_eq!(files[0]["name"], "contacts.csv", "{files}");
    assert_eq!(files[0]["size"].as_u64(), Some(data.len() as u64));
    assert_eq!(files[0]["sha256"].as_str(), Some(sha.as_str()));
    let stored = app
        .state
        .app
        .services
        .blobs
        .get(&format!("uploads/firm-a/{job}/contacts.csv"))
        .await
        .expect("stored");
    assert_eq!(stored.as_ref(), data.as_slice());
    assert!(blobs(&app, "upload-parts").await.is_empty());
    // The finished upload is gone.
    let (status, _) = app.get_json(&app.a, &url).await;
    assert_eq!(status, 404);

    // An upload left unfinished when the job is analysed is discarded with its parts.
    let (_, up) = begin(&app, &app.a, &job, "notes.csv", data.len()).await;
    let id = up["upload_id"].as_str().expect("id").to_string();
    let url = format!("/v1/jobs/{job}/uploads/{id}");
    let (status, _, _) = chunk(&app, &app.a, &url, &data, 0, part).await;
    assert_eq!(status, 200);
    assert!(!blobs(&app, "upload-parts").await.is_empty());
    let r = app
        .call("POST", &format!("/v1/jobs/{job}/analyse"), Some(&app.a))
        .await;
    assert_eq!(r.status(), 202);
    assert!(blobs(&app, "upload-parts").await.is_empty());
    let (status, _, _) = chunk(&app, &app.a, &url, &data, part, part).await;
    assert_eq!(status, 409, "the job no longer takes files");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversize_is_refused_clearly_and_abort_leaves_nothing() {
    let app = spawn_with(Settings {
        secure_cookies: false,
        upload_limit: 64 * 1024,
        ..Settings::default()
    })
    .await;
    let job = app.create_job(&app.a, "limits").await;
    let (status, v) = begin(&app, &app.a, &job, "big.csv", 200 * 1024).await;
    assert_eq!(status, 413, "{v}");
    let msg = v["message"].as_str().unwrap_or("");
    assert!(msg.contains("limit of 65536 bytes"), "{v}");
    assert!(blobs(&app, "upload-parts").await.is_empty());

    // A chunk longer than its Content-Range is refused and not kept.
    let data = contacts_csv();
    let (status, up) = begin(&app, &app.a, &job, "contacts.csv", data.len()).await;
    assert_eq!(status, 201, "{up}");
    let id = up["upload_id"].as_str().expect("id").to_string();
    let url = format!("/v1/jobs/{job}/uploads/{id}");
    let r = app
        .http
        .put(format!("{}{url}", app.api))
        .bearer_auth(&app.a)
        .header("content-range", format!("bytes 0-99/{}", data.len()))
        .body(data[..5000].to_vec())
        .send()
        .await
        .expect("long");
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.expect("json");
    assert!(
        v["message"]
            .as_str()
            .unwrap_or("")
            .contains("longer than its Content-Range"),
        "{v}"
    );
    // A chunk whose total is not the upload's size is refused.
    let r = app
        .http
        .put(format!("{}{url}", app.api))
        .bearer_auth(&app.a)
        .header("content-range", "bytes 0-9/99999999")
        .body(data[..10].to_vec())
        .send()
        .await
        .expect("total");
    assert_eq!(r.status(), 400);
    let (_, v) = app.get_json(&app.a, &url).await;
    assert_eq!(v["offset"], 0, "{v}");

    // One good chunk, then abort: every part goes.
    let (status, v, _) = chunk(&app, &app.a, &url, &data, 0, 1000).await;
    assert_eq!(status, 200, "{v}");
    assert!(!blobs(&app, "upload-parts").await.is_empty());
    // Firm B cannot see, feed or abort it.
    let (status, _) = app.get_json(&app.b, &url).await;
    assert_eq!(status, 404);
    let (status, _, _) = chunk(&app, &app.b, &url, &data, 1000, 1000).await;
    assert_eq!(status, 404);
    let r = app.call("DELETE", &url, Some(&app.b)).await;
    assert_eq!(r.status(), 404);
    let r = app.call("DELETE", &url, Some(&app.a)).await;
    assert_eq!(r.status(), 204);
    assert!(blobs(&app, "upload-parts").await.is_empty());
    assert!(blobs(&app, "uploads").await.is_empty());
    let (status, _) = app.get_json(&app.a, &url).await;
    assert_eq!(status, 404);
    let (_, files) = app.get_json(&app.a, &format!("/v1/jobs/{job}/files")).await;
    assert_eq!(files.as_array().map(Vec::len), Some(0));
    app.stop().await;
}
