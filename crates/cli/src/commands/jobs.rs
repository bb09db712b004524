use super::embedded::{runtime, Embedded};
use crate::output::say;
use migrationai_host::open;
use migrationai_host::settings::Env;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct JobsArgs {
    #[command(flatten)]
    embedded: Embedded,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// The job's name or id.
    job: String,
    /// The whole report as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    embedded: Embedded,
}

#[derive(clap::Args)]
pub struct QueuesArgs {
    #[command(flatten)]
    embedded: Embedded,
}

pub fn jobs(a: JobsArgs, env: &Env) -> anyhow::Result<ExitCode> {
    let jobs = runtime()?.block_on(async {
        open::app(&a.embedded.config(env)?)
            .await?
            .jobs()
            .await
            .map_err(anyhow::Error::from)
    })?;
    if jobs.is_empty() {
        say!("no jobs yet; start one with `migrationai migrate EXPORT`");
        return Ok(ExitCode::SUCCESS);
    }
    let phases = migrationai_domain::Kind::phases().len() as i64;
    say!("{:<24} {:<12} {:<10} id", "job", "status", "phase");
    for j in jobs {
        let phase = if j.phase < 0 {
            "-".to_string()
        } else {
            format!("{}/{phases}", j.phase.min(phases))
        };
        say!("{:<24} {:<12} {:<10} {}", j.name, j.status, phase, j.id);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn report(a: ReportArgs, env: &Env) -> anyhow::Result<ExitCode> {
    let report = runtime()?.block_on(async {
        let app = open::app(&a.embedded.config(env)?).await?;
        app.report(&a.job).await.map_err(anyhow::Error::from)
    })?;
    let text = match a.json {
        true => serde_json::to_string_pretty(&report)?,
        false => crate::report_text::summary(&report),
    };
    crate::output::write_stdout(format_args!("{text}"));
    Ok(ExitCode::SUCCESS)
}

pub fn queues(a: QueuesArgs, env: &Env) -> anyhow::Result<ExitCode> {
    let rows = runtime()?.block_on(async {
        open::app(&a.embedded.config(env)?)
            .await?
            .queue_stats()
            .await
            .map_err(anyhow::Error::from)
    })?;
    say!(
        "{:<34} {:>8} {:>9} {:>8} {:>10}",
        "queue",
        "depth",
        "in flight",
        "delayed",
        "DLQ depth"
    );
    for r in rows {
        say!(
            "{:<34} {:>8} {:>9} {:>8} {:>10}",
            r.queue,
            r.visible,
            r.in_flight,
            r.delayed,
            r.dlq_depth
        );
    }
    Ok(ExitCode::SUCCESS)
}
