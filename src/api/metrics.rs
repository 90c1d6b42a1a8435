//! Request counts and latency histograms per route, for `GET /metrics` (OpenMetrics text,
//! which Prometheus scrapes).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of a request count.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

/// Labels of a latency histogram.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

/// Labels of a shadow comparison.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShadowLabels {
    route: String,
    challenger: String,
    outcome: String,
}

/// Builds a latency histogram: 50 µs to about 3 s in doubling buckets.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 17))
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    shadow: Family<ShadowLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Empty metrics, registered under the `pad_http_` prefix.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("pad_http");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let in_flight = Gauge::default();
        registry.register("requests", "Requests answered, by method, route and status code", requests.clone());
        registry.register(
            "request_duration_seconds",
            "Time from the request to its response, by method and route",
            latency.clone(),
        );
        registry.register("requests_in_flight", "Requests being answered", in_flight.clone());
        let shadow = Family::<ShadowLabels, Counter>::default();
        registry.register(
            "shadow_decisions",
            "Applicants the shadow challenger scored too, by route, challenger version and outcome: agree (the \
             same decision as the served model), disagree, or failed (the challenger could not score)",
            shadow.clone(),
        );
        Metrics { registry, requests, latency, in_flight, shadow }
    }

    /// Counts one answered request.
    pub fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let route = route.to_string();
        self.requests.get_or_create(&RequestLabels { method: method.to_string(), route: route.clone(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method: method.to_string(), route }).observe(seconds);
    }

    /// Counts one comparison of the shadow challenger with the served model.
    pub fn shadow(&self, route: &str, challenger: &str, outcome: &str) {
        let labels =
            ShadowLabels { route: route.to_string(), challenger: challenger.to_string(), outcome: outcome.to_string() };
        self.shadow.get_or_create(&labels).inc();
    }

    /// The metrics in OpenMetrics text.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Middleware: times each request and counts it under its route pattern (`/clients/{id}`,
/// never the id itself, so the label set stays small).
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    // Any token is a method to HTTP: only the standard ones become labels.
    let method = match request.method().as_str() {
        method @ ("GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS") => method,
        _ => "other",
    }
    .to_string();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_string();
    // Decremented on drop: a request given up (a client gone, a timeout) still leaves.
    let _in_flight = InFlight::enter(&metrics.in_flight);
    let response = next.run(request).await;
    metrics.record(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// One request counted in the in-flight gauge while it lives.
struct InFlight<'a>(&'a Gauge);

impl<'a> InFlight<'a> {
    fn enter(gauge: &'a Gauge) -> InFlight<'a> {
        gauge.inc();
        InFlight(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}
