//! `migrationai api`: the backend REST API. The options here are shared by every HTTP role.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

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
}

impl Common {
    pub fn config(&self) -> Config {
        Config {
            data_dir: self.data_dir.clone(),
            env: self.env.clone(),
            store_url: self.store_url.clone(),
            ..Config::default()
        }
    }

    pub fn settings(&self) -> Settings {
        Settings {
            upload_limit: self.upload_limit_mib.saturating_mul(1024 * 1024),
            secure_cookies: !self.insecure_cookies,
            db_url: self.db_url.clone(),
            ..Settings::default()
        }
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
    let config = a.common.config();
    roles::run_blocking(roles::api(&config, a.common.settings(), a.listen))?;
    Ok(ExitCode::SUCCESS)
}
