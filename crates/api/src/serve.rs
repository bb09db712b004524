//! Binding and serving a role's router until shutdown, the same way for every role: security
//! headers on every answer, a time limit on reading a request's headers and on each stall of
//! its body, and a bound on open connections, so slow or half-open clients cannot hold a role.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutBody;

/// What a role allows its clients.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Time to send a request's headers, from the connection's first byte (or the end of
    /// the previous request).
    pub header_read: Duration,
    /// Longest pause between two pieces of a request body (an upload may take hours; it
    /// may not stall).
    pub body_idle: Duration,
    /// Connections served at once; more wait unaccepted in the listen queue.
    pub max_connections: usize,
    /// How long shutdown waits for requests in flight.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read: Duration::from_secs(10),
            body_idle: Duration::from_secs(60),
            max_connections: 1024,
            drain: Duration::from_secs(10),
        }
    }
}

/// The Content-Security-Policy of every answer: scripts and everything else from the role
/// itself only, never framed. Inline styles stay allowed for the report page's own style
/// sheet and the console's bar widths; inline scripts are not.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; connect-src 'self'; object-src 'none'; \
                   base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// HSTS, sent only off loopback: a browser told to insist on https for 127.0.0.1 would
/// refuse every plain-http local run afterwards.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The security headers every role answers with.
pub fn harden(router: Router, hsts: bool) -> Router {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let router = router
        .layer(set(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "no-referrer"));
    if hsts {
        router.layer(set(header::STRICT_TRANSPORT_SECURITY, HSTS))
    } else {
        router
    }
}

/// What is left of a request body after its answer is read off and dropped, up to this much;
/// a longer remainder ends the connection instead.
const DRAIN_BYTES: usize = 1 << 20;

/// A request's body, held both by the handler and by the connection's service. A handler
/// may answer without reading it (a refusal before an upload's body, say); the service then
/// reads the rest before the answer goes out. Left unread, hyper would close the connection
/// under a client still sending, which then sees no answer at all, or reuse a connection
/// the server has already closed.
#[derive(Clone)]
struct Shared(Arc<Mutex<Body>>);

impl Shared {
    fn new(
        body: impl HttpBody<Data = Bytes, Error: Into<axum::BoxError>> + Send + 'static,
    ) -> Self {
        Shared(Arc::new(Mutex::new(Body::new(body))))
    }

    /// Reads what the handler left, up to [`DRAIN_BYTES`]; whether the body ended.
    async fn read_to_end(&self) -> bool {
        let mut left = match self.0.lock() {
            Ok(mut body) => std::mem::take(&mut *body),
            Err(_) => return false,
        };
        let mut read = 0usize;
        while !left.is_end_stream() {
            match http_body_util::BodyExt::frame(&mut left).await {
                None => break,
                Some(Ok(frame)) => {
                    read += frame.data_ref().map_or(0, Bytes::len);
                    if read > DRAIN_BYTES {
                        return false;
                    }
                }
                Some(Err(_)) => return false,
            }
        }
        true
    }
}

impl HttpBody for Shared {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        match self.0.lock() {
            Ok(mut body) => Pin::new(&mut *body).poll_frame(cx),
            Err(_) => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.0.lock().map_or(true, |body| body.is_end_stream())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.0.lock().map_or_else(
            |_| http_body::SizeHint::with_exact(0),
            |body| body.size_hint(),
        )
    }
}

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
    spawn_with(addr, router, shutdown, Limits::default()).await
}

/// [`spawn`] with explicit limits.
pub async fn spawn_with(
    addr: SocketAddr,
    router: Router,
    shutdown: CancellationToken,
    limits: Limits,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| bind_error(addr, e))?;
    let bound = listener.local_addr()?;
    let router = harden(router, !bound.ip().is_loopback());
    let task = tokio::spawn(accept_loop(listener, router, shutdown, limits));
    Ok((bound, task))
}

async fn accept_loop(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
    limits: Limits,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    loop {
        let slot = tokio::select! {
            _ = shutdown.cancelled() => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let (app, body_idle) = (router.clone(), limits.body_idle);
        // Handlers see the peer as axum's ConnectInfo, as `into_make_service_with_connect_info`
        // would give it; a body that stalls longer than `body_idle` ends in an error.
        let service = tower::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let expects_continue = req.headers().contains_key(header::EXPECT);
            let (parts, incoming) = req.into_parts();
            let body = Shared::new(TimeoutBody::new(body_idle, incoming));
            let req = Request::from_parts(parts, axum::body::Body::new(body.clone()));
            let app = app.clone();
            async move {
                let mut answer = app.oneshot(req).await?;
                if !expects_continue && !body.read_to_end().await {
                    answer
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                Ok::<_, std::convert::Infallible>(answer)
            }
        });
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the drain period; closing them");
    }
    Ok(())
}
