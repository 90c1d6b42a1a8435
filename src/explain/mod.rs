//! Explanations of a score: exact TreeSHAP contributions and their probability view.
//!
//! [`Explainer`] gives, for one row, one contribution per model feature in log-odds plus the
//! expected value (LightGBM's `pred_contrib` layout); contributions plus expected value equal
//! the raw score. [`probability_points`] turns them into shares of the probability of default
//! (DESIGN §4): each contribution is scaled by `(p − p0) / (f − f0)`, which keeps every sign
//! and sums exactly to `p − p0`.
//!
//! [`reasons`] words the largest contributions for the customer, and [`counterfactual`]
//! searches the smallest change of the loan that would turn a refusal into an acceptance.
//!
//! Pure functions over [`crate::model::Model`]. Uses: model, domain.

pub mod counterfactual;
pub mod reasons;
pub mod treeshap;

use std::sync::Arc;

use crate::model::{Model, ModelError};
use treeshap::{PathElement, TreeLeaves};

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    /// A tree has a zero or missing training count, so TreeSHAP's cover is undefined.
    #[error(
        "tree {tree} has a zero or missing leaf_count/internal_count: the model carries no \
         training counts to explain with (LightGBM would return NaN); re-save it with a LightGBM \
         that writes counts"
    )]
    MissingCover {
        /// Index of the first such tree.
        tree: usize,
    },
    /// A node's training count is not the sum of its children's: the covers TreeSHAP weighs
    /// by are corrupt and the contributions would not add up to the score.
    #[error(
        "tree {tree}, node {node}: internal_count {count} is not the sum of its children's counts \
         ({left} + {right}); the model's training counts are corrupt and cannot explain a score"
    )]
    InconsistentCover {
        /// Index of the first such tree.
        tree: usize,
        /// Its first such internal node.
        node: usize,
        /// The node's count.
        count: f64,
        /// Its left child's count.
        left: f64,
        /// Its right child's count.
        right: f64,
    },
    /// A block of rows does not hold whole rows, or its output has another size.
    #[error("{rows} input values and {phi} output slots are not whole rows of {n_features} features")]
    Shape {
        /// Features per row.
        n_features: usize,
        /// Input values given.
        rows: usize,
        /// Output slots given.
        phi: usize,
    },
    /// The row does not fit the model.
    #[error(transparent)]
    Row(#[from] ModelError),
}

/// One row's explanation in log-odds.
#[derive(Debug, Clone, PartialEq)]
pub struct Contributions {
    /// One value per model feature, in model order.
    pub values: Vec<f64>,
    /// The expected raw score over the training data (LightGBM's last `pred_contrib` column).
    pub expected_value: f64,
    /// The raw score of the row (the sum of the trees).
    pub raw_score: f64,
}

/// How contributions are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// LightGBM's recursion, bit for bit (the reference).
    Exact,
    /// The per-leaf closed form (several times faster), equal to the reference to ~1e-15.
    Fast,
}

/// Reusable per-thread working memory for [`Explainer::explain_into`].
#[derive(Debug, Default)]
pub struct Scratch {
    path: Vec<PathElement>,
    patterns: Vec<u64>,
}

/// Computes TreeSHAP contributions for one model.
#[derive(Debug, Clone)]
pub struct Explainer {
    model: Arc<Model>,
    leaves: Vec<Option<TreeLeaves>>,
    expected_value: f64,
}

impl Explainer {
    /// Prepares an explainer; with [`Method::Fast`] this lays out each tree's leaf paths.
    pub fn new(model: Arc<Model>, method: Method) -> Result<Explainer, ExplainError> {
        if let Some(tree) = model.trees().iter().position(|tree| !tree.has_positive_counts()) {
            return Err(ExplainError::MissingCover { tree });
        }
        for (index, tree) in model.trees().iter().enumerate() {
            if let Some(node) = tree.first_inconsistent_count() {
                let (left, right) = tree.child_counts(node);
                let count = tree.count(node as i32);
                return Err(ExplainError::InconsistentCover { tree: index, node, count, left, right });
            }
        }
        let mut budget = treeshap::MODEL_TABLE_BUDGET;
        let leaves = model
            .trees()
            .iter()
            .map(|tree| {
                let leaves = match method {
                    Method::Exact => None,
                    Method::Fast => treeshap::prepare_leaves(tree, budget),
                };
                budget -= leaves.as_ref().map_or(0, TreeLeaves::table_len);
                leaves
            })
            .collect();
        let expected_value = model.expected_value();
        Ok(Explainer { model, leaves, expected_value })
    }

