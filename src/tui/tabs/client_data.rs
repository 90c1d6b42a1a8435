//! The Client data tab: every model feature of the client with its label, value, and where
//! the client stands among past clients.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::domain::format::{Language, format_value};
use crate::tui::layout::contains;
use crate::tui::panel::{Effect, Input, Panel, scrolled, stepped};
use crate::tui::state::{Context, Focus, Loadable};
use crate::tui::strings::{FEATURE_HINTS, LOADING, NO_CLIENTS};
use crate::tui::widgets::{fit, message};

/// The Client data tab's state.
#[derive(Debug, Default)]
pub struct ClientDataTab {
    /// The row under the cursor (a feature index).
    pub cursor: usize,
    /// The first row shown.
    pub offset: usize,
}

impl Panel for ClientDataTab {
    fn name() -> &'static str {
        "Client data"
    }

    fn short_name() -> &'static str {
        "Data"
    }

    fn hints() -> &'static [(&'static str, &'static str)] {
        FEATURE_HINTS
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        let features = context.info.features.len();
        match input {
            Input::Cursor(delta) => {
                self.cursor = stepped(self.cursor, delta, features);
                self.fit(context);
                Vec::new()
            }
            Input::Click(column, row) => {
                let Some(rows) = context.content().map(rows) else { return Vec::new() };
                let index = self.offset + row.saturating_sub(rows.y) as usize;
                if contains(rows, column, row) && index < features {
                    self.cursor = index;
                    return vec![Effect::FocusPanel];
                }
                Vec::new()
            }
            Input::Enter if self.cursor < features => vec![Effect::Compare(self.cursor)],
            Input::Fit => {
                self.fit(context);
                Vec::new()
            }
            Input::Enter | Input::Opened | Input::Sort | Input::ClientChanged | Input::Reconnected => Vec::new(),
        }
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        let theme = context.theme;
        let record = match context.record {
            Some((_, Loadable::Ready(record))) => record,
            Some((_, Loadable::Failed(error))) => return message(frame, area, error, theme.error),
            Some((_, Loadable::Loading)) => return message(frame, area, LOADING, theme.dim),
            None => return message(frame, area, NO_CLIENTS, theme.dim),
        };
        let width = area.width as usize;
        let position_width = 16;
        let value_width = (width.saturating_sub(position_width) * 2 / 5).min(26);
        let label_width = width.saturating_sub(value_width + position_width + 2);
        let [feature, value, position] = CLIENT_DATA_HEADINGS;
        let legend = format!("{feature}{}", REQUIRED_LEGEND);
        let feature = if legend.chars().count() <= label_width { legend.as_str() } else { feature };
        let heading =
            format!("{:<label_width$} {:<value_width$} {:>position_width$}", feature, value, fit(position, position_width));
        frame.render_widget(Paragraph::new(fit(&heading, width)).style(theme.heading), Rect { height: 1, ..area });
        let rows = rows(area);
        let lines: Vec<Line> = context
            .info
            .features
            .iter()
            .zip(&record.fields)
            .enumerate()
            .skip(self.offset)
            .take(rows.height as usize)
            .map(|(feature_idx, (feature, field))| {
                let mut label =
                    if feature.derived { format!("{} (computed)", feature.label_en) } else { feature.label_en.clone() };
                // Required fields are marked before the label, so a cut label keeps its mark.
                label.insert(0, if feature.required { '*' } else { ' ' });
                let lacking = record.missing.contains(&feature.name);
                let shown = if lacking {
                    REQUIRED_MISSING.into()
                } else {
                    format_value(&field.value, &feature.unit, Language::En)
                };
                let standing = match (field.percentile, field.share) {
                    (Some(percentile), _) => percentile_text(percentile),
                    (None, Some(share)) => share_text(share),
                    _ => String::new(),
                };
                let text = format!(
                    "{:<label_width$} {:<value_width$} {:>position_width$}",
                    fit(&label, label_width),
                    fit(&shown, value_width),
                    standing
                );
                let style = match (feature_idx == self.cursor, context.focus == Focus::Panel) {
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
}

impl ClientDataTab {
    /// Scrolls so that the cursor is in view.
    fn fit(&mut self, context: &Context<'_>) {
        if let Some(content) = context.content() {
            self.offset = scrolled(self.offset, self.cursor, rows(content).height.max(1) as usize);
        }
    }
}

/// The rows of the Client data table (below its heading).
pub fn rows(content: Rect) -> Rect {
    Rect { y: content.y + 1, height: content.height.saturating_sub(1), ..content }
}

/// Headings of the Client data table.
pub const CLIENT_DATA_HEADINGS: [&str; 3] = ["Feature", "Value", "Past clients"];

/// Added to the Client data's first heading where it fits: what the `*` before a label means.
pub const REQUIRED_LEGEND: &str = " (* required)";

/// The value of a required field the application lacks.
pub const REQUIRED_MISSING: &str = "MISSING, required";

/// A percentile for the Client data table: `23rd percentile`.
pub fn percentile_text(value: f64) -> String {
    format!("{} percentile", ordinal(value.round() as u32))
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`...
pub fn ordinal(number: u32) -> String {
    let suffix = match (number % 10, number % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{number}{suffix}")
}

/// A category share for the Client data table.
pub fn share_text(value: f64) -> String {
    if value > 0.0 && value < 0.5 { "<1 % alike".into() } else { format!("{value:.0} % alike") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_read_right() {
        let read: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 100, 101].into_iter().map(ordinal).collect();
        assert_eq!(
            read,
            ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "100th", "101st"]
        );
        assert_eq!(percentile_text(22.6), "23rd percentile");
    }
}
