//! `migrationai api`: the backend REST API. The options here are shared by every HTTP role.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use migrationai_processing::config::PoolRole;
use migrationai_processing::profile::config_from_env;
use migrationai_services::{roles, Config, Settings};

/// Where a role keeps its state and how it serves.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// Data directory of the embedded store, queue and blobs.
    #[arg(long, env = "MIGRATIONAI_DATA_DIR", default_value = "./.migrationai")]
    pub data_dir: PathBuf,
    /// Queue name prefix (`<env>-migrationai-<kind>`).
    #[arg(long, env = "MIGRATIONAI_ENV", default_value = "prod")]
    pub env: String,
    /// Canonical store URL (postgres://...); default: SQLite in the data directory.
    #[arg(long, env = "MIGRATIONAI_STORE_URL")]
    pub store_url: Option<String>,
    /// Services database URL (tenants, users, tokens, jobs); default: SQLite in the data directory.
    #[arg(long, env = "MIGRATIONAI_DB_URL")]
    pub db_url: Option<String>,
    /// Largest accepted upload, MiB.
    #[arg(long, env = "MIGRATIONAI_UPLOAD_LIMIT_MIB", default_value_t = 512)]
    pub upload_limit_mib: u64,
    /// Session cookies without `Secure`, for plain-http local runs only.
    #[arg(long, env = "MIGRATIONAI_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// Sign-in attempts one client address may make per minute (more answer 429).
    #[arg(long, env = "MIGRATIONAI_SIGN_IN_PER_MINUTE", default_value_t = 20)]
    pub sign_in_per_minute: u64,
    /// Failed sign-ins that lock an account, for 15 minutes.
    #[arg(long, env = "MIGRATIONAI_SIGN_IN_FAILURES", default_value_t = 5)]
    pub sign_in_failures: u64,
}

impl Common {
    /// The profile (`MIGRATIONAI_PROFILE`: embedded, or aws with the variables Terraform
    /// gives the hosts), with this command's options over it.
    pub fn config(&self, role: PoolRole) -> anyhow::Result<Config> {
        let mut config = config_from_env(role)?;
        config.data_dir = self.data_dir.clone();
        config.env = self.env.clone();
        if self.store_url.is_some() {
            config.store_url = self.store_url.clone();
        }
        Ok(config)
    }

    pub fn settings(&self) -> Settings {
        Settings {
            upload_limit: self.upload_limit_mib.saturating_mul(1024 * 1024),
            secure_cookies: !self.insecure_cookies,
            db_url: self.db_url.clone(),
            sign_in: migrationai_services::auth::limit::SignInLimits {
                address_attempts: self.sign_in_per_minute,
                account_failures: self.sign_in_failures,
                ..Default::default()
            },
            ..Settings::default()
        }
    }
}

/// What a frontend needs: the API it calls and how it sets cookies. It keeps no data.
#[derive(clap::Args, Clone)]
pub struct Frontend {
    /// The backend it calls (http(s)://host:port).
    #[arg(long, env = "MIGRATIONAI_BACKEND_URL")]
    pub backend_url: Option<String>,
    /// Session cookies without `Secure`, for plain-http local runs only.
    #[arg(long, env = "MIGRATIONAI_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
}

impl Frontend {
    pub fn backend_url(&self, local: &str) -> String {
        self.backend_url
            .clone()
            .unwrap_or_else(|| local.to_string())
    }
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// Address to listen on.
    #[arg(long, env = "MIGRATIONAI_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let config = a.common.config(PoolRole::Http)?;
    roles::run_blocking(roles::api(&config, a.common.settings(), a.listen))?;
    Ok(ExitCode::SUCCESS)
}
