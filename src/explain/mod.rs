//! Explanations of a score: exact TreeSHAP contributions and their probability view.
//!
//! [`Explainer`] gives, for one row, one contribution per model feature in log-odds plus the
//! expected value (LightGBM's `pred_contrib` layout); contributions plus expected value equal
//! the raw score. [`probability_points`] turns them into shares of the probability of default
//! (DESIGN §4): each contribution is scaled by `(p − p0) / (f − f0)`, which keeps every sign
//! and sums exactly to `p − p0`.
//!
//! Pure functions over [`crate::model::Model`]. Uses: model.

pub mod treeshap;

use std::sync::Arc;

use crate::model::{Model, ModelError};
use treeshap::{PathElement, TreeTable};

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
    /// Per-leaf precomputed tables where they fit, the exact recursion elsewhere.
    Fast,
}

/// Reusable per-thread working memory for [`Explainer::explain_into`].
#[derive(Debug, Default)]
pub struct Scratch {
    path: Vec<PathElement>,
    decisions: Vec<bool>,
}

/// Computes TreeSHAP contributions for one model.
#[derive(Debug, Clone)]
pub struct Explainer {
    model: Arc<Model>,
    tables: Vec<Option<TreeTable>>,
    expected_value: f64,
}

impl Explainer {
    /// Prepares an explainer; with [`Method::Fast`] this tabulates the trees that fit.
    pub fn new(model: Arc<Model>, method: Method) -> Result<Explainer, ExplainError> {
        if let Some(tree) = model.trees().iter().position(|tree| !tree.has_positive_counts()) {
            return Err(ExplainError::MissingCover { tree });
        }
        let mut tables = Vec::with_capacity(model.n_trees());
        let mut budget = treeshap::MODEL_TABLE_BUDGET;
        for tree in model.trees() {
            let table = match method {
                Method::Exact => None,
                Method::Fast => treeshap::build_table(tree, budget),
            };
            budget -= table.as_ref().map_or(0, TreeTable::len);
            tables.push(table);
        }
        let expected_value = model.expected_value();
        Ok(Explainer { model, tables, expected_value })
    }

    /// The model explained.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Number of trees explained through a precomputed table (the rest use the recursion).
    pub fn n_tabulated_trees(&self) -> usize {
        self.tables.iter().filter(|table| table.is_some()).count()
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
        for (tree, table) in self.model.trees().iter().zip(&self.tables) {
            match table {
                Some(table) => table.add(tree, row, phi, &mut scratch.decisions),
                None => treeshap::tree_shap_exact(tree, row, phi, &mut scratch.path),
            }
        }
        Ok(self.expected_value)
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
