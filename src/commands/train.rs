//! `pad train`: trains the model (cargo feature `train`), or says how to get the feature.

use anyhow::Result;

use crate::cli::TrainArgs;

#[cfg(not(feature = "train"))]
pub(super) fn run(_args: &TrainArgs) -> Result<()> {
    anyhow::bail!(
        "pad train needs LightGBM itself, which this build leaves out: rebuild with \
         `cargo build --release --features train` (needs cmake >= 3.28 and libclang-dev, see README)"
    )
}

#[cfg(feature = "train")]
pub(super) fn run(args: &TrainArgs) -> Result<()> {
    use std::io::IsTerminal;

    use crate::evaluation::CostWeights;
    use crate::train::{PROTECTED, TrainOptions, train};

    for (name, value) in [("--cost-fn", args.cost_fn), ("--cost-fp", args.cost_fp)] {
        if !(value.is_finite() && value > 0.0) {
            anyhow::bail!("{name} {value} must be a positive number");
        }
    }
    let mut exclude: Vec<String> = PROTECTED.iter().map(|name| name.to_string()).collect();
    for column in &args.exclude {
        if !exclude.contains(column) {
            exclude.push(column.clone());
        }
    }
    let options = TrainOptions {
        data: crate::config::or_bundled(&args.history, crate::config::DEFAULT_HISTORY),
        out: args.out.clone(),
        folds: args.folds,
        seed: args.seed,
        costs: CostWeights { cost_fn: args.cost_fn, cost_fp: args.cost_fp },
        exclude,
        params: args.params.clone(),
        progress: std::io::stderr().is_terminal(),
        tables: crate::config::tables_for(&args.history, crate::config::BUNDLED_HISTORY_TABLES, &args.tables)?,
    };
    let start = std::time::Instant::now();
    let report = train(&options)?;
    eprintln!(
        "out-of-fold AUC {:.4}, cost per client {:.4} at threshold {:.4}; {} trees; wrote {} ({}) in {:.1} s",
        report.oof_auc,
        report.cost_per_client,
        report.threshold,
        report.n_trees,
        report.model_path.display(),
        report.model_version,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
