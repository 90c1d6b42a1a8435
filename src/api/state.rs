//! What every handler shares: the scorer, the token, the limits and the metrics.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::dto::{ModelResponse, PortfolioResponse};
use super::error::ApiError;
use super::metrics::Metrics;
pub use crate::config::Limits;
use crate::scoring::Scorer;

/// The bearer token, kept as its SHA-256 so that comparing takes the same time whatever the
/// candidate (its length included).
#[derive(Clone)]
pub struct Token([u8; 32]);

impl Token {
    /// The token to require.
    pub fn new(secret: &str) -> Token {
        Token(Sha256::digest(secret.as_bytes()).into())
    }

    /// Whether `candidate` is the token, in constant time.
    pub fn matches(&self, candidate: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(candidate.as_bytes()).into();
        bool::from(self.0.ct_eq(&digest))
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Token(…)")
    }
}

/// When the server last found no user in its journal (milliseconds since its start; 0: never).
#[derive(Debug, Default)]
pub struct NoUsersSeen {
    pub(super) at: std::sync::atomic::AtomicU64,
    pub(super) users_exist: std::sync::atomic::AtomicBool,
}

/// The state behind every route.
#[derive(Clone)]
pub struct AppState {
    /// Scores and explanations.
    pub scorer: Arc<dyn Scorer>,
    /// The token every route but `/health` requires; none when `PAD_API_TOKEN` is unset.
    pub token: Option<Token>,
    /// The name of the service account [`AppState::token`] signs in as (see `api::auth`).
    pub service_name: Arc<str>,
    /// Bounds on requests.
    pub limits: Limits,
    /// Request counts and latencies.
    pub metrics: Arc<Metrics>,
    /// `GET /model`, built once.
    pub model: Arc<ModelResponse>,
    /// `GET /portfolio`, computed at the first request (the applicants do not change).
    pub portfolio: Arc<tokio::sync::OnceCell<Arc<PortfolioResponse>>>,
    /// `GET /drift`, computed at the first request.
    pub drift: Arc<tokio::sync::OnceCell<Arc<crate::drift::DriftReport>>>,
    /// `GET /fairness`, computed at the first request.
    pub fairness: Arc<tokio::sync::OnceCell<Arc<crate::fairness::FairnessReport>>>,
    /// Permits for scorer work on the blocking pool ([`Limits::concurrency`]).
    jobs: Arc<tokio::sync::Semaphore>,
    /// The decision journal `POST /decisions` records into; none: those routes answer 503.
    pub journal: Option<crate::journal::Journal>,
    /// What the scorer said of each client a decision was recorded for (the served clients
    /// do not change).
    pub decision_facts: Arc<std::sync::Mutex<std::collections::HashMap<crate::domain::ClientId, Arc<DecisionFacts>>>>,
    /// The challenger scoring in the shadow of the served model (`--shadow`), if any.
    pub shadow: Option<Arc<super::shadow::Shadow>>,
    /// Whether the journal was found to have no users, and when (see `api::auth`).
    pub no_users: Arc<NoUsersSeen>,
    /// When the server started.
    pub started: std::time::Instant,
}

/// A served client as a recorded decision describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionFacts {
    /// The client's fields.
    pub record: crate::domain::ClientRecord,
    /// Score, contributions and reasons.
    pub explanation: crate::domain::Explanation,
    /// What would change a refusal.
    pub counterfactual: Option<crate::domain::Counterfactual>,
    /// The shadow challenger's score of the client, when one is served.
    pub challenger: Option<crate::journal::ChallengerScore>,
}

impl AppState {
    /// The state over a scorer.
    pub fn new(scorer: Arc<dyn Scorer>, token: Option<Token>, limits: Limits) -> AppState {
        let model = Arc::new(ModelResponse::from(scorer.info()));
        AppState {
            scorer,
            token,
            service_name: Arc::from(crate::journal::DEFAULT_SERVICE_NAME),
            limits,
            metrics: Arc::new(Metrics::new()),
            model,
            portfolio: Arc::default(),
            drift: Arc::default(),
            fairness: Arc::default(),
            jobs: Arc::new(tokio::sync::Semaphore::new(limits.concurrency.max(1))),
            journal: None,
            decision_facts: Arc::default(),
            shadow: None,
            no_users: Arc::default(),
            started: std::time::Instant::now(),
        }
    }

    /// The same state, recording decisions into `journal`.
    pub fn with_journal(mut self, journal: crate::journal::Journal) -> AppState {
        self.journal = Some(journal);
        self
    }

    /// The same state, its service account (`PAD_API_TOKEN`) named `name` (checked by the
    /// caller: `journal::check_name`).
    pub fn with_service_name(mut self, name: &str) -> AppState {
        self.service_name = Arc::from(name);
        self
    }

    /// The state with a challenger scoring in the shadow of the served model.
    pub fn with_shadow(mut self, shadow: super::shadow::Shadow) -> AppState {
        self.shadow = Some(Arc::new(shadow));
        self
    }

    /// The state over another scorer (a swapped model): the same token and service account, limits, metrics and
    /// work permits, journal and shadow challenger; the model's description, portfolio and
    /// drift anew.
    pub fn successor(&self, scorer: Arc<dyn Scorer>) -> AppState {
        let model = Arc::new(ModelResponse::from(scorer.info()));
        AppState {
            scorer,
            token: self.token.clone(),
            service_name: Arc::clone(&self.service_name),
            limits: self.limits,
            metrics: Arc::clone(&self.metrics),
            model,
            portfolio: Arc::default(),
            drift: Arc::default(),
            fairness: Arc::default(),
            jobs: Arc::clone(&self.jobs),
            journal: self.journal.clone(),
            decision_facts: Arc::default(),
            shadow: self.shadow.clone(),
            no_users: Arc::clone(&self.no_users),
            started: self.started,
        }
    }

    /// Runs scorer work (TreeSHAP, a search, a portfolio) on tokio's blocking pool, so that
    /// the async workers keep answering. It waits for one of [`Limits::concurrency`] permits,
    /// and the work keeps its permit until it ends, even when the request is given up (a
    /// timeout, a client gone): work a client abandoned still counts against the limit.
    pub async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = Arc::clone(&self.jobs)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal("the scoring queue is closed".into()))?;
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work(&state)
        })
        .await
        .map_err(|error| ApiError::Internal(format!("scoring task: {error}")))?
    }

    /// The model version served.
    pub fn model_version(&self) -> &str {
        &self.model.model_version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_matches_only_itself() {
        let token = Token::new("s3cret");
        assert!(token.matches("s3cret"));
        for other in ["", "s3cre", "s3cret ", "S3CRET", "s3cret\0"] {
            assert!(!token.matches(other), "{other:?}");
        }
        assert_eq!(format!("{token:?}"), "Token(…)", "the secret never reaches logs");
    }
}
