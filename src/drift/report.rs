//! The drift report as one self-contained HTML file: inline CSS, inline SVG charts, no
//! network. A summary table first, then the score, then each feature the model uses (and any
//! that moved) with both populations' histograms overlaid.

use std::fmt::Write as _;

use super::{DriftReport, Overlay, PSI_DRIFTED, PSI_MODERATE, Verdict};
use crate::charts::{OverlayChart, overlay_svg};
use crate::domain::format::{Language, format_percent};

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 2rem auto; max-width: 1100px;
       color: #1f2933; line-height: 1.45; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { margin-top: 2.2rem; font-size: 1.25rem; }
p.lead { color: #52606d; margin-top: 0; }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1.2rem 0; }
.card { border: 1px solid #d9e2ec; border-radius: 8px; padding: 0.8rem 1.1rem; min-width: 10rem; }
.card b { display: block; font-size: 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #e4e7eb; }
th { background: #f5f7fa; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.stable { color: #1e7b34; } .moderate { color: #b7791f; font-weight: 600; } .drifted { color: #c53030; font-weight: 700; }
.feature { margin-top: 1.6rem; border-top: 1px solid #e4e7eb; padding-top: 0.6rem; }
.feature p { margin: 0.2rem 0 0.4rem; color: #52606d; }
svg { max-width: 100%; height: auto; }
";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn p_value(p: f64) -> String {
    if p < 1e-300 {
        "&lt;1e-300".into()
    } else if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn verdict(verdict: Verdict) -> String {
    format!("<span class=\"{0}\">{0}</span>", verdict.as_str())
}

fn chart(title: &str, overlay: &Overlay) -> String {
    let chart = OverlayChart {
        title,
        labels: &overlay.labels,
        first: &overlay.reference,
        second: &overlay.current,
        first_name: "reference",
        second_name: "current",
    };
    match overlay_svg(&chart, 960, 320) {
        Ok(svg) => svg,
        Err(error) => format!("<p>{}</p>", escape(&error.to_string())),
    }
}

/// The report for a comparison made with the model `version`.
pub fn html(report: &DriftReport, version: &str) -> String {
    let percent = |value: f64| format_percent(value, Language::En);
    let (stable, moderate, drifted) = report.counts();
    let score = &report.score;
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Data drift report</title>\
         <style>{STYLE}</style></head><body>\n<h1>Data drift report</h1>\n<p class=\"lead\">{} current clients \
         compared with {} reference clients, through the feature pipeline of model {}.</p>\n",
        report.current_rows,
        report.reference_rows,
        escape(version)
    );
    let _ = write!(
        html,
        "<div class=\"cards\"><div class=\"card\">Overall<b>{}</b></div>\
         <div class=\"card\">Features drifted<b class=\"drifted\">{drifted}</b></div>\
         <div class=\"card\">Moderate<b class=\"moderate\">{moderate}</b></div>\
         <div class=\"card\">Stable<b class=\"stable\">{stable}</b></div>\
         <div class=\"card\">Approval rate<b>{} → {}</b></div></div>",
        if report.drifted() { verdict(Verdict::Drifted) } else { verdict(Verdict::Stable) },
        percent(score.approval_reference),
        percent(score.approval_current)
    );
    let _ = write!(
        html,
        "<p>Population stability index (PSI): below {PSI_MODERATE} stable, below {PSI_DRIFTED} moderate, \
         otherwise drifted. Numbers use the reference's deciles plus a bin for missing values and the \
         Kolmogorov–Smirnov test; categories use one bin each plus missing and the chi-squared test. \
         Features are ranked by PSI weighted by their share of the model's importance (mean |SHAP| over \
         the current clients).</p>"
    );
    html.push_str(
        "<h2>Summary</h2>\n<table><thead><tr><th>Feature</th><th>Kind</th><th>PSI</th><th>Test</th>\
         <th>Statistic</th><th>p-value</th><th>Missing (ref → cur)</th><th>Importance</th><th>Verdict</th>\
         </tr></thead><tbody>\n",
    );
    for feature in &report.features {
        let _ = writeln!(
            html,
            "<tr><td title=\"{}\">{}</td><td>{}</td><td class=\"num\">{:.4}</td><td>{}</td><td class=\"num\">{:.4}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{} → {}</td><td class=\"num\">{:.4}</td><td>{}</td></tr>",
            escape(&feature.label),
            escape(&feature.feature),
            feature.kind,
            feature.psi,
            feature.test.name,
            feature.test.statistic,
            p_value(feature.test.p_value),
            percent(feature.missing_reference),
            percent(feature.missing_current),
            feature.importance,
            verdict(feature.verdict)
        );
    }
    html.push_str("</tbody></table>\n");
    let _ = write!(
        html,
        "<h2>Score: probability of default</h2>\n<p>PSI {:.4}, Kolmogorov–Smirnov {:.4} (p-value {}): {}. \
         Approval rate at the threshold {}: {} in the reference, {} now.</p>\n{}\n",
        score.psi,
        score.test.statistic,
        p_value(score.test.p_value),
        verdict(score.verdict),
        percent(score.threshold),
        percent(score.approval_reference),
        percent(score.approval_current),
        chart("Probability of default", &score.overlay)
    );
    html.push_str("<h2>Features</h2>\n");
    for feature in
        report.features.iter().filter(|feature| feature.importance > 0.0 || feature.verdict != Verdict::Stable)
    {
        let _ = write!(
            html,
            "<div class=\"feature\"><h3>{} <small>({})</small></h3><p>PSI {:.4} · {} {:.4}, p-value {} · missing {} → {} \
             · {}</p>\n{}</div>\n",
            escape(&feature.label),
            escape(&feature.feature),
            feature.psi,
            feature.test.name,
            feature.test.statistic,
            p_value(feature.test.p_value),
            percent(feature.missing_reference),
            percent(feature.missing_current),
            verdict(feature.verdict),
            chart(&feature.label, &feature.overlay)
        );
    }
    html.push_str("</body></html>\n");
    html
}
