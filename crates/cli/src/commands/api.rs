//! `migrationai api`: the backend REST API. The options here are shared by every HTTP role;
//! each overrides its variable in the configuration table (README, Configuration).

use std::net::SocketAddr;
use std::process::ExitCode;

use migrationai_api::Settings;
use migrationai_host::settings::{load, Env, SecretString};
use migrationai_host::Config;
use migrationai_host::PoolRole;
use migrationai_host::{Role, Roles};

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
            sign_in: migrationai_api::auth::limit::SignInLimits {
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

impl Frontend {
    /// Runs the frontend `role` (web, admin-web) through the host: it opens nothing and
    /// calls its API at `--backend-url`, else MIGRATIONAI_BACKEND_URL, else the API's
    /// default local address.
    pub fn run(&self, role: Role, env: &Env) -> anyhow::Result<ExitCode> {
        let front = load::frontend(env)?;
        let http = Settings {
            secure_cookies: !(self.insecure_cookies || front.insecure_cookies),
            ..Settings::default()
        };
        let mut settings = migrationai_host::Settings::new(None, http);
        let backend = self.backend_url.clone().or(front.backend_url);
        match role {
            Role::AdminWeb => settings.admin_backend_url = backend,
            _ => settings.backend_url = backend,
        }
        let port = role.default_port().unwrap_or(0);
        let listen = self
            .listen
            .or(front.listen)
            .unwrap_or(SocketAddr::from(([127, 0, 0, 1], port)));
        settings.listen.insert(role, listen);
        migrationai_host::run_blocking(settings, &Roles::one(role))?;
        Ok(ExitCode::SUCCESS)
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
    let http = load::http(env)?;
    let addr = listen(a.listen, &http, SocketAddr::from(([127, 0, 0, 1], 8080)));
    serve_one(Role::Api, &a.common, env, addr)
}

/// Runs one data-holding HTTP role (api, admin-api) through the host.
pub fn serve_one(
    role: Role,
    common: &Common,
    env: &Env,
    addr: SocketAddr,
) -> anyhow::Result<ExitCode> {
    let http = load::http(env)?;
    let config = common.config(env, role.pool())?;
    let mut settings = migrationai_host::Settings::new(Some(config), common.settings(&http));
    settings.admin_secret = http.admin_secret.clone();
    settings.listen.insert(role, addr);
    migrationai_host::run_blocking(settings, &Roles::one(role))?;
    Ok(ExitCode::SUCCESS)
}
