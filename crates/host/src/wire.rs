//! The one place that wires a process: open what the selected roles need, once, in the
//! plan's order; start each role; wait for the shutdown token; drain; return.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use migrationai_api::db::Db;
use migrationai_api::seed::{bootstrap_admin, seed_demo, ADMIN_EMAIL, DEMO_EMAIL};
use migrationai_api::AppState;
use migrationai_pipeline::poller::{self, WorkerOptions};
use migrationai_pipeline::{Adapters, App, Services};
use migrationai_ports::cache::Cache;
use migrationai_web::kit::backend::Backend;
use migrationai_web::kit::{Front, CONSOLE, FIRM};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::open;
use crate::plan::{Need, Plan};
use crate::profile::open_adapters;
use crate::role::{Role, Roles};

/// Everything a process's roles are configured with, already read (the CLI builds it from
/// its flags and the `MIGRATIONAI_*` variables).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The profile, data directory and pools; `None` for a process whose roles open nothing
    /// (the frontends alone hold no data and read no store settings).
    pub config: Option<Config>,
    /// The HTTP roles' settings (limits, cookies, sign-in, the operator to create).
    pub http: migrationai_api::Settings,
    /// Where each HTTP role listens. tfp serves `/health` only when it has an address here.
    pub listen: BTreeMap<Role, SocketAddr>,
    /// The backend API the firm web app calls when `api` does not run in this process.
    pub backend_url: Option<String>,
    /// The admin API the console calls when `admin-api` does not run in this process.
    pub admin_backend_url: Option<String>,
    /// How often tfp polls.
    pub tfp_every: Duration,
    /// The queues a worker polls, and how.
    pub worker: WorkerOptions,
    /// Seed the demo firm and operator and print where everything is (`up`).
    pub demo: bool,
    /// The operator to create when its password is in a secret, read as `admin-api` starts.
    pub admin_secret: Option<crate::settings::load::AdminSecret>,
    /// The Filevine credentials the workers push with, when the process was given them.
    pub filevine: Option<crate::settings::load::FilevineSource>,
}

impl Settings {
    pub fn new(config: Option<Config>, http: migrationai_api::Settings) -> Settings {
        Settings {
            config,
            http,
            listen: BTreeMap::new(),
            backend_url: None,
            admin_backend_url: None,
            tfp_every: Duration::from_secs(1),
            worker: WorkerOptions::default(),
            demo: false,
            admin_secret: None,
            filevine: None,
        }
    }
}

/// Each HTTP role's address on `ip`: its default port, or `base` plus its offset (`base` 0:
/// any free port for each).
pub fn addresses(roles: &Roles, ip: IpAddr, base: Option<u16>) -> BTreeMap<Role, SocketAddr> {
    roles
        .iter()
        .filter_map(|role| {
            let port = match base {
                Some(0) => 0,
                Some(base) => base.checked_add(role.port_offset()?)?,
                None => role.default_port()?,
            };
            Some((role, SocketAddr::new(ip, port)))
        })
        .collect()
}

/// What `start` started.
pub struct Running {
    /// The system behind the data-holding roles, when one of them runs here.
    pub state: Option<AppState>,
    /// Where each HTTP role listens (tfp: its health endpoint).
    pub addrs: BTreeMap<Role, SocketAddr>,
    pub stop: CancellationToken,
    servers: Vec<(Role, JoinHandle<std::io::Result<()>>)>,
    tasks: Vec<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
    drain_timeout: Duration,
}

impl Running {
    pub fn addr(&self, role: Role) -> Option<SocketAddr> {
        self.addrs.get(&role).copied()
    }

    /// Cancels the token (if the signal has not) and waits for every role to drain: the
    /// servers within their drain period, the workers within the drain timeout.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.stop.cancel();
        let servers =
            futures::future::join_all(self.servers.into_iter().map(|(role, task)| async move {
                match task.await {
                    Ok(Ok(())) => Ok(()),
                    Ok(Err(e)) => Err(anyhow::Error::new(e).context(format!("{role} stopped"))),
                    Err(e) => Err(anyhow::Error::new(e).context(format!("{role} panicked"))),
                }
            }));
        let tasks = futures::future::join_all(self.tasks);
        let workers = poller::drain(self.workers, self.drain_timeout);
        let (servers, _, ()) = tokio::join!(servers, tasks, workers);
        servers.into_iter().collect()
    }
}

/// What the plan opened, one slot per [`Need`].
#[derive(Default)]
struct Opened {
    adapters: Option<Adapters>,
    app: Option<App>,
    db: Option<Db>,
    cache: Option<Arc<dyn Cache>>,
}

