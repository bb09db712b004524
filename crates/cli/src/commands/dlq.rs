use super::embedded::{runtime, Embedded};
use crate::output::say;
use migrationai_host::open;
use migrationai_host::settings::Env;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Each dead letter with its receive count and last error.
    List {
        /// The queue's kind (e.g. contacts) or full name.
        queue: String,
        #[command(flatten)]
        embedded: Embedded,
    },
    /// Move every dead letter back to its source queue.
    Redrive {
        /// The queue's kind (e.g. contacts) or full name.
        queue: String,
        #[command(flatten)]
        embedded: Embedded,
    },
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    match a.action {
        Action::List { queue, embedded } => {
            let dead = runtime()?.block_on(async {
                open::app(&embedded.config(env)?)
                    .await?
                    .dlq_list(&queue)
                    .await
                    .map_err(anyhow::Error::from)
            })?;
            if dead.is_empty() {
                say!("{queue}: no dead letters");
            }
            for d in dead {
                say!(
                    "{} {} received {} times; last error: {}",
                    d.queue,
                    d.message_id,
                    d.receive_count,
                    d.last_error.as_deref().unwrap_or("(none recorded)")
                );
                say!("  {}", d.body.chars().take(200).collect::<String>());
            }
        }
        Action::Redrive { queue, embedded } => {
            let moved = runtime()?.block_on(async {
                open::app(&embedded.config(env)?)
                    .await?
                    .dlq_redrive(&queue)
                    .await
                    .map_err(anyhow::Error::from)
            })?;
            say!("{queue}: {moved} messages moved back to the source queue");
        }
    }
    Ok(ExitCode::SUCCESS)
}
