//! `migrationai run --roles api,web`: any set of roles in one process (`all`: every role),
//! wired by the host as the single-role commands are.

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use migrationai_host::settings::{load, Env};
use migrationai_host::Roles;
use migrationai_pipeline::poller::{Queues, WorkerOptions};

#[derive(clap::Args)]
pub struct Args {
    /// The roles, comma-separated: api, admin-api, web, admin-web, tfp, worker, or all.
    #[arg(long)]
    pub roles: Roles,
    #[command(flatten)]
    pub common: super::api::Common,
    /// Interface the HTTP roles listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// First port: api, admin-api, web, admin-web and tfp's health take this and the next
    /// four (0: any free ports; default: each role's own port).
    #[arg(long)]
    pub port: Option<u16>,
    /// The backend API the firm web app calls when api does not run here (default:
    /// MIGRATIONAI_BACKEND_URL, else the local API).
    #[arg(long)]
    pub backend_url: Option<String>,
    /// The admin API the console calls when admin-api does not run here (default: the local
    /// admin API).
    #[arg(long)]
    pub admin_backend_url: Option<String>,
    /// tfp's polling interval, milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub every_ms: u64,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let plan = migrationai_host::Plan::of(&a.roles);
    // A process of frontends alone reads no store settings, as `web` does not.
    let config = match plan.needs(migrationai_host::Need::Adapters) {
        true => Some(a.common.config(env, a.roles.pool())?),
        false => None,
    };
    let http = load::http(env)?;
    let mut settings = migrationai_host::Settings::new(config, a.common.settings(&http));
    // The workers push the pages of a push with these credentials, when given.
    settings.filevine = load::filevine_source(env)?;
    settings.admin_secret = http.admin_secret.clone();
    settings.listen = migrationai_host::addresses(&a.roles, a.host, a.port);
    settings.backend_url = a.backend_url.or(load::frontend(env)?.backend_url);
    settings.admin_backend_url = a.admin_backend_url;
    settings.tfp_every = Duration::from_millis(a.every_ms);
    settings.worker = WorkerOptions {
        queues: load::queues(env)?.unwrap_or(Queues::All),
        ..WorkerOptions::default()
    };
    migrationai_host::run_blocking(settings, &a.roles)?;
    Ok(ExitCode::SUCCESS)
}
