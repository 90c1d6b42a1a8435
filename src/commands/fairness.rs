//! `pad fairness`: the model's decisions on clients with known outcomes, by sensitive
//! attribute, against the reason policy's fairness bounds; a table or JSON, and exit code 3
//! when a bound is crossed.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use crate::cli::{FairnessArgs, FairnessFormat};
use crate::config::{DEFAULT_MODEL, resolve_threshold};
use crate::data::completeness::CompletenessPolicy;
use crate::data::policy::ReasonPolicy;
use crate::data::{ClientTable, FeatureMatrix};
use crate::fairness::proxies::{AttributeGroups, FeatureColumn, Proxy, proxies};
use crate::fairness::{
    AttributeReport, Grouping, Outcomes, Verdict, age_bands, assess, count_groups, number_groups, text_groups,
};
use crate::scoring::ModelBundle;

/// Everything `pad fairness` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FairnessReport {
    /// Clients assessed.
    pub rows: usize,
    /// The decision threshold.
    pub threshold: f64,
    /// The model version.
    pub model_version: String,
    /// The version of the policy whose bounds were checked.
    pub policy_version: String,
    /// The bounds.
    pub bounds: crate::data::policy::FairnessBounds,
    /// One report per attribute.
    pub attributes: Vec<AttributeReport>,
    /// Every model feature's strength as a proxy of each attribute, strongest first.
    pub proxies: Vec<Proxy>,
}

impl FairnessReport {
    /// Whether some group's interval lies wholly beyond a bound.
    pub fn crossed(&self) -> bool {
        self.attributes.iter().flat_map(|attribute| &attribute.groups).any(|group| group.verdict == Verdict::Crossed)
    }
}

pub(super) fn run(args: &FairnessArgs) -> Result<u8> {
    resolve_threshold(args.threshold, None, Path::new(DEFAULT_MODEL))?;
    let start = Instant::now();
    let model_path = crate::config::or_bundled(&args.model, DEFAULT_MODEL);
    let history = crate::config::or_bundled(&args.history, crate::config::DEFAULT_HISTORY);
    let ModelBundle { model, card, schema } = ModelBundle::open(&model_path)?;
    let (threshold, _) = resolve_threshold(args.threshold, card.as_ref(), &model_path)?;
    let mut policy = ReasonPolicy::bundled()?;
    if let Some(bootstrap) = args.bootstrap {
        policy.fairness.bootstrap = bootstrap;
    }
    let table = ClientTable::load(&history).context("cannot read the clients (--history)")?;
    let Some(targets) = table.numeric(crate::data::schema::TARGET_COLUMN) else {
        bail!(
            "{}: no TARGET column: fairness needs clients with known outcomes (TARGET 1 = payment difficulties, 0 = repaid), such as the training history",
            history.display()
        );
    };
    let targets: Vec<u8> = match crate::evaluation::outcomes(&targets) {
        Ok(outcomes) => outcomes,
        Err(_) => {
            let row = targets.iter().position(|value| *value != 0.0 && *value != 1.0).unwrap_or(0);
            bail!(
                "{}: {}: TARGET is {}, expected 0 (repaid) or 1 (payment difficulties)",
                history.display(),
                table.location(row),
                targets.get(row).copied().unwrap_or(f64::NAN)
            );
        }
    };
    let groupings = groupings(&table, &history, &schema, &policy, &args.attributes)?;
    let matrix = FeatureMatrix::from_table(&table, &schema)?;
    drop(table);
    let loaded = start.elapsed();
    let n_features = matrix.n_features().max(1);
    let probabilities: Vec<f64> = matrix
        .values()
        .par_chunks(n_features)
        .map(|row| model.predict_probability(row).unwrap_or(f64::NAN))
        .collect();
    let outcomes = Outcomes { targets: &targets, probabilities: &probabilities, threshold: threshold.value() };
    let attributes: Vec<AttributeReport> =
        groupings.iter().map(|grouping| assess(grouping, outcomes, &policy.fairness)).collect();
    let assessed = start.elapsed() - loaded;
    let columns: Vec<Vec<f64>> = (0..matrix.n_features())
        .into_par_iter()
        .map(|feature| matrix.values().iter().skip(feature).step_by(n_features).copied().collect())
        .collect();
    let feature_columns: Vec<FeatureColumn<'_>> = schema
        .features
        .iter()
        .zip(&columns)
        .enumerate()
        .filter(|(feature, _)| model.uses_feature(*feature))
        .map(|(_, (spec, values))| FeatureColumn {
            name: &spec.name,
            categorical: spec.labels.is_some(),
            values,
        })
        .collect();
    // The attribute's own column (and what is computed from it) is no proxy of itself.
    let own: Vec<Vec<&str>> = groupings
        .iter()
        .map(|grouping| {
            feature_columns
                .iter()
                .map(|column| column.name)
                .filter(|name| {
                    *name == grouping.column
                        || crate::data::pipeline::inputs_of(name)
                            .is_some_and(|inputs| inputs.contains(&grouping.column.as_str()))
                })
                .collect()
        })
        .collect();
    let attribute_groups: Vec<AttributeGroups<'_>> = groupings
        .iter()
        .zip(&own)
        .map(|(grouping, own)| AttributeGroups {
            column: &grouping.column,
            names: &grouping.names,
            groups: &grouping.groups,
            own,
        })
        .collect();
    let found = proxies(&feature_columns, &attribute_groups, policy.fairness.proxy_auc);
    let proxied = start.elapsed() - loaded - assessed;
    let report = FairnessReport {
        rows: targets.len(),
        threshold: threshold.value(),
        model_version: card
            .as_ref()
            .and_then(|card| card.model_version.clone())
            .unwrap_or_else(|| "no card".into()),
        policy_version: policy.version.clone(),
        bounds: policy.fairness.clone(),
        attributes,
        proxies: found,
    };
    let text = match args.format {
        FairnessFormat::Text => table_text(&report),
        FairnessFormat::Json => {
            let mut json = serde_json::to_string_pretty(&report).context("cannot write the report as JSON")?;
            json.push('\n');
            json
        }
    };
    match &args.out {
        Some(path) => crate::files::write_atomically(path, text.as_bytes())?,
        None => super::output::print(&text)?,
    }
    if args.timing {
        eprintln!("load and score: {:.3} s ({} rows)", loaded.as_secs_f64(), report.rows);
        eprintln!(
            "groups and bootstrap: {:.3} s ({} attributes, {} resamples)",
            assessed.as_secs_f64(),
            report.attributes.len(),
            report.bounds.bootstrap
        );
        eprintln!("proxies: {:.3} s ({} features)", proxied.as_secs_f64(), feature_columns.len());
    }
    Ok(if report.crossed() { super::EXIT_DRIFTED } else { 0 })
}

