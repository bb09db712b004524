//! Which adapters a process runs on: the embedded ones (default) or the AWS ones, chosen by
//! configuration (`MIGRATIONAI_PROFILE=aws` and the variables the Terraform gives the
//! Lambda functions and EC2 hosts; read in `settings`).

use std::collections::HashMap;
use std::sync::Arc;

use migrationai_adapters::embedded::{db_blob_store, local_blob_store, EmbeddedQueue};
use migrationai_adapters::sql::{Schema, SqlStore};
use migrationai_pipeline::Adapters;
use migrationai_ports::blob::BlobStore;
use migrationai_ports::queue::Queue;
use migrationai_ports::store::Store;

use secrecy::{ExposeSecret, SecretString};

use crate::config::Config;
use crate::error::OpenError;

/// Where queues, blobs and the store live.
#[derive(Debug, Clone, Default)]
pub enum Profile {
    /// SQLite store, SQLite queue and a blob directory under the data directory.
    #[default]
    Embedded,
    /// SQS, S3, Redis (MemoryDB) and PostgreSQL.
    Aws(Box<AwsConfig>),
}

impl Profile {
    /// The profile and where its queues are, for errors (no secrets).
    pub fn describe(&self) -> String {
        match self {
            Profile::Embedded => "the embedded profile".into(),
            Profile::Aws(aws) => format!(
                "the aws profile (SQS at {})",
                aws.sqs_endpoint
                    .as_deref()
                    .unwrap_or("the regional endpoint")
            ),
        }
    }

    /// Whether opening should create the 26 queues that are missing (it never changes one
    /// that exists). On AWS, Terraform owns them.
    pub fn ensures_queues(&self) -> bool {
        match self {
            Profile::Embedded => true,
            Profile::Aws(aws) => aws.ensure_queues,
        }
    }

    /// Whether opening the database applies missing migrations. On AWS the roles connect as
    /// the runtime user and only check the schema; `migrationai db setup` migrates.
    pub fn schema(&self) -> Schema {
        match self {
            Profile::Embedded => Schema::Migrate,
            Profile::Aws(_) => Schema::Expect,
        }
    }
}

/// The first retry delay on AWS (see `BatchProcessor::backoff`).
pub const AWS_RETRY_DELAY: std::time::Duration = std::time::Duration::from_secs(30);

/// Settings of the AWS profile. Secrets (the database URL, the Redis password, static keys)
/// are never printed.
#[derive(Clone, Default)]
pub struct AwsConfig {
    pub region: Option<String>,
    /// Endpoint overrides (moto).
    pub sqs_endpoint: Option<String>,
    pub s3_endpoint: Option<String>,
    /// Fixed keys for moto; `None` uses the credential chain (the function's or host's role).
    pub static_keys: Option<migrationai_adapters::aws::StaticKeys>,
    pub bucket: String,
    /// `AES256`, `aws:kms` or empty for the bucket's default encryption.
    pub sse: String,
    pub kms_key_id: Option<String>,
    pub redis: Option<migrationai_adapters::aws::RedisSettings>,
    /// `postgres://...?sslmode=verify-full&sslrootcert=...`; `None` until
    /// [`AwsConfig::resolve_secrets`] reads it from the database secret.
    pub database_url: Option<SecretString>,
    /// Secrets Manager secrets read when the plain variables are absent.
    pub secrets: SecretRefs,
    /// Endpoint override for Secrets Manager (moto).
    pub secrets_endpoint: Option<String>,
    /// Queue URLs by queue name.
    pub queue_urls: HashMap<String, String>,
    /// Prepended to queue names (shared test accounts).
    pub name_prefix: String,
    pub ensure_queues: bool,
    /// The secrets this process has read, shared by every clone of the config.
    pub read: SecretsRead,
}

/// Secrets Manager values a process has read, by ARN, and the client that read them. A role
/// opens its store, services' tables, cache and id map from one config, and each of those
/// resolves the same secrets: they are read once per process, not once per opening.
#[derive(Clone, Default)]
pub struct SecretsRead {
    client: Arc<tokio::sync::OnceCell<aws_sdk_secretsmanager::Client>>,
    values: Arc<tokio::sync::Mutex<HashMap<String, SecretString>>>,
}

impl std::fmt::Debug for AwsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsConfig")
            .field("region", &self.region)
            .field("sqs_endpoint", &self.sqs_endpoint)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("bucket", &self.bucket)
            .field("sse", &self.sse)
            .field("queues", &self.queue_urls.len())
            .field("name_prefix", &self.name_prefix)
            .field("secrets", &self.secrets)
            .field("redis", &self.redis)
            .field("database_url", &self.database_url)
            .finish_non_exhaustive()
    }
}

