//! The one source of the shutdown signal for every long-running role (HTTP roles, tfp, the
//! poller, the Lambda bootstrap): SIGTERM, which `docker stop`, ECS and CodeDeploy send to
//! the binary running as PID 1, and SIGINT (Ctrl-C).

use tokio_util::sync::CancellationToken;

/// A token cancelled by the first SIGTERM or SIGINT. The handlers are installed before this
/// returns, so a signal that arrives at any later moment stops the role gracefully instead
/// of killing the process (the default action). Call it inside a Tokio runtime.
pub fn on_signal() -> std::io::Result<CancellationToken> {
    let token = CancellationToken::new();
    let cancel = token.clone();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        tokio::spawn(async move {
            let name = tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            };
            tracing::info!(signal = name, "shutting down");
            cancel.cancel();
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!(signal = "Ctrl-C", "shutting down");
            cancel.cancel();
        }
    });
    Ok(token)
}
