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
    queue: Option<String>,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let queue = a.queue.or_else(|| load::queue(env)).ok_or_else(|| {
        anyhow::anyhow!("{} is not set: the queue kind to serve", vars::QUEUE.name)
    })?;
    let kind: QueueKind = queue
        .parse()
        .map_err(|_| anyhow::anyhow!("unknown queue kind {queue:?}"))?;
    let config = load::config(env, PoolRole::LambdaFunction)?;
    // One thread: a function instance handles one invocation at a time, and a small
    // runtime starts faster and stays smaller.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_lambda(config, kind))?;
    Ok(ExitCode::SUCCESS)
}