/// Secrets the Terraform names by ARN (`MIGRATIONAI_REDIS_PASSWORD_SECRET_ARN`,
/// `MIGRATIONAI_DATABASE_URL_SECRET_ARN`). Only ARNs and endpoints: no secret values.
#[derive(Debug, Clone, Default)]
pub struct SecretRefs {
    /// Secret string = the Redis password.
    pub redis_password_arn: Option<String>,
    /// The database user this process connects as: the runtime user's secret
    /// (`{"username": ..., "password": ...}`, made by Terraform) for every role, the
    /// RDS-managed master secret for `db setup` only; or a `postgres://` URL.
    pub database_arn: Option<String>,
    /// For `db setup` only (`MIGRATIONAI_DATABASE_RUNTIME_SECRET_ARN`): the runtime user that
    /// setup creates, whose password it sets from this secret.
    pub database_runtime_arn: Option<String>,
    /// Where the database secret's user connects (`MIGRATIONAI_DATABASE_HOST/PORT/NAME`).
    pub database_host: Option<String>,
    pub database_port: Option<u16>,
    pub database_name: Option<String>,
    /// The CA bundle that verifies the database's (or RDS Proxy's) certificate
    /// (`MIGRATIONAI_DATABASE_CA_FILE`; default [`RDS_CA_BUNDLE`], where the images put it).
    pub database_ca_file: Option<String>,
}

/// Where the images ship the RDS CA bundle (global-bundle.pem from
/// truststore.pki.rds.amazonaws.com; docker/Dockerfile.*).
pub const RDS_CA_BUNDLE: &str = "/usr/local/share/migrationai/rds-global-bundle.pem";

/// `billing-items` → `BILLING_ITEMS`, as the Terraform names the URL variables.
pub fn env_key(kind: &str) -> String {
    kind.to_uppercase().replace('-', "_")
}

impl AwsConfig {
    /// Whether a secret is still to be read from Secrets Manager.
    pub fn has_unresolved_secrets(&self) -> bool {
        let redis_missing = self.redis.as_ref().is_some_and(|r| r.password.is_none())
            && self.secrets.redis_password_arn.is_some();
        let database_missing = self.database_url.is_none() && self.secrets.database_arn.is_some();
        redis_missing || database_missing
    }

    /// A copy with the Redis password and the database URL read from Secrets Manager where
    /// the plain variables did not give them. Values read are never logged.
    pub async fn resolve_secrets(&self) -> Result<AwsConfig, OpenError> {
        let mut resolved = self.clone();
        if !self.has_unresolved_secrets() {
            return Ok(resolved);
        }
        if let (Some(redis), Some(arn)) = (
            resolved.redis.as_mut(),
            self.secrets.redis_password_arn.as_deref(),
        ) {
            if redis.password.is_none() {
                redis.password = Some(self.secret_text(arn).await?.into());
            }
        }
        if let (true, Some(arn)) = (
            resolved.database_url.is_none(),
            self.secrets.database_arn.as_deref(),
        ) {
            let value = self.secret_text(arn).await?;
            resolved.database_url = Some(database_url_from_secret(&value, &self.secrets)?);
        }
        Ok(resolved)
    }
}

impl AwsConfig {
    /// The string value of the secret `arn`. Errors name the ARN, never the value.
    /// Read once per process: later calls get the value the first one read.
    pub async fn secret_text(&self, arn: &str) -> Result<String, OpenError> {
        let mut values = self.read.values.lock().await;
        if let Some(value) = values.get(arn) {
            return Ok(value.expose_secret().to_owned());
        }
        let client = self.read.client.get_or_init(|| self.secrets_client()).await;
        let value = secret_string(client, arn).await?;
        values.insert(arn.to_owned(), value.clone().into());
        Ok(value)
    }

    /// Secrets Manager, at the configured endpoint (moto in tests) and region.
    async fn secrets_client(&self) -> aws_sdk_secretsmanager::Client {
        let sdk = migrationai_adapters::aws::sdk_config(
            self.secrets_endpoint.as_deref(),
            self.region.as_deref(),
            self.static_keys.as_ref(),
        )
        .await;
        aws_sdk_secretsmanager::Client::new(&sdk)
    }

