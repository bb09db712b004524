//! `migrationai admin-web`: the operators' console, a frontend of the admin API.

use std::net::SocketAddr;
use std::process::ExitCode;

use migrationai_services::roles;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub front: super::api::Frontend,
    /// Address to listen on.
    #[arg(long, env = "MIGRATIONAI_LISTEN", default_value = "127.0.0.1:8091")]
    pub listen: SocketAddr,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let backend = a.front.backend_url("http://127.0.0.1:8081");
    roles::run_blocking(roles::admin_web(
        &backend,
        !a.front.insecure_cookies,
        a.listen,
    ))?;
    Ok(ExitCode::SUCCESS)
}
