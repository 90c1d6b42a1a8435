//! The scoring API (`pad serve`): axum on tokio, JSON in and out, over the same
//! [`Scorer`](crate::scoring::Scorer) as the dashboard, so a client gets bit-identical
//! probabilities and contributions in process and over HTTP.
//!
//! [`router`] builds the whole application from an [`AppState`] without a socket (tests call
//! it with `oneshot`); [`serve`] binds it and shuts down gracefully on Ctrl-C or SIGTERM.
//! A request goes through: request id (`x-request-id`, kept from the client or made up) →
//! tracing span with the method, matched route and id → metrics → timeout → body limit →
//! caller and role ([`auth`], every route but `/health`) → handler. Scorer work runs on the blocking pool,
//! at most `--concurrency` pieces at once ([`AppState::blocking`]). Every failure is an
//! [`ApiError`] with a JSON body.
//!
//! Uses: scoring, domain, drift and fairness (the reports' types), journal, config, error. Only this module imports axum.

pub mod auth;
pub mod dto;
pub mod error;
pub mod metrics;
pub mod routes;
pub mod shadow;
pub mod state;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::ApiError;
pub use state::{AppState, Limits, Token};

/// Most connections open at once (well below the usual limit of 1024 open files).
pub const MAX_CONNECTIONS: usize = 512;

/// How long stopping waits for scorer work still running after the last answer.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The header carrying the request id.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The header naming the model version behind every answer, so that a client notices a
/// swapped model (see `pad serve --poll`) on its next request, whatever the route.
pub const MODEL_VERSION_HEADER: &str = "pad-model-version";

/// The whole API over `state`: every route with its layers. Pure: no socket.
pub fn router(state: AppState) -> Router {
    let protected = Router::new()
        .merge(routes::model::router())
        .merge(routes::clients::router())
        .merge(routes::scoring::router())
        .merge(routes::features::router())
        .merge(routes::portfolio::router())
        .merge(routes::decisions::router())
        .merge(routes::cases::router())
        .merge(routes::evidence::router())
        .merge(routes::docs::router())
        .route("/metrics", get(metrics_route))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth::authenticate));
    let limits = state.limits;
    let timeout_seconds = limits.timeout.as_secs().max(1);
    // A version that is no header value (a card may say anything) is left out.
    let version = axum::http::HeaderValue::from_str(state.model_version()).ok().map(|value| {
        tower_http::set_header::SetResponseHeaderLayer::overriding(HeaderName::from_static(MODEL_VERSION_HEADER), value)
    });
    Router::new()
        .merge(routes::health::router())
        .merge(protected)
        .fallback(unknown_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(tower::util::option_layer(version))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, Counter::default()))
                .layer(TraceLayer::new_for_http().make_span_with(request_span).on_response(
                    DefaultOnResponse::new().level(Level::DEBUG).latency_unit(tower_http::LatencyUnit::Micros),
                ))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(|_| ApiError::Internal("a handler panicked".into()).into_response()))
                .layer(middleware::from_fn_with_state(std::sync::Arc::clone(&state.metrics), metrics::track))
                .layer(HandleErrorLayer::new(move |error: tower::BoxError| async move {
                    if error.is::<tower::timeout::error::Elapsed>() {
                        ApiError::Timeout(timeout_seconds)
                    } else {
                        ApiError::Internal(error.to_string())
                    }
                }))
                .layer(tower::timeout::TimeoutLayer::new(limits.timeout)),
        )
        .with_state(state)
}

/// The router answering now. A model swap replaces it whole: each request is answered by
/// the router current when it arrived, so by one model from start to end, and names it.
#[derive(Clone)]
pub struct LiveRouter(Arc<std::sync::RwLock<Router>>);

impl LiveRouter {
    /// Answers with `router` until [`LiveRouter::replace`].
    pub fn new(router: Router) -> LiveRouter {
        LiveRouter(Arc::new(std::sync::RwLock::new(router)))
    }

