//! Prometheus metrics: request counts and latency histograms per route, written in the
//! text exposition format by hand (no global registry).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

const BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    /// (route, method, status) → latency series.
    requests: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        if let Ok(mut m) = self.requests.lock() {
            let s = m
                .entry((route.to_string(), method.to_string(), status))
                .or_default();
            s.count += 1;
            s.sum += secs;
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    /// The request series in Prometheus text format.
    pub fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP migrationai_http_requests_total HTTP requests served."
        );
        let _ = writeln!(out, "# TYPE migrationai_http_requests_total counter");
        let Ok(m) = self.requests.lock() else { return };
        for ((route, method, status), s) in m.iter() {
            let _ = writeln!(
                out,
                "migrationai_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP migrationai_http_request_seconds HTTP request latency."
        );
        let _ = writeln!(out, "# TYPE migrationai_http_request_seconds histogram");
        for ((route, method, status), s) in m.iter() {
            let labels = format!("route=\"{route}\",method=\"{method}\",status=\"{status}\"");
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "migrationai_http_request_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "migrationai_http_request_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "migrationai_http_request_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "migrationai_http_request_seconds_count{{{labels}}} {}",
                s.count
            );
        }
    }
}

/// Middleware recording every request under its route pattern (never the raw path, which
/// would carry ids).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    state
        .metrics
        .observe(&route, &method, resp.status().as_u16(), start.elapsed());
    resp
}

/// The whole exposition: request series plus queue gauges.
pub async fn render(state: &AppState) -> String {
    let mut out = String::new();
    state.metrics.render(&mut out);
    if let Ok(rows) = state.app.queue_stats().await {
        let _ = writeln!(out, "# TYPE migrationai_queue_visible gauge");
        for r in &rows {
            let _ = writeln!(
                out,
                "migrationai_queue_visible{{queue=\"{}\"}} {}",
                r.kind, r.visible
            );
        }
        let _ = writeln!(out, "# TYPE migrationai_queue_in_flight gauge");
        for r in &rows {
            let _ = writeln!(
                out,
                "migrationai_queue_in_flight{{queue=\"{}\"}} {}",
                r.kind, r.in_flight
            );
        }
        let _ = writeln!(out, "# TYPE migrationai_dlq_depth gauge");
        for r in &rows {
            let _ = writeln!(
                out,
                "migrationai_dlq_depth{{queue=\"{}\"}} {}",
                r.kind, r.dlq_depth
            );
        }
    }
    if let Some(kib) = migrationai_pipeline::memory::peak_rss_kib() {
        let _ = writeln!(out, "# TYPE migrationai_peak_rss_bytes gauge");
        let _ = writeln!(out, "migrationai_peak_rss_bytes {}", kib * 1024);
    }
    out
}
