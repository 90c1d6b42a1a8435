//! Data drift between a reference population (the training history) and current applicants.
//!
//! Every model feature, raw and derived, goes through the same feature pipeline as scoring
//! ([`FeatureMatrix`]). Each feature's values are cut into bins plus one for missing values
//! ([`Binning`]): one bin per category for categories, one bin per value for numbers with at
//! most [`MAX_VALUE_BINS`] distinct values in the reference (flags, small counts), the
//! reference's deciles for the other numbers. Over those bins: the population stability index
//! (PSI), the PSI two samples of one population would give at these sizes
//! ([`stats::expected_psi`]), and Pearson's chi-squared test of homogeneity (without
//! continuity correction), whose p-values are adjusted over all features by
//! Benjamini–Hochberg. Numbers also get the Kolmogorov–Smirnov test on the values present, for
//! information. The verdict ([`Verdict::decide`]) needs both a significant test and a PSI
//! beyond chance large enough to matter. Features are ranked by PSI weighted by the model's
//! global importance (mean |SHAP| over the current applicants), since drift on a feature the
//! model barely uses matters less; the rank by PSI alone is given beside it. The predicted
//! score gets the same treatment, with the approval rate at the threshold.
//!
//! Uses: data, model, explain, domain.

pub mod report;
pub mod stats;

use rayon::prelude::*;

use crate::data::FeatureMatrix;
use crate::domain::{Decision, FeatureDescription, Threshold};
use crate::explain::{ExplainError, Explainer};

/// PSI beyond chance from which a significant shift counts as moderate.
pub const PSI_MODERATE: f64 = 0.1;
/// PSI beyond chance from which a significant shift counts as drifted.
pub const PSI_DRIFTED: f64 = 0.25;
/// Significance level: the false discovery rate over the features (Benjamini–Hochberg), and
/// the level of the score's own test.
pub const SIGNIFICANCE: f64 = 0.05;
/// Most distinct values a number may take in the reference to get one bin per value.
pub const MAX_VALUE_BINS: usize = 20;

/// The binning and the verdict's rule, as the table and the report state it.
pub const RULE: &str = "Bins: one per category; one per value for numbers with at most 20 distinct values in the \
reference (flags, small counts); the reference's deciles for other numbers; each time plus a bin for missing values. \
Over them: the population stability index (PSI); the PSI two samples of one population give by chance at these \
sizes, (bins - 1) x (1/reference clients + 1/current clients); and Pearson's chi-squared test of homogeneity, \
without continuity correction, whose p-values are adjusted over all features by Benjamini-Hochberg (q-values). \
A feature is flagged only when both the size and the significance of the shift say so: stable when its q-value \
is 0.05 or more; otherwise, by its PSI beyond chance (PSI - PSI by chance), drifted from 0.25, moderate from 0.1, \
and slight below (a significant shift too small to matter: reported, not flagged). The score is judged the same \
way on its own p-value. Numbers also get the Kolmogorov-Smirnov test on the values present (asymptotic p-value), \
for information. P-values a double cannot tell from zero are written <1e-300 (1e-300 with p_value_underflow in \
JSON). Features are ranked by PSI x the feature's share of the model's importance (mean |SHAP| over the current \
clients); the rank by PSI alone is given beside it.";

/// Quantile bins of the reference for numeric PSI.
const PSI_BINS: usize = 10;
/// Equal-width bins of the histograms drawn in reports.
const HISTOGRAM_BINS: usize = 20;

/// How much a distribution moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No significant shift.
    Stable,
    /// A significant shift too small to matter (PSI beyond chance below 0.1): reported, not
    /// flagged.
    Slight,
    /// A significant shift with a PSI beyond chance from 0.1 to below 0.25.
    Moderate,
    /// A significant shift with a PSI beyond chance of 0.25 or more.
    Drifted,
}

