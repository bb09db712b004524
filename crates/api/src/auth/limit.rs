//! Sign-in rate limits: per client address (attempts per window) and per account (failed
//! attempts, then a lockout window). The counters live behind the `Cache` port, so every API
//! instance shares them when the cache is Redis. A lockout is also written to the services
//! database, for the admin console, and to the audit log.
//!
//! The cache is best effort: when it fails, sign-in goes on unlimited (and says so in the log)
//! rather than locking every user out.

use std::net::IpAddr;
use std::time::Duration;

use bytes::Bytes;
use migrationai_api_types::client::ClientAddr;
use migrationai_ports::cache::Cache;
use sha2::{Digest, Sha256};

use crate::db::now;
use crate::error::ApiError;
use crate::state::AppState;

/// How hard sign-in is limited.
#[derive(Debug, Clone)]
pub struct SignInLimits {
    /// Attempts one client address may make per `address_window`.
    pub address_attempts: u64,
    pub address_window: Duration,
    /// Failed attempts on one account within `lockout` that lock it for `lockout`.
    pub account_failures: u64,
    pub lockout: Duration,
}

impl Default for SignInLimits {
    fn default() -> Self {
        SignInLimits {
            address_attempts: 20,
            address_window: Duration::from_secs(60),
            account_failures: 5,
            lockout: Duration::from_secs(15 * 60),
        }
    }
}

fn account_key(email: &str) -> String {
    hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes()))
}

fn too_many(what: &str, retry_after: u64) -> ApiError {
    let minutes = retry_after.div_ceil(60).max(1);
    ApiError::TooManyRequests {
        message: format!("too many sign-in attempts {what}; try again in {minutes} minute(s)"),
        retry_after,
    }
}

/// A refused attempt: whose limit, and the seconds until it lifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Account { retry_after: u64 },
    Address { retry_after: u64 },
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        match r {
            Refusal::Account { retry_after } => too_many("for this account", retry_after),
            Refusal::Address { retry_after } => too_many("from this address", retry_after),
        }
    }
}

/// The counting, on any cache: in process, or Redis shared by every instance.
pub struct Limiter<'a> {
    pub cache: &'a dyn Cache,
    pub limits: &'a SignInLimits,
}

impl Limiter<'_> {
    /// Refuses an attempt on a locked account or from an address over its limit; otherwise
    /// counts it against the address.
    pub async fn check(&self, email: &str, from: IpAddr, at: i64) -> Result<(), Refusal> {
        let lock = format!("signin:lock:{}", account_key(email));
        match self.cache.get(&lock).await {
            Ok(Some(until)) => {
                let until: i64 = std::str::from_utf8(&until)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                if until > at {
                    return Err(Refusal::Account {
                        retry_after: (until - at) as u64,
                    });
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "sign-in limits unavailable (cache)"),
        }
        let window = self.limits.address_window.as_secs().max(1) as i64;
        let bucket = at / window;
        let key = format!("signin:addr:{from}:{bucket}");
        match self.cache.incr(&key, self.limits.address_window).await {
            Ok(n) if n > self.limits.address_attempts => Err(Refusal::Address {
                retry_after: ((bucket + 1) * window - at).max(1) as u64,
            }),
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "sign-in limits unavailable (cache)");
                Ok(())
            }
        }
    }

    /// Counts a failure against the account; the failure that reaches the limit locks it
    /// and returns (locked until, failures).
    pub async fn failed(&self, email: &str, at: i64) -> Option<(i64, u64)> {
        let key = account_key(email);
        let failures = match self
            .cache
            .incr(&format!("signin:fail:{key}"), self.limits.lockout)
            .await
        {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "sign-in limits unavailable (cache)");
                return None;
            }
        };
        if failures != self.limits.account_failures {
            return None;
        }
        let until = at + self.limits.lockout.as_secs() as i64;
        let lock = format!("signin:lock:{key}");
        if let Err(e) = self
            .cache
            .set(&lock, Bytes::from(until.to_string()), self.limits.lockout)
            .await
        {
            tracing::warn!(error = %e, "cannot record a sign-in lockout (cache)");
        }
        Some((until, failures))
    }

    /// Clears the account's failures after a successful sign-in.
    pub async fn succeeded(&self, email: &str) {
        let key = format!("signin:fail:{}", account_key(email));
        if let Err(e) = self.cache.delete(&key).await {
            tracing::warn!(error = %e, "sign-in limits unavailable (cache)");
        }
    }
}

fn limiter(state: &AppState) -> Limiter<'_> {
    Limiter {
        cache: state.cache.as_ref(),
        limits: &state.settings.sign_in,
    }
}

/// Checks the limits before a password is verified.
pub async fn before_attempt(
    state: &AppState,
    email: &str,
    from: ClientAddr,
) -> Result<(), ApiError> {
    Ok(limiter(state).check(email, from.0, now()).await?)
}

/// Counts a failed attempt; a lockout it causes is recorded for the console and audited.
pub async fn after_failure(
    state: &AppState,
    email: &str,
    from: ClientAddr,
) -> Result<(), ApiError> {
    let Some((until, failures)) = limiter(state).failed(email, now()).await else {
        return Ok(());
    };
    let email = email.trim().to_lowercase();
    state
        .db
        .record_lockout(&email, until, failures as i64, &from.0.to_string())
        .await?;
    state
        .db
        .audit(
            "sign-in limits",
            "account_locked",
            &email,
            &format!(
                "{failures} failed sign-ins (the last from {}); locked until {until} (unix time)",
                from.0
            ),
        )
        .await?;
    tracing::warn!(address = %from.0, "an account was locked after failed sign-ins");
    Ok(())
}

/// Clears the account's failures after a successful sign-in.
pub async fn after_success(state: &AppState, email: &str) {
    limiter(state).succeeded(email).await;
}
