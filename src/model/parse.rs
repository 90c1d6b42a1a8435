//! Line-oriented parser of LightGBM's text model format (spec §1).
//!
//! Blocks are found by their `Tree=` lines, never through `tree_sizes` (hand-edited and CRLF
//! files break its byte offsets). Every error carries the 1-based line where it was found and
//! says what was expected. LightGBM's own loader checks far less; whatever it would accept
//! and we refuse is a structural corruption (a child out of range, a cycle), which would crash
//! or silently mis-score in LightGBM.

use std::collections::HashMap;

use super::tree::{MissingType, Tree};
use super::{
    CategoryLabel, FeatureInfo, MAX_CATEGORY_WORDS, MAX_DEPTH, MAX_FEATURES, MAX_LEAF_VALUE, MAX_LEAVES,
    MAX_MODEL_BYTES, MAX_PATH_FEATURES, MAX_PATH_WORK, MAX_TREES, Model, Objective, ParseError,
};

/// One `key=value` line: the value and its line number.
type Entries<'a> = HashMap<&'a str, (usize, &'a str)>;

/// The lines of the file with their 1-based numbers, `\r` stripped.
struct Lines<'a> {
    lines: Vec<(usize, &'a str)>,
    position: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        let lines = text
            .split('\n')
            .enumerate()
            .map(|(index, line)| (index + 1, line.strip_suffix('\r').unwrap_or(line)))
            .collect();
        Lines { lines, position: 0 }
    }

    fn peek(&self) -> Option<(usize, &'a str)> {
        self.lines.get(self.position).copied()
    }

    fn next_line(&mut self) -> Option<(usize, &'a str)> {
        let line = self.peek();
        if line.is_some() {
            self.position += 1;
        }
        line
    }

    /// The number of the last line that holds text.
    fn last_line_number(&self) -> usize {
        self.lines.iter().rev().find(|(_, line)| !line.trim().is_empty()).map_or(0, |(number, _)| *number)
    }
}

pub(super) fn parse_model(text: &str) -> Result<Model, ParseError> {
    if text.len() as u64 > MAX_MODEL_BYTES {
        return Err(ParseError::new(
            0,
            format!("the model is {} bytes long, over the limit of {} MiB", text.len(), MAX_MODEL_BYTES >> 20),
        ));
    }
    // Some editors write a UTF-8 byte order mark before the first line; it is not text.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = Lines::new(text);
    expect_first_line(&mut lines)?;
    let header = read_header(&mut lines)?;
    if !lines.lines.iter().any(|(_, line)| *line == "end of trees") {
        let blocks = lines.lines.iter().filter(|(_, line)| line.starts_with("Tree=")).count();
        return Err(ParseError::new(
            lines.last_line_number(),
            format!("the file ends after {blocks} tree block(s) without `end of trees`: the model file is truncated"),
        ));
    }
    let n_features = header.feature_names.len();
    let mut trees: Vec<Tree> = Vec::new();
    let mut path_work: u64 = 0;
    let mut saw_end = false;
    while let Some((line_no, line)) = lines.next_line() {
        if line.trim().is_empty() {
            continue;
        }
        if line == "end of trees" {
            saw_end = true;
            break;
        }
        let Some(index) = line.strip_prefix("Tree=") else {
            return Err(ParseError::new(
                line_no,
                format!("expected `Tree={}` or `end of trees`, found `{}`", trees.len(), clip(line)),
            ));
        };
        if index.trim().parse::<usize>().ok() != Some(trees.len()) {
            return Err(ParseError::new(
                line_no,
                format!("expected `Tree={}`, found `{}`: trees must be numbered in order", trees.len(), clip(line)),
            ));
        }
        if trees.len() >= MAX_TREES {
            return Err(ParseError::new(line_no, format!("the model has more than {MAX_TREES} trees, the limit")));
        }
        let entries = read_block(&mut lines, line_no)?;
        let (tree, tree_work) = parse_tree(&entries, trees.len(), line_no, n_features)?;
        path_work = path_work.saturating_add(tree_work);
        if path_work > MAX_PATH_WORK {
            return Err(ParseError::new(
                line_no,
                format!(
                    "tree {}: the model's leaves are too many and too deep to explain (the sum of their \
                     squared depths passes {MAX_PATH_WORK}, the limit)",
                    trees.len()
                ),
            ));
        }
        trees.push(tree);
    }
    if !saw_end {
        return Err(ParseError::new(
            lines.last_line_number(),
            format!("the file ends after {} tree(s) without `end of trees`: the model file is truncated", trees.len()),
        ));
    }
    if trees.is_empty() {
        return Err(ParseError::new(0, "the model has no trees"));
    }
    let trailer = read_trailer(&mut lines)?;
    for (key, value) in &trailer.parameters {
        if key == "linear_tree" && value.trim() == "1" {
            return Err(ParseError::new(
                0,
                "the model was trained with linear_tree=true: linear trees are not supported \
                 (LightGBM itself cannot explain them); retrain without linear_tree",
            ));
        }
    }
    let categorical = categorical_flags(&header.feature_infos, &trailer.parameters);
    let categories = assign_pandas_categories(
        trailer.pandas_categorical,
        &header.feature_infos,
        &trailer.parameters,
        &header.feature_names,
    )?;
    let max_depth = trees.iter().map(|tree| tree.max_depth).max().unwrap_or(0);
    Ok(Model {
        version: header.version,
        feature_names: header.feature_names,
        feature_infos: header.feature_infos,
        trees,
        objective: header.objective,
        average_output: header.average_output,
        categories,
        categorical,
        parameters: trailer.parameters,
        max_depth,
    })
}

