//! The Filevine API gateway over HTTPS: every call with `Authorization: Bearer`,
//! `x-fv-orgid` and `x-fv-userid`; at most `concurrency` calls in flight for the tenant;
//! 429 waited out as `Retry-After` says; 5xx, timeouts and dropped connections retried with
//! jittered backoff when repeating the call is safe; other 4xx returned as a refusal with
//! Filevine's reason.

use async_trait::async_trait;
use base64::Engine;
use bytes::Bytes;
use md5::{Digest, Md5};
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use secrecy::ExposeSecret;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

use crate::auth::TokenSource;
use crate::error::{FvError, Refusal};
use crate::ops::{Call, Method};
use crate::retry::{retry_after, Backoff};
use crate::settings::Settings;
use crate::transport::Transport;

/// Counts since the gateway was made, for benches and progress (the target port's).
pub use migrationai_ports::target::CallStats as GatewayStats;

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    throttled: AtomicU64,
    server_errors: AtomicU64,
    broken: AtomicU64,
    uploads: AtomicU64,
    downloads: AtomicU64,
}

pub struct Gateway {
    http: reqwest::Client,
    base: String,
    org_id: HeaderValue,
    user_id: HeaderValue,
    token: TokenSource,
    limit: Arc<Semaphore>,
    backoff: Backoff,
    counters: Counters,
}

/// What one attempt came to.
enum Attempt {
    Done(Value),
    /// Not processed: safe to send again after the wait.
    Throttled(Option<std::time::Duration>),
    Unauthorized,
    /// Maybe processed: a 5xx.
    ServerError(String),
    /// Maybe processed: a timeout, an answer cut off.
    Broken(String),
    /// Never left: the connection could not be made.
    Unsent(String),
    Refused(Refusal),
    Permanent(String),
}

impl Gateway {
    pub fn new(settings: &Settings) -> Result<Gateway, FvError> {
        let http = reqwest::Client::builder()
            .timeout(settings.limits.timeout)
            .pool_max_idle_per_host(settings.limits.concurrency.max(1))
            .build()
            .map_err(|e| FvError::permanent("client", e.to_string()))?;
        let header = |v: i64| {
            HeaderValue::from_str(&v.to_string())
                .map_err(|e| FvError::permanent("client", e.to_string()))
        };
        Ok(Gateway {
            token: TokenSource::new(http.clone(), settings),
            base: settings
                .gateway_url
                .as_str()
                .trim_end_matches('/')
                .to_string(),
            org_id: header(settings.org_id)?,
            user_id: header(settings.user_id)?,
            limit: Arc::new(Semaphore::new(settings.limits.concurrency.max(1))),
            backoff: Backoff::new(&settings.limits),
            counters: Counters::default(),
            http,
        })
    }

    pub fn stats(&self) -> GatewayStats {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        GatewayStats {
            requests: get(&c.requests),
            retries: get(&c.retries),
            throttled: get(&c.throttled),
            server_errors: get(&c.server_errors),
            broken: get(&c.broken),
            token_exchanges: self.token.exchanges(),
            uploads: get(&c.uploads),
            downloads: get(&c.downloads),
        }
    }

    /// One attempt of a call, holding one of the tenant's permits while it is in flight.
    async fn attempt(&self, call: &Call, url: &reqwest::Url) -> Result<Attempt, FvError> {
        let bearer = self.token.bearer().await?;
        let _permit = self
            .limit
            .acquire()
            .await
            .map_err(|e| FvError::permanent("client", e.to_string()))?;
        let method = match call.op.method() {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", bearer.expose_secret()))
            .map_err(|_| FvError::permanent("client", "the bearer token is not a valid header"))?;
        auth.set_sensitive(true);
        let mut req = self
            .http
            .request(method, url.clone())
            .header(AUTHORIZATION, auth)
            .header("x-fv-orgid", self.org_id.clone())
            .header("x-fv-userid", self.user_id.clone())
            .header("accept", "application/json");
        if let Some(body) = &call.body {
            req = req.json(body);
        }
        self.counters.requests.fetch_add(1, Ordering::Relaxed);
        let broken = |reason: String| {
            self.counters.broken.fetch_add(1, Ordering::Relaxed);
            Ok(Attempt::Broken(reason))
        };
        let res = match req.send().await {
            Ok(res) => res,
            Err(e) if e.is_connect() => {
                self.counters.broken.fetch_add(1, Ordering::Relaxed);
                return Ok(Attempt::Unsent(e.without_url().to_string()));
            }
            Err(e) if e.is_timeout() || e.is_request() || e.is_body() => {
                return broken(e.without_url().to_string())
            }
            Err(e) => return Ok(Attempt::Permanent(e.without_url().to_string())),
        };
        let status = res.status();
        if status.as_u16() == 429 {
            self.counters.throttled.fetch_add(1, Ordering::Relaxed);
            return Ok(Attempt::Throttled(retry_after(res.headers())));
        }
        if status.as_u16() == 401 {
            self.token.invalidate(&bearer).await;
            return Ok(Attempt::Unauthorized);
        }
        let bytes = match res.bytes().await {
            Ok(b) => b,
            Err(e) => return broken(format!("the answer was cut off: {}", e.without_url())),
        };
        if status.is_success() {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Attempt::Done(Value::Null));
            }
            return Ok(match serde_json::from_slice(&bytes) {
                Ok(v) => Attempt::Done(v),
                Err(e) => Attempt::Permanent(format!("the answer is not JSON: {e}")),
            });
        }
        if status.is_server_error() {
            self.counters.server_errors.fetch_add(1, Ordering::Relaxed);
            return Ok(Attempt::ServerError(format!(
                "{status}: {}",
                reason(&bytes, status)
            )));
        }
        if status.is_client_error() {
            return Ok(Attempt::Refused(Refusal {
                field: None,
                code: format!("filevine_{}", status.as_u16()),
                reason: reason(&bytes, status),
                status: Some(status.as_u16()),
                op: Some(call.op),
            }));
        }
        Ok(Attempt::Permanent(format!("unexpected status {status}")))
    }
}

