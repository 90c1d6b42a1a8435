//! The bodies of `POST /decisions`, `GET /decisions` and `GET /decisions/{id}`: what an RM
//! decides, and the recorded decisions with their hashes (the JSON of
//! [`crate::journal::DecisionEvent`], field for field).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Lang;
use crate::journal::DecisionEvent;

/// Where a decision stands, in a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StateQuery {
    /// Never contested.
    Decided,
    /// A contest waits for its review.
    Contested,
    /// Reviewed, upheld or overturned.
    Reviewed,
    /// Reviewed; the decision stands.
    Upheld,
    /// Reviewed; the decision was reversed.
    Overturned,
}

impl From<StateQuery> for crate::journal::StateFilter {
    fn from(state: StateQuery) -> crate::journal::StateFilter {
        use crate::journal::StateFilter;
        match state {
            StateQuery::Decided => StateFilter::Decided,
            StateQuery::Contested => StateFilter::Contested,
            StateQuery::Reviewed => StateFilter::Reviewed,
            StateQuery::Upheld => StateFilter::Upheld,
            StateQuery::Overturned => StateFilter::Overturned,
        }
    }
}

/// A final decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum FinalDecision {
    /// Accepted.
    #[serde(rename = "ACCEPTED")]
    Accepted,
    /// Refused.
    #[serde(rename = "REFUSED")]
    Refused,
}

impl From<FinalDecision> for crate::domain::Decision {
    fn from(decision: FinalDecision) -> crate::domain::Decision {
        match decision {
            FinalDecision::Accepted => crate::domain::Decision::Accepted,
            FinalDecision::Refused => crate::domain::Decision::Refused,
        }
    }
}

/// `POST /decisions`: the RM's decision on a served client. `{"client_id": N}` alone records
/// the model's decision as proposed; an override gives `decision`, `reason_code` and a
/// `justification` of at least 20 characters. The server scores the client, stamps the time
/// and computes the hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// The served client.
    pub client_id: i64,
    /// The final decision (default: the model's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<FinalDecision>,
    /// For an override: a code of the server's override reasons (`assets/override_reasons.toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// For an override: why, at least 20 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The language the customer was told the reasons in (default `en`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
    /// Who decides: the caller's own name, or left out (a user or the service account records
    /// under its own name only; another name is 422, code `invalid_author`). On an open
    /// server, any name of at most 200 characters (default `api`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rm: Option<String>,
    /// The customer sheet exported for this decision, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_file: Option<String>,
}

/// A principal reason as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ShownReasonDto {
    /// The model feature it quotes first.
    pub code: String,
    /// The sentence, in the recorded language.
    pub text: String,
}

/// A shadow challenger's score, recorded beside the served model's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChallengerDto {
    /// The challenger's model version.
    pub model_version: String,
    /// Its probability of default.
    pub probability: f64,
    /// Its decision (`ACCEPTED`, `REFUSED`, or `INCOMPLETE` when its model needs a field
    /// the application lacks).
    pub decision: String,
}

/// One recorded decision with its place in the chain and its hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RecordedDecision {
    /// The event's number in the chain.
    pub id: i64,
    /// UTC time the server recorded it.
    pub recorded_at: String,
    /// The client.
    pub client_id: i64,
    /// The model's inputs as scored (raw application fields by name).
    #[schema(value_type = Object)]
    pub inputs: serde_json::Map<String, serde_json::Value>,
    /// SHA-256 of the inputs' JSON text.
    pub inputs_sha256: String,
    /// The model version.
    pub model_version: String,
    /// The decision threshold.
    pub threshold: f64,
    /// The probability of default.
    pub probability: f64,
    /// The model's decision.
    pub model_decision: FinalDecision,
    /// The principal reasons shown.
    pub reasons: Vec<ShownReasonDto>,
    /// What would change the decision, as shown.
    #[schema(nullable)]
    pub counterfactual: Option<String>,
    /// The language shown (`en` or `fr`).
    pub language: String,
    /// The RM's final decision.
    pub final_decision: FinalDecision,
    /// Whether the RM overrode the model.
    pub overridden: bool,
    /// The override's reason code.
    #[schema(nullable)]
    pub reason_code: Option<String>,
    /// The RM's justification.
    #[schema(nullable)]
    pub justification: Option<String>,
    /// Who decided.
    pub rm: String,
    /// `local` (a dashboard in process) or `remote` (through the API).
    pub origin: String,
    /// The customer sheet exported, if any.
    #[schema(nullable)]
    pub export_file: Option<String>,
    /// What the shadow challenger said of the same inputs, when the server ran one
    /// (`pad serve --shadow`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenger: Option<ChallengerDto>,
    /// SHA-256 of the canonical content.
    pub content_hash: String,
    /// SHA-256 of the columns recorded_at, client_id, rm, final_decision, model_decision,
    /// overridden (0 or 1), reason_code, probability and model_version as one JSON array;
    /// absent from the decisions recorded before the journal's schema 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns_hash: Option<String>,
    /// The previous event's hash.
    pub prev_hash: String,
    /// SHA-256 of the previous hash, the content hash and the columns hash when there is one
    /// (their hex texts, one after the other).
    pub hash: String,
}

