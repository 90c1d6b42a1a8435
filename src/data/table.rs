//! Client tables read with polars: CSV or Parquet, typed by the Kaggle schema, checked.
//!
//! CSV files are repaired first (whole-line-quoted rows, see [`super::csv_source`]) and then
//! parsed by polars with the Kaggle types, not types guessed from the file. If polars refuses
//! a file, the rows are scanned again one by one to say which line and column is wrong,
//! so that no row is ever dropped silently. Parquet files are read as they are and their
//! column types checked against the schema. Columns outside the schema are kept (as text in a
//! CSV file) for display.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::*;

use super::DataError;
use super::csv_source::CsvText;
use super::frame::{csv_location, read_csv_frame, read_parquet_frame};
use super::history::{CreditHistory, HistoryFiles, HistoryKind, Role, aggregates, application_in};
use super::schema::{ID_COLUMN, TARGET_COLUMN, column_kind};

/// Where a table came from, to locate rows in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Csv,
    Parquet,
}

/// A client table with the Kaggle column types and unique client ids.
#[derive(Debug, Clone)]
pub struct ClientTable {
    path: PathBuf,
    origin: Origin,
    frame: DataFrame,
    ids: Option<Vec<i64>>,
    repaired_lines: usize,
    history: Option<Arc<CreditHistory>>,
    warnings: Vec<String>,
}

impl ClientTable {
    /// Reads a CSV or Parquet file (chosen by the `.parquet` extension), or a folder in
    /// Kaggle's layout with its history tables (`application_train` when it holds both).
    pub fn load(path: &Path) -> Result<ClientTable, DataError> {
        ClientTable::load_with(path, Role::History, &HistoryFiles::default())
    }

    /// Reads a client table (a file, or a folder in Kaggle's layout whose application table
    /// is chosen by `role`) with the history tables of the folder and `more`, and adds the
    /// history features of the tables given ([`aggregates`]).
    pub fn load_with(path: &Path, role: Role, more: &HistoryFiles) -> Result<ClientTable, DataError> {
        let (application, files) = if path.is_dir() {
            (application_in(path, role)?, HistoryFiles::in_folder(path)?.merged(more)?)
        } else {
            (path.to_path_buf(), more.clone())
        };
        let mut table = ClientTable::load_file(&application)?;
        if !files.is_empty() {
            table.attach(&files)?;
        }
        Ok(table)
    }