/// Filevine's reason from an error body: its message property, else the text, else the
/// status's name.
fn reason(bytes: &[u8], status: reqwest::StatusCode) -> String {
    if let Ok(v) = serde_json::from_slice::<Value>(bytes) {
        for key in [
            "Message",
            "message",
            "error_description",
            "detail",
            "title",
            "error",
        ] {
            if let Some(m) = v
                .get(key)
                .and_then(Value::as_str)
                .filter(|m| !m.trim().is_empty())
            {
                return m.trim().to_string();
            }
        }
    }
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text.chars().take(500).collect()
    }
}

#[async_trait]
impl Transport for Gateway {
    async fn call(&self, call: Call) -> Result<Value, FvError> {
        let op = call.op.to_string();
        let path = call.path().map_err(|e| FvError::permanent(op.clone(), e))?;
        let mut url = reqwest::Url::parse(&format!("{}{}", self.base, path))
            .map_err(|e| FvError::permanent(op.clone(), e.to_string()))?;
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(call.query.iter());
        }
        let mut attempt = 0u32;
        let mut reauthorized = false;
        loop {
            attempt += 1;
            let wait = match self.attempt(&call, &url).await? {
                Attempt::Done(v) => return Ok(v),
                Attempt::Refused(r) => return Err(FvError::Refused(r)),
                Attempt::Permanent(reason) => return Err(FvError::permanent(op, reason)),
                Attempt::Unauthorized if !reauthorized => {
                    // The token died early (revoked, clock skew): exchange once more.
                    reauthorized = true;
                    attempt -= 1;
                    continue;
                }
                Attempt::Unauthorized => {
                    return Err(FvError::permanent(
                        op,
                        "the gateway refused a freshly exchanged bearer token (401)",
                    ))
                }
                Attempt::Throttled(after) => {
                    let wait = after.unwrap_or_else(|| self.backoff.delay(attempt));
                    if !self.backoff.will_wait(wait) {
                        return Err(FvError::transient(
                            op,
                            format!("throttled (429) with Retry-After {}s", wait.as_secs()),
                        ));
                    }
                    wait
                }
                Attempt::Unsent(reason) => {
                    if attempt >= self.backoff.attempts() {
                        return Err(FvError::transient(op, reason));
                    }
                    self.backoff.delay(attempt)
                }
                Attempt::ServerError(reason) | Attempt::Broken(reason)
                    if !call.op.idempotent() || attempt >= self.backoff.attempts() =>
                {
                    return Err(FvError::transient(op, reason));
                }
                Attempt::ServerError(_) | Attempt::Broken(_) => self.backoff.delay(attempt),
            };
            if attempt >= self.backoff.attempts() {
                return Err(FvError::transient(
                    op,
                    format!("gave up after {attempt} attempts"),
                ));
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
        }
    }

    async fn upload(&self, url: &str, content_type: &str, bytes: Bytes) -> Result<(), FvError> {
        const OP: &str = "PUT upload URL";
        let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(&bytes));
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.counters.uploads.fetch_add(1, Ordering::Relaxed);
            // A pre-signed URL carries its own authorisation: no bearer token here.
            let res = self
                .http
                .put(url)
                .header(CONTENT_TYPE, content_type)
                .header("content-md5", md5.as_str())
                .body(bytes.clone())
                .send()
                .await;
            let failure = match res {
                Ok(res) if res.status().is_success() => return Ok(()),
                Ok(res) => {
                    let status = res.status();
                    let text = res.text().await.unwrap_or_default();
                    if status.is_client_error() {
                        // BadDigest means the bytes changed on the way; an expired URL
                        // needs a new one. Either way the next delivery starts over.
                        return Err(FvError::transient(
                            OP,
                            format!("{status}: {}", text.chars().take(300).collect::<String>()),
                        ));
                    }
                    format!("{status}")
                }
                Err(e) => e.without_url().to_string(),
            };
            if attempt >= self.backoff.attempts() {
                return Err(FvError::transient(OP, failure));
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(self.backoff.delay(attempt)).await;
        }
    }

    async fn download(&self, url: &str) -> Result<Bytes, FvError> {
        const OP: &str = "GET download URL";
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.counters.downloads.fetch_add(1, Ordering::Relaxed);
            let failure = match self.http.get(url).send().await {
                Ok(res) if res.status().is_success() => match res.bytes().await {
                    Ok(b) => return Ok(b),
                    Err(e) => e.without_url().to_string(),
                },
                Ok(res) if res.status().is_client_error() => {
                    return Err(FvError::transient(OP, format!("{}", res.status())))
                }
                Ok(res) => format!("{}", res.status()),
                Err(e) => e.without_url().to_string(),
            };
            if attempt >= self.backoff.attempts() {
                return Err(FvError::transient(OP, failure));
            }
            self.counters.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(self.backoff.delay(attempt)).await;
        }
    }
}
