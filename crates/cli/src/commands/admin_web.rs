//! `migrationai admin-web`: the operators' console, a frontend of the admin API.

use std::process::ExitCode;

use migrationai_host::settings::Env;
use migrationai_host::Role;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub front: super::api::Frontend,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    a.front.run(Role::AdminWeb, env)
}
