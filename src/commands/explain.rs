//! `pad explain`: TreeSHAP contributions of every feature for every client, in log-odds.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::output::{Cell, TableWriter};
use crate::cli::{ExplainArgs, ExplainMethod};
use crate::config::ScoringConfig;
use crate::data::ID_COLUMN;
use crate::explain::{Explainer, Method, Scratch};
use crate::scoring::{LocalScorer, LocalSources, Scorer};

/// Rows handed to a worker at a time.
const ROWS_PER_TASK: usize = 256;

pub(super) fn run(args: &ExplainArgs) -> Result<()> {
    if let (Some(id), Some(folder)) = (args.id, &args.report) {
        return report(args, id, folder);
    }
    let config = ScoringConfig::from_args(&args.scoring)?;
    let super::Loaded { model, matrix, .. } = super::load(&config)?;
    if let Some(clash) = model.feature_names().iter().find(|name| *name == ID_COLUMN || *name == "expected_value") {
        anyhow::bail!(
            "{}: the model has a feature named `{clash}`, which clashes with an output column of the same name",
            config.model.display()
        );
    }
    let matrix = match args.id {
        Some(id) => matrix.only(id).with_context(|| format!("{}: no client with id {id}", config.data.display()))?,
        None => matrix,
    };
    let model = Arc::new(model);
    let pool = super::thread_pool(config.threads)?;
    let method = match args.method {
        ExplainMethod::Fast => Method::Fast,
        ExplainMethod::Exact => Method::Exact,
    };

    let start = Instant::now();
    let explainer = Explainer::new(Arc::clone(&model), method)
        .with_context(|| format!("cannot explain with {}", config.model.display()))?;
    let n_features = model.n_features();
    let mut contributions = vec![0.0; matrix.n_rows() * n_features];
    // Blocks of rows go to the worker threads; each block is explained tree by tree.
    let block = ROWS_PER_TASK * n_features.max(1);
    pool.install(|| {
        contributions
            .par_chunks_mut(block)
            .zip(matrix.values().par_chunks(block))
            .try_for_each_init(Scratch::default, |scratch, (phi, rows)| explainer.explain_rows(rows, scratch, phi))
    })?;
    if config.timing {
        super::report_timing("explain", matrix.n_rows(), start.elapsed());
    }

    let ids = matrix.ids();
    let mut columns = Vec::with_capacity(n_features + 2);
    if ids.is_some() {
        columns.push(ID_COLUMN.to_string());
    }
    columns.extend(model.feature_names().iter().cloned());
    columns.push("expected_value".to_string());
    let mut writer = TableWriter::create(config.out.as_deref(), config.format, columns)?;
    let mut cells = Vec::with_capacity(n_features + 2);
    for index in 0..matrix.n_rows() {
        cells.clear();
        if let Some(ids) = ids {
            cells.push(Cell::Id(ids[index]));
        }
        let phi = &contributions[index * n_features..(index + 1) * n_features];
        cells.extend(phi.iter().map(|value| Cell::Number(*value)));
        cells.push(Cell::Number(explainer.expected_value()));
        writer.write_row(&cells)?;
    }
    writer.finish()
}

/// `pad explain --id N --report DIR`: the customer sheet of one client.
fn report(args: &ExplainArgs, id: i64, folder: &std::path::Path) -> Result<()> {
    if let Some(value) = args.threshold
        && crate::domain::Threshold::new(value).is_none()
    {
        anyhow::bail!("--threshold {value} is not a probability between 0 and 1");
    }
    let config = ScoringConfig::from_args(&args.scoring)?;
    let sources = LocalSources {
        model: config.model,
        applicants: config.data.clone(),
        history: crate::config::or_bundled(&args.history, crate::config::DEFAULT_HISTORY),
        threshold: args.threshold,
        applicant_tables: config.tables.clone(),
        history_tables: crate::config::tables_for(
            &args.history,
            crate::config::BUNDLED_HISTORY_TABLES,
            &args.scoring.tables,
        )?,
    };
    let scorer = LocalScorer::load(&sources)?;
    for warning in &scorer.info().warnings {
        eprintln!("warning: {warning}");
    }
    let explanation = scorer.explain(id).with_context(|| format!("{}", config.data.display()))?;
    let counterfactual = scorer.counterfactual(id)?;
    let record = scorer.client(id)?;
    let sheet = crate::export::Sheet {
        review: None,
        explanation: &explanation,
        counterfactual: Some(&counterfactual),
        record: Some(&record),
        features: &scorer.info().features,
        model_version: &scorer.info().model_version,
        policy_version: &scorer.info().policy_version,
        language: crate::config::language(args.lang),
    };
    let paths = crate::export::write(&sheet, folder).with_context(|| format!("cannot export client {id}"))?;
    let listed: String = paths.iter().map(|path| format!("{}\n", path.display())).collect();
    super::output::print(&listed)
}
