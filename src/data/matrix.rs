//! Model inputs from a CSV table: one f64 per model feature and row.
//!
//! Columns are matched to model features by name. An empty field is missing (NaN). A
//! numeric field must parse as a number (`nan`, `inf` accepted), else the load stops with
//! the file, line and column. A column the model knows as a pandas categorical is encoded as
//! the label's position in the model's `pandas_categorical` list, as the Python package does;
//! a label not in that list becomes missing (NaN), exactly as LightGBM scores it, and is
//! counted in [`FeatureMatrix::unknown_categories`] so that the caller can warn.

use std::path::Path;

use super::DataError;
use super::csv_source::CsvText;
use crate::domain::{CategoryLabel, FeatureSchema};

/// The client id column of the Home Credit tables.
pub const ID_COLUMN: &str = "SK_ID_CURR";

/// Labels met in a categorical column that the model has never seen.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownCategories {
    /// The column.
    pub column: String,
    /// How many fields held an unknown label.
    pub count: usize,
    /// The first unknown label met.
    pub example: String,
}

/// Rows of model inputs, row-major, in model feature order.
#[derive(Debug, Clone)]
pub struct FeatureMatrix {
    n_features: usize,
    values: Vec<f64>,
    ids: Option<Vec<String>>,
    unknown_categories: Vec<UnknownCategories>,
    repaired_lines: usize,
}

/// How one model feature is filled from the table.
enum Source<'m> {
    /// The feature has no column and the model never uses it: always missing.
    Absent,
    /// A numeric column (or integer category codes).
    Number(usize),
    /// A pandas categorical column with its labels.
    Labels(usize, &'m [CategoryLabel]),
}

impl FeatureMatrix {
    /// Reads a CSV file into the inputs `schema` describes.
    pub fn from_csv_path(path: &Path, schema: &FeatureSchema) -> Result<FeatureMatrix, DataError> {
        FeatureMatrix::from_csv(&CsvText::from_path(path)?, schema)
    }

    /// Converts repaired CSV text into the inputs `schema` describes.
    pub fn from_csv(csv: &CsvText, schema: &FeatureSchema) -> Result<FeatureMatrix, DataError> {
        let header = csv.header()?;
        let column = |name: &str| header.iter().position(|column| column == name);
        let mut missing = Vec::new();
        let sources: Vec<Source<'_>> = schema
            .features
            .iter()
            .map(|feature| match column(&feature.name) {
                None => {
                    if feature.used {
                        missing.push(feature.name.clone());
                    }
                    Source::Absent
                }
                Some(index) => match feature.labels.as_deref() {
                    Some(labels) => Source::Labels(index, labels),
                    None => Source::Number(index),
                },
            })
            .collect();
        if !missing.is_empty() {
            let total = missing.len();
            missing.truncate(10);
            if total > 10 {
                missing.push(format!("and {} more", total - 10));
            }
            return Err(DataError::MissingColumns { path: csv.path().to_path_buf(), columns: missing });
        }
        let id_index = column(ID_COLUMN);
        let n_features = schema.features.len();
        let mut values = Vec::new();
        let mut ids = id_index.map(|_| Vec::new());
        let mut unknown: Vec<Option<UnknownCategories>> = vec![None; n_features];
        for record in csv.reader().records() {
            let record = record.map_err(|error| csv.syntax_error(&error))?;
            let line = record.position().map_or(0, |position| position.line());
            if record.len() != header.len() {
                return Err(DataError::FieldCount {
                    path: csv.path().to_path_buf(),
                    line,
                    expected: header.len(),
                    found: record.len(),
                });
            }
            if let (Some(ids), Some(index)) = (ids.as_mut(), id_index) {
                ids.push(record.get(index).unwrap_or("").trim().to_string());
            }
            for (feature_idx, source) in sources.iter().enumerate() {
                let value = match *source {
                    Source::Absent => f64::NAN,
                    Source::Number(index) => {
                        let field = record.get(index).unwrap_or("").trim();
                        parse_number(field).ok_or_else(|| DataError::NotNumeric {
                            path: csv.path().to_path_buf(),
                            line,
                            column: header[index].clone(),
                            value: field.to_string(),
                        })?
                    }
                    Source::Labels(index, labels) => {
                        let field = record.get(index).unwrap_or("");
                        let code = encode_label(field, labels);
                        if code.is_none() && !field.is_empty() {
                            let entry = unknown[feature_idx].get_or_insert_with(|| UnknownCategories {
                                column: header[index].clone(),
                                count: 0,
                                example: field.to_string(),
                            });
                            entry.count += 1;
                        }
                        code.unwrap_or(f64::NAN)
                    }
                };
                values.push(value);
            }
        }
        Ok(FeatureMatrix {
            n_features,
            values,
            ids,
            unknown_categories: unknown.into_iter().flatten().collect(),
            repaired_lines: csv.repaired_lines(),
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.values.len().checked_div(self.n_features).unwrap_or(0)
    }

    /// Number of values per row (the model's features).
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Row `index`, one value per model feature.
    pub fn row(&self, index: usize) -> &[f64] {
        &self.values[index * self.n_features..(index + 1) * self.n_features]
    }

    /// All values, row-major: row `i` is `values()[i * n_features..(i + 1) * n_features]`.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// All rows, in file order.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, f64> {
        self.values.chunks_exact(self.n_features.max(1))
    }

    /// The `SK_ID_CURR` values as written, when the file has that column.
    pub fn ids(&self) -> Option<&[String]> {
        self.ids.as_deref()
    }

    /// Categorical columns that held labels unknown to the model (read as missing).
    pub fn unknown_categories(&self) -> &[UnknownCategories] {
        &self.unknown_categories
    }

    /// Whole-line-quoted rows repaired while reading.
    pub fn repaired_lines(&self) -> usize {
        self.repaired_lines
    }
}

/// An empty field is missing; otherwise a number as Rust reads it (correctly rounded).
fn parse_number(field: &str) -> Option<f64> {
    if field.is_empty() { Some(f64::NAN) } else { field.parse::<f64>().ok() }
}

/// The label's position in the model's list; `None` for a missing or unknown label.
fn encode_label(field: &str, labels: &[CategoryLabel]) -> Option<f64> {
    if field.is_empty() {
        return None;
    }
    let number = field.trim().parse::<f64>().ok();
    labels
        .iter()
        .position(|label| match label {
            CategoryLabel::Text(text) => text == field,
            CategoryLabel::Number(value) => number == Some(*value),
        })
        .map(|position| position as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_encode_to_their_position() {
        let labels = [CategoryLabel::Text("Cash loans".into()), CategoryLabel::Text("Revolving loans".into())];
        assert_eq!(encode_label("Revolving loans", &labels), Some(1.0));
        assert_eq!(encode_label("Cash loans", &labels), Some(0.0));
        assert_eq!(encode_label("Mortgage", &labels), None);
        assert_eq!(encode_label("", &labels), None);
        let numbers = [CategoryLabel::Number(3.0), CategoryLabel::Number(7.0)];
        assert_eq!(encode_label("7.0", &numbers), Some(1.0));
    }

    #[test]
    fn numbers_and_missing_fields() {
        assert!(parse_number("").is_some_and(f64::is_nan));
        assert_eq!(parse_number("-12.5"), Some(-12.5));
        assert_eq!(parse_number("inf"), Some(f64::INFINITY));
        assert_eq!(parse_number("Cash loans"), None);
    }
}
