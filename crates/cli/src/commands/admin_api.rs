//! `migrationai admin-api`: the operators' REST API (admin role only).

use std::net::SocketAddr;
use std::process::ExitCode;

use migrationai_services::roles;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: super::api::Common,
    /// Address to listen on.
    #[arg(long, env = "MIGRATIONAI_LISTEN", default_value = "127.0.0.1:8081")]
    pub listen: SocketAddr,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let config = a
        .common
        .config(migrationai_processing::config::PoolRole::Http)?;
    roles::run_blocking(roles::admin_api(&config, a.common.settings(), a.listen))?;
    Ok(ExitCode::SUCCESS)
}
