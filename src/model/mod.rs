//! LightGBM text models: the parser and an evaluator that reproduces LightGBM exactly.
//!
//! [`Model::parse`] reads the text written by `Booster.save_model` (spec §1): header, trees,
//! parameters and the Python package's `pandas_categorical` line. It validates what LightGBM
//! leaves unchecked (child indices, cycles, array lengths, categorical bitset indices), so a
//! corrupt file is refused with its line number instead of misbehaving later. Only binary
//! models are accepted; linear trees and other objectives are refused by name.
//!
//! [`Model::predict_raw`] sums the trees in file order from 0.0 and [`Model::probability`]
//! applies the sigmoid, as LightGBM's `PredictRaw`/`Predict` do, so results are bit-identical.
//!
//! # Limits
//!
//! The parser refuses models beyond these limits, each error naming the limit and the line.
//! They lie above anything LightGBM writes in practice (its own `num_leaves` stops at
//! 131,072; real trees are a few dozen levels deep) and bound the work of explaining one row:
//! path-dependent TreeSHAP costs about d² per leaf at depth d and its path buffer holds
//! (d+2)(d+3)/2 elements, so a chain-shaped tree 99,999 deep would need 160 GB and hours.
//!
//! | what | limit |
//! |---|---|
//! | file size | [`MAX_MODEL_BYTES`] (1 GiB) |
//! | features | [`MAX_FEATURES`] (1,000,000) |
//! | trees | [`MAX_TREES`] (100,000) |
//! | leaves per tree | [`MAX_LEAVES`] (131,072, LightGBM's own) |
//! | depth of a leaf | [`MAX_DEPTH`] (1,000) |
//! | distinct features split on along one path | [`MAX_PATH_FEATURES`] (64) |
//! | categorical bitset words per tree | [`MAX_CATEGORY_WORDS`] (2^20: categories below 2^25) |
//! | TreeSHAP work, Σ depth² over every leaf of the model | [`MAX_PATH_WORK`] (2^30) |
//!
//! Numbers that reach a score (leaf values, thresholds, shrinkage, the sigmoid) must be
//! finite, and leaf values at most [`MAX_LEAF_VALUE`] in size, so that no sum of trees or of
//! contributions overflows.
//!
//! Pure: no I/O except [`Model::from_path`]. Uses: domain.

mod objective;
mod parse;
mod tree;

use std::path::{Path, PathBuf};

pub use crate::domain::CategoryLabel;
use crate::domain::{FeatureSchema, FeatureSpec};
pub use objective::Objective;
pub use tree::{Child, MissingType, Tree, ZERO_THRESHOLD};

/// Largest model file read, in bytes.
pub const MAX_MODEL_BYTES: u64 = 1 << 30;
/// Largest number of input features (`max_feature_idx + 1`).
pub const MAX_FEATURES: usize = 1_000_000;
/// Largest number of trees.
pub const MAX_TREES: usize = 100_000;
/// Largest number of leaves in one tree (LightGBM's own limit on `num_leaves`).
pub const MAX_LEAVES: usize = 131_072;
/// Largest depth of a leaf, in splits from the root.
pub const MAX_DEPTH: usize = 1_000;
/// Largest number of distinct features split on along one root-to-leaf path. TreeSHAP's
/// path weights lose precision as this grows: on a tree with one leaf per level, the
/// contributions miss the score by 6e-12 with 64 features, 5e-9 with 80, 1e-6 with 100, and
/// by orders of magnitude with 200. Within it, every tree takes TreeSHAP's per-leaf method.
pub const MAX_PATH_FEATURES: usize = 64;
/// Largest number of 32-bit categorical bitset words (`cat_threshold`) in one tree.
pub const MAX_CATEGORY_WORDS: usize = 1 << 20;
/// Largest TreeSHAP work of a model: the sum over every leaf of its depth squared.
pub const MAX_PATH_WORK: u64 = 1 << 30;
/// Largest magnitude of a leaf value (log-odds).
pub const MAX_LEAF_VALUE: f64 = 1e100;

/// A failure to read a model from text, with the 1-based line where it was found.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{message}", line_prefix(*.line))]
pub struct ParseError {
    /// 1-based line of the offending text; 0 when the problem concerns the whole file.
    pub line: usize,
    /// What was wrong, and where it matters what to do about it.
    pub message: String,
}

fn line_prefix(line: usize) -> String {
    if line == 0 { String::new() } else { format!("line {line}: ") }
}

