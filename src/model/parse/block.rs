//! One tree block of the model file: its `key=value` lines, their arrays, and the checks that
//! make its nodes a tree (every node and leaf reached once from the root, the depth and
//! TreeSHAP work within the model limits).

use std::collections::HashMap;

use super::{Entries, Lines, clip, insert_once, parse_number};
use crate::model::tree::{MissingType, Tree};
use crate::model::{MAX_CATEGORY_WORDS, MAX_DEPTH, MAX_LEAF_VALUE, MAX_LEAVES, MAX_PATH_FEATURES, ParseError};

/// Reads the `key=value` lines of one tree block, up to its first empty line.
pub(super) fn read_block<'a>(lines: &mut Lines<'a>, tree_line: usize) -> Result<Entries<'a>, ParseError> {
    let mut entries: Entries<'a> = HashMap::new();
    while let Some((line_no, line)) = lines.peek() {
        if line.is_empty() {
            break;
        }
        if line.starts_with("Tree=") || line == "end of trees" {
            break;
        }
        lines.next_line();
        let Some((key, value)) = line.split_once('=') else {
            return Err(ParseError::new(
                line_no,
                format!("expected `key=value` inside the tree that starts on line {tree_line}, found `{}`", clip(line)),
            ));
        };
        insert_once(&mut entries, key, line_no, value)?;
    }
    Ok(entries)
}

/// Parses the space-separated values of `key`, checking their count.
fn array<T: std::str::FromStr>(
    entries: &Entries<'_>,
    key: &str,
    expected: usize,
    context: &TreeContext,
) -> Result<Option<Vec<T>>, ParseError> {
    let Some(&(line_no, value)) = entries.get(key) else {
        return Ok(None);
    };
    let values = value
        .split_whitespace()
        .map(|token| {
            token.parse::<T>().map_err(|_| {
                ParseError::new(
                    line_no,
                    format!("tree {}: `{key}` holds `{}`, which is not a valid number", context.index, clip(token)),
                )
            })
        })
        .collect::<Result<Vec<T>, _>>()?;
    if values.len() != expected {
        return Err(ParseError::new(
            line_no,
            format!(
                "tree {}: `{key}` has {} values, expected {expected}{}",
                context.index,
                values.len(),
                if values.len() < expected { " (the model file is truncated or corrupted)" } else { "" }
            ),
        ));
    }
    Ok(Some(values))
}

fn required_array<T: std::str::FromStr>(
    entries: &Entries<'_>,
    key: &str,
    expected: usize,
    context: &TreeContext,
) -> Result<Vec<T>, ParseError> {
    array(entries, key, expected, context)?
        .ok_or_else(|| ParseError::new(context.line, format!("tree {} has no `{key}=` line", context.index)))
}

struct TreeContext {
    index: usize,
    line: usize,
}

