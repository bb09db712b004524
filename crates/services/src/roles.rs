//! Entry points of the roles, called by the CLI: each serves until SIGTERM or SIGINT (or the
//! token), then lets requests in flight finish within the drain period and returns.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use migrationai_processing::settings::ExposeSecret;
use migrationai_processing::shutdown::on_signal;
use migrationai_processing::Config;
use migrationai_web::kit::backend::Backend;
use migrationai_web::kit::{Front, CONSOLE, FIRM};
use tokio_util::sync::CancellationToken;

use crate::db::accounts::{ROLE_ADMIN, ROLE_MEMBER};
use crate::state::{AppState, Settings};

pub const DEMO_TENANT: &str = "demo";
pub const DEMO_EMAIL: &str = "demo@migrationai.local";
pub const ADMIN_TENANT: &str = "operators";
pub const ADMIN_EMAIL: &str = "admin@migrationai.local";

/// Creates the operator of the settings (`MIGRATIONAI_ADMIN_EMAIL` and `_PASSWORD`) when
/// they name one and the user does not exist yet.
pub async fn bootstrap_admin(state: &AppState) -> anyhow::Result<()> {
    let Some(admin) = &state.settings.admin else {
        return Ok(());
    };
    ensure_user(
        state,
        ADMIN_TENANT,
        "Operators",
        &admin.email,
        admin.password.expose_secret(),
        ROLE_ADMIN,
    )
    .await
}

