//! Prometheus metrics: requests by route and status, request latency, and
//! jobs by state (read from the queue at scrape time).

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Counters kept in memory by this process.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Series>>,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let s = m.entry(route.to_owned()).or_default();
            s.count += 1;
            s.sum += seconds;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    /// The Prometheus text exposition of the in-memory series, plus `jobs`.
    pub fn render(&self, jobs: &[(&str, i64)]) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP convene_http_requests_total HTTP requests answered, by route and status.\n",
        );
        out.push_str("# TYPE convene_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "convene_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP convene_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE convene_http_request_duration_seconds histogram\n");
        if let Ok(m) = self.latency.lock() {
            for (route, s) in m.iter() {
                let route = escape(route);
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "convene_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                        s.buckets[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "convene_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    s.count
                );
                let _ = writeln!(
                    out,
                    "convene_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    s.sum
                );
                let _ = writeln!(
                    out,
                    "convene_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    s.count
                );
            }
        }
        out.push_str("# HELP convene_jobs Jobs in the durable queue, by state.\n");
        out.push_str("# TYPE convene_jobs gauge\n");
        for (state, n) in jobs {
            let _ = writeln!(out, "convene_jobs{{state=\"{state}\"}} {n}");
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The method's label: one of a closed set, so a client inventing methods
/// cannot create new series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Records each request under its method's label and its route pattern
/// (never the raw path, so tokens in URLs stay out of metrics and the
/// series stay few; a path no route matches counts as `unmatched`).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(req).await;
    state.metrics.record(
        method,
        &route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}
