//! The frontends' HTTP client of the backend APIs. A frontend holds no data of its own: every
//! page is built from calls made with the browser session's token, so tenant isolation and
//! authorisation are the API's, in one place.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use migrationai_api_types::error::ErrorBody;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;

use crate::error::WebError;

/// Response headers a relayed call keeps; hop-by-hop headers and the rest stay behind.
const RELAYED: &[&str] = &[
    "content-type",
    "content-disposition",
    "content-length",
    "cache-control",
    "upload-offset",
];

/// Characters kept as they are in a path segment; the rest is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A path from segments, each percent-encoded: ids and file names come from the browser.
pub fn path(segments: &[&str]) -> String {
    segments
        .iter()
        .map(|s| format!("/{}", utf8_percent_encode(s, SEGMENT)))
        .collect()
}

/// A path with the browser's query string passed on as it came (already encoded).
pub fn with_query(path: String, query: Option<&str>) -> String {
    match query {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path,
    }
}

#[derive(Clone)]
pub struct Backend {
    base: String,
    http: reqwest::Client,
}

impl Backend {
    /// A client of the API at `base` (`http://host:port` or `https://...`).
    pub fn new(base: &str) -> anyhow::Result<Backend> {
        let base = base.trim().trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base)
            .map_err(|e| anyhow::anyhow!("backend URL {base:?} is not a URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            anyhow::bail!("backend URL {base:?} must be http(s)://host[:port]");
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Backend { base, http })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// A call to `path` (with its query), authenticated by `token` when given.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let rb = self.http.request(method, format!("{}{path}", self.base));
        match token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    /// Sends a call; an answer other than 2xx becomes the matching error, with the API's
    /// message (which is safe to show: the API never puts internals in it).
    pub async fn send(&self, rb: reqwest::RequestBuilder) -> Result<reqwest::Response, WebError> {
        let resp = rb.send().await.map_err(unreachable)?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status();
        let message = resp
            .json::<ErrorBody>()
            .await
            .map(|b| b.message)
            .unwrap_or_else(|_| status.to_string());
        Err(error_for(status, message))
    }

    pub async fn json<T: DeserializeOwned>(
        &self,
        rb: reqwest::RequestBuilder,
    ) -> Result<T, WebError> {
        self.send(rb)
            .await?
            .json::<T>()
            .await
            .map_err(|e| WebError::internal(format!("the backend's answer is not readable: {e}")))
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str, token: &str) -> Result<T, WebError> {
        self.json(self.request(Method::GET, path, Some(token)))
            .await
    }

    /// Sends a call and hands the answer, whatever its status, to the browser as it streams
    /// in: downloads, reports and the upload script's JSON.
    pub async fn relay(&self, rb: reqwest::RequestBuilder) -> Response {
        match rb.send().await {
            Ok(resp) => relayed(resp),
            Err(e) => unreachable(e).into_response(),
        }
    }
}

fn relayed(resp: reqwest::Response) -> Response {
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let mut headers = Vec::new();
    for name in RELAYED {
        if let Some(v) = resp.headers().get(*name) {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_bytes(v.as_bytes()),
            ) {
                headers.push((n, v));
            }
        }
    }
    let mut out = Response::new(Body::from_stream(resp.bytes_stream()));
    *out.status_mut() = status;
    out.headers_mut().extend(headers);
    out
}

fn unreachable(e: reqwest::Error) -> WebError {
    tracing::error!(error = %e, "backend API not reachable");
    WebError::Unavailable("the backend API is not reachable; please try again shortly".into())
}

fn error_for(status: reqwest::StatusCode, message: String) -> WebError {
    WebError::from_backend(status.as_u16(), message)
}
