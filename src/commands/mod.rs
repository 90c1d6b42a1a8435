//! The subcommands: each turns checked settings into work over the library modules.
//!
//! Top level: errors are `anyhow` with context. Uses: cli, config, model, explain, data, domain, api, tui.

mod dashboard;
mod drift;
mod evidence;
mod explain;
mod fairness;
mod journal;
mod models;
mod output;
mod predict;
mod serve;
mod synth;
mod train;

use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command};
use crate::data::FeatureMatrix;
use crate::domain::ModelCard;
use crate::domain::format::{QUOTE_MAX_CHARS, quote_external};
use crate::model::Model;

/// Exit code of `pad drift` when something drifted, and of `pad fairness` when a bound is crossed.
pub const EXIT_DRIFTED: u8 = 3;

/// Runs the command the user asked for; returns the exit code (0, or [`EXIT_DRIFTED`]).
pub fn run(cli: Cli) -> Result<u8> {
    let done = |result: Result<()>| result.map(|()| 0);
    let mlflow = cli.mlflow.as_deref();
    let mut command = cli.command.unwrap_or(Command::Dashboard(cli.dashboard));
    let resolved = models::resolve_model_uri(&mut command, mlflow)?;
    match command {
        Command::Dashboard(args) => done(dashboard::run(&args, resolved.map(|resolved| resolved.note))),
        Command::Predict(args) => done(predict::run(&args)),
        Command::Explain(args) => done(explain::run(&args)),
        Command::Synth(args) => done(synth::run(&args)),
        Command::Train(args) => done(train::run(&args, mlflow)),
        Command::Drift(args) => drift::run(&args, mlflow),
        Command::Serve(args) => done(serve::run(&args, resolved, mlflow)),
        Command::Models(command) => done(models::run(&command, mlflow)),
        Command::Fairness(args) => fairness::run(&args),
        Command::Journal(args) => journal::run(&args),
        Command::Users(args) => done(journal::users(&args)),
    }
}

/// Writes a report to `out` (else standard output): as pretty JSON when `json`, else as the
/// text `table` gives.
fn emit<T: serde::Serialize>(
    report: &T,
    json: bool,
    table: impl FnOnce() -> String,
    out: Option<&std::path::Path>,
) -> Result<()> {
    let text = if json {
        let mut json = serde_json::to_string_pretty(report).context("cannot write the report as JSON")?;
        json.push('\n');
        json
    } else {
        table()
    };
    match out {
        Some(path) => crate::files::write_atomically(path, text.as_bytes())?,
        None => output::print(&text)?,
    }
    Ok(())
}

/// A model with its card (when one lies beside it) and the clients mapped onto its features.
struct Loaded {
    model: Model,
    card: Option<ModelCard>,
    matrix: FeatureMatrix,
    schema: crate::domain::FeatureSchema,
}

/// Reads the model and its card, then the data mapped onto its features, printing warnings
/// for repaired lines and unknown categories.
fn load(config: &crate::config::ScoringConfig) -> Result<Loaded> {
    let crate::scoring::ModelBundle { model, card, schema } = crate::scoring::ModelBundle::open(&config.model)?;
    let start = std::time::Instant::now();
    let table =
        crate::data::ClientTable::load_with(&config.data, crate::data::history::Role::Applicants, &config.tables)?;
    let matrix = FeatureMatrix::from_table(&table, &schema)?;
    warn_history(&table, &matrix, &config.data);
    drop(table);
    if config.timing {
        report_timing("load", matrix.n_rows(), start.elapsed());
    }
    let data = config.data.display();
    if matrix.repaired_lines() > 0 {
        eprintln!("warning: repaired {} whole-line-quoted rows in {data}", matrix.repaired_lines());
    }
    warn_ignored_columns(&matrix, &config.data);
    for unknown in matrix.unknown_categories() {
        eprintln!(
            "warning: {data}: {} value(s) of `{}` (for example `{}`) are not categories the model knows; \
             they are scored as missing, as LightGBM does",
            unknown.count,
            quote_external(&unknown.column, QUOTE_MAX_CHARS),
            quote_external(&unknown.example, QUOTE_MAX_CHARS)
        );
    }
    Ok(Loaded { model, card, matrix, schema })
}

/// Warns, on standard error, of every column named like a derived feature: ignored, the
/// feature computed from its inputs.
fn warn_ignored_columns(matrix: &FeatureMatrix, path: &std::path::Path) {
    for column in matrix.ignored_columns() {
        if let Some(warning) = crate::data::pipeline::ignored_input_warning(column) {
            eprintln!("warning: {}: {warning}", path.display());
        }
    }
}

/// Warns, on standard error, of what the credit-history tables' load counted and ignored,
/// and once of history tables the model reads but the table came without.
fn warn_history(table: &crate::data::ClientTable, matrix: &FeatureMatrix, path: &std::path::Path) {
    for warning in table.warnings() {
        eprintln!("warning: {warning}");
    }
    if !matrix.missing_history().is_empty() {
        let file = path.display().to_string();
        eprintln!("warning: {}", crate::data::history::missing_tables_warning(&file, matrix.missing_history()));
    }
}

/// A rayon pool with the requested number of threads.
fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = threads {
        builder = builder.num_threads(threads);
    }
    builder.build().context("cannot start worker threads")
}

/// The `--timing` line: `explain: 4874 rows in 0.091 s (53560 rows/s)`.
fn report_timing(step: &str, rows: usize, elapsed: Duration) {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 { rows as f64 / seconds } else { f64::INFINITY };
    eprintln!("{step}: {rows} rows in {seconds:.3} s ({rate:.0} rows/s)");
}