    /// The model explained.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Number of trees explained by the per-leaf method (the rest use the recursion).
    pub fn n_fast_trees(&self) -> usize {
        self.leaves.iter().filter(|leaves| leaves.is_some()).count()
    }

    /// The expected raw score (the same for every row).
    pub fn expected_value(&self) -> f64 {
        self.expected_value
    }

    /// Explains one row (one value per model feature).
    pub fn explain(&self, row: &[f64]) -> Result<Contributions, ExplainError> {
        let mut values = vec![0.0; self.model.n_features()];
        let mut scratch = Scratch::default();
        self.explain_into(row, &mut scratch, &mut values)?;
        Ok(Contributions { values, expected_value: self.expected_value, raw_score: self.model.raw_unchecked(row) })
    }

    /// Writes one row's contributions into `phi` (zeroed first, one slot per feature) and
    /// returns the expected value.
    pub fn explain_into(&self, row: &[f64], scratch: &mut Scratch, phi: &mut [f64]) -> Result<f64, ExplainError> {
        self.model.check_row(row)?;
        self.model.check_row(phi)?;
        phi.fill(0.0);
        let needed = (self.model.max_depth() + 2) * (self.model.max_depth() + 3) / 2;
        if scratch.path.len() < needed {
            scratch.path = treeshap::path_buffer(self.model.max_depth());
        }
        for (tree, leaves) in self.model.trees().iter().zip(&self.leaves) {
            match leaves {
                Some(leaves) => leaves.add(tree, row, phi, &mut scratch.patterns),
                None => treeshap::tree_shap_exact(tree, row, phi, &mut scratch.path),
            }
        }
        Ok(self.expected_value)
    }
}

/// Rows explained together by [`Explainer::explain_rows`]: each tree's data stays in cache
/// while it serves the whole block.
const BLOCK_ROWS: usize = 64;

impl Explainer {
    /// Explains many rows at once: `rows` holds whole rows (one value per feature, row-major)
    /// and `phi` receives one contribution per feature for each of them, in the same layout.
    /// Same values as [`Explainer::explain_into`] row by row, faster: rows are taken in
    /// blocks, tree by tree, so that each tree's tables are read from cache.
    pub fn explain_rows(&self, rows: &[f64], scratch: &mut Scratch, phi: &mut [f64]) -> Result<(), ExplainError> {
        let n_features = self.model.n_features();
        if n_features == 0 || !rows.len().is_multiple_of(n_features) || phi.len() != rows.len() {
            return Err(ExplainError::Shape { n_features, rows: rows.len(), phi: phi.len() });
        }
        let needed = (self.model.max_depth() + 2) * (self.model.max_depth() + 3) / 2;
        if scratch.path.len() < needed {
            scratch.path = treeshap::path_buffer(self.model.max_depth());
        }
        phi.fill(0.0);
        let block = BLOCK_ROWS * n_features;
        for (row_block, phi_block) in rows.chunks(block).zip(phi.chunks_mut(block)) {
            for (tree, leaves) in self.model.trees().iter().zip(&self.leaves) {
                for (row, row_phi) in row_block.chunks_exact(n_features).zip(phi_block.chunks_exact_mut(n_features)) {
                    match leaves {
                        Some(leaves) => leaves.add(tree, row, row_phi, &mut scratch.patterns),
                        None => treeshap::tree_shap_exact(tree, row, row_phi, &mut scratch.path),
                    }
                }
            }
        }
        Ok(())
    }
}

