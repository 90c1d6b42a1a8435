//! Exact path-dependent TreeSHAP, equal to LightGBM's `pred_contrib` (spec §3).
//!
//! Two ways to compute the same numbers:
//!
//! - [`tree_shap_exact`], the reference: LightGBM's recursion with its three path primitives,
//!   in its exact operation order, its path buffer layout and its accumulation order. It is
//!   bit-identical to LightGBM and is what the tests pin.
//! - The per-leaf tables of [`Explainer`], in the spirit of Fast TreeSHAP v2: for a leaf, the
//!   contribution of each feature on its path depends on the row only through which of those
//!   features the row "follows" (a bit per unique feature), so every pattern is tabulated once
//!   per model with the same primitives. Explaining a row is then one decision per node plus
//!   one table read per leaf and feature: O(L·D) per tree instead of O(L·D²). The values differ
//!   from the reference only by rounding (the tests bound it at 1e-9). Trees whose tables
//!   would be too large fall back to the reference recursion.

use crate::model::Tree;

/// One element of the TreeSHAP path: a feature with its zero and one fractions and the
/// permutation weight that sits at its position.
#[derive(Debug, Clone, Copy, Default)]
pub struct PathElement {
    feature: isize,
    zero_fraction: f64,
    one_fraction: f64,
    weight: f64,
}

/// LightGBM's `ExtendPath`: appends element `depth` to `path[0..depth]`.
fn extend(path: &mut [PathElement], depth: usize, zero_fraction: f64, one_fraction: f64, feature: isize) {
    path[depth] = PathElement { feature, zero_fraction, one_fraction, weight: if depth == 0 { 1.0 } else { 0.0 } };
    let denominator = (depth + 1) as f64;
    for i in (0..depth).rev() {
        path[i + 1].weight += ((one_fraction * path[i].weight) * (i + 1) as f64) / denominator;
        path[i].weight = ((zero_fraction * path[i].weight) * (depth - i) as f64) / denominator;
    }
}

/// LightGBM's `UnwindPath`: removes element `index` from `path[0..=depth]`.
fn unwind(path: &mut [PathElement], depth: usize, index: usize) {
    let one_fraction = path[index].one_fraction;
    let zero_fraction = path[index].zero_fraction;
    let mut next_one_portion = path[depth].weight;
    let depth_plus_one = (depth + 1) as f64;
    for i in (0..depth).rev() {
        if one_fraction != 0.0 {
            let previous = path[i].weight;
            path[i].weight = (next_one_portion * depth_plus_one) / ((i + 1) as f64 * one_fraction);
            next_one_portion = previous - ((path[i].weight * zero_fraction) * (depth - i) as f64) / depth_plus_one;
        } else {
            path[i].weight = (path[i].weight * depth_plus_one) / (zero_fraction * (depth - i) as f64);
        }
    }
    for i in index..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero_fraction = path[i + 1].zero_fraction;
        path[i].one_fraction = path[i + 1].one_fraction;
    }
}

/// LightGBM's `UnwoundPathSum`: the total permutation weight if element `index` were removed.
fn unwound_sum(path: &[PathElement], depth: usize, index: usize) -> f64 {
    let one_fraction = path[index].one_fraction;
    let zero_fraction = path[index].zero_fraction;
    let mut next_one_portion = path[depth].weight;
    let depth_plus_one = (depth + 1) as f64;
    let mut total = 0.0;
    for i in (0..depth).rev() {
        if one_fraction != 0.0 {
            let share = (next_one_portion * depth_plus_one) / ((i + 1) as f64 * one_fraction);
            total += share;
            next_one_portion = path[i].weight - (share * zero_fraction) * ((depth - i) as f64 / depth_plus_one);
        } else {
            total += (path[i].weight / zero_fraction) / ((depth - i) as f64 / depth_plus_one);
        }
    }
    total
}

/// The path buffer LightGBM allocates per tree: one segment per depth, `(D+1)(D+2)/2` elements.
pub fn path_buffer(max_depth: usize) -> Vec<PathElement> {
    vec![PathElement::default(); (max_depth + 2) * (max_depth + 3) / 2]
}

struct Recursion<'a> {
    tree: &'a Tree,
    row: &'a [f64],
    phi: &'a mut [f64],
    path: &'a mut [PathElement],
}

/// Adds one tree's contributions for `row` into `phi` (one slot per feature), exactly as
/// LightGBM's `Tree::TreeSHAP` does. The expected value is not added here. `path` must come
/// from [`path_buffer`] with at least the tree's depth; `row` and `phi` must have one slot
/// per model feature.
pub fn tree_shap_exact(tree: &Tree, row: &[f64], phi: &mut [f64], path: &mut [PathElement]) {
    if tree.num_leaves() <= 1 {
        return;
    }
    let mut recursion = Recursion { tree, row, phi, path };
    recursion.visit(0, 0, 0, 1.0, 1.0, -1);
}

