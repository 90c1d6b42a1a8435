//! Property tests of TreeSHAP over real golden models and random rows.
//!
//! Rows mix ordinary values with the awkward ones (NaN, ±0, ±kZeroThreshold, ±inf, negative
//! and fractional categories). For every row: contributions plus expected value equal the raw
//! score (local accuracy), the fast tables agree with the exact recursion, a feature the model
//! never splits on gets exactly 0, and shuffling the values of unused features changes nothing.

mod common;

use std::sync::{Arc, LazyLock};

use pad::explain::{Explainer, Method};
use pad::model::{FeatureInfo, Model, ZERO_THRESHOLD};
use proptest::prelude::*;

/// A value for one feature, drawn around what the model saw in training.
fn value_for(info: &FeatureInfo) -> BoxedStrategy<f64> {
    let awkward = prop_oneof![
        Just(f64::NAN),
        Just(0.0),
        Just(-0.0),
        Just(ZERO_THRESHOLD),
        Just(-ZERO_THRESHOLD),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.5),
        Just(2.7),
    ];
    match info.clone() {
        FeatureInfo::Numeric { min, max } if min.is_finite() && max.is_finite() && min < max => {
            prop_oneof![3 => min - 1.0..max + 1.0, 1 => awkward].boxed()
        }
        FeatureInfo::Categorical(categories) => {
            let top = categories.iter().copied().max().unwrap_or(1).max(1) as f64;
            prop_oneof![3 => (0..=top as i64 + 2).prop_map(|c| c as f64), 1 => awkward].boxed()
        }
        _ => prop_oneof![3 => -10.0..10.0f64, 1 => awkward].boxed(),
    }
}

fn rows_for(model: &Model) -> impl Strategy<Value = Vec<f64>> {
    model.feature_infos().iter().map(value_for).collect::<Vec<_>>()
}

fn check_row(model: &Arc<Model>, exact: &Explainer, fast: &Explainer, row: &[f64]) -> Result<(), TestCaseError> {
    let raw = model.predict_raw(row).unwrap();
    let reference = exact.explain(row).unwrap();
    let quick = fast.explain(row).unwrap();
    let total: f64 = reference.values.iter().sum::<f64>() + reference.expected_value;
    prop_assert!((total - raw).abs() <= 1e-9, "local accuracy: {} vs {}", total, raw);
    for (feature, (a, b)) in reference.values.iter().zip(&quick.values).enumerate() {
        prop_assert!((a - b).abs() <= 1e-9, "feature {}: exact {} vs fast {}", feature, a, b);
        if !model.uses_feature(feature) {
            prop_assert!(a.to_bits() == 0 && b.to_bits() == 0, "unused feature {} got {} / {}", feature, a, b);
        }
    }
    Ok(())
}

/// A model with its two explainers, built once per test binary.
struct Prepared {
    model: Arc<Model>,
    exact: Explainer,
    fast: Explainer,
}

fn prepare(name: &str) -> Prepared {
    let model = common::golden_model(name);
    let exact = Explainer::new(model.clone(), Method::Exact).unwrap();
    let fast = Explainer::new(model.clone(), Method::Fast).unwrap();
    Prepared { model, exact, fast }
}

static CATEGORICAL: LazyLock<Prepared> = LazyLock::new(|| prepare("syn_cat"));
static DEEP: LazyLock<Prepared> = LazyLock::new(|| prepare("syn_deep"));
static REAL: LazyLock<Prepared> = LazyLock::new(|| prepare("hc_cat400"));

