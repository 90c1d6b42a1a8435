//! Model inputs from a client table: one f64 per model feature and row.
//!
//! Columns are matched to model features by name; derived features (see [`super::pipeline`])
//! are computed from their raw columns, always: a column named like one is ignored and listed
//! in [`FeatureMatrix::ignored_columns`] so that the caller can warn. A missing value is NaN. A text column the model knows
//! as a pandas categorical is encoded as the label's position in the model's list, as the
//! Python package does; a label not in that list becomes missing (NaN), exactly as LightGBM
//! scores it, and is counted in [`FeatureMatrix::unknown_categories`] so that the caller can
//! warn. A feature the model uses but the table cannot provide stops the load, naming it.

use std::path::Path;

use super::DataError;
use super::history::HistoryKind;
use super::history::aggregates::history_feature;
use super::pipeline;
use super::table::ClientTable;
use crate::domain::{CategoryLabel, FeatureSchema, FeatureSpec};

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
    ids: Option<Vec<i64>>,
    unknown_categories: Vec<UnknownCategories>,
    repaired_lines: usize,
    ignored_columns: Vec<String>,
    missing_history: Vec<HistoryKind>,
}

impl FeatureMatrix {
    /// Reads a CSV or Parquet file into the inputs `schema` describes.
    pub fn load(path: &Path, schema: &FeatureSchema) -> Result<FeatureMatrix, DataError> {
        FeatureMatrix::from_table(&ClientTable::load(path)?, schema)
    }

    /// Builds the inputs `schema` describes from a loaded table.
    pub fn from_table(table: &ClientTable, schema: &FeatureSchema) -> Result<FeatureMatrix, DataError> {
        let missing: Vec<String> = schema
            .features
            .iter()
            .filter(|feature| feature.used)
            .flat_map(|feature| missing_inputs(table, &feature.name))
            .collect();
        if !missing.is_empty() {
            let mut columns: Vec<String> = Vec::new();
            for name in missing {
                if !columns.contains(&name) {
                    columns.push(name);
                }
            }
            let total = columns.len();
            columns.truncate(10);
            if total > 10 {
                columns.push(format!("and {} more", total - 10));
            }
            return Err(DataError::MissingColumns { path: table.path().to_path_buf(), columns });
        }
        let n_rows = table.n_rows();
        let n_features = schema.features.len();
        // Filled one feature at a time, so that only one column is held besides the matrix.
        let mut values = vec![f64::NAN; n_rows * n_features];
        let mut unknown_categories = Vec::new();
        let mut missing_history = Vec::new();
        for (feature_idx, feature) in schema.features.iter().enumerate() {
            let Some((column, unknown)) = feature_column(table, feature, schema)? else {
                // Unused and absent, or a history feature without its table: stays missing.
                if let Some(history) = history_feature(&feature.name).filter(|_| feature.used)
                    && !missing_history.contains(&history.table)
                {
                    missing_history.push(history.table);
                }
                continue;
            };
            for (slot, value) in values.iter_mut().skip(feature_idx).step_by(n_features.max(1)).zip(column) {
                *slot = value;
            }
            unknown_categories.extend(unknown);
        }
        let ignored_columns = schema
            .features
            .iter()
            .filter(|feature| pipeline::inputs_of(&feature.name).is_some() && table.has_column(&feature.name))
            .map(|feature| feature.name.clone())
            .collect();
        Ok(FeatureMatrix {
            n_features,
            values,
            ids: table.ids().map(<[i64]>::to_vec),
            unknown_categories,
            repaired_lines: table.repaired_lines(),
            ignored_columns,
            missing_history,
        })
    }

