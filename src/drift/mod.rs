//! Data drift between a reference population (the training history) and current applicants.
//!
//! Every model feature, raw and derived, goes through the same feature pipeline as scoring
//! ([`FeatureMatrix`]). For each one: the population stability index over the reference's
//! deciles plus a missing-value bin (categories: one bin each, plus missing), a two-sample
//! test suited to its type (Kolmogorov–Smirnov on the values present for numbers, chi-squared
//! of homogeneity over categories and missing for categories), and the missing rates. The
//! verdict follows the PSI: below 0.1 stable, below 0.25 moderate, else drifted. Features are
//! ranked by PSI weighted by the model's global importance (mean |SHAP| over the current
//! applicants), since drift on a feature the model barely uses matters less. The predicted
//! score gets the same treatment, with the approval rate at the threshold.
//!
//! Uses: data, model, explain, domain.

pub mod report;
pub mod stats;

use rayon::prelude::*;

use crate::data::FeatureMatrix;
use crate::domain::{Decision, FeatureDescription, Threshold};
use crate::explain::{ExplainError, Explainer};

/// PSI from which a feature counts as moderately shifted.
pub const PSI_MODERATE: f64 = 0.1;
/// PSI from which a feature counts as drifted.
pub const PSI_DRIFTED: f64 = 0.25;

/// Quantile bins of the reference for numeric PSI.
const PSI_BINS: usize = 10;
/// Equal-width bins of the histograms drawn in reports.
const HISTOGRAM_BINS: usize = 20;

/// How much a distribution moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// PSI below 0.1.
    Stable,
    /// PSI from 0.1 to below 0.25.
    Moderate,
    /// PSI of 0.25 or more.
    Drifted,
}

impl Verdict {
    /// The verdict for a PSI.
    pub fn from_psi(psi: f64) -> Verdict {
        if psi >= PSI_DRIFTED {
            Verdict::Drifted
        } else if psi >= PSI_MODERATE {
            Verdict::Moderate
        } else {
            Verdict::Stable
        }
    }

    /// The word shown to people.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Stable => "stable",
            Verdict::Moderate => "moderate",
            Verdict::Drifted => "drifted",
        }
    }
}

/// A two-sample test's result.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Test {
    /// `ks` (Kolmogorov–Smirnov) or `chi2` (chi-squared of homogeneity).
    pub name: String,
    /// The statistic: the largest gap between the distribution functions, or Pearson's sum.
    pub statistic: f64,
    /// Degrees of freedom of a chi-squared test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dof: Option<usize>,
    /// The p-value: how likely a difference at least this large is if nothing changed.
    pub p_value: f64,
}

/// Two distributions over the same bins, as shares, for charts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Overlay {
    /// Bin labels (ranges or categories, then "missing").
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
    /// Population stability index.
    pub psi: f64,
    /// The two-sample test.
    pub test: Test,
    /// Share of missing values in the reference.
    pub missing_reference: f64,
    /// Share of missing values in the current population.
    pub missing_current: f64,
    /// Mean |SHAP| (log-odds) over the current population: the model's use of the feature.
    pub importance: f64,
    /// PSI × importance / total importance: the ranking key.
    pub weighted_psi: f64,
    /// Stable, moderate or drifted.
    pub verdict: Verdict,
    /// Histograms of both populations.
    pub overlay: Overlay,
}

/// Drift of the predicted probability of default and of the approval rate.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScoreDrift {
    /// PSI of the probabilities over the reference's deciles.
    pub psi: f64,
    /// Kolmogorov–Smirnov test of the probabilities.
    pub test: Test,
    /// Stable, moderate or drifted.
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

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DriftReport {
    /// Clients in the reference.
    pub reference_rows: usize,
    /// Clients in the current population.
    pub current_rows: usize,
    /// Features, most important drift first.
    pub features: Vec<FeatureDrift>,
    /// The score.
    pub score: ScoreDrift,
}

impl DriftReport {
    /// Whether anything drifted: a feature or the score with a PSI of 0.25 or more.
    pub fn drifted(&self) -> bool {
        self.score.verdict == Verdict::Drifted
            || self.features.iter().any(|feature| feature.verdict == Verdict::Drifted)
    }