impl Recursion<'_> {
    fn visit(&mut self, node: i32, parent: usize, depth: usize, zero_fraction: f64, one_fraction: f64, feature: isize) {
        let own = parent + depth;
        if depth > 0 {
            self.path.copy_within(parent..parent + depth, own);
        }
        let mut depth = depth;
        extend(&mut self.path[own..], depth, zero_fraction, one_fraction, feature);
        if node < 0 {
            let value = self.tree.leaf_value[(!node) as usize];
            let path = &self.path[own..];
            for i in 1..=depth {
                let weight = unwound_sum(path, depth, i);
                let element = path[i];
                self.phi[element.feature as usize] +=
                    (weight * (element.one_fraction - element.zero_fraction)) * value;
            }
            return;
        }
        let index = node as usize;
        let split_feature = self.tree.split_feature[index];
        let hot = self.tree.next(index, self.row[split_feature]);
        let (left, right) = (self.tree.left_child[index], self.tree.right_child[index]);
        let cold = if hot == left { right } else { left };
        let cover = self.tree.count(node);
        let hot_zero_fraction = self.tree.count(hot) / cover;
        let cold_zero_fraction = self.tree.count(cold) / cover;
        let mut incoming_zero_fraction = 1.0;
        let mut incoming_one_fraction = 1.0;
        let split_feature = split_feature as isize;
        if let Some(k) = (0..=depth).find(|&k| self.path[own + k].feature == split_feature) {
            incoming_zero_fraction = self.path[own + k].zero_fraction;
            incoming_one_fraction = self.path[own + k].one_fraction;
            unwind(&mut self.path[own..], depth, k);
            depth -= 1;
        }
        self.visit(hot, own, depth + 1, hot_zero_fraction * incoming_zero_fraction, incoming_one_fraction, split_feature);
        self.visit(cold, own, depth + 1, cold_zero_fraction * incoming_zero_fraction, 0.0, split_feature);
    }
}

/// Largest number of distinct features on one leaf's path for which a table is built.
const MAX_TABLE_FEATURES: usize = 12;
/// Largest table, in f64 entries, built for one tree (2 MiB).
const MAX_TREE_ENTRIES: usize = 1 << 18;
/// Largest total of table entries for a model (64 MiB).
const MAX_MODEL_ENTRIES: usize = 1 << 23;

/// One node on a leaf's path: the row follows it iff its decision equals `left`.
#[derive(Debug, Clone, Copy)]
struct Step {
    node: u32,
    left: bool,
    bit: u8,
}

#[derive(Debug, Clone)]
struct LeafTable {
    steps: std::ops::Range<usize>,
    features: std::ops::Range<usize>,
    values_offset: usize,
}

/// The precomputed contributions of one tree, per leaf and pattern of followed features.
#[derive(Debug, Clone)]
pub(crate) struct TreeTable {
    leaves: Vec<LeafTable>,
    steps: Vec<Step>,
    features: Vec<usize>,
    values: Vec<f64>,
}

/// Builds the table of a tree, or `None` when it would exceed `budget` entries.
pub(crate) fn build_table(tree: &Tree, budget: usize) -> Option<TreeTable> {
    if tree.num_leaves() <= 1 {
        return None;
    }
    let paths = leaf_paths(tree);
    let mut size = 0usize;
    for path in &paths {
        let unique = unique_features(tree, path).len();
        if unique > MAX_TABLE_FEATURES {
            return None;
        }
        size += unique << unique;
    }
    if size > budget.min(MAX_TREE_ENTRIES) {
        return None;
    }
    let mut table = TreeTable { leaves: Vec::with_capacity(paths.len()), steps: Vec::new(), features: Vec::new(), values: Vec::with_capacity(size) };
    let mut buffer = vec![PathElement::default(); MAX_TABLE_FEATURES + 2];
    for (leaf, path) in paths.iter().enumerate() {
        let unique = unique_features(tree, path);
        let steps_start = table.steps.len();
        for &(node, left) in path {
            let feature = tree.split_feature[node];
            let bit = unique.iter().position(|(f, _)| *f == feature).unwrap_or(0) as u8;
            table.steps.push(Step { node: node as u32, left, bit });
        }
        let features_start = table.features.len();
        table.features.extend(unique.iter().map(|(feature, _)| *feature));
        let values_offset = table.values.len();
        let value = tree.leaf_value[leaf];
        let n = unique.len();
        for mask in 0..(1usize << n) {
            extend(&mut buffer, 0, 1.0, 1.0, -1);
            for (position, (feature, zero_fraction)) in unique.iter().enumerate() {
                let one_fraction = if mask >> position & 1 == 1 { 1.0 } else { 0.0 };
                extend(&mut buffer, position + 1, *zero_fraction, one_fraction, *feature as isize);
            }
            for i in 1..=n {
                let weight = unwound_sum(&buffer, n, i);
                let element = buffer[i];
                table.values.push((weight * (element.one_fraction - element.zero_fraction)) * value);
            }
        }
        table.leaves.push(LeafTable {
            steps: steps_start..table.steps.len(),
            features: features_start..table.features.len(),
            values_offset,
        });
    }
    Some(table)
}

