//! Exact path-dependent TreeSHAP, equal to LightGBM's `pred_contrib` (spec §3).
//!
//! Two ways to compute the same numbers:
//!
//! - [`tree_shap_exact`], the reference: LightGBM's recursion with its three path primitives,
//!   in its exact operation order, its path buffer layout and its accumulation order. It is
//!   bit-identical to LightGBM and is what the tests pin.
//! - The per-leaf method of [`TreeLeaves`], used by [`super::Explainer`] with
//!   [`super::Method::Fast`]: each leaf's contributions are computed in closed form from which
//!   of its path features the row follows (the Fast TreeSHAP v1 split of followed and
//!   not-followed features), with no recursion, copying or unwinding. The values differ from
//!   the reference only by rounding (the tests bound it at 1e-9). Trees with a leaf holding
//!   more than 64 distinct features fall back to the reference recursion.

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
pub(crate) fn path_buffer(max_depth: usize) -> Vec<PathElement> {
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
pub(crate) fn tree_shap_exact(tree: &Tree, row: &[f64], phi: &mut [f64], path: &mut [PathElement]) {
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
                self.phi[element.feature as usize] += (weight * (element.one_fraction - element.zero_fraction)) * value;
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
        self.visit(
            hot,
            own,
            depth + 1,
            hot_zero_fraction * incoming_zero_fraction,
            incoming_one_fraction,
            split_feature,
        );
        self.visit(cold, own, depth + 1, cold_zero_fraction * incoming_zero_fraction, 0.0, split_feature);
    }
}

/// Largest number of distinct features on one leaf's path handled by the per-leaf method
/// (the path pattern is a 64-bit mask); deeper trees use the recursion.
const MAX_LEAF_FEATURES: usize = 64;
/// Largest number of distinct path features for which a leaf gets a table (8 KiB).
const MAX_TABLE_FEATURES: usize = 10;
/// Largest number of table entries for a whole model (32 MiB); later leaves use the closed form.
pub(crate) const MODEL_TABLE_BUDGET: usize = 1 << 22;

/// A leaf's distinct path features and its table.
#[derive(Debug, Clone)]
struct Leaf {
    value: f64,
    /// Distinct features, in `features` / `zero_fractions` / `ratios`.
    unique: std::ops::Range<usize>,
    /// Start of the leaf's 2^u entries in `table`, when it has a table.
    table: Option<usize>,
}

/// A tree prepared for the per-leaf computation.
///
/// For a leaf with value v and distinct path features P (u of them), each with zero fraction
/// z_k (the share of training rows that follow every split on k along the path) and o_k = 1
/// when the row follows every split on k, path-dependent TreeSHAP gives feature i
///
/// ```text
/// φ_i = v · (o_i − z_i) · Σ_{S ⊆ P∖{i}} w(|S|) · Π_{k∈S} o_k · Π_{k∈P∖{i}∖S} z_k,   w(j) = j!(u−1−j)!/u!
/// ```
///
/// Only subsets of the followed features O contribute. With
/// `G(O) = v · Π_{k∈P∖O} z_k · Σ_j w(j) e_j(O)`, where e_j(O) are the coefficients of
/// Π_{k∈O} (t + z_k):
///
/// - every feature not followed gets the same −G(O) (the observation behind Fast TreeSHAP v1);
/// - a followed feature i gets G(O∖{i}) · (1 − z_i)/z_i.
///
/// G depends on the row only through the pattern O, so for leaves with few distinct features
/// it is tabulated once over all 2^u patterns (the idea of Fast TreeSHAP v2, with one number
/// per pattern). A leaf numbers its features in order of first appearance on its path, so a
/// node's feature has the same bit for every leaf below it: one pass over the nodes gives
/// every leaf's pattern. Explaining a row is then one decision per node and, per leaf, u table
/// reads. Leaves with more features compute G in closed form. Both reorder LightGBM's
/// arithmetic, so results differ from LightGBM's in the last bits only (the tests bound them
/// at 1e-9).
#[derive(Debug, Clone)]
pub(crate) struct TreeLeaves {
    /// Internal nodes, each after its parent.
    order: Vec<u32>,
    /// Per internal node: the bit of its feature in the patterns of the leaves below it.
    node_bit: Vec<u8>,
    /// Per internal node: pattern slots of its children (nodes first, then leaves).
    left_slot: Vec<u32>,
    right_slot: Vec<u32>,
    leaves: Vec<Leaf>,
    features: Vec<usize>,
    zero_fractions: Vec<f64>,
    /// (1 − z) / z per distinct feature.
    ratios: Vec<f64>,
    table: Vec<f64>,
    /// `shapley_weights[u][j]` = w(j) for j in 0..u, then 0.
    shapley_weights: Vec<Vec<f64>>,
}