impl Verdict {
    /// The verdict for a PSI, the PSI two samples of one population would give
    /// (`expected_psi`), and whether the test is significant: stable without significance,
    /// else by the PSI beyond chance (`psi − expected_psi`): below [`PSI_MODERATE`] slight,
    /// below [`PSI_DRIFTED`] moderate, else drifted.
    pub fn decide(psi: f64, expected_psi: f64, significant: bool) -> Verdict {
        let beyond_chance = psi - expected_psi;
        if !significant {
            Verdict::Stable
        } else if beyond_chance >= PSI_DRIFTED {
            Verdict::Drifted
        } else if beyond_chance >= PSI_MODERATE {
            Verdict::Moderate
        } else {
            Verdict::Slight
        }
    }

    /// Whether the shift is large enough to be flagged (moderate or drifted).
    pub fn flagged(self) -> bool {
        matches!(self, Verdict::Moderate | Verdict::Drifted)
    }

    /// The word shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Stable => "stable",
            Verdict::Slight => "slight",
            Verdict::Moderate => "moderate",
            Verdict::Drifted => "drifted",
        }
    }
}

/// How a feature's values were cut into the bins of its PSI and chi-squared test (each time
/// with one more bin for missing values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Binning {
    /// The reference's deciles (numbers with more than [`MAX_VALUE_BINS`] distinct values);
    /// deciles that coincide are merged.
    Deciles,
    /// One bin per value the reference takes (numbers with at most [`MAX_VALUE_BINS`]
    /// distinct values: flags, small counts); a current value the reference never takes
    /// counts with the nearest reference value below it (or the smallest).
    Values,
    /// One bin per category the model knows; unknown categories count as missing.
    Categories,
}

impl Binning {
    /// The word shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Binning::Deciles => "deciles",
            Binning::Values => "values",
            Binning::Categories => "categories",
        }
    }
}

/// A two-sample test's result.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Test {
    /// `ks` (Kolmogorov–Smirnov) or `chi2` (Pearson's chi-squared of homogeneity, without
    /// continuity correction).
    pub name: String,
    /// The statistic: the largest gap between the distribution functions, or Pearson's sum.
    pub statistic: f64,
    /// Degrees of freedom of a chi-squared test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dof: Option<usize>,
    /// The p-value: how likely a difference at least this large is if nothing changed. Never
    /// below [`stats::P_VALUE_FLOOR`]: a smaller one is written as that bound (see
    /// `p_value_underflow`).
    pub p_value: f64,
    /// Whether the p-value was smaller than [`stats::P_VALUE_FLOOR`] (a double cannot tell it
    /// from zero), so that `p_value` holds the bound; the text and the report write `<1e-300`.
    #[serde(default)]
    pub p_value_underflow: bool,
}

impl Test {
    /// A test's result, its p-value floored at [`stats::P_VALUE_FLOOR`].
    pub fn new(name: &str, statistic: f64, dof: Option<usize>, p_value: f64) -> Test {
        let p_value_underflow = p_value < stats::P_VALUE_FLOOR;
        Test {
            name: name.into(),
            statistic,
            dof,
            p_value: if p_value_underflow { stats::P_VALUE_FLOOR } else { p_value },
            p_value_underflow,
        }
    }
}

/// Two distributions over the same bins, as shares, for charts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Overlay {
    /// Bin labels (ranges, values or categories, then "missing").
    pub labels: Vec<String>,
    /// Share of the reference in each bin.
    pub reference: Vec<f64>,
    /// Share of the current population in each bin.
    pub current: Vec<f64>,
}

