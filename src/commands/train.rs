//! `pad train`: trains the model (cargo feature `train`), or says how to get the feature.

use anyhow::Result;

use crate::cli::TrainArgs;

#[cfg(not(feature = "train"))]
pub(super) fn run(_args: &TrainArgs, _mlflow: Option<&str>) -> Result<()> {
    anyhow::bail!(
        "pad train needs LightGBM itself, which this build leaves out: rebuild with \
         `cargo build --release --features train` (needs cmake >= 3.28 and libclang-dev, see README)"
    )
}

#[cfg(feature = "train")]
pub(super) fn run(args: &TrainArgs, mlflow: Option<&str>) -> Result<()> {
    use std::io::IsTerminal;

    use crate::evaluation::CostWeights;
    use crate::train::{TrainOptions, protected, train};

    for (name, value) in [("--cost-fn", args.cost_fn), ("--cost-fp", args.cost_fp)] {
        if !(value.is_finite() && value > 0.0) {
            anyhow::bail!("{name} {value} must be a positive number");
        }
    }
    let mut exclude = protected(&crate::data::policy::ReasonPolicy::bundled()?);
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
    // A run to record needs its server before hours of training, not after.
    let tracking = match (&args.experiment, &args.register) {
        (None, None) => None,
        _ => {
            let server = crate::registry::tracking_uri(mlflow).ok_or_else(|| {
                anyhow::anyhow!(
                    "--experiment and --register need an MLflow server: pass --mlflow URL or set MLFLOW_TRACKING_URI"
                )
            })?;
            Some(crate::registry::Tracking::new(&server)?)
        }
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
    if let Some(tracking) = tracking {
        let experiment = args.experiment.clone().unwrap_or_else(|| "pad".to_string());
        let record = tracked::record(args, &options, &report, &experiment)?;
        let recorded = crate::registry::block_on(crate::registry::tracking::record_run(
            &tracking,
            &record,
            args.register.as_deref(),
        ))??;
        eprintln!("recorded MLflow run {} in experiment {experiment} at {}", recorded.run_id, tracking.url());
        if let (Some(name), Some(version)) = (&args.register, &recorded.version) {
            eprintln!(
                "registered models:/{name}/{version} (alias @{}); promote it with `pad models promote {name} {version}`",
                crate::registry::tracking::NEW_VERSION_ALIAS
            );
        }
    }
    Ok(())
}

/// What a training run records in MLflow.
#[cfg(feature = "train")]
mod tracked {
    use anyhow::{Context, Result};

    use crate::charts::{
        Chart, CostCurveChart, CostPoint, DecimalMark, ImportanceBar, ImportanceChart, Marker, render_png,
    };
    use crate::cli::TrainArgs;
    use crate::registry::client::KeyValue;
    use crate::registry::tracking::{MetricPoint, RunRecord};
    use crate::train::{TrainOptions, TrainReport};

    /// The features in the importance chart logged with a run.
    const IMPORTANCE_BARS: usize = 25;

    /// The run: parameters, per-fold and final metrics, tags, the model and its charts.
    pub(super) fn record(
        args: &TrainArgs,
        options: &TrainOptions,
        report: &TrainReport,
        experiment: &str,
    ) -> Result<RunRecord> {
        let model_text = std::fs::read_to_string(&report.model_path)
            .with_context(|| format!("cannot read back {}", report.model_path.display()))?;
        let card_path = crate::config::card_path(&report.model_path);
        let card_text =
            std::fs::read(&card_path).with_context(|| format!("cannot read back {}", card_path.display()))?;
        let card = crate::config::parse_card(&String::from_utf8_lossy(&card_text))
            .map_err(|_| anyhow::anyhow!("the card {} just written cannot be read", card_path.display()))?;
        let card_json: serde_json::Value = serde_json::from_slice(&card_text).unwrap_or_default();

        let pair = |key: &str, value: String| KeyValue { key: key.to_string(), value };
        let mut params = vec![
            pair("data", options.data.display().to_string()),
            pair("folds", options.folds.to_string()),
            pair("seed", options.seed.to_string()),
            pair("cost_fn", options.costs.cost_fn.to_string()),
            pair("cost_fp", options.costs.cost_fp.to_string()),
            pair("excluded", options.exclude.join(",")),
        ];
        if let Some(parameters) = card_json.get("parameters").and_then(serde_json::Value::as_object) {
            for (key, value) in parameters {
                let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
                params.push(pair(&format!("lgbm.{key}"), text));
            }
        }
        let mut metrics = Vec::new();
        for (fold, figures) in report.folds.iter().enumerate() {
            let step = fold as i64 + 1;
            for (key, value) in [
                ("fold_auc", figures.auc),
                ("fold_cost_per_client", figures.cost_per_client),
                ("fold_threshold", figures.threshold),
                ("fold_best_iteration", figures.best_iteration as f64),
            ] {
                metrics.push(MetricPoint { key: key.into(), value, step });
            }
        }
        for (key, value) in [
            ("oof_auc", report.oof_auc),
            ("cost_per_client", report.cost_per_client),
            ("threshold", report.threshold),
            ("n_trees", report.n_trees as f64),
        ] {
            metrics.push(MetricPoint { key: key.into(), value, step: 0 });
        }
        let training = card.training_data.as_ref();
        let mut tags = vec![
            pair("pad.version", env!("CARGO_PKG_VERSION").to_string()),
            pair("pad.model_version", report.model_version.clone()),
            pair("data.sha256", training.and_then(|data| data.sha256.clone()).unwrap_or_default()),
            pair("data.rows", report.outcomes.len().to_string()),
            pair("excluded_columns", options.exclude.join(",")),
            pair("mlflow.source.name", "pad train".to_string()),
            pair("mlflow.source.type", "LOCAL".to_string()),
        ];
        if let Some(commit) = git_commit() {
            tags.push(pair("mlflow.source.git.commit", commit));
        }
        let mut artifacts = vec![("oof_predictions.csv".to_string(), out_of_fold_csv(report).into_bytes())];
        if card.cost_curve.len() >= 2 {
            let chart = Chart::CostCurve(CostCurveChart {
                title: format!(
                    "Cost per client by threshold (cost of a default {}, of a refusal {})",
                    args.cost_fn, args.cost_fp
                ),
                points: card
                    .cost_curve
                    .iter()
                    .map(|(threshold, cost)| CostPoint { threshold: *threshold, cost: *cost })
                    .collect(),
                chosen: Marker {
                    value: report.threshold,
                    label: format!("Chosen threshold {:.1} %", report.threshold * 100.0),
                },
                x_title: "Decision threshold".into(),
                y_title: "Cost per client".into(),
                decimal_mark: DecimalMark::Point,
            });
            artifacts.push(("cost_curve.png".to_string(), render_png(&chart, 1000, 600)?));
        }
        if !report.importance.is_empty() {
            let chart = Chart::Importance(ImportanceChart {
                title: format!(
                    "What the model leans on: mean |contribution| over its {} training clients (top {})",
                    report.outcomes.len(),
                    report.importance.len().min(IMPORTANCE_BARS)
                ),
                bars: report
                    .importance
                    .iter()
                    .take(IMPORTANCE_BARS)
                    .map(|(name, value)| ImportanceBar { label: name.clone(), value: *value })
                    .collect(),
                x_title: "Mean |SHAP contribution| (log-odds)".into(),
                decimal_mark: DecimalMark::Point,
            });
            artifacts.push(("importance.png".to_string(), render_png(&chart, 1000, 800)?));
        }
        let run_name = format!("pad train {}", report.model_version);
        Ok(RunRecord {
            experiment: experiment.to_string(),
            run_name,
            params,
            metrics,
            tags,
            artifacts,
            model_text,
            card: Some(card_text),
        })
    }

    /// `SK_ID_CURR` (when known), TARGET and the out-of-fold probability of each history row.
    fn out_of_fold_csv(report: &TrainReport) -> String {
        let mut text = String::from("SK_ID_CURR,TARGET,oof_probability\n");
        for (row, (probability, outcome)) in report.out_of_fold.iter().zip(&report.outcomes).enumerate() {
            let id = report.ids.as_ref().and_then(|ids| ids.get(row)).map_or(String::new(), |id| id.to_string());
            text.push_str(&format!("{id},{outcome},{probability}\n"));
        }
        text
    }

    /// The commit checked out in the current folder, when it is a git repository.
    fn git_commit() -> Option<String> {
        let output = std::process::Command::new("git").args(["rev-parse", "HEAD"]).output().ok()?;
        let commit = String::from_utf8(output.stdout).ok()?.trim().to_string();
        (output.status.success() && commit.len() == 40).then_some(commit)
    }
}
