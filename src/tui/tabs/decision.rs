//! The Decision tab: the `[Predict]` button, the decision in large letters, the probability
//! against the threshold, and the contribution waterfall with the principal reasons.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_big_text::{BigText, PixelSize};

use crate::domain::format::{Language, format_percent, format_points, format_value};
use crate::domain::wording;
use crate::domain::{Decision, Effect as Direction, Explanation};
use crate::tui::layout::contains;
use crate::tui::panel::{Effect, Input, Panel, stepped};
use crate::tui::state::{Context, Focus, Prediction};
use crate::tui::strings::FEATURE_HINTS;
use crate::tui::widgets::{Step, ThresholdGauge, Waterfall as WaterfallWidget, fit, message};

/// The Decision tab's state.
#[derive(Debug, Default)]
pub struct DecisionTab {
    /// The waterfall row under the cursor.
    pub cursor: usize,
}

impl Panel for DecisionTab {
    fn name() -> &'static str {
        "Decision"
    }

    fn short_name() -> &'static str {
        "Decision"
    }

    fn hints() -> &'static [(&'static str, &'static str)] {
        FEATURE_HINTS
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Cursor(delta) => {
                self.cursor = stepped(self.cursor, delta, shown_rows(context));
                Vec::new()
            }
            Input::Click(column, row) => {
                let Some(content) = context.content() else { return Vec::new() };
                let parts = layout(content);
                if contains(parts.button, column, row) {
                    return vec![Effect::Predict];
                }
                let first = waterfall_row_y(parts.waterfall, 0);
                match row.checked_sub(first).map(usize::from) {
                    Some(index) if index < shown_rows(context) && contains(parts.waterfall, column, row) => {
                        self.cursor = index;
                        let mut effects = vec![Effect::FocusPanel];
                        effects.extend(self.compare(context));
                        effects
                    }
                    _ => Vec::new(),
                }
            }
            Input::Enter => self.compare(context).into_iter().collect(),
            Input::ClientChanged => {
                self.cursor = 0;
                Vec::new()
            }
            Input::Opened | Input::Sort | Input::Fit | Input::Reconnected => Vec::new(),
        }
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        self.render(context, frame, area);
    }
}

impl DecisionTab {
    /// Opens the feature under the cursor in Compare.
    fn compare(&self, context: &Context<'_>) -> Option<Effect> {
        let rows = context.content().map_or(0, |content| waterfall_rows(layout(content).waterfall));
        let explanation = context.shown_explanation()?;
        waterfall(explanation, rows.max(self.cursor + 1)).top.get(self.cursor).copied().map(Effect::Compare)
    }

    fn render(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        let theme = context.theme;
        let parts = layout(area);
        let mut button = vec![Span::styled(PREDICT_BUTTON, theme.button)];
        match (context.prediction, context.client) {
            (Prediction::Shown(explanation), _) => {
                button.push(Span::styled(format!(" client {}", explanation.score.client_id), theme.heading));
            }
            (_, Some(client)) => {
                button.push(Span::styled(format!(" client {} ·", client.id), theme.heading));
                button.push(Span::styled(context.keymap.expand(PREDICT_HINT), theme.dim));
            }
            (_, None) => {}
        }
        if let Some(last) = context.selected_history().and_then(<[crate::journal::DecisionEvent]>::first) {
            let content = &last.content;
            button.push(Span::styled(
                format!(
                    " · last decided {} by {} on {} UTC",
                    content.final_decision,
                    content.rm,
                    crate::tui::tabs::journal::when(&content.recorded_at)
                ),
                theme.dim,
            ));
        }
        let button_line = Rect { width: area.width, ..parts.button };
        frame.render_widget(Paragraph::new(Line::from(button)), button_line);
        match context.prediction {
            Prediction::Hidden => message(frame, parts.verdict, DECISION_HIDDEN, theme.dim),
            Prediction::Loading(_) => message(frame, parts.verdict, SCORING, theme.dim),
            Prediction::Failed(_, error) => message(frame, parts.verdict, error, theme.error),
            Prediction::Shown(explanation) => self.shown(context, frame, &parts, explanation),
        }
    }

