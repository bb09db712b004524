//! `migrationai bench sqs`: the SQS adapter's throughput against bare SDK calls;
//! `migrationai bench documents`: the reconcile's reads of stored documents on S3.
use crate::output::say;

use std::process::ExitCode;

use migrationai_adapters::aws::{s3_blob_store, S3Settings, SqsSettings, Sse};
use migrationai_bench::{bench_document_reads, bench_sqs};

pub fn sqs(endpoint: Option<String>, messages: usize) -> anyhow::Result<ExitCode> {
    let keys = match (
        std::env::var("AWS_ACCESS_KEY_ID"),
        std::env::var("AWS_SECRET_ACCESS_KEY"),
    ) {
        // A moto endpoint takes any keys; real SQS uses the credential chain.
        (Err(_), Err(_)) if endpoint.is_some() => Some(("testing".into(), "testing".into())),
        _ => None,
    };
    let settings = SqsSettings {
        region: std::env::var("AWS_REGION")
            .ok()
            .or_else(|| Some("us-east-1".into())),
        endpoint,
        static_keys: keys,
        ..SqsSettings::default()
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let figures = runtime.block_on(bench_sqs(&settings, messages))?;
    say!(
        "sqs: {} messages sent in batches of 10, received and deleted in batches of 10",
        figures.messages
    );
    say!(
        "sqs: bare SDK calls   {:.0} messages/s",
        figures.sdk_per_sec
    );
    say!(
        "sqs: through adapter  {:.0} messages/s",
        figures.adapter_per_sec
    );
    say!("sqs: adapter overhead {:+.1}%", figures.overhead_percent());
    Ok(ExitCode::SUCCESS)
}

pub fn documents(
    endpoint: Option<String>,
    latency_ms: Option<u64>,
    files: usize,
    bytes: usize,
) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    let (blobs, place) = match (endpoint, latency_ms) {
        (Some(endpoint), _) => runtime.block_on(moto_bucket(&endpoint))?,
        (None, Some(ms)) => {
            let config = object_store::throttle::ThrottleConfig {
                wait_get_per_call: std::time::Duration::from_millis(ms),
                ..Default::default()
            };
            let store = object_store::throttle::ThrottledStore::new(
                object_store::memory::InMemory::new(),
                config,
            );
            (
                migrationai_ports::blob::BlobStore::new(std::sync::Arc::new(store)),
                format!("in memory, each read first waiting {ms} ms"),
            )
        }
        (None, None) => anyhow::bail!("give --endpoint URL (moto) or --latency-ms N"),
    };
    let figures = runtime.block_on(bench_document_reads(&blobs, "documents", files, bytes))?;
    let rate = |d: std::time::Duration| figures.files as f64 / d.as_secs_f64().max(1e-9);
    say!(
        "documents: {} files of {} bytes {place}, hashed as the reconcile does",
        figures.files,
        figures.bytes_each
    );
    say!(
        "documents: one at a time  {:>8.2} s  {:>7.0} files/s  (baseline)",
        figures.one_at_a_time.as_secs_f64(),
        rate(figures.one_at_a_time)
    );
    say!(
        "documents: {:>2} at once    {:>8.2} s  {:>7.0} files/s  ({:.1}x)",
        migrationai_pipeline::report::stored::AT_ONCE,
        figures.at_once.as_secs_f64(),
        rate(figures.at_once),
        figures.one_at_a_time.as_secs_f64() / figures.at_once.as_secs_f64().max(1e-9)
    );
    say!(
        "documents: at 10x ({} files), by these rates: {:.0} s one at a time, {:.0} s at once",
        figures.files * 10,
        figures.one_at_a_time.as_secs_f64() * 10.0,
        figures.at_once.as_secs_f64() * 10.0
    );
    Ok(ExitCode::SUCCESS)
}

/// A fresh bucket on moto, which creates one on an unsigned PUT (real S3 would refuse it).
async fn moto_bucket(
    endpoint: &str,
) -> anyhow::Result<(migrationai_ports::blob::BlobStore, String)> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000_000)
        .unwrap_or(0);
    let bucket = format!("bench-documents-{stamp:x}");
    let url = format!("{}/{bucket}", endpoint.trim_end_matches('/'));
    let created = reqwest::Client::new().put(&url).send().await?;
    anyhow::ensure!(
        created.status().is_success(),
        "cannot create bucket {bucket} at {endpoint}: {}",
        created.status()
    );
    let blobs = s3_blob_store(&S3Settings {
        bucket: bucket.clone(),
        region: Some("us-east-1".into()),
        endpoint: Some(endpoint.to_owned()),
        sse: Sse::BucketDefault,
        static_keys: Some(("testing".into(), "testing".into())),
    })?;
    Ok((blobs, format!("on S3 at {endpoint} (bucket {bucket})")))
}