fn clip(text: &str) -> String {
    crate::domain::format::quote_external(text, 60)
}

fn expect_first_line(lines: &mut Lines<'_>) -> Result<(), ParseError> {
    loop {
        match lines.next_line() {
            None => return Err(ParseError::new(0, "the file is empty, not a LightGBM text model")),
            Some((_, line)) if line.trim().is_empty() => continue,
            Some((_, "tree")) => return Ok(()),
            Some((line_no, line)) => {
                return Err(ParseError::new(
                    line_no,
                    format!("not a LightGBM text model: expected the first line `tree`, found `{}`", clip(line)),
                ));
            }
        }
    }
}

struct Header {
    version: String,
    feature_names: Vec<String>,
    feature_infos: Vec<FeatureInfo>,
    objective: Objective,
    average_output: bool,
}

fn read_header(lines: &mut Lines<'_>) -> Result<Header, ParseError> {
    let mut entries: Entries<'_> = HashMap::new();
    let mut average_output = false;
    let mut last_line = 1;
    while let Some((line_no, line)) = lines.peek() {
        if line.starts_with("Tree=") || line == "end of trees" {
            break;
        }
        lines.next_line();
        last_line = line_no;
        if line.trim().is_empty() {
            continue;
        }
        match line.split_once('=') {
            Some((key, value)) => insert_once(&mut entries, key.trim(), line_no, value)?,
            None if line.trim() == "average_output" => average_output = true,
            None => {} // LightGBM ignores bare keys it does not know.
        }
    }
    let required = |key: &str| -> Result<(usize, &str), ParseError> {
        entries.get(key).copied().ok_or_else(|| {
            ParseError::new(
                last_line,
                format!("the header has no `{key}=` line (the model file is truncated or not a LightGBM model)"),
            )
        })
    };

    let (line_no, num_class) = required("num_class")?;
    let num_class: i64 = parse_number(num_class, line_no, "num_class")?;
    if num_class > 1 {
        return Err(ParseError::new(
            line_no,
            format!("num_class={num_class}: multiclass models are not supported, only binary models (num_class=1)"),
        ));
    }
    if num_class < 1 {
        return Err(ParseError::new(
            line_no,
            format!("num_class={num_class} is not a number of classes: a binary model has num_class=1"),
        ));
    }
    if let Some(&(line_no, k)) = entries.get("num_tree_per_iteration") {
        let k: i64 = parse_number(k, line_no, "num_tree_per_iteration")?;
        if k != 1 {
            return Err(ParseError::new(
                line_no,
                format!("num_tree_per_iteration={k}: only binary models (one tree per round) are supported"),
            ));
        }
    }
    let (line_no, label_index) = required("label_index")?;
    let _: i64 = parse_number(label_index, line_no, "label_index")?;
    let objective = parse_objective(entries.get("objective").copied(), last_line)?;

    let (line_no, max_feature_idx) = required("max_feature_idx")?;
    let max_feature_idx: i64 = parse_number(max_feature_idx, line_no, "max_feature_idx")?;
    if max_feature_idx < 0 || max_feature_idx >= MAX_FEATURES as i64 {
        return Err(ParseError::new(
            line_no,
            format!(
                "max_feature_idx={max_feature_idx} is out of range: a model has 1 to {MAX_FEATURES} features \
                 (max_feature_idx 0 to {})",
                MAX_FEATURES - 1
            ),
        ));
    }
    let n_features = (max_feature_idx + 1) as usize;

    let (line_no, names) = required("feature_names")?;
    let feature_names: Vec<String> = names.split_whitespace().map(str::to_string).collect();
    if feature_names.len() != n_features {
        return Err(ParseError::new(
            line_no,
            format!("feature_names has {} names but max_feature_idx says {n_features} features", feature_names.len()),
        ));
    }
    let mut first_position: HashMap<&str, usize> = HashMap::with_capacity(n_features);
    for (position, name) in feature_names.iter().enumerate() {
        if let Some(first) = first_position.insert(name, position) {
            return Err(ParseError::new(
                line_no,
                format!(
                    "feature_names lists `{}` twice (features {first} and {position}): each feature needs its own name",
                    clip(name)
                ),
            ));
        }
    }
    let (line_no, infos) = required("feature_infos")?;
    let feature_infos =
        infos.split_whitespace().map(|token| parse_feature_info(token, line_no)).collect::<Result<Vec<_>, _>>()?;
    if feature_infos.len() != n_features {
        return Err(ParseError::new(
            line_no,
            format!("feature_infos has {} entries but the model has {n_features} features", feature_infos.len()),
        ));
    }
    let version = entries.get("version").map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    Ok(Header { version, feature_names, feature_infos, objective, average_output })
}

