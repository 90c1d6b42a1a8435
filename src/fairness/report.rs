//! The fairness report as one self-contained HTML file (`pad fairness --report`): the
//! verdict and the bounds first, then per attribute its groups' figures with their intervals
//! and a chart of the approval ratios against the four-fifths bound, then the strong proxies.

use std::fmt::Write as _;

use super::history::FairnessReport;
use super::{AttributeReport, Interval, Verdict};
use crate::charts::html::{escape, page};

const STYLE: &str = "
.reference { color: #1f2933; font-weight: 600; } .within { color: #1e7b34; } .uncertain { color: #b7791f; font-weight: 600; }
.crossed { color: #c53030; font-weight: 700; } .small { color: #7b8794; font-style: italic; }
.attribute { margin-top: 1.6rem; border-top: 1px solid #e4e7eb; padding-top: 0.6rem; }
.attribute p { margin: 0.2rem 0 0.6rem; color: #52606d; }
";

/// The CSS class of a verdict.
fn class(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Reference => "reference",
        Verdict::Within => "within",
        Verdict::Uncertain => "uncertain",
        Verdict::Crossed => "crossed",
        Verdict::TooSmall => "small",
    }
}

fn verdict(verdict: Verdict) -> String {
    format!("<span class=\"{}\">{}</span>", class(verdict), verdict.as_str())
}

/// A share as a percentage with one decimal, or a dash.
fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |value| format!("{:.1} %", 100.0 * value))
}

/// A figure and its interval, or a dash.
fn interval(value: Option<Interval>, percent: bool) -> String {
    let scale = if percent { 100.0 } else { 1.0 };
    let unit = if percent { " %" } else { "" };
    value.map_or_else(
        || "–".into(),
        |value| {
            let digits = if percent { 1 } else { 3 };
            format!(
                "{:.digits$}{unit} <small>[{:.digits$}, {:.digits$}]</small>",
                scale * value.value,
                scale * value.low,
                scale * value.high
            )
        },
    )
}

/// The report.
pub fn html(report: &FairnessReport) -> String {
    let bounds = &report.bounds;
    let groups = || report.attributes.iter().flat_map(|attribute| &attribute.groups);
    let count = |wanted: Verdict| groups().filter(|group| group.verdict == wanted).count();
    let strong = report.proxies.iter().filter(|proxy| proxy.strong).count();
    let mut html = String::new();
    let _ = writeln!(
        html,
        "<p class=\"lead\">The decisions of model {} at the threshold {:.4} on {} clients with known outcomes, \
         against the bounds of policy {}.</p>",
        escape(&report.model_version),
        report.threshold,
        report.rows,
        escape(&report.policy_version)
    );
    let overall = if report.crossed() { verdict(Verdict::Crossed) } else { verdict(Verdict::Within) };
    let _ = writeln!(
        html,
        "<div class=\"cards\"><div class=\"card\">Overall<b>{overall}</b></div>\
         <div class=\"card\">Groups crossing a bound<b class=\"crossed\">{}</b></div>\
         <div class=\"card\">Uncertain<b class=\"uncertain\">{}</b></div>\
         <div class=\"card\">Within<b class=\"within\">{}</b></div>\
         <div class=\"card\">Too small to judge<b class=\"small\">{}</b></div>\
         <div class=\"card\">Strong proxies<b>{strong}</b></div></div>",
        count(Verdict::Crossed),
        count(Verdict::Uncertain),
        count(Verdict::Within),
        count(Verdict::TooSmall)
    );
    let _ = writeln!(
        html,
        "<p>A refusal is the positive prediction and payment difficulties the positive label, as in Fairlearn. \
         Each group is measured against the most favoured group (the highest approval rate among groups of at \
         least {} clients): the <b>approval ratio</b> (disparate impact; the policy asks at least {}), the \
         <b>equal-opportunity difference</b> (approval among clients who repaid) and the <b>equalised-odds \
         difference</b> (the larger gap in true or false positive rate; at most {}). Intervals are 95 %, from \
         {} bootstrap resamples. <span class=\"crossed\">CROSSED</span>: a whole interval lies beyond a bound; \
         <span class=\"uncertain\">uncertain</span>: only the figure does, which may be noise. The mean \
         predicted probability against the observed default rate shows whether the model over- or \
         underestimates a group's risk.</p>",
        bounds.min_group, bounds.min_ratio, bounds.max_difference, bounds.bootstrap
    );
    for attribute in &report.attributes {
        attribute_section(&mut html, attribute, report);
    }
    let _ = write!(
        html,
        "<h2>Proxies</h2>\n<p>How well each model feature alone tells an attribute's group apart (AUC of the \
         feature for the group against the rest, 0.5 is no better than chance). From {} on, a feature is a \
         strong proxy: the model can reach the attribute through it even when it does not read the attribute.\
         </p>\n",
        bounds.proxy_auc
    );
    html.push_str(
        "<table><thead><tr><th>Feature</th><th>Attribute</th><th>Group it tells apart best</th><th>AUC</th>\
         <th>Strong</th></tr></thead><tbody>\n",
    );
    // Every strong proxy, and the strongest of the others for context.
    let shown = report.proxies.iter().enumerate().filter(|(rank, proxy)| proxy.strong || *rank < strong + 10);
    for (_, proxy) in shown {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{:.3}</td><td>{}</td></tr>",
            escape(&proxy.feature),
            escape(&proxy.attribute),
            escape(&proxy.group),
            proxy.auc,
            if proxy.strong { "<span class=\"crossed\">yes</span>" } else { "no" }
        );
    }
    html.push_str("</tbody></table>\n");
    page("Fairness report", STYLE, &html)
}

