//! Where front ends get scores from: the [`Scorer`] trait and [`LocalScorer`], which scores
//! in process with the model, the current applicants and a reference population.
//!
//! The dashboard only knows the trait, so the same screens work over a remote `pad serve`.
//! Methods may take time (TreeSHAP over a portfolio, a scan of the reference population, a
//! network call): front ends call them off their UI task.
//!
//! Uses: model, explain, data, domain, config.

mod reference;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

pub use crate::config::LocalSources;
use crate::config::{card_path, read_card, resolve_threshold};
use crate::data::completeness::{self, Completeness, CompletenessPolicy, UnknownRequiredField};
use crate::data::labels::Labels;
use crate::data::{ClientTable, DataError, FeatureMatrix};
use crate::domain::format::{QUOTE_MAX_CHARS, quote_external};
use crate::domain::{
    Bins, CategoryLabel, ClientId, ClientRecord, ClientSummary, Counterfactual, Decision, Distribution, Explanation,
    FeatureChange, FeatureDescription, FeatureInputs, FeatureSchema, Field, FieldValue, InputValue, ModelCard,
    Portfolio, Score, Threshold,
};
use crate::drift::DriftReport;
use crate::error::ConfigError;
use crate::explain::counterfactual::{self, SearchOutcome, SearchSpace};
use crate::explain::reasons::{self, ClientFacts, ReasonInput, RepaidStanding, Templates};
use crate::explain::{Contributions, ExplainError, Explainer, Method, probability_points};
use crate::model::{Model, ModelError};
use reference::ReferenceIndex;

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
    Data(#[from] DataError),
    /// The client table has no client ids.
    #[error(
        "{0}: no SK_ID_CURR column: clients are looked up by their id (the dashboard, `pad serve` and \
         `pad explain --id N --report` need it); add the column, or use `pad predict` or `pad explain` without --id"
    )]
    NoIds(PathBuf),
    /// The client table has no rows.
    #[error("{0}: no clients in the file")]
    NoClients(PathBuf),
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
}

/// Scores, explanations and comparisons for the clients of one portfolio.
///
/// Implementations may block (CPU work or network): call them off any UI task.
pub trait Scorer: Send + Sync {
    /// The model's identity, threshold and features.
    fn info(&self) -> &ScorerInfo;

    /// Every current applicant, in file order.
    fn clients(&self) -> Result<Vec<ClientSummary>, ScoringError>;

    /// One client's features, with where each stands in the reference population.
    fn client(&self, id: ClientId) -> Result<ClientRecord, ScoringError>;

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

/// A model with its card and the input schema they describe together.
#[derive(Debug)]
pub struct ModelBundle {
    /// The model.
    pub model: Model,
    /// Its card, when present.
    pub card: Option<ModelCard>,
    /// The inputs it expects (categories from the card when there is one).
    pub schema: FeatureSchema,
}

impl ModelBundle {
    /// Reads a model and the card beside it, checking that the card describes this model.
    pub fn open(path: &Path) -> Result<ModelBundle, ScoringError> {
        let model = Model::from_path(path)?;
        let card = read_card(path)?;
        let schema = match &card {
            Some(card) => {
                check_card_version(card, path)?;
                let listed: Vec<&str> = card.features.iter().map(|feature| feature.name.as_str()).collect();
                if let Some(difference) = first_difference(&listed, model.feature_names()) {
                    return Err(ScoringError::CardMismatch {
                        card: card_path(path),
                        model: path.to_path_buf(),
                        difference,
                    });
                }
                model.schema().with_card(card)
            }
            None => model.schema(),
        };
        Ok(ModelBundle { model, card, schema })
    }

