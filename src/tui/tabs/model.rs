//! The Model tab: the model card (version, training data, metrics, threshold, cost weights)
//! and the cost curve with the chosen threshold marked.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph, Wrap};

use crate::domain::ModelCard;
use crate::domain::format::{Language, format_percent};
use crate::tui::panel::{Effect, Input, Panel};
use crate::tui::state::Context;
use crate::tui::strings::SCROLL_HINTS;
use crate::tui::widgets::fit;

/// The Model tab's state.
#[derive(Debug, Default)]
pub struct ModelTab {
    /// Lines scrolled.
    pub scroll: usize,
}

impl Panel for ModelTab {
    fn name() -> &'static str {
        "Model"
    }

    fn short_name() -> &'static str {
        "Model"
    }

    fn hints() -> &'static [(&'static str, &'static str)] {
        SCROLL_HINTS
    }

    fn update(&mut self, input: Input, _context: &Context<'_>) -> Vec<Effect> {
        if let Input::Cursor(delta) = input {
            self.scroll = self.scroll.saturating_add_signed(delta);
        }
        Vec::new()
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        render(context, self.scroll, frame, area);
    }
}

fn render(context: &Context<'_>, scroll: usize, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let info = context.info;
    let mut lines = vec![
        pair(context, "Version", info.model_version.clone()),
        pair(context, "Threshold", format!("{} ({})", format_percent(info.threshold, Language::En), info.threshold_origin)),
        pair(
            context,
            "Features",
            format!("{} ({} used)", info.features.len(), info.features.iter().filter(|f| f.used).count()),
        ),
        pair(context, "Reference", format!("{} past clients", info.reference_clients)),
    ];
    let Some(card) = &info.card else {
        lines.push(Line::raw(""));
        lines.push(Line::styled(NO_CARD, theme.dim));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), area);
        return;
    };
    lines.extend(card_lines(context, card));
    let chart_height = if card.cost_curve.len() >= 2 { (area.height / 2).clamp(8, 16).min(area.height) } else { 0 };
    let [text, chart] = Layout::vertical([Constraint::Min(0), Constraint::Length(chart_height)]).areas(area);
    let scroll = u16::try_from(scroll.min(lines.len().saturating_sub(1))).unwrap_or(0);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)), text);
    if chart_height > 0 {
        cost_curve(context, frame, chart, card);
    }
}

fn pair(context: &Context<'_>, name: &str, value: String) -> Line<'static> {
    Line::from(vec![Span::styled(format!("{name:<14}"), context.theme.heading), Span::raw(value)])
}

fn card_lines(context: &Context<'_>, card: &ModelCard) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(data) = &card.training_data {
        let rows = data.rows.map_or_else(|| "?".into(), |rows| rows.to_string());
        let rate = data.default_rate.map_or_else(|| "?".into(), |rate| format_percent(rate, Language::En));
        let file = data.file.clone().unwrap_or_default();
        lines.push(pair(context, "Trained on", file));
        lines.push(pair(context, "Training set", format!("{rows} clients, {rate} defaulted")));
        if let Some(sha) = &data.sha256 {
            lines.push(pair(context, "Data SHA-256", fit(sha, 24)));
        }
    }
    if let Some(cv) = &card.cross_validation {
        let folds = cv.folds.map_or_else(|| "?".into(), |folds| folds.to_string());
        let trees = cv.final_iterations.map_or_else(String::new, |trees| format!(", {trees} trees"));
        lines.push(pair(context, "Validation", format!("{folds}-fold cross-validated{trees}")));
    }
    if let Some(metrics) = &card.metrics {
        if let Some(auc) = metrics.oof_auc {
            lines.push(pair(context, "AUC", format!("{auc:.4} (out of fold)")));
        }
        if let Some(cost) = metrics.cost_per_client {
            lines.push(pair(context, "Cost/client", format!("{cost:.4}")));
        }
        if let Some(confusion) = &metrics.confusion {
            lines.push(pair(
                context,
                "At threshold",
                format!(
                    "defaulters refused {}, accepted {}; good clients accepted {}, refused {}",
                    confusion.true_positives,
                    confusion.false_negatives,
                    confusion.true_negatives,
                    confusion.false_positives
                ),
            ));
        }
    }
    if let Some(weights) = &card.cost_weights {
        lines.push(pair(
            context,
            "Cost weights",
            format!("{} per defaulter accepted, {} per good client refused", weights.cost_fn, weights.cost_fp),
        ));
    }
    if !card.excluded.is_empty() {
        lines.push(pair(context, "Left out", card.excluded.join(", ")));
    }
    if !card.history_tables.is_empty() {
        lines.push(pair(context, "History read", card.history_tables.join(", ")));
    }
    if let Some(policy) = &card.policy {
        // The desk applies its own policy; a model trained under another version says so.
        let applied = &context.info.policy_version;
        let note = if *applied != policy.version { format!(" (this desk applies {applied})") } else { String::new() };
        lines.push(pair(context, "Reason policy", format!("{} version {}{note}", policy.file, policy.version)));
    }
    lines
}

fn cost_curve(context: &Context<'_>, frame: &mut Frame, area: Rect, card: &ModelCard) {
    let theme = context.theme;
    let curve = &card.cost_curve;
    let threshold = context.info.threshold;
    let (x_max, y_min, y_max) =
        curve.iter().fold((threshold, f64::INFINITY, f64::NEG_INFINITY), |(x, low, high), &(t, c)| {
            (x.max(t), low.min(c), high.max(c))
        });
    let (y_min, y_max) = if y_min < y_max { (y_min, y_max) } else { (y_min - 0.5, y_min + 0.5) };
    let marker = [(threshold, y_min), (threshold, y_max)];
    let datasets = vec![
        Dataset::default().graph_type(GraphType::Line).marker(Marker::Braille).style(theme.heading).data(curve),
        Dataset::default()
            .name("threshold")
            .graph_type(GraphType::Line)
            .marker(Marker::Dot)
            .style(theme.marker)
            .data(&marker),
    ];
    let (cost_fn, cost_fp) = card.cost_weights.map_or((10.0, 1.0), |weights| (weights.cost_fn, weights.cost_fp));
    let title = fit(&cost_curve_heading(cost_fn, cost_fp), area.width as usize);
    let x_labels = vec![Span::raw("0 %"), Span::raw(format_percent(x_max, Language::En))];
    let y_labels = vec![Span::raw(format!("{y_min:.2}")), Span::raw(format!("{y_max:.2}"))];
    let chart = Chart::new(datasets)
        .x_axis(Axis::default().bounds([0.0, x_max]).labels(x_labels).style(theme.dim))
        .y_axis(Axis::default().bounds([y_min, y_max]).labels(y_labels).style(theme.dim));
    let [heading, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(title).style(theme.heading), heading);
    frame.render_widget(chart, body);
}

/// When no model card lies beside the model.
pub const NO_CARD: &str =
    "No model card (model.json) was found beside the model: only what the model file says is known.";

/// Heading of the Model tab's cost curve.
pub fn cost_curve_heading(cost_fn: f64, cost_fp: f64) -> String {
    format!("Cost per client by threshold ({cost_fn} × defaulter accepted + {cost_fp} × good client refused)")
}

