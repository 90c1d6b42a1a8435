//! From raw score to probability: LightGBM's binary objective.
//!
//! Only `objective=binary sigmoid:σ` is accepted: the product scores a probability of default.
//! Other objectives are refused when the model is parsed, with the objective named.
//!
//! Depends on nothing else in the crate.

/// The binary log-loss objective with its sigmoid scale σ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    sigmoid: f64,
}

impl Objective {
    /// The objective `binary sigmoid:σ`; `None` unless σ is finite and positive.
    pub fn binary(sigmoid: f64) -> Option<Objective> {
        (sigmoid.is_finite() && sigmoid > 0.0).then_some(Objective { sigmoid })
    }

    /// The sigmoid scale σ.
    pub fn sigmoid(&self) -> f64 {
        self.sigmoid
    }

    /// LightGBM's `BinaryLogloss::ConvertOutput`: `1 / (1 + exp(-σ·raw))`.
    pub fn probability(&self, raw: f64) -> f64 {
        1.0 / (1.0 + (-self.sigmoid * raw).exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_is_the_logistic_function() {
        let objective = Objective::binary(1.0);
        assert_eq!(objective.map(|o| o.probability(0.0)), Some(0.5));
        // ln(3) gives odds of 3: probability 3/4.
        let p = Objective::binary(1.0).map(|o| o.probability(3f64.ln()));
        assert!(p.is_some_and(|p| (p - 0.75).abs() < 1e-15));
        // σ = 2 doubles the log-odds: ln(3)/2 gives 3/4 as well.
        let p = Objective::binary(2.0).map(|o| o.probability(3f64.ln() / 2.0));
        assert!(p.is_some_and(|p| (p - 0.75).abs() < 1e-15));
    }

    #[test]
    fn non_positive_sigmoid_is_refused() {
        assert!(Objective::binary(0.0).is_none());
        assert!(Objective::binary(-1.0).is_none());
        assert!(Objective::binary(f64::NAN).is_none());
    }
}