    /// The check of complete applications: the required fields the card lists, else those
    /// measured by the same rule in `history` (read only then), adjusted by
    /// `assets/policy.toml`. The note says when they were measured rather than read.
    pub fn completeness<T: std::borrow::Borrow<ClientTable>>(
        &self,
        history_path: &Path,
        history: impl FnOnce() -> Result<T, DataError>,
    ) -> Result<(Completeness, Option<String>), ScoringError> {
        completeness_of(&self.schema, self.card.as_ref(), history_path, history)
    }
}

/// [`ModelBundle::completeness`] of a model's schema and card.
pub fn completeness_of<T: std::borrow::Borrow<ClientTable>>(
    schema: &FeatureSchema,
    card: Option<&ModelCard>,
    history_path: &Path,
    history: impl FnOnce() -> Result<T, DataError>,
) -> Result<(Completeness, Option<String>), ScoringError> {
    {
        let policy = CompletenessPolicy::bundled()?;
        let listed = card.map(|card| card.inputs.as_slice()).unwrap_or_default();
        if !listed.is_empty() {
            return Ok((Completeness::new(schema, &completeness::required_of(listed), &policy)?, None));
        }
        let measured = completeness::input_rates(history()?.borrow(), schema, &policy);
        let required = completeness::required_of(&measured);
        if required.is_empty() {
            // A model that reads none of the application's fields: nothing to say.
            return Ok((Completeness::default(), None));
        }
        let note = format!(
            "the model card lists no required fields: {} required field(s) measured in {} ({})",
            required.len(),
            history_path.display(),
            completeness::rule()
        );
        Ok((Completeness::new(schema, &required, &policy)?, Some(note)))
    }
}

/// Longest `model_version` a card may give, in characters.
pub const MAX_VERSION_CHARS: usize = 64;

/// Checks the card's `model_version`: at most [`MAX_VERSION_CHARS`] characters and, when it is
/// a file digest as `pad train` writes it (`sha256-` and the first 12 hex digits of the model
/// file's SHA-256), the digest of the model file beside it.
fn check_card_version(card: &ModelCard, model: &Path) -> Result<(), ScoringError> {
    let Some(version) = card.model_version.as_deref() else { return Ok(()) };
    let length = version.chars().count();
    if length > MAX_VERSION_CHARS {
        return Err(ScoringError::CardVersionLength { card: card_path(model), length });
    }
    if version.starts_with("sha256-") {
        let model_version = file_version(model)?;
        if version != model_version {
            return Err(ScoringError::CardVersionMismatch {
                card: card_path(model),
                model: model.to_path_buf(),
                card_version: version.to_string(),
                model_version,
            });
        }
    }
    Ok(())
}

/// The first difference between the features a card lists and the model's, in words; `None`
/// when they agree or the card lists none.
fn first_difference(card: &[&str], model: &[String]) -> Option<String> {
    if card.is_empty() {
        return None;
    }
    let position = card.iter().zip(model).position(|(card, model)| card != model);
    match position {
        Some(position) => Some(format!(
            "feature {position} is `{}` in the card but `{}` in the model (features reordered or renamed)",
            card[position], model[position]
        )),
        None if card.len() == model.len() => None,
        None => {
            let (longer, name) = if card.len() > model.len() {
                ("card", card[model.len()])
            } else {
                ("model", model[card.len()].as_str())
            };
            Some(format!(
                "the card lists {} features and the model has {}; the {longer} goes on with `{name}` at position {}",
                card.len(),
                model.len(),
                card.len().min(model.len())
            ))
        }
    }
}

/// Scores in process: the model, the applicants' inputs and the reference population.
#[derive(Debug)]
pub struct LocalScorer {
    info: ScorerInfo,
    explainer: Explainer,
    threshold: Threshold,
    applicants: FeatureMatrix,
    summaries: Vec<ClientSummary>,
    rows_by_id: HashMap<ClientId, usize>,
    reference: ReferenceIndex,
    sources: LocalSources,
    schema: FeatureSchema,
    templates: Templates,
    search_space: SearchSpace,
    derivations: Vec<Derivation>,
    frozen: Vec<String>,
    completeness: Completeness,
}

/// A derived feature of the model recomputed from other model features after a change.
#[derive(Debug, Clone)]
struct Derivation {
    /// The derived feature.
    target: usize,
    /// Its name (the formula in [`crate::data::pipeline::derive`]).
    name: String,
    /// The model features it is computed from, in the pipeline's order.
    inputs: Vec<usize>,
}

/// How many characters of a card's `model_version` are shown.
pub const MODEL_VERSION_MAX_CHARS: usize = 80;

/// The contract type of a revolving credit line in the Home Credit files.
const REVOLVING_CATEGORY: &str = "Revolving loans";

/// Share of the reference population left out at each end of a counterfactual's ranges.
const COUNTERFACTUAL_TAIL: f64 = 0.01;

/// Bins of a numeric histogram (fewer for small whole numbers).
const HISTOGRAM_BINS: usize = 20;

/// Share of values left out at each end when choosing a histogram's range.
const HISTOGRAM_TAIL: f64 = 0.005;

impl LocalScorer {
    /// Reads the model, its card, the applicants and the reference population.
    pub fn load(sources: &LocalSources) -> Result<LocalScorer, ScoringError> {
        let bundle = ModelBundle::open(&sources.model)?;
        let (model, card, schema) = (&bundle.model, &bundle.card, &bundle.schema);
        let (threshold, origin) = resolve_threshold(sources.threshold, card.as_ref(), &sources.model)?;
        let model_version = match card.as_ref().and_then(|card| card.model_version.as_deref()) {
            // Shown on screens, in logs and on customer sheets: escaped and cut.
            Some(version) => quote_external(version, MODEL_VERSION_MAX_CHARS),
            None => file_version(&sources.model)?,
        };
        let labels = Labels::bundled()?;
        let mut features = describe_features(model, schema, card.as_ref(), &labels);

        let table = ClientTable::load(&sources.applicants)?;
        let mut warnings = Vec::new();
        let summaries = summarise(&table, &sources.applicants)?;
        let applicants = FeatureMatrix::from_table(&table, schema)?;
        drop(table);
        warn_about(&applicants, &sources.applicants, &mut warnings);
        let rows_by_id = summaries.iter().enumerate().map(|(row, summary)| (summary.id, row)).collect();

        let table = ClientTable::load(&sources.history)?;
        let Some(targets) = table.numeric(crate::data::schema::TARGET_COLUMN) else {
            return Err(ScoringError::NoTarget(sources.history.clone()));
        };
        let outcomes = crate::evaluation::outcomes(&targets).map_err(|_| {
            let row = targets.iter().position(|value| *value != 0.0 && *value != 1.0).unwrap_or(0);
            ScoringError::BadTarget {
                path: sources.history.clone(),
                location: table.location(row),
                value: targets.get(row).copied().unwrap_or(f64::NAN),
            }
        })?;
        let loan_ranges = LoanRanges::of(&table);
        let matrix = FeatureMatrix::from_table(&table, schema)?;
        let (completeness, note) = bundle.completeness(&sources.history, || Ok::<_, DataError>(&table))?;
        warnings.extend(note);
        for feature in &mut features {
            feature.required = completeness.is_required(&feature.name);
        }
        drop(table);
        warn_about(&matrix, &sources.history, &mut warnings);
        let reference = ReferenceIndex::build(&matrix, &outcomes);
        drop(matrix);

        let templates = Templates::bundled()?;
        let (derivations, frozen) = derivations(&features);
        // Inputs of a derived feature the model cannot recompute are not levers.
        let levers: Vec<FeatureDescription> = features
            .iter()
            .map(|feature| FeatureDescription {
                actionable: feature.actionable && !frozen.contains(&feature.name),
                ..feature.clone()
            })
            .collect();
        let search_space = search_space(&levers, &reference, &loan_ranges);
        let ModelBundle { model, card, schema } = bundle;
        let explainer = Explainer::new(Arc::new(model), Method::Fast)?;
        let info = ScorerInfo {
            source: Source::Local { model: sources.model.clone() },
            model_version,
            threshold: threshold.value(),
            threshold_origin: origin.describe(),
            card,
            features,
            reference_clients: outcomes.len(),
            warnings,
        };
        Ok(LocalScorer {
            info,
            explainer,
            threshold,
            applicants,
            summaries,
            rows_by_id,
            reference,
            sources: sources.clone(),
            schema,
            templates,
            search_space,
            derivations,
            frozen,
            completeness,
        })
    }

