//! `migrationai worker --queue KIND|all`: the queue handlers as long-running pollers, for a
//! host that consumes the queues itself (on AWS the Lambda functions do).

use std::process::ExitCode;
use std::time::Duration;

use migrationai_host::settings::{load, Env};
use migrationai_host::{Role, Roles};
use migrationai_pipeline::poller::{Queues, WorkerOptions};

#[derive(clap::Args)]
pub struct Args {
    /// `all`, one queue kind, or a comma-separated list of kinds (default: MIGRATIONAI_QUEUE,
    /// else all).
    #[arg(long)]
    queue: Option<Queues>,
    /// Batches processed at once per queue.
    #[arg(long, default_value_t = 2)]
    concurrency: usize,
    /// Long-poll wait in seconds (at most 20).
    #[arg(long, default_value_t = 20)]
    wait: u64,
    /// Seconds a drain may take after SIGTERM.
    #[arg(long, default_value_t = 60)]
    drain_timeout: u64,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let config = load::config(env, Role::Worker.pool())?;
    let mut settings =
        migrationai_host::Settings::new(Some(config), migrationai_api::Settings::default());
    // The workers push the pages of a push with these credentials, when given.
    settings.filevine = load::filevine_source(env)?;
    settings.worker = WorkerOptions {
        queues: match a.queue {
            Some(queues) => queues,
            None => load::queues(env)?.unwrap_or(Queues::All),
        },
        concurrency: a.concurrency,
        wait: Duration::from_secs(a.wait.min(20)),
        drain_timeout: Duration::from_secs(a.drain_timeout),
    };
    migrationai_host::run_blocking(settings, &Roles::one(Role::Worker))?;
    Ok(ExitCode::SUCCESS)
}