    fn shown(&self, context: &Context<'_>, frame: &mut Frame, parts: &DecisionLayout, explanation: &Explanation) {
        let theme = context.theme;
        let score = &explanation.score;
        let style = match score.decision {
            Decision::Accepted => theme.accepted,
            Decision::Refused => theme.refused,
            Decision::Incomplete => theme.error,
        };
        let size = if parts.verdict.width >= 72 { PixelSize::HalfHeight } else { PixelSize::Quadrant };
        let big = BigText::builder().pixel_size(size).style(style).lines(vec![Line::from(score.decision.as_str())]).build();
        frame.render_widget(big, parts.verdict);

        let probability = format_percent(score.probability, Language::En);
        let threshold = format_percent(score.threshold, Language::En);
        let refused = score.decision == Decision::Refused;
        let width = parts.gauge.width as usize;
        let label = if score.decision.is_decided() {
            probability_line(score.decision.as_str(), refused, &probability, &threshold, width)
        } else {
            incomplete_line(&probability, width)
        };
        let gauge = ThresholdGauge {
            probability: score.probability,
            threshold: score.threshold,
            label: &label,
            fill: style,
            marker: theme.marker,
            text: theme.text,
        };
        frame.render_widget(&gauge, parts.gauge);

        let area = parts.waterfall;
        if area.height == 0 {
            return;
        }
        frame.render_widget(
            Paragraph::new(fit(WATERFALL_HEADING, area.width as usize)).style(theme.heading),
            area,
        );
        let rows = waterfall_rows(area);
        let shown = waterfall(explanation, rows);
        let record = context.selected_record();
        let mut steps =
            vec![Step::Level { label: WATERFALL_AVERAGE.into(), probability: explanation.base_probability }];
        for (row, &feature_idx) in shown.top.iter().enumerate() {
            let Some(feature) = context.info.features.get(feature_idx) else { continue };
            let value = record
                .and_then(|record| record.fields.get(feature_idx))
                .map(|field| format_value(&field.value, &feature.unit, Language::En));
            let label = match value {
                Some(value) => format!("{}: {value}", feature.label_en),
                None => feature.label_en.clone(),
            };
            let highlighted = context.focus == Focus::Panel && row == self.cursor;
            steps.push(Step::Move { label, points: explanation.points[feature_idx], highlighted });
        }
        if shown.rest_count > 0 {
            steps.push(Step::Move {
                label: waterfall_rest(shown.rest_count),
                points: shown.rest,
                highlighted: false,
            });
        }
        steps.push(Step::Level { label: WATERFALL_CLIENT.into(), probability: score.probability });
        let widget = WaterfallWidget {
            steps: &steps,
            text: theme.text,
            level: theme.heading,
            up: theme.refused,
            down: theme.accepted,
            highlight: theme.selected,
            language: Language::En,
        };
        let body = Rect { y: area.y + 1, height: area.height - 1, ..area };
        frame.render_widget(&widget, body);
        reasons(context, frame, parts.reasons, explanation);
        if parts.reasons.height == 0 {
            // Without room for the reasons, what an incomplete application lacks takes the hint's line.
            let (hint, style) = if score.decision.is_decided() {
                (REASONS_HINT.to_string(), theme.dim)
            } else {
                (missing_names(&score.missing), theme.error)
            };
            frame.render_widget(Paragraph::new(fit(&hint, parts.gap.width as usize)).style(style), parts.gap);
        }
    }
}

