//! What every handler shares: the scorer, the token, the limits and the metrics.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::dto::{ModelResponse, PortfolioResponse};
use super::metrics::Metrics;
use crate::scoring::Scorer;

/// Bounds on what one request may ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Most items in one `POST /predict/batch`.
    pub max_batch: usize,
    /// Longest time a request may take.
    pub timeout: Duration,
    /// Most requests answered at once; more wait their turn, within the timeout.
    pub concurrency: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_body_bytes: 1 << 20, max_batch: 1000, timeout: Duration::from_secs(30), concurrency: 256 }
    }
}

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

/// The state behind every route.
#[derive(Clone)]
pub struct AppState {
    /// Scores and explanations.
    pub scorer: Arc<dyn Scorer>,
    /// The token every route but `/health` requires; none when `PAD_API_TOKEN` is unset.
    pub token: Option<Token>,
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
}

impl AppState {
    /// The state over a scorer.
    pub fn new(scorer: Arc<dyn Scorer>, token: Option<Token>, limits: Limits) -> AppState {
        let model = Arc::new(ModelResponse::from(scorer.info()));
        AppState {
            scorer,
            token,
            limits,
            metrics: Arc::new(Metrics::new()),
            model,
            portfolio: Arc::default(),
            drift: Arc::default(),
        }
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