    /// The model.
    pub fn model(&self) -> &Model {
        self.explainer.model()
    }

    fn row_of(&self, id: ClientId) -> Result<&[f64], ScoringError> {
        self.rows_by_id.get(&id).and_then(|&row| self.applicants.row(row)).ok_or(ScoringError::UnknownClient(id))
    }

    /// The score of a model row: no decision when it lacks a required field.
    fn score_of(&self, id: ClientId, row: &[f64], probability: f64) -> Score {
        let missing = self.completeness.missing(row);
        Score {
            client_id: id,
            probability,
            threshold: self.threshold.value(),
            decision: Decision::of_application(probability, self.threshold, &missing),
            missing,
        }
    }

    fn feature_index(&self, name: &str) -> Result<usize, ScoringError> {
        self.info
            .features
            .iter()
            .position(|feature| feature.name == name)
            .ok_or_else(|| ScoringError::UnknownFeature(name.to_string()))
    }

    /// The field of feature `feature_idx` for an input value.
    fn field_value(&self, feature_idx: usize, value: f64) -> FieldValue {
        if value.is_nan() {
            return FieldValue::Missing;
        }
        let categories = self.info.features.get(feature_idx).and_then(|feature| feature.categories.as_ref());
        match categories {
            Some(categories) => {
                let code = value as usize;
                match categories.get(code) {
                    Some(name) if value >= 0.0 && value.fract() == 0.0 => FieldValue::Category(name.clone()),
                    _ => FieldValue::Number(value),
                }
            }
            None => FieldValue::Number(value),
        }
    }
}

impl Scorer for LocalScorer {
    fn info(&self) -> &ScorerInfo {
        &self.info
    }

    fn clients(&self) -> Result<Vec<ClientSummary>, ScoringError> {
        Ok(self.summaries.clone())
    }