    /// Rows given directly, row-major (`values.len()` a multiple of `n_features`; a partial
    /// last row is dropped), without ids.
    pub fn from_values(n_features: usize, mut values: Vec<f64>) -> FeatureMatrix {
        let n_rows = values.len().checked_div(n_features).unwrap_or(0);
        values.truncate(n_rows * n_features);
        FeatureMatrix {
            n_features,
            values,
            ids: None,
            unknown_categories: Vec::new(),
            repaired_lines: 0,
            ignored_columns: Vec::new(),
            missing_history: Vec::new(),
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.values.len().checked_div(self.n_features).unwrap_or(0)
    }

    /// Number of values per row (the model's features).
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Row `index`, one value per model feature; `None` beyond the last row.
    pub fn row(&self, index: usize) -> Option<&[f64]> {
        self.values.get(index * self.n_features..(index + 1) * self.n_features)
    }

    /// All values, row-major: row `i` is `values()[i * n_features..(i + 1) * n_features]`.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The `SK_ID_CURR` values, when the table has that column.
    pub fn ids(&self) -> Option<&[i64]> {
        self.ids.as_deref()
    }

    /// Categorical columns that held labels unknown to the model (read as missing).
    pub fn unknown_categories(&self) -> &[UnknownCategories] {
        &self.unknown_categories
    }

    /// Columns named like a derived feature of the model: ignored, the feature computed from
    /// its inputs instead (see [`pipeline::ignored_input_warning`]).
    pub fn ignored_columns(&self) -> &[String] {
        &self.ignored_columns
    }

    /// Whole-line-quoted rows repaired while reading.
    pub fn repaired_lines(&self) -> usize {
        self.repaired_lines
    }

    /// History tables whose features the model reads but the table came without: those
    /// features are missing values for every client (never zeros).
    pub fn missing_history(&self) -> &[HistoryKind] {
        &self.missing_history
    }

    /// The matrix of the one client with this id; `None` when no row has it (or the table
    /// has no ids).
    pub fn only(self, id: i64) -> Option<FeatureMatrix> {
        let index = self.ids.as_ref()?.iter().position(|&row_id| row_id == id)?;
        let values = self.row(index)?.to_vec();
        Some(FeatureMatrix { values, ids: Some(vec![id]), ..self })
    }
}

/// The columns a feature needs that the table lacks.
fn missing_inputs(table: &ClientTable, feature: &str) -> Vec<String> {
    if history_feature(feature).is_some() {
        return Vec::new(); // Absent with its table: missing values, said by the caller.
    }
    match pipeline::inputs_of(feature) {
        Some(inputs) => inputs.iter().filter(|name| !table.has_column(name)).map(|name| name.to_string()).collect(),
        None if table.has_column(feature) => Vec::new(),
        None => vec![feature.to_string()],
    }
}

/// One feature's values, with the unknown labels met.
type FeatureValues = (Vec<f64>, Option<UnknownCategories>);

/// One feature's values, with the unknown labels met; `None` when absent and unused.
fn feature_column(
    table: &ClientTable,
    feature: &FeatureSpec,
    schema: &FeatureSchema,
) -> Result<Option<FeatureValues>, DataError> {
    let name = feature.name.as_str();
    // A derived feature is computed even when a column bears its name.
    if pipeline::inputs_of(name).is_none() && table.has_column(name) {
        if let Some(labels) = feature.labels.as_deref() {
            return Ok(Some(encode_column(table, name, labels)));
        }
        let Some(mut values) = table.numbers_for_model(name)? else {
            return Err(text_for_number(table, name));
        };
        if schema.clean_days_employed && name == "DAYS_EMPLOYED" {
            values.iter_mut().for_each(|value| *value = pipeline::clean_days_employed(*value));
        }
        return Ok(Some((values, None)));
    }
    let Some(inputs) = pipeline::inputs_of(name) else {
        return Ok(None);
    };
    let mut columns = Vec::with_capacity(inputs.len());
    for input in inputs {
        match table.numbers_for_model(input)? {
            Some(values) => columns.push(values),
            None if table.has_column(input) => return Err(text_for_number(table, input)),
            None => return Ok(None),
        }
    }
    let mut row_inputs = vec![0.0; inputs.len()];
    let values = (0..table.n_rows())
        .map(|row| {
            for (slot, column) in row_inputs.iter_mut().zip(&columns) {
                *slot = column[row];
            }
            pipeline::derive(name, &row_inputs).unwrap_or(f64::NAN)
        })
        .collect();
    Ok(Some((values, None)))
}

/// The error for a text column the model reads as a number: its first value, or that it is
/// empty on every row.
fn text_for_number(table: &ClientTable, name: &str) -> DataError {
    let path = table.path().to_path_buf();
    match table.text(name).and_then(|values| values.into_iter().flatten().find(|value| !value.trim().is_empty())) {
        Some(example) => DataError::TextForNumber { path, column: name.to_string(), example },
        None => DataError::EmptyColumn { path, column: name.to_string() },
    }
}

/// Encodes a categorical column; numbers stored in a numeric column are matched too.
fn encode_column(table: &ClientTable, name: &str, labels: &[CategoryLabel]) -> (Vec<f64>, Option<UnknownCategories>) {
    let mut unknown: Option<UnknownCategories> = None;
    let mut values = Vec::with_capacity(table.n_rows());
    // Text labels are looked up by hash; numeric labels (rare) by `encode_label`.
    let codes: std::collections::HashMap<&str, f64> = labels
        .iter()
        .enumerate()
        .filter_map(|(position, label)| match label {
            CategoryLabel::Text(text) => Some((text.as_str(), position as f64)),
            CategoryLabel::Number(_) => None,
        })
        .collect();
    let mut encode = |field: Option<&str>| {
        let code = match field {
            None => f64::NAN,
            Some(field) => match codes.get(field).copied().or_else(|| encode_label(field, labels)) {
                Some(code) => code,
                None => {
                    let entry = unknown.get_or_insert_with(|| UnknownCategories {
                        column: name.to_string(),
                        count: 0,
                        example: field.to_string(),
                    });
                    entry.count += 1;
                    f64::NAN
                }
            },
        };
        values.push(code);
    };
    if !table.for_each_text(name, &mut encode) {
        for value in table.numeric(name).unwrap_or_default() {
            let field = (!value.is_nan()).then(|| value.to_string());
            encode(field.as_deref());
        }
    }
    (values, unknown)
}

/// The label's position in the model's list; `None` for an unknown label.
fn encode_label(field: &str, labels: &[CategoryLabel]) -> Option<f64> {
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
        let numbers = [CategoryLabel::Number(3.0), CategoryLabel::Number(7.0)];
        assert_eq!(encode_label("7.0", &numbers), Some(1.0));
        assert_eq!(encode_label("7", &numbers), Some(1.0));
    }
}
