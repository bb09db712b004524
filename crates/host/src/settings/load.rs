//! The typed settings of each concern, from the declared variables.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use migrationai_domain::QueueKind;
use migrationai_pipeline::poller::Queues;
use secrecy::SecretString;

use super::env::{Env, SettingsError};
use super::vars;
use crate::config::{Config, PoolRole};
use crate::profile::Profile;

/// The log filter and format.
#[derive(Debug, Clone)]
pub struct Logging {
    pub filter: String,
    pub json: bool,
}

pub fn logging(env: &Env) -> Result<Logging, SettingsError> {
    Ok(Logging {
        filter: env.text(&vars::LOG).unwrap_or_else(|| "warn".into()),
        json: env.flag(&vars::LOG_JSON)?,
    })
}

/// The configuration of a process that opens the system (store, queues, blobs) for `role`'s
/// pool size: the profile, where its data lives, queue timing.
pub fn config(env: &Env, role: PoolRole) -> Result<Config, SettingsError> {
    let mut config = Config {
        db_pool: match env.parse::<u32>(&vars::DB_MAX_CONNECTIONS)? {
            Some(n) => migrationai_adapters::sql::PoolSize::of(n),
            None => role.default_pool(),
        },
        ..Config::default()
    };
    let run = &mut config.pipeline;
    if let Some(name) = env.text(&vars::ENV) {
        run.env = name;
    }
    if let Some(tenant) = env.text(&vars::TENANT) {
        run.tenant = tenant;
    }
    if let Some(dir) = env.text(&vars::DATA_DIR) {
        run.data_dir = dir.into();
    } else if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        // Lambda's only writable directory.
        run.data_dir = PathBuf::from("/tmp/migrationai");
    }
    if let Some(secs) = env.parse::<u64>(&vars::VISIBILITY_TIMEOUT)? {
        run.visibility_timeout = Duration::from_secs(secs);
    }
    config.profile = profile(env, &config.pipeline.env)?;
    config.pipeline.retry_delay = match env.parse::<u64>(&vars::RETRY_DELAY)? {
        Some(secs) => Duration::from_secs(secs),
        // On AWS a failure is most often a dependency briefly away (a failover, throttling):
        // 30 s, then 90 s, outlasts it; on one machine there is nothing to wait for.
        None if !matches!(config.profile, Profile::Embedded) => crate::profile::AWS_RETRY_DELAY,
        None => config.pipeline.retry_delay,
    };
    if matches!(config.profile, Profile::Embedded) {
        config.store_url = env.secret(&vars::DATABASE_URL);
    }
    Ok(config)
}

/// The profile, and for `aws` its settings (`queue_env` names the queues).
pub fn profile(env: &Env, queue_env: &str) -> Result<Profile, SettingsError> {
    match env.word(&vars::PROFILE)? {
        None | Some("embedded") => Ok(Profile::Embedded),
        Some(_) => Ok(Profile::Aws(Box::new(aws(env, queue_env)?))),
    }
}

