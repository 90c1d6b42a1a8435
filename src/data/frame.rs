//! Typed frames: a table's CSV text or Parquet file read with the column types its layout
//! gives, and a refused CSV file scanned again to name the line and column that is wrong.
//! Used by the application table ([`super::table`]) and the history tables
//! ([`super::history`]).

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;

use super::DataError;
use super::csv_source::CsvText;
use super::schema::ColumnKind;

/// How a table's columns are typed: the kind of a column, `None` for a column outside the
/// table's layout (kept, as text in a CSV file).
pub type KindOf = fn(&str) -> Option<ColumnKind>;

/// The polars type of a column kind: text for a column outside the layout.
fn dtype_with(kind: Option<ColumnKind>) -> DataType {
    match kind {
        Some(ColumnKind::Id | ColumnKind::Target | ColumnKind::Integer) => DataType::Int64,
        Some(ColumnKind::Float) => DataType::Float64,
        Some(ColumnKind::Text) | None => DataType::String,
    }
}

/// Reads repaired CSV text with the types `kind_of` gives; a refused file is scanned again
/// to name the line and column that is wrong.
pub fn read_csv_frame(csv: &CsvText, kind_of: KindOf) -> Result<DataFrame, DataError> {
    let header = csv.header()?;
    if let Some(line) = csv.blank_line() {
        return Err(DataError::BlankLine { path: csv.path().to_path_buf(), line });
    }
    check_field_counts(csv, header.len())?;
    let schema: Schema =
        header.iter().map(|name| Field::new(name.as_str().into(), dtype_with(kind_of(name)))).collect();
    let reader = CsvReadOptions::default()
        .with_has_header(true)
        .with_schema(Some(Arc::new(schema)))
        .with_raise_if_empty(false)
        .with_n_threads(None)
        .into_reader_with_file_handle(Cursor::new(csv.text().as_bytes()));
    match super::contain::contained(csv.path(), || reader.finish())? {
        Ok(frame) => Ok(frame),
        // Say which line is wrong; polars' own message is the fallback.
        Err(error) => Err(locate_csv_error(csv, &header, kind_of)
            .unwrap_or_else(|| DataError::Unreadable { path: csv.path().to_path_buf(), message: error.to_string() })),
    }
}

/// Reads a Parquet file and checks its column types against those `kind_of` gives.
pub fn read_parquet_frame(path: &Path, kind_of: KindOf) -> Result<DataFrame, DataError> {
    let file = std::fs::File::open(path).map_err(|cause| DataError::Read { path: path.to_path_buf(), cause })?;
    // polars-parquet 0.55 panics on some damaged files rather than returning an error (a
    // flipped bit in the footer: "thrift bool field"; in a data page: "assertion failed:
    // num_values <= values.len()", on one of its decoding threads): the read is contained.
    let frame = super::contain::contained(path, || ParquetReader::new(file).finish())?.map_err(|error| {
        DataError::Unreadable { path: path.to_path_buf(), message: format!("not a readable Parquet file: {error}") }
    })?;
    let mut columns = Vec::with_capacity(frame.width());
    for column in frame.columns() {
        let name = column.name().to_string();
        let kind = kind_of(&name);
        let wanted = dtype_with(kind);
        let found = column.dtype();
        let compatible = match (&wanted, found) {
            (DataType::String, DataType::String) => true,
            (DataType::String, _) => kind.is_none(),
            (_, found) => found.is_primitive_numeric() || found.is_bool() || found.is_null(),
        };
        if !compatible {
            return Err(DataError::ColumnType {
                path: path.to_path_buf(),
                column: name,
                expected: describe(&wanted),
                found: found.to_string(),
            });
        }
        let converted = if kind.is_none() && found != &DataType::String {
            column.clone()
        } else {
            column
                .cast(&wanted)
                .map_err(|error| DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() })?
        };
        // A float column read into an integer column must hold whole numbers only.
        if wanted == DataType::Int64 && found.is_float() {
            let lossless = column.cast(&DataType::Float64).ok().and_then(|c| c.f64().ok().cloned());
            if let Some(values) = lossless
                && let Some(row) = values.iter().position(|v| v.is_some_and(|v| v.fract() != 0.0))
            {
                return Err(DataError::ParquetValue {
                    path: path.to_path_buf(),
                    row: row + 1,
                    column: name,
                    message: "holds a fraction where the schema has a whole number".into(),
                });
            }
        }
        columns.push(converted);
    }
    DataFrame::new(frame.height(), columns)
        .map_err(|error| DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() })
}

/// "line N" of a CSV row index (found by scanning the text), else "row N".
pub fn csv_location(csv: &CsvText, row: usize) -> String {
    match csv.reader().records().nth(row).and_then(|record| record.ok()) {
        Some(record) => format!("line {}", csv.line_of(record.position())),
        None => format!("row {}", row + 1),
    }
}

fn describe(dtype: &DataType) -> String {
    match dtype {
        DataType::Int64 => "whole numbers".into(),
        DataType::Float64 => "numbers".into(),
        DataType::String => "text".into(),
        other => other.to_string(),
    }
}

/// Every row must have as many fields as the header (polars would pad a short row with
/// missing values). One fast pass over the raw bytes.
fn check_field_counts(csv: &CsvText, expected: usize) -> Result<(), DataError> {
    let mut reader = csv.reader();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) if record.len() == expected => {}
            Ok(true) => {
                let line = csv.line_of(record.position());
                return Err(DataError::FieldCount {
                    path: csv.path().to_path_buf(),
                    line,
                    expected,
                    found: record.len(),
                });
            }
            Err(error) => return Err(csv.syntax_error(&error)),
        }
    }
}

/// Scans the rows with a strict reader to find the first line polars could not parse.
fn locate_csv_error(csv: &CsvText, header: &[String], kind_of: KindOf) -> Option<DataError> {
    let kinds: Vec<DataType> = header.iter().map(|name| dtype_with(kind_of(name))).collect();
    for record in csv.reader().records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => return Some(csv.syntax_error(&error)),
        };
        let line = csv.line_of(record.position());
        if record.len() != header.len() {
            return Some(DataError::FieldCount {
                path: csv.path().to_path_buf(),
                line,
                expected: header.len(),
                found: record.len(),
            });
        }
        for ((field, kind), name) in record.iter().zip(&kinds).zip(header) {
            // Polars skips leading whitespace only: "5 " is refused, and must be located here.
            let field = field.trim_start();
            let expected = match kind {
                _ if field.is_empty() => None,
                DataType::Int64 => field.parse::<i64>().is_err().then_some("a whole number"),
                DataType::Float64 => field.parse::<f64>().is_err().then_some("a number"),
                _ => None,
            };
            let digits = field.trim_end().strip_prefix(['-', '+']).unwrap_or(field.trim_end());
            if expected.is_some() && *kind == DataType::Int64 && digits.bytes().all(|byte| byte.is_ascii_digit()) {
                return Some(DataError::OutOfRange {
                    path: csv.path().to_path_buf(),
                    location: format!("line {line}"),
                    column: name.clone(),
                    value: field.to_string(),
                });
            }
            if let Some(expected) = expected {
                return Some(DataError::NotNumeric {
                    path: csv.path().to_path_buf(),
                    location: format!("line {line}"),
                    column: name.clone(),
                    value: field.to_string(),
                    expected,
                });
            }
        }
    }
    None
}
