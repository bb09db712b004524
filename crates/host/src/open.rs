//! Opening what the plan needs, one function per [`Need`](crate::Need): the adapters of the
//! configured profile, the migration system over them, the services' tables and the cache.

use std::path::Path;
use std::sync::Arc;

use migrationai_api::db::Db;
use migrationai_pipeline::{App, Services};
use migrationai_ports::cache::Cache;
use secrecy::ExposeSecret;

use crate::config::Config;
use crate::error::OpenError;
use crate::profile::{open_adapters, Profile};

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
    let db = match (&config.store_url, &config.profile) {
        (Some(url), _) => Db::connect(url.expose_secret(), config.db_pool, schema).await,
        (None, Profile::Aws(aws)) => {
            let url = aws
                .resolve_secrets()
                .await?
                .database_url
                .ok_or(OpenError::NoServicesDatabase)?;
            Db::connect(url.expose_secret(), config.db_pool, schema).await
        }
        (None, Profile::Embedded) => {
            Db::open_sqlite(&config.pipeline.data_dir.join("services.db")).await
        }
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

/// The Filevine id map in the store's database. A push on the AWS profile belongs to the
/// queue workers (not wired yet), so only the embedded profile's store is opened here.
pub async fn id_map(config: &Config) -> Result<migrationai_adapters::sql::SqlIdMap, OpenError> {
    use migrationai_adapters::sql::{self, PoolSize, Schema, SqlIdMap, Tables};
    let url = match (&config.profile, &config.store_url) {
        (Profile::Embedded, Some(url)) => url.expose_secret().to_string(),
        (Profile::Embedded, None) => sql::sqlite_url(&config.pipeline.data_dir.join("store.db")),
        (Profile::Aws(_), _) => return Err(OpenError::PushOnAws),
    };
    let pool = sql::open(&url, PoolSize::of(2), Tables::Store, Schema::Migrate)
        .await
        .map_err(OpenError::IdMap)?;
    Ok(SqlIdMap::new(pool))
}
