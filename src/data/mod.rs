//! Client tables: reading them and turning them into model inputs.
//!
//! Today this is a CSV reader ([`csv_source`]) that repairs the whole-line-quoted rows of the
//! Kaggle exports, and [`FeatureMatrix`], which maps columns to model features by name,
//! reads empty fields as missing and encodes category labels with the model's
//! `pandas_categorical` lists. Nothing is dropped silently: a row that cannot be read stops
//! the load with its line number.
//!
//! Uses: domain (the feature schema a model expects).

pub mod csv_source;
mod matrix;

use std::path::PathBuf;

pub use matrix::{FeatureMatrix, UnknownCategories, ID_COLUMN};

/// Errors of this module; each names the file and, where it applies, the line and column.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read.
    #[error("cannot read data file {path}: {cause}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        cause: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{path}: line {line}: the file is not UTF-8 text (a CSV export with another encoding?)")]
    NotText {
        /// The file.
        path: PathBuf,
        /// Line of the first invalid byte.
        line: usize,
    },
    /// The file has no header line.
    #[error("{path}: the file is empty: expected a header line with column names")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// Two columns share a name.
    #[error("{path}: the column `{column}` appears twice in the header")]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        column: String,
    },
    /// A line has another number of fields than the header.
    #[error("{path}: line {line}: {found} fields where the header has {expected}")]
    FieldCount {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields on the line.
        found: usize,
    },
    /// The CSV syntax is broken (for example an unterminated quote).
    #[error("{path}: line {line}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// The CSV reader's explanation.
        message: String,
    },
    /// Model features have no column in the file.
    #[error(
        "{path}: no column for the model feature(s) {}; the model needs them (columns are matched by name)",
        .columns.join(", ")
    )]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The missing feature names (at most the first ten, then a count).
        columns: Vec<String>,
    },
    /// A numeric field does not hold a number.
    #[error("{path}: line {line}, column `{column}`: `{value}` is not a number")]
    NotNumeric {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
        /// Column name.
        column: String,
        /// The field as written.
        value: String,
    },
}
