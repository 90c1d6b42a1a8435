//! The what-if form, over the client panel: the client's actionable inputs with what is typed
//! for each, why a typed value cannot be used, and the probability, decision and reasons the
//! typed values give.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::domain::format::{Language, format_number, format_percent};
use crate::tui::app::{App, Loadable};
use crate::tui::layout;
use crate::tui::strings;

pub(super) fn render(app: &App, frame: &mut Frame, screen: &layout::Screen) {
    let Some(form) = &app.what_if else { return };
    let theme = &app.theme;
    let area = screen.panel;
    let block = Block::default()
        .title(format!(" {} ", strings::WHAT_IF_TITLE))
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border_focused);
    frame.render_widget(Clear, area);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    // One line per input: the label takes what the two figures leave (down to 12 columns).
    let value_width = 11;
    let try_width = 11;
    let label_width = (inner.width as usize).saturating_sub(2 + value_width + 3 + try_width).clamp(12, 40);
    let mut lines = vec![Line::styled(
        format!(
            "{:<label_width$}{:>value_width$}   {}",
            strings::WHAT_IF_HEADINGS[0],
            strings::WHAT_IF_HEADINGS[1],
            strings::WHAT_IF_HEADINGS[2]
        ),
        theme.heading,
    )];
    for (row, field) in form.fields.iter().enumerate() {
        let Some(feature) = app.info.features.get(field.feature_idx) else { continue };
        let label = super::fit(&feature.label_en, label_width.saturating_sub(1));
        let original = format_number(field.original, &feature.unit, Language::En);
        let selected = row == form.cursor;
        let typed = if selected { format!("{}▏", field.text) } else { field.text.clone() };
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<label_width$}{original:>value_width$}   "), theme.text),
            Span::styled(typed, if selected { theme.selected } else { theme.text }),
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(message) = &form.message {
        lines.push(Line::styled(message.clone(), theme.error));
        lines.push(Line::raw(""));
    }
    let before = form.baseline.as_ref();
    match &form.result {
        Some(Loadable::Ready(explanation)) => {
            let (probability, decision) = (explanation.score.probability, explanation.score.decision);
            let (before_probability, before_decision) = match before {
                Some(shown) => (format_percent(shown.score.probability, Language::En), shown.score.decision.as_str()),
                None => ("?".to_string(), "?"),
            };
            let style = match decision {
                crate::domain::Decision::Accepted => theme.accepted,
                crate::domain::Decision::Refused => theme.refused,
                crate::domain::Decision::Incomplete => theme.error,
            };
            lines.push(Line::styled(
                strings::what_if_result(
                    &before_probability,
                    &format_percent(probability, Language::En),
                    before_decision,
                    decision.as_str(),
                ),
                style,
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(strings::WHAT_IF_REASONS, theme.heading));
            for reason in &explanation.reasons {
                lines.push(Line::raw(format!("• {}", reason.text.en)));
            }
        }
        Some(Loadable::Loading) => lines.push(Line::styled(strings::WHAT_IF_SCORING, theme.dim)),
        Some(Loadable::Failed(message)) => lines.push(Line::styled(message.clone(), theme.error)),
        None => {}
    }
    let body = Rect { x: inner.x + 1, width: inner.width.saturating_sub(2), ..inner };
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), body);
}