    fn client(&self, id: ClientId) -> Result<ClientRecord, ScoringError> {
        let row = self.row_of(id)?;
        let n_reference = self.reference.n_clients as f64;
        let fields = row
            .iter()
            .zip(&self.reference.columns)
            .map(|(&value, column)| (value, column.standing(value)))
            .enumerate()
            .map(|(feature_idx, (value, count))| {
                let value = self.field_value(feature_idx, value);
                let with_value = count.with_value as f64;
                // Durations in days are negative in the data (days before the application): a
                // longer duration is a smaller number, so the percentile is taken from the top.
                let unit = self.info.features.get(feature_idx).map_or("", |feature| feature.unit.as_str());
                let durations = unit == "days";
                let (percentile, share) = match &value {
                    // Yes/no flags: the share answering the same.
                    FieldValue::Number(_) if unit == "flag" && n_reference > 0.0 => {
                        (None, Some(100.0 * count.equal as f64 / n_reference))
                    }
                    FieldValue::Number(_) if with_value > 0.0 => {
                        let below = (count.below as f64 + 0.5 * count.equal as f64) / with_value;
                        (Some(100.0 * if durations { 1.0 - below } else { below }), None)
                    }
                    FieldValue::Category(_) if n_reference > 0.0 => {
                        (None, Some(100.0 * count.equal as f64 / n_reference))
                    }
                    FieldValue::Missing if n_reference > 0.0 => {
                        (None, Some(100.0 * (n_reference - with_value) / n_reference))
                    }
                    _ => (None, None),
                };
                Field { value, percentile, share }
            })
            .collect();
        Ok(ClientRecord { id, fields, missing: self.completeness.missing(row) })
    }

    fn predict(&self, id: ClientId) -> Result<Score, ScoringError> {
        let row = self.row_of(id)?;
        let probability = self.model().predict_probability(row)?;
        Ok(self.score_of(id, row, probability))
    }

    fn explain(&self, id: ClientId) -> Result<Explanation, ScoringError> {
        let row = self.row_of(id)?;
        let contributions = self.explainer.explain(row)?;
        Ok(self.explanation_of(id, row, contributions))
    }

    fn predict_inputs(&self, inputs: &FeatureInputs) -> Result<Score, ScoringError> {
        let row = crate::data::inputs::row_from_inputs(inputs, &self.schema)?;
        let probability = self.model().predict_probability(&row)?;
        Ok(self.score_of(id_of_inputs(inputs), &row, probability))
    }

    fn explain_inputs(&self, inputs: &FeatureInputs) -> Result<Explanation, ScoringError> {
        let row = crate::data::inputs::row_from_inputs(inputs, &self.schema)?;
        let contributions = self.explainer.explain(&row)?;
        Ok(self.explanation_of(id_of_inputs(inputs), &row, contributions))
    }

    fn counterfactual(&self, id: ClientId) -> Result<Counterfactual, ScoringError> {
        let row = self.row_of(id)?;
        self.counterfactual_of_row(row)
    }

    fn counterfactual_inputs(&self, inputs: &FeatureInputs) -> Result<Counterfactual, ScoringError> {
        let row = crate::data::inputs::row_from_inputs(inputs, &self.schema)?;
        self.counterfactual_of_row(&row)
    }

    fn what_if(&self, id: ClientId, changes: &[(String, f64)]) -> Result<Explanation, ScoringError> {
        let mut row = self.row_of(id)?.to_vec();
        let mut changed = Vec::with_capacity(changes.len());
        for (name, value) in changes {
            let feature_idx = self.feature_index(name)?;
            let invalid =
                |message: &str| ScoringError::InvalidChange { feature: name.clone(), message: message.into() };
            let feature = &self.info.features[feature_idx];
            if !feature.actionable {
                return Err(invalid("only the inputs a client can change in the application may be set"));
            }
            if feature.categories.is_some() {
                return Err(invalid("categories cannot be set in a what-if"));
            }
            if self.frozen.contains(name) {
                return Err(invalid("a derived feature of this model depends on it and cannot be recomputed"));
            }
            if !value.is_finite() || *value <= 0.0 {
                return Err(invalid("the value must be a positive number"));
            }
            row[feature_idx] = *value;
            changed.push(feature_idx);
        }
        self.rederive(&mut row, &changed);
        let contributions = self.explainer.explain(&row)?;
        Ok(self.explanation_of(id, &row, contributions))
    }

    fn distribution(&self, feature: &str) -> Result<Distribution, ScoringError> {
        let feature_idx = self.feature_index(feature)?;
        let Some(column) = self.reference.columns.get(feature_idx) else {
            return Err(ScoringError::UnknownFeature(feature.to_string()));
        };
        let categories = self.info.features.get(feature_idx).and_then(|feature| feature.categories.clone());
        let (bins, counts): (Bins, Vec<(u64, u64)>) = match categories {
            Some(categories) => {
                // Categories are fed to the model as their position in the list.
                let counts =
                    (0..categories.len()).map(|code| column.count_between(code as f64, code as f64 + 1.0)).collect();
                (Bins::Categorical { categories }, counts)
            }
            None => {
                let edges = histogram_edges(&column.merged());
                let last = edges.len().saturating_sub(2);
                let counts = (0..=last)
                    .map(|bin| {
                        // The end bins are open: they hold the tails left out of the range.
                        let low = if bin == 0 { f64::NEG_INFINITY } else { edges[bin] };
                        let high = if bin == last { f64::INFINITY } else { edges[bin + 1] };
                        column.count_between(low, high)
                    })
                    .collect();
                (Bins::Numeric { edges }, counts)
            }
        };
        let (repaid, defaulted) = counts.into_iter().unzip();
        let missing = column.missing;
        Ok(Distribution { feature: feature.to_string(), bins, repaid, defaulted, missing })
    }