/// The AWS profile's settings, from the variables the Terraform sets. Queue URLs it does not
/// give are resolved with `GetQueueUrl` on first use.
pub fn aws(env: &Env, queue_env: &str) -> Result<crate::profile::AwsConfig, SettingsError> {
    use migrationai_domain::QueueKind;
    use migrationai_ports::queue::QueueNames;

    let names = QueueNames::new(queue_env);
    let mut queue_urls = std::collections::HashMap::new();
    for kind in QueueKind::ALL {
        let key = crate::profile::env_key(kind.as_str());
        if let Some(url) = env.text_of_kind(&vars::QUEUE_URL, &key) {
            queue_urls.insert(names.queue(kind), url);
        }
        if let Some(url) = env.text_of_kind(&vars::DLQ_URL, &key) {
            queue_urls.insert(names.dlq(kind), url);
        }
    }
    let endpoint = env.text(&vars::AWS_ENDPOINT);
    let redis = env
        .text(&vars::REDIS_URL)
        .map(|url| migrationai_adapters::aws::RedisSettings {
            url,
            user: env.text(&vars::REDIS_USER),
            password: env.secret(&vars::REDIS_PASSWORD),
        });
    let secrets = crate::profile::SecretRefs {
        redis_password_arn: env.text(&vars::REDIS_PASSWORD_SECRET_ARN),
        database_arn: env.text(&vars::DATABASE_URL_SECRET_ARN),
        database_host: env.text(&vars::DATABASE_HOST),
        database_port: env.parse::<u16>(&vars::DATABASE_PORT)?,
        database_name: env.text(&vars::DATABASE_NAME),
        database_ca_file: env.text(&vars::DATABASE_CA_FILE),
        database_runtime_arn: env.text(&vars::DATABASE_RUNTIME_SECRET_ARN),
    };
    let database_url = match database_url(env, &secrets)? {
        Some(url) => Some(url),
        // Read from Secrets Manager by `resolve_secrets`.
        None if secrets.database_arn.is_some() => None,
        None => {
            return Err(SettingsError::Missing {
                name: vars::DATABASE_URL.name.into(),
                why: "the aws profile needs it, or MIGRATIONAI_DATABASE_USER, _PASSWORD and _HOST, or MIGRATIONAI_DATABASE_URL_SECRET_ARN",
            })
        }
    };
    Ok(crate::profile::AwsConfig {
        region: std::env::var("AWS_REGION")
            .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
            .ok()
            .filter(|r| !r.is_empty()),
        sqs_endpoint: env.text(&vars::SQS_ENDPOINT).or_else(|| endpoint.clone()),
        s3_endpoint: env.text(&vars::S3_ENDPOINT).or_else(|| endpoint.clone()),
        secrets_endpoint: env.text(&vars::SECRETS_ENDPOINT).or(endpoint),
        static_keys: None,
        bucket: env.text(&vars::BUCKET).ok_or(SettingsError::Missing {
            name: vars::BUCKET.name.into(),
            why: "the aws profile keeps exports and batches there",
        })?,
        sse: env.word(&vars::S3_SSE)?.unwrap_or_default().to_owned(),
        kms_key_id: env.text(&vars::S3_KMS_KEY_ID),
        redis,
        database_url,
        secrets,
        queue_urls,
        name_prefix: env.text(&vars::QUEUE_PREFIX).unwrap_or_default(),
        ensure_queues: env.flag(&vars::ENSURE_QUEUES)?,
        read: Default::default(),
    })
}

/// `MIGRATIONAI_DATABASE_URL`, or one built from `MIGRATIONAI_DATABASE_USER`, `_PASSWORD`,
/// `_HOST` (`_PORT`, `_NAME`) verified against `MIGRATIONAI_DATABASE_CA_FILE`; `None` when
/// neither is given.
fn database_url(
    env: &Env,
    refs: &crate::profile::SecretRefs,
) -> Result<Option<SecretString>, SettingsError> {
    if let Some(url) = env.secret(&vars::DATABASE_URL) {
        return Ok(Some(url));
    }
    let (Some(user), Some(password), Some(host)) = (
        env.text(&vars::DATABASE_USER),
        env.secret(&vars::DATABASE_PASSWORD),
        refs.database_host.as_deref(),
    ) else {
        return Ok(None);
    };
    Ok(Some(crate::profile::postgres_url(
        &user,
        &password,
        host,
        refs.database_port.unwrap_or(5432),
        refs.database_name.as_deref().unwrap_or("migrationai"),
        refs.ca_file(),
    )))
}

/// What the roles that hold the services' tables need besides [`Config`].
#[derive(Debug, Clone)]
pub struct Http {
    pub listen: Option<SocketAddr>,
    pub upload_limit_mib: u64,
    pub insecure_cookies: bool,
    pub sign_in_per_minute: u64,
    pub sign_in_failures: u64,
    /// The operator `admin-api` creates at start when it does not exist.
    pub admin: Option<Admin>,
    /// That operator when its password is in a secret (on aws), read as `admin-api` starts.
    pub admin_secret: Option<AdminSecret>,
}

pub use migrationai_api::Admin;

/// The first operator, whose password is in a Secrets Manager secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminSecret {
    pub email: String,
    pub arn: String,
}

pub fn http(env: &Env) -> Result<Http, SettingsError> {
    let email = env.text(&vars::ADMIN_EMAIL);
    let (admin, admin_secret) = match (
        email,
        env.secret(&vars::ADMIN_PASSWORD),
        env.text(&vars::ADMIN_PASSWORD_SECRET_ARN),
    ) {
        (Some(email), Some(password), _) => (Some(Admin { email, password }), None),
        (Some(email), None, Some(arn)) => (None, Some(AdminSecret { email, arn })),
        _ => (None, None),
    };
    Ok(Http {
        listen: listen(env)?,
        upload_limit_mib: env.parse(&vars::UPLOAD_LIMIT_MIB)?.unwrap_or(512),
        insecure_cookies: env.flag(&vars::INSECURE_COOKIES)?,
        sign_in_per_minute: env.parse(&vars::SIGN_IN_PER_MINUTE)?.unwrap_or(20),
        sign_in_failures: env.parse(&vars::SIGN_IN_FAILURES)?.unwrap_or(5),
        admin,
        admin_secret,
    })
}