/// Parses one tree block; returns the tree and its TreeSHAP work (Σ depth² over its leaves).
pub(super) fn parse_tree(
    entries: &Entries<'_>,
    index: usize,
    line: usize,
    n_features: usize,
) -> Result<(Tree, u64), ParseError> {
    let context = TreeContext { index, line };
    let scalar = |key: &str| -> Result<Option<(usize, i64)>, ParseError> {
        entries
            .get(key)
            .map(|&(line_no, value)| parse_number::<i64>(value, line_no, key).map(|n| (line_no, n)))
            .transpose()
    };
    let (leaves_line, num_leaves) = scalar("num_leaves")?
        .ok_or_else(|| ParseError::new(line, format!("tree {index} has no `num_leaves=` line")))?;
    if !(1..=MAX_LEAVES as i64).contains(&num_leaves) {
        return Err(ParseError::new(
            leaves_line,
            format!("tree {index}: num_leaves={num_leaves} must be between 1 and {MAX_LEAVES}, the limit"),
        ));
    }
    let num_leaves = num_leaves as usize;
    let (cat_line, num_cat) =
        scalar("num_cat")?.ok_or_else(|| ParseError::new(line, format!("tree {index} has no `num_cat=` line")))?;
    if num_cat < 0 || num_cat >= num_leaves as i64 {
        return Err(ParseError::new(
            cat_line,
            format!("tree {index}: num_cat={num_cat} must be between 0 and {}, the number of splits", num_leaves - 1),
        ));
    }
    let num_cat = num_cat as usize;
    if let Some((line_no, 1)) = scalar("is_linear")? {
        return Err(ParseError::new(
            line_no,
            format!(
                "tree {index} is a linear tree (is_linear=1): linear trees are not supported; retrain without linear_tree"
            ),
        ));
    }
    let shrinkage = match entries.get("shrinkage") {
        Some(&(line_no, value)) => {
            let shrinkage = parse_number::<f64>(value, line_no, "shrinkage")?;
            if !shrinkage.is_finite() {
                return Err(ParseError::new(
                    line_no,
                    format!("tree {index}: shrinkage={shrinkage} is not a finite number"),
                ));
            }
            shrinkage
        }
        None => 1.0,
    };
    let leaf_value: Vec<f64> = required_array(entries, "leaf_value", num_leaves, &context)?;
    if let Some((leaf, value)) =
        leaf_value.iter().enumerate().find(|(_, value)| value.is_nan() || value.abs() > MAX_LEAF_VALUE)
    {
        let line_no = entries.get("leaf_value").map_or(line, |(l, _)| *l);
        return Err(ParseError::new(
            line_no,
            format!(
                "tree {index}: `leaf_value` of leaf {leaf} is {value}, not a finite number of at most {MAX_LEAF_VALUE:e} in size"
            ),
        ));
    }
    if num_leaves == 1 {
        // LightGBM reads nothing else of a constant tree; its count is not needed either.
        let leaf_count = counts(entries, "leaf_count", 1, &context).unwrap_or_else(|_| vec![0.0]);
        let tree = Tree {
            num_leaves,
            split_feature: Vec::new(),
            threshold: Vec::new(),
            decision_type: Vec::new(),
            left_child: Vec::new(),
            right_child: Vec::new(),
            leaf_value,
            leaf_count,
            internal_count: Vec::new(),
            cat_boundaries: Vec::new(),
            cat_threshold: Vec::new(),
            shrinkage,
            max_depth: 0,
        };
        return Ok((tree, 0));
    }
    let leaf_count = counts(entries, "leaf_count", num_leaves, &context)?;
    let n_internal = num_leaves - 1;
    let split_feature: Vec<i64> = required_array(entries, "split_feature", n_internal, &context)?;
    let threshold: Vec<f64> = required_array(entries, "threshold", n_internal, &context)?;
    if let Some(node) = threshold.iter().position(|threshold| threshold.is_nan()) {
        let line_no = entries.get("threshold").map_or(line, |(l, _)| *l);
        return Err(ParseError::new(line_no, format!("tree {index}: `threshold` of node {node} is NaN, not a number")));
    }
    let decision_type: Vec<u8> =
        array(entries, "decision_type", n_internal, &context)?.unwrap_or_else(|| vec![0; n_internal]);
    let left_child: Vec<i32> = required_array(entries, "left_child", n_internal, &context)?;
    let right_child: Vec<i32> = required_array(entries, "right_child", n_internal, &context)?;
    let internal_count = counts(entries, "internal_count", n_internal, &context)?;
    let (cat_boundaries, cat_threshold) = if num_cat > 0 {
        let boundaries: Vec<usize> = required_array(entries, "cat_boundaries", num_cat + 1, &context)?;
        let words_line = entries.get("cat_threshold").map(|(l, _)| *l).unwrap_or(line);
        let words = entries.get("cat_threshold").map(|(_, v)| v.split_whitespace().count()).unwrap_or(0);
        if words > MAX_CATEGORY_WORDS {
            return Err(ParseError::new(
                words_line,
                format!(
                    "tree {index}: `cat_threshold` has {words} bitset words, over the limit of {MAX_CATEGORY_WORDS} \
                     (categories up to {})",
                    MAX_CATEGORY_WORDS * 32 - 1
                ),
            ));
        }
        let threshold_words: Vec<u32> = required_array(entries, "cat_threshold", words, &context)?;
        let monotone = boundaries.first() == Some(&0) && boundaries.windows(2).all(|w| w[0] <= w[1]);
        if !monotone || boundaries.last() != Some(&threshold_words.len()) {
            return Err(ParseError::new(
                words_line,
                format!(
                    "tree {index}: cat_boundaries must rise from 0 to the {} words of cat_threshold",
                    threshold_words.len()
                ),
            ));
        }
        (boundaries, threshold_words)
    } else {
        (Vec::new(), Vec::new())
    };

    let feature_line = entries.get("split_feature").map(|(l, _)| *l).unwrap_or(line);
    let mut features = Vec::with_capacity(n_internal);
    for (node, &feature) in split_feature.iter().enumerate() {
        if feature < 0 || feature as usize >= n_features {
            return Err(ParseError::new(
                feature_line,
                format!(
                    "tree {index}, node {node}: split_feature {feature} is not a feature index (0 to {})",
                    n_features - 1
                ),
            ));
        }
        features.push(feature as usize);
    }
    let decision_line = entries.get("decision_type").map(|(l, _)| *l).unwrap_or(line);
    let threshold_line = entries.get("threshold").map(|(l, _)| *l).unwrap_or(line);
    for (node, &decision) in decision_type.iter().enumerate() {
        if decision > 15 || MissingType::from_decision_type(decision).is_none() {
            return Err(ParseError::new(
                decision_line,
                format!("tree {index}, node {node}: decision_type {decision} is not a valid LightGBM decision type"),
            ));
        }
        if decision & 1 != 0 {
            let bitset = threshold[node];
            if bitset.fract() != 0.0 || bitset < 0.0 || bitset >= num_cat as f64 {
                return Err(ParseError::new(
                    threshold_line,
                    if num_cat == 0 {
                        format!(
                            "tree {index}, node {node}: the split is categorical but the tree has no bitsets (num_cat=0)"
                        )
                    } else {
                        format!(
                            "tree {index}, node {node}: categorical threshold {bitset} is not a bitset index (0 to {})",
                            num_cat - 1
                        )
                    },
                ));
            }
        }
    }
    let (max_depth, work) = check_structure(&left_child, &right_child, num_leaves, &context)?;
    let path_features = max_path_features(&left_child, &right_child, &features);
    if path_features > MAX_PATH_FEATURES {
        return Err(ParseError::new(
            line,
            format!(
                "tree {index}: a path from the root splits on {path_features} distinct features, over the limit of \
                 {MAX_PATH_FEATURES} (TreeSHAP loses its precision beyond it)"
            ),
        ));
    }
    let tree = Tree {
        num_leaves,
        split_feature: features,
        threshold,
        decision_type,
        left_child,
        right_child,
        leaf_value,
        leaf_count,
        internal_count,
        cat_boundaries,
        cat_threshold,
        shrinkage,
        max_depth,
    };
    Ok((tree, work))
}