/// For each leaf (in leaf order), the internal nodes on its path and the side taken.
fn leaf_paths(tree: &Tree) -> Vec<Vec<(usize, bool)>> {
    let mut paths = vec![Vec::new(); tree.num_leaves()];
    let mut stack: Vec<(i32, Vec<(usize, bool)>)> = vec![(0, Vec::new())];
    while let Some((node, path)) = stack.pop() {
        if node < 0 {
            if let Some(slot) = paths.get_mut((!node) as usize) {
                *slot = path;
            }
            continue;
        }
        let index = node as usize;
        let mut left = path.clone();
        left.push((index, true));
        let mut right = path;
        right.push((index, false));
        stack.push((tree.left_child[index], left));
        stack.push((tree.right_child[index], right));
    }
    paths
}

/// The distinct features of a leaf path in the order LightGBM's path holds them at the leaf
/// (a repeated feature moves to the end), each with its combined zero fraction.
fn unique_features(tree: &Tree, path: &[(usize, bool)]) -> Vec<(usize, f64)> {
    let mut unique: Vec<(usize, f64)> = Vec::new();
    for &(node, left) in path {
        let feature = tree.split_feature[node];
        let child = if left { tree.left_child[node] } else { tree.right_child[node] };
        let ratio = tree.count(child) / tree.count(node as i32);
        let incoming = match unique.iter().position(|(f, _)| *f == feature) {
            Some(position) => unique.remove(position).1,
            None => 1.0,
        };
        unique.push((feature, ratio * incoming));
    }
    unique
}

impl TreeTable {
    /// Adds the tree's contributions for `row` into `phi`; `decisions` is scratch space.
    pub(crate) fn add(&self, tree: &Tree, row: &[f64], phi: &mut [f64], decisions: &mut Vec<bool>) {
        decisions.clear();
        decisions.extend((0..tree.num_leaves() - 1).map(|node| tree.goes_left(node, row[tree.split_feature[node]])));
        for leaf in &self.leaves {
            let features = &self.features[leaf.features.clone()];
            let mut mask = (1usize << features.len()) - 1;
            for step in &self.steps[leaf.steps.clone()] {
                if decisions[step.node as usize] != step.left {
                    mask &= !(1usize << step.bit);
                }
            }
            let start = leaf.values_offset + mask * features.len();
            for (feature, value) in features.iter().zip(&self.values[start..start + features.len()]) {
                phi[*feature] += value;
            }
        }
    }

    /// Number of f64 entries held.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}

/// Entries allowed for a whole model's tables.
pub(crate) const MODEL_TABLE_BUDGET: usize = MAX_MODEL_ENTRIES;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extend_then_unwind_restores_the_weights() {
        // Path: root, then features 3 (z 0.25, o 1) and 5 (z 0.5, o 0).
        let mut path = path_buffer(4);
        extend(&mut path, 0, 1.0, 1.0, -1);
        extend(&mut path, 1, 0.25, 1.0, 3);
        let before: Vec<f64> = path[..2].iter().map(|e| e.weight).collect();
        extend(&mut path, 2, 0.5, 0.0, 5);
        unwind(&mut path, 2, 2);
        let after: Vec<f64> = path[..2].iter().map(|e| e.weight).collect();
        for (b, a) in before.iter().zip(&after) {
            assert!((b - a).abs() < 1e-15, "{before:?} vs {after:?}");
        }
    }

    #[test]
    fn one_feature_path_weights_are_shapley_weights() {
        // With one feature on the path, the unwound sum of its element is the Shapley weight
        // of the empty coalition among one player: 1.
        let mut path = path_buffer(2);
        extend(&mut path, 0, 1.0, 1.0, -1);
        extend(&mut path, 1, 0.3, 1.0, 0);
        assert!((unwound_sum(&path, 1, 1) - 1.0).abs() < 1e-15);
        // With two features, each element's unwound sum is Σ over coalitions of the other
        // feature: weight 1/2 for the empty one (times z of the other) and 1/2 with it (times
        // its o). Other element z = 0.4, o = 1: (0.4 + 1) / 2 = 0.7.
        extend(&mut path, 2, 0.4, 1.0, 1);
        assert!((unwound_sum(&path, 2, 1) - 0.7).abs() < 1e-15);
    }
}
