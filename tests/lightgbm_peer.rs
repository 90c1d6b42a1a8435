//! Cross-checks against LightGBM itself, in process (feature `train`, through lightgbm3).
//!
//! 1. Models trained here by LightGBM on random data with missing values, saved to text and
//!    parsed by us.
//! 2. Every golden fixture model (categorical bitsets, all missing types, single-leaf trees,
//!    forests, deep trees) loaded by LightGBM from the same file we parse.
//!
//! Both are scored on random rows full of NaN, zeros, ±kZeroThreshold, infinities, negative,
//! fractional and unseen categories. Predictions and exact contributions must be bit-identical
//! to LightGBM's; the fast method within 1e-9.
#![cfg(feature = "train")]

mod common;

use std::sync::Arc;

use lightgbm3::{Booster, Dataset};
use pad::explain::{Explainer, Method};
use pad::model::{FeatureInfo, Model, ZERO_THRESHOLD};
use serde_json::json;

/// A small deterministic generator (xorshift64*), so that failures reproduce.
struct Random(u64);

impl Random {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

const AWKWARD: [f64; 10] =
    [f64::NAN, 0.0, -0.0, ZERO_THRESHOLD, -ZERO_THRESHOLD, 1e-36, f64::INFINITY, f64::NEG_INFINITY, -0.5, 2.7];

/// Random rows for a model: values in each feature's training range, categories (seen, unseen,
/// negative), and awkward values.
fn random_rows(model: &Model, n: usize, random: &mut Random) -> Vec<f64> {
    let mut rows = Vec::with_capacity(n * model.n_features());
    for _ in 0..n {
        for info in model.feature_infos() {
            let draw = random.next();
            let value = if draw < 0.2 {
                AWKWARD[(random.next() * AWKWARD.len() as f64) as usize % AWKWARD.len()]
            } else {
                match info {
                    FeatureInfo::Numeric { min, max } => min + (max - min) * (random.next() * 1.2 - 0.1),
                    FeatureInfo::Categorical(categories) => {
                        let top = categories.iter().copied().max().unwrap_or(0) as f64;
                        (random.next() * (top + 4.0)).floor() - 1.0
                    }
                    FeatureInfo::Unused => random.next() * 10.0,
                }
            };
            rows.push(value);
        }
    }
    rows
}

fn compare(name: &str, model: &Arc<Model>, booster: &Booster, rows: &[f64]) {
    let n_features = model.n_features();
    let raw = booster.raw_scores(rows, n_features as i32, true).unwrap();
    let probability = booster.predict(rows, n_features as i32, true).unwrap();
    let contrib = booster.predict_contrib(rows, n_features as i32, true).unwrap();
    let exact = Explainer::new(model.clone(), Method::Exact).unwrap();
    let fast = Explainer::new(model.clone(), Method::Fast).unwrap();
    for (index, row) in rows.chunks_exact(n_features).enumerate() {
        let ours = model.predict_raw(row).unwrap();
        assert_eq!(ours.to_bits(), raw[index].to_bits(), "{name} row {index}: raw {ours} vs {}", raw[index]);
        let ours = model.predict_probability(row).unwrap();
        assert_eq!(ours.to_bits(), probability[index].to_bits(), "{name} row {index}: probability");
        let theirs = &contrib[index * (n_features + 1)..(index + 1) * (n_features + 1)];
        let reference = exact.explain(row).unwrap();
        let quick = fast.explain(row).unwrap();
        for (feature, ((exact, fast), lightgbm)) in reference.values.iter().zip(&quick.values).zip(theirs).enumerate() {
            assert_eq!(
                exact.to_bits(),
                lightgbm.to_bits(),
                "{name} row {index} feature {feature}: exact {exact} vs LightGBM {lightgbm}"
            );
            assert!((fast - lightgbm).abs() <= 1e-9, "{name} row {index} feature {feature}: fast {fast} vs {lightgbm}");
        }
        assert_eq!(reference.expected_value.to_bits(), theirs[n_features].to_bits(), "{name}: expected value");
    }
}

#[test]
fn models_trained_by_lightgbm_on_random_data() {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let (n_rows, n_features) = (3000, 6);
    let mut x = Vec::with_capacity(n_rows * n_features);
    let mut y = Vec::with_capacity(n_rows);
    for _ in 0..n_rows {
        let row: Vec<f64> = (0..n_features)
            .map(|j| {
                let draw = random.next();
                if draw < 0.12 {
                    f64::NAN
                } else if draw < 0.2 {
                    0.0
                } else if j == 5 {
                    (random.next() * 8.0).floor() // an integer code
                } else {
                    (random.next() - 0.5) * 10.0 * (j + 1) as f64
                }
            })
            .collect();
        let score = row[0].clamp(-3.0, 3.0) * 0.8 - row[1].is_nan() as i32 as f64
            + (row[5] == 3.0) as i32 as f64
            + (random.next() - 0.5) * 2.0;
        y.push(if score.is_nan() || score > 0.3 { 1.0 } else { 0.0 });
        x.extend(row);
    }
    let settings = [
        json!({"objective": "binary", "num_iterations": 60, "num_leaves": 31, "verbose": -1, "seed": 3}),
        json!({"objective": "binary", "num_iterations": 20, "num_leaves": 255, "min_data_in_leaf": 2,
               "min_sum_hessian_in_leaf": 0.0, "verbose": -1, "seed": 4}),
        json!({"objective": "binary", "num_iterations": 500, "num_leaves": 7, "learning_rate": 0.05,
               "bagging_fraction": 0.7, "bagging_freq": 1, "verbose": -1, "seed": 5}),
    ];
    for (index, params) in settings.iter().enumerate() {
        let dataset = Dataset::from_slice(&x, &y, n_features as i32, true).unwrap();
        let booster = Booster::train(dataset, params).unwrap();
        let text = booster.save_string().unwrap();
        let model = Arc::new(Model::parse(&text).unwrap_or_else(|error| panic!("{error}")));
        let rows = random_rows(&model, 300, &mut random);
        compare(&format!("trained model {index}"), &model, &booster, &rows);
    }
}

#[test]
fn golden_models_through_lightgbm_on_random_rows() {
    let mut random = Random(0x1234_5678_9abc_def1);
    for name in [
        "syn_cat",
        "syn_zero",
        "syn_deep",
        "syn_single_leaf",
        "syn_rf",
        "hc_cat400",
        "hc_zero",
        "hc_nomissing",
        "hc_deep",
        "hc_many",
        "hc_weighted",
    ] {
        let path = common::golden_model_path(name);
        let booster = Booster::from_file(path.to_str().unwrap()).unwrap();
        let model = common::golden_model(name);
        let rows = random_rows(&model, 150, &mut random);
        compare(name, &model, &booster, &rows);
    }
}
