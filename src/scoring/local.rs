//! [`LocalScorer`]: scores in process with the model, the current applicants and the
//! reference population, and explains, compares, searches what would change a refusal and
//! measures drift over them.
//!
//! Uses: model, explain, data, domain, drift, config.

use super::bundle::{ModelBundle, describe_features, file_version};
use super::levers::{LoanRanges, search_space};
use super::reference::{ReferenceIndex, histogram_edges};
use super::{Scorer, ScorerInfo, ScoringError, Source, id_of_inputs};
pub use crate::config::LocalSources;
use crate::config::resolve_threshold;
use crate::data::completeness::Completeness;
use crate::data::history::{HistoryIndex, Role, missing_tables_warning};
use crate::data::labels::Labels;
use crate::data::policy::ReasonPolicy;
use crate::data::{ClientTable, DataError, FeatureMatrix};
use crate::domain::format::{QUOTE_MAX_CHARS, quote_external};
use crate::domain::{
    Bins, ClientId, ClientRecord, ClientSummary, Counterfactual, Decision, Distribution, Explanation, FeatureChange,
    FeatureDescription, FeatureInputs, FeatureSchema, Field, FieldValue, Portfolio, Score, Threshold,
};
use crate::drift::DriftReport;
use crate::explain::counterfactual::{self, SearchOutcome, SearchSpace};
use crate::explain::reasons::{self, ClientFacts, ReasonInput, RepaidStanding, Templates};
use crate::explain::{Contributions, Explainer, Method, probability_points};
use crate::model::Model;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

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
    history: Option<HistoryIndex>,
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

impl LocalScorer {
    /// Adds a note the front end shows with the loading warnings (where the model came from).
    pub fn with_note(mut self, note: String) -> LocalScorer {
        self.info.warnings.insert(0, note);
        self
    }

    /// Reads the model, its card, the applicants and the reference population, its credit
    /// history included (its warnings join the others).
    pub fn load(sources: &LocalSources) -> Result<LocalScorer, ScoringError> {
        let mut scorer = LocalScorer::load_deferred(sources)?;
        let warnings = scorer.reference_ready()?.to_vec();
        scorer.info.warnings.extend(warnings);
        Ok(scorer)
    }

