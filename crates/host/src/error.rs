use std::path::PathBuf;

use migrationai_pipeline::ProcessingError;
use migrationai_ports::blob::BlobError;
use migrationai_ports::queue::QueueError;
use migrationai_ports::store::StoreError;

use crate::settings::SettingsError;

/// Why a process could not open what its roles or commands need. Secrets are named by their
/// ARN or variable, never quoted.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Pipeline(#[from] ProcessingError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Blob(#[from] BlobError),
    /// A Secrets Manager secret that could not be read; the ARN, never the value.
    #[error("reading secret {arn}")]
    SecretRead {
        arn: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("secret {arn} has no string value")]
    SecretNotText { arn: String },
    /// The parse error could quote the value, so it is not kept.
    #[error(
        "the database secret is neither a postgres:// URL nor JSON with username and password"
    )]
    DatabaseSecretShape,
    #[error("cannot reach Filevine with these settings")]
    Filevine(#[source] migrationai_filevine::FvError),
    #[error("secret {arn} is not a JSON object of Filevine credentials (pat, client_id, client_secret, org_id, user_id)")]
    FilevineSecretShape { arn: String },
    #[error("{variable} is read through the aws profile's Secrets Manager; set MIGRATIONAI_PROFILE=aws, or give the value in its plain variable")]
    SecretNeedsAws { variable: &'static str },
    #[error("secret {arn} is not JSON with username and password")]
    LoginSecretShape { arn: String },
    #[error("database setup failed")]
    DatabaseSetup(#[source] migrationai_adapters::sql::roles::SetupError),
    #[error("cannot open the cache")]
    CacheOpen(#[source] migrationai_ports::cache::CacheError),
    /// The URL holds the password: the error names the profile, never the URL.
    #[error("cannot open the PostgreSQL store of {profile}")]
    StoreOpen {
        profile: String,
        #[source]
        source: Box<OpenError>,
    },
    #[error("cannot open the services' tables")]
    ServicesDb(#[source] sqlx::Error),
    #[error("{}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot install the shutdown signal handlers")]
    Signals(#[source] std::io::Error),
    #[error("a background task failed")]
    Task(#[from] tokio::task::JoinError),
    /// The aws profile resolved no database URL, and the store, its id map and the services'
    /// tables live in that database (its containers keep no disk).
    #[error("the aws profile has no database URL for the store and the services' tables")]
    NoServicesDatabase,
    #[error("cannot open the Filevine id map")]
    IdMap(#[source] sqlx::Error),
    /// The Lambda bootstrap started outside a Lambda runtime (lambda_runtime would panic).
    #[error("{var} is not set: this bootstrap runs inside AWS Lambda (or its runtime interface emulator)")]
    NotInLambda { var: &'static str },
    #[error("lambda runtime")]
    LambdaRuntime(#[source] lambda_runtime::Error),
}
