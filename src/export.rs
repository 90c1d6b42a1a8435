//! The customer sheet: the explanation of one decision as a Markdown file and a PNG chart,
//! in the customer's language, stamped with the client id, the model version, the threshold
//! and the time. Written by the dashboard (`x`) and by `pad explain --id N --report DIR`.
//!
//! Both files are written next to their final name first and renamed into place, so a
//! reader never sees half a sheet. The chart's lines are [`contribution_lines`], the same
//! ones the customer view shows.
//!
//! Uses: domain, explain (the customer's words for values), charts.

use std::path::{Path, PathBuf};

use crate::charts::{
    self, ChartError, DecimalMark, Marker, WaterfallChart, WaterfallLegend, WaterfallLevel, WaterfallStep,
};
use crate::domain::format::{Language, format_percent, format_points, format_value};
use crate::domain::wording;
use crate::domain::{ClientRecord, Counterfactual, Decision, Explanation, FeatureDescription};
use crate::explain::reasons::Templates;

/// Size of the exported chart, in pixels.
pub const CHART_SIZE: (u32, u32) = (1200, 800);

/// Contribution lines of the exported chart at most.
pub const CHART_ROWS: usize = 8;

/// A sheet that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The folder or a file could not be written.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        cause: std::io::Error,
    },
    /// The folder given is something else (a file, say).
    #[error(
        "{path} is not a folder: the sheet is written as two files (.md and .png) into a folder; \
         name a folder (it is created if needed)"
    )]
    NotAFolder {
        /// The path given.
        path: PathBuf,
    },
    /// A file of the sheet could not be written.
    #[error(transparent)]
    File(#[from] crate::files::FileError),
    /// The chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// The application lacks required fields: there is no decision to explain.
    #[error(
        "no customer sheet for client {client_id}: the application is incomplete (missing {}), so there is no decision to explain",
        .missing.join(", ")
    )]
    Incomplete {
        /// The client.
        client_id: i64,
        /// The required fields missing.
        missing: Vec<String>,
    },
    /// The time could not be formatted.
    #[error("cannot format the time of the sheet: {0}")]
    Time(String),
}

/// What a customer sheet says.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    /// The decision and its contributions.
    pub explanation: &'a Explanation,
    /// What would change it, when known.
    pub counterfactual: Option<&'a Counterfactual>,
    /// The client's fields, for the values next to the chart's labels.
    pub record: Option<&'a ClientRecord>,
    /// The model's features.
    pub features: &'a [FeatureDescription],
    /// The model version.
    pub model_version: &'a str,
    /// The version of the reason policy the reasons obey.
    pub policy_version: &'a str,
    /// The customer's language.
    pub language: Language,
    /// The review this sheet follows, when it follows one (the explanation is then of the
    /// inputs as reviewed).
    pub review: Option<&'a ReviewNote>,
}

/// What a sheet says of the review it follows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewNote {
    /// The decision that holds after the review.
    pub final_decision: Decision,
    /// Whether the review reversed the first decision.
    pub overturned: bool,
    /// When it was reviewed (`YYYY-MM-DD`).
    pub reviewed_on: String,
}

/// One line of the customer chart: a plain label (with the client's value) and its
/// contribution in probability units.
#[derive(Debug, Clone, PartialEq)]
pub struct ContributionLine {
    /// The label, in the customer's language, with no feature code.
    pub label: String,
    /// The contribution (probability units; positive raises the risk).
    pub points: f64,
}

/// The largest `rows` contributions of features the reason policy lets a customer be told
/// about (`explained` and `actionable`), then everything else together as "other
/// characteristics of the application" (protected attributes and the features kept from
/// customers only count there).
pub fn contribution_lines(
    explanation: &Explanation,
    features: &[FeatureDescription],
    record: Option<&ClientRecord>,
    rows: usize,
    language: Language,
) -> Vec<ContributionLine> {
    let mut order: Vec<usize> = (0..explanation.points.len())
        .filter(|&idx| {
            features.get(idx).is_some_and(|feature| !feature.protected && feature.class.customer_facing())
                && explanation.points[idx] != 0.0
        })
        .collect();
    order.sort_by(|&a, &b| explanation.points[b].abs().total_cmp(&explanation.points[a].abs()).then(a.cmp(&b)));
    order.truncate(rows);
    let record = record.filter(|record| record.id == explanation.score.client_id);
    let mut lines: Vec<ContributionLine> = order
        .iter()
        .map(|&idx| {
            let feature = &features[idx];
            let label = match language {
                Language::En => &feature.label_en,
                Language::Fr => &feature.label_fr,
            };
            let value = record.and_then(|record| record.fields.get(idx)).map(|field| match Templates::shared() {
                Some(templates) => templates.value_text(feature, &field.value, language),
                None => format_value(&field.value, &feature.unit, language),
            });
            let label = match (value, language) {
                (Some(value), Language::En) => format!("{label}: {value}"),
                (Some(value), Language::Fr) => format!("{label}\u{a0}: {value}"),
                (None, _) => label.clone(),
            };
            ContributionLine { label, points: explanation.points[idx] }
        })
        .collect();
    let shown: f64 = lines.iter().map(|line| line.points).sum();
    let rest = explanation.points.iter().sum::<f64>() - shown;
    if rest != 0.0 {
        lines.push(ContributionLine { label: wording::chart_rest(language).to_string(), points: rest });
    }
    lines
}