    /// The router for the next request.
    pub fn current(&self) -> Router {
        match self.0.read() {
            Ok(router) => router.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Answers the next requests with `router`; requests under way finish on the old one.
    pub fn replace(&self, router: Router) {
        match self.0.write() {
            Ok(mut current) => *current = router,
            Err(poisoned) => *poisoned.into_inner() = router,
        }
    }
}

/// Loads the model and data, listens on `config.addr` and answers until Ctrl-C or SIGTERM;
/// requests under way are finished first (each is bounded by the timeout). Each scorer that
/// arrives on `swaps` replaces the one served, atomically (see [`LiveRouter`]).
pub fn serve(
    config: &crate::config::ServeConfig,
    swaps: Option<tokio::sync::mpsc::Receiver<Arc<dyn crate::scoring::Scorer>>>,
    shadow: Option<Arc<dyn crate::scoring::Scorer>>,
) -> Result<()> {
    let started = std::time::Instant::now();
    let scorer = crate::scoring::LocalScorer::load(&config.sources)?;
    for warning in &crate::scoring::Scorer::info(&scorer).warnings {
        tracing::warn!("{warning}");
    }
    let mut state = AppState::new(Arc::new(scorer), config.token.as_deref().map(Token::new), config.limits)
        .with_service_name(&config.service_name);
    if let Some(challenger) = shadow {
        let shadow = shadow::Shadow::new(challenger);
        tracing::info!(challenger = shadow.version(), "scoring with a shadow challenger");
        state = state.with_shadow(shadow);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start tokio")?;
    runtime.block_on(async {
        let journal = crate::journal::Journal::open(&config.journal)
            .await
            .with_context(|| format!("cannot open the decision journal {}", config.journal))?;
        tracing::info!(journal = %config.journal, "recording decisions");
        let users =
            journal.has_users().await.with_context(|| format!("cannot read the users of {}", config.journal))?;
        if config.token.is_some() {
            refuse_service_name_of_a_user(&journal, &config.service_name).await?;
        }
        if !users && config.exposed_without_token {
            return Err(crate::error::ConfigError::ExposedWithoutToken(config.addr).into());
        }
        if !users && config.token.is_none() {
            tracing::warn!(
                "no PAD_API_TOKEN and no user in the journal: every caller is an unnamed admin; add users with \
                 `pad users add NAME --role rm --journal {}`",
                config.journal
            );
        }
        if let Some(checkpoints) = &config.checkpoints {
            tokio::spawn(sign_checkpoints(journal.clone(), checkpoints.clone()));
        }
        let state = state.with_journal(journal);
        let shutdown = shutdown_signal().context("cannot watch for Ctrl-C and SIGTERM")?;
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let local = listener.local_addr().context("cannot read the bound address")?;
        tracing::info!(
            address = %local,
            model_version = state.model_version(),
            token = config.token.is_some(),
            "listening on http://{local} (loaded in {:.1?})",
            started.elapsed()
        );
        let header_timeout = state.limits.header_timeout;
        let live = LiveRouter::new(router(state.clone()));
        if let Some(mut swaps) = swaps {
            let live = live.clone();
            tokio::spawn(async move {
                let mut serving = state.model_version().to_string();
                while let Some(scorer) = swaps.recv().await {
                    let next = state.successor(scorer);
                    tracing::info!(from = %serving, to = next.model_version(), "model swapped");
                    serving = next.model_version().to_string();
                    live.replace(router(next));
                }
            });
        }
        serve_connections(listener, live, header_timeout, shutdown).await;
        Ok::<(), anyhow::Error>(())
    })?;
    // Work on the blocking pool that a timeout gave up on may still run; it is not waited for
    // longer than this.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    tracing::info!("stopped");
    Ok(())
}

/// Signs a checkpoint of the journal at start and then every `checkpoints.every` when the
/// journal grew since the latest checkpoint it keeps (several servers sharing a journal may
/// each sign one: they are checkpoints of the same tree). A failure is logged and tried again
/// at the next tick.
async fn sign_checkpoints(journal: crate::journal::Journal, checkpoints: crate::config::Checkpointing) {
    let mut ticks = tokio::time::interval(checkpoints.every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let latest = match journal.latest_checkpoint().await {
            Ok(latest) => latest.and_then(|text| crate::journal::evidence::note::SignedCheckpoint::parse(&text).ok()),
            Err(error) => {
                tracing::error!(%error, "cannot read the latest checkpoint");
                continue;
            }
        };
        let head = match journal.extend_tree().await {
            Ok(size) => size,
            Err(error) => {
                tracing::error!(%error, "cannot extend the journal's tree; no checkpoint signed");
                continue;
            }
        };
        if latest.is_some_and(|latest| latest.checkpoint.size == head && latest.checkpoint.origin == checkpoints.origin)
        {
            continue;
        }
        match journal.checkpoint(&checkpoints.signer, &checkpoints.origin).await {
            Ok(signed) => tracing::info!(tree_size = signed.checkpoint.size, "checkpoint signed"),
            Err(error) => tracing::error!(%error, "cannot sign a checkpoint"),
        }
    }
}

/// Refuses a service account named as a user of `journal`, or as a name that can be mistaken
/// for one: its records would read as theirs.
async fn refuse_service_name_of_a_user(journal: &crate::journal::Journal, service_name: &str) -> Result<()> {
    let users = journal.users().await.context("cannot read the users of the journal")?;
    let names = users.iter().map(|user| user.name.as_str());
    let taken = names
        .clone()
        .find(|name| *name == service_name)
        .or_else(|| crate::journal::confusable_with(service_name, names));
    match taken {
        Some(user) => anyhow::bail!(
            "the service account (PAD_API_TOKEN) is named {service_name}, which reads as the user {user}: what it \
             records would look like theirs; start with --service-name NAME (a name no user has)"
        ),
        None => Ok(()),
    }
}

/// Accepts connections until `shutdown`, then lets the open ones finish the requests under way.
///
/// A connection must deliver a request header within `header_timeout` of starting to wait for
/// one (when it opens, and again after each answer while it is kept alive), else hyper closes
/// it: a client that connects and sends nothing, sends a header byte by byte, or keeps an idle
/// connection, holds a socket for that long at most. At most [`MAX_CONNECTIONS`] are open at
/// once; more wait in the listening socket's queue. (`axum::serve` gives hyper no timer, so it
/// can set no header timeout: hence this loop.)
pub async fn serve_connections(
    listener: tokio::net::TcpListener,
    app: LiveRouter,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let (stop, stopping) = tokio::sync::watch::channel(());
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, or a connection gone before it was accepted:
                    // wait a little rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let live = app.clone();
        let service = tower::service_fn(move |request: axum::http::Request<hyper::body::Incoming>| {
            let router = live.current();
            async move { tower::ServiceExt::oneshot(router, request).await }
        });
        let service = hyper_util::service::TowerToHyperService::new(service);
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let _permit = permit;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%error, "connection closed");
            }
        });
        // Finished connections are collected as others arrive, so the set stays small.
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop.send(());
    while connections.join_next().await.is_some() {}
}

