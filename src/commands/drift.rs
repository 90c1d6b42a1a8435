//! `pad drift`: the reference and current populations through the model's feature pipeline,
//! compared feature by feature; a table or JSON, an optional HTML report, and exit code 3 when
//! something drifted.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::{DriftArgs, DriftFormat};
use crate::config::{DEFAULT_MODEL, resolve_threshold};
use crate::data::FeatureMatrix;
use crate::data::labels::Labels;
use crate::data::policy::ReasonPolicy;
use crate::domain::format::{Language, QUOTE_MAX_CHARS, format_percent, quote_external};
use crate::drift::{DriftContext, DriftReport, RULE, compare, format_p_value};
use crate::explain::{Explainer, Method};
use crate::scoring::{ModelBundle, describe_features};

pub(super) fn run(args: &DriftArgs, mlflow: Option<&str>) -> Result<u8> {
    resolve_threshold(args.threshold, None, Path::new(DEFAULT_MODEL))?;
    let model_path = crate::config::or_bundled(&args.model, DEFAULT_MODEL);
    let start = Instant::now();
    let ModelBundle { model, card, schema } = ModelBundle::open(&model_path)?;
    let (threshold, _) = resolve_threshold(args.threshold, card.as_ref(), &model_path)?;
    let features = describe_features(&model, &schema, card.as_ref(), &Labels::bundled()?, &ReasonPolicy::bundled()?);
    let load = |path: &Path, role, tables: &crate::data::history::HistoryFiles| -> Result<FeatureMatrix> {
        let table = crate::data::ClientTable::load_with(path, role, tables)?;
        let matrix = FeatureMatrix::from_table(&table, &schema)?;
        super::warn_history(&table, &matrix, path);
        if matrix.repaired_lines() > 0 {
            eprintln!("warning: repaired {} whole-line-quoted rows in {}", matrix.repaired_lines(), path.display());
        }
        super::warn_ignored_columns(&matrix, path);
        for unknown in matrix.unknown_categories() {
            eprintln!(
                "warning: {}: {} value(s) of `{}` (for example `{}`) are not categories the model knows; \
                 they count as missing",
                path.display(),
                unknown.count,
                quote_external(&unknown.column, QUOTE_MAX_CHARS),
                quote_external(&unknown.example, QUOTE_MAX_CHARS)
            );
        }
        Ok(matrix)
    };
    let history_tables = crate::config::tables_for(&args.history, crate::config::BUNDLED_HISTORY_TABLES, &args.tables)?;
    let data_tables = crate::config::tables_for(&args.data, crate::config::BUNDLED_APPLICANT_TABLES, &args.tables)?;
    let history = crate::config::or_bundled(&args.history, crate::config::DEFAULT_HISTORY);
    let data = crate::config::or_bundled(&args.data, crate::config::DEFAULT_DATA);
    let reference = load(&history, crate::data::history::Role::History, &history_tables)
        .context("cannot read the reference population (--history)")?;
    let current = load(&data, crate::data::history::Role::Applicants, &data_tables)
        .context("cannot read the current population (--data)")?;
    let loaded = start.elapsed();
    let explainer = Explainer::new(Arc::new(model), Method::Fast)?;
    let context = DriftContext { explainer: &explainer, features: &features, threshold };
    let report = compare(&context, &reference, &current)
        .with_context(|| format!("cannot compare {} with {}", data.display(), history.display()))?;
    let compared = start.elapsed() - loaded;
    let version = card
        .as_ref()
        .and_then(|card| card.model_version.as_deref())
        .map_or_else(|| "no card".into(), |version| quote_external(version, crate::scoring::MODEL_VERSION_MAX_CHARS));
    super::emit(&report, args.format == DriftFormat::Json, || table(&report, &version), args.out.as_deref())?;
    if let Some(path) = &args.report {
        let html = crate::drift::report::html(&report, &version);
        crate::files::write_atomically(path, html.as_bytes())?;
        eprintln!("report written to {}", path.display());
    }
    if args.run.is_some() || args.experiment.is_some() {
        let run_id = log_to_mlflow(args, mlflow, &report, &version)?;
        eprintln!("drift logged to MLflow run {run_id}");
    }
    if args.timing {
        eprintln!("load: {:.3} s ({} + {} rows)", loaded.as_secs_f64(), reference.n_rows(), current.n_rows());
        eprintln!("compare: {:.3} s ({} features and the score)", compared.as_secs_f64(), report.features.len());
    }
    Ok(if report.drifted() { super::EXIT_DRIFTED } else { 0 })
}