/// Prepares a tree for the per-leaf computation within `budget` table entries; `None` for a
/// constant tree or a leaf with more than 64 distinct features on its path.
pub(crate) fn prepare_leaves(tree: &Tree, budget: usize) -> Option<TreeLeaves> {
    if tree.num_leaves() <= 1 {
        return None;
    }
    let n_internal = tree.num_leaves() - 1;
    let slot = |child: i32| if child >= 0 { child as u32 } else { (n_internal + (!child) as usize) as u32 };
    let mut prepared = TreeLeaves {
        order: Vec::with_capacity(n_internal),
        node_bit: vec![0; n_internal],
        left_slot: tree.left_child.iter().map(|&c| slot(c)).collect(),
        right_slot: tree.right_child.iter().map(|&c| slot(c)).collect(),
        leaves: Vec::new(),
        features: Vec::new(),
        zero_fractions: Vec::new(),
        ratios: Vec::new(),
        table: Vec::new(),
        shapley_weights: Vec::new(),
    };
    // Depth-first from the root: each node is listed after its parent; each leaf gets its
    // distinct features in order of first appearance, with their combined zero fractions.
    let mut uniques: Vec<Vec<(usize, f64)>> = vec![Vec::new(); tree.num_leaves()];
    let mut stack: Vec<(i32, Vec<(usize, f64)>)> = vec![(0, Vec::new())];
    while let Some((node, unique)) = stack.pop() {
        if node < 0 {
            uniques[(!node) as usize] = unique;
            continue;
        }
        let index = node as usize;
        prepared.order.push(index as u32);
        let feature = tree.split_feature[index];
        let position = unique.iter().position(|(f, _)| *f == feature).unwrap_or(unique.len());
        if position >= MAX_LEAF_FEATURES {
            return None;
        }
        prepared.node_bit[index] = position as u8;
        for child in [tree.left_child[index], tree.right_child[index]] {
            let ratio = tree.count(child) / tree.count(node);
            let mut below = unique.clone();
            match below.get_mut(position) {
                Some((_, zero_fraction)) => *zero_fraction *= ratio,
                None => below.push((feature, ratio)),
            }
            stack.push((child, below));
        }
    }
    let largest = uniques.iter().map(Vec::len).max().unwrap_or(0);
    prepared.shapley_weights = (0..=largest).map(shapley_weights).collect();
    for (leaf, unique) in uniques.iter().enumerate() {
        let unique_start = prepared.features.len();
        for (feature, zero_fraction) in unique {
            prepared.features.push(*feature);
            prepared.zero_fractions.push(*zero_fraction);
            prepared.ratios.push((1.0 - zero_fraction) / zero_fraction);
        }
        let value = tree.leaf_value[leaf];
        let u = unique.len();
        let table = if u <= MAX_TABLE_FEATURES && prepared.table.len() + (1 << u) <= budget {
            let start = prepared.table.len();
            let zero_fractions = &prepared.zero_fractions[unique_start..];
            let weights = &prepared.shapley_weights[u];
            for pattern in 0..(1u64 << u) {
                prepared.table.push(pattern_value(value, zero_fractions, weights, pattern));
            }
            Some(start)
        } else {
            None
        };
        prepared.leaves.push(Leaf { value, unique: unique_start..prepared.features.len(), table });
    }
    Some(prepared)
}

