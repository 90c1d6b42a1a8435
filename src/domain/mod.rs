//! Plain data types shared by every front end: decisions, thresholds, and the schema of the
//! inputs a model expects.
//!
//! Depends on std and serde only.

mod advice;
mod client;
pub mod format;
pub mod history;
mod policy;
pub mod schema;
pub mod wording;

pub use advice::*;
pub use client::*;
pub use policy::PolicyClass;

use std::fmt;

/// The credit decision for one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Decision {
    /// The probability of default is below the threshold.
    Accepted,
    /// The probability of default is at or above the threshold.
    Refused,
    /// No decision: the application lacks a field every decision needs (see
    /// [`Score::missing`]); a probability may still be shown, as an exploration only.
    Incomplete,
}

impl Decision {
    /// Refused when `probability >= threshold`: the threshold is the smallest refused
    /// probability. A NaN probability is refused, never accepted by accident.
    pub fn from_probability(probability: f64, threshold: Threshold) -> Decision {
        if probability < threshold.value() { Decision::Accepted } else { Decision::Refused }
    }

    /// The decision of a complete application, [`Decision::Incomplete`] when a required field
    /// is missing (`missing` names them).
    pub fn of_application(probability: f64, threshold: Threshold, missing: &[String]) -> Decision {
        if missing.is_empty() { Decision::from_probability(probability, threshold) } else { Decision::Incomplete }
    }

    /// Whether this is a decision (accepted or refused) rather than an incomplete application.
    pub fn is_decided(&self) -> bool {
        !matches!(self, Decision::Incomplete)
    }

    /// The word shown to people and written in files.
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::Accepted => "ACCEPTED",
            Decision::Refused => "REFUSED",
            Decision::Incomplete => "INCOMPLETE",
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A decision threshold on the probability of default, checked to lie in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Threshold(f64);

impl Threshold {
    /// LightGBM's usual cut-off, used when neither a model card nor the user gives one.
    pub const DEFAULT: Threshold = Threshold(0.5);

    /// A threshold, or `None` unless `value` is a number in [0, 1].
    pub fn new(value: f64) -> Option<Threshold> {
        (0.0..=1.0).contains(&value).then_some(Threshold(value))
    }

    /// The probability value.
    pub fn value(&self) -> f64 {
        self.0
    }
}

/// A category label of a pandas categorical column, as the Python package stored it.
#[derive(Debug, Clone, PartialEq)]
pub enum CategoryLabel {
    /// A string label such as `"Cash loans"`.
    Text(String),
    /// A numeric label; matched against the number a field parses to.
    Number(f64),
}

/// One input feature as a data source must fill it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSpec {
    /// Column name, matched exactly.
    pub name: String,
    /// For a pandas categorical column: its labels; the code fed to the model is the position.
    pub labels: Option<Vec<CategoryLabel>>,
    /// Whether the model splits on it (a feature it never uses may be absent from the data).
    pub used: bool,
}

/// The inputs a model expects, in model order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureSchema {
    /// One entry per model feature.
    pub features: Vec<FeatureSpec>,
    /// Whether `DAYS_EMPLOYED` is read with its "not employed" placeholder (365243) as missing,
    /// as models trained by this package expect; models trained elsewhere get raw values.
    pub clean_days_employed: bool,
}

/// A model card (`model.json` beside the model): what the model is, what it was trained on,
/// how well it does and where it decides. Every field is optional so that cards written by
/// other tools, or older ones, still load; the dashboard shows what is there.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct ModelCard {
    /// The card layout version.
    #[serde(default)]
    pub format_version: Option<u32>,
    /// The decision threshold chosen at training time.
    #[serde(default)]
    pub threshold: Option<f64>,
    /// The model's version label.
    #[serde(default)]
    pub model_version: Option<String>,
    /// The feature pipeline the model was trained with; [`PIPELINE_VERSION`] for models
    /// trained by this package (their `DAYS_EMPLOYED` placeholder is read as missing).
    #[serde(default)]
    pub pipeline: Option<String>,
    /// The model's features as the card lists them.
    #[serde(default)]
    pub features: Vec<CardFeature>,
    /// The business cost of each kind of error the threshold minimises.
    #[serde(default)]
    pub cost_weights: Option<CardCostWeights>,
    /// The data the model was trained on.
    #[serde(default)]
    pub training_data: Option<TrainingData>,
    /// Columns deliberately left out of the model (protected attributes among them).
    #[serde(default)]
    pub excluded: Vec<String>,
    /// How the cross-validation was run.
    #[serde(default)]
    pub cross_validation: Option<CrossValidation>,
    /// Out-of-fold quality of the model at its threshold.
    #[serde(default)]
    pub metrics: Option<CardMetrics>,
    /// The cost per client at each candidate threshold: `(threshold, cost)` pairs.
    #[serde(default)]
    pub cost_curve: Vec<(f64, f64)>,
    /// Every raw application field the model reads, with its missing rate in the training
    /// data and whether a decision needs it (see [`CardInput::required`]). Empty in cards
    /// written before it was recorded, and in cards of models trained elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<CardInput>,
    /// The credit-history tables the model reads (`bureau`, `bureau_balance`,
    /// `credit_card_balance`); empty for a model of the application table alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history_tables: Vec<String>,
    /// The reason policy the model was trained under (its protected features left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<CardPolicy>,
}

/// The reason policy named in a model card.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CardPolicy {
    /// The policy file, as the desk ships it (`assets/policy.toml`).
    pub file: String,
    /// Its version.
    pub version: String,
}

/// The largest share of training rows in which a field may be missing for the field to be
/// required of every application: 0.5 %. Fields this rarely missing are ones every real
/// application gives (age, income, employment, family status, the loan's amounts); leaving
/// one out would send it down the model's default branch, which was learned from almost no
/// clients. Fields missing more often (external scores, building statistics) are scored as
/// missing, as LightGBM does.
pub const REQUIRED_MAX_MISSING_RATE: f64 = 0.005;