    /// Number of features with each verdict: (stable, moderate, drifted).
    pub fn counts(&self) -> (usize, usize, usize) {
        self.features.iter().fold((0, 0, 0), |(s, m, d), feature| match feature.verdict {
            Verdict::Stable => (s + 1, m, d),
            Verdict::Moderate => (s, m + 1, d),
            Verdict::Drifted => (s, m, d + 1),
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
    let mut features: Vec<FeatureDrift> = (0..n_features)
        .into_par_iter()
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
    features.sort_by(|a, b| b.weighted_psi.total_cmp(&a.weighted_psi).then_with(|| b.psi.total_cmp(&a.psi)));
    let score = score_drift(context.threshold, reference_scores, current_scores);
    Ok(DriftReport { reference_rows: reference.n_rows(), current_rows: current.n_rows(), features, score })
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

/// A numeric comparison: PSI over the reference's deciles plus missing, the KS test on the
/// values present, the missing shares and both histograms.
struct NumericComparison {
    psi: f64,
    test: Test,
    missing_reference: f64,
    missing_current: f64,
    overlay: Overlay,
}

fn compare_numbers(reference: Vec<f64>, current: Vec<f64>, unit: &str) -> NumericComparison {
    let (reference_total, current_total) = (reference.len(), current.len());
    let (reference, reference_missing) = split_missing(reference);
    let (current, current_missing) = split_missing(current);
    let edges = decile_edges(&reference);
    let psi =
        stats::psi(&bin_counts(&reference, &edges, reference_missing), &bin_counts(&current, &edges, current_missing));
    let statistic = stats::ks_statistic(&reference, &current);
    NumericComparison {
        psi,
        test: Test {
            name: "ks".into(),
            statistic,
            dof: None,
            p_value: stats::ks_p_value(statistic, reference.len(), current.len()),
        },
        missing_reference: share(reference_missing, reference_total),
        missing_current: share(current_missing, current_total),
        overlay: overlay(&reference, reference_missing, &current, current_missing, unit),
    }
}

fn numeric(description: &FeatureDescription, reference: Vec<f64>, current: Vec<f64>) -> FeatureDrift {
    let compared = compare_numbers(reference, current, &description.unit);
    FeatureDrift {
        feature: description.name.clone(),
        label: description.label_en.clone(),
        kind: "numeric".into(),
        psi: compared.psi,
        test: compared.test,
        missing_reference: compared.missing_reference,
        missing_current: compared.missing_current,
        importance: 0.0,
        weighted_psi: 0.0,
        verdict: Verdict::from_psi(compared.psi),
        overlay: compared.overlay,
    }
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
    let psi = stats::psi(&reference_counts, &current_counts);
    let (statistic, dof, p_value) = stats::chi_squared(&reference_counts, &current_counts);
    let missing = categories.len();
    let mut labels: Vec<String> = categories.to_vec();
    labels.push("missing".into());
    let shares = |counts: &[u64], total: usize| counts.iter().map(|&count| share(count, total)).collect();
    FeatureDrift {
        feature: description.name.clone(),
        label: description.label_en.clone(),
        kind: "categorical".into(),
        psi,
        test: Test { name: "chi2".into(), statistic, dof: Some(dof), p_value },
        missing_reference: share(reference_counts[missing], reference.len()),
        missing_current: share(current_counts[missing], current.len()),
        importance: 0.0,
        weighted_psi: 0.0,
        verdict: Verdict::from_psi(psi),
        overlay: Overlay {
            labels,
            reference: shares(&reference_counts, reference.len()),
            current: shares(&current_counts, current.len()),
        },
    }
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
    let mut labels: Vec<String> = (0..HISTOGRAM_BINS)
        .map(|k| {
            crate::domain::format::format_number(low + width * k as f64, unit, crate::domain::format::Language::En)
        })
        .collect();
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
    ScoreDrift {
        psi: compared.psi,
        test: compared.test,
        verdict: Verdict::from_psi(compared.psi),
        threshold: threshold.value(),
        approval_reference,
        approval_current,
        overlay: compared.overlay,
    }
}

/// A p-value in a short, honest form: four decimals, scientific below 1e-4, and `<1e-300`
/// where a double cannot tell it from zero.
pub fn format_p_value(p: f64) -> String {
    if p < 1e-300 {
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
    fn verdicts_follow_the_documented_bounds() {
        assert_eq!(Verdict::from_psi(0.0999), Verdict::Stable);
        assert_eq!(Verdict::from_psi(0.1), Verdict::Moderate);
        assert_eq!(Verdict::from_psi(0.2499), Verdict::Moderate);
        assert_eq!(Verdict::from_psi(0.25), Verdict::Drifted);
    }
}