/// One feature's drift.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureDrift {
    /// Feature name.
    pub feature: String,
    /// English label.
    pub label: String,
    /// `numeric` or `categorical`.
    pub kind: String,
    /// How the values were cut into bins.
    pub binning: Binning,
    /// Bins holding a client of either population, the missing bin included.
    pub bins: usize,
    /// Population stability index over the bins.
    pub psi: f64,
    /// The PSI two samples of one population would give at these sizes and bins.
    pub expected_psi: f64,
    /// Pearson's chi-squared test of homogeneity over the same bins: the verdict's test.
    pub test: Test,
    /// The test's p-value adjusted by Benjamini–Hochberg over all features (from the p-values
    /// as written, so an upper bound where one underflowed).
    pub q_value: f64,
    /// Kolmogorov–Smirnov test on the values present (numbers only), for information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ks: Option<Test>,
    /// Share of missing values in the reference.
    pub missing_reference: f64,
    /// Share of missing values in the current population.
    pub missing_current: f64,
    /// Mean |SHAP| (log-odds) over the current population: the model's use of the feature.
    pub importance: f64,
    /// PSI × importance / total importance: the ranking key.
    pub weighted_psi: f64,
    /// Position by weighted PSI, from 1 (the order of the report).
    pub rank: usize,
    /// Position by PSI alone, from 1.
    pub psi_rank: usize,
    /// Stable, slight, moderate or drifted.
    pub verdict: Verdict,
    /// Histograms of both populations.
    pub overlay: Overlay,
}

/// Drift of the predicted probability of default and of the approval rate.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoreDrift {
    /// How the probabilities were cut into bins (the reference's deciles, as a rule).
    pub binning: Binning,
    /// PSI of the probabilities over those bins.
    pub psi: f64,
    /// The PSI two samples of one population would give at these sizes and bins.
    pub expected_psi: f64,
    /// Pearson's chi-squared test over the same bins: the verdict's test, at
    /// [`SIGNIFICANCE`] on its own.
    pub test: Test,
    /// Kolmogorov–Smirnov test of the probabilities, for information.
    pub ks: Test,
    /// Stable, slight, moderate or drifted.
    pub verdict: Verdict,
    /// The threshold.
    pub threshold: f64,
    /// Share of the reference accepted at the threshold.
    pub approval_reference: f64,
    /// Share of the current population accepted at the threshold.
    pub approval_current: f64,
    /// Histograms of both populations' probabilities.
    pub overlay: Overlay,
}

/// How many features got each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerdictCounts {
    /// No significant shift.
    pub stable: usize,
    /// Significant but small.
    pub slight: usize,
    /// Moderate.
    pub moderate: usize,
    /// Drifted.
    pub drifted: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DriftReport {
    /// Clients in the reference.
    pub reference_rows: usize,
    /// Clients in the current population.
    pub current_rows: usize,
    /// Features, most important drift first.
    pub features: Vec<FeatureDrift>,
    /// The score (boxed: it is most of the report's size, which travels in messages).
    pub score: Box<ScoreDrift>,
    /// Features left out: credit-history aggregates of a table one population came without
    /// (missing for all its clients, they would only measure the table's absence).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_compared: Vec<NotCompared>,
}

/// A feature left out of the comparison, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NotCompared {
    /// Feature name.
    pub feature: String,
    /// Why, for people: which population came without which table.
    pub reason: String,
}

impl DriftReport {
    /// Whether anything drifted: a feature or the score with the verdict drifted.
    pub fn drifted(&self) -> bool {
        self.score.verdict == Verdict::Drifted
            || self.features.iter().any(|feature| feature.verdict == Verdict::Drifted)
    }

    /// Number of features with each of the four verdicts.
    pub fn verdict_counts(&self) -> VerdictCounts {
        self.features.iter().fold(VerdictCounts::default(), |mut counts, feature| {
            match feature.verdict {
                Verdict::Stable => counts.stable += 1,
                Verdict::Slight => counts.slight += 1,
                Verdict::Moderate => counts.moderate += 1,
                Verdict::Drifted => counts.drifted += 1,
            }
            counts
        })
    }
}