/// `MIGRATIONAI_LISTEN`; each role has its own default.
pub fn listen(env: &Env) -> Result<Option<SocketAddr>, SettingsError> {
    env.parse(&vars::LISTEN)
}

/// What a frontend needs: the API it calls and how it sets cookies. It keeps no data.
#[derive(Debug, Clone)]
pub struct Frontend {
    pub listen: Option<SocketAddr>,
    pub backend_url: Option<String>,
    pub insecure_cookies: bool,
}

pub fn frontend(env: &Env) -> Result<Frontend, SettingsError> {
    Ok(Frontend {
        listen: listen(env)?,
        backend_url: env.text(&vars::BACKEND_URL),
        insecure_cookies: env.flag(&vars::INSECURE_COOKIES)?,
    })
}

/// `MIGRATIONAI_PORT`, `up`'s first port.
pub fn up_port(env: &Env) -> Result<Option<u16>, SettingsError> {
    env.parse(&vars::PORT)
}

/// `MIGRATIONAI_QUEUE`: the queues a worker serves (`all`, a kind, or a list of kinds).
pub fn queues(env: &Env) -> Result<Option<Queues>, SettingsError> {
    env.parse(&vars::QUEUE)
}

/// `MIGRATIONAI_QUEUE`: the one queue a Lambda function serves.
pub fn lambda_queue(env: &Env) -> Result<Option<QueueKind>, SettingsError> {
    env.parse(&vars::QUEUE)
}

/// `MIGRATIONAI_DATABASE_OWNER`: the role `db setup` makes the tables' owner.
pub fn database_owner(env: &Env) -> String {
    env.text(&vars::DATABASE_OWNER)
        .unwrap_or_else(|| crate::dbsetup::DEFAULT_OWNER.to_owned())
}

/// The endpoints `bench sqs` and `bench documents` default to.
pub fn bench_endpoints(env: &Env) -> (Option<String>, Option<String>) {
    (env.text(&vars::SQS_ENDPOINT), env.text(&vars::S3_ENDPOINT))
}

/// How to reach the firm's Filevine org.
pub fn filevine(env: &Env) -> Result<migrationai_filevine::settings::Settings, SettingsError> {
    Ok(migrationai_filevine::settings::Settings::from_lookup(
        env.lookup(),
    )?)
}

/// The secret holding the Filevine credentials on aws (see `open::filevine`).
pub fn filevine_secret_arn(env: &Env) -> Option<String> {
    env.text(&vars::FILEVINE_SECRET_ARN)
}

/// Where a process finds the Filevine credentials, read once as it starts so every worker
/// and command of the process uses the same (values stay `secrecy` values; redacted in
/// `Debug`).
#[derive(Debug, Clone)]
pub enum FilevineSource {
    /// The `MIGRATIONAI_FILEVINE_*` variables.
    Env(Box<migrationai_filevine::settings::Settings>),
    /// On aws, the secret `MIGRATIONAI_FILEVINE_SECRET_ARN` names, read when opened; a
    /// variable that is set wins over its field.
    Secret {
        arn: String,
        set: BTreeMap<&'static str, SecretString>,
    },
}

/// The Filevine credentials this process was given, `None` when it was given none (a
/// worker that only migrates). Variables that are set but wrong are an error.
pub fn filevine_source(env: &Env) -> Result<Option<FilevineSource>, SettingsError> {
    use migrationai_filevine::settings::{env as fv, secret};
    if let Some(arn) = filevine_secret_arn(env) {
        let set = secret::FIELDS
            .iter()
            .map(|(_, name)| *name)
            .chain([fv::CONCURRENCY])
            .filter_map(|name| Some((name, SecretString::from(env.lookup()(name)?))))
            .collect();
        return Ok(Some(FilevineSource::Secret { arn, set }));
    }
    if env.secret(&vars::FILEVINE_PAT).is_none() {
        return Ok(None);
    }
    Ok(Some(FilevineSource::Env(Box::new(filevine(env)?))))
}
