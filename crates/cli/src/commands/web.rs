//! `migrationai web`: the firm's web app.

use std::net::SocketAddr;
use std::process::ExitCode;

use migrationai_services::roles;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: super::api::Common,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8082")]
    pub listen: SocketAddr,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let config = a.common.config();
    roles::run_blocking(roles::web(&config, a.common.settings(), a.listen))?;
    Ok(ExitCode::SUCCESS)
}
