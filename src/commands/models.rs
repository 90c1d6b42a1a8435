//! Model URIs and `pad models`: a `--model models:/NAME@ALIAS` (or `models:/NAME/VERSION`,
//! `runs:/RUN_ID/PATH`) is fetched into the local cache before the command runs, so that every
//! command reads a plain file; `pad models list|promote` reads and moves registry aliases.

use anyhow::{Context, Result};

use crate::cli::{Command, ModelsCommand};
use crate::registry::tracking::{NEW_VERSION_ALIAS, RunRecord, record_run};
use crate::registry::{Fetched, ModelUri, RegistryError, Tracking, block_on, fetch, tracking_uri};

/// A `--model` URI replaced by the cached file it names.
#[derive(Debug, Clone)]
pub(super) struct Resolved {
    /// The URI given.
    pub uri: ModelUri,
    /// The server it came from.
    pub server: Option<String>,
    /// What was fetched.
    pub fetched: Fetched,
    /// Where the model came from, for the user.
    pub note: String,
}

/// Replaces a model URI given to `--model` by the cached file it names, printing where the
/// model came from; a registry model without a card needs `--threshold`.
pub(super) fn resolve_model_uri(command: &mut Command, mlflow: Option<&str>) -> Result<Option<Resolved>> {
    let (model, threshold_given) = match command {
        Command::Dashboard(args) => (&mut args.sources.model, args.sources.threshold.is_some()),
        Command::Serve(args) => (&mut args.sources.model, args.sources.threshold.is_some()),
        Command::Predict(args) => (&mut args.scoring.model, args.threshold.is_some()),
        // Contributions need no threshold; only a customer sheet decides.
        Command::Explain(args) => (&mut args.scoring.model, args.threshold.is_some() || args.report.is_none()),
        Command::Drift(args) => (&mut args.model, args.threshold.is_some()),
        Command::Fairness(args) => (&mut args.model, args.threshold.is_some()),
        Command::Synth(_) | Command::Train(_) | Command::Models(_) | Command::Journal(_) | Command::Users(_) => {
            return Ok(None);
        }
    };
    let Some(text) = model.as_ref().and_then(|path| path.to_str()).filter(|text| ModelUri::is_uri(text)) else {
        return Ok(None);
    };
    let uri = ModelUri::parse(text)?;
    let server = tracking_uri(mlflow);
    let fetched = block_on(fetch(&uri, server.as_deref()))??;
    if !fetched.has_card && !threshold_given {
        anyhow::bail!(
            "{} has no model card (model.json) in the registry, so no decision threshold: pass --threshold P",
            fetched.describe()
        );
    }
    let mut note = format!("model {} (cached at {})", fetched.describe(), fetched.model_path.display());
    if let Some(extra) = &fetched.note {
        note = format!("{note}; {extra}");
    }
    eprintln!("note: {note}");
    *model = Some(fetched.model_path.clone());
    Ok(Some(Resolved { uri, server, fetched, note }))
}