/// Errors of a comparison.
#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    /// One population has no clients.
    #[error("the {0} population has no clients: nothing to compare")]
    Empty(&'static str),
    /// The feature descriptions do not match the matrices.
    #[error("the reference has {reference} features and the current population {current}; both must follow the model")]
    Shape {
        /// Features of the reference matrix.
        reference: usize,
        /// Features of the current matrix.
        current: usize,
    },
    /// TreeSHAP failed.
    #[error(transparent)]
    Explain(#[from] ExplainError),
}

/// What a comparison needs besides the two populations.
pub struct DriftContext<'a> {
    /// The model's explainer (for scores and importance).
    pub explainer: &'a Explainer,
    /// The model's features, in model order.
    pub features: &'a [FeatureDescription],
    /// The decision threshold.
    pub threshold: Threshold,
}

/// Compares `current` with `reference`, both mapped onto the model's features.
pub fn compare(
    context: &DriftContext<'_>,
    reference: &FeatureMatrix,
    current: &FeatureMatrix,
) -> Result<DriftReport, DriftError> {
    if reference.n_rows() == 0 {
        return Err(DriftError::Empty("reference"));
    }
    if current.n_rows() == 0 {
        return Err(DriftError::Empty("current"));
    }
    let n_features = context.features.len();
    if reference.n_features() != n_features || current.n_features() != n_features {
        return Err(DriftError::Shape { reference: reference.n_features(), current: current.n_features() });
    }
    let summary = context.explainer.summarise_rows(current.values(), &|_, _| {})?;
    let (current_scores, importance) = (summary.probabilities, summary.mean_abs_log_odds);
    let reference_scores = scores(context.explainer, reference);
    let total_importance: f64 = importance.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let not_compared = absent_tables(context.features, reference, current);
    let mut features: Vec<FeatureDrift> = (0..n_features)
        .into_par_iter()
        .filter(|&feature_idx| not_compared.iter().all(|left| left.feature != context.features[feature_idx].name))
        .map(|feature_idx| {
            let description = &context.features[feature_idx];
            let column = |matrix: &FeatureMatrix| -> Vec<f64> {
                matrix.values().iter().skip(feature_idx).step_by(n_features.max(1)).copied().collect()
            };
            let (reference_values, current_values) = (column(reference), column(current));
            let mut drift = match &description.categories {
                Some(categories) => categorical(description, categories, &reference_values, &current_values),
                None => numeric(description, reference_values, current_values),
            };
            drift.importance = importance[feature_idx];
            drift.weighted_psi = drift.psi * importance[feature_idx] / total_importance;
            drift
        })
        .collect();
    judge(&mut features);
    let score = Box::new(score_drift(context.threshold, reference_scores, current_scores));
    Ok(DriftReport {
        reference_rows: reference.n_rows(),
        current_rows: current.n_rows(),
        features,
        score,
        not_compared,
    })
}

/// The features left out, grouped by reason in the report's order.
pub fn not_compared_by_reason(report: &DriftReport) -> Vec<(&str, Vec<&str>)> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for left in &report.not_compared {
        match groups.iter_mut().find(|(reason, _)| *reason == left.reason) {
            Some((_, names)) => names.push(&left.feature),
            None => groups.push((&left.reason, vec![&left.feature])),
        }
    }
    groups
}

/// The history features whose table the reference or the current population came without.
fn absent_tables(
    features: &[FeatureDescription],
    reference: &FeatureMatrix,
    current: &FeatureMatrix,
) -> Vec<NotCompared> {
    features
        .iter()
        .filter_map(|feature| {
            let table = crate::data::history::aggregates::history_feature(&feature.name)?.table;
            let without = |matrix: &FeatureMatrix| matrix.missing_history().contains(&table);
            let who = match (without(reference), without(current)) {
                (true, true) => "neither population came with",
                (true, false) => "the reference came without",
                (false, true) => "the current population came without",
                (false, false) => return None,
            };
            Some(NotCompared { feature: feature.name.clone(), reason: format!("{who} the {} table", table.stem()) })
        })
        .collect()
}

