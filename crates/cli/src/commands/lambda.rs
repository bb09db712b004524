//! `migrationai lambda`: the Lambda bootstrap of one queue's worker.

use std::process::ExitCode;

use migrationai_domain::QueueKind;
use migrationai_host::lambda::run_lambda;
use migrationai_host::settings::{load, vars, Env};
use migrationai_host::PoolRole;

#[derive(clap::Args)]
pub struct Args {
    /// The queue kind this function serves (default: MIGRATIONAI_QUEUE, which the Terraform
    /// sets).
    #[arg(long)]
    queue: Option<QueueKind>,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let kind = match a.queue {
        Some(kind) => kind,
        None => load::lambda_queue(env)?.ok_or_else(|| {
            anyhow::anyhow!("{} is not set: the queue kind to serve", vars::QUEUE.name)
        })?,
    };
    let config = load::config(env, PoolRole::LambdaFunction)?;
    // One thread: a function instance handles one invocation at a time, and a small
    // runtime starts faster and stays smaller.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let filevine = load::filevine_source(env)?;
    runtime.block_on(run_lambda(config, kind, filevine))?;
    Ok(ExitCode::SUCCESS)
}
