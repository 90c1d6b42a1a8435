//! [`RemoteScorer`]: the [`Scorer`] trait over a `pad serve`, with reqwest, for the
//! dashboard's remote mode (`pad --remote URL`).
//!
//! The trait is blocking; each call here runs its request on the tokio runtime the scorer
//! was connected from and waits for the answer, so it must be called off that runtime's
//! async tasks (the dashboard calls scorers on the blocking pool). A request that cannot
//! reach the server, or meets a proxy saying the server is away (502–504), is tried again
//! after 100 ms and 400 ms, and its failure is kept in [`Link`] for the status bar until an
//! answer arrives. Any answer of the server itself (a refusal, its own error or timeout), and
//! a request it took but did not answer in time, is [`ScoringError::Rejected`]: the server is
//! there, so the dashboard does not try to reconnect.
//!
//! The values travel as the API's DTOs, whose floats round-trip exactly, so scores and
//! contributions equal the server's bit for bit. JSON has no infinities: such a value is
//! refused before it is sent.
//!
//! Uses: scoring, domain, drift (the report's type), api::dto.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::api::dto::{
    ClientRecordDto, ClientRequest, ClientsPage, CounterfactualResponse, DistributionResponse, ErrorBody,
    ExplainResponse, Health, ModelResponse, PortfolioResponse, PredictResponse, ScoreRequest, WhatIfRequest,
};
use crate::domain::{
    ClientId, ClientRecord, ClientSummary, Counterfactual, Distribution, Explanation, FeatureInputs, InputValue,
    Portfolio, Score,
};
use crate::drift::DriftReport;
use crate::scoring::{Link, Scorer, ScorerInfo, ScoringError, Source};

/// Clients asked per page when listing them all.
const PAGE: usize = 1000;
/// Waits before the second and third tries of a request.
const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(100), Duration::from_millis(400)];
/// Longest wait for a client's answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest wait for the whole portfolio or the drift report.
const SLOW_TIMEOUT: Duration = Duration::from_secs(120);

/// A scorer whose answers come from a `pad serve`.
#[derive(Debug)]
pub struct RemoteScorer {
    base: String,
    token: Option<String>,
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
    info: ScorerInfo,
    link: Mutex<Link>,
}

/// One request: method, path and body.
#[derive(Debug, Clone)]
enum Call {
    Get(String),
    Post(String, serde_json::Value),
}

impl RemoteScorer {
    /// Connects to a server at `url` (e.g. `http://127.0.0.1:8000`) and reads its model.
    /// Must run inside a multi-threaded tokio runtime, which later calls use.
    pub async fn connect(url: &str, token: Option<String>) -> Result<RemoteScorer, ScoringError> {
        let base = url.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ScoringError::Remote(format!(
                "{url}: the server's address must start with http:// or https://"
            )));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .user_agent(concat!("pad/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ScoringError::Remote(format!("cannot start the HTTP client: {error}")))?;
        let request = |call, timeout| Request {
            base: base.clone(),
            token: token.clone(),
            client: client.clone(),
            call,
            timeout,
            version: None,
        };
        let (model, latency): (ModelResponse, Duration) =
            request(Call::Get("/model".into()), REQUEST_TIMEOUT).run_with_retries().await?;
        let info = ScorerInfo {
            source: Source::Remote { url: base.clone() },
            model_version: model.model_version,
            threshold: model.threshold,
            threshold_origin: format!("{} (server)", model.threshold_origin),
            card: model.card,
            features: model.features.into_iter().map(Into::into).collect(),
            reference_clients: model.reference_clients,
            warnings: model.warnings,
            policy_version: model.policy_version,
            missing_history: Vec::new(),
        };
        let link = Link { server: base.clone(), last_latency: Some(latency), failure: None, finished: 1 };
        Ok(RemoteScorer {
            base,
            token,
            client,
            runtime: tokio::runtime::Handle::current(),
            info,
            link: Mutex::new(link),
        })
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Runs a request on the runtime and waits for its answer.
    fn call<T: DeserializeOwned + Send + 'static>(&self, call: Call, timeout: Duration) -> Result<T, ScoringError> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let request = Request {
            base: self.base.clone(),
            token: self.token.clone(),
            client: self.client.clone(),
            call,
            timeout,
            version: Some(self.info.model_version.clone()),
        };
        self.runtime.spawn(async move {
            // The receiver waits until this sends; it is gone only if the caller gave up.
            let _ = sender.send(request.run_with_retries::<T>().await);
        });
        let outcome = receiver.recv().map_err(|_| ScoringError::Remote("the HTTP client stopped".into()))?;
        self.note(&outcome);
        outcome.map(|(value, _)| value)
    }

