//! When to try a call again: exponential backoff with full jitter after a 5xx or a timeout,
//! and the server's own `Retry-After` after a 429.

use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use std::time::{Duration, SystemTime};

use crate::settings::Limits;

#[derive(Debug, Clone)]
pub struct Backoff {
    attempts: u32,
    base: Duration,
    max: Duration,
    max_retry_after: Duration,
}

impl Backoff {
    pub fn new(limits: &Limits) -> Backoff {
        Backoff {
            attempts: limits.attempts.max(1),
            base: limits.backoff,
            max: limits.max_backoff,
            max_retry_after: limits.max_retry_after,
        }
    }

    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The wait before attempt `attempt + 1`: uniformly random up to base × 2^(attempt-1),
    /// capped, so clients that failed together do not retry together.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max);
        let ceiling = exp.as_millis().max(1) as u64;
        Duration::from_millis(rand::thread_rng().gen_range(0..=ceiling))
    }

    /// Whether a `Retry-After` is short enough to wait out in this call.
    pub fn will_wait(&self, wait: Duration) -> bool {
        wait <= self.max_retry_after
    }
}

/// `Retry-After` as seconds or as an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let raw = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = raw.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(raw).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(30);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).expect("header"),
        );
        let wait = retry_after(&h).expect("date");
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn backoff_grows_and_stays_under_its_cap() {
        let b = Backoff::new(&Limits {
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(800),
            ..Limits::default()
        });
        for attempt in 1..20 {
            let cap = Duration::from_millis((100u64 << (attempt - 1).min(16)).min(800));
            assert!(b.delay(attempt) <= cap);
        }
    }
}
