//! The Decision tab: the `[Predict]` button, the decision in large letters, the probability
//! against the threshold, and the contribution waterfall.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_big_text::{BigText, PixelSize};

use super::message;
use crate::domain::format::{Language, format_percent, format_points, format_value};
use crate::domain::wording;
use crate::domain::{Decision, Effect, Explanation};
use crate::tui::app::{App, Focus, Prediction, waterfall};
use crate::tui::layout;
use crate::tui::strings;
use crate::tui::widgets::{Step, ThresholdGauge, Waterfall};

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let parts = layout::decision(area);
    let mut button = vec![Span::styled(strings::PREDICT_BUTTON, theme.button)];
    match (&app.prediction, app.selected_client()) {
        (Prediction::Shown(explanation), _) => {
            button.push(Span::styled(format!(" client {}", explanation.score.client_id), theme.heading));
        }
        (_, Some(client)) => {
            button.push(Span::styled(format!(" client {} ·", client.id), theme.heading));
            button.push(Span::styled(strings::PREDICT_HINT, theme.dim));
        }
        (_, None) => {}
    }
    let button_line = Rect { width: area.width, ..parts.button };
    frame.render_widget(Paragraph::new(Line::from(button)), button_line);
    match &app.prediction {
        Prediction::Hidden => message(frame, parts.verdict, strings::DECISION_HIDDEN, theme.dim),
        Prediction::Loading(_) => message(frame, parts.verdict, strings::SCORING, theme.dim),
        Prediction::Failed(_, error) => message(frame, parts.verdict, error, theme.error),
        Prediction::Shown(explanation) => shown(app, frame, &parts, explanation),
    }
}

fn shown(app: &App, frame: &mut Frame, parts: &layout::DecisionLayout, explanation: &Explanation) {
    let theme = &app.theme;
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
        strings::probability_line(score.decision.as_str(), refused, &probability, &threshold, width)
    } else {
        strings::incomplete_line(&probability, width)
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
        Paragraph::new(super::fit(strings::WATERFALL_HEADING, area.width as usize)).style(theme.heading),
        area,
    );
    let rows = layout::waterfall_rows(area);
    let shown = waterfall(explanation, rows);
    let record = app.selected_record();
    let mut steps =
        vec![Step::Level { label: strings::WATERFALL_AVERAGE.into(), probability: explanation.base_probability }];
    for (row, &feature_idx) in shown.top.iter().enumerate() {
        let Some(feature) = app.info.features.get(feature_idx) else { continue };
        let value = record
            .and_then(|record| record.fields.get(feature_idx))
            .map(|field| format_value(&field.value, &feature.unit, Language::En));
        let label = match value {
            Some(value) => format!("{}: {value}", feature.label_en),
            None => feature.label_en.clone(),
        };
        let highlighted = app.focus == Focus::Panel && row == app.decision_cursor;
        steps.push(Step::Move { label, points: explanation.points[feature_idx], highlighted });
    }
    if shown.rest_count > 0 {
        steps.push(Step::Move {
            label: strings::waterfall_rest(shown.rest_count),
            points: shown.rest,
            highlighted: false,
        });
    }
    steps.push(Step::Level { label: strings::WATERFALL_CLIENT.into(), probability: score.probability });
    let widget = Waterfall {
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
    reasons(app, frame, parts.reasons, explanation);
    if parts.reasons.height == 0 {
        // Without room for the reasons, what an incomplete application lacks takes the hint's line.
        let (hint, style) = if score.decision.is_decided() {
            (strings::REASONS_HINT.to_string(), theme.dim)
        } else {
            (strings::missing_names(&score.missing), theme.error)
        };
        frame.render_widget(Paragraph::new(super::fit(&hint, parts.gap.width as usize)).style(style), parts.gap);
    }
}

/// The principal reasons and, for a refusal, what would change it, as the customer will hear
/// them (in English here; the customer view has both languages).
fn reasons(app: &App, frame: &mut Frame, area: Rect, explanation: &Explanation) {
    if area.height == 0 {
        return;
    }
    let theme = &app.theme;
    if !explanation.score.decision.is_decided() {
        let missing = strings::missing_fields(&explanation.score.missing, &app.info.features);
        let lines = vec![
            Line::styled(strings::INCOMPLETE_HEADING, theme.heading),
            Line::styled(missing, theme.error),
            Line::raw(strings::INCOMPLETE_NOTE),
        ];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
        return;
    }
    let mut lines = vec![Line::styled(strings::REASONS_HEADING, theme.heading)];
    if explanation.reasons.is_empty() {
        lines.push(Line::raw(wording::no_reasons(Language::En)));
    }
    for reason in &explanation.reasons {
        let style = match reason.effect {
            Effect::RaisesRisk => theme.refused,
            Effect::LowersRisk => theme.accepted,
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{:>9} ", format_points(reason.points, Language::En)), style),
            Span::raw(reason.text.en.clone()),
        ]));
    }
    if explanation.score.decision == Decision::Refused
        && let Some(change) = super::change_text(app, Language::En)
    {
        lines.push(Line::styled(strings::CHANGE_HEADING, theme.heading));
        lines.push(Line::raw(change));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