    /// Keeps the latency of an answer, or why there was none.
    fn note<T>(&self, outcome: &Result<(T, Duration), ScoringError>) {
        let mut link = self.link.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        link.finished += 1;
        match outcome {
            Ok((_, latency)) => {
                link.last_latency = Some(*latency);
                link.failure = None;
            }
            // A client error is an answer: the server is there.
            Err(ScoringError::Remote(message)) => link.failure = Some(message.clone()),
            Err(_) => link.failure = None,
        }
    }

    fn post<T: DeserializeOwned + Send + 'static>(&self, path: &str, body: &impl Serialize) -> Result<T, ScoringError> {
        let body = serde_json::to_value(body)
            .map_err(|error| ScoringError::Remote(format!("cannot write the request: {error}")))?;
        self.call(Call::Post(path.into(), body), REQUEST_TIMEOUT)
    }

    fn explanation(&self, response: &ExplainResponse) -> Result<Explanation, ScoringError> {
        response.to_explanation(&self.info.features).ok_or_else(|| {
            ScoringError::Remote(format!(
                "{}: the server's contributions are not for this model's features; reconnect",
                self.base
            ))
        })
    }

    fn features_request(inputs: &FeatureInputs) -> Result<ScoreRequest, ScoringError> {
        let mut features = serde_json::Map::new();
        for (name, value) in inputs {
            let value = match value {
                InputValue::Number(number) => serde_json::Value::Number(json_number(name, *number)?),
                InputValue::Text(text) => serde_json::Value::String(text.clone()),
                InputValue::Missing => serde_json::Value::Null,
            };
            features.insert(name.clone(), value);
        }
        Ok(ScoreRequest {
            client_id: None,
            features: Some(features.into()),
            allow_incomplete: true,
            ..ScoreRequest::default()
        })
    }
}

/// Everything one request needs, owned, so it can run on the runtime.
struct Request {
    base: String,
    token: Option<String>,
    client: reqwest::Client,
    call: Call,
    timeout: Duration,
    /// The model version this dashboard opened: an answer by another one is refused.
    version: Option<String>,
}

/// Whether a failed try is worth repeating: the server could not be reached or was busy.
enum Failure {
    Retry(ScoringError),
    Final(ScoringError),
}

impl Request {
    async fn run_with_retries<T: DeserializeOwned>(&self) -> Result<(T, Duration), ScoringError> {
        let mut delays = RETRY_DELAYS.iter();
        loop {
            match self.run::<T>().await {
                Ok(answer) => return Ok(answer),
                Err(Failure::Final(error)) => return Err(error),
                Err(Failure::Retry(error)) => match delays.next() {
                    Some(delay) => tokio::time::sleep(*delay).await,
                    None => return Err(error),
                },
            }
        }
    }

