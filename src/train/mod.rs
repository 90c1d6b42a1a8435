//! `pad train` (cargo feature `train`): LightGBM training through `lightgbm3`, stratified
//! cross-validation with early stopping, the cost-optimal threshold, and the model card.
//!
//! What is trained is what is scored: the history goes through the same data layer and
//! feature pipeline as `predict`, `explain`, the dashboard and the API. Text columns are fed to
//! LightGBM as ordinal codes in the order of the card's category lists (lightgbm3 builds its
//! datasets without parameters, so LightGBM's own categorical splits are not available; on
//! the real sample ordinal codes did as well as pandas categoricals, see `BENCHMARKS.md`).
//!
//! Steps: k stratified folds; in each, the training part minus a stratified tenth trains with
//! early stopping on that tenth, and the fold is predicted out of fold; the threshold
//! minimising `cost_fn·FN + cost_fp·FP` is searched over every distinct out-of-fold score; the
//! final model is refit on all rows with the mean best iteration count. Files are written
//! beside their targets and renamed only when both are complete.
//!
//! Uses: data, model, evaluation, domain.

use std::io::Write;
use std::path::{Path, PathBuf};

use lightgbm3::{Booster, Dataset};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::data::history::aggregates::HISTORY_FEATURES;
use crate::data::labels::Labels;
use crate::data::pipeline::DERIVED_FEATURES;
use crate::data::policy::ReasonPolicy;
use crate::data::{ClientTable, DataError, FeatureMatrix, completeness};
use crate::domain::schema::{COLUMNS, ColumnKind, ID_COLUMN, TARGET_COLUMN};
use crate::domain::{CardPolicy, CategoryLabel, FeatureSchema, FeatureSpec, PIPELINE_VERSION, PolicyClass};
use crate::evaluation::{self, Confusion, CostWeights, EvaluationError};
use crate::model::Model;

/// Errors of training; none leaves a file behind.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// The history cannot be read or turned into features.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The history has no outcome column.
    #[error("{0}: no TARGET column: training needs the outcome of every past client (1 = payment difficulties)")]
    NoTarget(PathBuf),
    /// Outcomes or folds do not allow training.
    #[error("{path}: {cause}")]
    Outcomes {
        /// The history.
        path: PathBuf,
        /// What is wrong.
        cause: EvaluationError,
    },
    /// `--exclude` names a column the history does not have.
    #[error("--exclude {0}: the history has no such column")]
    UnknownExclusion(String),
    /// The parameters file cannot be used.
    #[error("{path}: {message}")]
    Params {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// LightGBM refused something.
    #[error("LightGBM: {0}")]
    LightGbm(String),
    /// The trained model does not read back.
    #[error("the trained model does not parse back: {0}")]
    Parse(String),
    /// A result file cannot replace what is at its path.
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// A result file cannot be written.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        cause: std::io::Error,
    },
}

fn lightgbm(error: lightgbm3::Error) -> TrainError {
    TrainError::LightGbm(error.to_string())
}

/// Columns left out of every model, whether or not the history has them: they cannot be a
/// reason given to a customer, and using them is unlawful in EU credit decisions.
pub const PROTECTED: [&str; 1] = ["CODE_GENDER"];