impl Opened {
    /// Opens `need`; what it needs was opened before it (the plan's order).
    async fn open(&mut self, need: Need, config: Option<&Config>) -> anyhow::Result<()> {
        let config = || config.context("no store configuration was given");
        match need {
            Need::Adapters => self.adapters = Some(open_adapters(config()?).await?),
            Need::App => {
                let adapters = self.adapters.take().context("the adapters are not open")?;
                self.app = Some(App::open(&config()?.pipeline, adapters).await?);
            }
            Need::ServicesDb => self.db = Some(open::services_db(config()?).await?),
            Need::Cache => self.cache = Some(open::cache(config()?).await?),
            // Resolved as the frontend starts: this process's API, once it is bound, when it
            // runs here.
            Need::ApiUrl | Need::AdminApiUrl => {}
        }
        Ok(())
    }

    /// The HTTP roles' state, when the app, the services' tables and the cache are open.
    fn state(&mut self, http: &migrationai_api::Settings) -> Option<AppState> {
        match (self.app.take(), self.db.take(), self.cache.take()) {
            (Some(app), Some(db), Some(cache)) => Some(AppState::new(app, db, cache, http.clone())),
            (app, _, _) => {
                self.app = app;
                None
            }
        }
    }
}

/// Opens what `roles` need, in the plan's order, and starts them; they run until `stop` is
/// cancelled.
pub async fn start(
    mut settings: Settings,
    roles: &Roles,
    stop: CancellationToken,
) -> anyhow::Result<Running> {
    let plan = Plan::of(roles);
    // The operator `admin-api` creates, when the Terraform put its password in a secret.
    let admin = match (
        plan.roles.contains(&Role::AdminApi),
        &settings.http.admin,
        &settings.admin_secret,
        &settings.config,
    ) {
        (true, None, Some(secret), Some(config)) => Some(open::admin(config, secret).await?),
        _ => None,
    };
    if admin.is_some() {
        settings.http.admin = admin;
    }
    let config = || {
        settings
            .config
            .as_ref()
            .with_context(|| format!("roles {roles} need the store's configuration"))
    };
    // Opening the system is one at a time per data directory (`open::lock`).
    let lock = match plan.needs(Need::App) {
        true => Some(open::lock(&config()?.pipeline.data_dir).await?),
        false => None,
    };
    let mut opened = Opened::default();
    for need in &plan.needs {
        opened
            .open(*need, settings.config.as_ref())
            .await
            .with_context(|| format!("opening {}", need.name()))?;
    }
    drop(lock);
    let state = opened.state(&settings.http);
    let services: Option<Services> = match (&state, opened.app, opened.adapters) {
        (Some(state), _, _) => Some(state.app.services.clone()),
        (None, Some(app), _) => Some(app.services),
        (None, None, Some(adapters)) => settings
            .config
            .as_ref()
            .map(|config| adapters.into_services(&config.pipeline)),
        (None, None, None) => None,
    };
    let mut running = Running {
        state,
        addrs: BTreeMap::new(),
        stop,
        servers: Vec::new(),
        tasks: Vec::new(),
        workers: Vec::new(),
        drain_timeout: settings.worker.drain_timeout,
    };
    for role in plan.roles {
        start_role(role, &settings, services.as_ref(), &mut running)
            .await
            .with_context(|| format!("starting {role}"))?;
    }
    Ok(running)
}

