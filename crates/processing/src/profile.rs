//! Which adapters a process runs on: the embedded ones (default) or the AWS ones, chosen by
//! configuration — `MIGRATIONAI_PROFILE=aws` and the variables the Terraform gives the
//! Lambda functions and EC2 hosts (see infra/README.md).

use std::collections::HashMap;
use std::sync::Arc;

use migrationai_adapters::embedded::{local_blob_store, EmbeddedQueue};
use migrationai_adapters::sql::migrations::{self, Schema};
use migrationai_adapters::sql::{PoolSize, SqlStore};
use migrationai_domain::QueueKind;
use migrationai_ports::blob::BlobStore;
use migrationai_ports::queue::{Queue, QueueNames};
use migrationai_ports::store::Store;

use crate::config::{Config, PoolRole};
use crate::error::ProcessingError;

/// Where queues, blobs and the store live.
#[derive(Debug, Clone, Default)]
pub enum Profile {
    /// SQLite store, SQLite queue and a blob directory under the data directory.
    #[default]
    Embedded,
    /// SQS, S3, Redis (MemoryDB) and PostgreSQL.
    #[cfg(feature = "aws")]
    Aws(Box<AwsConfig>),
}

impl Profile {
    /// From `MIGRATIONAI_PROFILE` (`embedded`, the default, or `aws`) and, for `aws`, the
    /// AWS variables.
    pub fn from_env(env: &str) -> Result<Profile, ProcessingError> {
        match std::env::var("MIGRATIONAI_PROFILE").as_deref() {
            Err(_) | Ok("") | Ok("embedded") => Ok(Profile::Embedded),
            #[cfg(feature = "aws")]
            Ok("aws") => Ok(Profile::Aws(Box::new(AwsConfig::from_env(env)?))),
            Ok(other) => {
                let _ = env;
                Err(ProcessingError::Other(format!(
                    "MIGRATIONAI_PROFILE={other}: expected embedded or aws"
                )))
            }
        }
    }

    /// The profile and where its queues are, for errors (no secrets).
    pub fn describe(&self) -> String {
        match self {
            Profile::Embedded => "the embedded profile".into(),
            #[cfg(feature = "aws")]
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
            #[cfg(feature = "aws")]
            Profile::Aws(aws) => aws.ensure_queues,
        }
    }

    /// Whether opening the database applies missing migrations. On AWS the roles connect as
    /// the runtime user and only check the schema; `migrationai db setup` migrates.
    pub fn schema(&self) -> Schema {
        match self {
            Profile::Embedded => Schema::Migrate,
            #[cfg(feature = "aws")]
            Profile::Aws(_) => Schema::Expect,
        }
    }
}

/// The first retry delay on AWS (see `BatchProcessor::backoff`).
pub const AWS_RETRY_DELAY: std::time::Duration = std::time::Duration::from_secs(30);

/// The configuration of a role process (`lambda`, `worker`) from its environment:
/// `MIGRATIONAI_ENV`, `MIGRATIONAI_TENANT`, `MIGRATIONAI_DATA_DIR` (default `/tmp/migrationai`
/// inside Lambda, whose only writable directory is /tmp), `MIGRATIONAI_VISIBILITY_TIMEOUT`
/// (seconds; for queues this process creates, the heartbeat keeps each queue's own),
/// `MIGRATIONAI_DATABASE_URL`, `MIGRATIONAI_DB_MAX_CONNECTIONS` (each pool's connections;
/// default: `role`'s) and the profile.
pub fn config_from_env(role: PoolRole) -> Result<Config, ProcessingError> {
    let get = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let db_pool = match get("MIGRATIONAI_DB_MAX_CONNECTIONS") {
        Some(n) => n
            .parse()
            .map_err(|e| ProcessingError::Other(format!("MIGRATIONAI_DB_MAX_CONNECTIONS: {e}")))?,
        None => role.default_pool(),
    };
    let mut config = Config {
        db_pool,
        ..Config::default()
    };
    if let Some(env) = get("MIGRATIONAI_ENV") {
        config.env = env;
    }
    if let Some(tenant) = get("MIGRATIONAI_TENANT") {
        config.tenant = tenant;
    }
    config.data_dir = match get("MIGRATIONAI_DATA_DIR") {
        Some(dir) => dir.into(),
        None if get("AWS_LAMBDA_RUNTIME_API").is_some() => "/tmp/migrationai".into(),
        None => config.data_dir,
    };
    if let Some(secs) = get("MIGRATIONAI_VISIBILITY_TIMEOUT") {
        let secs: u64 = secs.parse().map_err(|_| {
            ProcessingError::Other("MIGRATIONAI_VISIBILITY_TIMEOUT must be seconds".into())
        })?;
        config.visibility_timeout = std::time::Duration::from_secs(secs);
    }
    config.profile = Profile::from_env(&config.env)?;
    config.retry_delay = match get("MIGRATIONAI_RETRY_DELAY") {
        Some(secs) => std::time::Duration::from_secs(secs.parse().map_err(|_| {
            ProcessingError::Other("MIGRATIONAI_RETRY_DELAY must be seconds".into())
        })?),
        // On AWS a failure is most often a dependency briefly away (a failover, throttling):
        // 30 s, then 90 s, outlasts it; on one machine there is nothing to wait for.
        None if !matches!(config.profile, Profile::Embedded) => AWS_RETRY_DELAY,
        None => config.retry_delay,
    };
    if matches!(config.profile, Profile::Embedded) {
        config.store_url = get("MIGRATIONAI_DATABASE_URL");
    }
    Ok(config)
}