/// Adjusts the features' p-values over all of them (Benjamini–Hochberg), gives each its
/// verdict, sorts them by weighted PSI and numbers both rankings.
fn judge(features: &mut [FeatureDrift]) {
    let p_values: Vec<f64> = features.iter().map(|feature| feature.test.p_value).collect();
    for (feature, q_value) in features.iter_mut().zip(stats::benjamini_hochberg(&p_values)) {
        feature.q_value = q_value;
        feature.verdict = Verdict::decide(feature.psi, feature.expected_psi, q_value < SIGNIFICANCE);
    }
    features.sort_by(|a, b| b.weighted_psi.total_cmp(&a.weighted_psi).then_with(|| b.psi.total_cmp(&a.psi)));
    let mut by_psi: Vec<usize> = (0..features.len()).collect();
    by_psi.sort_by(|&a, &b| features[b].psi.total_cmp(&features[a].psi).then(a.cmp(&b)));
    for (position, index) in by_psi.into_iter().enumerate() {
        features[index].psi_rank = position + 1;
    }
    for (position, feature) in features.iter_mut().enumerate() {
        feature.rank = position + 1;
    }
}

/// Probabilities of every row.
fn scores(explainer: &Explainer, matrix: &FeatureMatrix) -> Vec<f64> {
    let model = explainer.model();
    let n_features = matrix.n_features().max(1);
    matrix.values().par_chunks(n_features).map(|row| model.predict_probability(row).unwrap_or(f64::NAN)).collect()
}

/// Values present (increasing) and the count of missing ones.
fn split_missing(mut values: Vec<f64>) -> (Vec<f64>, u64) {
    let before = values.len();
    values.retain(|value| !value.is_nan());
    let missing = (before - values.len()) as u64;
    values.sort_unstable_by(f64::total_cmp);
    (values, missing)
}

/// Inner edges at the reference's deciles (duplicates merged): values below the first edge go
/// to bin 0, values at or above the last to the last bin.
fn decile_edges(sorted: &[f64]) -> Vec<f64> {
    let mut edges: Vec<f64> = (1..PSI_BINS).filter_map(|k| sorted.get(k * sorted.len() / PSI_BINS).copied()).collect();
    edges.dedup();
    if let Some(&first) = sorted.first() {
        edges.retain(|&edge| edge > first);
    }
    edges
}

/// The distinct values of an increasing sample, or `None` when there are more than
/// [`MAX_VALUE_BINS`].
fn distinct_values(sorted: &[f64]) -> Option<Vec<f64>> {
    let mut values: Vec<f64> = Vec::new();
    for &value in sorted {
        if values.last() != Some(&value) {
            if values.len() == MAX_VALUE_BINS {
                return None;
            }
            values.push(value);
        }
    }
    Some(values)
}

/// Counts of `sorted` values in the bins the inner `edges` make, then the missing count.
fn bin_counts(sorted: &[f64], edges: &[f64], missing: u64) -> Vec<u64> {
    let mut counts = Vec::with_capacity(edges.len() + 2);
    let mut start = 0;
    for &edge in edges {
        let end = sorted.partition_point(|&value| value < edge);
        counts.push((end - start) as u64);
        start = end;
    }
    counts.push((sorted.len() - start) as u64);
    counts.push(missing);
    counts
}

fn share(part: u64, total: usize) -> f64 {
    if total == 0 { 0.0 } else { part as f64 / total as f64 }
}

/// Both populations' counts over the same bins, the missing bin last, and what they give.
struct BinnedComparison {
    binning: Binning,
    bins: usize,
    psi: f64,
    expected_psi: f64,
    test: Test,
}

impl BinnedComparison {
    fn new(binning: Binning, reference: &[u64], current: &[u64]) -> BinnedComparison {
        let (statistic, dof, p_value) = stats::chi_squared(reference, current);
        BinnedComparison {
            binning,
            bins: reference.iter().zip(current).filter(|&(&r, &c)| r + c > 0).count(),
            psi: stats::psi(reference, current),
            expected_psi: stats::expected_psi(reference, current),
            test: Test::new("chi2", statistic, Some(dof), p_value),
        }
    }
}

