//! Measuring a scorer against outcomes: AUC, the business cost, the cost-optimal threshold,
//! the confusion matrix, and stratified folds for cross-validation.
//!
//! The bank refuses a client whose probability of default is at or above the threshold
//! (see [`crate::domain::Decision`]). A defaulter accepted is a false negative and costs
//! `cost_fn`; a good client refused is a false positive and costs `cost_fp` (DESIGN: 10 and 1).
//!
//! Pure functions, used by training (the threshold and the card's metrics) and by the checks
//! of the synthetic data. Uses: std, rand (seeded folds).

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Errors of this module.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvaluationError {
    /// Scores and outcomes differ in length, or are empty.
    #[error("{scores} scores for {outcomes} outcomes: there must be one score per client, and at least one client")]
    Length {
        /// Number of scores.
        scores: usize,
        /// Number of outcomes.
        outcomes: usize,
    },
    /// An outcome is neither 0 nor 1.
    #[error("outcome {value} at row {row} is neither 0 nor 1")]
    Outcome {
        /// 1-based row.
        row: usize,
        /// The value found.
        value: f64,
    },
    /// Only one class is present, so AUC and cross-validation are undefined.
    #[error("every outcome is {class}: both repaid (0) and defaulted (1) clients are needed")]
    OneClass {
        /// The only class present.
        class: u8,
    },
    /// A class has fewer clients than there are folds.
    #[error("{folds} folds need at least {folds} clients of each class, but only {count} have outcome {class}")]
    TooFewForFolds {
        /// Requested folds.
        folds: usize,
        /// The smaller class.
        class: u8,
        /// Its size.
        count: usize,
    },
    /// A score is not a number.
    #[error("score {row} is not a number")]
    NotANumber {
        /// 1-based row.
        row: usize,
    },
    /// Fewer than two folds.
    #[error("cross-validation needs at least 2 folds, not {0}")]
    Folds(usize),
}

/// Business cost weights.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CostWeights {
    /// Cost of accepting a client who defaults (false negative).
    pub cost_fn: f64,
    /// Cost of refusing a client who would have repaid (false positive).
    pub cost_fp: f64,
}

impl CostWeights {
    /// The bank's weights: a defaulter accepted costs ten times a good client refused.
    pub const DEFAULT: CostWeights = CostWeights { cost_fn: 10.0, cost_fp: 1.0 };
}

/// Counts of decisions against outcomes at a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Confusion {
    /// Defaulters refused.
    pub true_positives: usize,
    /// Good clients refused.
    pub false_positives: usize,
    /// Good clients accepted.
    pub true_negatives: usize,
    /// Defaulters accepted.
    pub false_negatives: usize,
}

impl Confusion {
    /// The decisions at `threshold` (refused when the score is at or above it).
    pub fn at(scores: &[f64], outcomes: &[u8], threshold: f64) -> Confusion {
        let mut confusion = Confusion::default();
        for (score, outcome) in scores.iter().zip(outcomes) {
            match (*score >= threshold || score.is_nan(), *outcome == 1) {
                (true, true) => confusion.true_positives += 1,
                (true, false) => confusion.false_positives += 1,
                (false, false) => confusion.true_negatives += 1,
                (false, true) => confusion.false_negatives += 1,
            }
        }
        confusion
    }

    /// The total business cost.
    pub fn cost(&self, weights: CostWeights) -> f64 {
        weights.cost_fn * self.false_negatives as f64 + weights.cost_fp * self.false_positives as f64
    }
}

/// Outcomes as 0/1 bytes, checked.
pub fn outcomes(values: &[f64]) -> Result<Vec<u8>, EvaluationError> {
    values
        .iter()
        .enumerate()
        .map(|(row, value)| match value {
            v if *v == 0.0 => Ok(0),
            v if *v == 1.0 => Ok(1),
            v => Err(EvaluationError::Outcome { row: row + 1, value: *v }),
        })
        .collect()
}

fn check(scores: &[f64], outcomes: &[u8]) -> Result<(), EvaluationError> {
    if scores.len() != outcomes.len() || scores.is_empty() {
        return Err(EvaluationError::Length { scores: scores.len(), outcomes: outcomes.len() });
    }
    if let Some(row) = scores.iter().position(|score| score.is_nan()) {
        return Err(EvaluationError::NotANumber { row: row + 1 });
    }
    let positives = outcomes.iter().filter(|o| **o == 1).count();
    if positives == 0 || positives == outcomes.len() {
        return Err(EvaluationError::OneClass { class: u8::from(positives > 0) });
    }
    Ok(())
}