fn attribute_section(html: &mut String, attribute: &AttributeReport, report: &FairnessReport) {
    let _ = writeln!(
        html,
        "<div class=\"attribute\"><h2>{} <small>({})</small></h2><p>{} by the model · {} clients without a value \
         · most favoured group: {}</p>",
        escape(&attribute.attribute),
        escape(&attribute.column),
        if attribute.used_by_model { "Read" } else { "Not read" },
        attribute.missing,
        attribute.favoured.as_deref().map_or_else(|| "none large enough".into(), escape)
    );
    html.push_str(
        "<table><thead><tr><th>Group</th><th>Clients</th><th>Approved</th><th>Defaults among accepted</th>\
         <th>TPR</th><th>FPR</th><th>Mean probability</th><th>Observed default rate</th><th>Approval ratio</th>\
         <th>Equal-opportunity diff.</th><th>Equalised-odds diff.</th><th>Verdict</th></tr></thead><tbody>\n",
    );
    for group in &attribute.groups {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape(&group.group),
            group.count,
            percent(Some(group.approval_rate)),
            percent(group.default_rate_accepted),
            percent(group.true_positive_rate),
            percent(group.false_positive_rate),
            interval(Some(group.mean_probability_interval), true),
            interval(Some(group.default_rate_interval), true),
            interval(group.approval_ratio, false),
            interval(group.equal_opportunity_difference, false),
            interval(group.equalized_odds_difference, false),
            verdict(group.verdict)
        );
    }
    html.push_str("</tbody></table>\n");
    html.push_str(&ratio_chart(attribute, report.bounds.min_ratio));
    html.push_str("</div>\n");
}

/// The approval ratio of each group with its interval, against the bound and 1: an inline
/// SVG, one row per group.
fn ratio_chart(attribute: &AttributeReport, min_ratio: f64) -> String {
    const WIDTH: f64 = 960.0;
    const LABEL: f64 = 230.0;
    const ROW: f64 = 26.0;
    const TOP: f64 = 30.0;
    let rows: Vec<_> = attribute.groups.iter().filter(|group| group.approval_ratio.is_some()).collect();
    if rows.is_empty() {
        return String::new();
    }
    let most = rows.iter().filter_map(|group| group.approval_ratio).map(|ratio| ratio.high).fold(1.2_f64, f64::max);
    let right = WIDTH - 20.0;
    let x = |value: f64| LABEL + (value.clamp(0.0, most) / most) * (right - LABEL);
    let height = TOP + ROW * rows.len() as f64 + 24.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} \
         {height}\" font-family=\"sans-serif\" font-size=\"13\" role=\"img\"><title>Approval ratio by group: {}\
         </title>\n<text x=\"{LABEL}\" y=\"16\" fill=\"#52606d\">Approval ratio to the most favoured group, 95 % \
         interval; in brackets the group's verdict over every bound</text>\n",
        escape(&attribute.attribute)
    );
    let bottom = TOP + ROW * rows.len() as f64;
    for (value, color, label) in [(min_ratio, "#c53030", format!("bound {min_ratio}")), (1.0, "#9aa5b1", "1".into())] {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" y1=\"{TOP}\" x2=\"{0:.1}\" y2=\"{bottom}\" stroke=\"{color}\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{0:.1}\" y=\"{1:.1}\" fill=\"{color}\" text-anchor=\"middle\">{2}</text>",
            x(value),
            bottom + 16.0,
            escape(&label)
        );
    }
    for (index, group) in rows.iter().enumerate() {
        let Some(ratio) = group.approval_ratio else { continue };
        let y = TOP + ROW * index as f64 + ROW / 2.0;
        let color = match group.verdict {
            Verdict::Crossed => "#c53030",
            Verdict::Uncertain => "#b7791f",
            Verdict::TooSmall => "#9aa5b1",
            Verdict::Reference | Verdict::Within => "#1e7b34",
        };
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1f2933\">{} ({})</text>\
             <line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"3\"/>\
             <circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{color}\"/>",
            LABEL - 10.0,
            y + 4.0,
            escape(&group.group),
            group.verdict.as_str(),
            x(ratio.low),
            x(ratio.high),
            x(ratio.value)
        );
    }
    svg.push_str("</svg>\n");
    svg
}