/// A numeric comparison: the binned comparison (values or deciles, plus missing), the KS test
/// on the values present, the missing shares and both histograms.
struct NumericComparison {
    binned: BinnedComparison,
    ks: Test,
    missing_reference: f64,
    missing_current: f64,
    overlay: Overlay,
}

fn compare_numbers(reference: Vec<f64>, current: Vec<f64>, unit: &str) -> NumericComparison {
    let (reference_total, current_total) = (reference.len(), current.len());
    let (reference, reference_missing) = split_missing(reference);
    let (current, current_missing) = split_missing(current);
    let values = distinct_values(&reference);
    let (binning, edges) = match &values {
        Some(values) => (Binning::Values, values.iter().skip(1).copied().collect()),
        None => (Binning::Deciles, decile_edges(&reference)),
    };
    let reference_counts = bin_counts(&reference, &edges, reference_missing);
    let current_counts = bin_counts(&current, &edges, current_missing);
    let statistic = stats::ks_statistic(&reference, &current);
    let overlay = match &values {
        Some(values) => {
            let mut labels: Vec<String> = values.iter().map(|&value| format_number(value, unit)).collect();
            labels.push("missing".into());
            Overlay {
                labels,
                reference: reference_counts.iter().map(|&count| share(count, reference_total)).collect(),
                current: current_counts.iter().map(|&count| share(count, current_total)).collect(),
            }
        }
        None => overlay(&reference, reference_missing, &current, current_missing, unit),
    };
    NumericComparison {
        binned: BinnedComparison::new(binning, &reference_counts, &current_counts),
        ks: Test::new("ks", statistic, None, stats::ks_p_value(statistic, reference.len(), current.len())),
        missing_reference: share(reference_missing, reference_total),
        missing_current: share(current_missing, current_total),
        overlay,
    }
}

fn format_number(value: f64, unit: &str) -> String {
    crate::domain::format::format_number(value, unit, crate::domain::format::Language::En)
}

/// A feature's drift before the verdict and the rankings, which need every feature.
fn feature_drift(
    description: &FeatureDescription,
    kind: &str,
    binned: BinnedComparison,
    ks: Option<Test>,
    missing: (f64, f64),
    overlay: Overlay,
) -> FeatureDrift {
    FeatureDrift {
        feature: description.name.clone(),
        label: description.label_en.clone(),
        kind: kind.into(),
        binning: binned.binning,
        bins: binned.bins,
        psi: binned.psi,
        expected_psi: binned.expected_psi,
        test: binned.test,
        q_value: 1.0,
        ks,
        missing_reference: missing.0,
        missing_current: missing.1,
        importance: 0.0,
        weighted_psi: 0.0,
        rank: 0,
        psi_rank: 0,
        verdict: Verdict::Stable,
        overlay,
    }
}

fn numeric(description: &FeatureDescription, reference: Vec<f64>, current: Vec<f64>) -> FeatureDrift {
    let compared = compare_numbers(reference, current, &description.unit);
    let missing = (compared.missing_reference, compared.missing_current);
    feature_drift(description, "numeric", compared.binned, Some(compared.ks), missing, compared.overlay)
}

