//! One decision tree of a LightGBM model: a flat node arena and LightGBM's decision rule.
//!
//! Internal nodes are numbered `0..num_leaves - 1` (node 0 is the root), leaves
//! `0..num_leaves`. A child entry `c >= 0` names internal node `c`, `c < 0` names leaf `!c`.
//! The decision rule copies LightGBM's `NumericalDecision` and `CategoricalDecision` exactly
//! (missing types, `default_left`, the zero epsilon, categorical bitsets), so that walking a
//! tree here lands on the same leaf as LightGBM for every input, NaN and ±0 included.
//!
//! Depends on nothing else in the crate.

/// LightGBM's `kZeroThreshold`: the float literal `1e-35f` widened to a double.
pub const ZERO_THRESHOLD: f64 = 1.000_000_018_002_509_5e-35;

/// `decision_type` bit 0: the node splits on categories.
const CATEGORICAL_MASK: u8 = 1;
/// `decision_type` bit 1: missing values go to the left child (numeric nodes only).
const DEFAULT_LEFT_MASK: u8 = 2;

/// How a numeric node treats missing values (`decision_type` bits 2–3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingType {
    /// No missing value: NaN is read as 0.0 and compared with the threshold.
    None,
    /// Zero (|x| ≤ [`ZERO_THRESHOLD`]) and NaN go to the default side.
    Zero,
    /// NaN goes to the default side; zero is an ordinary value.
    NaN,
}

impl MissingType {
    /// Decodes bits 2–3 of a `decision_type` byte; `None` for the unused code 3.
    pub fn from_decision_type(decision_type: u8) -> Option<MissingType> {
        match (decision_type >> 2) & 3 {
            0 => Some(MissingType::None),
            1 => Some(MissingType::Zero),
            2 => Some(MissingType::NaN),
            _ => None,
        }
    }
}

/// A child reference: an internal node or a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Child {
    /// Internal node index.
    Node(usize),
    /// Leaf index.
    Leaf(usize),
}

impl Child {
    /// Decodes LightGBM's child encoding (`c >= 0` node, `c < 0` leaf `!c`).
    pub fn from_raw(raw: i32) -> Child {
        if raw >= 0 { Child::Node(raw as usize) } else { Child::Leaf((!raw) as usize) }
    }
}

/// One tree, validated at load: every index in range, every node and leaf reachable once.
#[derive(Debug, Clone)]
pub struct Tree {
    pub(crate) num_leaves: usize,
    pub(crate) split_feature: Vec<usize>,
    pub(crate) threshold: Vec<f64>,
    pub(crate) decision_type: Vec<u8>,
    pub(crate) left_child: Vec<i32>,
    pub(crate) right_child: Vec<i32>,
    pub(crate) leaf_value: Vec<f64>,
    /// Training rows per leaf, as f64 (LightGBM's `data_count` converts the same way).
    pub(crate) leaf_count: Vec<f64>,
    /// Training rows per internal node, as f64.
    pub(crate) internal_count: Vec<f64>,
    pub(crate) cat_boundaries: Vec<usize>,
    pub(crate) cat_threshold: Vec<u32>,
    pub(crate) shrinkage: f64,
    /// Number of edges on the longest root-to-leaf path (0 for a single leaf).
    pub(crate) max_depth: usize,
}

impl Tree {
    /// Number of leaves (1 for a constant tree).
    pub fn num_leaves(&self) -> usize {
        self.num_leaves
    }

    /// Number of edges on the longest root-to-leaf path.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// Leaf outputs, learning rate already applied.
    pub fn leaf_values(&self) -> &[f64] {
        &self.leaf_value
    }

    /// The learning rate recorded with the tree (informational: leaf values include it).
    pub fn shrinkage(&self) -> f64 {
        self.shrinkage
    }

    /// Feature index tested by internal node `node`; `None` beyond the last node.
    pub fn split_feature(&self, node: usize) -> Option<usize> {
        self.split_feature.get(node).copied()
    }