/// Row counts: non-negative integers, zero-filled when absent as LightGBM does.
fn counts(entries: &Entries<'_>, key: &str, expected: usize, context: &TreeContext) -> Result<Vec<f64>, ParseError> {
    // An empty value is written for the per-node arrays of single-leaf trees.
    if entries.get(key).is_some_and(|(_, value)| value.trim().is_empty()) && expected == 0 {
        return Ok(Vec::new());
    }
    match array::<i64>(entries, key, expected, context)? {
        None => Ok(vec![0.0; expected]),
        Some(values) => {
            if let Some(bad) = values.iter().find(|count| **count < 0) {
                let line_no = entries.get(key).map(|(l, _)| *l).unwrap_or(context.line);
                return Err(ParseError::new(
                    line_no,
                    format!("tree {}: `{key}` holds the negative count {bad}", context.index),
                ));
            }
            Ok(values.into_iter().map(|count| count as f64).collect())
        }
    }
}

/// Checks that the children form a tree rooted at node 0 reaching every node and leaf once,
/// and returns its depth in edges and its TreeSHAP work (Σ depth² over its leaves). A leaf
/// deeper than [`MAX_DEPTH`] is refused.
fn check_structure(
    left: &[i32],
    right: &[i32],
    num_leaves: usize,
    context: &TreeContext,
) -> Result<(usize, u64), ParseError> {
    let n_internal = num_leaves - 1;
    let mut node_seen = vec![false; n_internal];
    let mut leaf_seen = vec![false; num_leaves];
    let mut stack = vec![(0usize, 0usize)];
    node_seen[0] = true;
    let mut max_depth = 0;
    let mut work: u64 = 0;
    let corrupt = |message: String| ParseError::new(context.line, format!("tree {}: {message}", context.index));
    while let Some((node, depth)) = stack.pop() {
        for child in [left[node], right[node]] {
            if child >= 0 {
                let child = child as usize;
                if child >= n_internal {
                    return Err(corrupt(format!(
                        "node {node} has child node {child}, beyond the {n_internal} internal nodes"
                    )));
                }
                if node_seen[child] {
                    return Err(corrupt(format!("node {child} is reached twice (a cycle or a shared node)")));
                }
                node_seen[child] = true;
                if depth + 1 >= MAX_DEPTH {
                    return Err(corrupt(format!(
                        "a leaf lies more than {MAX_DEPTH} splits below the root (node {child} is at depth {}), \
                         over the depth limit",
                        depth + 1
                    )));
                }
                stack.push((child, depth + 1));
            } else {
                let leaf = (!child) as usize;
                if leaf >= num_leaves {
                    return Err(corrupt(format!("node {node} has child leaf {leaf}, beyond the {num_leaves} leaves")));
                }
                if leaf_seen[leaf] {
                    return Err(corrupt(format!("leaf {leaf} is reached twice")));
                }
                leaf_seen[leaf] = true;
                max_depth = max_depth.max(depth + 1);
                work += ((depth + 1) * (depth + 1)) as u64;
            }
        }
    }
    if let Some(node) = node_seen.iter().position(|seen| !seen) {
        return Err(corrupt(format!("node {node} is not reachable from the root")));
    }
    if let Some(leaf) = leaf_seen.iter().position(|seen| !seen) {
        return Err(corrupt(format!("leaf {leaf} is not reachable from the root")));
    }
    Ok((max_depth, work))
}

/// The largest number of distinct features split on along one root-to-leaf path. The tree
/// must have passed [`check_structure`].
fn max_path_features(left: &[i32], right: &[i32], features: &[usize]) -> usize {
    // Depth first, leaving each node after its children: `on_path` counts the splits on each
    // feature between the root and the current node.
    let mut on_path: HashMap<usize, u32> = HashMap::new();
    let mut largest = 0;
    let mut stack = vec![(0i32, true)];
    while let Some((node, entering)) = stack.pop() {
        if node < 0 {
            continue;
        }
        let index = node as usize;
        let count = on_path.entry(features[index]).or_insert(0);
        if entering {
            *count += 1;
            largest = largest.max(on_path.len());
            stack.push((node, false));
            stack.push((left[index], true));
            stack.push((right[index], true));
        } else {
            *count -= 1;
            if *count == 0 {
                on_path.remove(&features[index]);
            }
        }
    }
    largest
}