    fn portfolio(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Portfolio, ScoringError> {
        let summary = self.explainer.summarise_rows(self.applicants.values(), progress)?;
        Ok(Portfolio {
            probabilities: summary.probabilities,
            threshold: self.threshold.value(),
            mean_abs_log_odds: summary.mean_abs_log_odds,
            mean_abs_points: summary.mean_abs_points,
        })
    }

    /// The history is read again: only its sorted columns are kept after loading, and drift
    /// needs its rows.
    fn drift(&self) -> Result<DriftReport, ScoringError> {
        let reference = FeatureMatrix::load(&self.sources.history, &self.schema)?;
        let context = crate::drift::DriftContext {
            explainer: &self.explainer,
            features: &self.info.features,
            threshold: self.threshold,
        };
        Ok(crate::drift::compare(&context, &reference, &self.applicants)?)
    }
}

impl LocalScorer {
    fn explanation_of(&self, id: ClientId, row: &[f64], contributions: Contributions) -> Explanation {
        let model = self.model();
        let points = probability_points(model, &contributions);
        let probability = model.probability(contributions.raw_score);
        let score = self.score_of(id, row, probability);
        let input = ReasonInput {
            features: &self.info.features,
            points: &points,
            log_odds: &contributions.values,
            decision: score.decision,
        };
        // An incomplete application has no decision, so no reasons for one.
        let reasons = if score.decision.is_decided() {
            reasons::principal_reasons(&self.templates, &input, &RowFacts { scorer: self, row })
        } else {
            Vec::new()
        };
        Explanation {
            score,
            raw_score: contributions.raw_score,
            expected_value: contributions.expected_value,
            base_probability: model.probability(contributions.expected_value),
            log_odds: contributions.values,
            points,
            reasons,
        }
    }

    /// What would change the decision on a model row; an incomplete application has no
    /// decision to change.
    fn counterfactual_of_row(&self, row: &[f64]) -> Result<Counterfactual, ScoringError> {
        let missing = self.completeness.missing(row);
        if !missing.is_empty() {
            return Err(ScoringError::Incomplete { missing });
        }
        let rederive = |row: &mut [f64], changed: &[usize]| self.rederive(row, changed);
        let outcome = counterfactual::search(self.model(), row, self.threshold, &self.search_space, &rederive)?;
        let loan = counterfactual::loan_kind(&self.search_space, row);
        // `describe` words every outcome but `NotNeeded`.
        let text = counterfactual::describe(&outcome, &self.info.features, self.threshold, loan).unwrap_or_default();
        let name = |feature: usize| self.info.features.get(feature).map_or_else(String::new, |f| f.name.clone());
        Ok(match outcome {
            SearchOutcome::NotNeeded(probability) => Counterfactual::NotNeeded { probability },
            SearchOutcome::Found(proposal) => Counterfactual::Found {
                changes: proposal
                    .changes
                    .iter()
                    .map(|&(feature, from, to)| FeatureChange { feature: name(feature), from, to })
                    .collect(),
                probability: proposal.probability,
                text,
                loan,
            },
            SearchOutcome::NoneWithinBounds(best_probability) => {
                Counterfactual::NoneWithinBounds { best_probability, text, loan }
            }
        })
    }

    /// Recomputes the derived features of `row` that depend on the features at `changed`,
    /// with the pipeline's own formulas.
    fn rederive(&self, row: &mut [f64], changed: &[usize]) {
        for derivation in &self.derivations {
            if !derivation.inputs.iter().any(|input| changed.contains(input)) {
                continue;
            }
            let inputs: Vec<f64> = derivation.inputs.iter().map(|&input| row[input]).collect();
            row[derivation.target] = crate::data::pipeline::derive(&derivation.name, &inputs).unwrap_or(f64::NAN);
        }
    }

