//! `migrationai admin-api`: the operators' REST API (admin role only).

use std::net::SocketAddr;
use std::process::ExitCode;

use migrationai_host::settings::{load, Env};
use migrationai_host::Role;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: super::api::Common,
    /// Address to listen on (default: MIGRATIONAI_LISTEN, else 127.0.0.1:8081).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let http = load::http(env)?;
    let addr = super::api::listen(a.listen, &http, SocketAddr::from(([127, 0, 0, 1], 8081)));
    super::api::serve_one(Role::AdminApi, &a.common, env, addr)
}