/// The principal reasons and, for a refusal, what would change it, as the customer will hear
/// them (in English here; the customer view has both languages).
fn reasons(context: &Context<'_>, frame: &mut Frame, area: Rect, explanation: &Explanation) {
    if area.height == 0 {
        return;
    }
    let theme = context.theme;
    if !explanation.score.decision.is_decided() {
        let missing = missing_fields(&explanation.score.missing, &context.info.features);
        let lines = vec![
            Line::styled(INCOMPLETE_HEADING, theme.heading),
            Line::styled(missing, theme.error),
            Line::raw(INCOMPLETE_NOTE),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    let mut lines = vec![Line::styled(REASONS_HEADING, theme.heading)];
    if !context.info.missing_history.is_empty() {
        lines.push(Line::styled(history_missing_note(&context.info.missing_history), theme.error));
    }
    if explanation.reasons.is_empty() {
        lines.push(Line::raw(wording::no_reasons(Language::En)));
    }
    for reason in &explanation.reasons {
        let style = match reason.effect {
            Direction::RaisesRisk => theme.refused,
            Direction::LowersRisk => theme.accepted,
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>9} ", format_points(reason.points, Language::En)), style),
            Span::raw(reason.text.en.clone()),
        ]));
    }
    if explanation.score.decision == Decision::Refused
        && let Some(change) = context.change_text(Language::En)
    {
        lines.push(Line::styled(CHANGE_HEADING, theme.heading));
        lines.push(Line::raw(change));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}

/// The note of a decision made without the credit history the model reads.
pub fn history_missing_note(tables: &[String]) -> String {
    format!(
        "Decided without the credit history ({}): the model reads it, and it was not given with these applicants.",
        tables.join(", ")
    )
}

/// The waterfall rows shown for the shown explanation at the current size.
fn shown_rows(context: &Context<'_>) -> usize {
    let rows = context.content().map_or(0, |content| waterfall_rows(layout(content).waterfall));
    context.shown_explanation().map_or(0, |explanation| waterfall(explanation, rows).top.len())
}

/// Feature rows of the waterfall at most (the rest are grouped).
pub const WATERFALL_MAX_ROWS: usize = 10;

/// The contributions shown in the waterfall: the largest by absolute size, then the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    /// Feature indices, largest absolute contribution first.
    pub top: Vec<usize>,
    /// Sum of the other contributions (probability units).
    pub rest: f64,
    /// How many other features contribute anything.
    pub rest_count: usize,
}

/// The largest `rows` contributions by absolute size in probability points; ties keep model
/// order.
pub fn waterfall(explanation: &Explanation, rows: usize) -> Waterfall {
    let mut order: Vec<usize> = (0..explanation.points.len()).filter(|&i| explanation.points[i] != 0.0).collect();
    order.sort_by(|&a, &b| explanation.points[b].abs().total_cmp(&explanation.points[a].abs()));
    let rest_indices = order.split_off(rows.min(order.len()));
    Waterfall {
        top: order,
        rest: rest_indices.iter().map(|&i| explanation.points[i]).sum(),
        rest_count: rest_indices.len(),
    }
}

/// The parts of the Decision tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionLayout {
    /// The `[Predict]` button and the line it sits on.
    pub button: Rect,
    /// The decision in large letters.
    pub verdict: Rect,
    /// The probability against the threshold.
    pub gauge: Rect,
    /// The contribution waterfall, heading included.
    pub waterfall: Rect,
    /// The principal reasons and what would change the decision, below the waterfall when
    /// there is room (empty otherwise).
    pub reasons: Rect,
    /// The line between the gauge and the waterfall.
    pub gap: Rect,
}

/// Rows the waterfall takes when the reasons share its room: its heading, the average, ten
/// features, the rest and the client.
const WATERFALL_FULL: u16 = WATERFALL_MAX_ROWS as u16 + 4;

/// Rows the reasons need at least to be shown below the waterfall.
const REASONS_MIN: u16 = 8;

/// The Decision tab's parts within its content area.
pub fn layout(content: Rect) -> DecisionLayout {
    let [button, verdict, gauge, gap, waterfall] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(content);
    let button = Rect { width: (PREDICT_BUTTON.chars().count() as u16).min(button.width), ..button };
    let (waterfall, reasons) = if waterfall.height >= WATERFALL_FULL + 1 + REASONS_MIN {
        let [waterfall, _, reasons] =
            Layout::vertical([Constraint::Length(WATERFALL_FULL), Constraint::Length(1), Constraint::Min(0)])
                .areas(waterfall);
        (waterfall, reasons)
    } else {
        (waterfall, Rect { height: 0, ..waterfall })
    };
    DecisionLayout { button, verdict, gauge, waterfall, reasons, gap }
}