    /// Whether internal node `node` is a categorical split (false beyond the last node).
    pub fn is_categorical(&self, node: usize) -> bool {
        self.decision_type.get(node).is_some_and(|decision| decision & CATEGORICAL_MASK != 0)
    }

    /// The left and right children of internal node `node`; `None` beyond the last node.
    pub fn children(&self, node: usize) -> Option<(Child, Child)> {
        Some((Child::from_raw(*self.left_child.get(node)?), Child::from_raw(*self.right_child.get(node)?)))
    }

    /// Training rows that reached `child` (the TreeSHAP cover).
    #[inline]
    pub(crate) fn count(&self, child: i32) -> f64 {
        if child >= 0 { self.internal_count[child as usize] } else { self.leaf_count[(!child) as usize] }
    }

    /// The raw child entry (node `>= 0`, leaf `< 0`) that `x` follows at internal node `node`.
    #[inline]
    pub(crate) fn next(&self, node: usize, x: f64) -> i32 {
        if self.goes_left(node, x) { self.left_child[node] } else { self.right_child[node] }
    }

    /// LightGBM's `Decision`: whether value `x` of the node's feature goes left.
    #[inline(always)]
    pub(crate) fn goes_left(&self, node: usize, x: f64) -> bool {
        let decision_type = self.decision_type[node];
        if decision_type & CATEGORICAL_MASK != 0 {
            self.categorical_goes_left(node, x)
        } else {
            numeric_goes_left(decision_type, self.threshold[node], x)
        }
    }

    fn categorical_goes_left(&self, node: usize, x: f64) -> bool {
        if x.is_nan() {
            return false;
        }
        // C++ `static_cast<int>`: truncation toward zero; the sign test comes after it, so
        // -0.5 is category 0. Rust's `as` saturates where C++ is undefined; both land right.
        let category = x as i32;
        if category < 0 {
            return false;
        }
        let bitset = self.threshold[node] as usize;
        let start = self.cat_boundaries[bitset];
        let n_words = self.cat_boundaries[bitset + 1] - start;
        let word = (category / 32) as usize;
        if word >= n_words {
            return false;
        }
        (self.cat_threshold[start + word] >> (category % 32)) & 1 == 1
    }

    /// The leaf that row `row` reaches.
    #[inline]
    pub(crate) fn leaf_index(&self, row: &[f64]) -> usize {
        if self.num_leaves <= 1 {
            return 0;
        }
        let mut node = 0i32;
        while node >= 0 {
            let index = node as usize;
            node = self.next(index, row[self.split_feature[index]]);
        }
        (!node) as usize
    }

    /// The tree's output for `row` (LightGBM's `Tree::Predict`).
    #[inline]
    pub(crate) fn predict(&self, row: &[f64]) -> f64 {
        self.leaf_value[self.leaf_index(row)]
    }

    /// LightGBM's `Tree::ExpectedValue`: the count-weighted mean leaf value.
    pub fn expected_value(&self) -> f64 {
        if self.num_leaves <= 1 {
            return self.leaf_value[0];
        }
        let total = self.internal_count[0];
        let mut expected = 0.0;
        for (count, value) in self.leaf_count.iter().zip(&self.leaf_value) {
            expected += (count / total) * value;
        }
        expected
    }

    /// Whether every node and leaf has a positive training count, which TreeSHAP needs.
    pub(crate) fn has_positive_counts(&self) -> bool {
        self.num_leaves <= 1
            || (self.leaf_count.iter().all(|c| *c > 0.0) && self.internal_count.iter().all(|c| *c > 0.0))
    }

    /// The first internal node whose training count is not the sum of its children's, as
    /// LightGBM always writes it; TreeSHAP's covers are only shares of a node when it holds.
    pub(crate) fn first_inconsistent_count(&self) -> Option<usize> {
        (0..self.num_leaves.saturating_sub(1)).find(|&node| {
            let (left, right) = self.child_counts(node);
            self.internal_count[node] != left + right
        })
    }