async fn start_role(
    role: Role,
    settings: &Settings,
    services: Option<&Services>,
    running: &mut Running,
) -> anyhow::Result<()> {
    let stop = running.stop.clone();
    let state = || {
        running
            .state
            .clone()
            .context("the system was not opened for this role")
    };
    let secure = settings.http.secure_cookies;
    let router = match role {
        Role::Api => {
            let state = state()?;
            running
                .tasks
                .push(tokio::spawn(migrationai_api::records::invalidator(
                    state.clone(),
                    stop.clone(),
                )));
            migrationai_api::api::router(state)
        }
        Role::AdminApi => {
            let state = state()?;
            bootstrap_admin(&state).await?;
            running
                .tasks
                .push(tokio::spawn(migrationai_api::throughput::sampler(
                    state.clone(),
                    state.settings.throughput_every,
                    stop.clone(),
                )));
            migrationai_api::admin::router(state)
        }
        // The frontends reach the APIs over HTTP, as they do on AWS.
        Role::Web => {
            let url = backend_url(running, Role::Api, settings.backend_url.as_deref());
            migrationai_web::firm::router(Front::new(Backend::new(&url)?, &FIRM, secure))
        }
        Role::AdminWeb => {
            let url = backend_url(
                running,
                Role::AdminApi,
                settings.admin_backend_url.as_deref(),
            );
            migrationai_web::console::router(Front::new(Backend::new(&url)?, &CONSOLE, secure))
        }
        Role::Tfp => {
            let state = state()?;
            running.tasks.push(tokio::spawn(migrationai_api::tfp::run(
                state,
                settings.tfp_every,
                stop.clone(),
            )));
            let every = settings.tfp_every.as_millis();
            let Some(addr) = settings.listen.get(&role) else {
                println!("tfp polling every {every} ms");
                return Ok(());
            };
            // tfp serves only the load balancer's probe.
            let health = axum::Router::new().route(
                "/health",
                axum::routing::get(migrationai_api::api::system::health),
            );
            let bound = serve(running, role, *addr, health, &settings.http.serve).await?;
            println!("tfp polling every {every} ms; health on http://{bound}/health");
            return Ok(());
        }
        Role::Worker => {
            let services = services.context("the adapters were not opened for the worker")?;
            let config = settings
                .config
                .as_ref()
                .context("the worker needs the store's configuration")?;
            // The workers push the pages of a push too, with the credentials given.
            let services = open::delivering(config, services.clone(), settings.filevine.as_ref());
            let workers =
                poller::spawn(&services, &config.pipeline, &settings.worker, &stop).await?;
            running.workers.extend(workers);
            return Ok(());
        }
    };
    let addr = settings
        .listen
        .get(&role)
        .with_context(|| format!("no address to listen on for {role}"))?;
    let bound = serve(running, role, *addr, router, &settings.http.serve).await?;
    println!("{role} listening on http://{bound}");
    Ok(())
}

/// Binds `addr` and serves `router` until the stop token, keeping the task to drain.
async fn serve(
    running: &mut Running,
    role: Role,
    addr: SocketAddr,
    router: axum::Router,
    limits: &migrationai_api::serve::Limits,
) -> anyhow::Result<SocketAddr> {
    let (bound, task) =
        migrationai_api::serve::spawn_with(addr, router, running.stop.clone(), limits.clone())
            .await?;
    running.addrs.insert(role, bound);
    running.servers.push((role, task));
    Ok(bound)
}

/// The API a frontend calls: the one in this process when it runs here, else the
/// configured URL, else that API's default local address.
fn backend_url(running: &Running, api: Role, configured: Option<&str>) -> String {
    match (running.addr(api), configured) {
        (Some(local), _) => format!("http://{local}"),
        (None, Some(url)) => url.to_string(),
        (None, None) => format!("http://127.0.0.1:{}", api.default_port().unwrap_or(80)),
    }
}

/// Wires a process: starts `roles`, serves until `shutdown` (the caller's SIGTERM/SIGINT
/// token), drains, returns.
pub async fn run(
    settings: Settings,
    roles: &Roles,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let demo = settings.demo;
    let running = start(settings, roles, shutdown.clone()).await?;
    if demo {
        announce_demo(&running).await?;
    }
    shutdown.cancelled().await;
    running.stop().await
}

/// Seeds the demo firm and operator and says where everything is (`up`).
async fn announce_demo(running: &Running) -> anyhow::Result<()> {
    let state = running
        .state
        .as_ref()
        .context("the demo needs the API's roles")?;
    let (demo_pw, admin_pw) = seed_demo(state).await?;
    let at = |role: Role| {
        running
            .addr(role)
            .map_or_else(|| "(not running)".to_string(), |a| a.to_string())
    };
    println!("MigrationAI is up (data in {})", state.data_dir().display());
    println!("  firm web app   http://{}/", at(Role::Web));
    println!("  admin console  http://{}/", at(Role::AdminWeb));
    println!(
        "  backend API    http://{}/v1  (OpenAPI: http://{}/openapi.json)",
        at(Role::Api),
        at(Role::Api)
    );
    println!("  admin API      http://{}/admin/v1", at(Role::AdminApi));
    println!("  demo firm user {DEMO_EMAIL} / {demo_pw}");
    println!("  operator       {ADMIN_EMAIL} / {admin_pw}");
    println!("Ctrl-C (or SIGTERM) stops.");
    Ok(())
}

/// Runs the host on a multi-threaded runtime (the CLI's `main` is synchronous), with the
/// SIGTERM/SIGINT token installed inside it before anything opens.
pub fn run_blocking(settings: Settings, roles: &Roles) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let shutdown = crate::shutdown::on_signal()?;
            run(settings, roles, shutdown).await
        })
}