    /// The runtime user's name and password, from `MIGRATIONAI_DATABASE_RUNTIME_SECRET_ARN`
    /// (`{"username": ..., "password": ...}`), for `db setup`.
    pub async fn runtime_login(
        &self,
    ) -> Result<migrationai_adapters::sql::roles::Login, OpenError> {
        let arn = self
            .secrets
            .database_runtime_arn
            .as_deref()
            .ok_or_else(|| crate::settings::SettingsError::Missing {
                name: crate::settings::vars::DATABASE_RUNTIME_SECRET_ARN
                    .name
                    .into(),
                why: "db setup creates the runtime user that secret names",
            })?;
        let value = self.secret_text(arn).await?;
        let shape = || OpenError::LoginSecretShape {
            arn: arn.to_owned(),
        };
        let json: serde_json::Value = serde_json::from_str(value.trim()).map_err(|_| shape())?;
        let field = |name: &str| {
            json.get(name)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
        };
        match (field("username"), field("password")) {
            (Some(user), Some(password)) => Ok(migrationai_adapters::sql::roles::Login {
                user: user.to_owned(),
                password: password.to_owned(),
            }),
            _ => Err(shape()),
        }
    }
}

/// The string value of a secret. Errors name the ARN, never the value.
async fn secret_string(
    client: &aws_sdk_secretsmanager::Client,
    arn: &str,
) -> Result<String, OpenError> {
    let output = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| OpenError::SecretRead {
            arn: arn.to_owned(),
            // The SDK's own Display is terse; its context names the service's answer.
            source: aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
                .to_string()
                .into(),
        })?;
    output
        .secret_string()
        .map(str::to_owned)
        .ok_or_else(|| OpenError::SecretNotText {
            arn: arn.to_owned(),
        })
}

/// The database URL from a secret's value: a `postgres://` URL as is, or the RDS-managed
/// JSON `{"username": ..., "password": ...}` with `MIGRATIONAI_DATABASE_HOST/PORT/NAME`
/// (the JSON's own `host`, `port` and `dbname` when those are absent), verified against
/// `MIGRATIONAI_DATABASE_CA_FILE` ([`postgres_url`]).
fn database_url_from_secret(value: &str, refs: &SecretRefs) -> Result<SecretString, OpenError> {
    let trimmed = value.trim();
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        return Ok(trimmed.into());
    }
    let shape = || OpenError::DatabaseSecretShape;
    let json: serde_json::Value = serde_json::from_str(trimmed).map_err(|_| shape())?;
    let field = |name: &str| match json.get(name) {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let (Some(user), Some(password)) = (field("username"), field("password")) else {
        return Err(shape());
    };
    let host = refs
        .database_host
        .clone()
        .or_else(|| field("host"))
        .ok_or_else(|| crate::settings::SettingsError::Missing {
            name: crate::settings::vars::DATABASE_HOST.name.into(),
            why: "the database secret names no host",
        })?;
    let port = refs
        .database_port
        .or_else(|| field("port").and_then(|p| p.parse().ok()))
        .unwrap_or(5432);
    let name = refs
        .database_name
        .clone()
        .or_else(|| field("dbname"))
        .unwrap_or_else(|| "migrationai".into());
    Ok(postgres_url(
        &user,
        &SecretString::from(password),
        &host,
        port,
        &name,
        refs.ca_file(),
    ))
}

impl SecretRefs {
    pub(crate) fn ca_file(&self) -> &str {
        self.database_ca_file.as_deref().unwrap_or(RDS_CA_BUNDLE)
    }
}

/// A PostgreSQL URL that verifies the server: `sslmode=verify-full` (the certificate chains to
/// `ca_file` and names `host`) with `sslrootcert=ca_file`; user, password and file
/// percent-encoded.
pub fn postgres_url(
    user: &str,
    password: &SecretString,
    host: &str,
    port: u16,
    name: &str,
    ca_file: &str,
) -> SecretString {
    format!(
        "postgres://{}:{}@{host}:{port}/{name}?sslmode=verify-full&sslrootcert={}",
        encode(user),
        encode(password.expose_secret()),
        encode(ca_file)
    )
    .into()
}

