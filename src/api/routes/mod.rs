//! The routes, one file per resource, and what they share: running scorer calls on the
//! blocking pool and reading a scoring request.

pub mod cases;
pub mod clients;
pub mod decisions;
pub mod docs;
pub mod evidence;
pub mod features;
pub mod health;
pub mod model;
pub mod portfolio;
pub mod scoring;

use crate::api::dto::{ScoreRequest, Subject};
use crate::api::error::ApiError;
use crate::domain::history::is_history_feature;
use crate::domain::{ClientId, InputValue};

/// Credit-history features named in the warning about those not given, before "…".
const LISTED_HISTORY: usize = 4;

/// Whom a scoring request is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A client of the served portfolio.
    Client(ClientId),
    /// An applicant given by named inputs.
    Inputs(Vec<(String, InputValue)>),
}

impl Target {
    /// Reads a request: exactly one of `client_id` and `features`.
    pub fn of(request: &ScoreRequest) -> Result<Target, ApiError> {
        match (request.client_id, &request.features) {
            (Some(id), None) => Ok(Target::Client(id)),
            (None, Some(features)) => {
                let mut inputs = Vec::with_capacity(features.0.len());
                for (name, value) in &features.0 {
                    let value = match value {
                        serde_json::Value::Null => InputValue::Missing,
                        serde_json::Value::String(text) => InputValue::Text(text.clone()),
                        serde_json::Value::Number(number) => match number.as_f64() {
                            Some(number) => InputValue::Number(number),
                            None => return Err(not_a_value(name, "a number too large")),
                        },
                        serde_json::Value::Bool(_) => return Err(not_a_value(name, "true/false")),
                        serde_json::Value::Array(_) => return Err(not_a_value(name, "a list")),
                        serde_json::Value::Object(_) => return Err(not_a_value(name, "an object")),
                    };
                    inputs.push((name.clone(), value));
                }
                Ok(Target::Inputs(inputs))
            }
            (Some(_), Some(_)) => Err(ApiError::Invalid {
                code: "invalid_request",
                message: "give either `client_id` or `features`, not both".into(),
                field: None,
            }),
            (None, None) => Err(ApiError::Invalid {
                code: "invalid_request",
                message: "give `client_id` (a client of the portfolio) or `features` (an applicant's inputs by name)"
                    .into(),
                field: None,
            }),
        }
    }

    /// The warnings about the request: derived features of the model given among the
    /// inputs, ignored (computed from their inputs), and, for a model that reads the credit
    /// history, that an applicant given by features has none; also logged.
    pub fn warnings(&self, features: &[crate::domain::FeatureDescription]) -> Vec<String> {
        let Target::Inputs(inputs) = self else {
            return Vec::new();
        };
        let mut warnings =
            crate::data::inputs::ignored_derived(inputs, |name| features.iter().any(|feature| feature.name == name));
        let history: Vec<&str> = features
            .iter()
            .filter(|feature| feature.used && is_history_feature(&feature.name))
            .map(|feature| feature.name.as_str())
            .collect();
        let not_given: Vec<&str> =
            history.iter().copied().filter(|name| inputs.iter().all(|(given, _)| given != name)).collect();
        if !not_given.is_empty() {
            let listed: Vec<&str> = not_given.iter().copied().take(LISTED_HISTORY).collect();
            let more = if not_given.len() > LISTED_HISTORY { ", …" } else { "" };
            warnings.push(format!(
                "the credit history of an applicant given by `features` is only what its aggregates given by \
                 name say: {} of the model's {} credit-history features are not given, so missing values ({}{more}); \
                 ask by `client_id` to score a served client with its history",
                not_given.len(),
                history.len(),
                listed.join(", ")
            ));
        }
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        warnings
    }

    /// Whom to report a score of `scored` about: the client asked, or an applicant with
    /// the `SK_ID_CURR` the scorer found among the inputs (none when it found none), which is
    /// never reported as a served client.
    pub fn subject(&self, scored: ClientId) -> Subject {
        match self {
            Target::Client(id) => Subject::client(*id),
            Target::Inputs(_) => Subject { client_id: None, applicant_id: (scored != 0).then_some(scored) },
        }
    }
}

fn not_a_value(name: &str, found: &str) -> ApiError {
    ApiError::invalid(
        "invalid_features",
        format!("features.{name}"),
        format!("`{name}` must be a number, a text or null, not {found}"),
    )
}
