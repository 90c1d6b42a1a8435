//! The bodies of the model routes: its features, its card, a feature's distribution in the
//! reference population, and the portfolio.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{Bins, Distribution, FeatureDescription, Portfolio};
use crate::scoring::ScorerInfo;

/// A model feature, as people read it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeatureDto {
    /// The column name.
    pub name: String,
    /// English label.
    pub label_en: String,
    /// French label.
    pub label_fr: String,
    /// Unit: `EUR`, `days`, `years`, `ratio`, `flag`, `category`, … (empty when unknown).
    pub unit: String,
    /// The categories, in code order, for a categorical feature.
    pub categories: Option<Vec<String>>,
    /// Whether the client can change it in the application (what-if).
    pub actionable: bool,
    /// Whether it is a protected attribute, never quoted as a reason.
    pub protected: bool,
    /// Whether it is computed from other columns.
    pub derived: bool,
    /// Whether any tree of the model splits on it.
    pub used: bool,
    /// Whether every decision needs it given (an application without it is `INCOMPLETE`).
    #[serde(default)]
    pub required: bool,
    /// Its class in the reason policy: `protected`, `not_for_customers`, `explained` or
    /// `actionable`.
    #[serde(default)]
    #[schema(value_type = String, example = "explained")]
    pub class: crate::domain::PolicyClass,
}

impl From<&FeatureDescription> for FeatureDto {
    fn from(feature: &FeatureDescription) -> FeatureDto {
        FeatureDto {
            name: feature.name.clone(),
            label_en: feature.label_en.clone(),
            label_fr: feature.label_fr.clone(),
            unit: feature.unit.clone(),
            categories: feature.categories.clone(),
            actionable: feature.actionable,
            protected: feature.protected,
            derived: feature.derived,
            used: feature.used,
            required: feature.required,
            class: feature.class,
        }
    }
}

impl From<FeatureDto> for FeatureDescription {
    fn from(feature: FeatureDto) -> FeatureDescription {
        FeatureDescription {
            name: feature.name,
            label_en: feature.label_en,
            label_fr: feature.label_fr,
            unit: feature.unit,
            categories: feature.categories,
            actionable: feature.actionable,
            protected: feature.protected,
            derived: feature.derived,
            used: feature.used,
            required: feature.required,
            class: feature.class,
        }
    }
}

/// `GET /model`: the model served, its threshold, features and card.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ModelResponse {
    /// The model version: the card's, else `sha256-` and 12 hex digits of the model file.
    pub model_version: String,
    /// The decision threshold: refused at or above it.
    pub threshold: f64,
    /// Where the threshold comes from (`model card`, `--threshold`, or the default).
    pub threshold_origin: String,
    /// Clients in the reference population.
    pub reference_clients: usize,
    /// The model's features, in model order.
    pub features: Vec<FeatureDto>,
    /// The model card (training data, cross-validated metrics, cost curve), when there is one.
    #[schema(value_type = Option<Object>)]
    pub card: Option<crate::domain::ModelCard>,
    /// Things to know about the served data (repaired lines, unknown categories).
    pub warnings: Vec<String>,
    /// The version of the reason policy (`assets/policy.toml`) the reasons obey.
    #[serde(default)]
    pub policy_version: String,
}

impl From<&ScorerInfo> for ModelResponse {
    fn from(info: &ScorerInfo) -> ModelResponse {
        ModelResponse {
            model_version: info.model_version.clone(),
            threshold: info.threshold,
            threshold_origin: info.threshold_origin.clone(),
            reference_clients: info.reference_clients,
            features: info.features.iter().map(FeatureDto::from).collect(),
            card: info.card.clone(),
            warnings: info.warnings.clone(),
            policy_version: info.policy_version.clone(),
        }
    }
}

/// `GET /features/{name}/distribution`: a feature in the reference population.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DistributionResponse {
    /// The feature.
    pub feature: String,
    /// `n + 1` increasing bin edges, for a numeric feature (the end bins also hold the tails).
    pub edges: Option<Vec<f64>>,
    /// One bin per category, in code order, for a categorical feature.
    pub categories: Option<Vec<String>>,
    /// Clients who repaid, per bin.
    pub repaid: Vec<u64>,
    /// Clients who defaulted, per bin.
    pub defaulted: Vec<u64>,
    /// Clients who repaid with no value.
    pub missing_repaid: u64,
    /// Clients who defaulted with no value.
    pub missing_defaulted: u64,
}

impl From<&Distribution> for DistributionResponse {
    fn from(distribution: &Distribution) -> DistributionResponse {
        let (edges, categories) = match &distribution.bins {
            Bins::Numeric { edges } => (Some(edges.clone()), None),
            Bins::Categorical { categories } => (None, Some(categories.clone())),
        };
        DistributionResponse {
            feature: distribution.feature.clone(),
            edges,
            categories,
            repaid: distribution.repaid.clone(),
            defaulted: distribution.defaulted.clone(),
            missing_repaid: distribution.missing.0,
            missing_defaulted: distribution.missing.1,
        }
    }
}

impl DistributionResponse {
    /// Back to the domain value; `None` when it has neither edges nor categories.
    pub fn to_distribution(&self) -> Option<Distribution> {
        let bins = match (&self.edges, &self.categories) {
            (Some(edges), None) => Bins::Numeric { edges: edges.clone() },
            (None, Some(categories)) => Bins::Categorical { categories: categories.clone() },
            _ => return None,
        };
        Some(Distribution {
            feature: self.feature.clone(),
            bins,
            repaid: self.repaid.clone(),
            defaulted: self.defaulted.clone(),
            missing: (self.missing_repaid, self.missing_defaulted),
        })
    }
}

/// `GET /portfolio`: the served applicants as a whole.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PortfolioResponse {
    /// Every applicant's probability of default, in file order.
    pub probabilities: Vec<f64>,
    /// The decision threshold.
    pub threshold: f64,
    /// Global importance: mean |contribution| per model feature, in log-odds.
    pub mean_abs_log_odds: Vec<f64>,
    /// The same in probability units.
    pub mean_abs_points: Vec<f64>,
}

impl From<&Portfolio> for PortfolioResponse {
    fn from(portfolio: &Portfolio) -> PortfolioResponse {
        PortfolioResponse {
            probabilities: portfolio.probabilities.clone(),
            threshold: portfolio.threshold,
            mean_abs_log_odds: portfolio.mean_abs_log_odds.clone(),
            mean_abs_points: portfolio.mean_abs_points.clone(),
        }
    }
}

impl From<PortfolioResponse> for Portfolio {
    fn from(portfolio: PortfolioResponse) -> Portfolio {
        Portfolio {
            probabilities: portfolio.probabilities,
            threshold: portfolio.threshold,
            mean_abs_log_odds: portfolio.mean_abs_log_odds,
            mean_abs_points: portfolio.mean_abs_points,
        }
    }
}
