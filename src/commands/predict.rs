//! `pad predict`: probability of default and decision for every client of a table.

use std::time::Instant;

use anyhow::Result;
use rayon::prelude::*;

use super::output::{Cell, TableWriter};
use crate::cli::PredictArgs;
use crate::config::{ScoringConfig, resolve_threshold};
use crate::data::ID_COLUMN;
use crate::domain::Decision;

pub(super) fn run(args: &PredictArgs) -> Result<()> {
    let config = ScoringConfig::from_args(&args.scoring)?;
    // A bad --threshold is refused before any file is read.
    resolve_threshold(args.threshold, None, &config.model)?;
    let super::Loaded { model, card, matrix } = super::load(&config)?;
    let (threshold, source) = resolve_threshold(args.threshold, card.as_ref(), &config.model)?;
    if let Some(note) = source.default_note(&config.model) {
        eprintln!("{note}");
    }
    let pool = super::thread_pool(config.threads)?;

    let start = Instant::now();
    let probabilities: Vec<f64> = pool.install(|| {
        matrix
            .values()
            .par_chunks(matrix.n_features().max(1))
            .map(|row| model.predict_probability(row))
            .collect::<Result<Vec<f64>, _>>()
    })?;
    if config.timing {
        super::report_timing("predict", probabilities.len(), start.elapsed());
    }

    let ids = matrix.ids();
    let mut columns = Vec::with_capacity(3);
    if ids.is_some() {
        columns.push(ID_COLUMN.to_string());
    }
    columns.extend(["probability".to_string(), "decision".to_string()]);
    let mut writer = TableWriter::create(config.out.as_deref(), config.format, columns)?;
    let mut cells = Vec::with_capacity(3);
    for (index, probability) in probabilities.iter().enumerate() {
        cells.clear();
        if let Some(ids) = ids {
            cells.push(Cell::Id(ids[index]));
        }
        cells.push(Cell::Number(*probability));
        cells.push(Cell::Text(Decision::from_probability(*probability, threshold).as_str()));
        writer.write_row(&cells)?;
    }
    writer.finish()
}