fn parse_objective(entry: Option<(usize, &str)>, last_line: usize) -> Result<Objective, ParseError> {
    let Some((line_no, value)) = entry else {
        return Err(ParseError::new(
            last_line,
            "the header has no `objective=` line (custom objective?): only binary models are supported",
        ));
    };
    let mut tokens = value.split_whitespace();
    let name = tokens.next().unwrap_or("");
    if name != "binary" {
        return Err(ParseError::new(
            line_no,
            format!("objective `{name}` is not supported: only `binary` models give a probability of default"),
        ));
    }
    let mut sigmoid = None;
    for token in tokens {
        if let Some(value) = token.strip_prefix("sigmoid:") {
            sigmoid = Some(parse_number::<f64>(value, line_no, "sigmoid")?);
        }
    }
    let sigmoid = sigmoid.ok_or_else(|| ParseError::new(line_no, "objective `binary` has no `sigmoid:` value"))?;
    Objective::binary(sigmoid)
        .ok_or_else(|| ParseError::new(line_no, format!("sigmoid:{sigmoid} must be a positive number")))
}

fn parse_feature_info(token: &str, line_no: usize) -> Result<FeatureInfo, ParseError> {
    if token == "none" {
        return Ok(FeatureInfo::Unused);
    }
    if let Some(range) = token.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        let bad = || ParseError::new(line_no, format!("feature_infos entry `{}` is not `[min:max]`", clip(token)));
        let (min, max) = range.split_once(':').ok_or_else(bad)?;
        let min = min.parse::<f64>().ok().filter(|min| !min.is_nan()).ok_or_else(bad)?;
        let max = max.parse::<f64>().ok().filter(|max| !max.is_nan()).ok_or_else(bad)?;
        return Ok(FeatureInfo::Numeric { min, max });
    }
    token
        .split(':')
        .map(|category| category.parse::<i64>())
        .collect::<Result<Vec<_>, _>>()
        .map(FeatureInfo::Categorical)
        .map_err(|_| {
            ParseError::new(
                line_no,
                format!("feature_infos entry `{}` is neither `none`, `[min:max]` nor categories `a:b:c`", clip(token)),
            )
        })
}

