//! The shadow challenger (`pad serve --shadow URI`): a second model scores every applicant the
//! served model scores. Its answer is never sent; whether its decision is the served model's
//! is counted per route in `/metrics` (`pad_http_shadow_decisions_total`), and a recorded
//! decision keeps its probability beside the served one's.

use std::sync::Arc;

use super::metrics::Metrics;
use super::routes::Target;
use crate::domain::{Decision, Score};
use crate::journal::ChallengerScore;
use crate::scoring::Scorer;

/// A challenger model scoring in the shadow of the served one.
pub struct Shadow {
    scorer: Arc<dyn Scorer>,
}

impl Shadow {
    /// The challenger behind `scorer` (loaded over the same data as the served model).
    pub fn new(scorer: Arc<dyn Scorer>) -> Shadow {
        Shadow { scorer }
    }

    /// The challenger's model version.
    pub fn version(&self) -> &str {
        &self.scorer.info().model_version
    }

    /// Scores `target` with the challenger and counts, under `route`, whether its decision is
    /// `served`'s. A challenger that cannot score it is counted as failed and logged; the
    /// served answer does not depend on it.
    pub fn compare(&self, metrics: &Metrics, route: &str, target: &Target, served: &Score) -> Option<ChallengerScore> {
        let challenger = self.score(target);
        self.count(metrics, route, challenger.as_ref(), served.decision);
        challenger
    }

    /// The challenger's score of `target`; none, logged, when it cannot score it.
    pub fn score(&self, target: &Target) -> Option<ChallengerScore> {
        let scored = match target {
            Target::Client(id) => self.scorer.predict(*id),
            Target::Inputs(inputs) => self.scorer.predict_inputs(inputs),
        };
        match scored {
            Ok(score) => Some(ChallengerScore {
                model_version: self.version().to_string(),
                probability: score.probability,
                decision: score.decision,
            }),
            Err(error) => {
                tracing::warn!(challenger = self.version(), "the shadow challenger could not score: {error}");
                None
            }
        }
    }

    /// Counts under `route` whether the challenger's decision (none: it failed) is `served`.
    pub fn count(&self, metrics: &Metrics, route: &str, challenger: Option<&ChallengerScore>, served: Decision) {
        let outcome = match challenger {
            Some(challenger) if challenger.decision == served => "agree",
            Some(_) => "disagree",
            None => "failed",
        };
        metrics.shadow(route, self.version(), outcome);
    }
}

impl std::fmt::Debug for Shadow {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Shadow").field("version", &self.version()).finish()
    }
}
