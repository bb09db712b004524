//! `migrationai`: one binary whose subcommands are the roles and the operator commands.

mod commands;
mod output;
mod report_text;
mod telemetry;

use clap::{Parser, Subcommand};
use migrationai_host::settings::{load, Env};
use std::process::ExitCode;

// A migration allocates and frees millions of small strings (field names, cell values, JSON);
// glibc's malloc spent ~15% of the CPU of `bench migrate` on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(target_os = "linux")]
extern "C" {
    /// mimalloc's own setter (exported by the library the allocator links).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_arena_eager_commit` in mimalloc.h's `mi_option_e`.
#[cfg(target_os = "linux")]
const MI_OPTION_ARENA_EAGER_COMMIT: std::ffi::c_int = 4;

/// mimalloc commits whole arenas up front on Linux: peak RSS of `bench migrate` rose from
/// 230 to 350 MiB. Committing on demand keeps it near glibc's at the same speed. The option
/// must be set before the first allocation reserves an arena, hence a constructor that runs
/// before Rust's runtime starts (setting it in `main` is too late).
#[cfg(target_os = "linux")]
extern "C" fn allocator_options() {
    // SAFETY: a plain option store inside mimalloc, with an option id and value it accepts.
    unsafe { mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0) };
}

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static ALLOCATOR_OPTIONS: extern "C" fn() = allocator_options;

#[derive(Parser)]
#[command(
    name = "migrationai",
    version,
    about = "Migrate a law firm's practice data into a canonical store, and prove nothing was lost."
)]
struct Cli {
    /// Log filter, e.g. "info" or "migrationai=debug" (default: MIGRATIONAI_LOG, else warn).
    #[arg(long, global = true)]
    log: Option<String>,
    /// Log as JSON lines, for Lambda and containers (default: MIGRATIONAI_LOG_JSON).
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a deterministic synthetic firm export with its ground truth.
    Sample(commands::sample::Args),
    /// Detect each file's kind, propose the mapping and list row-level problems.
    Inspect(commands::inspect::Args),
    /// Run a whole migration on this machine (embedded defaults); resumes after a crash.
    Migrate(commands::migrate::Args),
    /// Deliver a migrated job into its target system (Filevine) and read it back.
    Push(commands::push::Args),
    /// List migration jobs.
    Jobs(commands::jobs::JobsArgs),
    /// Print a job's reconciliation report.
    Report(commands::jobs::ReportArgs),
    /// Depth, in flight and dead-letter depth of every queue.
    Queues(commands::jobs::QueuesArgs),
    /// Inspect and redrive dead-letter queues.
    Dlq(commands::dlq::Args),
    /// Set up the database users and schema of the aws profile (the deploy's migrating step).
    Db(commands::db::Args),
    /// Print performance figures.
    Bench(commands::bench::Args),
    /// Serve the backend REST API.
    Api(commands::api::Args),
    /// Serve the admin REST API (operators).
    AdminApi(commands::admin_api::Args),
    /// Serve the firm web app.
    Web(commands::web::Args),
    /// Serve the admin console.
    AdminWeb(commands::admin_web::Args),
    /// Run the transform and file processor (analyses uploaded exports).
    Tfp(commands::tfp::Args),
    /// Run every role in one process on the embedded defaults, with a demo firm.
    Up(commands::up::Args),
    /// Run several roles in one process, e.g. `--roles api,web` (`all`: every role).
    Run(commands::run::Args),
    /// Print what a process of the given roles opens and starts, in order.
    Roles(commands::roles::Args),
    /// Run as the Lambda bootstrap of one queue's worker (AWS Lambda sets the environment).
    Lambda(commands::lambda::Args),
    /// Run queue handlers as long-polling workers until SIGTERM, on a host that consumes the
    /// queues itself (on AWS the 13 Lambda functions are the workers).
    Worker(commands::worker::Args),
    /// Print the configuration table: every MIGRATIONAI_* variable, its type, default and
    /// the roles that read it.
    Config(commands::config::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Every MIGRATIONAI_* variable is read through this one environment (the table in
    // `settings::vars`); command-line options override it.
    let env = Env::process();
    let logging = match load::logging(&env) {
        Ok(logging) => logging,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    // Lambda's logs are JSON lines, each carrying the request id.
    let json = cli.log_json || logging.json || matches!(cli.command, Command::Lambda(_));
    telemetry::init(cli.log.as_deref().unwrap_or(&logging.filter), json);
    let result = run(cli.command, &env);
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(command: Command, env: &Env) -> anyhow::Result<ExitCode> {
    match command {
        Command::Sample(a) => commands::sample::run(a),
        Command::Inspect(a) => commands::inspect::run(a),
        Command::Migrate(a) => commands::migrate::run(a, env),
        Command::Push(a) => commands::push::run(a, env),
        Command::Jobs(a) => commands::jobs::jobs(a, env),
        Command::Report(a) => commands::jobs::report(a, env),
        Command::Queues(a) => commands::jobs::queues(a, env),
        Command::Dlq(a) => commands::dlq::run(a, env),
        Command::Db(a) => commands::db::run(a, env),
        Command::Bench(a) => commands::bench::run(a, env),
        Command::Api(a) => commands::api::run(a, env),
        Command::AdminApi(a) => commands::admin_api::run(a, env),
        Command::Web(a) => commands::web::run(a, env),
        Command::AdminWeb(a) => commands::admin_web::run(a, env),
        Command::Tfp(a) => commands::tfp::run(a, env),
        Command::Up(a) => commands::up::run(a, env),
        Command::Run(a) => commands::run::run(a, env),
        Command::Roles(a) => commands::roles::run(a),
        Command::Lambda(a) => commands::lambda::run(a, env),
        Command::Worker(a) => commands::worker::run(a, env),
        Command::Config(a) => commands::config::run(a),
    }
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// Every command and every argument says what it is for in `--help`.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(format!("{path} {}", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "migrationai", &mut missing);
        assert!(missing.is_empty(), "without help: {missing:?}");
    }
}