    /// Reads the history tables of this table's clients and adds their features as columns;
    /// a column already named like one is replaced, with a warning.
    fn attach(&mut self, files: &HistoryFiles) -> Result<(), DataError> {
        let Some(ids) = self.ids.clone() else {
            return Err(DataError::MissingColumns { path: self.path.clone(), columns: vec![ID_COLUMN.to_string()] });
        };
        let history = CreditHistory::load(files, &ids, &self.path)?;
        let name =
            self.path.file_name().map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into());
        for (feature, values) in aggregates::per_client(&history, &ids, &self.path)? {
            if self.has_column(feature) {
                self.warnings.push(format!(
                    "{name}: `{feature}` is computed from the history tables: the value given for it is ignored"
                ));
            }
            self.frame
                .with_column(Column::new(feature.into(), values))
                .map_err(|error| DataError::Unreadable { path: self.path.clone(), message: error.to_string() })?;
        }
        self.warnings.extend(history.warnings().iter().cloned());
        self.history = Some(Arc::new(history));
        Ok(())
    }

    /// The history tables read with this table, when any was given.
    pub fn history(&self) -> Option<&Arc<CreditHistory>> {
        self.history.as_ref()
    }

    /// Whether a history table was given with this table.
    pub fn has_history(&self, kind: HistoryKind) -> bool {
        self.history.as_ref().is_some_and(|history| history.has(kind))
    }

    /// Warnings of the load to show the user (history rows counted and ignored, columns
    /// replaced by computed features).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Reads one CSV or Parquet file (chosen by the `.parquet` extension).
    pub fn load_file(path: &Path) -> Result<ClientTable, DataError> {
        let is_parquet = path.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("parquet"));
        if is_parquet { ClientTable::load_parquet(path) } else { ClientTable::load_csv(&CsvText::from_path(path)?) }
    }

    /// Parses repaired CSV text.
    pub fn load_csv(csv: &CsvText) -> Result<ClientTable, DataError> {
        let frame = read_csv_frame(csv, column_kind)?;
        ClientTable::checked(csv.path(), Origin::Csv, frame, csv.repaired_lines(), Some(csv))
    }

    /// Reads a Parquet file and checks its column types against the schema.
    pub fn load_parquet(path: &Path) -> Result<ClientTable, DataError> {
        let frame = read_parquet_frame(path, column_kind)?;
        ClientTable::checked(path, Origin::Parquet, frame, 0, None)
    }

    /// Checks the ids (present, unique) and builds the table.
    fn checked(
        path: &Path,
        origin: Origin,
        frame: DataFrame,
        repaired_lines: usize,
        csv: Option<&CsvText>,
    ) -> Result<ClientTable, DataError> {
        let mut table = ClientTable {
            path: path.to_path_buf(),
            origin,
            frame,
            ids: None,
            repaired_lines,
            history: None,
            warnings: Vec::new(),
        };
        let Ok(column) = table.frame.column(ID_COLUMN) else {
            return Ok(table);
        };
        let values = column
            .i64()
            .map_err(|error| DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() })?;
        let mut ids = Vec::with_capacity(values.len());
        for (row, id) in values.iter().enumerate() {
            match id {
                Some(id) => ids.push(id),
                None => {
                    return Err(DataError::MissingId { path: path.to_path_buf(), location: table.locate(row, csv) });
                }
            }
        }
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&row| (ids[row], row));
        for pair in order.windows(2) {
            if ids[pair[0]] == ids[pair[1]] {
                return Err(DataError::DuplicateId {
                    path: path.to_path_buf(),
                    id: ids[pair[0]],
                    first: table.locate(pair[0], csv),
                    second: table.locate(pair[1], csv),
                });
            }
        }
        table.ids = Some(ids);
        Ok(table)
    }

    /// "line N" for a CSV row (found by scanning the text), "row N" for Parquet.
    fn locate(&self, row: usize, csv: Option<&CsvText>) -> String {
        match (&self.origin, csv) {
            (Origin::Csv, Some(csv)) => csv_location(csv, row),
            _ => format!("row {}", row + 1),
        }
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of clients.
    pub fn n_rows(&self) -> usize {
        self.frame.height()
    }

    /// Column names in file order.
    pub fn column_names(&self) -> Vec<String> {
        self.frame.get_column_names().iter().map(|name| name.to_string()).collect()
    }

    /// Whether the table has a column of that name.
    pub fn has_column(&self, name: &str) -> bool {
        self.frame.column(name).is_ok()
    }

    /// Whether the table holds outcomes (`TARGET`), as a history does.
    pub fn has_target(&self) -> bool {
        self.has_column(TARGET_COLUMN)
    }

    /// The client ids, when the table has an `SK_ID_CURR` column.
    pub fn ids(&self) -> Option<&[i64]> {
        self.ids.as_deref()
    }

    /// Whole-line-quoted rows repaired while reading.
    pub fn repaired_lines(&self) -> usize {
        self.repaired_lines
    }

    /// A column as numbers for a model: numeric columns as they are, and text columns outside
    /// the Kaggle schema parsed field by field (a field that is not a number is an error
    /// naming its line). `Ok(None)` when the column is absent or a Kaggle text column.
    pub fn numbers_for_model(&self, name: &str) -> Result<Option<Vec<f64>>, DataError> {
        if let Some(values) = self.numeric(name) {
            return Ok(Some(values));
        }
        if column_kind(name).is_some() {
            return Ok(None);
        }
        let Some(fields) = self.text(name) else {
            return Ok(None);
        };
        let mut values = Vec::with_capacity(fields.len());
        for (row, field) in fields.iter().enumerate() {
            let value = match field.as_deref().map(str::trim) {
                None | Some("") => f64::NAN,
                Some(text) => text.parse::<f64>().map_err(|_| DataError::NotNumeric {
                    path: self.path.clone(),
                    location: self.location(row),
                    column: name.to_string(),
                    value: text.to_string(),
                    expected: "a number",
                })?,
            };
            values.push(value);
        }
        Ok(Some(values))
    }

    /// A numeric column as f64, missing values as NaN; `None` if absent or text.
    pub fn numeric(&self, name: &str) -> Option<Vec<f64>> {
        let column = self.frame.column(name).ok()?;
        if column.dtype() == &DataType::String {
            return None;
        }
        let values = column.cast(&DataType::Float64).ok()?;
        let values = values.f64().ok()?;
        Some(values.iter().map(|value| value.unwrap_or(f64::NAN)).collect())
    }

    /// A text column, missing values as `None`; `None` if absent or not text.
    pub fn text(&self, name: &str) -> Option<Vec<Option<String>>> {
        let column = self.frame.column(name).ok()?;
        let values = column.str().ok()?;
        Some(values.iter().map(|value| value.map(str::to_string)).collect())
    }

    /// Visits every value of a text column in row order without copying it; false if the
    /// column is absent or not text.
    pub fn for_each_text(&self, name: &str, mut visit: impl FnMut(Option<&str>)) -> bool {
        let Some(values) = self.frame.column(name).ok().and_then(|column| column.str().ok()) else {
            return false;
        };
        values.iter().for_each(&mut visit);
        true
    }

    /// Whether a column holds text.
    pub fn is_text(&self, name: &str) -> bool {
        self.frame.column(name).is_ok_and(|column| column.dtype() == &DataType::String)
    }

    /// The line (CSV) or row (Parquet) of a row index, for messages.
    pub fn location(&self, row: usize) -> String {
        match self.origin {
            Origin::Csv => match CsvText::from_path(&self.path) {
                Ok(csv) => self.locate(row, Some(&csv)),
                Err(_) => format!("row {}", row + 1),
            },
            Origin::Parquet => format!("row {}", row + 1),
        }
    }
}
