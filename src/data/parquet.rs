//! Writing a table of optional texts as a Parquet file, each column stored as the type its
//! caller names (the journal's export, `pad journal export --format parquet`).
//!
//! Uses: polars, and `files` to write the file whole or not at all.

use std::path::{Path, PathBuf};

use polars::prelude::{Column, DataFrame, ParquetWriter, PolarsError};

use crate::files::{AtomicFile, FileError};

/// How the texts of a column are stored; a text that does not read as its type is stored null.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// A 64-bit integer.
    Integer,
    /// A 64-bit float.
    Float,
    /// A boolean: `true` is true, any other text false.
    Boolean,
    /// The text as it is.
    Text,
}

/// Why a Parquet file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// The columns could not be made into a table (their lengths differ).
    #[error("cannot build the Parquet table")]
    Build(#[source] PolarsError),
    /// The file could not be created or put in place.
    #[error(transparent)]
    File(#[from] FileError),
    /// The table could not be written into the file.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What polars reported.
        #[source]
        cause: PolarsError,
    },
}

/// Writes `rows` (one text or null per column of `columns`, in order) to `out` as Parquet, the
/// file replaced whole or not at all.
pub fn write_text_rows(
    columns: &[(&str, ColumnType)],
    rows: &[Vec<Option<String>>],
    out: &Path,
) -> Result<(), ParquetError> {
    let mut built = Vec::with_capacity(columns.len());
    for (index, (name, kind)) in columns.iter().enumerate() {
        let texts = rows.iter().map(|row| row.get(index).and_then(|text| text.as_deref()));
        let column = match kind {
            ColumnType::Integer => {
                let values: Vec<Option<i64>> = texts.map(|text| text.and_then(|text| text.parse().ok())).collect();
                Column::new((*name).into(), values)
            }
            ColumnType::Float => {
                let values: Vec<Option<f64>> = texts.map(|text| text.and_then(|text| text.parse().ok())).collect();
                Column::new((*name).into(), values)
            }
            ColumnType::Boolean => {
                let values: Vec<Option<bool>> = texts.map(|text| text.map(|text| text == "true")).collect();
                Column::new((*name).into(), values)
            }
            ColumnType::Text => {
                let values: Vec<Option<&str>> = texts.collect();
                Column::new((*name).into(), values)
            }
        };
        built.push(column);
    }
    let mut frame = DataFrame::new(rows.len(), built).map_err(ParquetError::Build)?;
    let mut file = AtomicFile::create(out)?;
    ParquetWriter::new(file.file())
        .finish(&mut frame)
        .map_err(|cause| ParquetError::Write { path: out.to_path_buf(), cause })?;
    file.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{ParquetReader, SerReader};

    #[test]
    fn columns_are_stored_as_their_types_and_unreadable_texts_as_null() {
        let folder = tempfile::tempdir().unwrap();
        let out = folder.path().join("events.parquet");
        let columns = [
            ("id", ColumnType::Integer),
            ("probability", ColumnType::Float),
            ("overridden", ColumnType::Boolean),
            ("rm", ColumnType::Text),
        ];
        let text = |value: &str| Some(value.to_string());
        let rows =
            vec![vec![text("1"), text("0.25"), text("true"), text("ana")], vec![text("x"), None, text("false"), None]];
        write_text_rows(&columns, &rows, &out).unwrap();
        let frame = ParquetReader::new(std::fs::File::open(&out).unwrap()).finish().unwrap();
        assert_eq!(frame.height(), 2);
        let ids: Vec<Option<i64>> = frame.column("id").unwrap().i64().unwrap().iter().collect();
        assert_eq!(ids, vec![Some(1), None]);
        let probabilities: Vec<Option<f64>> = frame.column("probability").unwrap().f64().unwrap().iter().collect();
        assert_eq!(probabilities, vec![Some(0.25), None]);
        let overridden: Vec<Option<bool>> = frame.column("overridden").unwrap().bool().unwrap().iter().collect();
        assert_eq!(overridden, vec![Some(true), Some(false)]);
        let rms: Vec<Option<&str>> = frame.column("rm").unwrap().str().unwrap().iter().collect();
        assert_eq!(rms, vec![Some("ana"), None]);
    }
}