/// The chart of a sheet.
pub fn chart(sheet: &Sheet<'_>) -> WaterfallChart {
    chart_with_lines(sheet, CHART_ROWS)
}

/// The chart of a sheet with `rows` contribution lines at most, besides "everything else".
pub fn chart_with_lines(sheet: &Sheet<'_>, rows: usize) -> WaterfallChart {
    let language = sheet.language;
    let explanation = sheet.explanation;
    let lines = contribution_lines(explanation, sheet.features, sheet.record, rows, language);
    let level = |label: &str, probability: f64| WaterfallLevel {
        label: label.to_string(),
        probability,
        value_label: format_percent(probability, language),
    };
    let title = match &sheet.review {
        Some(review) => {
            format!("{} · {}", wording::chart_heading(language), wording::after_review(&review.reviewed_on, language))
        }
        None => wording::chart_heading(language).to_string(),
    };
    WaterfallChart {
        title,
        start: level(wording::chart_start(language), explanation.base_probability),
        steps: lines
            .into_iter()
            .map(|line| WaterfallStep {
                value_label: format_points(line.points, language),
                label: line.label,
                contribution: line.points,
            })
            .collect(),
        end: level(wording::chart_end(language), explanation.score.probability),
        threshold: Some(Marker {
            value: explanation.score.threshold,
            label: wording::chart_limit(explanation.score.threshold, language),
        }),
        legend: Some(WaterfallLegend {
            raises: wording::chart_raises(language).to_string(),
            lowers: wording::chart_lowers(language).to_string(),
        }),
        decimal_mark: match language {
            Language::En => DecimalMark::Point,
            Language::Fr => DecimalMark::Comma,
        },
    }
}

/// The Markdown text of a sheet, the chart image being `image_name` beside it.
pub fn markdown(sheet: &Sheet<'_>, image_name: &str, when: &str) -> String {
    let language = sheet.language;
    let explanation = sheet.explanation;
    let score = &explanation.score;
    // After a review, the decision is the review's; the explanation is of the inputs reviewed.
    let decision = sheet.review.as_ref().map_or(score.decision, |review| review.final_decision);
    let review = sheet.review.as_ref().map_or(String::new(), |review| {
        format!("{}\n\n", wording::review_sentence(review.overturned, &review.reviewed_on, language))
    });
    let mut text = format!(
        "# {} · {}\n\n**{}** {}\n\n{review}{}\n\n## {}\n\n",
        wording::BANK,
        wording::title(score.client_id, language),
        wording::decision_word(decision, language),
        wording::decision_sentence(decision, language),
        wording::risk_sentence(score.probability, score.threshold, language),
        wording::reasons_heading(decision, language),
    );
    if explanation.reasons.is_empty() {
        text.push_str(wording::no_reasons(language));
        text.push('\n');
    }
    for (index, reason) in explanation.reasons.iter().enumerate() {
        text.push_str(&format!("{}. {}\n", index + 1, reason.text.get(language)));
    }
    if decision == Decision::Refused {
        text.push_str(&format!("\n## {}\n\n", wording::change_heading(language)));
        let change = match sheet.counterfactual {
            Some(counterfactual) => counterfactual.text().map(|text| text.get(language).to_string()),
            None => Some(wording::change_failed(language).to_string()),
        };
        if let Some(change) = change {
            text.push_str(&change);
            text.push('\n');
        }
    }
    text.push_str(&format!(
        "\n## {}\n\n![{}]({image_name})\n\n---\n\n{} · {}\n",
        wording::chart_heading(language),
        wording::chart_heading(language),
        wording::title(score.client_id, language),
        wording::stamp(sheet.model_version, sheet.policy_version, score.threshold, when, language),
    ));
    text
}

/// Writes the sheet into `folder` (created if needed) as `client-ID-LANG-TIME.md` and `.png`;
/// returns the two paths.
pub fn write(sheet: &Sheet<'_>, folder: &Path) -> Result<Vec<PathBuf>, ExportError> {
    let score = &sheet.explanation.score;
    // A review decides even when the inputs it scored lack a field.
    if !score.decision.is_decided() && sheet.review.is_none() {
        return Err(ExportError::Incomplete { client_id: score.client_id, missing: score.missing.clone() });
    }
    let now = time::OffsetDateTime::now_utc();
    let stamp = now
        .format(time::macros::format_description!("[year][month][day]-[hour][minute][second]"))
        .map_err(|error| ExportError::Time(error.to_string()))?;
    let when = now
        .format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC"))
        .map_err(|error| ExportError::Time(error.to_string()))?;
    let language = match sheet.language {
        Language::En => "en",
        Language::Fr => "fr",
    };
    let review = if sheet.review.is_some() { "-review" } else { "" };
    let base = format!("client-{}-{language}-{stamp}{review}", sheet.explanation.score.client_id);
    if folder.exists() && !folder.is_dir() {
        return Err(ExportError::NotAFolder { path: folder.to_path_buf() });
    }
    std::fs::create_dir_all(folder).map_err(|cause| ExportError::Write { path: folder.to_path_buf(), cause })?;
    let png_name = format!("{base}.png");
    let png = charts::render_png(&charts::Chart::Waterfall(chart(sheet)), CHART_SIZE.0, CHART_SIZE.1)?;
    let png_path = folder.join(&png_name);
    crate::files::write_atomically(&png_path, &png)?;
    let md_path = folder.join(format!("{base}.md"));
    crate::files::write_atomically(&md_path, markdown(sheet, &png_name, &when).as_bytes())?;
    Ok(vec![md_path, png_path])
}