async fn ensure_user(
    state: &AppState,
    tenant: &str,
    tenant_name: &str,
    email: &str,
    password: &str,
    role: &str,
) -> anyhow::Result<()> {
    state.db.create_tenant(tenant, tenant_name).await?;
    state
        .app
        .services
        .store
        .ensure_tenant(tenant, tenant_name)
        .await?;
    if state.db.user_by_email(email).await?.is_none() {
        crate::auth::create_user(state, tenant, email, password, role)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(())
}

/// The demo tenant and user, and an operator; the passwords are made once and kept in
/// `<data_dir>/demo-credentials.txt` (mode 0600, one labelled line each) so `up` can print
/// them again.
pub async fn seed_demo(state: &AppState) -> anyhow::Result<(String, String)> {
    let file = state.data_dir().join("demo-credentials.txt");
    let kept = std::fs::read_to_string(&file)
        .ok()
        .and_then(|text| read_credentials(&text));
    let (demo_pw, admin_pw) = match kept {
        Some(pair) => pair,
        None => {
            let pair = (
                crate::auth::token::random_id(8),
                crate::auth::token::random_id(8),
            );
            write_private(&file, &credentials_text(&pair.0, &pair.1))?;
            pair
        }
    };
    ensure_user(
        state,
        DEMO_TENANT,
        "Demo Law Firm",
        DEMO_EMAIL,
        &demo_pw,
        ROLE_MEMBER,
    )
    .await?;
    ensure_user(
        state,
        ADMIN_TENANT,
        "Operators",
        ADMIN_EMAIL,
        &admin_pw,
        ROLE_ADMIN,
    )
    .await?;
    Ok((demo_pw, admin_pw))
}

/// The credentials file: what each password signs in to, as `up` prints it.
fn credentials_text(demo_pw: &str, admin_pw: &str) -> String {
    format!(
        "# The sign-ins `migrationai up` made for this data directory (delete this file for new ones).\n\
         firm web app   {DEMO_EMAIL} {demo_pw}\n\
         admin console  {ADMIN_EMAIL} {admin_pw}\n"
    )
}

/// (demo password, operator password) from the credentials file: the password follows each
/// e-mail address. Files of older versions hold the two passwords alone, in that order.
fn read_credentials(text: &str) -> Option<(String, String)> {
    let after = |email: &str| {
        text.lines().find_map(|l| {
            let mut words = l.split_whitespace().skip_while(|w| *w != email);
            words.next()?;
            words.next().map(str::to_string)
        })
    };
    if let (Some(demo), Some(admin)) = (after(DEMO_EMAIL), after(ADMIN_EMAIL)) {
        return Some((demo, admin));
    }
    let mut bare = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    match (bare.next(), bare.next(), bare.next()) {
        (Some(d), Some(a), None) if !d.contains(' ') && !a.contains(' ') => {
            Some((d.to_string(), a.to_string()))
        }
        _ => None,
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(text.as_bytes())
}

/// Serves one role's router until `stop`, saying where it listens.
async fn serve(
    addr: SocketAddr,
    router: axum::Router,
    stop: CancellationToken,
    role: &str,
) -> anyhow::Result<()> {
    let (bound, task) = crate::serve::spawn(addr, router, stop).await?;
    println!("{role} listening on http://{bound}");
    task.await??;
    Ok(())
}

pub async fn api(config: &Config, settings: Settings, addr: SocketAddr) -> anyhow::Result<()> {
    let state = AppState::open(config, settings).await?;
    let stop = on_signal()?;
    tokio::spawn(crate::records::invalidator(state.clone(), stop.clone()));
    serve(addr, crate::api::router(state), stop, "api").await
}

pub async fn admin_api(
    config: &Config,
    settings: Settings,
    addr: SocketAddr,
) -> anyhow::Result<()> {
    let state = AppState::open(config, settings).await?;
    bootstrap_admin(&state).await?;
    let stop = on_signal()?;
    spawn_sampler(&state, &stop);
    serve(addr, crate::admin::router(state), stop, "admin-api").await
}

/// The firm web app: a frontend of the backend API at `backend_url`.
pub async fn web(backend_url: &str, secure_cookies: bool, addr: SocketAddr) -> anyhow::Result<()> {
    let front = Front::new(Backend::new(backend_url)?, &FIRM, secure_cookies);
    serve(
        addr,
        migrationai_web::firm::router(front),
        on_signal()?,
        "web",
    )
    .await
}

/// The admin console: a frontend of the admin API at `backend_url`.
pub async fn admin_web(
    backend_url: &str,
    secure_cookies: bool,
    addr: SocketAddr,
) -> anyhow::Result<()> {
    let front = Front::new(Backend::new(backend_url)?, &CONSOLE, secure_cookies);
    serve(
        addr,
        migrationai_web::console::router(front),
        on_signal()?,
        "admin-web",
    )
    .await
}

/// tfp polls for work; it also serves `/health` on `addr` for the load balancer's probe.
pub async fn tfp(
    config: &Config,
    settings: Settings,
    every: Duration,
    addr: SocketAddr,
) -> anyhow::Result<()> {
    let state = AppState::open(config, settings).await?;
    let stop = on_signal()?;
    let health =
        axum::Router::new().route("/health", axum::routing::get(crate::api::system::health));
    let (bound, server) = crate::serve::spawn(addr, health, stop.clone()).await?;
    println!(
        "tfp polling every {} ms; health on http://{bound}/health",
        every.as_millis()
    );
    crate::tfp::run(state, every, stop).await;
    server.await??;
    Ok(())
}

/// The throughput sampler of an admin role (several may run: see `throughput`).
fn spawn_sampler(state: &AppState, stop: &CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(crate::throughput::sampler(
        state.clone(),
        state.settings.throughput_every,
        stop.clone(),
    ))
}

/// What `up` started.
pub struct Running {
    pub state: AppState,
    pub api: SocketAddr,
    pub admin_api: SocketAddr,
    pub web: SocketAddr,
    pub admin_web: SocketAddr,
    pub stop: CancellationToken,
    pub tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// Every role in one process on `host` with ports `base`, `base+1`, `base+2`, `base+3`
/// (base 0: any free ports): API, admin API, web, admin web; plus tfp, the 13 workers and
/// the cache invalidator.
pub async fn start_all(
    config: &Config,
    settings: Settings,
    host: std::net::IpAddr,
    base: u16,
    stop: CancellationToken,
) -> anyhow::Result<Running> {
    let state = AppState::open(config, settings).await?;
    let port = |i: u16| if base == 0 { 0 } else { base + i };
    let limits = state.settings.serve.clone();
    let (api, t1) = crate::serve::spawn_with(
        (host, port(0)).into(),
        crate::api::router(state.clone()),
        stop.clone(),
        limits.clone(),
    )
    .await?;
    let (admin_api, t2) = crate::serve::spawn_with(
        (host, port(1)).into(),
        crate::admin::router(state.clone()),
        stop.clone(),
        limits.clone(),
    )
    .await?;
    // The frontends reach the APIs over HTTP, as they do on AWS.
    let secure = state.settings.secure_cookies;
    let (web, t3) = crate::serve::spawn_with(
        (host, port(2)).into(),
        migrationai_web::firm::router(Front::new(
            Backend::new(&format!("http://{api}"))?,
            &FIRM,
            secure,
        )),
        stop.clone(),
        limits.clone(),
    )
    .await?;
    let (admin_web, t4) = crate::serve::spawn_with(
        (host, port(3)).into(),
        migrationai_web::console::router(Front::new(
            Backend::new(&format!("http://{admin_api}"))?,
            &CONSOLE,
            secure,
        )),
        stop.clone(),
        limits.clone(),
    )
    .await?;
    let mut tasks: Vec<tokio::task::JoinHandle<()>> = [t1, t2, t3, t4]
        .into_iter()
        .map(|t| {
            tokio::spawn(async move {
                if let Ok(Err(e)) = t.await {
                    tracing::error!(error = %e, "server stopped");
                }
            })
        })
        .collect();
    tasks.push(tokio::spawn(crate::tfp::run(
        state.clone(),
        Duration::from_millis(250),
        stop.clone(),
    )));
    tasks.push(tokio::spawn(crate::records::invalidator(
        state.clone(),
        stop.clone(),
    )));
    tasks.push(spawn_sampler(&state, &stop));
    let workers = state.app.start_workers(&stop).await?;
    tasks.extend(workers);
    Ok(Running {
        state,
        api,
        admin_api,
        web,
        admin_web,
        stop,
        tasks,
    })
}

pub async fn up(
    config: &Config,
    settings: Settings,
    host: std::net::IpAddr,
    base: u16,
) -> anyhow::Result<()> {
    let stop = on_signal()?;
    let running = start_all(config, settings, host, base, stop.clone()).await?;
    let (demo_pw, admin_pw) = seed_demo(&running.state).await?;
    println!("MigrationAI is up (data in {})", config.data_dir.display());
    println!("  firm web app   http://{}/", running.web);
    println!("  admin console  http://{}/", running.admin_web);
    println!(
        "  backend API    http://{}/v1  (OpenAPI: http://{}/openapi.json)",
        running.api, running.api
    );
    println!("  admin API      http://{}/admin/v1", running.admin_api);
    println!("  demo firm user {DEMO_EMAIL} / {demo_pw}");
    println!("  operator       {ADMIN_EMAIL} / {admin_pw}");
    println!("Ctrl-C (or SIGTERM) stops.");
    stop.cancelled().await;
    for t in running.tasks {
        let _ = t.await;
    }
    Ok(())
}

/// Runs a role on a multi-threaded runtime (the CLI's `main` is synchronous).
pub fn run_blocking<F>(role: F) -> anyhow::Result<()>
where
    F: std::future::Future<Output = anyhow::Result<()>>,
{
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credentials_file_says_what_each_password_is_for() {
        let text = credentials_text("demo-pw", "admin-pw");
        let demo = text
            .lines()
            .find(|l| l.contains("demo-pw"))
            .expect("demo line");
        assert!(
            demo.contains("firm web app") && demo.contains(DEMO_EMAIL),
            "{text}"
        );
        let admin = text
            .lines()
            .find(|l| l.contains("admin-pw"))
            .expect("admin line");
        assert!(
            admin.contains("admin console") && admin.contains(ADMIN_EMAIL),
            "{text}"
        );
        assert_eq!(
            read_credentials(&text),
            Some(("demo-pw".into(), "admin-pw".into()))
        );
        // The unlabelled file of earlier versions still reads.
        assert_eq!(
            read_credentials("old-demo\nold-admin\n"),
            Some(("old-demo".into(), "old-admin".into()))
        );
        assert_eq!(read_credentials("garbled text here\n"), None);
    }
}
