//! `pad predict`: probability of default and decision for every client of a table.

use std::time::Instant;

use anyhow::Result;
use rayon::prelude::*;

use super::output::{Cell, TableWriter};
use crate::cli::PredictArgs;
use crate::config::{ScoringConfig, resolve_threshold};
use crate::data::completeness::Completeness;
use crate::data::{ClientTable, ID_COLUMN};
use crate::domain::{Decision, FeatureSchema, ModelCard};

/// The required fields: the card's, else measured in `--history`, else in the bundled history
/// when it is there (a model trained elsewhere, run outside the package folder, may have none).
fn required_fields(
    args: &PredictArgs,
    schema: &FeatureSchema,
    card: Option<&ModelCard>,
) -> Result<(Completeness, Option<String>)> {
    let history = match &args.history {
        Some(path) => path.clone(),
        None => {
            let bundled = crate::config::bundled("data/history.parquet");
            let listed = card.is_some_and(|card| !card.inputs.is_empty());
            if !listed && !bundled.exists() {
                let note = "the model card lists no required fields and no --history was given: \
                            every application is decided as given"
                    .to_string();
                return Ok((Completeness::default(), Some(note)));
            }
            bundled
        }
    };
    Ok(crate::scoring::completeness_of(schema, card, &history, || ClientTable::load(&history))?)
}

pub(super) fn run(args: &PredictArgs) -> Result<()> {
    let config = ScoringConfig::from_args(&args.scoring)?;
    // A bad --threshold is refused before any file is read.
    resolve_threshold(args.threshold, None, &config.model)?;
    let super::Loaded { model, card, matrix, schema } = super::load(&config)?;
    let (completeness, note) = required_fields(args, &schema, card.as_ref())?;
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
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
    columns.extend(["probability".to_string(), "decision".to_string(), "missing_required".to_string()]);
    let mut writer = TableWriter::create(config.out.as_deref(), config.format, columns)?;
    let mut incomplete = 0;
    let rows = matrix.values().chunks(matrix.n_features().max(1));
    for (index, (probability, row)) in probabilities.iter().zip(rows).enumerate() {
        // An application without a required field gets no decision, only its probability.
        let missing = completeness.missing(row);
        let decision = Decision::of_application(*probability, threshold, &missing);
        incomplete += usize::from(!decision.is_decided());
        let missing = missing.join(";");
        let mut cells = Vec::with_capacity(4);
        if let Some(ids) = ids {
            cells.push(Cell::Id(ids[index]));
        }
        cells.extend([Cell::Number(*probability), Cell::Text(decision.as_str()), Cell::Text(&missing)]);
        writer.write_row(&cells)?;
    }
    if incomplete > 0 {
        eprintln!(
            "warning: {incomplete} of {} application(s) lack required fields: decision INCOMPLETE, the fields in missing_required",
            probabilities.len()
        );
    }
    writer.finish()
}