fn unused_features(model: &Model) -> Vec<usize> {
    (0..model.n_features()).filter(|f| !model.uses_feature(*f)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn categorical_model_properties(row in rows_for(&CATEGORICAL.model)) {
        check_row(&CATEGORICAL.model, &CATEGORICAL.exact, &CATEGORICAL.fast, &row)?;
    }

    #[test]
    fn deep_model_properties(row in rows_for(&DEEP.model)) {
        check_row(&DEEP.model, &DEEP.exact, &DEEP.fast, &row)?;
    }

    #[test]
    fn real_model_properties_and_unused_columns(
        row in rows_for(&REAL.model),
        seed in any::<u64>(),
    ) {
        let Prepared { model, exact, fast } = &*REAL;
        let unused = unused_features(model);
        prop_assert!(unused.len() >= 5, "the model should leave some features unused");
        check_row(model, exact, fast, &row)?;

        // Shuffle the values held by unused features (a seeded rotation and swap).
        let mut shuffled = row.clone();
        let k = unused.len();
        for (position, &feature) in unused.iter().enumerate() {
            let source = unused[(position + 1 + (seed as usize % k)) % k];
            shuffled[feature] = row[source];
        }
        prop_assert_eq!(model.predict_raw(&row).unwrap().to_bits(), model.predict_raw(&shuffled).unwrap().to_bits());
        let before = exact.explain(&row).unwrap();
        let after = exact.explain(&shuffled).unwrap();
        for (a, b) in before.values.iter().zip(&after.values) {
            prop_assert_eq!(a.to_bits(), b.to_bits());
        }
    }
}

/// The bundled applicants as named raw inputs (empty fields left out), and the required fields
/// of the bundled card that the model reads, from the card file itself.
struct Applications {
    complete: Vec<Vec<(String, pad::domain::InputValue)>>,
    required: Vec<String>,
}

static APPLICATIONS: LazyLock<Applications> = LazyLock::new(|| {
    use pad::domain::InputValue;
    use pad::scoring::Scorer;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let required = common::card_required_read(&common::bundled_scorer().info().features);
    let mut reader = csv::Reader::from_path(root.join("data/applicants.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let complete = reader
        .records()
        .map(Result::unwrap)
        .map(|record| {
            header
                .iter()
                .zip(record.iter())
                .filter(|(_, field)| !field.is_empty())
                .map(|(name, field)| {
                    let text =
                        matches!(pad::data::schema::column_kind(name), Some(pad::data::schema::ColumnKind::Text));
                    let value =
                        if text { InputValue::Text(field.into()) } else { InputValue::Number(field.parse().unwrap()) };
                    (name.to_string(), value)
                })
                .collect::<Vec<_>>()
        })
        // Complete by the card: every required field present in the file.
        .filter(|inputs| required.iter().all(|field| inputs.iter().any(|(name, _)| name == field)))
        .collect();
    Applications { complete, required }
});

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// For any complete application, leaving out any required field (absent or null) never
    /// yields a decision, and the answer names the field.
    #[test]
    fn no_decision_without_a_required_field(client in any::<prop::sample::Index>(), field in any::<prop::sample::Index>(), as_null in any::<bool>()) {
        use pad::scoring::Scorer;
        let applications = &*APPLICATIONS;
        prop_assert!(applications.complete.len() > 900, "{} complete", applications.complete.len());
        prop_assert!(applications.required.len() > 10);
        let scorer = common::bundled_scorer();
        let inputs = client.get(&applications.complete);
        let decided = scorer.predict_inputs(inputs).unwrap();
        prop_assert!(decided.decision.is_decided(), "complete: {:?}", decided.missing);
        let field = field.get(&applications.required);
        let mut incomplete: Vec<_> = inputs.iter().filter(|(name, _)| name != field).cloned().collect();
        if as_null {
            incomplete.push((field.clone(), pad::domain::InputValue::Missing));
        }
        let score = scorer.predict_inputs(&incomplete).unwrap();
        prop_assert_eq!(score.decision, pad::domain::Decision::Incomplete);
        prop_assert_eq!(score.missing.clone(), vec![field.clone()]);
        let explanation = scorer.explain_inputs(&incomplete).unwrap();
        prop_assert_eq!(explanation.score.decision, pad::domain::Decision::Incomplete);
        prop_assert!(explanation.reasons.is_empty());
    }
}
