//! Where front ends get scores from: the [`Scorer`] trait and [`LocalScorer`], which scores
//! in process with the model, the current applicants and a reference population.
//!
//! The dashboard only knows the trait, so the same screens work over a remote `pad serve`.
//! Methods may take time (TreeSHAP over a portfolio, a scan of the reference population, a
//! network call): front ends call them off their UI task.
//!
//! Uses: model, explain, data, domain, config.

mod bundle;
mod levers;
mod local;
mod reference;

pub use crate::config::LocalSources;
use crate::data::DataError;
use crate::data::completeness::UnknownRequiredField;
use crate::domain::format::{QUOTE_MAX_CHARS, quote_external};
use crate::domain::{
    ClientId, ClientRecord, ClientSummary, Counterfactual, Distribution, Explanation, FeatureDescription,
    FeatureInputs, InputValue, ModelCard, Portfolio, Score,
};
use crate::drift::DriftReport;
use crate::error::ConfigError;
use crate::explain::ExplainError;
use crate::explain::reasons;
use crate::model::ModelError;
use std::path::PathBuf;

pub use bundle::{MAX_VERSION_CHARS, ModelBundle, completeness_of, describe_features};
pub use local::{LocalScorer, MODEL_VERSION_MAX_CHARS};

/// Errors of a scorer, each saying what was asked and what went wrong.
#[derive(Debug, thiserror::Error)]
pub enum ScoringError {
    /// No client has this id.
    #[error("no client with id {0}")]
    UnknownClient(ClientId),
    /// No model feature has this name.
    #[error("the model has no feature `{}`", quote_external(.0, QUOTE_MAX_CHARS))]
    UnknownFeature(String),
    /// The model file cannot be used.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The model card or a setting cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The card does not describe the model beside it.
    #[error(
        "{card} does not describe {model}: {difference} (a card left from another model? move it away or train again)"
    )]
    CardMismatch {
        /// The card.
        card: PathBuf,
        /// The model.
        model: PathBuf,
        /// The first difference between the card's features and the model's.
        difference: String,
    },
    /// The card names another model version than the model beside it.
    #[error(
        "{card} does not describe {model}: the card is for model version {card_version}, the model file is \
         {model_version} (a card left from another model? move it away or train again)"
    )]
    CardVersionMismatch {
        /// The card.
        card: PathBuf,
        /// The model.
        model: PathBuf,
        /// The card's `model_version`.
        card_version: String,
        /// The version computed from the model file.
        model_version: String,
    },
    /// The card's `model_version` is too long to be a version label.
    #[error("{card}: `model_version` is {length} characters long; a version label has at most {MAX_VERSION_CHARS}")]
    CardVersionLength {
        /// The card.
        card: PathBuf,
        /// Its length in characters.
        length: usize,
    },
    /// A data file cannot be used.
    #[error(transparent)]
    Data(Box<DataError>),
    /// The client table has no client ids.
    #[error(
        "{0}: no SK_ID_CURR column: clients are looked up by their id (the dashboard, `pad serve` and \
         `pad explain --id N --report` need it); add the column, or use `pad predict` or `pad explain` without --id"
    )]
    NoIds(PathBuf),
    /// The client table has no rows.
    #[error("{0}: no clients in the file")]
    NoClients(PathBuf),
    /// The reference population's credit history, read after the rest, cannot be used.
    #[error("the reference population's credit history cannot be used: {0}")]
    ReferenceHistory(String),
    /// The reference population has no outcomes.
    #[error("{0}: no TARGET column; the reference population must be a history with outcomes (1 = defaulted)")]
    NoTarget(PathBuf),
    /// An outcome is neither 0 nor 1.
    #[error("{path}: {location}: TARGET is {value}, expected 0 (repaid) or 1 (defaulted)")]
    BadTarget {
        /// The history.
        path: PathBuf,
        /// Line or row.
        location: String,
        /// The value found.
        value: f64,
    },
    /// TreeSHAP failed.
    #[error(transparent)]
    Explain(#[from] ExplainError),
    /// The drift comparison failed.
    #[error(transparent)]
    Drift(#[from] crate::drift::DriftError),
    /// The fairness assessment failed.
    #[error(transparent)]
    Fairness(#[from] crate::fairness::FairnessError),
    /// A remote scorer could not get an answer.
    #[error("{}", quote_external(.0, 2000))]
    Remote(String),
    /// A remote scorer's server answered that it cannot do what was asked.
    #[error("{}", quote_external(.0, 2000))]
    Rejected(String),
    /// The sentences of the reasons cannot be used.
    #[error(transparent)]
    Reasons(#[from] reasons::ReasonsError),
    /// An applicant's inputs cannot be used.
    #[error(transparent)]
    Input(#[from] crate::data::inputs::InputError),
    /// The application lacks fields every decision needs.
    #[error(
        "incomplete application: the required field{} {} {} missing; no decision is made without {}",
        if .missing.len() == 1 { "" } else { "s" },
        .missing.join(", "),
        if .missing.len() == 1 { "is" } else { "are" },
        if .missing.len() == 1 { "it" } else { "them" }
    )]
    Incomplete {
        /// The required fields missing.
        missing: Vec<String>,
    },
    /// A required field is not one the model reads.
    #[error(transparent)]
    RequiredField(#[from] UnknownRequiredField),
    /// A what-if change cannot be applied.
    #[error("cannot set {}: {message}", quote_external(.feature, QUOTE_MAX_CHARS))]
    InvalidChange {
        /// The feature asked for.
        feature: String,
        /// Why not.
        message: String,
    },
}

/// Data errors are boxed: some name a file, a row, a column and a value.
impl From<DataError> for ScoringError {
    fn from(error: DataError) -> ScoringError {
        ScoringError::Data(Box::new(error))
    }
}

/// Where a scorer's answers come from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Source {
    /// In this process, from these files.
    Local {
        /// The model file.
        model: PathBuf,
    },
    /// From a `pad serve` at this address.
    Remote {
        /// The server's base URL.
        url: String,
    },
}

/// What a scorer scores with: the model's identity, its threshold and its features.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScorerInfo {
    /// Where answers come from.
    pub source: Source,
    /// The model version: the card's, else `sha256-` and 12 hex digits of the model file.
    pub model_version: String,
    /// The decision threshold.
    pub threshold: f64,
    /// Where the threshold came from, for people ("model card", "--threshold", "default").
    pub threshold_origin: String,
    /// The model card, when one lies beside the model.
    pub card: Option<ModelCard>,
    /// The model's features, in model order.
    pub features: Vec<FeatureDescription>,
    /// Clients in the reference population.
    pub reference_clients: usize,
    /// Things people should know about the data (repaired lines, unknown categories).
    pub warnings: Vec<String>,
    /// The version of the reason policy (`assets/policy.toml`) the reasons obey.
    pub policy_version: String,
    /// History tables the model reads that the applicants came without (`bureau`…): their
    /// features are missing values for every client, and decisions say so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_history: Vec<String>,
}

/// Scores, explanations and comparisons for the clients of one portfolio.
///
/// Implementations may block (CPU work or network): call them off any UI task.
pub trait Scorer: Send + Sync {
    /// The model's identity, threshold and features.
    fn info(&self) -> &ScorerInfo;

    /// Starts, without waiting, what the scorer left to read until asked (the reference's
    /// credit history of a scorer loaded with [`LocalScorer::load_deferred`]): a front end
    /// calls it once its first screen is drawn.
    fn warm_up(&self) {}

    /// Every current applicant, in file order.
    fn clients(&self) -> Result<Vec<ClientSummary>, ScoringError>;

    /// One client's features, with where each stands in the reference population.
    fn client(&self, id: ClientId) -> Result<ClientRecord, ScoringError>;

    /// One client's credit-history records (bureau credits, monthly statuses, card months);
    /// `None` when this scorer has no history tables for its applicants.
    fn history(&self, id: ClientId) -> Result<Option<crate::domain::history::ClientHistory>, ScoringError> {
        let _ = id;
        Ok(None)
    }

    /// One client's probability of default and decision.
    fn predict(&self, id: ClientId) -> Result<Score, ScoringError>;

    /// One client's score with its TreeSHAP contributions and principal reasons.
    fn explain(&self, id: ClientId) -> Result<Explanation, ScoringError>;

    /// The probability of default and decision of an applicant given by named inputs (see
    /// [`crate::data::inputs`]); the score's client id is the `SK_ID_CURR` given, else 0.
    fn predict_inputs(&self, inputs: &FeatureInputs) -> Result<Score, ScoringError>;

    /// The explanation of an applicant given by named inputs, as [`Scorer::explain`].
    fn explain_inputs(&self, inputs: &FeatureInputs) -> Result<Explanation, ScoringError>;

    /// What would change a refused client's decision: the smallest change of the actionable
    /// inputs found within the reference population's ranges (see
    /// [`crate::explain::counterfactual`]).
    fn counterfactual(&self, id: ClientId) -> Result<Counterfactual, ScoringError>;

    /// What would change the decision on an applicant given by named inputs, as
    /// [`Scorer::counterfactual`] (an incomplete application is refused the same way).
    fn counterfactual_inputs(&self, inputs: &FeatureInputs) -> Result<Counterfactual, ScoringError> {
        let _ = inputs;
        Err(ScoringError::Rejected("this scorer cannot search changes for an applicant given by inputs".into()))
    }

    /// A client's explanation with some actionable inputs set to other values (`(feature,
    /// value)`; derived features follow). The client's data is not changed.
    fn what_if(&self, id: ClientId, changes: &[(String, f64)]) -> Result<Explanation, ScoringError>;

    /// How a feature is spread in the reference population, repaid and defaulted apart.
    fn distribution(&self, feature: &str) -> Result<Distribution, ScoringError>;

    /// Scores and global importance over every applicant; `progress(done, total)` is called
    /// as rows are done (from any thread).
    fn portfolio(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Portfolio, ScoringError>;

    /// Drift of the applicants against the reference population (see [`crate::drift`]).
    fn drift(&self) -> Result<DriftReport, ScoringError>;

    /// Fairness of the decisions on the reference population, whose outcomes are known (see
    /// [`crate::fairness`]).
    fn fairness(&self) -> Result<crate::fairness::FairnessReport, ScoringError>;

    /// How the answers are arriving, for a scorer over a network; `None` in process.
    fn link(&self) -> Option<Link> {
        None
    }

    /// Checks that answers can be had again after a failure (a network scorer asks its
    /// server); in process there is nothing to check.
    fn reconnect(&self) -> Result<Link, ScoringError> {
        Ok(Link::default())
    }
}

/// The state of a network scorer's connection, for a status bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Link {
    /// The server.
    pub server: String,
    /// How long the last answer took.
    pub last_latency: Option<std::time::Duration>,
    /// Why the last request failed, while the server has not answered since.
    pub failure: Option<String>,
    /// Requests finished so far: of two reports, the one with more is the newer.
    pub finished: u64,
}

/// The `SK_ID_CURR` among named inputs when it is a whole number, else 0.
pub fn id_of_inputs(inputs: &FeatureInputs) -> ClientId {
    inputs
        .iter()
        .find_map(|(name, value)| match value {
            InputValue::Number(id) if name == crate::data::ID_COLUMN && id.fract() == 0.0 && id.abs() < 9.0e15 => {
                Some(*id as ClientId)
            }
            _ => None,
        })
        .unwrap_or(0)
}