/// Logs the comparison to MLflow: `psi.FEATURE` per feature, the score's figures and verdict
/// counts as metrics, the HTML report as `drift_report.html`.
fn log_to_mlflow(args: &DriftArgs, mlflow: Option<&str>, report: &DriftReport, version: &str) -> Result<String> {
    use crate::registry::tracking::{MetricPoint, record_monitoring};
    let server = crate::registry::tracking_uri(mlflow)
        .context("--run and --experiment need an MLflow server: pass --mlflow URL or set MLFLOW_TRACKING_URI")?;
    let tracking = crate::registry::Tracking::new(&server)?;
    let point = |key: String, value: f64| MetricPoint { key, value, step: 0 };
    let mut metrics: Vec<MetricPoint> =
        report.features.iter().map(|feature| point(format!("psi.{}", feature.feature), feature.psi)).collect();
    let counts = report.verdict_counts();
    let score = &report.score;
    metrics.extend([
        point("score.psi".into(), score.psi),
        point("score.ks".into(), score.ks.statistic),
        point("score.ks_p_value".into(), score.ks.p_value),
        point("approval_rate.reference".into(), score.approval_reference),
        point("approval_rate.current".into(), score.approval_current),
        point("features.drifted".into(), counts.drifted as f64),
        point("features.moderate".into(), counts.moderate as f64),
        point("features.slight".into(), counts.slight as f64),
        point("rows.current".into(), report.current_rows as f64),
        point("rows.reference".into(), report.reference_rows as f64),
    ]);
    let html = crate::drift::report::html(report, version);
    let artifacts = [("drift_report.html".to_string(), html.into_bytes())];
    let experiment = args.experiment.as_deref().unwrap_or("pad-monitoring");
    let run_name = format!("drift {}", crate::registry::cache::now_utc());
    let run_id = crate::registry::block_on(record_monitoring(
        &tracking,
        args.run.as_deref(),
        experiment,
        &run_name,
        &metrics,
        &artifacts,
    ))??;
    Ok(run_id)
}

/// The comparison as an aligned table for people.
fn table(report: &DriftReport, version: &str) -> String {
    let mut out = String::new();
    let percent = |value: f64| format_percent(value, Language::En);
    let _ = writeln!(
        out,
        "Drift of {} current clients against {} reference clients (model {version})",
        report.current_rows, report.reference_rows
    );
    let _ = writeln!(out, "{}\n", wrap(RULE, 100));
    let _ = writeln!(
        out,
        "{:>4} {:>4}  {:<32} {:<14} {:>8} {:>8} {:>10} {:>10} {:>10} {:>17} {:>11}  verdict",
        "rank",
        "psi#",
        "feature",
        "binning",
        "PSI",
        "chance",
        "p-value",
        "q-value",
        "KS p",
        "missing ref→cur",
        // The raw mean |SHAP| in log-odds; the ranking uses its share of the total.
        "mean |SHAP|"
    );
    for feature in &report.features {
        let _ = writeln!(
            out,
            "{:>4} {:>4}  {:<32} {:<14} {:>8.4} {:>8.4} {:>10} {:>10} {:>10} {:>17} {:>11.4}  {}",
            feature.rank,
            feature.psi_rank,
            feature.feature,
            format!("{} ({})", feature.binning.as_str(), feature.bins),
            feature.psi,
            feature.expected_psi,
            format_p_value(feature.test.p_value),
            format_p_value(feature.q_value),
            feature.ks.as_ref().map_or_else(|| "-".into(), |ks| format_p_value(ks.p_value)),
            format!("{} → {}", percent(feature.missing_reference), percent(feature.missing_current)),
            feature.importance,
            feature.verdict.as_str()
        );
    }
    let score = &report.score;
    let _ = writeln!(
        out,
        "\nScore (probability of default): PSI {:.4} over {} (by chance {:.4}), chi-squared p-value {}, \
         KS {:.4} (p-value {}): {}",
        score.psi,
        score.binning.as_str(),
        score.expected_psi,
        format_p_value(score.test.p_value),
        score.ks.statistic,
        format_p_value(score.ks.p_value),
        score.verdict.as_str()
    );
    let _ = writeln!(
        out,
        "Approval rate at the threshold {}: {} in the reference, {} now",
        percent(score.threshold),
        percent(score.approval_reference),
        percent(score.approval_current)
    );
    let counts = report.verdict_counts();
    let _ = writeln!(
        out,
        "Features: {} drifted, {} moderate, {} slight, {} stable. {}",
        counts.drifted,
        counts.moderate,
        counts.slight,
        counts.stable,
        if report.drifted() { "Something drifted: exit code 3." } else { "Nothing drifted: exit code 0." }
    );
    for (reason, names) in crate::drift::not_compared_by_reason(report) {
        let _ = writeln!(out, "{}", wrap(&format!("Not compared ({reason}): {}.", names.join(", ")), 100));
    }
    out
}

/// `text` cut into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().map_or(0, |line| line.chars().count());
        if line > 0 && line + 1 + word.chars().count() > width {
            lines.push(String::new());
        }
        if let Some(line) = lines.last_mut() {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines.join("\n")
}
