//! `pad fairness`: the model's decisions on clients with known outcomes, by sensitive
//! attribute, against the reason policy's fairness bounds; a table or JSON, an optional HTML
//! report, and exit code 3 when a bound is crossed.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::{FairnessArgs, FairnessFormat};
use crate::config::{DEFAULT_MODEL, resolve_threshold};
use crate::data::ClientTable;
use crate::data::policy::ReasonPolicy;
use crate::fairness::Verdict;
use crate::fairness::history::{Assessment, FairnessReport, assess_table};
use crate::fairness::proxies::Proxy;
use crate::scoring::ModelBundle;

pub(super) fn run(args: &FairnessArgs) -> Result<u8> {
    resolve_threshold(args.threshold, None, Path::new(DEFAULT_MODEL))?;
    let start = std::time::Instant::now();
    let model_path = crate::config::or_bundled(&args.model, DEFAULT_MODEL);
    let history = crate::config::or_bundled(&args.history, crate::config::DEFAULT_HISTORY);
    let ModelBundle { model, card, schema } = ModelBundle::open(&model_path)?;
    let (threshold, _) = resolve_threshold(args.threshold, card.as_ref(), &model_path)?;
    let mut policy = ReasonPolicy::bundled()?;
    if let Some(bootstrap) = args.bootstrap {
        policy.fairness.bootstrap = bootstrap;
    }
    let tables = crate::config::tables_for(&args.history, crate::config::BUNDLED_HISTORY_TABLES, &args.tables)?;
    let table = ClientTable::load_with(&history, crate::data::history::Role::History, &tables)
        .context("cannot read the clients (--history)")?;
    let loaded = start.elapsed();
    let model_version = card.as_ref().and_then(|card| card.model_version.clone()).unwrap_or_else(|| "no card".into());
    let assessment = Assessment {
        model: &model,
        schema: &schema,
        threshold: threshold.value(),
        model_version: &model_version,
        policy: &policy,
        extra_attributes: &args.attributes,
    };
    let (report, timings) = assess_table(&assessment, table, &history)?;
    let json = args.format == FairnessFormat::Json;
    super::emit(&report, json, || table_text(&report), args.out.as_deref())?;
    if let Some(path) = &args.report {
        crate::files::write_atomically(path, crate::fairness::report::html(&report).as_bytes())?;
        eprintln!("report written to {}", path.display());
    }
    if args.timing {
        eprintln!("load: {:.3} s ({} rows)", loaded.as_secs_f64(), report.rows);
        eprintln!("score: {:.3} s", timings.score.as_secs_f64());
        eprintln!(
            "groups and bootstrap: {:.3} s ({} attributes, {} resamples)",
            timings.groups.as_secs_f64(),
            report.attributes.len(),
            report.bounds.bootstrap
        );
        eprintln!("proxies: {:.3} s", timings.proxies.as_secs_f64());
    }
    Ok(if report.crossed() { super::EXIT_DRIFTED } else { 0 })
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
                let (unit, digits) = if percent { ("%", 1) } else { ("", 3) };
                format!(
                    "{:.digits$}{unit} [{:.digits$}, {:.digits$}]",
                    scale * value.value,
                    scale * value.low,
                    scale * value.high
                )
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
            "  {:<28} {:>8} {:>9} {:>9} {:>8} {:>8} {:>22} {:>9}  {:<24} {:<24} {:<24} verdict",
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
                "  {:<28} {:>8} {:>9} {:>9} {:>8} {:>8} {:>22} {:>9}  {:<24} {:<24} {:<24} {}",
                group.group,
                group.count,
                rate(Some(group.approval_rate)),
                rate(group.default_rate_accepted),
                rate(group.true_positive_rate),
                rate(group.false_positive_rate),
                interval(Some(group.mean_probability_interval), true),
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
            let _ = writeln!(out, "  too small to judge (under {} clients): {}", bounds.min_group, small.join(", "));
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
        let _ =
            writeln!(out, "  {:<32} {:<20} {:<24} AUC {:.3}", proxy.feature, proxy.attribute, proxy.group, proxy.auc);
    }
    if report.crossed() {
        let _ = writeln!(out, "\nA fairness bound of the policy is crossed (exit code 3).");
    }
    out
}
