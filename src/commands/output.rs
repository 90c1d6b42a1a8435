//! Writing result tables as CSV or JSON, to a file or standard output.
//!
//! Numbers are written with full round-trip precision (Rust's shortest representation that
//! reads back to the same f64). A file is written through [`AtomicFile`]: beside its target,
//! renamed into place only when complete, so a failed run never leaves a truncated result
//! behind, and only a regular file is replaced.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::Format;
use crate::files::AtomicFile;

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
    file: Option<AtomicFile>,
}

enum Sink {
    Csv(Box<csv::Writer<Box<dyn Write>>>),
    Json(BufWriter<Box<dyn Write>>),
}

impl TableWriter {
    /// Opens the destination (`None` = standard output) and writes the header.
    pub fn create(out: Option<&Path>, format: Format, columns: Vec<String>) -> Result<TableWriter> {
        let (destination, file): (Box<dyn Write>, _) = match out {
            None => (Box::new(std::io::stdout().lock()), None),
            Some(path) => {
                let file = AtomicFile::create(path)?;
                (Box::new(file.handle()?), Some(file))
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
        Ok(TableWriter { columns, sink, rows: 0, file })
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

    /// Completes the output and, for a file, moves it into place (an unfinished file is
    /// removed when the writer is dropped).
    pub fn finish(mut self) -> Result<()> {
        let target = self.file.as_ref().map(|file| file.target().display().to_string());
        let flushed = match &mut self.sink {
            Sink::Csv(csv) => csv.flush(),
            Sink::Json(json) => json.write_all(b"\n]\n").and_then(|()| json.flush()),
        };
        flushed.with_context(|| format!("cannot write {}", target.as_deref().unwrap_or("to standard output")))?;
        if let Some(file) = self.file.take() {
            file.commit()?;
        }
        Ok(())
    }
}

/// Writes `text` to standard output; a closed pipe or a full disk is an error for `main` to
/// report (a closed pipe quietly).
pub fn print(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).context("cannot write to standard output")
}
