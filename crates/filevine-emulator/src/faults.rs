//! Injected faults and request counting.

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Faults;
use crate::Shared;

/// The seeded generator that decides, request by request, which fault (if any) to inject.
pub struct Dice {
    faults: Faults,
    rng: ChaCha8Rng,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Roll {
    pub throttle: bool,
    pub error: bool,
    pub slow: Option<Duration>,
    pub drop: bool,
}

impl Dice {
    pub fn new(faults: Faults) -> Dice {
        Dice {
            rng: ChaCha8Rng::seed_from_u64(faults.seed),
            faults,
        }
    }

    pub fn roll(&mut self) -> Roll {
        let f = &self.faults;
        // Four draws every time, so one rate does not shift the sequence of another.
        let (a, b, c, d): (f64, f64, f64, f64) = (
            self.rng.gen(),
            self.rng.gen(),
            self.rng.gen(),
            self.rng.gen(),
        );
        Roll {
            throttle: a < f.throttle_rate,
            error: b < f.error_rate,
            slow: (c < f.slow_rate).then_some(f.slow_for),
            drop: d < f.drop_rate,
        }
    }

    pub fn retry_after(&self) -> u64 {
        self.faults.retry_after_secs
    }
}

/// Counts every request by its route template (unmatched paths as "unmatched").
pub async fn count(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let key = format!("{} {}", req.method(), route);
    {
        let mut stats = shared.stats();
        stats.requests += 1;
        *stats.by_route.entry(key).or_default() += 1;
    }
    next.run(req).await
}

/// Throttles, fails, slows or drops a request as the dice say.
pub async fn inject(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let (roll, retry_after) = {
        let mut dice = shared.dice();
        (dice.roll(), dice.retry_after())
    };
    if roll.throttle {
        shared.stats().throttled += 1;
        let mut res = (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json!({ "Message": "Rate limit exceeded. Try again later." })),
        )
            .into_response();
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&retry_after.to_string())
                .unwrap_or(HeaderValue::from_static("1")),
        );
        return res;
    }
    if roll.error {
        shared.stats().server_errors += 1;
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({ "Message": "An error has occurred." })),
        )
            .into_response();
    }
    if let Some(wait) = roll.slow {
        shared.stats().slowed += 1;
        tokio::time::sleep(wait).await;
    }
    let res = next.run(req).await;
    if roll.drop {
        shared.stats().dropped += 1;
        // The work is done; the answer never arrives whole. Hyper aborts the connection
        // when the body fails.
        let (mut parts, _) = res.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        let broken = futures::stream::once(async {
            Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("connection dropped"))
        });
        return Response::from_parts(parts, Body::from_stream(broken));
    }
    res
}