/// A raw application field the model reads, as a card records it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CardInput {
    /// The column name in the application table.
    pub name: String,
    /// Share of training rows in which it was missing (0 to 1); the `DAYS_EMPLOYED`
    /// placeholder for "not employed" counts as given.
    pub missing_rate: f64,
    /// Whether every decision needs it: missing in at most [`REQUIRED_MAX_MISSING_RATE`] of
    /// the training rows.
    pub required: bool,
}

impl CardInput {
    /// The record of a field missing in `missing` of `rows` training rows.
    pub fn measured(name: &str, missing: usize, rows: usize) -> CardInput {
        let missing_rate = if rows == 0 { 1.0 } else { missing as f64 / rows as f64 };
        CardInput {
            name: name.to_string(),
            missing_rate,
            required: rows > 0 && missing_rate <= REQUIRED_MAX_MISSING_RATE,
        }
    }
}

/// Costs of the two kinds of error, as a model card records them.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CardCostWeights {
    /// Cost of accepting a client who defaults.
    pub cost_fn: f64,
    /// Cost of refusing a client who would have repaid.
    pub cost_fp: f64,
}

/// The training data's fingerprint.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct TrainingData {
    /// File name the model was trained from.
    #[serde(default)]
    pub file: Option<String>,
    /// Number of clients.
    #[serde(default)]
    pub rows: Option<u64>,
    /// Share of clients with payment difficulties.
    #[serde(default)]
    pub default_rate: Option<f64>,
    /// SHA-256 of the file, in hexadecimal.
    #[serde(default)]
    pub sha256: Option<String>,
}

/// How a card's cross-validation was run.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CrossValidation {
    /// Number of folds.
    #[serde(default)]
    pub folds: Option<u32>,
    /// Seed of the folds.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Trees of the final model.
    #[serde(default)]
    pub final_iterations: Option<u32>,
}

/// Out-of-fold metrics of a card.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CardMetrics {
    /// Area under the ROC curve of the out-of-fold probabilities.
    #[serde(default)]
    pub oof_auc: Option<f64>,
    /// Average business cost per client at the threshold.
    #[serde(default)]
    pub cost_per_client: Option<f64>,
    /// Counts at the threshold (positive = refused; a defaulter is an actual positive).
    #[serde(default)]
    pub confusion: Option<CardConfusion>,
}

/// A confusion matrix at the threshold, as a card records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CardConfusion {
    /// Defaulters refused.
    pub true_positives: u64,
    /// Good clients refused.
    pub false_positives: u64,
    /// Good clients accepted.
    pub true_negatives: u64,
    /// Defaulters accepted.
    pub false_negatives: u64,
}

/// The feature pipeline of this package, as recorded in the cards of the models it trains.
pub const PIPELINE_VERSION: &str = "pad-features/1";

/// A feature as a model card lists it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct CardFeature {
    /// The feature name, as in the model.
    pub name: String,
    /// For a categorical feature: its labels; the code fed to the model is the position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// The client can change it in the application (the card may add to the bundled labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actionable: Option<bool>,
    /// Never a reason given to a customer (the card may add to the bundled labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<bool>,
}

impl FeatureSchema {
    /// Applies a model card: its category lists replace the model file's, and a model trained
    /// by this package reads `DAYS_EMPLOYED` with its placeholder as missing.
    pub fn with_card(mut self, card: &ModelCard) -> FeatureSchema {
        for feature in &mut self.features {
            let listed = card.features.iter().find(|listed| listed.name == feature.name);
            if let Some(categories) = listed.and_then(|listed| listed.categories.as_ref()) {
                feature.labels = Some(categories.iter().cloned().map(CategoryLabel::Text).collect());
            }
        }
        self.clean_days_employed = card.pipeline.as_deref() == Some(PIPELINE_VERSION);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_is_the_smallest_refused_probability() {
        let threshold = Threshold::new(0.3);
        assert!(threshold.is_some());
        let threshold = threshold.unwrap_or(Threshold::DEFAULT);
        assert_eq!(Decision::from_probability(0.299, threshold), Decision::Accepted);
        assert_eq!(Decision::from_probability(0.3, threshold), Decision::Refused);
        assert_eq!(Decision::from_probability(f64::NAN, threshold), Decision::Refused);
        assert!(Threshold::new(1.5).is_none());
        assert!(Threshold::new(f64::NAN).is_none());
        assert_eq!(Decision::Refused.to_string(), "REFUSED");
    }

    #[test]
    fn a_card_supplies_categories_and_the_pipeline() {
        let schema = FeatureSchema {
            features: vec![
                FeatureSpec { name: "NAME_CONTRACT_TYPE".into(), labels: None, used: true },
                FeatureSpec { name: "AMT_CREDIT".into(), labels: None, used: true },
            ],
            clean_days_employed: false,
        };
        let card: ModelCard = serde_json::from_str(
            r#"{"threshold": 0.3, "pipeline": "pad-features/1", "metrics": {"auc": 0.75},
                "features": [{"name": "NAME_CONTRACT_TYPE", "kind": "categorical", "categories": ["Cash loans", "Revolving loans"]},
                             {"name": "AMT_CREDIT", "kind": "numeric"}]}"#,
        )
        .unwrap_or_default();
        let schema = schema.with_card(&card);
        assert!(schema.clean_days_employed);
        assert_eq!(
            schema.features[0].labels,
            Some(vec![CategoryLabel::Text("Cash loans".into()), CategoryLabel::Text("Revolving loans".into())])
        );
        assert_eq!(schema.features[1].labels, None);
    }
}
