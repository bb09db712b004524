//! Binding and serving a role's router until shutdown.

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Why `addr` cannot be listened on, with the address and how to choose another.
fn bind_error(addr: SocketAddr, e: std::io::Error) -> std::io::Error {
    let why = match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "the port is in use (by another program, or another `migrationai up`)".to_string()
        }
        std::io::ErrorKind::PermissionDenied => "this user may not listen on that port".into(),
        _ => e.to_string(),
    };
    std::io::Error::new(
        e.kind(),
        format!(
            "cannot listen on {addr}: {why}; choose another with --port (up: the first of four ports) or --listen (one role)"
        ),
    )
}

/// Binds `addr` (port 0: any free port) and returns the bound address with the serving task.
pub async fn spawn(
    addr: SocketAddr,
    router: Router,
    shutdown: CancellationToken,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| bind_error(addr, e))?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await
    });
    Ok((bound, task))
}
