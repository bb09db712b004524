//! What a process opens the system with: the pipeline's run settings and where its adapters
//! are (the profile, the store's URL, the pool size).

use secrecy::SecretString;

pub use migrationai_adapters::sql::PoolSize;

use crate::profile::Profile;

/// Which process opens the database, for the default size of its pools. The sizes come
/// from the connection budget in the README ("Connection budget"): every Lambda instance and
/// host together must fit the database's (or RDS Proxy's) limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolRole {
    /// `migrate`, `up` and the operator commands on one machine.
    Local,
    /// One instance of a worker Lambda function (13 functions, up to 5 instances each).
    LambdaFunction,
    /// `worker`: the queue pollers on a host.
    Poller,
    /// `api` and `admin-api`: two pools (the store and the services' tables).
    Http,
    /// `tfp`: two pools, used by one analysis or split at a time.
    Tfp,
}

impl PoolRole {
    pub const fn default_pool(self) -> PoolSize {
        match self {
            PoolRole::Local => PoolSize::LOCAL,
            // A batch of 10 messages, 4 at once, each holding a connection only for its
            // statements: 2 keep them moving, and 13 x 5 x 2 = 130 fit RDS Proxy's clients.
            PoolRole::LambdaFunction => PoolSize::of(2),
            PoolRole::Poller => PoolSize::of(4),
            PoolRole::Http => PoolSize::of(4),
            PoolRole::Tfp => PoolSize::of(2),
        }
    }
}

/// The configuration of a process that opens the system.
#[derive(Debug, Clone)]
pub struct Config {
    /// The run's settings: data directory, queue names, tenant, batches, timing.
    pub pipeline: migrationai_pipeline::Config,
    /// Which adapters to run on (embedded by default).
    pub profile: Profile,
    /// Store connection string on the embedded profile (it may hold a password); `None`
    /// means `<data_dir>/store.db` (SQLite). On aws the profile's database.
    pub store_url: Option<SecretString>,
    /// The most connections each of this process's database pools holds
    /// (`MIGRATIONAI_DB_MAX_CONNECTIONS`, default per role: [`PoolRole`]).
    pub db_pool: PoolSize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            pipeline: migrationai_pipeline::Config::default(),
            profile: Profile::Embedded,
            store_url: None,
            db_pool: PoolSize::LOCAL,
        }
    }
}

impl Config {
    /// The embedded profile on `data_dir`, everything else default.
    pub fn embedded(data_dir: impl Into<std::path::PathBuf>) -> Config {
        Config {
            pipeline: migrationai_pipeline::Config {
                data_dir: data_dir.into(),
                ..migrationai_pipeline::Config::default()
            },
            ..Config::default()
        }
    }
}
