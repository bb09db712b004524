//! `migrationai api`: the backend REST API. The options here are shared by every HTTP role;
//! each overrides its variable in the configuration table (README, Configuration).

use std::net::SocketAddr;
use std::process::ExitCode;

use migrationai_processing::config::PoolRole;
use migrationai_processing::settings::{load, Env, SecretString};
use migrationai_services::{roles, Config, Settings};

/// Where a role keeps its state and how it serves.
#[derive(clap::Args, Clone)]
pub struct Common {
    #[command(flatten)]
    pub embedded: super::embedded::Embedded,
    /// The store's database (postgres://... or sqlite:...), which holds the services' tables
    /// too (default: MIGRATIONAI_DATABASE_URL, else SQLite in the data directory).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Largest accepted upload, MiB (default: MIGRATIONAI_UPLOAD_LIMIT_MIB, else 512).
    #[arg(long)]
    pub upload_limit_mib: Option<u64>,
    /// Session cookies without `Secure`, for plain-http local runs only.
    #[arg(long)]
    pub insecure_cookies: bool,
    /// Sign-in attempts one client address may make per minute; more answer 429 (default:
    /// MIGRATIONAI_SIGN_IN_PER_MINUTE, else 20).
    #[arg(long)]
    pub sign_in_per_minute: Option<u64>,
    /// Failed sign-ins that lock an account, for 15 minutes (default:
    /// MIGRATIONAI_SIGN_IN_FAILURES, else 5).
    #[arg(long)]
    pub sign_in_failures: Option<u64>,
}

impl Common {
    /// The configuration with this command's options over it.
    pub fn config(&self, env: &Env, role: PoolRole) -> anyhow::Result<Config> {
        let mut config = self.embedded.config_for(env, role)?;
        if let Some(url) = &self.database_url {
            config.store_url = Some(SecretString::from(url.as_str()));
        }
        Ok(config)
    }

    pub fn settings(&self, http: &load::Http) -> Settings {
        let mib = self.upload_limit_mib.unwrap_or(http.upload_limit_mib);
        Settings {
            upload_limit: mib.saturating_mul(1024 * 1024),
            secure_cookies: !(self.insecure_cookies || http.insecure_cookies),
            admin: http.admin.clone(),
            sign_in: migrationai_services::auth::limit::SignInLimits {
                address_attempts: self.sign_in_per_minute.unwrap_or(http.sign_in_per_minute),
                account_failures: self.sign_in_failures.unwrap_or(http.sign_in_failures),
                ..Default::default()
            },
            ..Settings::default()
        }
    }
}

/// What a frontend needs: the API it calls and how it sets cookies. It keeps no data.
#[derive(clap::Args, Clone)]
pub struct Frontend {
    /// The backend it calls, http(s)://host:port (default: MIGRATIONAI_BACKEND_URL, else the
    /// local API).
    #[arg(long)]
    pub backend_url: Option<String>,
    /// Session cookies without `Secure`, for plain-http local runs only.
    #[arg(long)]
    pub insecure_cookies: bool,
    /// Address to listen on (default: MIGRATIONAI_LISTEN, else the role's own).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

/// A frontend's backend, whether its cookies are `Secure`, and its address.
pub struct FrontendPlan {
    pub backend_url: String,
    pub secure_cookies: bool,
    pub listen: SocketAddr,
}

impl Frontend {
    pub fn plan(
        &self,
        env: &Env,
        local_backend: &str,
        default_listen: SocketAddr,
    ) -> anyhow::Result<FrontendPlan> {
        let front = load::frontend(env)?;
        Ok(FrontendPlan {
            backend_url: self
                .backend_url
                .clone()
                .or(front.backend_url)
                .unwrap_or_else(|| local_backend.to_string()),
            secure_cookies: !(self.insecure_cookies || front.insecure_cookies),
            listen: self.listen.or(front.listen).unwrap_or(default_listen),
        })
    }
}

/// `--listen`, else `MIGRATIONAI_LISTEN`, else `default`.
pub fn listen(flag: Option<SocketAddr>, http: &load::Http, default: SocketAddr) -> SocketAddr {
    flag.or(http.listen).unwrap_or(default)
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// Address to listen on (default: MIGRATIONAI_LISTEN, else 127.0.0.1:8080).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let config = a.common.config(env, PoolRole::Http)?;
    let http = load::http(env)?;
    let addr = listen(a.listen, &http, SocketAddr::from(([127, 0, 0, 1], 8080)));
    roles::run_blocking(roles::api(&config, a.common.settings(&http), addr))?;
    Ok(ExitCode::SUCCESS)
}
