//! `migrationai up`: every role in one process on the embedded defaults, with a seeded demo
//! firm and operator whose credentials it prints.

use std::net::IpAddr;
use std::process::ExitCode;

use migrationai_services::roles;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: super::api::Common,
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// First port: API, admin API, web and admin web take this and the next three
    /// (0: any free ports).
    #[arg(long, env = "MIGRATIONAI_PORT", default_value_t = 8080)]
    pub port: u16,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let config = a
        .common
        .config(migrationai_processing::config::PoolRole::Local)?;
    let mut settings = a.common.settings();
    // Local, plain http: a Secure cookie would never come back from the browser.
    if a.host.is_loopback() {
        settings.secure_cookies = false;
    }
    roles::run_blocking(roles::up(&config, settings, a.host, a.port))?;
    Ok(ExitCode::SUCCESS)
}
