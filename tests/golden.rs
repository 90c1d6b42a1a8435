//! Predictions and TreeSHAP contributions against LightGBM's own, from golden files.
//!
//! `tests/fixtures/make_fixtures.py` trained each model with Python LightGBM 4.7.0, saved it,
//! reloaded the Booster from that very file and recorded `predict(raw_score=True)`,
//! `predict()` and `predict(pred_contrib=True)`. The exact recursion must reproduce them bit
//! for bit; the fast tables within 1e-9 (absolute, as everywhere in this suite).

mod common;

use common::{Expected, expected, golden_model, real_inputs, real_sample, synthetic_inputs};
use pad::explain::{Explainer, Method, Scratch};
use pad::model::Model;

const TOLERANCE: f64 = 1e-9;

struct Report {
    rows: usize,
    max_fast_error: f64,
}

/// Compares every output for every row; returns the fast method's largest deviation.
fn compare(name: &str, model: &std::sync::Arc<Model>, inputs: &[Vec<f64>], expected: &[Expected]) -> Report {
    let exact = Explainer::new(model.clone(), Method::Exact).unwrap();
    let fast = Explainer::new(model.clone(), Method::Fast).unwrap();
    let n = model.n_features();
    let mut scratch = Scratch::default();
    let mut phi = vec![0.0; n];
    let mut max_fast_error: f64 = 0.0;
    assert!(!expected.is_empty());
    for golden in expected {
        let row = &inputs[golden.row];
        let raw = model.predict_raw(row).unwrap();
        assert_eq!(
            raw.to_bits(),
            golden.raw.to_bits(),
            "{name} row {}: raw {raw} vs LightGBM {}",
            golden.row,
            golden.raw
        );
        let probability = model.predict_probability(row).unwrap();
        assert!((probability - golden.probability).abs() <= TOLERANCE, "{name} row {}: probability", golden.row);
        assert_eq!(probability.to_bits(), golden.probability.to_bits(), "{name} row {}: probability bits", golden.row);

        let bias = exact.explain_into(row, &mut scratch, &mut phi).unwrap();
        for (feature, (ours, theirs)) in phi.iter().zip(&golden.contrib).enumerate() {
            let same = ours.to_bits() == theirs.to_bits() || (ours.is_nan() && theirs.is_nan());
            assert!(same, "{name} row {} feature {feature}: exact {ours:e} vs LightGBM {theirs:e}", golden.row);
        }
        assert_eq!(bias.to_bits(), golden.contrib[n].to_bits(), "{name}: expected value");

        let bias = fast.explain_into(row, &mut scratch, &mut phi).unwrap();
        for (feature, (ours, theirs)) in phi.iter().zip(&golden.contrib).enumerate() {
            let error = (ours - theirs).abs();
            assert!(
                error <= TOLERANCE,
                "{name} row {} feature {feature}: fast {ours:e} vs LightGBM {theirs:e}",
                golden.row
            );
            max_fast_error = max_fast_error.max(error);
        }
        assert_eq!(bias.to_bits(), golden.contrib[n].to_bits());
        // Local accuracy, an extra check: contributions + expected value = raw score.
        let total: f64 = phi.iter().sum::<f64>() + bias;
        assert!((total - raw).abs() < 1e-9, "{name} row {}: local accuracy {total} vs {raw}", golden.row);
    }
    Report { rows: expected.len(), max_fast_error }
}

fn synthetic(name: &str) -> Report {
    let model = golden_model(name);
    let inputs = synthetic_inputs(name, &model);
    let golden = expected(name, &model);
    let report = compare(name, &model, &inputs, &golden);
    eprintln!("{name}: {} rows equal to LightGBM; fast tables within {:e}", report.rows, report.max_fast_error);
    report
}

fn real(name: &str) {
    let Some(sample) = real_sample() else { return };
    let model = golden_model(name);
    let golden = expected(name, &model);
    let inputs = real_inputs(&sample, &model, golden.len());
    let report = compare(name, &model, &inputs, &golden);
    eprintln!("{name}: {} real rows equal to LightGBM; fast tables within {:e}", report.rows, report.max_fast_error);
}

/// Decision types present in a golden model file.
fn decision_types(name: &str) -> std::collections::BTreeSet<u8> {
    let text = std::fs::read_to_string(common::golden_model_path(name)).unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("decision_type="))
        .flat_map(|values| values.split_whitespace().map(|v| v.parse::<u8>().unwrap()).collect::<Vec<_>>())
        .collect()
}

#[test]
fn categorical_bitsets_nan_missing_and_edge_values() {
    // Categorical splits over 40 and 70 levels (several 32-bit words), NaN missing type with
    // default left and right, and rows holding NaN, ±0, ±1e-36, ±kZeroThreshold, ±inf, -0.5,
    // 2.7, 1e10 and every numeric threshold with its two neighbouring doubles.
    let model = golden_model("syn_cat");
    let kinds = decision_types("syn_cat");
    assert!(kinds.contains(&8) && kinds.contains(&10) && kinds.contains(&9), "{kinds:?}");
    assert!(model.trees().iter().any(|tree| (0..tree.num_leaves() - 1).any(|node| tree.is_categorical(node))));
    synthetic("syn_cat");
}

#[test]
fn zero_as_missing_on_synthetic_edges() {
    let kinds = decision_types("syn_zero");
    assert!(kinds.contains(&4) && kinds.contains(&6), "{kinds:?}");
    synthetic("syn_zero");
}

#[test]
fn deep_trees_with_heavy_feature_reuse() {
    // 3 features, 255 leaves: each feature appears many times on a path, which exercises the
    // unwinding of repeated features (local accuracy alone cannot catch its bugs).
    let model = golden_model("syn_deep");
    assert!(model.max_depth() >= 20, "depth {}", model.max_depth());
    synthetic("syn_deep");
}

#[test]
fn single_leaf_trees_mixed_with_normal_ones() {
    let model = golden_model("syn_single_leaf");
    assert!(model.trees().iter().any(|tree| tree.num_leaves() == 1));
    assert!(model.trees().iter().any(|tree| tree.num_leaves() > 1));
    synthetic("syn_single_leaf");
}

#[test]
fn random_forest_averages_only_the_probability() {
    let model = golden_model("syn_rf");
    assert!(model.average_output());
    synthetic("syn_rf");
}

#[test]
fn real_sample_with_pandas_categoricals_400_trees() {
    real("hc_cat400");
}

#[test]
fn real_sample_zero_as_missing() {
    assert!(decision_types("hc_zero").contains(&6));
    real("hc_zero");
}

#[test]
fn real_sample_without_missing_values() {
    // use_missing=false: missing type None everywhere, NaN read as 0.0.
    assert!(decision_types("hc_nomissing").iter().all(|kind| (kind >> 2) & 3 == 0));
    real("hc_nomissing");
}

#[test]
fn real_sample_deep_trees() {
    real("hc_deep");
}

#[test]
fn real_sample_1000_trees() {
    real("hc_many");
}

#[test]
fn real_sample_weighted_training() {
    // Sample weights make hessian sums differ from counts: the cover must be the counts.
    real("hc_weighted");
}
