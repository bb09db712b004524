//! Opening what the plan needs, one function per [`Need`](crate::Need): the adapters of the
//! configured profile, the migration system over them, the services' tables and the cache.

use std::path::Path;
use std::sync::Arc;

use migrationai_api::db::Db;
use migrationai_pipeline::delivery::target::FilevineTarget;
use migrationai_pipeline::{App, Services};
use migrationai_ports::blob::BlobStore;
use migrationai_ports::cache::Cache;
use migrationai_ports::store::Store;
use migrationai_ports::target::{Lazy, Open, Target, TargetError, TargetKind};
use secrecy::{ExposeSecret, SecretString};

use crate::config::Config;
use crate::error::OpenError;
use crate::profile::{open_adapters, Profile};
use crate::settings::load;

/// The migration system: the adapters, the queues created when they are this process's to
/// create, the jobs queue checked.
pub async fn app(config: &Config) -> Result<App, OpenError> {
    let lock = lock(&config.pipeline.data_dir).await?;
    let app = App::open(&config.pipeline, open_adapters(config).await?).await?;
    drop(lock);
    Ok(app)
}

/// Held while a process opens the system on a data directory: two commands opening a new
/// one at once (`migrate` and `jobs`) would both run its migrations and one would fail.
pub async fn lock(dir: &Path) -> Result<std::fs::File, OpenError> {
    let io = |source: std::io::Error| OpenError::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let lock = std::fs::File::create(dir.join(".open.lock")).map_err(io)?;
    tokio::task::spawn_blocking(move || lock.lock().map(|()| lock))
        .await?
        .map_err(io)
}

/// The adapters alone, for a process that consumes queues the Terraform (or `up`) made: a
/// worker host, a Lambda function. Nothing is created.
pub async fn services(config: &Config) -> Result<Services, OpenError> {
    Ok(open_adapters(config).await?.into_services(&config.pipeline))
}

/// The services' tables (accounts, tokens, uploads, audit): in the store's database when it has a URL (always on aws, whose containers keep no disk),
/// else `<data_dir>/services.db`. Migrated on embedded, checked on aws.
pub async fn services_db(config: &Config) -> Result<Db, OpenError> {
    let schema = config.profile.schema();
    let db = match database_url(config).await? {
        Some(url) => Db::connect(url.expose_secret(), config.db_pool, schema).await,
        None => Db::open_sqlite(&config.pipeline.data_dir.join("services.db")).await,
    };
    db.map_err(OpenError::ServicesDb)
}

/// The shared cache: Redis (MemoryDB) on the aws profile, so every API instance shares the
/// sign-in counts, cached pages and progress; in process on the embedded one.
pub async fn cache(config: &Config) -> Result<Arc<dyn Cache>, OpenError> {
    if let Profile::Aws(aws) = &config.profile {
        let aws = aws.resolve_secrets().await?;
        if let Some(redis) = &aws.redis {
            let cache = migrationai_adapters::aws::RedisCache::connect(redis)
                .await
                .map_err(OpenError::CacheOpen)?;
            return Ok(Arc::new(cache));
        }
    }
    Ok(Arc::new(
        migrationai_adapters::embedded::MokaCache::default(),
    ))
}

/// What the HTTP roles share, opened in the plan's order (for a command or a test that
/// drives the API's state without starting a role).
pub async fn state(
    config: &Config,
    http: migrationai_api::Settings,
) -> Result<migrationai_api::AppState, OpenError> {
    let app = app(config).await?;
    let db = services_db(config).await?;
    let cache = cache(config).await?;
    Ok(migrationai_api::AppState::new(app, db, cache, http))
}

/// The Filevine id map, in the store's database: the store's own PostgreSQL on the aws
/// profile (checked, as `db setup` migrates it), the embedded store's otherwise.
pub async fn id_map(config: &Config) -> Result<migrationai_adapters::sql::SqlIdMap, OpenError> {
    use migrationai_adapters::sql::{self, PoolSize, SqlIdMap, Tables};
    let url = match database_url(config).await? {
        Some(url) => url,
        None => sql::sqlite_url(&config.pipeline.data_dir.join("store.db")).into(),
    };
    let pool = sql::open(
        url.expose_secret(),
        PoolSize::of(2),
        Tables::Store,
        config.profile.schema(),
    )
    .await
    .map_err(OpenError::IdMap)?;
    Ok(SqlIdMap::new(pool))
}

