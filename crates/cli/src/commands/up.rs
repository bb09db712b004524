//! `migrationai up`: every role in one process on the embedded defaults, with a seeded demo
//! firm and operator whose credentials it prints.

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use migrationai_host::settings::{load, Env};
use migrationai_host::{Role, Roles};
use migrationai_pipeline::poller::WorkerOptions;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub common: super::api::Common,
    /// Interface to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// First port: API, admin API, web and admin web take this and the next three
    /// (0: any free ports; default: MIGRATIONAI_PORT, else 8080).
    #[arg(long)]
    pub port: Option<u16>,
}

pub fn run(a: Args, env: &Env) -> anyhow::Result<ExitCode> {
    let roles = Roles::all();
    let config = a.common.config(env, roles.pool())?;
    let mut http = a.common.settings(&load::http(env)?);
    // Local, plain http: a Secure cookie would never come back from the browser.
    if a.host.is_loopback() {
        http.secure_cookies = false;
    }
    let port = a.port.or(load::up_port(env)?).unwrap_or(8080);
    let mut settings = migrationai_host::Settings::new(Some(config), http);
    // The workers push the pages of a push with these credentials, when given.
    settings.filevine = load::filevine_source(env)?;
    settings.listen = migrationai_host::addresses(&roles, a.host, Some(port));
    // tfp has no load balancer to answer here: the API's /health covers the process.
    settings.listen.remove(&Role::Tfp);
    settings.tfp_every = Duration::from_millis(250);
    // One poller per queue with short long-polls, so Ctrl-C is prompt on an idle machine.
    settings.worker = WorkerOptions {
        concurrency: 1,
        wait: Duration::from_millis(250),
        ..WorkerOptions::default()
    };
    settings.demo = true;
    migrationai_host::run_blocking(settings, &roles)?;
    Ok(ExitCode::SUCCESS)
}