    async fn run<T: DeserializeOwned>(&self) -> Result<(T, Duration), Failure> {
        let (builder, path) = match &self.call {
            Call::Get(path) => (self.client.get(format!("{}{path}", self.base)), path),
            Call::Post(path, body) => (self.client.post(format!("{}{path}", self.base)).json(body), path),
        };
        let builder = match &self.token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        };
        let started = Instant::now();
        let response = builder.timeout(self.timeout).send().await.map_err(|error| {
            if error.is_timeout() && !error.is_connect() {
                // It took the request: it is there, only slow. Asking again would not help.
                return Failure::Final(ScoringError::Rejected(format!(
                    "{}: the server did not answer within {} s",
                    self.base,
                    self.timeout.as_secs()
                )));
            }
            Failure::Retry(ScoringError::Remote(format!(
                "{}: the server cannot be reached ({})",
                self.base,
                root_cause(&error)
            )))
        })?;
        let status = response.status();
        let served = response.headers().get(crate::api::MODEL_VERSION_HEADER).and_then(|value| value.to_str().ok());
        if let (Some(served), Some(opened)) = (served, self.version.as_deref())
            && served != opened
        {
            // Scores of another model beside this one's features, reference and threshold
            // would mislead: say so instead.
            // Not a lost server (nothing to reconnect to): an answer refused.
            return Err(Failure::Final(ScoringError::Rejected(format!(
                "{}: the server now serves model {served} (this dashboard opened {opened}); restart the dashboard to \
                 use it",
                self.base
            ))));
        }
        let bytes = response.bytes().await.map_err(|error| {
            Failure::Retry(ScoringError::Remote(format!("{}: the answer was cut ({})", self.base, root_cause(&error))))
        })?;
        let latency = started.elapsed();
        if status.is_success() {
            return serde_json::from_slice(&bytes).map(|value| (value, latency)).map_err(|error| {
                Failure::Final(ScoringError::Remote(format!(
                    "{}{path}: the server's answer is not what this version of pad reads ({error})",
                    self.base
                )))
            });
        }
        let error = serde_json::from_slice::<ErrorBody>(&bytes).ok().map(|body| body.error);
        let message = error.as_ref().map_or_else(|| format!("HTTP {status}"), |error| error.message.clone());
        let code = error.as_ref().map_or("", |error| error.code.as_str());
        let field = error.as_ref().and_then(|error| error.field.clone());
        Err(match (status.as_u16(), code) {
            (422, _) if field.as_deref().is_some_and(|field| field.starts_with("changes.")) => {
                let feature = field.as_deref().and_then(|field| field.strip_prefix("changes.")).unwrap_or("");
                let reason = message.strip_prefix(&format!("{feature}: ")).unwrap_or(&message).to_string();
                Failure::Final(ScoringError::InvalidChange { feature: feature.to_string(), message: reason })
            }
            (401, _) => Failure::Final(ScoringError::Rejected(format!(
                "{}: the server refused the token; check --token or PAD_API_TOKEN",
                self.base
            ))),
            // No answer of pad's own: a proxy in between says the server is away.
            (502..=504, _) if error.is_none() => {
                Failure::Retry(ScoringError::Remote(format!("{}: the server is unavailable ({message})", self.base)))
            }
            // The server is there and said no (unknown client, invalid request, its own failure).
            _ => Failure::Final(ScoringError::Rejected(message)),
        })
    }
}

/// The innermost cause of a reqwest error ("Connection refused"), which says the most.
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

impl Scorer for RemoteScorer {
    fn info(&self) -> &ScorerInfo {
        &self.info
    }

    fn clients(&self) -> Result<Vec<ClientSummary>, ScoringError> {
        let mut clients = Vec::new();
        loop {
            let path = format!("/clients?offset={}&limit={PAGE}", clients.len());
            let page: ClientsPage = self.call(Call::Get(path), REQUEST_TIMEOUT)?;
            let received = page.clients.len();
            clients.extend(page.clients.into_iter().map(ClientSummary::from));
            if received == 0 || clients.len() >= page.total {
                return Ok(clients);
            }
        }
    }

    fn client(&self, id: ClientId) -> Result<ClientRecord, ScoringError> {
        let record: ClientRecordDto = self.call(Call::Get(format!("/clients/{id}")), REQUEST_TIMEOUT)?;
        Ok(record.to_record())
    }

    fn history(&self, id: ClientId) -> Result<Option<crate::domain::history::ClientHistory>, ScoringError> {
        let history: crate::domain::history::ClientHistory =
            self.call(Call::Get(format!("/clients/{id}/history")), REQUEST_TIMEOUT)?;
        // A server without history tables says that none was given.
        let given = history.bureau_given || history.balance_given || history.card_given;
        Ok(given.then_some(history))
    }

    fn predict(&self, id: ClientId) -> Result<Score, ScoringError> {
        let response: PredictResponse = self.post(
            "/predict",
            &ScoreRequest { client_id: Some(id), allow_incomplete: true, ..ScoreRequest::default() },
        )?;
        Ok(response.to_score())
    }