/// Probabilities and global importance over many rows.
#[derive(Debug, Clone, PartialEq)]
pub struct RowsSummary {
    /// The probability of each row, in row order.
    pub probabilities: Vec<f64>,
    /// Mean absolute contribution of each feature, in log-odds.
    pub mean_abs_log_odds: Vec<f64>,
    /// Mean absolute contribution of each feature, in probability units.
    pub mean_abs_points: Vec<f64>,
}

impl Explainer {
    /// Explains every row of `rows` (row-major, one value per feature) in blocks spread over
    /// rayon's threads, keeping only each row's probability and the mean absolute
    /// contributions; `progress(done, total)` is called after each block, from any thread.
    pub fn summarise_rows(
        &self,
        rows: &[f64],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<RowsSummary, ExplainError> {
        use rayon::prelude::*;
        const BLOCK: usize = 64;
        let n_features = self.model.n_features();
        let width = n_features.max(1);
        let n_rows = rows.len() / width;
        let done = std::sync::atomic::AtomicUsize::new(0);
        let blocks: Vec<RowsSummary> = rows
            .par_chunks(BLOCK * width)
            .map(|block| {
                let mut scratch = Scratch::default();
                let mut phi = vec![0.0; block.len()];
                self.explain_rows(block, &mut scratch, &mut phi)?;
                let mut summary = RowsSummary {
                    probabilities: Vec::with_capacity(block.len() / width),
                    mean_abs_log_odds: vec![0.0; n_features],
                    mean_abs_points: vec![0.0; n_features],
                };
                for (values, row) in phi.chunks(width).zip(block.chunks(width)) {
                    // The model's own sum of trees, as for one row: the same bits as `predict`
                    // (the contributions' sum may differ in the last place).
                    let raw_score = self.model.raw_unchecked(row);
                    let contributions =
                        Contributions { values: values.to_vec(), expected_value: self.expected_value, raw_score };
                    summary.probabilities.push(self.model.probability(raw_score));
                    let points = probability_points(&self.model, &contributions);
                    for feature_idx in 0..n_features {
                        summary.mean_abs_log_odds[feature_idx] += values[feature_idx].abs();
                        summary.mean_abs_points[feature_idx] += points[feature_idx].abs();
                    }
                }
                let rows_done = summary.probabilities.len();
                progress(done.fetch_add(rows_done, std::sync::atomic::Ordering::Relaxed) + rows_done, n_rows);
                Ok(summary)
            })
            .collect::<Result<_, ExplainError>>()?;
        let mut total = RowsSummary {
            probabilities: Vec::with_capacity(n_rows),
            mean_abs_log_odds: vec![0.0; n_features],
            mean_abs_points: vec![0.0; n_features],
        };
        for block in blocks {
            total.probabilities.extend(block.probabilities);
            let sums = total.mean_abs_log_odds.iter_mut().zip(block.mean_abs_log_odds);
            sums.chain(total.mean_abs_points.iter_mut().zip(block.mean_abs_points))
                .for_each(|(sum, value)| *sum += value);
        }
        let count = n_rows.max(1) as f64;
        total.mean_abs_log_odds.iter_mut().chain(total.mean_abs_points.iter_mut()).for_each(|sum| *sum /= count);
        Ok(total)
    }
}

/// Contributions in probability units (multiply by 100 for percentage points).
///
/// Each log-odds contribution is scaled by `(p − p0) / (f − f0)`, with `f` the raw score,
/// `f0` the expected value and `p`, `p0` their probabilities. The scaled values keep their
/// signs and add up to `p − p0`. When `f = f0` the ratio is the slope of the sigmoid at `f`.
pub fn probability_points(model: &Model, contributions: &Contributions) -> Vec<f64> {
    let raw = contributions.raw_score;
    let expected = contributions.expected_value;
    let p = model.probability(raw);
    let p0 = model.probability(expected);
    let ratio = if (raw - expected).abs() > 1e-12 {
        (p - p0) / (raw - expected)
    } else {
        let averaging = if model.average_output() { model.n_trees().max(1) as f64 } else { 1.0 };
        model.objective().sigmoid() * p * (1.0 - p) / averaging
    };
    contributions.values.iter().map(|value| value * ratio).collect()
}