impl ParseError {
    pub(crate) fn new(line: usize, message: impl Into<String>) -> ParseError {
        ParseError { line, message: message.into() }
    }
}

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The model file could not be read.
    #[error("cannot read model file {path}: {cause}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        cause: std::io::Error,
    },
    /// The model file is larger than [`MAX_MODEL_BYTES`].
    #[error("{path} is larger than {} MiB, the largest model file read", MAX_MODEL_BYTES >> 20)]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The model file is not valid UTF-8 text.
    #[error("{path} is not a LightGBM text model: it is not text (invalid UTF-8 on line {line})")]
    NotText {
        /// The file.
        path: PathBuf,
        /// 1-based line of the first invalid byte.
        line: usize,
    },
    /// The model text is malformed or unsupported.
    #[error("{path}: {cause}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What was wrong and on which line.
        cause: ParseError,
    },
    /// A row does not have one value per model feature.
    #[error("a row has {found} values but the model has {expected} features")]
    RowLength {
        /// Features of the model.
        expected: usize,
        /// Values in the row.
        found: usize,
    },
}

/// What the model knows about one input feature (`feature_infos`).
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureInfo {
    /// Numeric, with the training range.
    Numeric {
        /// Smallest training value.
        min: f64,
        /// Largest training value.
        max: f64,
    },
    /// Categorical, with the integer categories seen in training.
    Categorical(Vec<i64>),
    /// Never used: constant or filtered out during training (`none`).
    Unused,
}

/// A parsed, validated binary LightGBM model.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) version: String,
    pub(crate) feature_names: Vec<String>,
    pub(crate) feature_infos: Vec<FeatureInfo>,
    pub(crate) trees: Vec<Tree>,
    pub(crate) objective: Objective,
    pub(crate) average_output: bool,
    /// Pandas category labels per feature index (only for pandas categorical columns).
    pub(crate) categories: Vec<Option<Vec<CategoryLabel>>>,
    /// Features flagged categorical by the parameters or by `feature_infos`.
    pub(crate) categorical: Vec<bool>,
    pub(crate) parameters: Vec<(String, String)>,
    pub(crate) max_depth: usize,
}

impl Model {
    /// Parses the text of a LightGBM model file.
    pub fn parse(text: &str) -> Result<Model, ParseError> {
        parse::parse_model(text)
    }

    /// Reads and parses a LightGBM model file.
    pub fn from_path(path: &Path) -> Result<Model, ModelError> {
        use std::io::Read;
        let read_error = |cause| ModelError::Read { path: path.to_path_buf(), cause };
        let file = std::fs::File::open(path).map_err(read_error)?;
        if file.metadata().map_err(read_error)?.len() > MAX_MODEL_BYTES {
            return Err(ModelError::TooLarge { path: path.to_path_buf() });
        }
        let mut bytes = Vec::new();
        // One byte more than the limit tells a file at the limit from a larger one.
        file.take(MAX_MODEL_BYTES + 1).read_to_end(&mut bytes).map_err(read_error)?;
        if bytes.len() as u64 > MAX_MODEL_BYTES {
            return Err(ModelError::TooLarge { path: path.to_path_buf() });
        }
        let text = String::from_utf8(bytes).map_err(|error| {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            ModelError::NotText {
                path: path.to_path_buf(),
                line: valid.iter().filter(|byte| **byte == b'\n').count() + 1,
            }
        })?;
        Model::parse(&text).map_err(|cause| ModelError::Parse { path: path.to_path_buf(), cause })
    }

    /// The model format version written in the file (`v4` today).
    pub fn format_version(&self) -> &str {
        &self.version
    }

    /// Number of input features F (`max_feature_idx + 1`).
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// Feature names in model order.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// What `feature_infos` says of each feature, in model order.
    pub fn feature_infos(&self) -> &[FeatureInfo] {
        &self.feature_infos
    }

    /// Whether feature `feature_idx` is categorical.
    pub fn is_categorical(&self, feature_idx: usize) -> bool {
        self.categorical.get(feature_idx).copied().unwrap_or(false)
    }

    /// The pandas category labels of feature `feature_idx`, when the model came from a pandas
    /// DataFrame with a categorical column there. The code fed to the trees is the label's index.
    pub fn category_labels(&self, feature_idx: usize) -> Option<&[CategoryLabel]> {
        self.categories.get(feature_idx).and_then(|labels| labels.as_deref())
    }

    /// Whether some tree splits on feature `feature_idx`.
    pub fn uses_feature(&self, feature_idx: usize) -> bool {
        self.trees.iter().any(|tree| tree.split_feature.contains(&feature_idx))
    }