/// The attributes assessed: sex, age band, family status, children, then each `--attribute`.
fn groupings(
    table: &ClientTable,
    path: &Path,
    schema: &crate::domain::FeatureSchema,
    policy: &ReasonPolicy,
    asked: &[String],
) -> Result<Vec<Grouping>> {
    let unknown = CompletenessPolicy::bundled()?.unknown_values;
    let read = crate::data::completeness::raw_inputs(schema);
    let used = |column: &str| read.iter().any(|name| name == column);
    let missing_column = |column: &str| {
        anyhow::anyhow!(
            "{}: no column `{column}`: the attribute cannot be measured (name a column of the file with --attribute)",
            path.display()
        )
    };
    let mut groupings = Vec::new();
    let mut push = |attribute: &str, column: &str, (names, groups): (Vec<String>, Vec<Option<u32>>)| -> Result<()> {
        if groups.iter().all(Option::is_none) {
            bail!("{}: column `{column}` ({attribute}) has no value in any row: nothing to measure", path.display());
        }
        groupings.push(Grouping {
            attribute: attribute.to_string(),
            column: column.to_string(),
            used_by_model: used(column),
            names,
            groups,
        });
        Ok(())
    };
    let text = |column: &str| -> Result<(Vec<String>, Vec<Option<u32>>)> {
        let values = table.text(column).ok_or_else(|| missing_column(column))?;
        Ok(text_groups(&values, unknown.get(column).map(Vec::as_slice).unwrap_or_default()))
    };
    let number = |column: &str| table.numeric(column).ok_or_else(|| missing_column(column));
    push("sex", "CODE_GENDER", text("CODE_GENDER")?)?;
    push("age band", "DAYS_BIRTH", age_bands(&number("DAYS_BIRTH")?, &policy.fairness.age_bands))?;
    push("family status", "NAME_FAMILY_STATUS", text("NAME_FAMILY_STATUS")?)?;
    push("children", "CNT_CHILDREN", count_groups(&number("CNT_CHILDREN")?, 3))?;
    for column in asked {
        let groups = match table.text(column) {
            Some(_) => text(column)?,
            None => number_groups(&number(column)?, 12),
        };
        push(column, column, groups)?;
    }
    Ok(groupings)
}

