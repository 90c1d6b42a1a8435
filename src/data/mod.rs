//! Client tables: reading them and turning them into model inputs.
//!
//! - [`ClientTable`]: a Kaggle application table read with polars from CSV (with the repair
//!   of whole-line-quoted rows, [`csv_source`]) or Parquet, typed by [`schema`] (the columns'
//!   types, kept in `domain` and re-exported here), with unique ids.
//! - [`pipeline`]: the derived features (ratios, age, the `DAYS_EMPLOYED` anomaly flag), one
//!   definition for training, scoring and the what-if editor.
//! - [`completeness`]: the raw fields every decision needs, and the check of a row.
//! - [`parquet`]: a table of texts written as a typed Parquet file (the journal's export).
//! - [`FeatureMatrix`]: the model's inputs, columns matched to features by name, categories
//!   encoded with the model's lists.
//!
//! Nothing is dropped silently: a row that cannot be read stops the load with its line.
//! This is the only module that uses polars. Uses: domain (the feature schema a model expects).

pub mod completeness;
mod contain;
pub mod csv_source;
mod frame;
pub mod history;
pub mod inputs;
pub mod labels;
mod matrix;
pub mod parquet;
pub mod pipeline;
pub mod policy;
pub use crate::domain::schema;
pub mod synth;
mod table;

use std::path::PathBuf;

pub use contain::panic_is_contained;
pub use matrix::{FeatureMatrix, UnknownCategories};
pub use schema::ID_COLUMN;
pub use table::ClientTable;

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
    /// A file could not be written.
    #[error("cannot write {path}: {cause}")]
    Write {
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
    #[error("{path}: the column `{}` appears twice in the header", quoted(.column))]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        column: String,
    },
    /// An empty line between rows.
    #[error("{path}: line {line} is empty: remove it (an empty line is not a client)")]
    BlankLine {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: u64,
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
    #[error("{path}: line {line}: {}", quoted(.message))]
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
        quoted(&.columns.join(", "))
    )]
    MissingColumns {
        /// The file.
        path: PathBuf,
        /// The missing feature names (at most the first ten, then a count).
        columns: Vec<String>,
    },
    /// A numeric field does not hold a number of the column's type.
    #[error("{path}: {location}, column `{}`: `{}` is not {expected}", quoted(.column), quoted(.value))]
    NotNumeric {
        /// The file.
        path: PathBuf,
        /// "line N" in a CSV file, "row N" in a Parquet file.
        location: String,
        /// Column name.
        column: String,
        /// The field as written.
        value: String,
        /// What the column holds ("a number", "a whole number").
        expected: &'static str,
    },
    /// A whole number with more digits than a 64-bit integer holds.
    #[error(
        "{path}: {location}, column `{}`: `{}` is out of range: a whole number here lies between \
         -9223372036854775808 and 9223372036854775807",
        quoted(.column), quoted(.value)
    )]
    OutOfRange {
        /// The file.
        path: PathBuf,
        /// "line N".
        location: String,
        /// Column name.
        column: String,
        /// The field as written.
        value: String,
    },
    /// A column the model reads is empty on every row.
    #[error(
        "{path}: column `{}` is empty on every row, and the model needs its values: fill it in \
         (with numbers, or with categories listed in the model's model.json card)",
        quoted(.column)
    )]
    EmptyColumn {
        /// The file.
        path: PathBuf,
        /// Column name.
        column: String,
    },
    /// The file could not be parsed, and no single line could be blamed.
    #[error("{path}: {}", quoted(.message))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the reader said.
        message: String,
    },
    /// A Parquet column has a type the schema does not allow.
    #[error("{path}: column `{}` should hold {expected} but holds {}", quoted(.column), quoted(.found))]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// Column name.
        column: String,
        /// What the schema expects.
        expected: String,
        /// The type found.
        found: String,
    },
    /// A Parquet value does not fit its column.
    #[error("{path}: row {row}, column `{}`: {message}", quoted(.column))]
    ParquetValue {
        /// The file.
        path: PathBuf,
        /// 1-based row.
        row: usize,
        /// Column name.
        column: String,
        /// What is wrong.
        message: String,
    },
    /// A row has no client id.
    #[error("{path}: {location}: the client id SK_ID_CURR is empty")]
    MissingId {
        /// The file.
        path: PathBuf,
        /// "line N" or "row N".
        location: String,
    },
    /// Two rows share a client id.
    #[error("{path}: client id {id} appears twice ({first} and {second})")]
    DuplicateId {
        /// The file.
        path: PathBuf,
        /// The repeated id.
        id: i64,
        /// Where it first appears.
        first: String,
        /// Where it appears again.
        second: String,
    },
    /// The file reader failed on the file (it panicked: a damaged file it does not check).
    #[error("{path}: not a readable file ({}): it is damaged, or not in the format its name says", quoted(.message))]
    ReaderFailed {
        /// The file.
        path: PathBuf,
        /// The reader's message.
        message: String,
    },
    /// The output file cannot be put in place.
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// A text column feeds a model feature that has no category list.
    #[error(
        "{path}: column `{}` holds text (for example `{}`) but the model reads it \
         as a number and has no category list for it: give the model a model.json card listing \
         the column's categories, or retrain it with the column as a category",
        quoted(.column), quoted(.example)
    )]
    TextForNumber {
        /// The file.
        path: PathBuf,
        /// Column name.
        column: String,
        /// A value found.
        example: String,
    },
    /// A history table is given twice (in a folder and by a flag, or as CSV and Parquet).
    #[error("the {table} table is given twice: {first} and {second}: keep one")]
    TableTwice {
        /// The table.
        table: &'static str,
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
    /// A folder given as a client table holds no application table.
    #[error(
        "{folder}: a folder given as client data must hold application_train or application_test (.csv or .parquet), as Kaggle's Home Credit data does"
    )]
    NoApplication {
        /// The folder.
        folder: PathBuf,
    },
    /// A history table lacks columns its checks or features need.
    #[error("{path}: the {table} table has no column {}: it is needed for the credit history", quoted(&.columns.join(", ")))]
    TableColumns {
        /// The file.
        path: PathBuf,
        /// The table.
        table: &'static str,
        /// The missing columns.
        columns: Vec<String>,
    },
    /// A key of a history row is empty.
    #[error("{path}: {location}, column `{column}`: the key is empty")]
    EmptyKey {
        /// The file.
        path: PathBuf,
        /// "line N" or "row N".
        location: String,
        /// The key column.
        column: String,
    },
    /// Two rows of a history table share a key that must be unique.
    #[error("{path}: column `{column}`: {id} appears twice ({first} and {second})")]
    DuplicateKey {
        /// The file.
        path: PathBuf,
        /// The key column.
        column: String,
        /// The repeated key.
        id: i64,
        /// Where it first appears.
        first: String,
        /// Where it appears again.
        second: String,
    },
    /// A coded field holds a value outside its codes.
    #[error("{path}: {location}, column `{column}`: `{}` is not {expected}", quoted(.value))]
    BadCode {
        /// The file.
        path: PathBuf,
        /// "line N" or "row N".
        location: String,
        /// The column.
        column: String,
        /// The field as written.
        value: String,
        /// The codes allowed.
        expected: &'static str,
    },
}

/// An outside value (a field, a column name, a reader's message) as a message may quote it.
fn quoted(text: &str) -> String {
    crate::domain::format::quote_external(text, crate::domain::format::QUOTE_MAX_CHARS)
}