fn parse_number<T: std::str::FromStr>(text: &str, line_no: usize, key: &str) -> Result<T, ParseError> {
    text.trim().parse::<T>().map_err(|_| {
        ParseError::new(line_no, format!("`{key}` has the value `{}`, which is not a valid number", clip(text.trim())))
    })
}

/// Reads the `key=value` lines of one tree block, up to its first empty line.
fn read_block<'a>(lines: &mut Lines<'a>, tree_line: usize) -> Result<Entries<'a>, ParseError> {
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

/// Adds a `key=value` line, refusing a key already given (LightGBM would keep the last one).
fn insert_once<'a>(entries: &mut Entries<'a>, key: &'a str, line_no: usize, value: &'a str) -> Result<(), ParseError> {
    if let Some((first, _)) = entries.insert(key, (line_no, value)) {
        return Err(ParseError::new(
            line_no,
            format!("`{}=` is given twice, on lines {first} and {line_no}: keep one of them", clip(key)),
        ));
    }
    Ok(())
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
fn parse_tree(entries: &Entries<'_>, index: usize, line: usize, n_features: usize) -> Result<(Tree, u64), ParseError> {
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

struct Trailer {
    parameters: Vec<(String, String)>,
    pandas_categorical: Option<(usize, Vec<Vec<CategoryLabel>>)>,
}

fn read_trailer(lines: &mut Lines<'_>) -> Result<Trailer, ParseError> {
    let mut parameters = Vec::new();
    let mut pandas_categorical = None;
    let mut in_parameters = false;
    while let Some((line_no, line)) = lines.next_line() {
        if line == "parameters:" {
            in_parameters = true;
        } else if line == "end of parameters" {
            in_parameters = false;
        } else if in_parameters {
            if let Some((key, value)) =
                line.strip_prefix('[').and_then(|l| l.strip_suffix(']')).and_then(|l| l.split_once(':'))
            {
                parameters.push((key.trim().to_string(), value.trim().to_string()));
            }
        } else if let Some(json) = line.strip_prefix("pandas_categorical:") {
            pandas_categorical = parse_pandas_categorical(json, line_no)?.map(|lists| (line_no, lists));
        }
    }
    Ok(Trailer { parameters, pandas_categorical })
}

fn parse_pandas_categorical(json: &str, line_no: usize) -> Result<Option<Vec<Vec<CategoryLabel>>>, ParseError> {
    let bad = |what: String| ParseError::new(line_no, format!("pandas_categorical {what}"));
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|error| bad(format!("is not valid JSON: {error}")))?;
    let lists = match value {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::Array(lists) => lists,
        _ => return Err(bad("must be null or a list of category lists".into())),
    };
    let mut out = Vec::with_capacity(lists.len());
    for (position, list) in lists.into_iter().enumerate() {
        let serde_json::Value::Array(labels) = list else {
            return Err(bad(format!("entry {position} is not a list of categories")));
        };
        let labels = labels
            .into_iter()
            .map(|label| match label {
                serde_json::Value::String(text) => Ok(CategoryLabel::Text(text)),
                serde_json::Value::Number(number) => number
                    .as_f64()
                    .map(CategoryLabel::Number)
                    .ok_or_else(|| bad(format!("entry {position} holds an unreadable number"))),
                serde_json::Value::Bool(flag) => Ok(CategoryLabel::Text(if flag { "True" } else { "False" }.into())),
                other => Err(bad(format!("entry {position} holds `{other}`, not a category label"))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push(labels);
    }
    Ok(Some(out))
}

/// Indices listed in `[categorical_feature: …]`, if the list holds plain indices.
fn categorical_parameter(parameters: &[(String, String)]) -> Option<Vec<usize>> {
    let (_, value) = parameters.iter().find(|(key, _)| key == "categorical_feature")?;
    if value.trim().is_empty() {
        return Some(Vec::new());
    }
    value.split(',').map(|index| index.trim().parse::<usize>().ok()).collect()
}

fn categorical_flags(infos: &[FeatureInfo], parameters: &[(String, String)]) -> Vec<bool> {
    let mut flags: Vec<bool> = infos.iter().map(|info| matches!(info, FeatureInfo::Categorical(_))).collect();
    for index in categorical_parameter(parameters).unwrap_or_default() {
        if let Some(flag) = flags.get_mut(index) {
            *flag = true;
        }
    }
    flags
}

/// Gives each pandas category list to its feature. The Python package writes one list per
/// pandas categorical column, in DataFrame order; those columns are the model's categorical
/// features (from `[categorical_feature: …]`, or else from `feature_infos`).
fn assign_pandas_categories(
    pandas: Option<(usize, Vec<Vec<CategoryLabel>>)>,
    infos: &[FeatureInfo],
    parameters: &[(String, String)],
    names: &[String],
) -> Result<Vec<Option<Vec<CategoryLabel>>>, ParseError> {
    let mut categories = vec![None; infos.len()];
    let Some((line_no, lists)) = pandas else {
        return Ok(categories);
    };
    if lists.is_empty() {
        return Ok(categories);
    }
    let from_parameter = categorical_parameter(parameters).filter(|indices| indices.len() == lists.len());
    let from_infos: Vec<usize> = infos
        .iter()
        .enumerate()
        .filter(|(_, info)| matches!(info, FeatureInfo::Categorical(_)))
        .map(|(index, _)| index)
        .collect();
    let indices = match from_parameter {
        Some(indices) => indices,
        None if from_infos.len() == lists.len() => from_infos,
        None => {
            return Err(ParseError::new(
                line_no,
                format!(
                    "pandas_categorical has {} category lists but the model has {} categorical features: \
                     cannot tell which column each list belongs to",
                    lists.len(),
                    from_infos.len()
                ),
            ));
        }
    };
    for (index, labels) in indices.into_iter().zip(lists) {
        let Some(slot) = categories.get_mut(index) else {
            return Err(ParseError::new(
                line_no,
                format!("categorical_feature index {index} is beyond the {} features", names.len()),
            ));
        };
        *slot = Some(labels);
    }
    Ok(categories)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUMP: &str = "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\n\
        max_feature_idx=1\nobjective=binary sigmoid:1\nfeature_names=a b\nfeature_infos=[0:1] none\n\
        tree_sizes=1\n\nTree=0\nnum_leaves=2\nnum_cat=0\nsplit_feature=0\nsplit_gain=1\n\
        threshold=0.5\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=-1 1\n\
        leaf_weight=1 1\nleaf_count=3 1\ninternal_value=0\ninternal_weight=2\ninternal_count=4\n\
        is_linear=0\nshrinkage=1\n\n\nend of trees\n\nparameters:\n[boosting: gbdt]\nend of parameters\n\n\
        pandas_categorical:null\n";

    #[test]
    fn parses_a_stump_with_crlf() {
        let crlf = STUMP.replace('\n', "\r\n");
        for text in [STUMP.to_string(), crlf] {
            let model = parse_model(&text);
            assert!(model.is_ok(), "{model:?}");
            if let Ok(model) = model {
                assert_eq!(model.feature_names(), ["a", "b"]);
                assert_eq!(model.n_trees(), 1);
                assert_eq!(model.parameters(), [("boosting".to_string(), "gbdt".to_string())]);
                // Expected value: 3/4 · (-1) + 1/4 · 1 = -0.5.
                assert_eq!(model.expected_value(), -0.5);
            }
        }
    }

    fn error_of(text: &str) -> ParseError {
        match parse_model(text) {
            Ok(_) => ParseError::new(0, "parsed"),
            Err(error) => error,
        }
    }

    #[test]
    fn structural_corruption_is_refused_with_its_line() {
        let error = error_of(&STUMP.replace("left_child=-1", "left_child=-3"));
        assert!(error.message.contains("child leaf 2"), "{error}");
        assert_eq!(error.line, 12);
        let error = error_of(&STUMP.replace("left_child=-1", "left_child=1"));
        assert!(error.message.contains("beyond the 1 internal nodes"), "{error}");
        let error = error_of(&STUMP.replace("left_child=-1", "left_child=0"));
        assert!(error.message.contains("reached twice (a cycle"), "{error}");
        let error = error_of(&STUMP.replace("threshold=0.5", "threshold=0.5 0.7"));
        assert!(error.message.contains("`threshold` has 2 values, expected 1"), "{error}");
        assert_eq!(error.line, 17);
        let error = error_of(&STUMP.replace("split_feature=0", "split_feature=2"));
        assert_eq!(error.to_string(), "line 15: tree 0, node 0: split_feature 2 is not a feature index (0 to 1)");
        let error = error_of(&STUMP.replace("decision_type=2", "decision_type=12"));
        assert!(error.message.contains("decision_type 12"), "{error}");
        let error = error_of(&STUMP.replace("decision_type=2", "decision_type=1"));
        assert!(error.message.contains("the split is categorical but the tree has no bitsets (num_cat=0)"), "{error}");
        let error = error_of(&STUMP.replace("leaf_count=3 1", "leaf_count=3 -1"));
        assert!(error.message.contains("negative count"), "{error}");
        let error = error_of(&STUMP.replace("leaf_value=-1 1", "leaf_value=-1 x"));
        assert!(error.message.contains("`x`, which is not a valid number"), "{error}");
    }

    #[test]
    fn header_problems_are_refused() {
        let error = error_of(&STUMP.replace("objective=binary sigmoid:1", "objective=regression"));
        assert!(error.message.contains("objective `regression` is not supported"), "{error}");
        let error = error_of(&STUMP.replace("feature_names=a b", "feature_names=a"));
        assert!(error.message.contains("feature_names has 1 names"), "{error}");
        let error = error_of(&STUMP.replace("num_class=1", "num_class=3"));
        assert_eq!(
            error.to_string(),
            "line 3: num_class=3: multiclass models are not supported, only binary models (num_class=1)"
        );
        let error = error_of(&STUMP.replace("num_class=1", "num_class=0"));
        assert_eq!(error.to_string(), "line 3: num_class=0 is not a number of classes: a binary model has num_class=1");
        let error = error_of(&STUMP.replace("sigmoid:1", "sigmoid:0"));
        assert!(error.message.contains("positive"), "{error}");
        let error = error_of("{\"not\": \"a model\"}");
        assert!(error.message.contains("not a LightGBM text model"), "{error}");
        let error = error_of("");
        assert!(error.message.contains("empty"), "{error}");
    }

    #[test]
    fn a_byte_order_mark_before_tree_is_skipped() {
        let model = parse_model(&format!("\u{feff}{STUMP}"));
        assert!(model.is_ok(), "{model:?}");
    }

    #[test]
    fn numbers_that_would_make_a_score_nan_are_refused_with_line_and_field() {
        let error = error_of(&STUMP.replace("leaf_value=-1 1", "leaf_value=-1 nan"));
        assert_eq!(
            error.to_string(),
            "line 21: tree 0: `leaf_value` of leaf 1 is NaN, not a finite number of at most 1e100 in size"
        );
        let error = error_of(&STUMP.replace("leaf_value=-1 1", "leaf_value=inf 1"));
        assert!(
            error.to_string().starts_with("line 21: tree 0: `leaf_value` of leaf 0 is inf, not a finite"),
            "{error}"
        );
        let error = error_of(&STUMP.replace("leaf_value=-1 1", "leaf_value=-1e101 1"));
        assert!(error.to_string().starts_with("line 21: tree 0: `leaf_value` of leaf 0 is -1000"), "{error}");
        let error = error_of(&STUMP.replace("threshold=0.5", "threshold=NaN"));
        assert_eq!(error.to_string(), "line 17: tree 0: `threshold` of node 0 is NaN, not a number");
        let error = error_of(&STUMP.replace("shrinkage=1", "shrinkage=inf"));
        assert_eq!(error.to_string(), "line 28: tree 0: shrinkage=inf is not a finite number");
        let error = error_of(&STUMP.replace("sigmoid:1", "sigmoid:nan"));
        assert!(error.to_string().starts_with("line 7: sigmoid:NaN must be a positive number"), "{error}");
        let error = error_of(&STUMP.replace("[0:1] none", "[nan:1] none"));
        assert!(error.to_string().starts_with("line 9: feature_infos entry `[nan:1]` is not `[min:max]`"), "{error}");
        // An infinite threshold is a valid split (every finite value goes one way).
        assert!(parse_model(&STUMP.replace("threshold=0.5", "threshold=inf")).is_ok());
    }

    #[test]
    fn duplicate_names_and_keys_are_refused() {
        let error = error_of(&STUMP.replace("feature_names=a b", "feature_names=a a"));
        assert_eq!(
            error.to_string(),
            "line 8: feature_names lists `a` twice (features 0 and 1): each feature needs its own name"
        );
        let error = error_of(&STUMP.replace("label_index=0\n", "label_index=0\nobjective=binary sigmoid:2\n"));
        assert_eq!(error.to_string(), "line 8: `objective=` is given twice, on lines 6 and 8: keep one of them");
        let error = error_of(&STUMP.replace("leaf_weight=1 1\n", "leaf_value=1 -1\n"));
        assert_eq!(error.to_string(), "line 22: `leaf_value=` is given twice, on lines 21 and 22: keep one of them");
    }

    #[test]
    fn truncation_is_detected() {
        let cut = &STUMP[..STUMP.find("end of trees").unwrap_or(0)];
        let error = error_of(cut);
        assert!(error.message.contains("truncated"), "{error}");
        let cut = &STUMP[..STUMP.find("leaf_count").unwrap_or(0)];
        let error = error_of(cut);
        assert!(error.message.contains("truncated"), "{error}");
        let cut = &STUMP[..STUMP.find("Tree=0").unwrap_or(0)];
        let error = error_of(cut);
        assert!(error.message.contains("truncated"), "{error}");
    }

    #[test]
    fn pandas_categorical_is_read_and_checked() {
        let text = STUMP
            .replace("feature_infos=[0:1] none", "feature_infos=[0:1] -1:0:1")
            .replace("pandas_categorical:null", "pandas_categorical:[[\"x\", \"y\"]]");
        let model = parse_model(&text);
        assert!(model.is_ok(), "{model:?}");
        if let Ok(model) = model {
            assert_eq!(
                model.category_labels(1),
                Some(&[CategoryLabel::Text("x".into()), CategoryLabel::Text("y".into())][..])
            );
            assert!(model.is_categorical(1));
            assert!(model.category_labels(0).is_none());
        }
        let error = error_of(&STUMP.replace("pandas_categorical:null", "pandas_categorical:[[\"x\"]]"));
        assert!(error.message.contains("cannot tell which column"), "{error}");
        let error = error_of(&STUMP.replace("pandas_categorical:null", "pandas_categorical:[oops"));
        assert!(error.message.contains("not valid JSON"), "{error}");
    }
}