    /// Where a value stands among the reference clients who repaid.
    fn repaid_standing(&self, feature_idx: usize, value: f64) -> RepaidStanding {
        let Some(column) = self.reference.columns.get(feature_idx) else { return RepaidStanding::default() };
        let with_value = column.repaid.len();
        let all = (with_value as u64 + column.missing.0) as f64;
        if all == 0.0 {
            return RepaidStanding::default();
        }
        if value.is_nan() {
            return RepaidStanding { percentile: None, share: Some(100.0 * column.missing.0 as f64 / all) };
        }
        let below = column.repaid.partition_point(|&v| v < value);
        let equal = column.repaid.partition_point(|&v| v <= value) - below;
        let feature = self.info.features.get(feature_idx);
        let unit = feature.map_or("", |feature| feature.unit.as_str());
        if unit == "flag" || feature.is_some_and(|feature| feature.categories.is_some()) {
            return RepaidStanding { percentile: None, share: Some(100.0 * equal as f64 / all) };
        }
        if with_value == 0 {
            return RepaidStanding::default();
        }
        let mid = 100.0 * (below as f64 + 0.5 * equal as f64) / with_value as f64;
        // Durations are negative days: a longer one is a smaller number.
        RepaidStanding { percentile: Some(if unit == "days" { 100.0 - mid } else { mid }), share: None }
    }
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

/// One client's values and standings, for the reasons.
struct RowFacts<'a> {
    scorer: &'a LocalScorer,
    row: &'a [f64],
}

impl RowFacts<'_> {
    /// The value as a customer should hear it: the "not employed" placeholder of
    /// `DAYS_EMPLOYED` (kept raw for models trained elsewhere) is no length of employment.
    fn spoken(&self, feature_idx: usize) -> f64 {
        let value = self.row.get(feature_idx).copied().unwrap_or(f64::NAN);
        let is_days_employed = self.scorer.info.features.get(feature_idx).is_some_and(|f| f.name == "DAYS_EMPLOYED");
        if is_days_employed { crate::data::pipeline::clean_days_employed(value) } else { value }
    }
}

impl ClientFacts for RowFacts<'_> {
    fn value(&self, feature_idx: usize) -> FieldValue {
        self.scorer.field_value(feature_idx, self.spoken(feature_idx))
    }

    fn standing(&self, feature_idx: usize) -> RepaidStanding {
        self.scorer.repaid_standing(feature_idx, self.spoken(feature_idx))
    }
}

/// The derived features of the model, recomputable from its own inputs, and the model
/// features that feed a derived feature which is not (changing them would leave it stale, so
/// they cannot be changed).
fn derivations(features: &[FeatureDescription]) -> (Vec<Derivation>, Vec<String>) {
    let position = |name: &str| features.iter().position(|feature| feature.name == name);
    let mut derivations = Vec::new();
    let mut frozen = Vec::new();
    for (target, feature) in features.iter().enumerate() {
        let Some(names) = crate::data::pipeline::inputs_of(&feature.name) else { continue };
        let inputs: Option<Vec<usize>> = names.iter().map(|name| position(name)).collect();
        match inputs {
            Some(inputs) => derivations.push(Derivation { target, name: feature.name.clone(), inputs }),
            None => frozen.extend(names.iter().filter(|name| position(name).is_some()).map(|name| name.to_string())),
        }
    }
    (derivations, frozen)
}

/// The loans of the reference population, read from its raw columns (so that the ranges do
/// not depend on which ratios the model happens to use).
#[derive(Debug, Clone, Copy)]
struct LoanRanges {
    /// The amount borrowed by the 1 % who borrowed least.
    credit_low: f64,
    /// The 1st and 99th percentiles of the repayment rate (annuity / credit).
    rate: (f64, f64),
    /// The same for revolving credit lines only (their minimum payment against the limit);
    /// the rate of every loan when the history has no revolving line.
    revolving_rate: (f64, f64),
    /// The 99th percentile of the repayment relative to income.
    annuity_income_high: f64,
    /// The 99th percentile of the goods price relative to the amount borrowed.
    goods_credit_high: f64,
}

impl LoanRanges {
    fn of(table: &ClientTable) -> LoanRanges {
        let column = |name: &str| table.numeric(name).unwrap_or_default();
        let (credit, annuity, income) = (column("AMT_CREDIT"), column("AMT_ANNUITY"), column("AMT_INCOME_TOTAL"));
        let goods = column("AMT_GOODS_PRICE");
        let ratio = |top: &[f64], bottom: &[f64]| -> Vec<f64> {
            top.iter().zip(bottom).filter(|&(_, &b)| b > 0.0).map(|(&a, &b)| a / b).collect()
        };
        let rates = ratio(&annuity, &credit);
        let contracts = table.text("NAME_CONTRACT_TYPE").unwrap_or_default();
        let revolving =
            |index: usize| contracts.get(index).is_some_and(|kind| kind.as_deref() == Some(REVOLVING_CATEGORY));
        let keep = |values: &[f64]| -> Vec<f64> {
            values.iter().enumerate().filter(|&(index, _)| revolving(index)).map(|(_, &value)| value).collect()
        };
        let revolving_rates = ratio(&keep(&annuity), &keep(&credit));
        let range = |rates: Vec<f64>| {
            (quantile_of(rates.clone(), COUNTERFACTUAL_TAIL), quantile_of(rates, 1.0 - COUNTERFACTUAL_TAIL))
        };
        let rate = range(rates);
        let revolving_rate = range(revolving_rates);
        let revolving_rate =
            if revolving_rate.0.is_finite() && revolving_rate.1.is_finite() { revolving_rate } else { rate };
        LoanRanges {
            credit_low: quantile_of(credit.clone(), COUNTERFACTUAL_TAIL),
            rate,
            revolving_rate,
            annuity_income_high: quantile_of(ratio(&annuity, &income), 1.0 - COUNTERFACTUAL_TAIL),
            goods_credit_high: quantile_of(ratio(&goods, &credit), 1.0 - COUNTERFACTUAL_TAIL),
        }
    }
}

