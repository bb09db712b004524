//! `migrationai up`: every role in one process on the embedded defaults, with a seeded demo
//! firm and operator whose credentials it prints.

use std::net::IpAddr;
use std::process::ExitCode;

use migrationai_processing::config::PoolRole;
use migrationai_processing::settings::{load, Env};
use migrationai_services::roles;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: super::api::Common,
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// First port: API, admin API, web and admin web take this and the next three
    /// (0: any free ports; default: MIGRATIONAI_PORT, else 8080).
    #[arg(long)]
    pub port: Option<u16>,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let config = a.common.config(env, PoolRole::Local)?;
    let mut settings = a.common.settings(&load::http(env)?);
    // Local, plain http: a Secure cookie would never come back from the browser.
    if a.host.is_loopback() {
        settings.secure_cookies = false;
    }
    let port = a.port.or(load::up_port(env)?).unwrap_or(8080);
    roles::run_blocking(roles::up(&config, settings, a.host, port))?;
    Ok(ExitCode::SUCCESS)
}
