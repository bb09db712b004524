//! The blob port on Amazon S3, through object_store's S3 client: multipart uploads for
//! large objects (the port's streaming puts), server-side encryption by configuration, and
//! an endpoint override for moto. object_store never calls GetBucketVersioning or ListParts,
//! whose moto replies the AWS SDK rejects.

use std::sync::Arc;

use migrationai_ports::blob::{BlobError, BlobStore};
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};

/// Server-side encryption of stored objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Sse {
    /// The bucket's default.
    #[default]
    BucketDefault,
    /// SSE-S3 (`AES256`).
    Aes256,
    /// SSE-KMS (`aws:kms`) with this key, or the AWS-managed key when `None`.
    Kms(Option<String>),
}

impl Sse {
    /// From configuration text: `AES256`, `aws:kms`, or empty for the bucket default.
    pub fn parse(kind: &str, kms_key: Option<String>) -> Result<Self, BlobError> {
        match kind {
            "" => Ok(Sse::BucketDefault),
            "AES256" => Ok(Sse::Aes256),
            "aws:kms" => Ok(Sse::Kms(kms_key)),
            other => Err(BlobError::InvalidKey {
                key: other.to_owned(),
                reason: "server-side encryption must be AES256 or aws:kms".to_owned(),
            }),
        }
    }
}

/// How to reach the bucket.
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    pub bucket: String,
    pub region: Option<String>,
    /// Endpoint override (moto); path-style requests and plain HTTP are then allowed.
    pub endpoint: Option<String>,
    pub sse: Sse,
    /// Fixed access keys, for endpoints such as moto; `None` uses the environment's
    /// credential chain.
    pub static_keys: Option<super::StaticKeys>,
}

/// A blob store on an S3 bucket. Credentials come from the environment (keys, web
/// identity, the container or instance role) as object_store resolves them.
pub fn s3_blob_store(settings: &S3Settings) -> Result<BlobStore, BlobError> {
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(&settings.bucket);
    if let Some(region) = &settings.region {
        builder = builder.with_region(region);
    }
    if let Some(endpoint) = &settings.endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"))
            .with_virtual_hosted_style_request(false);
    }
    if let Some((id, secret)) = &settings.static_keys {
        builder = builder
            .with_access_key_id(id)
            .with_secret_access_key(secrecy::ExposeSecret::expose_secret(secret));
    }
    let (kind, key) = match &settings.sse {
        Sse::BucketDefault => (None, None),
        Sse::Aes256 => (Some("AES256"), None),
        Sse::Kms(key) => (Some("aws:kms"), key.as_deref()),
    };
    if let Some(kind) = kind {
        builder = builder.with_config(config_key("aws_server_side_encryption")?, kind);
    }
    if let Some(key) = key {
        builder = builder.with_config(config_key("aws_sse_kms_key_id")?, key);
    }
    Ok(BlobStore::new(Arc::new(builder.build()?)))
}

fn config_key(name: &str) -> Result<AmazonS3ConfigKey, BlobError> {
    name.parse().map_err(BlobError::from)
}
