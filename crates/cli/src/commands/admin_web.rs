//! `migrationai admin-web`: the operators' console, a frontend of the admin API.

use std::net::SocketAddr;
use std::process::ExitCode;

use migrationai_processing::settings::Env;
use migrationai_services::roles;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub front: super::api::Frontend,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let plan = a.front.plan(
        env,
        "http://127.0.0.1:8081",
        SocketAddr::from(([127, 0, 0, 1], 8091)),
    )?;
    roles::run_blocking(roles::admin_web(
        &plan.backend_url,
        plan.secure_cookies,
        plan.listen,
    ))?;
    Ok(ExitCode::SUCCESS)
}