/// Settings of the AWS profile. Secrets (the database URL, the Redis password, static keys)
/// are never printed.
#[cfg(feature = "aws")]
#[derive(Clone, Default)]
pub struct AwsConfig {
    pub region: Option<String>,
    /// Endpoint overrides (moto).
    pub sqs_endpoint: Option<String>,
    pub s3_endpoint: Option<String>,
    /// Fixed keys for moto; `None` uses the credential chain (the function's or host's role).
    pub static_keys: Option<(String, String)>,
    pub bucket: String,
    /// `AES256`, `aws:kms` or empty for the bucket's default encryption.
    pub sse: String,
    pub kms_key_id: Option<String>,
    pub redis: Option<migrationai_adapters::aws::RedisSettings>,
    /// `postgres://...?sslmode=verify-full&sslrootcert=...`; empty until [`AwsConfig::resolve_secrets`] reads it
    /// from `database_secret`.
    pub database_url: String,
    /// Secrets Manager secrets read when the plain variables are absent.
    pub secrets: SecretRefs,
    /// Endpoint override for Secrets Manager (moto).
    pub secrets_endpoint: Option<String>,
    /// Queue URLs by queue name.
    pub queue_urls: HashMap<String, String>,
    /// Prepended to queue names (shared test accounts).
    pub name_prefix: String,
    pub ensure_queues: bool,
}

#[cfg(feature = "aws")]
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
            .finish_non_exhaustive()
    }
}

/// Secrets the Terraform names by ARN (`MIGRATIONAI_REDIS_PASSWORD_SECRET_ARN`,
/// `MIGRATIONAI_DATABASE_URL_SECRET_ARN`). Only ARNs and endpoints: no secret values.
#[cfg(feature = "aws")]
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
    pub database_port: Option<String>,
    pub database_name: Option<String>,
    /// The CA bundle that verifies the database's (or RDS Proxy's) certificate
    /// (`MIGRATIONAI_DATABASE_CA_FILE`; default [`RDS_CA_BUNDLE`], where the images put it).
    pub database_ca_file: Option<String>,
}

/// Where the images ship the RDS CA bundle (global-bundle.pem from
/// truststore.pki.rds.amazonaws.com; docker/Dockerfile.*).
pub const RDS_CA_BUNDLE: &str = "/usr/local/share/migrationai/rds-global-bundle.pem";

/// A PostgreSQL URL that verifies the server: `sslmode=verify-full` (the certificate chains to
/// `ca_file` and names `host`) with `sslrootcert=ca_file`. User and password are encoded.
#[cfg(feature = "aws")]
pub fn verified_postgres_url(
    user: &str,
    password: &str,
    host: &str,
    port: &str,
    name: &str,
    ca_file: &str,
) -> String {
    format!(
        "postgres://{}:{}@{host}:{port}/{name}?sslmode=verify-full&sslrootcert={}",
        encode(user),
        encode(password),
        encode(ca_file)
    )
}

#[cfg(feature = "aws")]
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `billing-items` → `BILLING_ITEMS`, as the Terraform names the URL variables.
pub fn env_key(kind: &str) -> String {
    kind.to_uppercase().replace('-', "_")
}

