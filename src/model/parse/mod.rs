//! Line-oriented parser of LightGBM's text model format (spec §1).
//!
//! Blocks are found by their `Tree=` lines, never through `tree_sizes` (hand-edited and CRLF
//! files break its byte offsets). Every error carries the 1-based line where it was found and
//! says what was expected. LightGBM's own loader checks far less; whatever it would accept
//! and we refuse is a structural corruption (a child out of range, a cycle), which would crash
//! or silently mis-score in LightGBM.

mod block;
mod categories;

use std::collections::HashMap;

use self::block::{parse_tree, read_block};
use self::categories::{assign_pandas_categories, categorical_flags, parse_pandas_categorical};
use super::tree::Tree;
use super::{
    CategoryLabel, FeatureInfo, MAX_FEATURES, MAX_MODEL_BYTES, MAX_PATH_WORK, MAX_TREES, Model, Objective, ParseError,
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
