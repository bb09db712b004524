//! `migrationai roles [LIST]`: what a process of those roles opens and starts, in order.

use std::process::ExitCode;

use migrationai_host::{Plan, Roles};

#[derive(clap::Args)]
pub struct Args {
    /// The roles, comma-separated (api, admin-api, web, admin-web, tfp, worker), or all.
    #[arg(default_value = "all")]
    pub roles: Roles,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    println!("migrationai run --roles {} wires, in order:", a.roles);
    print!("{}", Plan::of(&a.roles));
    Ok(ExitCode::SUCCESS)
}
