//! A hand-made three-tree model whose predictions and SHAP values are worked out by hand.
//!
//! `tests/fixtures/tiny.model.txt`, features x0 (numeric) and x1 (categorical):
//!
//! Tree 0 (counts in brackets, 100 rows):
//!   node 0: x0 <= 1.5, NaN goes left (decision_type 10)
//!     left  -> leaf 0 = 0.5  [30]
//!     right -> node 1: x1 in {1, 3} (bitset word 10 = 0b1010) [70]
//!        left  -> leaf 1 = -0.2 [10]
//!        right -> leaf 2 =  0.4 [60]
//!   E = 0.3·0.5 + 0.1·(-0.2) + 0.6·0.4 = 0.37
//! Tree 1: x0 <= 0 (missing type None: NaN is read as 0.0), then x0 <= 3 again
//!     left -> leaf 0 = -0.3 [40]; right -> node 1 [60]: left leaf 1 = 0.2 [35], right leaf 2 = 0.6 [25]
//!   E = 0.4·(-0.3) + 0.35·0.2 + 0.25·0.6 = 0.10
//! Tree 2: one leaf, 0.05.  Expected value of the model: 0.37 + 0.10 + 0.05 = 0.52.

mod common;

use pad::explain::{Explainer, Method};
use pad::model::Model;
use std::sync::Arc;

fn tiny() -> Arc<Model> {
    Arc::new(Model::from_path(&common::fixtures().join("tiny.model.txt")).unwrap())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn row_in_the_categorical_branch() {
    // x0 = 2, x1 = 3: tree 0 goes right then left (3 is in {1, 3}): -0.2; tree 1 goes right
    // then left (2 <= 3): 0.2; tree 2: 0.05. Raw score 0.05, probability 1/(1+e^-0.05).
    let model = tiny();
    let row = [2.0, 3.0];
    assert!(close(model.predict_raw(&row).unwrap(), 0.05));
    assert!(close(model.predict_probability(&row).unwrap(), 0.5124973964842103));
    // Tree 0, path-dependent values of coalitions:
    //   v(∅) = 0.37; v({x0}) = (10·(-0.2) + 60·0.4)/70 = 11/35; v({x1}) = 0.3·0.5 + 0.7·(-0.2) = 0.01;
    //   v({x0,x1}) = -0.2.
    //   φ0 = ½[(11/35 - 0.37) + (-0.2 - 0.01)] = -465/3500;  φ1 = -0.57 - φ0 = -1530/3500.
    // Tree 1 uses x0 only: φ0 = 0.2 - 0.10 = 0.10. Totals: φ0 = -0.0328571428…, φ1 = -0.4371428571….
    for method in [Method::Exact, Method::Fast] {
        let explanation = Explainer::new(model.clone(), method).unwrap().explain(&row).unwrap();
        assert!(close(explanation.expected_value, 0.52), "{method:?}");
        assert!(close(explanation.values[0], -0.03285714285714286), "{method:?} {:?}", explanation.values);
        assert!(close(explanation.values[1], -0.43714285714285717), "{method:?} {:?}", explanation.values);
    }
}

#[test]
fn row_with_missing_values() {
    // x0 = NaN, x1 = NaN. Tree 0: NaN is the missing type and goes left: 0.5. Tree 1: missing
    // type None reads NaN as 0.0, 0 <= 0 goes left: -0.3. Raw score 0.5 - 0.3 + 0.05 = 0.25.
    let model = tiny();
    let row = [f64::NAN, f64::NAN];
    assert!(close(model.predict_raw(&row).unwrap(), 0.25));
    assert!(close(model.predict_probability(&row).unwrap(), 0.5621765008857981));
    // Tree 0: v({x0}) = 0.5; v({x1}) = 0.3·0.5 + 0.7·0.4 = 0.43 (a NaN category goes right);
    //   φ0 = ½[(0.5 - 0.37) + (0.5 - 0.43)] = 0.10; φ1 = ½[(0.43 - 0.37) + 0] = 0.03.
    // Tree 1: φ0 = -0.3 - 0.10 = -0.40. Totals: φ0 = -0.30, φ1 = 0.03.
    for method in [Method::Exact, Method::Fast] {
        let explanation = Explainer::new(model.clone(), method).unwrap().explain(&row).unwrap();
        assert!(close(explanation.values[0], -0.30), "{method:?} {:?}", explanation.values);
        assert!(close(explanation.values[1], 0.03), "{method:?} {:?}", explanation.values);
    }
}

#[test]
fn probability_points_add_up_to_the_probability_gap() {
    // Row x0 = NaN, x1 = NaN: p = σ(0.25) = 0.5621765008857981, p0 = σ(0.52) = 0.6271477663131956.
    // Scale (p - p0)/(0.25 - 0.52) = 0.24063431…; φ0 = -0.30 -> -0.0721903…, φ1 = 0.03 -> 0.0072190….
    let model = tiny();
    let explanation = Explainer::new(model.clone(), Method::Exact).unwrap().explain(&[f64::NAN, f64::NAN]).unwrap();
    let points = pad::explain::probability_points(&model, &explanation);
    let scale = (0.5621765008857981 - 0.6271477663131956) / (0.25 - 0.52);
    assert!(close(points[0], -0.30 * scale));
    assert!(close(points[1], 0.03 * scale));
    assert!(close(points[0] + points[1], 0.5621765008857981 - 0.6271477663131956));
    assert!(points[0] < 0.0 && points[1] > 0.0, "signs are kept");
}
