//! `migrationai tfp`: the transform and file processor, polling for uploaded exports.

use std::process::ExitCode;
use std::time::Duration;

use migrationai_services::roles;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: super::api::Common,
    /// Polling interval, milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub every_ms: u64,
    /// Address of the health endpoint the load balancer probes.
    #[arg(long, env = "MIGRATIONAI_LISTEN", default_value = "127.0.0.1:8082")]
    pub listen: std::net::SocketAddr,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let config = a
        .common
        .config(migrationai_processing::config::PoolRole::Tfp)?;
    roles::run_blocking(roles::tfp(
        &config,
        a.common.settings(),
        Duration::from_millis(a.every_ms),
        a.listen,
    ))?;
    Ok(ExitCode::SUCCESS)
}