/// G(O) for the pattern `followed` (bit k set when the row follows feature k of the leaf).
fn pattern_value(value: f64, zero_fractions: &[f64], weights: &[f64], followed: u64) -> f64 {
    // Coefficients of Π (t + z_k) over the followed features, built in place.
    let mut product = [0.0f64; MAX_LEAF_FEATURES + 1];
    product[0] = 1.0;
    let mut zero_product = 1.0;
    let mut m = 0;
    for (k, &z) in zero_fractions.iter().enumerate() {
        if followed >> k & 1 == 1 {
            product[m + 1] = product[m];
            for j in (1..=m).rev() {
                product[j] = product[j - 1] + z * product[j];
            }
            product[0] *= z;
            m += 1;
        } else {
            zero_product *= z;
        }
    }
    let mut total = 0.0;
    for j in 0..=m {
        total += weights[j] * product[j];
    }
    value * zero_product * total
}

/// w(j) = j!(u−1−j)!/u! for j in 0..u (by w(j) = w(j−1)·j/(u−j), w(0) = 1/u), then a 0.
fn shapley_weights(u: usize) -> Vec<f64> {
    let mut weights = Vec::with_capacity(u + 1);
    if u > 0 {
        let mut weight = 1.0 / u as f64;
        for j in 0..u {
            if j > 0 {
                weight = weight * j as f64 / (u - j) as f64;
            }
            weights.push(weight);
        }
    }
    weights.push(0.0);
    weights
}

impl TreeLeaves {
    /// Number of table entries held.
    pub(crate) fn table_len(&self) -> usize {
        self.table.len()
    }

    /// Adds the tree's contributions for `row` into `phi`; `patterns` is scratch space.
    pub(crate) fn add(&self, tree: &Tree, row: &[f64], phi: &mut [f64], patterns: &mut Vec<u64>) {
        let n_internal = tree.num_leaves() - 1;
        patterns.clear();
        patterns.resize(n_internal + tree.num_leaves(), 0);
        // Bit k of a pattern is cleared when the row leaves the path at a split on feature k.
        patterns[0] = u64::MAX;
        for &node in &self.order {
            let node = node as usize;
            let pattern = patterns[node];
            let missed = pattern & !(1u64 << self.node_bit[node]);
            // All ones when the row goes left, else zero: the child it takes keeps the pattern.
            let left = (tree.goes_left(node, row[tree.split_feature[node]]) as u64).wrapping_neg();
            patterns[self.left_slot[node] as usize] = missed | (pattern & left);
            patterns[self.right_slot[node] as usize] = missed | (pattern & !left);
        }
        for (leaf, &pattern) in self.leaves.iter().zip(&patterns[n_internal..]) {
            let features = &self.features[leaf.unique.clone()];
            let ratios = &self.ratios[leaf.unique.clone()];
            let u = features.len();
            let followed = if u >= 64 { pattern } else { pattern & ((1u64 << u) - 1) };
            match leaf.table {
                Some(start) => {
                    let table = &self.table[start..start + (1 << u)];
                    for (k, (feature, ratio)) in features.iter().zip(ratios).enumerate() {
                        // Followed: G(O∖{k}) · ratio; not followed: −G(O). Written without a
                        // branch on the row's pattern, which would be mispredicted half the time.
                        let follows = ((followed >> k) & 1) as f64;
                        let factor = follows * ratio + (follows - 1.0);
                        phi[*feature] += table[(followed & !(1u64 << k)) as usize] * factor;
                    }
                }
                None => {
                    let zero_fractions = &self.zero_fractions[leaf.unique.clone()];
                    let weights = &self.shapley_weights[u];
                    let not_followed = -pattern_value(leaf.value, zero_fractions, weights, followed);
                    for (k, (feature, ratio)) in features.iter().zip(ratios).enumerate() {
                        let bit = 1u64 << k;
                        phi[*feature] += if followed & bit != 0 {
                            pattern_value(leaf.value, zero_fractions, weights, followed ^ bit) * ratio
                        } else {
                            not_followed
                        };
                    }
                }
            }
        }
    }
}

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