    /// What a data source must provide: names, category labels, and which features are used;
    /// `DAYS_EMPLOYED` is read with its placeholder as missing when the model also has the
    /// derived `DAYS_EMPLOYED_ANOM` (the flag takes the placeholder's information).
    pub fn schema(&self) -> FeatureSchema {
        let features = self
            .feature_names
            .iter()
            .enumerate()
            .map(|(feature_idx, name)| FeatureSpec {
                name: name.clone(),
                labels: self.category_labels(feature_idx).map(<[CategoryLabel]>::to_vec),
                used: self.uses_feature(feature_idx),
            })
            .collect();
        // The pipeline that derives DAYS_EMPLOYED_ANOM (this package's, and the usual one on
        // the Kaggle data) reads the placeholder as missing; a card, when present, says so itself.
        let clean_days_employed = self.feature_names.iter().any(|name| name == "DAYS_EMPLOYED_ANOM");
        FeatureSchema { features, clean_days_employed }
    }

    /// The trees in file order.
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// Number of trees (one per boosting round for a binary model).
    pub fn n_trees(&self) -> usize {
        self.trees.len()
    }

    /// The largest root-to-leaf depth over all trees.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// The objective (binary, with its sigmoid scale).
    pub fn objective(&self) -> Objective {
        self.objective
    }

    /// Whether the model is a random forest (`average_output`): probabilities use the mean
    /// of the trees, raw scores and contributions their sum, as in LightGBM.
    pub fn average_output(&self) -> bool {
        self.average_output
    }

    /// The `[key: value]` lines of the `parameters:` section, in file order.
    pub fn parameters(&self) -> &[(String, String)] {
        &self.parameters
    }

    /// Checks that a row has one value per feature.
    pub fn check_row(&self, row: &[f64]) -> Result<(), ModelError> {
        if row.len() == self.n_features() {
            Ok(())
        } else {
            Err(ModelError::RowLength { expected: self.n_features(), found: row.len() })
        }
    }

    /// LightGBM's raw score (log-odds): the sum of the trees' outputs in file order.
    pub fn predict_raw(&self, row: &[f64]) -> Result<f64, ModelError> {
        self.check_row(row)?;
        Ok(self.raw_unchecked(row))
    }

    /// The probability of default for `row`, equal to LightGBM's `predict`.
    pub fn predict_probability(&self, row: &[f64]) -> Result<f64, ModelError> {
        self.check_row(row)?;
        Ok(self.probability(self.raw_unchecked(row)))
    }

    /// Converts a raw score (sum of trees) into a probability, averaging first for forests.
    pub fn probability(&self, raw: f64) -> f64 {
        let raw = if self.average_output && !self.trees.is_empty() { raw / self.trees.len() as f64 } else { raw };
        self.objective.probability(raw)
    }

    /// The raw score of a row already checked to have `n_features` values.
    pub(crate) fn raw_unchecked(&self, row: &[f64]) -> f64 {
        let mut raw = 0.0;
        for tree in &self.trees {
            raw += tree.predict(row);
        }
        raw
    }

    /// The expected value of the raw score over the training data (LightGBM's last
    /// `pred_contrib` column): the sum of the trees' count-weighted mean leaf values.
    pub fn expected_value(&self) -> f64 {
        let mut expected = 0.0;
        for tree in &self.trees {
            expected += tree.expected_value();
        }
        expected
    }
}

/// `model_text` with the category lists of its text features appended as LightGBM's Python
/// package saves them: a `pandas_categorical:` line holding `json.dumps` of the lists (one per
/// text feature, in model order; `", "` between items, non-ASCII characters as `\uXXXX`), after
/// an empty line. The parser gives them back to the features (see `parse::categories`).
pub fn with_pandas_categorical(model_text: &str, lists: &[Vec<String>]) -> String {
    let label = |text: &String| {
        let mut quoted = String::with_capacity(text.len() + 2);
        for character in serde_json::Value::String(text.clone()).to_string().chars() {
            if character.is_ascii() {
                quoted.push(character);
            } else {
                let mut units = [0u16; 2];
                for unit in character.encode_utf16(&mut units) {
                    quoted.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
        quoted
    };
    let lists: Vec<String> =
        lists.iter().map(|list| format!("[{}]", list.iter().map(label).collect::<Vec<_>>().join(", "))).collect();
    format!("{model_text}\npandas_categorical:[{}]\n", lists.join(", "))
}