/// Percent-encodes a URL part (user info, a query value).
fn encode(part: &str) -> String {
    part.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The store, the queue and the blob store of `config`'s profile.
pub async fn open_adapters(config: &Config) -> Result<Adapters, OpenError> {
    let (store, queue, blobs, batches) = match &config.profile {
        Profile::Embedded => {
            let dir = &config.pipeline.data_dir;
            let store: Arc<dyn Store> = match &config.store_url {
                Some(url) => Arc::new(
                    SqlStore::connect(url.expose_secret(), config.db_pool, Schema::Migrate).await?,
                ),
                None => Arc::new(SqlStore::open_sqlite(&dir.join("store.db")).await?),
            };
            let queue: Arc<dyn Queue> = Arc::new(EmbeddedQueue::open_in_dir(dir).await?);
            // Batches in their own database, never store.db: the store's one connection
            // is the load's bottleneck, and they would contend for it.
            let batches = db_blob_store(dir).await?;
            (store, queue, local_blob_store(dir)?, batches)
        }
        Profile::Aws(aws) => {
            let (store, queue, blobs) = open_aws(config, aws).await?;
            // S3 has no per-object cost worth avoiding: batches share the bucket.
            (store, queue, blobs.clone(), blobs)
        }
    };
    Ok(Adapters {
        store,
        queue,
        blobs,
        batches,
        ensure_queues: config.profile.ensures_queues(),
        place: config.profile.describe(),
    })
}

async fn open_aws(
    config: &Config,
    aws: &AwsConfig,
) -> Result<(Arc<dyn Store>, Arc<dyn Queue>, BlobStore), OpenError> {
    use migrationai_adapters::aws::{s3_blob_store, S3Settings, SqsQueue, SqsSettings, Sse};
    use migrationai_adapters::claim::ClaimCheckQueue;

    // The store, the queues and the blobs need only the database secret: a Redis secret that
    // cannot be read fails the roles that use the cache (`open::cache`), not the workers.
    let aws = &AwsConfig {
        redis: None,
        ..aws.clone()
    };
    let resolved;
    let aws = if config.store_url.is_none() && aws.has_unresolved_secrets() {
        resolved = aws.resolve_secrets().await?;
        &resolved
    } else {
        aws
    };
    let url = config
        .store_url
        .as_ref()
        .or(aws.database_url.as_ref())
        .map(|u| u.expose_secret())
        .unwrap_or_default();
    let store: Arc<dyn Store> = Arc::new(
        SqlStore::connect(url, config.db_pool, config.profile.schema())
            .await
            .map_err(|e| OpenError::StoreOpen {
                profile: config.profile.describe(),
                source: Box::new(OpenError::from(e)),
            })?,
    );
    let blobs = s3_blob_store(&S3Settings {
        bucket: aws.bucket.clone(),
        region: aws.region.clone(),
        endpoint: aws.s3_endpoint.clone(),
        sse: Sse::parse(&aws.sse, aws.kms_key_id.clone())?,
        static_keys: aws.static_keys.clone(),
    })?;
    let sqs = SqsQueue::connect(&SqsSettings {
        endpoint: aws.sqs_endpoint.clone(),
        region: aws.region.clone(),
        name_prefix: aws.name_prefix.clone(),
        urls: aws.queue_urls.clone(),
        static_keys: aws.static_keys.clone(),
    })
    .await;
    let queue: Arc<dyn Queue> = Arc::new(ClaimCheckQueue::new(Arc::new(sqs), blobs.clone()));
    Ok((store, queue, blobs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_keys_match_the_terraform() {
        assert_eq!(env_key("billing-items"), "BILLING_ITEMS");
        assert_eq!(env_key("jobs"), "JOBS");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let config = AwsConfig {
            database_url: Some("postgres://u:hunter2@db/x".into()),
            static_keys: Some(("AKIA".into(), "topsecret".into())),
            ..AwsConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("topsecret"));
        assert_eq!(encode("p@ss:w/rd"), "p%40ss%3Aw%2Frd");
    }

    #[test]
    fn database_secret_builds_a_tls_url() {
        let refs = SecretRefs {
            database_host: Some("db.internal".into()),
            database_port: Some(6432),
            database_name: Some("app".into()),
            ..SecretRefs::default()
        };
        let url =
            database_url_from_secret(r#"{"username":"u","password":"p@ss"}"#, &refs).expect("url");
        assert_eq!(
            url.expose_secret(),
            "postgres://u:p%40ss@db.internal:6432/app?sslmode=verify-full&sslrootcert=%2Fusr%2Flocal%2Fshare%2Fmigrationai%2Frds-global-bundle.pem"
        );
        let plain = "postgres://a:b@h/d?sslmode=require";
        assert_eq!(
            database_url_from_secret(plain, &refs)
                .expect("url")
                .expose_secret(),
            plain
        );
        let err = database_url_from_secret(r#"{"password":"hunter2"}"#, &refs).unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }
}