/// The database URL of the store and the services' tables when they are not the embedded
/// files: the configured URL, or on aws the one its secret gives.
async fn database_url(config: &Config) -> Result<Option<SecretString>, OpenError> {
    match (&config.store_url, &config.profile) {
        (Some(url), _) => Ok(Some(url.clone())),
        (None, Profile::Aws(aws)) => match aws.resolve_secrets().await?.database_url {
            Some(url) => Ok(Some(url)),
            None => Err(OpenError::NoServicesDatabase),
        },
        (None, Profile::Embedded) => Ok(None),
    }
}

/// How to reach the firm's Filevine org: the `MIGRATIONAI_FILEVINE_*` variables, and on aws
/// the fields of the secret `MIGRATIONAI_FILEVINE_SECRET_ARN` names for those left unset.
pub async fn filevine(
    config: &Config,
    source: &load::FilevineSource,
) -> Result<migrationai_filevine::settings::Settings, OpenError> {
    use migrationai_filevine::settings::{secret, Settings};
    let (arn, set) = match source {
        load::FilevineSource::Env(settings) => return Ok(settings.as_ref().clone()),
        load::FilevineSource::Secret { arn, set } => (arn, set),
    };
    let Profile::Aws(aws) = &config.profile else {
        return Err(OpenError::SecretNeedsAws {
            variable: crate::settings::vars::FILEVINE_SECRET_ARN.name,
        });
    };
    let value = aws.secret_text(arn).await?;
    // The parse error could quote the credentials, so only the ARN is reported.
    let json: serde_json::Map<String, serde_json::Value> = serde_json::from_str(value.trim())
        .map_err(|_| OpenError::FilevineSecretShape { arn: arn.clone() })?;
    let settings = Settings::from_lookup(|name| {
        set.get(name)
            .map(|v| v.expose_secret().to_owned())
            .or_else(|| secret::field(&json, name))
    })
    .map_err(crate::settings::SettingsError::from)?;
    Ok(settings)
}

/// The Filevine target this process delivers with (its settings, the store's id map and
/// the blobs the documents are read from), for `push` and for every queue worker, which
/// push the pages of a push through the queues.
pub async fn filevine_target(
    config: &Config,
    source: &load::FilevineSource,
    blobs: BlobStore,
    store: Arc<dyn Store>,
) -> Result<Arc<FilevineTarget>, OpenError> {
    let settings = filevine(config, source).await?;
    let ids = Arc::new(id_map(config).await?);
    Ok(Arc::new(
        FilevineTarget::new(settings, ids, blobs, store).map_err(OpenError::Filevine)?,
    ))
}

/// `services` able to push into Filevine when the process was given credentials (the
/// canonical store is always a target). The Filevine target opens at the first page a
/// worker pushes, not here: a worker that never pushes never reads the secret (one Secrets
/// Manager call per cold start saved), and one that pushes reads it once.
pub fn delivering(
    config: &Config,
    services: Services,
    source: Option<&load::FilevineSource>,
) -> Services {
    let Some(source) = source else {
        return services;
    };
    let (config, source) = (config.clone(), source.clone());
    let (blobs, store) = (services.blobs.clone(), services.store.clone());
    let open: Open = Box::new(move || {
        let (config, source) = (config.clone(), source.clone());
        let (blobs, store) = (blobs.clone(), store.clone());
        Box::pin(async move {
            let target = filevine_target(&config, &source, blobs, store)
                .await
                .map_err(|e| TargetError::Unreachable {
                    target: TargetKind::Filevine,
                    // The errors name variables and ARNs, never a credential.
                    detail: format!("{:#}", anyhow::Error::new(e)),
                })?;
            Ok(target as Arc<dyn Target>)
        })
    });
    services.with_target(Arc::new(Lazy::new(TargetKind::Filevine, open)))
}

/// The first operator whose password the Terraform generated into a secret (on aws).
pub async fn admin(
    config: &Config,
    secret: &load::AdminSecret,
) -> Result<migrationai_api::Admin, OpenError> {
    let Profile::Aws(aws) = &config.profile else {
        return Err(OpenError::SecretNeedsAws {
            variable: crate::settings::vars::ADMIN_PASSWORD_SECRET_ARN.name,
        });
    };
    let password = aws.secret_text(&secret.arn).await?;
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        return Err(OpenError::SecretNotText {
            arn: secret.arn.clone(),
        });
    }
    Ok(migrationai_api::Admin {
        email: secret.email.clone(),
        password: password.to_owned().into(),
    })
}