/// Area under the ROC curve: the chance that a random defaulter scores above a random good
/// client, ties counting half (Mann–Whitney).
pub fn auc(scores: &[f64], outcomes: &[u8]) -> Result<f64, EvaluationError> {
    check(scores, outcomes)?;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    let (mut rank_sum, mut positives) = (0.0, 0.0);
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        while end < order.len() && scores[order[end]].total_cmp(&scores[order[start]]).is_eq() {
            end += 1;
        }
        let mean_rank = (start + end + 1) as f64 / 2.0;
        for &row in &order[start..end] {
            if outcomes[row] == 1 {
                rank_sum += mean_rank;
                positives += 1.0;
            }
        }
        start = end;
    }
    let negatives = scores.len() as f64 - positives;
    Ok((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

/// The threshold that minimises the business cost, searched over every distinct score (and
/// "refuse nobody"), with the cost curve.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdChoice {
    /// The chosen threshold: the smallest refused probability.
    pub threshold: f64,
    /// Its total cost divided by the number of clients.
    pub cost_per_client: f64,
    /// The decisions at that threshold.
    pub confusion: Confusion,
    /// (threshold, cost per client) for every candidate, by increasing threshold.
    pub curve: Vec<(f64, f64)>,
}

/// Finds the cost-optimal threshold. Among equal costs the largest threshold wins, so the
/// fewest clients are refused for the same cost.
pub fn best_threshold(
    scores: &[f64],
    outcomes: &[u8],
    weights: CostWeights,
) -> Result<ThresholdChoice, EvaluationError> {
    check(scores, outcomes)?;
    let n = scores.len() as f64;
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    // Threshold = the lowest score: everyone refused.
    let mut false_negatives = 0usize;
    let mut false_positives = outcomes.iter().filter(|o| **o == 0).count();
    let mut curve = Vec::new();
    let mut best: Option<(f64, f64, usize)> = None;
    let mut start = 0;
    loop {
        let threshold = order.get(start).map_or(f64::INFINITY, |row| scores[*row]);
        let cost = weights.cost_fn * false_negatives as f64 + weights.cost_fp * false_positives as f64;
        curve.push((threshold, cost / n));
        if best.is_none_or(|(_, best_cost, _)| cost <= best_cost) {
            best = Some((threshold, cost, start));
        }
        if start >= order.len() {
            break;
        }
        // Accept every client with this score: the next threshold is the next distinct score.
        let mut end = start;
        while end < order.len() && scores[order[end]].total_cmp(&threshold).is_eq() {
            if outcomes[order[end]] == 1 {
                false_negatives += 1;
            } else {
                false_positives -= 1;
            }
            end += 1;
        }
        start = end;
    }
    let (threshold, cost, _) = best.unwrap_or((f64::INFINITY, f64::NAN, 0));
    Ok(ThresholdChoice {
        threshold,
        cost_per_client: cost / n,
        confusion: Confusion::at(scores, outcomes, threshold),
        curve,
    })
}

/// Assigns each client to one of `folds` folds, keeping the default rate of every fold close
/// to the whole (each class shuffled with `seed`, then dealt in turn).
pub fn stratified_folds(outcomes: &[u8], folds: usize, seed: u64) -> Result<Vec<usize>, EvaluationError> {
    if folds < 2 {
        return Err(EvaluationError::Folds(folds));
    }
    let positives = outcomes.iter().filter(|o| **o == 1).count();
    if positives == 0 || positives == outcomes.len() {
        return Err(EvaluationError::OneClass { class: u8::from(positives > 0) });
    }
    let mut assignment = vec![0; outcomes.len()];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for class in [0u8, 1] {
        let mut rows: Vec<usize> = (0..outcomes.len()).filter(|row| outcomes[*row] == class).collect();
        if rows.len() < folds {
            return Err(EvaluationError::TooFewForFolds { folds, class, count: rows.len() });
        }
        rows.shuffle(&mut rng);
        for (position, row) in rows.into_iter().enumerate() {
            assignment[row] = position % folds;
        }
    }
    Ok(assignment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_by_hand() {
        // Defaulters score 0.8 and 0.4, good clients 0.6, 0.2, 0.4. Pairs (defaulter, good):
        // 0.8 beats all three (3); 0.4 beats 0.2 (1) and ties 0.4 (0.5): 4.5 of 6 = 0.75.
        let value = auc(&[0.8, 0.4, 0.6, 0.2, 0.4], &[1, 1, 0, 0, 0]);
        assert_eq!(value, Ok(0.75));
        assert_eq!(auc(&[0.1, 0.2], &[0, 0]), Err(EvaluationError::OneClass { class: 0 }));
        assert!(matches!(auc(&[0.1], &[0, 1]), Err(EvaluationError::Length { .. })));
    }

    #[test]
    fn threshold_by_hand() {
        // Scores and outcomes, 6 clients: 0.1 (0), 0.2 (0), 0.3 (1), 0.5 (0), 0.7 (1), 0.9 (0).
        // Cost 10·FN + 1·FP for each candidate threshold (refused when score >= t):
        //   t=0.1: FN 0, FP 4 → 4;   t=0.2: FN 0, FP 3 → 3;   t=0.3: FN 0, FP 2 → 2;
        //   t=0.5: FN 1, FP 2 → 12;  t=0.7: FN 1, FP 1 → 11;  t=0.9: FN 2, FP 1 → 21;  t=∞: FN 2 → 20.
        let scores = [0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
        let outcomes = [0, 0, 1, 0, 1, 0];
        let choice = best_threshold(&scores, &outcomes, CostWeights::DEFAULT);
        assert!(choice.is_ok());
        let Ok(choice) = choice else { return };
        assert_eq!(choice.threshold, 0.3);
        assert_eq!(choice.cost_per_client, 2.0 / 6.0);
        assert_eq!(
            choice.confusion,
            Confusion { true_positives: 2, false_positives: 2, true_negatives: 2, false_negatives: 0 }
        );
        let costs: Vec<f64> = choice.curve.iter().map(|(_, cost)| cost * 6.0).collect();
        assert_eq!(costs, [4.0, 3.0, 2.0, 12.0, 11.0, 21.0, 20.0]);
        assert_eq!(choice.curve.last().map(|(t, _)| *t), Some(f64::INFINITY));
    }

    #[test]
    fn ties_share_a_threshold_and_equal_costs_keep_the_largest() {
        // Scores 0.2 (0), 0.5 (1), 0.5 (0), 0.8 (1), cost_fn = cost_fp = 1. The two 0.5 scores
        // move together: t=0.2: FN 0, FP 2 → 2; t=0.5: FN 0, FP 1 → 1; t=0.8: FN 1, FP 0 → 1;
        // t=∞: FN 2 → 2. Costs 1 and 1 tie: the larger threshold, 0.8, wins.
        let choice = best_threshold(&[0.2, 0.5, 0.5, 0.8], &[0, 1, 0, 1], CostWeights { cost_fn: 1.0, cost_fp: 1.0 });
        assert!(matches!(choice, Ok(ref c) if c.threshold == 0.8 && c.curve.len() == 4), "{choice:?}");
    }

    #[test]
    fn folds_are_stratified_and_seeded() {
        let outcomes: Vec<u8> = (0..100).map(|i| u8::from(i % 10 == 0)).collect();
        let folds = stratified_folds(&outcomes, 5, 42).unwrap_or_default();
        for fold in 0..5 {
            let members: Vec<usize> = (0..100).filter(|row| folds[*row] == fold).collect();
            assert_eq!(members.len(), 20);
            assert_eq!(members.iter().filter(|row| outcomes[**row] == 1).count(), 2, "2 of the 10 defaulters per fold");
        }
        assert_eq!(stratified_folds(&outcomes, 5, 42), Ok(folds.clone()));
        assert_ne!(stratified_folds(&outcomes, 5, 43), Ok(folds));
        assert_eq!(
            stratified_folds(&outcomes, 11, 1),
            Err(EvaluationError::TooFewForFolds { folds: 11, class: 1, count: 10 })
        );
        assert_eq!(stratified_folds(&outcomes, 1, 1), Err(EvaluationError::Folds(1)));
        assert_eq!(outcomes_check(), Err(EvaluationError::Outcome { row: 2, value: 2.0 }));
    }

    fn outcomes_check() -> Result<Vec<u8>, EvaluationError> {
        outcomes(&[0.0, 2.0])
    }
}