    fn explain(&self, id: ClientId) -> Result<Explanation, ScoringError> {
        let response: ExplainResponse = self.post(
            "/explain",
            &ScoreRequest { client_id: Some(id), allow_incomplete: true, ..ScoreRequest::default() },
        )?;
        self.explanation(&response)
    }

    fn predict_inputs(&self, inputs: &FeatureInputs) -> Result<Score, ScoringError> {
        let response: PredictResponse = self.post("/predict", &RemoteScorer::features_request(inputs)?)?;
        Ok(response.to_score())
    }

    fn explain_inputs(&self, inputs: &FeatureInputs) -> Result<Explanation, ScoringError> {
        let response: ExplainResponse = self.post("/explain", &RemoteScorer::features_request(inputs)?)?;
        self.explanation(&response)
    }

    fn counterfactual(&self, id: ClientId) -> Result<Counterfactual, ScoringError> {
        let response: CounterfactualResponse =
            self.post("/counterfactual", &ClientRequest { client_id: Some(id), ..ClientRequest::default() })?;
        Ok(response.to_counterfactual())
    }

    fn counterfactual_inputs(&self, inputs: &FeatureInputs) -> Result<Counterfactual, ScoringError> {
        let features = RemoteScorer::features_request(inputs)?.features;
        let response: CounterfactualResponse =
            self.post("/counterfactual", &ClientRequest { features, ..ClientRequest::default() })?;
        Ok(response.to_counterfactual())
    }

    fn what_if(&self, id: ClientId, changes: &[(String, f64)]) -> Result<Explanation, ScoringError> {
        let mut sent = serde_json::Map::new();
        for (name, value) in changes {
            let number = serde_json::Number::from_f64(*value).ok_or_else(|| ScoringError::InvalidChange {
                feature: name.clone(),
                message: "the value must be a positive number".into(),
            })?;
            sent.insert(name.clone(), serde_json::Value::Number(number));
        }
        let changes = sent;
        let response: ExplainResponse =
            self.post("/what-if", &WhatIfRequest { client_id: id, changes, lang: None, allow_incomplete: true })?;
        self.explanation(&response)
    }

    fn distribution(&self, feature: &str) -> Result<Distribution, ScoringError> {
        let path = format!("/features/{}/distribution", percent_encode(feature));
        let response: DistributionResponse = self.call(Call::Get(path), REQUEST_TIMEOUT)?;
        response
            .to_distribution()
            .ok_or_else(|| ScoringError::Remote(format!("{}: the distribution of {feature} has no bins", self.base)))
    }

    fn portfolio(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Portfolio, ScoringError> {
        progress(0, 1);
        let response: PortfolioResponse = self.call(Call::Get("/portfolio".into()), SLOW_TIMEOUT)?;
        progress(1, 1);
        Ok(response.into())
    }

    fn drift(&self) -> Result<DriftReport, ScoringError> {
        self.call(Call::Get("/drift".into()), SLOW_TIMEOUT)
    }

    fn fairness(&self) -> Result<crate::fairness::FairnessReport, ScoringError> {
        self.call(Call::Get("/fairness".into()), SLOW_TIMEOUT)
    }

    fn link(&self) -> Option<Link> {
        Some(self.link.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone())
    }

    fn reconnect(&self) -> Result<Link, ScoringError> {
        let health: Health = self.call(Call::Get("/health".into()), REQUEST_TIMEOUT)?;
        if health.model_version != self.info.model_version {
            let message = format!(
                "{}: the server now serves model {} (this dashboard opened {}); restart the dashboard",
                self.base, health.model_version, self.info.model_version
            );
            self.link.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).failure = Some(message.clone());
            return Err(ScoringError::Remote(message));
        }
        self.link().ok_or_else(|| ScoringError::Remote("no link".into()))
    }
}

/// A number as JSON, which has no infinities or NaN (NaN is a missing value: send `Missing`).
fn json_number(name: &str, number: f64) -> Result<serde_json::Number, ScoringError> {
    serde_json::Number::from_f64(number).ok_or_else(|| {
        ScoringError::Rejected(format!(
            "`{name}` is {number}, which JSON cannot carry; send a finite number or no value"
        ))
    })
}

/// A feature name as a URL path segment (names are ASCII words, but say so safely).
fn percent_encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}