fn categorical(
    description: &FeatureDescription,
    categories: &[String],
    reference: &[f64],
    current: &[f64],
) -> FeatureDrift {
    // One bin per category code, then missing (unknown categories are missing, as in scoring).
    let counts = |values: &[f64]| {
        let mut counts = vec![0u64; categories.len() + 1];
        for &value in values {
            let code =
                if value.is_nan() || value < 0.0 { categories.len() } else { (value as usize).min(categories.len()) };
            counts[code] += 1;
        }
        counts
    };
    let (reference_counts, current_counts) = (counts(reference), counts(current));
    let missing = categories.len();
    let mut labels: Vec<String> = categories.to_vec();
    labels.push("missing".into());
    let shares = |counts: &[u64], total: usize| counts.iter().map(|&count| share(count, total)).collect();
    let overlay = Overlay {
        labels,
        reference: shares(&reference_counts, reference.len()),
        current: shares(&current_counts, current.len()),
    };
    let missing = (share(reference_counts[missing], reference.len()), share(current_counts[missing], current.len()));
    let binned = BinnedComparison::new(Binning::Categories, &reference_counts, &current_counts);
    feature_drift(description, "categorical", binned, None, missing, overlay)
}

/// Equal-width histograms of both populations between the reference's 0.5th and 99.5th
/// percentiles (the tails in the end bins), then the missing share.
fn overlay(reference: &[f64], reference_missing: u64, current: &[f64], current_missing: u64, unit: &str) -> Overlay {
    let (low, high) = match (reference.len(), reference.first(), reference.last()) {
        (0, _, _) | (_, None, _) | (_, _, None) => (0.0, 1.0),
        (n, Some(_), Some(_)) => (reference[n / 200], reference[n - 1 - n / 200]),
    };
    let (low, high) = if high > low { (low, high) } else { (low - 0.5, low + 0.5) };
    let width = (high - low) / HISTOGRAM_BINS as f64;
    let edges: Vec<f64> = (1..HISTOGRAM_BINS).map(|k| low + width * k as f64).collect();
    let to_shares = |sorted: &[f64], missing: u64| {
        let counts = bin_counts(sorted, &edges, missing);
        let total = sorted.len() + missing as usize;
        counts.iter().map(|&count| share(count, total)).collect::<Vec<f64>>()
    };
    let mut labels: Vec<String> = (0..HISTOGRAM_BINS).map(|k| format_number(low + width * k as f64, unit)).collect();
    labels.push("missing".into());
    Overlay { labels, reference: to_shares(reference, reference_missing), current: to_shares(current, current_missing) }
}

fn score_drift(threshold: Threshold, reference: Vec<f64>, current: Vec<f64>) -> ScoreDrift {
    let approval = |scores: &[f64]| {
        let accepted =
            scores.iter().filter(|&&p| Decision::from_probability(p, threshold) == Decision::Accepted).count();
        share(accepted as u64, scores.len())
    };
    let (approval_reference, approval_current) = (approval(&reference), approval(&current));
    let compared = compare_numbers(reference, current, "ratio");
    let binned = compared.binned;
    ScoreDrift {
        binning: binned.binning,
        psi: binned.psi,
        expected_psi: binned.expected_psi,
        verdict: Verdict::decide(binned.psi, binned.expected_psi, binned.test.p_value < SIGNIFICANCE),
        test: binned.test,
        ks: compared.ks,
        threshold: threshold.value(),
        approval_reference,
        approval_current,
        overlay: compared.overlay,
    }
}