/// The value at quantile `q` of the finite values (nearest rank below); NaN when there is none.
fn quantile_of(mut values: Vec<f64>, q: f64) -> f64 {
    values.retain(|value| value.is_finite());
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let rank = (q.clamp(0.0, 1.0) * (values.len() - 1) as f64).floor() as usize;
    values[rank.min(values.len() - 1)]
}

/// The counterfactual's levers and their ranges in the reference population.
fn search_space(features: &[FeatureDescription], reference: &ReferenceIndex, loans: &LoanRanges) -> SearchSpace {
    let position = |name: &str| features.iter().position(|feature| feature.name == name);
    let actionable = |name: &str| position(name).filter(|&idx| features[idx].actionable);
    let quantile = |name: &str, q: f64| {
        position(name).and_then(|idx| reference.columns.get(idx)).map_or(f64::NAN, |column| column.quantile(q))
    };
    let loan = match (actionable("AMT_CREDIT"), actionable("AMT_ANNUITY")) {
        (Some(credit), Some(annuity)) => Some(counterfactual::LoanLevers {
            credit,
            annuity,
            goods: actionable("AMT_GOODS_PRICE"),
            income: position("AMT_INCOME_TOTAL"),
            revolving: position("NAME_CONTRACT_TYPE").and_then(|idx| {
                let categories = features[idx].categories.as_ref()?;
                let code = categories.iter().position(|category| category == REVOLVING_CATEGORY)?;
                Some((idx, code as f64))
            }),
            credit_low: loans.credit_low,
            rate_low: loans.rate.0,
            rate_high: loans.rate.1,
            revolving_rate: loans.revolving_rate,
            annuity_income_high: Some(loans.annuity_income_high).filter(|high| high.is_finite()),
            goods_credit_high: Some(loans.goods_credit_high).filter(|high| high.is_finite()),
        }),
        _ => None,
    };
    let in_loan = ["AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE"];
    let others = features
        .iter()
        .enumerate()
        .filter(|(_, feature)| {
            feature.actionable
                && feature.categories.is_none()
                && !(loan.is_some() && in_loan.contains(&feature.name.as_str()))
        })
        .filter_map(|(feature, description)| {
            let low = quantile(&description.name, COUNTERFACTUAL_TAIL);
            let high = quantile(&description.name, 1.0 - COUNTERFACTUAL_TAIL);
            (low.is_finite() && high.is_finite()).then_some(counterfactual::SingleLever { feature, low, high })
        })
        .collect();
    SearchSpace { loan, others }
}

/// Edges of a histogram of `sorted` (increasing, no NaN): one bin per whole number for small
/// whole-number ranges, else [`HISTOGRAM_BINS`] equal bins between the 0.5th and 99.5th
/// percentiles.
fn histogram_edges(sorted: &[f64]) -> Vec<f64> {
    let n = sorted.len();
    if n == 0 {
        return vec![0.0, 1.0];
    }
    let low_rank = ((n as f64 * HISTOGRAM_TAIL) as usize).min(n - 1);
    let high_rank = n - 1 - low_rank;
    let (low, high) = (sorted[low_rank], sorted[high_rank]);
    let values = sorted;
    let whole = values.iter().all(|value| value.fract() == 0.0);
    if whole && high - low <= HISTOGRAM_BINS as f64 {
        return (0..=((high - low) as usize + 1)).map(|step| low - 0.5 + step as f64).collect();
    }
    if high <= low {
        return vec![low - 0.5, low + 0.5];
    }
    let width = (high - low) / HISTOGRAM_BINS as f64;
    (0..=HISTOGRAM_BINS).map(|step| low + width * step as f64).collect()
}