#[cfg(feature = "aws")]
impl AwsConfig {
    /// From the environment the Terraform sets. Queue URLs the environment does not give are
    /// resolved with `GetQueueUrl` on first use.
    pub fn from_env(env: &str) -> Result<AwsConfig, ProcessingError> {
        let missing = |name: &str| ProcessingError::Other(format!("{name} is not set"));
        let names = QueueNames::new(env);
        let mut queue_urls = HashMap::new();
        for kind in QueueKind::ALL {
            let key = env_key(kind.as_str());
            if let Some(url) = var(&format!("MIGRATIONAI_QUEUE_URL_{key}")) {
                queue_urls.insert(names.queue(kind), url);
            }
            if let Some(url) = var(&format!("MIGRATIONAI_DLQ_URL_{key}")) {
                queue_urls.insert(names.dlq(kind), url);
            }
        }
        let endpoint = var("MIGRATIONAI_AWS_ENDPOINT");
        let redis =
            var("MIGRATIONAI_REDIS_URL").map(|url| migrationai_adapters::aws::RedisSettings {
                url,
                user: var("MIGRATIONAI_REDIS_USER"),
                password: var("MIGRATIONAI_REDIS_PASSWORD"),
            });
        let secrets = SecretRefs {
            redis_password_arn: var("MIGRATIONAI_REDIS_PASSWORD_SECRET_ARN"),
            database_arn: var("MIGRATIONAI_DATABASE_URL_SECRET_ARN"),
            database_runtime_arn: var("MIGRATIONAI_DATABASE_RUNTIME_SECRET_ARN"),
            database_host: var("MIGRATIONAI_DATABASE_HOST"),
            database_port: var("MIGRATIONAI_DATABASE_PORT"),
            database_name: var("MIGRATIONAI_DATABASE_NAME"),
            database_ca_file: var("MIGRATIONAI_DATABASE_CA_FILE"),
        };
        let database_url = match database_url_from_env(&secrets) {
            Ok(url) => url,
            // Read from Secrets Manager by `resolve_secrets`.
            Err(_) if secrets.database_arn.is_some() => String::new(),
            Err(e) => return Err(e),
        };
        Ok(AwsConfig {
            region: var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")),
            sqs_endpoint: var("MIGRATIONAI_SQS_ENDPOINT").or_else(|| endpoint.clone()),
            s3_endpoint: var("MIGRATIONAI_S3_ENDPOINT").or_else(|| endpoint.clone()),
            secrets_endpoint: var("MIGRATIONAI_SECRETS_ENDPOINT").or(endpoint),
            static_keys: None,
            bucket: var("MIGRATIONAI_BUCKET").ok_or_else(|| missing("MIGRATIONAI_BUCKET"))?,
            sse: var("MIGRATIONAI_S3_SSE").unwrap_or_default(),
            kms_key_id: var("MIGRATIONAI_S3_KMS_KEY_ID"),
            redis,
            database_url,
            secrets,
            queue_urls,
            name_prefix: var("MIGRATIONAI_QUEUE_PREFIX").unwrap_or_default(),
            ensure_queues: var("MIGRATIONAI_ENSURE_QUEUES").as_deref() == Some("1"),
        })
    }
}

#[cfg(feature = "aws")]
impl AwsConfig {
    /// Whether a secret is still to be read from Secrets Manager.
    pub fn has_unresolved_secrets(&self) -> bool {
        let redis_missing = self.redis.as_ref().is_some_and(|r| r.password.is_none())
            && self.secrets.redis_password_arn.is_some();
        let database_missing = self.database_url.is_empty() && self.secrets.database_arn.is_some();
        redis_missing || database_missing
    }

    /// A copy with the Redis password and the database URL read from Secrets Manager where
    /// the plain variables did not give them. Values read are never logged.
    pub async fn resolve_secrets(&self) -> Result<AwsConfig, ProcessingError> {
        let mut resolved = self.clone();
        if !self.has_unresolved_secrets() {
            return Ok(resolved);
        }
        let sdk = migrationai_adapters::aws::sdk_config(
            self.secrets_endpoint.as_deref(),
            self.region.as_deref(),
            self.static_keys.as_ref(),
        )
        .await;
        let client = aws_sdk_secretsmanager::Client::new(&sdk);
        if let (Some(redis), Some(arn)) = (
            resolved.redis.as_mut(),
            self.secrets.redis_password_arn.as_deref(),
        ) {
            if redis.password.is_none() {
                redis.password = Some(secret_string(&client, arn).await?);
            }
        }
        if let (true, Some(arn)) = (
            resolved.database_url.is_empty(),
            self.secrets.database_arn.as_deref(),
        ) {
            let value = secret_string(&client, arn).await?;
            resolved.database_url = database_url_from_secret(&value, &self.secrets)?;
        }
        Ok(resolved)
    }
}

