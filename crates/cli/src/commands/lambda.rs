//! `migrationai lambda`: the Lambda bootstrap of one queue's worker.

use std::process::ExitCode;

use migrationai_domain::QueueKind;
use migrationai_processing::config::PoolRole;
use migrationai_processing::lambda::run_lambda;
use migrationai_processing::profile::config_from_env;

#[derive(clap::Args)]
pub struct Args {
    /// The queue kind this function serves (the Terraform sets MIGRATIONAI_QUEUE).
    #[arg(long, env = "MIGRATIONAI_QUEUE")]
    queue: String,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let kind: QueueKind = a
        .queue
        .parse()
        .map_err(|_| anyhow::anyhow!("unknown queue kind {:?}", a.queue))?;
    let config = config_from_env(PoolRole::LambdaFunction)?;
    // One thread: a function instance handles one invocation at a time, and a small
    // runtime starts faster and stays smaller.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_lambda(config, kind))?;
    Ok(ExitCode::SUCCESS)
}