/// Every column a model must leave out: [`PROTECTED`] and the features the reason policy
/// (`assets/policy.toml`) classes as protected.
pub fn protected(policy: &ReasonPolicy) -> Vec<String> {
    let mut names: Vec<String> = PROTECTED.iter().map(|name| name.to_string()).collect();
    for name in policy.named(PolicyClass::Protected) {
        if !names.iter().any(|known| known == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// What to train.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// The history (CSV or Parquet, with TARGET).
    pub data: PathBuf,
    /// Folder receiving `model.txt` and `model.json`.
    pub out: PathBuf,
    /// Cross-validation folds.
    pub folds: usize,
    /// Seed of folds, splits and LightGBM.
    pub seed: u64,
    /// Business cost weights.
    pub costs: CostWeights,
    /// Columns left out (CODE_GENDER by default).
    pub exclude: Vec<String>,
    /// A TOML file of LightGBM parameters overriding the defaults.
    pub params: Option<PathBuf>,
    /// Whether to draw progress on the terminal.
    pub progress: bool,
    /// Credit-history tables given apart from the history (a Kaggle folder brings its own).
    pub tables: crate::data::history::HistoryFiles,
}

/// The default LightGBM parameters, chosen on the real sample (5 folds, CODE_GENDER left
/// out, fold seeds 42, 1 and 2): out-of-fold AUC 0.746–0.754 and cost 0.511–0.512 per client. Class imbalance (8 % defaults) is
/// handled by the cost-weighted threshold on out-of-fold probabilities, not by reweighting:
/// with `is_unbalance` the log-loss used for early stopping worsens from the first rounds and
/// stops training after two trees (AUC 0.69 measured).
fn default_parameters(seed: u64) -> Value {
    json!({
        "objective": "binary",
        "metric": "binary_logloss",
        "learning_rate": 0.03,
        "num_leaves": 7,
        "min_data_in_leaf": 50,
        "lambda_l2": 10.0,
        "feature_fraction": 0.5,
        "feature_fraction_seed": 7,
        "is_unbalance": false,
        "num_iterations": 2000,
        "early_stopping_rounds": 200,
        "deterministic": true,
        "num_threads": 1,
        "seed": seed,
        "verbosity": -1,
    })
}

fn read_parameters(path: &Path, seed: u64) -> Result<Value, TrainError> {
    let bad = |message: String| TrainError::Params { path: path.to_path_buf(), message };
    let text =
        std::fs::read_to_string(path).map_err(|error| bad(format!("cannot read the parameters file: {error}")))?;
    let table: toml::Table =
        toml::from_str(&text).map_err(|error| bad(format!("not a valid TOML parameters file: {error}")))?;
    let mut parameters = default_parameters(seed);
    for (key, value) in table {
        let value = serde_json::to_value(&value).map_err(|error| bad(format!("parameter `{key}`: {error}")))?;
        if !(value.is_number() || value.is_string() || value.is_boolean()) {
            return Err(bad(format!("parameter `{key}` must be a number, a string or a boolean")));
        }
        if key == "objective" && value != json!("binary") {
            return Err(bad("objective must stay `binary`: the product scores a probability of default".into()));
        }
        parameters[key] = value;
    }
    Ok(parameters)
}

/// A feature as the card records it.
#[derive(Debug, Clone, Serialize)]
struct CardFeature {
    name: String,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    categories: Option<Vec<String>>,
    label_en: String,
    label_fr: String,
    unit: String,
    actionable: bool,
    protected: bool,
    derived: bool,
}

#[derive(Debug, Clone, Serialize)]
struct TrainingData {
    file: String,
    rows: usize,
    default_rate: f64,
    sha256: String,
}

#[derive(Debug, Clone, Serialize)]
struct CrossValidation {
    folds: usize,
    seed: u64,
    best_iterations: Vec<usize>,
    final_iterations: usize,
}

#[derive(Debug, Clone, Serialize)]
struct Metrics {
    oof_auc: f64,
    cost_per_client: f64,
    confusion: Confusion,
}

/// The model card written beside the model.
#[derive(Debug, Clone, Serialize)]
struct ModelCard {
    format_version: u32,
    model_version: String,
    pipeline: &'static str,
    threshold: f64,
    cost_weights: CostWeights,
    training_data: TrainingData,
    features: Vec<CardFeature>,
    excluded: Vec<String>,
    class_imbalance: &'static str,
    threshold_rule: &'static str,
    encoding: &'static str,
    parameters: Value,
    cross_validation: CrossValidation,
    metrics: Metrics,
    cost_curve: Vec<(f64, f64)>,
    inputs: Vec<crate::domain::CardInput>,
    /// The credit-history tables the model reads (`bureau`…); empty for a model of the
    /// application table alone.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    history_tables: Vec<&'static str>,
    /// The reason policy whose protected features were left out.
    policy: CardPolicy,
}

/// What a training run produced.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Out-of-fold AUC.
    pub oof_auc: f64,
    /// Business cost per client at the chosen threshold, out of fold.
    pub cost_per_client: f64,
    /// The chosen threshold.
    pub threshold: f64,
    /// Trees in the final model.
    pub n_trees: usize,
    /// The model file written.
    pub model_path: PathBuf,
    /// Its version label (from its SHA-256).
    pub model_version: String,
    /// Each fold's figures on its held-out rows, in fold order.
    pub folds: Vec<FoldFigures>,
    /// The out-of-fold probability of every history row, in file order.
    pub out_of_fold: Vec<f64>,
    /// The history's outcomes (TARGET), in file order.
    pub outcomes: Vec<u8>,
    /// The history's client ids, when it has `SK_ID_CURR`.
    pub ids: Option<Vec<i64>>,
    /// Each feature's mean absolute contribution (log-odds) over the training rows, by the
    /// final model, largest first.
    pub importance: Vec<(String, f64)>,
}

/// One cross-validation fold's figures on its held-out rows.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldFigures {
    /// AUC.
    pub auc: f64,
    /// Business cost per client at the fold's own cost-optimal threshold.
    pub cost_per_client: f64,
    /// That threshold.
    pub threshold: f64,
    /// Boosting rounds kept by early stopping.
    pub best_iteration: usize,
}