/// A p-value in a short, honest form: four decimals, scientific below 1e-4, and `<1e-300`
/// at or below [`stats::P_VALUE_FLOOR`], where the report holds the bound of a p-value a
/// double cannot tell from zero (the JSON's `p_value_underflow`).
pub fn format_p_value(p: f64) -> String {
    if p <= stats::P_VALUE_FLOOR {
        "<1e-300".into()
    } else if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deciles_and_bins() {
        // 0..100: inner edges at 10, 20, ..., 90; ten bins of ten, no missing.
        let sorted: Vec<f64> = (0..100).map(f64::from).collect();
        let edges = decile_edges(&sorted);
        assert_eq!(edges, (1..10).map(|k| f64::from(k * 10)).collect::<Vec<_>>());
        let counts = bin_counts(&sorted, &edges, 3);
        assert_eq!(counts, [vec![10; 10], vec![3]].concat());
        // A single value: no inner edge, one bin.
        assert!(decile_edges(&[5.0; 40]).is_empty());
        assert_eq!(bin_counts(&[5.0; 40], &[], 0), vec![40, 0]);
    }

    #[test]
    fn low_cardinality_gets_a_bin_per_value() {
        // A flag with 1 % ones: two value bins, the ones on their own.
        let mut flag = vec![0.0; 99];
        flag.push(1.0);
        assert_eq!(distinct_values(&flag), Some(vec![0.0, 1.0]));
        assert_eq!(bin_counts(&flag, &[1.0], 0), vec![99, 1, 0]);
        // Twenty values still count one by one; twenty-one are cut into deciles.
        let twenty: Vec<f64> = (0..20).map(f64::from).collect();
        assert_eq!(distinct_values(&twenty).map(|values| values.len()), Some(20));
        let many: Vec<f64> = (0..21).map(f64::from).collect();
        assert_eq!(distinct_values(&many), None);
        // Ten ones among 1,000 zeros shifted to 100 ones: the bins see it, deciles would not.
        let reference = [vec![0.0; 990], vec![1.0; 10]].concat();
        let current = [vec![0.0; 900], vec![1.0; 100]].concat();
        assert!(decile_edges(&reference).is_empty());
        let compared = compare_numbers(reference, current, "flag");
        assert_eq!(compared.binned.binning, Binning::Values);
        // PSI: (0.1 − 0.01) ln 10 + (0.9 − 0.99) ln(0.9 / 0.99) = 0.207233 + 0.008578 = 0.215811.
        assert!((compared.binned.psi - 0.215_811).abs() < 1e-6, "{}", compared.binned.psi);
        assert_eq!(compared.binned.bins, 2);
        assert_eq!(compared.overlay.labels.len(), 3);
    }

    #[test]
    fn an_underflowed_p_value_reads_the_same_in_json_and_text() {
        let test = Test::new("chi2", 4000.0, Some(3), 0.0);
        assert_eq!((test.p_value, test.p_value_underflow), (1e-300, true));
        let json = serde_json::to_value(&test).unwrap();
        assert_eq!(json["p_value"].as_f64(), Some(1e-300));
        assert_eq!(json["p_value_underflow"], true);
        assert_eq!(format_p_value(test.p_value), "<1e-300");
        let test = Test::new("ks", 0.1, None, 2e-300);
        assert_eq!((test.p_value, test.p_value_underflow), (2e-300, false));
        assert_eq!(format_p_value(test.p_value), "2.0e-300");
        assert_eq!(format_p_value(0.01234), "0.0123");
    }

    #[test]
    fn the_stated_rule_has_the_constants() {
        for phrase in [
            format!("at most {MAX_VALUE_BINS} distinct"),
            format!("q-value is {SIGNIFICANCE} or more"),
            format!("drifted from {PSI_DRIFTED}, moderate from {PSI_MODERATE},"),
        ] {
            assert!(RULE.contains(&phrase), "{phrase}");
        }
    }

    #[test]
    fn verdicts_follow_the_documented_bounds() {
        assert_eq!(Verdict::decide(0.9, 0.0, false), Verdict::Stable);
        assert_eq!(Verdict::decide(0.0999, 0.0, true), Verdict::Slight);
        assert_eq!(Verdict::decide(0.1, 0.0, true), Verdict::Moderate);
        assert_eq!(Verdict::decide(0.2499, 0.0, true), Verdict::Moderate);
        assert_eq!(Verdict::decide(0.25, 0.0, true), Verdict::Drifted);
        // What chance alone gives is taken off first.
        assert_eq!(Verdict::decide(0.3, 0.06, true), Verdict::Moderate);
        assert!(Verdict::Moderate.flagged() && Verdict::Drifted.flagged());
        assert!(!Verdict::Slight.flagged() && !Verdict::Stable.flagged());
    }
}
