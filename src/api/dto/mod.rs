//! The JSON bodies of the API, with their OpenAPI schemas, and their conversions from and to
//! the domain types. [`crate::remote`] reads the same types, so both ends agree by
//! construction.
//!
//! Uses: domain, scoring (the scorer's description of itself).

mod cases;
mod clients;
mod counterfactual;
mod decisions;
mod evidence;
mod model;
mod scoring;

use crate::domain::{Decision, format::Language};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use cases::{
    AccessDto, AccessLogPage, AccessLogQuery, CaseDto, CaseEventDto, ChannelDto, ContestRequest, ContestsPage,
    ContestsQuery, CorrectionRequest, MeDto, OpenContestDto, OutcomeDto, ReviewRequest,
};
pub use clients::{ClientRecordDto, ClientSummaryDto, ClientsPage, ClientsQuery, FieldDto, ValueDto};
pub use counterfactual::{ChangeDto, CounterfactualResponse, LeverDto, LoanKindDto, Outcome};
pub use decisions::{DecisionRequest, DecisionsPage, DecisionsQuery, FinalDecision, RecordedDecision, ShownReasonDto};
pub use evidence::{ConsistencyProofDto, ConsistencyQuery, InclusionProofDto, ProofQuery};
pub use model::{DistributionResponse, FeatureDto, ModelResponse, PortfolioResponse};
pub use scoring::{
    BatchRequest, BatchResponse, ClientRequest, ContributionDto, EffectDto, ExplainResponse, FeatureMap,
    PredictResponse, ReasonDto, ScoreRequest, Subject, Translations, WhatIfRequest,
};

/// `GET /health`: the server is up.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    /// The model version served.
    pub model_version: String,
}

/// An error: what went wrong and what to fix.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error inside [`ErrorBody`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `unknown_client`, `invalid_features`.
    pub code: String,
    /// A sentence for people: what was wrong and, for client errors, what to fix.
    pub message: String,
    /// The request field at fault, when there is one (e.g. `features.AMT_CREDIT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The language of the customer sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English (default).
    #[default]
    En,
    /// French.
    Fr,
}

impl<'de> Deserialize<'de> for Lang {
    /// `"en"` or `"fr"`. Read as a text first, so that another type (`"lang": 5`) is a wrong
    /// value of the field (serde_json reports a number given for an enum as a syntax error).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Lang, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            other => Err(serde::de::Error::unknown_variant(other, &["en", "fr"])),
        }
    }
}

impl From<Lang> for Language {
    fn from(lang: Lang) -> Language {
        match lang {
            Lang::En => Language::En,
            Lang::Fr => Language::Fr,
        }
    }
}

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum DecisionDto {
    /// The probability of default is below the threshold.
    Accepted,
    /// The probability of default is at or above the threshold.
    Refused,
    /// No decision: the application lacks required fields (`missing_required`); the
    /// probability is an exploration only (given when the request set `allow_incomplete`).
    Incomplete,
}

impl From<Decision> for DecisionDto {
    fn from(decision: Decision) -> DecisionDto {
        match decision {
            Decision::Accepted => DecisionDto::Accepted,
            Decision::Refused => DecisionDto::Refused,
            Decision::Incomplete => DecisionDto::Incomplete,
        }
    }
}

impl From<DecisionDto> for Decision {
    fn from(decision: DecisionDto) -> Decision {
        match decision {
            DecisionDto::Accepted => Decision::Accepted,
            DecisionDto::Refused => Decision::Refused,
            DecisionDto::Incomplete => Decision::Incomplete,
        }
    }
}