/// A future that resolves at Ctrl-C or SIGTERM. The handlers are installed when this is
/// called, not when the future is first polled, so a signal sent as soon as the server says
/// it listens is already caught. Call it inside the runtime.
#[cfg(unix)]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("Ctrl-C: finishing the requests under way"),
            _ = terminate.recv() => tracing::info!("SIGTERM: finishing the requests under way"),
        }
    })
}

/// A future that resolves at Ctrl-C.
#[cfg(not(unix))]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("Ctrl-C: finishing the requests under way");
        } else {
            std::future::pending::<()>().await;
        }
    })
}

/// Request counts and latency histograms per route, in OpenMetrics text (Prometheus).
#[utoipa::path(
    get, path = "/metrics", tag = "service",
    responses((status = 200, description = "OpenMetrics text", content_type = "application/openmetrics-text")),
    security(("bearer" = []))
)]
pub async fn metrics_route(State(state): State<AppState>) -> Result<Response, ApiError> {
    let text = state.metrics.render().map_err(|error| ApiError::Internal(format!("metrics: {error}")))?;
    let content_type = HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8");
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}

async fn unknown_route(request: Request) -> ApiError {
    ApiError::UnknownRoute(format!("{} {}", request.method(), request.uri().path()))
}

async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::MethodNotAllowed(format!("{} {}", request.method(), request.uri().path()))
}

/// The span of one request: method, matched route (not the raw path, which may hold an id)
/// and request id.
fn request_span(request: &Request) -> tracing::Span {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str);
    let id = request.headers().get(REQUEST_ID).and_then(|value| value.to_str().ok()).unwrap_or("-");
    // The id may come from the caller: escaped and cut like every request-provided text.
    let id = crate::domain::format::quote_external(id, 100);
    tracing::info_span!("request", method = %request.method(), route, request_id = %id)
}

/// Request ids: a per-process counter in hexadecimal, after a random-looking start so that
/// two runs do not reuse the same ids.
#[derive(Clone)]
struct Counter(Arc<AtomicU64>);

impl Default for Counter {
    fn default() -> Counter {
        let start = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_micros() as u64)
            << 16;
        Counter(Arc::new(AtomicU64::new(start)))
    }
}

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let id = self.0.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{id:016x}")).ok().map(RequestId::new)
    }
}