/// Rows `rows` of a row-major matrix, and their outcomes as f32.
fn subset(values: &[f64], n_features: usize, rows: &[usize], outcomes: &[u8]) -> (Vec<f64>, Vec<f32>) {
    let mut flat = Vec::with_capacity(rows.len() * n_features);
    let mut labels = Vec::with_capacity(rows.len());
    for &row in rows {
        flat.extend_from_slice(&values[row * n_features..(row + 1) * n_features]);
        labels.push(f32::from(outcomes[row]));
    }
    (flat, labels)
}

fn dataset(
    values: &[f64],
    labels: &[f32],
    names: &[String],
    reference: Option<&Dataset>,
) -> Result<Dataset, TrainError> {
    let mut dataset =
        Dataset::from_slice_with_reference(values, labels, names.len() as i32, true, reference).map_err(lightgbm)?;
    dataset.set_feature_names(names).map_err(lightgbm)?;
    Ok(dataset)
}

/// Trains, cross-validates and writes `model.txt` and `model.json` into `options.out`.
pub fn train(options: &TrainOptions) -> Result<TrainReport, TrainError> {
    let table = ClientTable::load_with(&options.data, crate::data::history::Role::History, &options.tables)?;
    for warning in table.warnings() {
        eprintln!("warning: {warning}");
    }
    let targets = table.numeric(TARGET_COLUMN).ok_or_else(|| TrainError::NoTarget(options.data.clone()))?;
    let outcome_error = |cause| TrainError::Outcomes { path: options.data.clone(), cause };
    let outcomes = evaluation::outcomes(&targets).map_err(outcome_error)?;
    let policy = ReasonPolicy::bundled()?;
    let protected = protected(&policy);
    for excluded in &options.exclude {
        if !table.has_column(excluded) && !protected.contains(excluded) {
            return Err(TrainError::UnknownExclusion(excluded.clone()));
        }
    }
    let folds = evaluation::stratified_folds(&outcomes, options.folds, options.seed).map_err(outcome_error)?;
    let parameters = match &options.params {
        Some(path) => read_parameters(path, options.seed)?,
        None => default_parameters(options.seed),
    };
    let labels = Labels::bundled()?;

    // The features: every Kaggle column present (but the id, the outcome and the excluded
    // ones), then the derived features; text columns with their sorted categories.
    let mut specs = Vec::new();
    let mut card_features = Vec::new();
    for (name, kind) in COLUMNS {
        if name == ID_COLUMN
            || name == TARGET_COLUMN
            || !table.has_column(name)
            || options.exclude.iter().any(|e| e == name)
        {
            continue;
        }
        let categories = if kind == ColumnKind::Text {
            let mut values: Vec<String> = table.text(name).unwrap_or_default().into_iter().flatten().collect();
            values.sort();
            values.dedup();
            Some(values)
        } else {
            None
        };
        specs.push(FeatureSpec {
            name: name.to_string(),
            labels: categories.as_ref().map(|c| c.iter().cloned().map(CategoryLabel::Text).collect()),
            used: true,
        });
        card_features.push((name.to_string(), categories));
    }
    for name in DERIVED_FEATURES {
        specs.push(FeatureSpec { name: name.to_string(), labels: None, used: true });
        card_features.push((name.to_string(), None));
    }
    // The credit history's aggregates, for the tables given.
    let mut history_tables: Vec<&'static str> = Vec::new();
    for feature in HISTORY_FEATURES {
        if !table.has_history(feature.table) || options.exclude.iter().any(|e| e == feature.name) {
            continue;
        }
        specs.push(FeatureSpec { name: feature.name.to_string(), labels: None, used: true });
        card_features.push((feature.name.to_string(), None));
        if !history_tables.contains(&feature.table.stem()) {
            history_tables.push(feature.table.stem());
        }
    }
    let schema = FeatureSchema { features: specs, clean_days_employed: true };
    let matrix = FeatureMatrix::from_table(&table, &schema)?;
    // Every raw field's missing rate, and the fields a decision will require.
    let inputs = completeness::input_rates(&table, &schema, &completeness::CompletenessPolicy::bundled()?);
    let names: Vec<String> = schema.features.iter().map(|feature| feature.name.clone()).collect();
    let n_features = names.len();

    let progress = progress_bar(options.progress, options.folds as u64 + 1);
    let mut out_of_fold = vec![f64::NAN; outcomes.len()];
    let mut best_iterations = Vec::with_capacity(options.folds);
    let mut fold_thresholds = Vec::with_capacity(options.folds);
    let mut fold_figures = Vec::with_capacity(options.folds);
    for fold in 0..options.folds {
        progress.set_message(format!("fold {} of {}", fold + 1, options.folds));
        let training: Vec<usize> = (0..outcomes.len()).filter(|row| folds[*row] != fold).collect();
        let held_out: Vec<usize> = (0..outcomes.len()).filter(|row| folds[*row] == fold).collect();
        // A stratified tenth of the training part decides when to stop.
        let training_outcomes: Vec<u8> = training.iter().map(|row| outcomes[*row]).collect();
        let inner = evaluation::stratified_folds(&training_outcomes, 10, options.seed.wrapping_add(fold as u64 + 1))
            .map_err(outcome_error)?;
        let fit: Vec<usize> =
            training.iter().zip(&inner).filter(|(_, part)| **part != 0).map(|(row, _)| *row).collect();
        let stop: Vec<usize> =
            training.iter().zip(&inner).filter(|(_, part)| **part == 0).map(|(row, _)| *row).collect();
        let (fit_values, fit_labels) = subset(matrix.values(), n_features, &fit, &outcomes);
        let (stop_values, stop_labels) = subset(matrix.values(), n_features, &stop, &outcomes);
        let fit_set = dataset(&fit_values, &fit_labels, &names, None)?;
        let stop_set = dataset(&stop_values, &stop_labels, &names, Some(&fit_set))?;
        let booster = Booster::train_with_valid(fit_set, Some(stop_set), &parameters).map_err(lightgbm)?;
        best_iterations.push(booster.num_iterations().max(1) as usize);
        let (held_values, _) = subset(matrix.values(), n_features, &held_out, &outcomes);
        let predictions = booster.predict(&held_values, n_features as i32, true).map_err(lightgbm)?;
        for (row, probability) in held_out.iter().zip(&predictions) {
            out_of_fold[*row] = *probability;
        }
        let held_outcomes: Vec<u8> = held_out.iter().map(|row| outcomes[*row]).collect();
        let fold_choice =
            evaluation::best_threshold(&predictions, &held_outcomes, options.costs).map_err(outcome_error)?;
        fold_figures.push(FoldFigures {
            auc: evaluation::auc(&predictions, &held_outcomes).map_err(outcome_error)?,
            cost_per_client: fold_choice.cost_per_client,
            threshold: fold_choice.threshold,
            best_iteration: best_iterations.last().copied().unwrap_or(0),
        });
        if fold_choice.threshold.is_finite() {
            fold_thresholds.push(fold_choice.threshold);
        }
        progress.inc(1);
    }
    let oof_auc = evaluation::auc(&out_of_fold, &outcomes).map_err(outcome_error)?;
    let mut choice = evaluation::best_threshold(&out_of_fold, &outcomes, options.costs).map_err(outcome_error)?;
    // The cost curve is flat and noisy near its minimum: the threshold minimising the pooled
    // out-of-fold cost overfits it. Each fold's own best threshold is a separate estimate, and
    // their mean holds better on clients the model never saw (BENCHMARKS.md); the cost and
    // confusion reported are the out-of-fold ones at that mean.
    if !fold_thresholds.is_empty() {
        let mean = fold_thresholds.iter().sum::<f64>() / fold_thresholds.len() as f64;
        let confusion = Confusion::at(&out_of_fold, &outcomes, mean);
        choice.cost_per_client = confusion.cost(options.costs) / outcomes.len() as f64;
        choice.confusion = confusion;
        choice.threshold = mean;
    }
    let threshold = if choice.threshold.is_finite() { choice.threshold } else { 1.0 };

    progress.set_message("final model on all rows");
    let final_iterations =
        (best_iterations.iter().sum::<usize>() as f64 / best_iterations.len().max(1) as f64).round().max(1.0) as usize;
    let mut final_parameters = parameters.clone();
    final_parameters["num_iterations"] = json!(final_iterations);
    if let Some(object) = final_parameters.as_object_mut() {
        object.remove("early_stopping_rounds");
    }
    let all: Vec<usize> = (0..outcomes.len()).collect();
    let (all_values, all_labels) = subset(matrix.values(), n_features, &all, &outcomes);
    let booster =
        Booster::train(dataset(&all_values, &all_labels, &names, None)?, &final_parameters).map_err(lightgbm)?;
    // The category lists go into the model file too, as LightGBM's Python package writes
    // them, so that the model scores text columns without its card.
    let lists: Vec<Vec<String>> = card_features.iter().filter_map(|(_, categories)| categories.clone()).collect();
    let model_text = crate::model::with_pandas_categorical(&booster.save_string().map_err(lightgbm)?, &lists);
    let model = Model::parse(&model_text).map_err(|error| TrainError::Parse(error.to_string()))?;
    // Global importance: each feature's mean |TreeSHAP contribution| over every training row.
    let n_trees = model.n_trees();
    let explainer = crate::explain::Explainer::new(std::sync::Arc::new(model), crate::explain::Method::Fast)
        .map_err(|error| TrainError::Parse(error.to_string()))?;
    let summary =
        explainer.summarise_rows(&all_values, &|_, _| {}).map_err(|error| TrainError::Parse(error.to_string()))?;
    let mut importance: Vec<(String, f64)> = names.iter().cloned().zip(summary.mean_abs_log_odds).collect();
    importance.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    progress.inc(1);
    progress.finish_and_clear();

    let model_version = format!("sha256-{}", &crate::domain::format::sha256_hex(model_text.as_bytes())[..12]);
    // The fingerprint covers the application table and every history table read.
    let mut digest = Sha256::new();
    let mut read_files = vec![table.path().to_path_buf()];
    if let Some(history) = table.history() {
        read_files.extend(history.tables().map(|(_, path)| path.to_path_buf()));
    }
    for path in &read_files {
        let bytes = std::fs::read(path).map_err(|cause| DataError::Read { path: path.clone(), cause })?;
        digest.update(&bytes);
    }
    let card = ModelCard {
        format_version: 1,
        model_version: model_version.clone(),
        pipeline: PIPELINE_VERSION,
        threshold,
        cost_weights: options.costs,
        training_data: TrainingData {
            file: options.data.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            rows: outcomes.len(),
            default_rate: outcomes.iter().map(|o| f64::from(*o)).sum::<f64>() / outcomes.len() as f64,
            sha256: crate::domain::format::hex(&digest.finalize()),
        },
        features: card_features
            .into_iter()
            .map(|(name, categories)| {
                let label = labels.get(&name);
                CardFeature {
                    kind: if categories.is_some() { "categorical" } else { "numeric" },
                    categories,
                    label_en: label.map(|l| l.en.clone()).unwrap_or_else(|| name.clone()),
                    label_fr: label.map(|l| l.fr.clone()).unwrap_or_else(|| name.clone()),
                    unit: label.map(|l| l.unit.clone()).unwrap_or_default(),
                    actionable: label.is_some_and(|l| l.actionable),
                    protected: label.is_some_and(|l| l.protected),
                    derived: label.is_some_and(|l| l.derived),
                    name,
                }
            })
            .collect(),
        excluded: options.exclude.clone(),
        class_imbalance: "no reweighting: the threshold minimising the weighted cost on out-of-fold probabilities \
                          accounts for the rare defaulters",
        threshold_rule: "the mean of the folds' cost-optimal thresholds (each on its own out-of-fold scores)",
        encoding: "text columns as ordinal codes: the position of the value in the feature's categories",
        parameters,
        cross_validation: CrossValidation {
            folds: options.folds,
            seed: options.seed,
            best_iterations,
            final_iterations,
        },
        metrics: Metrics { oof_auc, cost_per_client: choice.cost_per_client, confusion: choice.confusion },
        cost_curve: thin_curve(&choice.curve, (choice.threshold, choice.cost_per_client), 200),
        inputs,
        history_tables,
        policy: CardPolicy { file: "assets/policy.toml".into(), version: policy.version.clone() },
    };
    let card_text = serde_json::to_string_pretty(&card).map_err(|error| TrainError::Parse(error.to_string()))?;
    let model_path = options.out.join("model.txt");
    write_both(&[(model_path.clone(), model_text), (options.out.join("model.json"), card_text + "\n")])?;
    Ok(TrainReport {
        oof_auc,
        cost_per_client: choice.cost_per_client,
        threshold,
        n_trees,
        model_path,
        model_version,
        folds: fold_figures,
        out_of_fold,
        outcomes,
        ids: table.ids().map(<[i64]>::to_vec),
        importance,
    })
}

