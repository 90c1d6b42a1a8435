//! The drift report as one self-contained HTML file: inline CSS, inline SVG charts, no
//! network. A summary table first, then the score, then each feature the model uses (and any
//! that moved) with both populations' histograms overlaid.

use std::fmt::Write as _;

use super::{DriftReport, FeatureDrift, Overlay, Verdict, format_p_value};
use crate::charts::html::{escape, page};
use crate::charts::{OverlayChart, overlay_svg};
use crate::domain::format::{Language, format_percent};

const STYLE: &str = "
.stable { color: #1e7b34; } .slight { color: #3e4c59; font-style: italic; } .moderate { color: #b7791f; font-weight: 600; } .drifted { color: #c53030; font-weight: 700; }
.feature { margin-top: 1.6rem; border-top: 1px solid #e4e7eb; padding-top: 0.6rem; }
.feature p { margin: 0.2rem 0 0.4rem; color: #52606d; }
";

fn p_value(p: f64) -> String {
    escape(&format_p_value(p))
}

/// The KS p-value of a numeric feature, or a dash.
fn ks_p_value(feature: &FeatureDrift) -> String {
    feature.ks.as_ref().map_or_else(|| "–".into(), |ks| p_value(ks.p_value))
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
    let counts = report.verdict_counts();
    let score = &report.score;
    let mut html = String::new();
    let _ = writeln!(
        html,
        "<p class=\"lead\">{} current clients compared with {} reference clients, through the feature pipeline \
         of model {}.</p>",
        report.current_rows,
        report.reference_rows,
        escape(version)
    );
    let _ = write!(
        html,
        "<div class=\"cards\"><div class=\"card\">Overall<b>{}</b></div>\
         <div class=\"card\">Features drifted<b class=\"drifted\">{}</b></div>\
         <div class=\"card\">Moderate<b class=\"moderate\">{}</b></div>\
         <div class=\"card\">Slight<b class=\"slight\">{}</b></div>\
         <div class=\"card\">Stable<b class=\"stable\">{}</b></div>\
         <div class=\"card\">Approval rate<b>{} → {}</b></div></div>",
        if report.drifted() { verdict(Verdict::Drifted) } else { verdict(Verdict::Stable) },
        counts.drifted,
        counts.moderate,
        counts.slight,
        counts.stable,
        percent(score.approval_reference),
        percent(score.approval_current)
    );
    let _ = write!(html, "<p>{}</p>", escape(super::RULE));
    for (reason, names) in super::not_compared_by_reason(report) {
        let _ = write!(html, "<p>Not compared ({}): {}.</p>", escape(reason), escape(&names.join(", ")));
    }
    html.push_str(
        "<h2>Summary</h2>\n<table><thead><tr><th>Rank</th><th>PSI rank</th><th>Feature</th><th>Binning</th>\
         <th>PSI</th><th>PSI by chance</th><th>χ²</th><th>p-value</th><th>q-value</th><th>KS p-value</th>\
         <th>Missing (ref → cur)</th><th>Mean |SHAP| (log-odds)</th><th>Verdict</th></tr></thead><tbody>\n",
    );
    for feature in &report.features {
        let _ = writeln!(
            html,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td title=\"{}\">{}</td><td>{} ({})</td>\
             <td class=\"num\">{:.4}</td><td class=\"num\">{:.4}</td><td class=\"num\">{:.2}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{} → {}</td><td class=\"num\">{:.4}</td><td>{}</td></tr>",
            feature.rank,
            feature.psi_rank,
            escape(&feature.label),
            escape(&feature.feature),
            feature.binning.as_str(),
            feature.bins,
            feature.psi,
            feature.expected_psi,
            feature.test.statistic,
            p_value(feature.test.p_value),
            p_value(feature.q_value),
            ks_p_value(feature),
            percent(feature.missing_reference),
            percent(feature.missing_current),
            feature.importance,
            verdict(feature.verdict)
        );
    }
    html.push_str("</tbody></table>\n");
    let _ = write!(
        html,
        "<h2>Score: probability of default</h2>\n<p>PSI {:.4} over {} (by chance {:.4}), chi-squared p-value {}, \
         Kolmogorov–Smirnov {:.4} (p-value {}): {}. Approval rate at the threshold {}: {} in the reference, {} now.\
         </p>\n{}\n",
        score.psi,
        score.binning.as_str(),
        score.expected_psi,
        p_value(score.test.p_value),
        score.ks.statistic,
        p_value(score.ks.p_value),
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
        let ks = feature.ks.as_ref().map_or_else(String::new, |ks| {
            format!(" · Kolmogorov–Smirnov {:.4}, p-value {}", ks.statistic, p_value(ks.p_value))
        });
        let _ = write!(
            html,
            "<div class=\"feature\"><h3>{} <small>({})</small></h3><p>PSI {:.4} ({} bins: {}; by chance {:.4}) \
             · χ² {:.2}, p-value {}, q-value {}{ks} · missing {} → {} · rank {}, by PSI {} · {}</p>\n{}</div>\n",
            escape(&feature.label),
            escape(&feature.feature),
            feature.psi,
            feature.bins,
            feature.binning.as_str(),
            feature.expected_psi,
            feature.test.statistic,
            p_value(feature.test.p_value),
            p_value(feature.q_value),
            percent(feature.missing_reference),
            percent(feature.missing_current),
            feature.rank,
            feature.psi_rank,
            verdict(feature.verdict),
            chart(&feature.label, &feature.overlay)
        );
    }
    page("Data drift report", STYLE, &html)
}
