//! The bearer token: a personal access token exchanged at the identity service's
//! `/connect/token` for a token of about 20 minutes, kept and exchanged again shortly before
//! it expires. One exchange at a time; every caller waiting for it gets its result.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use crate::error::FvError;
use crate::retry::Backoff;
use secrecy::{ExposeSecret, SecretString};

use crate::settings::Settings;
use crate::wire::identity::TokenResponse;

const OP: &str = "POST /connect/token";

struct Token {
    value: SecretString,
    refresh_at: Instant,
}

pub struct TokenSource {
    http: reqwest::Client,
    url: String,
    pat: SecretString,
    client_id: String,
    client_secret: SecretString,
    scopes: String,
    backoff: Backoff,
    current: Mutex<Option<Token>>,
    exchanges: AtomicU64,
}

impl TokenSource {
    pub fn new(http: reqwest::Client, settings: &Settings) -> TokenSource {
        TokenSource {
            http,
            url: format!(
                "{}/connect/token",
                settings.identity_url.as_str().trim_end_matches('/')
            ),
            pat: settings.pat.clone(),
            client_id: settings.client_id.clone(),
            client_secret: settings.client_secret.clone(),
            scopes: settings.scopes.clone(),
            backoff: Backoff::new(&settings.limits),
            current: Mutex::new(None),
            exchanges: AtomicU64::new(0),
        }
    }

    /// How many times the token has been exchanged.
    pub fn exchanges(&self) -> u64 {
        self.exchanges.load(Ordering::Relaxed)
    }

    /// A live bearer token, exchanged if there is none or it is about to expire.
    pub async fn bearer(&self) -> Result<SecretString, FvError> {
        let mut current = self.current.lock().await;
        if let Some(t) = current.as_ref() {
            if Instant::now() < t.refresh_at {
                return Ok(t.value.clone());
            }
        }
        let fresh = self.exchange().await?;
        let value = fresh.value.clone();
        *current = Some(fresh);
        Ok(value)
    }

    /// Forgets `stale` after the gateway refused it, unless it was already replaced.
    pub async fn invalidate(&self, stale: &SecretString) {
        let mut current = self.current.lock().await;
        if current
            .as_ref()
            .is_some_and(|t| t.value.expose_secret() == stale.expose_secret())
        {
            *current = None;
        }
    }

    async fn exchange(&self) -> Result<Token, FvError> {
        let form = [
            ("grant_type", "personal_access_token"),
            ("token", self.pat.expose_secret()),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("scope", self.scopes.as_str()),
        ];
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = Instant::now();
            let res = self.http.post(&self.url).form(&form).send().await;
            let retry_in = match res {
                Ok(res) if res.status().is_success() => {
                    let body: TokenResponse = res.json().await.map_err(|e| {
                        FvError::transient(
                            OP,
                            format!("the token answer did not arrive whole: {e}"),
                        )
                    })?;
                    self.exchanges.fetch_add(1, Ordering::Relaxed);
                    let lifetime = Duration::from_secs(body.expires_in);
                    // Exchange again a fifth of the lifetime (at most a minute) early, so a
                    // call never leaves with a token that expires on its way.
                    let margin = (lifetime / 5).min(Duration::from_secs(60));
                    return Ok(Token {
                        value: SecretString::from(body.access_token),
                        refresh_at: sent + lifetime.saturating_sub(margin),
                    });
                }
                Ok(res) => {
                    let status = res.status();
                    if status.as_u16() == 429 || status.is_server_error() {
                        crate::retry::retry_after(res.headers())
                            .unwrap_or(self.backoff.delay(attempt))
                    } else {
                        let text = res.text().await.unwrap_or_default();
                        let reason = serde_json::from_str::<serde_json::Value>(&text)
                            .ok()
                            .and_then(|v| {
                                let code = v.get("error")?.as_str()?.to_string();
                                let desc = v.get("error_description").and_then(|d| d.as_str());
                                Some(match desc {
                                    Some(d) => format!("{code}: {d}"),
                                    None => code,
                                })
                            })
                            .unwrap_or_else(|| status.to_string());
                        return Err(FvError::permanent(
                            OP,
                            format!(
                                "the identity service refused the credentials ({status}): {reason}"
                            ),
                        ));
                    }
                }
                Err(e) => {
                    if !(e.is_connect() || e.is_timeout() || e.is_request() || e.is_body()) {
                        return Err(FvError::permanent(OP, e.without_url().to_string()));
                    }
                    self.backoff.delay(attempt)
                }
            };
            if attempt >= self.backoff.attempts() {
                return Err(FvError::transient(
                    OP,
                    format!("the identity service did not answer after {attempt} attempts"),
                ));
            }
            tokio::time::sleep(retry_in).await;
        }
    }
}