#[cfg(feature = "aws")]
impl AwsConfig {
    /// The runtime user's name and password, from `MIGRATIONAI_DATABASE_RUNTIME_SECRET_ARN`
    /// (`{"username": ..., "password": ...}`), for `db setup`.
    pub async fn runtime_login(
        &self,
    ) -> Result<migrationai_adapters::sql::roles::Login, ProcessingError> {
        let arn = self
            .secrets
            .database_runtime_arn
            .as_deref()
            .ok_or_else(|| {
                ProcessingError::Other("MIGRATIONAI_DATABASE_RUNTIME_SECRET_ARN is not set".into())
            })?;
        let sdk = migrationai_adapters::aws::sdk_config(
            self.secrets_endpoint.as_deref(),
            self.region.as_deref(),
            self.static_keys.as_ref(),
        )
        .await;
        let client = aws_sdk_secretsmanager::Client::new(&sdk);
        let value = secret_string(&client, arn).await?;
        let json: serde_json::Value = serde_json::from_str(value.trim()).map_err(|_| {
            ProcessingError::Other(format!(
                "secret {arn} is not JSON with username and password"
            ))
        })?;
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
            _ => Err(ProcessingError::Other(format!(
                "secret {arn} is not JSON with username and password"
            ))),
        }
    }
}

/// The string value of a secret. Errors name the ARN, never the value.
#[cfg(feature = "aws")]
async fn secret_string(
    client: &aws_sdk_secretsmanager::Client,
    arn: &str,
) -> Result<String, ProcessingError> {
    let output = client
        .get_secret_value()
        .secret_id(arn)
        .send()
        .await
        .map_err(|e| {
            ProcessingError::Other(format!(
                "reading secret {arn}: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(&e)
            ))
        })?;
    output
        .secret_string()
        .map(str::to_owned)
        .ok_or_else(|| ProcessingError::Other(format!("secret {arn} has no string value")))
}

/// The database URL from a secret's value: a `postgres://` URL as is, or the RDS-managed
/// JSON `{"username": ..., "password": ...}` with `MIGRATIONAI_DATABASE_HOST/PORT/NAME`
/// (the JSON's own `host`, `port` and `dbname` when those are absent), verified against
/// `MIGRATIONAI_DATABASE_CA_FILE` ([`verified_postgres_url`]).
#[cfg(feature = "aws")]
fn database_url_from_secret(value: &str, refs: &SecretRefs) -> Result<String, ProcessingError> {
    let trimmed = value.trim();
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        return Ok(trimmed.to_owned());
    }
    // The parse error could quote the value: report only that it is not the expected shape.
    let shape = || {
        ProcessingError::Other(
            "the database secret is neither a postgres:// URL nor JSON with username and password"
                .into(),
        )
    };
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
        .ok_or_else(|| ProcessingError::Other("MIGRATIONAI_DATABASE_HOST is not set".into()))?;
    let port = refs
        .database_port
        .clone()
        .or_else(|| field("port"))
        .unwrap_or_else(|| "5432".into());
    let name = refs
        .database_name
        .clone()
        .or_else(|| field("dbname"))
        .unwrap_or_else(|| "migrationai".into());
    Ok(verified_postgres_url(
        &user,
        &password,
        &host,
        &port,
        &name,
        refs.ca_file(),
    ))
}

#[cfg(feature = "aws")]
impl SecretRefs {
    fn ca_file(&self) -> &str {
        self.database_ca_file.as_deref().unwrap_or(RDS_CA_BUNDLE)
    }
}

/// `MIGRATIONAI_DATABASE_URL`, or one built from `MIGRATIONAI_DATABASE_USER/PASSWORD/HOST/
/// PORT/NAME`, verified as [`verified_postgres_url`] says.
#[cfg(feature = "aws")]
fn database_url_from_env(refs: &SecretRefs) -> Result<String, ProcessingError> {
    if let Some(url) = var("MIGRATIONAI_DATABASE_URL") {
        return Ok(url);
    }
    match (
        var("MIGRATIONAI_DATABASE_USER"),
        var("MIGRATIONAI_DATABASE_PASSWORD"),
        var("MIGRATIONAI_DATABASE_HOST"),
    ) {
        (Some(user), Some(password), Some(host)) => {
            let port = var("MIGRATIONAI_DATABASE_PORT").unwrap_or_else(|| "5432".into());
            let name = var("MIGRATIONAI_DATABASE_NAME").unwrap_or_else(|| "migrationai".into());
            Ok(verified_postgres_url(
                &user,
                &password,
                &host,
                &port,
                &name,
                refs.ca_file(),
            ))
        }
        _ => Err(ProcessingError::Other(
            "set MIGRATIONAI_DATABASE_URL, or MIGRATIONAI_DATABASE_USER, _PASSWORD and _HOST"
                .into(),
        )),
    }
}