/// Runs `pad models ...`.
pub(super) fn run(command: &ModelsCommand, mlflow: Option<&str>) -> Result<()> {
    let server = tracking_uri(mlflow).ok_or_else(|| {
        anyhow::anyhow!("pad models needs an MLflow server: pass --mlflow URL or set MLFLOW_TRACKING_URI")
    })?;
    let tracking = Tracking::new(&server)?;
    match command {
        ModelsCommand::List { name } => {
            let table = block_on(list(&tracking, name))??;
            print!("{table}");
            Ok(())
        }
        ModelsCommand::Register { name, model, experiment } => {
            // The file must be a model pad reads, with a card that describes it.
            let bundle = crate::scoring::ModelBundle::open(model)?;
            let model_text =
                std::fs::read_to_string(model).with_context(|| format!("cannot read {}", model.display()))?;
            let card_path = crate::config::card_path(model);
            let card = bundle
                .card
                .as_ref()
                .map(|_| std::fs::read(&card_path))
                .transpose()
                .with_context(|| format!("cannot read {}", card_path.display()))?;
            let record = RunRecord {
                experiment: experiment.clone(),
                run_name: format!("register {}", model.display()),
                model_text,
                card,
                ..RunRecord::default()
            };
            let recorded = block_on(record_run(&tracking, &record, Some(name)))??;
            let version = recorded.version.unwrap_or_default();
            println!("registered models:/{name}/{version} (alias @{NEW_VERSION_ALIAS}), run {}", recorded.run_id);
            if bundle.card.is_none() {
                eprintln!(
                    "note: {} has no card beside it: commands using this version need --threshold",
                    model.display()
                );
            }
            Ok(())
        }
        ModelsCommand::Promote { name, version, alias } => {
            if alias.is_empty() || !alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                anyhow::bail!("--alias {alias}: an alias is letters, digits, `_` and `-`");
            }
            let version = version.to_string();
            let previous = block_on(async {
                let found = tracking.model_version(name, &version).await?;
                if found.status != "READY" && !found.status.is_empty() {
                    return Err(RegistryError::Unsupported {
                        uri: format!("models:/{name}/{version}"),
                        reason: format!("version {version} is {}, not READY: not promoted", found.status),
                    });
                }
                let previous = tracking.version_by_alias(name, alias).await.ok().map(|found| found.version);
                tracking.set_alias(name, alias, &version).await?;
                Ok(previous)
            })??;
            match previous {
                Some(previous) if previous != version => {
                    println!("{name}@{alias}: version {previous} -> version {version}")
                }
                Some(_) => println!("{name}@{alias} already pointed to version {version}"),
                None => println!("{name}@{alias}: version {version}"),
            }
            Ok(())
        }
    }
}

/// Metrics shown side by side, in this order when the runs have them.
const LISTED_METRICS: [&str; 3] = ["oof_auc", "cost_per_client", "threshold"];

/// The table of `pad models list`.
async fn list(tracking: &Tracking, name: &str) -> Result<String, RegistryError> {
    let versions = tracking.versions(name).await?;
    let aliases = tracking.aliases(name).await?;
    let mut rows = vec![vec![
        "version".to_string(),
        "aliases".to_string(),
        "status".to_string(),
        "created (UTC)".to_string(),
        "run".to_string(),
    ]];
    rows[0].extend(LISTED_METRICS.iter().map(|metric| metric.to_string()));
    for version in &versions {
        let mut names: Vec<&str> =
            aliases.iter().filter(|(_, to)| *to == version.version).map(|(alias, _)| alias.as_str()).collect();
        names.sort_unstable();
        let metrics = match version.run_id.is_empty() {
            true => Vec::new(),
            false => tracking.run(&version.run_id).await.map(|run| run.data.metrics).unwrap_or_default(),
        };
        let mut row = vec![
            version.version.clone(),
            if names.is_empty() {
                "-".into()
            } else {
                names.iter().map(|a| format!("@{a}")).collect::<Vec<_>>().join(" ")
            },
            version.status.clone(),
            date(version.creation_timestamp),
            version.run_id.chars().take(12).collect(),
        ];
        for key in LISTED_METRICS {
            let value = metrics.iter().find(|metric| metric.key == key && metric.step == 0);
            row.push(value.map_or("-".into(), |metric| format!("{:.4}", metric.value)));
        }
        rows.push(row);
    }
    if versions.is_empty() {
        return Ok(format!("{name} has no versions yet\n"));
    }
    Ok(render(&rows))
}

/// Milliseconds since the epoch as `YYYY-MM-DD HH:MM`.
fn date(milliseconds: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(milliseconds / 1000)
        .ok()
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_else(|| "-".into())
}

/// Left-aligned columns separated by two spaces.
fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|column| rows.iter().filter_map(|row| row.get(column)).map(|cell| cell.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> =
            row.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}", width = *width)).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let rows = vec![vec!["version".into(), "aliases".into()], vec!["12".into(), "@champion".into()]];
        assert_eq!(render(&rows), "version  aliases\n12       @champion\n");
        assert_eq!(date(0), "1970-01-01 00:00");
    }

    #[test]
    fn uris_need_a_server() {
        let error = block_on(fetch(&ModelUri::parse("models:/credit@champion").unwrap(), None)).unwrap().unwrap_err();
        assert!(error.to_string().contains("no server is given"), "{error}");
    }
}
