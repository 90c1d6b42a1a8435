//! Writing result tables as CSV or JSON, to a file or standard output.
//!
//! Numbers are written with full round-trip precision (Rust's shortest representation that
//! reads back to the same f64). A file is written beside its target and renamed into place
//! only when complete, so a failed run never leaves a truncated result behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::Format;

/// One cell of a result row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    /// A client id.
    Id(i64),
    /// A number; NaN is written `NaN` in CSV and `null` in JSON.
    Number(f64),
    /// A word such as a decision.
    Text(&'a str),
}

/// Streams rows to the chosen format and destination.
pub struct TableWriter {
    columns: Vec<String>,
    sink: Sink,
    rows: usize,
    partial: Option<(PathBuf, PathBuf)>,
}

enum Sink {
    Csv(Box<csv::Writer<Box<dyn Write>>>),
    Json(BufWriter<Box<dyn Write>>),
}

impl TableWriter {
    /// Opens the destination (`None` = standard output) and writes the header.
    pub fn create(out: Option<&Path>, format: Format, columns: Vec<String>) -> Result<TableWriter> {
        let (destination, partial): (Box<dyn Write>, _) = match out {
            None => (Box::new(std::io::stdout().lock()), None),
            Some(path) => {
                let partial = partial_path(path);
                let file = File::create(&partial)
                    .with_context(|| format!("cannot create the output file {}", partial.display()))?;
                (Box::new(file), Some((partial, path.to_path_buf())))
            }
        };
        let sink = match format {
            Format::Csv => {
                let mut csv = csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(destination);
                csv.write_record(&columns)?;
                Sink::Csv(Box::new(csv))
            }
            Format::Json => {
                let mut json = BufWriter::with_capacity(1 << 16, destination);
                json.write_all(b"[")?;
                Sink::Json(json)
            }
        };
        Ok(TableWriter { columns, sink, rows: 0, partial })
    }

    /// Writes one row; `cells` follow the columns given at creation.
    pub fn write_row(&mut self, cells: &[Cell<'_>]) -> Result<()> {
        match &mut self.sink {
            Sink::Csv(csv) => {
                for cell in cells {
                    match cell {
                        Cell::Id(id) => csv.write_field(id.to_string())?,
                        Cell::Text(text) => csv.write_field(text)?,
                        Cell::Number(value) => csv.write_field(format!("{value:?}"))?,
                    }
                }
                csv.write_record(None::<&[u8]>)?;
            }
            Sink::Json(json) => {
                let mut object = serde_json::Map::with_capacity(cells.len());
                for (column, cell) in self.columns.iter().zip(cells) {
                    let value = match cell {
                        Cell::Id(id) => serde_json::Value::from(*id),
                        Cell::Text(text) => serde_json::Value::from(*text),
                        Cell::Number(value) => serde_json::Number::from_f64(*value)
                            .map_or(serde_json::Value::Null, serde_json::Value::Number),
                    };
                    object.insert(column.clone(), value);
                }
                json.write_all(if self.rows == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *json, &object)?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Completes the output and, for a file, moves it into place.
    pub fn finish(mut self) -> Result<()> {
        match &mut self.sink {
            Sink::Csv(csv) => csv.flush()?,
            Sink::Json(json) => {
                json.write_all(b"\n]\n")?;
                json.flush()?;
            }
        }
        if let Some((partial, target)) = self.partial.take() {
            std::fs::rename(&partial, &target)
                .with_context(|| format!("cannot move {} to {}", partial.display(), target.display()))?;
        }
        Ok(())
    }
}

impl Drop for TableWriter {
    fn drop(&mut self) {
        // An unfinished file is removed rather than left half-written; nothing to report.
        if let Some((partial, _)) = self.partial.take() {
            let _ = std::fs::remove_file(partial);
        }
    }
}

/// Writes `bytes` to `path` through a `.partial` file beside it, renamed into place once
/// complete, so that a failed run never leaves a truncated file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let partial = partial_path(path);
    std::fs::write(&partial, bytes).with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot move {} to {}", partial.display(), path.display()))
}

/// Where a file is written before it is renamed into place: `name.partial` beside it.
fn partial_path(path: &Path) -> PathBuf {
    let mut partial_name = path.file_name().map(|name| name.to_os_string()).unwrap_or_default();
    partial_name.push(".partial");
    path.with_file_name(partial_name)
}