/// The report as tables for people.
fn table_text(report: &FairnessReport) -> String {
    let mut out = String::new();
    let bounds = &report.bounds;
    let _ = writeln!(
        out,
        "Fairness of the decisions on {} clients with known outcomes (model {}, threshold {:.4}, policy {})",
        report.rows, report.model_version, report.threshold, report.policy_version
    );
    let _ = writeln!(
        out,
        "Bounds: approval ratio ≥ {}, equal-opportunity and equalised-odds differences ≤ {}; groups under {} \
         clients are not judged; 95 % intervals from {} bootstrap resamples. CROSSED: the whole interval is \
         beyond a bound; uncertain: only the figure.",
        bounds.min_ratio, bounds.max_difference, bounds.min_group, bounds.bootstrap
    );
    let rate = |value: Option<f64>| value.map_or_else(|| "—".to_string(), |value| format!("{:.1}%", 100.0 * value));
    let interval = |value: Option<crate::fairness::Interval>, percent: bool| {
        value.map_or_else(
            || "—".to_string(),
            |value| {
                let scale = if percent { 100.0 } else { 1.0 };
                format!("{:.3} [{:.3}, {:.3}]", scale * value.value, scale * value.low, scale * value.high)
            },
        )
    };
    for attribute in &report.attributes {
        let _ = writeln!(
            out,
            "\n{} ({}; {} by the model; {} without a value; most favoured: {})",
            attribute.attribute,
            attribute.column,
            if attribute.used_by_model { "read" } else { "not read" },
            attribute.missing,
            attribute.favoured.as_deref().unwrap_or("none large enough")
        );
        let _ = writeln!(
            out,
            "  {:<28} {:>8} {:>9} {:>9} {:>8} {:>8} {:>9} {:>9}  {:<24} {:<24} {:<24} verdict",
            "group",
            "clients",
            "approved",
            "def|acc",
            "TPR",
            "FPR",
            "mean p",
            "defaults",
            "approval ratio",
            "equal opp. diff",
            "equalised odds diff"
        );
        for group in &attribute.groups {
            let _ = writeln!(
                out,
                "  {:<28} {:>8} {:>9} {:>9} {:>8} {:>8} {:>9} {:>9}  {:<24} {:<24} {:<24} {}",
                group.group,
                group.count,
                rate(Some(group.approval_rate)),
                rate(group.default_rate_accepted),
                rate(group.true_positive_rate),
                rate(group.false_positive_rate),
                rate(Some(group.mean_probability)),
                rate(Some(group.default_rate)),
                interval(group.approval_ratio, false),
                interval(group.equal_opportunity_difference, false),
                interval(group.equalized_odds_difference, false),
                group.verdict.as_str()
            );
        }
        let small: Vec<&str> = attribute
            .groups
            .iter()
            .filter(|group| group.verdict == Verdict::TooSmall)
            .map(|group| group.group.as_str())
            .collect();
        if !small.is_empty() {
            let _ = writeln!(
                out,
                "  too small to judge (under {} clients): {}",
                bounds.min_group,
                small.join(", ")
            );
        }
    }
    let strong: Vec<&Proxy> = report.proxies.iter().filter(|proxy| proxy.strong).collect();
    let _ = writeln!(
        out,
        "\nProxies: model features that alone tell an attribute's group apart with AUC ≥ {} ({} found)",
        bounds.proxy_auc,
        strong.len()
    );
    for proxy in strong.iter().take(30) {
        let _ = writeln!(out, "  {:<32} {:<20} {:<24} AUC {:.3}", proxy.feature, proxy.attribute, proxy.group, proxy.auc);
    }
    if report.crossed() {
        let _ = writeln!(out, "\nA fairness bound of the policy is crossed (exit code 3).");
    }
    out
}
