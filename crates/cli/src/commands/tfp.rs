//! `migrationai tfp`: the transform and file processor, polling for uploaded exports.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use migrationai_host::settings::{load, Env};
use migrationai_host::{Role, Roles};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: super::api::Common,
    /// Polling interval, milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub every_ms: u64,
    /// Address of the health endpoint the load balancer probes (default: MIGRATIONAI_LISTEN,
    /// else 127.0.0.1:8082).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let config = a.common.config(env, Role::Tfp.pool())?;
    let http = load::http(env)?;
    let addr = super::api::listen(a.listen, &http, SocketAddr::from(([127, 0, 0, 1], 8082)));
    let mut settings = migrationai_host::Settings::new(Some(config), a.common.settings(&http));
    settings.listen.insert(Role::Tfp, addr);
    settings.tfp_every = Duration::from_millis(a.every_ms);
    migrationai_host::run_blocking(settings, &Roles::one(Role::Tfp))?;
    Ok(ExitCode::SUCCESS)
}