/// Feature rows that fit in the waterfall area (heading, average, "other" and total lines
/// take four).
pub fn waterfall_rows(waterfall: Rect) -> usize {
    (waterfall.height as usize).saturating_sub(4).min(WATERFALL_MAX_ROWS)
}

/// The row of the waterfall area where feature row `index` is drawn (after the heading and
/// the average line).
pub fn waterfall_row_y(waterfall: Rect, index: usize) -> u16 {
    waterfall.y + 2 + index as u16
}

/// The Predict button.
pub const PREDICT_BUTTON: &str = "[ Predict ]";
/// Next to the button before predicting.
pub const PREDICT_HINT: &str = " press {predict} or {predict:2}, or click";
/// Shown instead of a decision before Predict.
pub const DECISION_HIDDEN: &str = "The decision is hidden until you press Predict.";
/// While scoring.
pub const SCORING: &str = "Scoring…";
/// Heading of the reasons in the Decision tab.
pub const REASONS_HEADING: &str = "Principal reasons (c: customer view, w: what-if, x: export)";
/// Heading of the counterfactual in the Decision tab.
pub const CHANGE_HEADING: &str = "What would change it";
/// When the Decision tab has no room for the reasons.
pub const REASONS_HINT: &str = "c: reasons for the customer · w: what-if · x: export";

/// The Decision tab's gauge label: the decision in words, and why; a short form when the long
/// one does not fit in `width`.
pub fn probability_line(decision: &str, refused: bool, probability: &str, threshold: &str, width: usize) -> String {
    let comparison = if refused { "at or above" } else { "below" };
    let long = format!("{decision}: probability of default {probability}, {comparison} the threshold {threshold}");
    if long.chars().count() <= width {
        return long;
    }
    let sign = if refused { '≥' } else { '<' };
    format!("{decision}: {probability} {sign} threshold {threshold}")
}

/// The gauge's line for an incomplete application: the probability is not a decision.
pub fn incomplete_line(probability: &str, width: usize) -> String {
    let long = format!("INCOMPLETE: probability of default {probability}, not a decision");
    if long.chars().count() <= width { long } else { format!("INCOMPLETE: {probability}, not a decision") }
}

/// Heading of what an incomplete application lacks.
pub const INCOMPLETE_HEADING: &str = "Incomplete application: no decision";
/// What the probability of an incomplete application is.
pub const INCOMPLETE_NOTE: &str = "Every decision needs these fields: complete the application and score it again. \
     The probability shown treats them as unknown; it is not a decision.";

/// The required fields an application lacks, by their labels (their column names when the
/// model reads them only through a derived feature).
pub fn missing_fields(missing: &[String], features: &[crate::domain::FeatureDescription]) -> String {
    let names: Vec<String> = missing
        .iter()
        .map(|name| match features.iter().find(|feature| &feature.name == name) {
            Some(feature) => format!("{} ({name})", feature.label_en),
            None => name.clone(),
        })
        .collect();
    format!("Missing: {}", names.join(", "))
}

/// The required fields an application lacks, by name, on one line.
pub fn missing_names(missing: &[String]) -> String {
    format!("Incomplete, missing: {}", missing.join(", "))
}

/// Heading of the waterfall.
pub const WATERFALL_HEADING: &str = "Why: contributions to the probability of default, in percentage points";
/// First line of the waterfall.
pub const WATERFALL_AVERAGE: &str = "Average client";
/// Last line of the waterfall.
pub const WATERFALL_CLIENT: &str = "This client";

/// The grouped line of the waterfall.
pub fn waterfall_rest(count: usize) -> String {
    match count {
        1 => "Other feature".into(),
        _ => format!("Other {count} features"),
    }
}

