//! `migrationai admin-web`: the operators' console, a frontend of the admin API.

use std::process::ExitCode;

use migrationai_host::Role;
use migrationai_pipeline::settings::Env;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub front: super::api::Frontend,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    a.front.run(Role::AdminWeb, env)
}