/// The list summaries (id, age, amount, loan type) of a table with ids.
fn summarise(table: &ClientTable, path: &Path) -> Result<Vec<ClientSummary>, ScoringError> {
    let Some(ids) = table.ids() else {
        return Err(ScoringError::NoIds(path.to_path_buf()));
    };
    if ids.is_empty() {
        return Err(ScoringError::NoClients(path.to_path_buf()));
    }
    let column = |name: &str| table.numeric(name).unwrap_or_else(|| vec![f64::NAN; ids.len()]);
    let days_birth = column("DAYS_BIRTH");
    let amounts = column("AMT_CREDIT");
    let contract_types = table.text("NAME_CONTRACT_TYPE").unwrap_or_else(|| vec![None; ids.len()]);
    Ok(ids
        .iter()
        .zip(days_birth)
        .zip(amounts)
        .zip(contract_types)
        .map(|(((&id, days), amount), contract_type)| ClientSummary {
            id,
            age_years: (days.is_finite() && days < 0.0).then(|| (-days / 365.25) as u32),
            amount: amount.is_finite().then_some(amount),
            contract_type,
        })
        .collect())
}

/// Warnings about a loaded table, for the status bar.
fn warn_about(matrix: &FeatureMatrix, path: &Path, warnings: &mut Vec<String>) {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into());
    if matrix.repaired_lines() > 0 {
        warnings.push(format!("{name}: repaired {} whole-line-quoted rows", matrix.repaired_lines()));
    }
    for unknown in matrix.unknown_categories() {
        warnings.push(format!(
            "{name}: {} value(s) of {} (e.g. `{}`) unknown to the model, scored as missing",
            unknown.count,
            quote_external(&unknown.column, QUOTE_MAX_CHARS),
            quote_external(&unknown.example, QUOTE_MAX_CHARS)
        ));
    }
}

/// `sha256-` and the first 12 hex digits of the file's SHA-256: the version of a model
/// without a card, as `pad train` computes it.
fn file_version(path: &Path) -> Result<String, ScoringError> {
    let bytes = std::fs::read(path).map_err(|cause| DataError::Read { path: path.to_path_buf(), cause })?;
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().take(6).map(|byte| format!("{byte:02x}")).collect();
    Ok(format!("sha256-{hex}"))
}

/// Labels and kinds of the model's features: `assets/labels.toml` first, then the card,
/// then the bare name.
pub(crate) fn describe_features(
    model: &Model,
    schema: &FeatureSchema,
    card: Option<&ModelCard>,
    labels: &Labels,
) -> Vec<FeatureDescription> {
    schema
        .features
        .iter()
        .enumerate()
        .map(|(feature_idx, spec)| {
            let label = labels.get(&spec.name);
            let listed = card.and_then(|card| card.features.iter().find(|listed| listed.name == spec.name));
            let categories = spec.labels.as_ref().map(|labels| {
                labels
                    .iter()
                    .map(|label| match label {
                        CategoryLabel::Text(text) => text.clone(),
                        CategoryLabel::Number(number) => number.to_string(),
                    })
                    .collect()
            });
            let fallback = || listed.map(|listed| listed.name.clone()).unwrap_or_else(|| spec.name.clone());
            FeatureDescription {
                name: spec.name.clone(),
                label_en: label.map_or_else(fallback, |label| label.en.clone()),
                label_fr: label.map_or_else(fallback, |label| label.fr.clone()),
                unit: label.map_or_else(
                    || if categories.is_some() { "category" } else { "" }.into(),
                    |label| label.unit.clone(),
                ),
                categories,
                actionable: label.is_some_and(|label| label.actionable)
                    || listed.is_some_and(|listed| listed.actionable == Some(true)),
                protected: label.is_some_and(|label| label.protected)
                    || listed.is_some_and(|listed| listed.protected == Some(true)),
                derived: label.is_some_and(|label| label.derived),
                used: model.uses_feature(feature_idx),
                required: false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_get_one_bin_each() {
        // 0..=3 children: edges at -0.5, 0.5, ..., 3.5.
        let edges = histogram_edges(&[0.0, 0.0, 1.0, 1.0, 2.0, 3.0]);
        assert_eq!(edges, vec![-0.5, 0.5, 1.5, 2.5, 3.5]);
        // A single value still gives one bin around it.
        assert_eq!(histogram_edges(&[0.25; 10]), vec![-0.25, 0.75]);
    }

    #[test]
    fn continuous_values_get_equal_bins_over_the_central_range() {
        // 1000 values 0.0, 0.001, ..., 0.999: the 0.5 % tails are ranks 5 and 994.
        let values: Vec<f64> = (0..1000).map(|i| i as f64 / 1000.0).collect();
        let edges = histogram_edges(&values);
        assert_eq!(edges.len(), HISTOGRAM_BINS + 1);
        assert!((edges[0] - 0.005).abs() < 1e-12);
        assert!((edges[HISTOGRAM_BINS] - 0.994).abs() < 1e-12);
    }
}