/// Percent-encodes a URL part (user info, a query value).
#[cfg(feature = "aws")]
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
pub async fn open_adapters(
    config: &Config,
) -> Result<(Arc<dyn Store>, Arc<dyn Queue>, BlobStore), ProcessingError> {
    match &config.profile {
        Profile::Embedded => {
            let store: Arc<dyn Store> = match &config.store_url {
                Some(url) => Arc::new(connect_store(url, config.db_pool, Schema::Migrate).await?),
                None => Arc::new(SqlStore::open_sqlite(&config.data_dir.join("store.db")).await?),
            };
            let queue: Arc<dyn Queue> =
                Arc::new(EmbeddedQueue::open_in_dir(&config.data_dir).await?);
            let blobs = local_blob_store(&config.data_dir)?;
            Ok((store, queue, blobs))
        }
        #[cfg(feature = "aws")]
        Profile::Aws(aws) => open_aws(config, aws).await,
    }
}

/// The cache of `config`'s profile: in process, or Redis (MemoryDB) when the AWS profile
/// names one (`MIGRATIONAI_REDIS_URL`, `_USER`, `_PASSWORD`).
pub async fn open_cache(
    config: &Config,
) -> Result<Arc<dyn migrationai_ports::cache::Cache>, ProcessingError> {
    #[cfg(feature = "aws")]
    if let Profile::Aws(aws) = &config.profile {
        let aws = aws.resolve_secrets().await?;
        if let Some(redis) = &aws.redis {
            let cache = migrationai_adapters::aws::RedisCache::connect(redis)
                .await
                .map_err(|e| ProcessingError::Other(e.to_string()))?;
            return Ok(Arc::new(cache));
        }
    }
    let _ = config;
    Ok(Arc::new(
        migrationai_adapters::embedded::MokaCache::default(),
    ))
}

async fn connect_store(
    url: &str,
    size: PoolSize,
    schema: Schema,
) -> Result<SqlStore, ProcessingError> {
    let store = SqlStore::connect(url, size).await?;
    migrations::prepare(store.pool(), &migrations::store(), schema)
        .await
        .map_err(ProcessingError::Other)?;
    Ok(store)
}

#[cfg(feature = "aws")]
async fn open_aws(
    config: &Config,
    aws: &AwsConfig,
) -> Result<(Arc<dyn Store>, Arc<dyn Queue>, BlobStore), ProcessingError> {
    use migrationai_adapters::aws::{s3_blob_store, S3Settings, SqsQueue, SqsSettings, Sse};
    use migrationai_adapters::claim::ClaimCheckQueue;

    // The store, the queues and the blobs need only the database secret: a Redis secret that
    // cannot be read fails the roles that use the cache (`open_cache`), not the workers.
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
    let url = config.store_url.as_deref().unwrap_or(&aws.database_url);
    // The URL holds the password: the error names the store, never the URL.
    let store: Arc<dyn Store> = Arc::new(
        connect_store(url, config.db_pool, config.profile.schema())
            .await
            .map_err(|e| {
                ProcessingError::Other(format!(
                    "cannot open the PostgreSQL store of {}: {e}",
                    config.profile.describe()
                ))
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

    #[cfg(feature = "aws")]
    #[test]
    fn secrets_stay_out_of_debug_output() {
        let config = AwsConfig {
            database_url: "postgres://u:hunter2@db/x".into(),
            static_keys: Some(("AKIA".into(), "topsecret".into())),
            ..AwsConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("topsecret"));
        assert_eq!(encode("p@ss:w/rd"), "p%40ss%3Aw%2Frd");
    }

    #[cfg(feature = "aws")]
    #[test]
    fn database_secret_builds_a_tls_url() {
        let refs = SecretRefs {
            database_host: Some("db.internal".into()),
            database_port: Some("6432".into()),
            database_name: Some("app".into()),
            ..SecretRefs::default()
        };
        let url =
            database_url_from_secret(r#"{"username":"u","password":"p@ss"}"#, &refs).expect("url");
        assert_eq!(
            url,
            "postgres://u:p%40ss@db.internal:6432/app?sslmode=verify-full&sslrootcert=%2Fusr%2Flocal%2Fshare%2Fmigrationai%2Frds-global-bundle.pem"
        );
        let plain = "postgres://a:b@h/d?sslmode=require";
        assert_eq!(database_url_from_secret(plain, &refs).expect("url"), plain);
        let err = database_url_from_secret(r#"{"password":"hunter2"}"#, &refs).unwrap_err();
        assert!(!err.to_string().contains("hunter2"));
    }
}