    /// The training counts of internal node `node`'s left and right children.
    pub(crate) fn child_counts(&self, node: usize) -> (f64, f64) {
        (self.count(self.left_child[node]), self.count(self.right_child[node]))
    }
}

/// LightGBM's `NumericalDecision`, after the C API's zeroing of |x| ≤ kZeroThreshold.
#[inline(always)]
pub(crate) fn numeric_goes_left(decision_type: u8, threshold: f64, x: f64) -> bool {
    // The dense C API drops every non-NaN value with |v| <= kZeroThreshold: LightGBM sees 0.0.
    let mut x = if x.abs() <= ZERO_THRESHOLD { 0.0 } else { x };
    let missing = (decision_type >> 2) & 3;
    if x.is_nan() && missing != 2 {
        x = 0.0;
    }
    let is_missing = match missing {
        1 => (-ZERO_THRESHOLD..=ZERO_THRESHOLD).contains(&x),
        2 => x.is_nan(),
        _ => false,
    };
    if is_missing {
        return decision_type & DEFAULT_LEFT_MASK != 0;
    }
    x <= threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_threshold_is_the_widened_float_literal() {
        assert_eq!(ZERO_THRESHOLD, f64::from(1e-35f32));
    }

    #[test]
    fn numeric_missing_rules() {
        // Missing type None (0), default right: NaN is 0.0 compared with the threshold.
        assert!(numeric_goes_left(0, 0.5, f64::NAN));
        assert!(!numeric_goes_left(0, -0.5, f64::NAN));
        // Missing type Zero (4), default left (6): zero and NaN go left whatever the threshold.
        assert!(numeric_goes_left(6, -1.0, 0.0));
        assert!(numeric_goes_left(6, -1.0, f64::NAN));
        assert!(numeric_goes_left(6, -1.0, 1e-36));
        assert!(!numeric_goes_left(4, 1.0, 0.0));
        // Missing type NaN (8), default left (10): zero is an ordinary value.
        assert!(numeric_goes_left(10, -1.0, f64::NAN));
        assert!(!numeric_goes_left(8, 1.0, f64::NAN));
        assert!(!numeric_goes_left(10, -1.0, 0.0));
        // `<=` goes left, the comparison is in f64.
        let t = 0.165_000_000_000_000_04;
        assert!(numeric_goes_left(8, t, t));
        assert!(!numeric_goes_left(8, t, t.next_up()));
        // -kZ is read as 0.0 before the comparison.
        assert!(!numeric_goes_left(0, -ZERO_THRESHOLD, -ZERO_THRESHOLD));
        assert!(numeric_goes_left(0, f64::INFINITY, f64::INFINITY));
    }

    fn categorical_tree(words: Vec<u32>) -> Tree {
        Tree {
            num_leaves: 2,
            split_feature: vec![0],
            threshold: vec![0.0],
            decision_type: vec![1],
            left_child: vec![-1],
            right_child: vec![-2],
            leaf_value: vec![1.0, 2.0],
            leaf_count: vec![1.0, 1.0],
            internal_count: vec![2.0],
            cat_boundaries: vec![0, words.len()],
            cat_threshold: words,
            shrinkage: 1.0,
            max_depth: 1,
        }
    }

    #[test]
    fn categorical_bitset_rules() {
        // Categories 0, 2 and 33 go left: word 0 = 0b101, word 1 = 0b10.
        let tree = categorical_tree(vec![0b101, 0b10]);
        let left = |x: f64| tree.goes_left(0, x);
        assert!(left(0.0));
        assert!(left(-0.5), "truncation happens before the sign test");
        assert!(left(2.7), "2.7 truncates to category 2");
        assert!(left(33.0));
        assert!(!left(1.0));
        assert!(!left(32.0));
        assert!(!left(64.0), "beyond the bitset goes right");
        assert!(!left(-1.0));
        assert!(!left(f64::NAN));
        assert!(!left(1e10));
        assert_eq!(tree.predict(&[2.0]), 1.0);
        assert_eq!(tree.predict(&[3.0]), 2.0);
    }
}
