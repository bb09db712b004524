//! `migrationai db setup`: the database's owner role and runtime user, and its migrations,
//! once per deploy with the master secret (see `migrationai_pipeline::dbsetup`).

use std::process::ExitCode;

use migrationai_host::dbsetup::{run_setup_lambda, setup_database};
use migrationai_host::profile::Profile;
use migrationai_host::settings::{load, Env};
use migrationai_host::PoolRole;

use crate::output::say;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Create or update the owner role and the runtime user, then apply every migration as the
    /// owner (idempotent). Needs MIGRATIONAI_PROFILE=aws, the master user's database secret
    /// (MIGRATIONAI_DATABASE_URL_SECRET_ARN or MIGRATIONAI_DATABASE_URL) and
    /// MIGRATIONAI_DATABASE_RUNTIME_SECRET_ARN.
    Setup {
        /// The role that owns the tables (no login; default MIGRATIONAI_DATABASE_OWNER, else
        /// migrationai_owner).
        #[arg(long)]
        owner: Option<String>,
        /// Serve each Lambda invocation with a setup instead of running once (the `db-setup`
        /// function).
        #[arg(long)]
        lambda: bool,
    },
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let Action::Setup { owner, lambda } = a.action;
    let owner = owner.unwrap_or_else(|| load::database_owner(env));
    let config = load::config(env, PoolRole::Local)?;
    let Profile::Aws(aws) = config.profile else {
        anyhow::bail!(
            "db setup makes the database users of the aws profile: set MIGRATIONAI_PROFILE=aws (the embedded profile migrates as it opens)"
        );
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    if lambda {
        runtime.block_on(run_setup_lambda(*aws, owner))?;
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = runtime.block_on(setup_database(&aws, &owner))?;
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    let applied: Vec<String> = outcome.applied.iter().map(i64::to_string).collect();
    say!("roles created: {}", list(&outcome.created));
    say!("tables moved to {owner}: {}", list(&outcome.transferred));
    say!("migrations applied: {}", list(&applied));
    Ok(ExitCode::SUCCESS)
}