    /// As [`LocalScorer::load`], but the reference's credit history (for a model that reads
    /// it) is left to be read on another thread, started by [`Scorer::warm_up`] or by the
    /// first question that needs it, which waits for it and fails with
    /// [`ScoringError::ReferenceHistory`] if it could not be read. For a front end that shows
    /// the clients at once.
    pub fn load_deferred(sources: &LocalSources) -> Result<LocalScorer, ScoringError> {
        let bundle = ModelBundle::open(&sources.model)?;
        let (model, card, schema) = (&bundle.model, &bundle.card, &bundle.schema);
        let (threshold, origin) = resolve_threshold(sources.threshold, card.as_ref(), &sources.model)?;
        let model_version = match card.as_ref().and_then(|card| card.model_version.as_deref()) {
            // Shown on screens, in logs and on customer sheets: escaped and cut.
            Some(version) => quote_external(version, MODEL_VERSION_MAX_CHARS),
            None => file_version(&sources.model)?,
        };
        let labels = Labels::bundled()?;
        let policy = ReasonPolicy::bundled()?;
        let mut features = describe_features(model, schema, card.as_ref(), &labels, &policy);

        let table = ClientTable::load_with(&sources.applicants, Role::Applicants, &sources.applicant_tables)?;
        let mut warnings = table.warnings().to_vec();
        let summaries = summarise(&table, &sources.applicants)?;
        let applicants = FeatureMatrix::from_table(&table, schema)?;
        let history = table.history().map(|history| history.index());
        drop(table);
        warn_about(&applicants, &sources.applicants, false, &mut warnings);
        let missing_history: Vec<String> =
            applicants.missing_history().iter().map(|kind| kind.stem().to_string()).collect();
        let rows_by_id = summaries.iter().enumerate().map(|(row, summary)| (summary.id, row)).collect();

        // The reference's credit-history tables serve only the model's history features (their
        // standing among past clients): read on another thread after the rest (they take
        // longer than all of it), and not at all for a model without any.
        let history_features: Vec<usize> = schema
            .features
            .iter()
            .enumerate()
            .filter(|(_, feature)| feature.used && crate::domain::history::is_history_feature(&feature.name))
            .map(|(feature_idx, _)| feature_idx)
            .collect();
        let defer_history = !history_features.is_empty() && !sources.history_tables.is_empty();
        let table = ClientTable::load(&sources.history)?;
        warnings.extend(table.warnings().iter().cloned());
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
        warn_about(&matrix, &sources.history, defer_history, &mut warnings);
        let mut reference = ReferenceIndex::build(&matrix, &outcomes);
        drop(matrix);
        if defer_history {
            let (path, tables, schema) = (sources.history.clone(), sources.history_tables.clone(), schema.clone());
            let features = history_features.clone();
            reference.defer(history_features, outcomes.clone(), move || {
                history_columns(&path, &tables, &schema, &features).map_err(|error| error.to_string())
            });
        }

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
            policy_version: policy.version.clone(),
            missing_history,
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
            history,
        })
    }

    /// Waits for the reference's credit history: the warnings of reading it, or why it could
    /// not be read.
    pub fn reference_ready(&self) -> Result<&[String], ScoringError> {
        self.reference.ready().map_err(|error| ScoringError::ReferenceHistory(error.to_string()))
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
    fn warm_up(&self) {
        self.reference.start();
    }

    fn info(&self) -> &ScorerInfo {
        &self.info
    }

    fn clients(&self) -> Result<Vec<ClientSummary>, ScoringError> {
        Ok(self.summaries.clone())
    }

    fn history(&self, id: ClientId) -> Result<Option<crate::domain::history::ClientHistory>, ScoringError> {
        if !self.rows_by_id.contains_key(&id) {
            return Err(ScoringError::UnknownClient(id));
        }
        Ok(self.history.as_ref().map(|history| history.client(id)))
    }

    fn client(&self, id: ClientId) -> Result<ClientRecord, ScoringError> {
        self.reference_ready()?;
        let row = self.row_of(id)?;
        let n_reference = self.reference.n_clients as f64;
        let fields = row
            .iter()
            .enumerate()
            .map(|(feature_idx, &value)| {
                let count = self.reference.column(feature_idx).map(|column| column.standing(value));
                let value = self.field_value(feature_idx, value);
                let Some(count) = count else {
                    return Field { value, percentile: None, share: None };
                };
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
        self.reference_ready()?;
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
        self.reference_ready()?;
        let row = crate::data::inputs::row_from_inputs(inputs, &self.schema)?;
        let contributions = self.explainer.explain(&row)?;
        Ok(self.explanation_of(id_of_inputs(inputs), &row, contributions))
    }

    fn counterfactual(&self, id: ClientId) -> Result<Counterfactual, ScoringError> {
        self.reference_ready()?;
        let row = self.row_of(id)?;
        self.counterfactual_of_row(row)
    }

    fn counterfactual_inputs(&self, inputs: &FeatureInputs) -> Result<Counterfactual, ScoringError> {
        self.reference_ready()?;
        let row = crate::data::inputs::row_from_inputs(inputs, &self.schema)?;
        self.counterfactual_of_row(&row)
    }

    fn what_if(&self, id: ClientId, changes: &[(String, f64)]) -> Result<Explanation, ScoringError> {
        self.reference_ready()?;
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
        self.reference_ready()?;
        let feature_idx = self.feature_index(feature)?;
        let Some(column) = self.reference.column(feature_idx) else {
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
        let table = ClientTable::load_with(&self.sources.history, Role::History, &self.sources.history_tables)?;
        let reference = FeatureMatrix::from_table(&table, &self.schema)?;
        drop(table);
        let context = crate::drift::DriftContext {
            explainer: &self.explainer,
            features: &self.info.features,
            threshold: self.threshold,
        };
        Ok(crate::drift::compare(&context, &reference, &self.applicants)?)
    }

    /// The history is read again, as for drift: fairness needs its rows and outcomes.
    fn fairness(&self) -> Result<crate::fairness::FairnessReport, ScoringError> {
        let table = ClientTable::load_with(&self.sources.history, Role::History, &self.sources.history_tables)?;
        let policy = ReasonPolicy::bundled()?;
        let assessment = crate::fairness::history::Assessment {
            model: self.model(),
            schema: &self.schema,
            threshold: self.threshold.value(),
            model_version: &self.info.model_version,
            policy: &policy,
            extra_attributes: &[],
        };
        Ok(crate::fairness::history::assess_table(&assessment, table, &self.sources.history)?.0)
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

    /// Where a value stands among the reference clients who repaid, and among those who
    /// defaulted.
    fn repaid_standing(&self, feature_idx: usize, value: f64) -> RepaidStanding {
        let Some(column) = self.reference.column(feature_idx) else { return RepaidStanding::default() };
        let feature = self.info.features.get(feature_idx);
        let unit = feature.map_or("", |feature| feature.unit.as_str());
        let shared = unit == "flag" || feature.is_some_and(|feature| feature.categories.is_some());
        let (percentile, share) = group_standing(&column.repaid, column.missing.0, value, shared, unit == "days");
        let (defaulted_percentile, defaulted_share) =
            group_standing(&column.defaulted, column.missing.1, value, shared, unit == "days");
        RepaidStanding { percentile, share, defaulted_percentile, defaulted_share }
    }
}

/// Where `value` stands in one group of the reference population (`sorted` values present,
/// `missing` without one): the mid-rank percentile of a number (of a duration, for negative
/// days: the share with a shorter one), or the share giving the same answer (a category or
/// yes/no when `shared`, or no value).
fn group_standing(
    sorted: &[f64],
    missing: u64,
    value: f64,
    shared: bool,
    durations: bool,
) -> (Option<f64>, Option<f64>) {
    let with_value = sorted.len();
    let all = (with_value as u64 + missing) as f64;
    if all == 0.0 {
        return (None, None);
    }
    if value.is_nan() {
        return (None, Some(100.0 * missing as f64 / all));
    }
    let below = sorted.partition_point(|&v| v < value);
    let equal = sorted.partition_point(|&v| v <= value) - below;
    if shared {
        return (None, Some(100.0 * equal as f64 / all));
    }
    if with_value == 0 {
        return (None, None);
    }
    let mid = 100.0 * (below as f64 + 0.5 * equal as f64) / with_value as f64;
    // Durations are negative days: a longer one is a smaller number.
    (Some(if durations { 100.0 - mid } else { mid }), None)
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
/// The reference's credit-history features `features` (their values, one per client) read
/// with its tables, and the warnings of reading the tables.
fn history_columns(
    path: &Path,
    tables: &crate::data::history::HistoryFiles,
    schema: &FeatureSchema,
    features: &[usize],
) -> Result<(Vec<Vec<f64>>, Vec<String>), ScoringError> {
    let table = ClientTable::load_with(path, Role::History, tables)?;
    let mut warnings = table.history().map(|history| history.warnings().to_vec()).unwrap_or_default();
    let matrix = FeatureMatrix::from_table(&table, schema)?;
    drop(table);
    let name = path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into());
    if !matrix.missing_history().is_empty() {
        warnings.push(missing_tables_warning(&name, matrix.missing_history()));
    }
    let n_features = matrix.n_features().max(1);
    let columns = features
        .iter()
        .map(|&feature_idx| matrix.values().iter().skip(feature_idx).step_by(n_features).copied().collect())
        .collect();
    Ok((columns, warnings))
}

/// The warnings about a table read for scoring; `history_later` when its credit history is
/// read apart (its absence here is not one).
fn warn_about(matrix: &FeatureMatrix, path: &Path, history_later: bool, warnings: &mut Vec<String>) {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |name| name.to_string_lossy().into());
    if matrix.repaired_lines() > 0 {
        warnings.push(format!("{name}: repaired {} whole-line-quoted rows", matrix.repaired_lines()));
    }
    for column in matrix.ignored_columns() {
        warnings
            .extend(crate::data::pipeline::ignored_input_warning(column).map(|warning| format!("{name}: {warning}")));
    }
    if !matrix.missing_history().is_empty() && !history_later {
        warnings.push(missing_tables_warning(&name, matrix.missing_history()));
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