/// At most `limit` finite points of the curve, evenly spaced, always keeping the chosen one.
fn thin_curve(curve: &[(f64, f64)], chosen: (f64, f64), limit: usize) -> Vec<(f64, f64)> {
    let finite: Vec<(f64, f64)> = curve.iter().copied().filter(|(threshold, _)| threshold.is_finite()).collect();
    let step = finite.len().div_ceil(limit.max(1)).max(1);
    let mut thinned: Vec<(f64, f64)> = finite
        .iter()
        .enumerate()
        .filter(|(index, (threshold, _))| index % step == 0 || *threshold == chosen.0)
        .map(|(_, p)| *p)
        .collect();
    // The chosen threshold (a mean of the folds' thresholds, not a score itself) at its cost.
    if chosen.0.is_finite() && !thinned.iter().any(|(threshold, _)| *threshold == chosen.0) {
        let at = thinned.partition_point(|(threshold, _)| *threshold < chosen.0);
        thinned.insert(at, chosen);
    }
    thinned
}

/// Writes every file beside its target, then renames them all: a failure leaves no file.
fn write_both(files: &[(PathBuf, String)]) -> Result<(), TrainError> {
    // Every file is written whole beside its target (exclusive temporary files, removed if
    // anything fails) before any replaces its target.
    let mut written = Vec::with_capacity(files.len());
    for (path, text) in files {
        if let Some(folder) = path.parent().filter(|folder| !folder.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|cause| TrainError::Write { path: folder.to_path_buf(), cause })?;
        }
        let mut file = crate::files::AtomicFile::create(path)?;
        file.file()
            .write_all(text.as_bytes())
            .and_then(|()| file.file().flush())
            .map_err(|cause| TrainError::Write { path: path.clone(), cause })?;
        written.push(file);
    }
    for file in written {
        file.commit()?;
    }
    Ok(())
}

fn progress_bar(visible: bool, steps: u64) -> indicatif::ProgressBar {
    if !visible {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(steps);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar
}
