//! The Client data tab: every model feature of the client with its label, value, and where
//! the client stands among past clients.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{fit, message};
use crate::domain::format::{Language, format_value};
use crate::tui::app::{App, Focus, Loadable};
use crate::tui::layout;
use crate::tui::strings;

pub(super) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let record = match &app.record {
        Some((_, Loadable::Ready(record))) => record,
        Some((_, Loadable::Failed(error))) => return message(frame, area, error, theme.error),
        Some((_, Loadable::Loading)) => return message(frame, area, strings::LOADING, theme.dim),
        None => return message(frame, area, strings::NO_CLIENTS, theme.dim),
    };
    let width = area.width as usize;
    let position_width = 16;
    let value_width = (width.saturating_sub(position_width) * 2 / 5).min(26);
    let label_width = width.saturating_sub(value_width + position_width + 2);
    let [feature, value, position] = strings::CLIENT_DATA_HEADINGS;
    let legend = format!("{feature}{}", strings::REQUIRED_LEGEND);
    let feature = if legend.chars().count() <= label_width { legend.as_str() } else { feature };
    let heading =
        format!("{:<label_width$} {:<value_width$} {:>position_width$}", feature, value, fit(position, position_width));
    frame.render_widget(Paragraph::new(fit(&heading, width)).style(theme.heading), Rect { height: 1, ..area });
    let rows = layout::client_data_rows(area);
    let lines: Vec<Line> = app
        .info
        .features
        .iter()
        .zip(&record.fields)
        .enumerate()
        .skip(app.data_offset)
        .take(rows.height as usize)
        .map(|(feature_idx, (feature, field))| {
            let mut label =
                if feature.derived { format!("{} (computed)", feature.label_en) } else { feature.label_en.clone() };
            // Required fields are marked before the label, so a cut label keeps its mark.
            label.insert(0, if feature.required { '*' } else { ' ' });
            let lacking = record.missing.contains(&feature.name);
            let shown = if lacking {
                strings::REQUIRED_MISSING.into()
            } else {
                format_value(&field.value, &feature.unit, Language::En)
            };
            let standing = match (field.percentile, field.share) {
                (Some(percentile), _) => strings::percentile(percentile),
                (None, Some(share)) => strings::share(share),
                _ => String::new(),
            };
            let text = format!(
                "{:<label_width$} {:<value_width$} {:>position_width$}",
                fit(&label, label_width),
                fit(&shown, value_width),
                standing
            );
            let style = match (feature_idx == app.data_cursor, app.focus == Focus::Panel) {
                (true, true) => theme.selected,
                _ if lacking => theme.error,
                _ if !feature.used => theme.dim,
                _ => theme.text,
            };
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rows);
}