impl RecordedDecision {
    /// The body of an event (the same JSON as the event itself), taking its content.
    pub fn from_event(event: DecisionEvent) -> Result<RecordedDecision, serde_json::Error> {
        use serde::de::Error;
        let content = event.content;
        let decision = |decision: crate::domain::Decision| match decision {
            crate::domain::Decision::Accepted => Ok(FinalDecision::Accepted),
            crate::domain::Decision::Refused => Ok(FinalDecision::Refused),
            crate::domain::Decision::Incomplete => {
                Err(serde_json::Error::custom("a recorded decision is ACCEPTED or REFUSED, not INCOMPLETE"))
            }
        };
        // The enums' own JSON names: `en`/`fr`, `local`/`remote`.
        let name = |value: serde_json::Value| value.as_str().map(str::to_string).unwrap_or_default();
        Ok(RecordedDecision {
            id: event.id,
            recorded_at: content.recorded_at,
            client_id: content.client_id,
            inputs: content.inputs,
            inputs_sha256: content.inputs_sha256,
            model_version: content.model_version,
            threshold: content.threshold,
            probability: content.probability,
            model_decision: decision(content.model_decision)?,
            reasons: content
                .reasons
                .into_iter()
                .map(|reason| ShownReasonDto { code: reason.code, text: reason.text })
                .collect(),
            counterfactual: content.counterfactual,
            language: name(serde_json::to_value(content.language)?),
            final_decision: decision(content.final_decision)?,
            overridden: content.overridden,
            reason_code: content.reason_code,
            justification: content.justification,
            rm: content.rm,
            origin: name(serde_json::to_value(content.origin)?),
            export_file: content.export_file,
            challenger: content.challenger.map(|challenger| ChallengerDto {
                model_version: challenger.model_version,
                probability: challenger.probability,
                decision: challenger.decision.as_str().to_string(),
            }),
            content_hash: event.content_hash,
            columns_hash: event.columns_hash,
            prev_hash: event.prev_hash,
            hash: event.hash,
        })
    }
}

/// `GET /decisions`: a page of recorded decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DecisionsPage {
    /// The decisions, oldest first (newest first when asked).
    pub decisions: Vec<RecordedDecision>,
    /// The cursor of the next page (`after=`), when there may be one.
    #[schema(nullable)]
    pub next: Option<i64>,
}

/// `GET /decisions?…`: filters and the page.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionsQuery {
    /// Only this client.
    pub client_id: Option<i64>,
    /// Only this RM.
    pub rm: Option<String>,
    /// Recorded at or after this UTC date or time (`2026-12-01`, `2026-12-01T10:00:00Z`).
    pub from: Option<String>,
    /// Recorded before this UTC time, or up to the end of this date.
    pub to: Option<String>,
    /// Only this final decision.
    pub decision: Option<FinalDecision>,
    /// Only overrides (`true`) or decisions as proposed (`false`).
    pub overridden: Option<bool>,
    /// Only decisions that stand so: `decided` (never contested), `contested` (a contest waits
    /// for its review), `reviewed`, `upheld` or `overturned`.
    pub state: Option<StateQuery>,
    /// The cursor: the `next` of the previous page.
    pub after: Option<i64>,
    /// Most decisions in the page (default 100, at most 1000).
    pub limit: Option<usize>,
    /// Newest first (`true`; the cursor then pages towards older decisions) instead of oldest first.
    pub newest_first: Option<bool>,
}
