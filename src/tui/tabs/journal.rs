//! The Journal tab: the selected client's recorded decisions, newest first (when, who, the
//! model version, the probability, the model's and the final decision, where it stands since
//! a contest, an override and why), with the one under the cursor in full below.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::format::{Language, format_percent};
use crate::journal::{CaseState, DecisionEvent};
use crate::tui::panel::{Effect, Input, Panel, stepped};
use crate::tui::state::{Context, Focus, Loadable};
use crate::tui::widgets::{fit, message};

/// The Journal tab's state.
#[derive(Debug, Default)]
pub struct JournalTab {
    /// The decision under the cursor.
    pub cursor: usize,
}

/// The tab's keys in the status bar.
const HINTS: &[(&str, &str)] = &[("{up}{down}", "decision"), ("{record}", "record"), ("{focus_clients}", "clients")];
/// The tab's keys in the help.
const HELP: &[(&str, &str)] = &[("{up}{down} (Journal)", "the client's recorded decisions, newest first; the one under the cursor in full")];

impl Panel for JournalTab {
    fn name() -> &'static str {
        "Journal"
    }

    fn short_name() -> &'static str {
        "Journal"
    }

    fn hints() -> &'static [(&'static str, &'static str)] {
        HINTS
    }

    fn help() -> &'static [(&'static str, &'static str)] {
        HELP
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Cursor(delta) => {
                let count = context.selected_history().map_or(0, <[DecisionEvent]>::len);
                self.cursor = stepped(self.cursor, delta, count);
                Vec::new()
            }
            Input::ClientChanged => {
                self.cursor = 0;
                Vec::new()
            }
            Input::Opened | Input::Click(..) | Input::Enter | Input::Sort | Input::Fit | Input::Reconnected => {
                Vec::new()
            }
        }
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        let theme = context.theme;
        let events = match (context.client, context.history) {
            (None, _) => return message(frame, area, "no client selected", theme.dim),
            (_, None) => return message(frame, area, NO_JOURNAL, theme.dim),
            (Some(client), Some((id, loadable))) if *id == client.id => match loadable {
                Loadable::Loading => return message(frame, area, "loading the client's decisions…", theme.dim),
                Loadable::Failed(error) => return message(frame, area, error, theme.error),
                Loadable::Ready(events) => events,
            },
            _ => return message(frame, area, "loading the client's decisions…", theme.dim),
        };
        if events.is_empty() {
            return message(frame, area, NO_DECISIONS, theme.dim);
        }
        let list_height = (events.len() as u16 + 1).min(area.height / 2).max(2);
        let [list, detail] = Layout::vertical([Constraint::Length(list_height), Constraint::Min(0)]).areas(area);
        let width = list.width as usize;
        let mut lines = vec![Line::styled(
            fit(
                &format!(
                    "{:<17} {:<10} {:>7}  {:<8} {:<8} {:<10} {}",
                    "when (UTC)", "by", "prob.", "model", "final", "now", "override"
                ),
                width,
            ),
            theme.heading,
        )];
        let visible = list_height.saturating_sub(1) as usize;
        let first = self.cursor.saturating_sub(visible.saturating_sub(1));
        for (index, event) in events.iter().enumerate().skip(first).take(visible) {
            let content = &event.content;
            let now = context.case_states.get(&event.id).map_or("-", |state| state.as_str());
            let line = format!(
                "{:<17} {:<10} {:>7}  {:<8} {:<8} {:<10} {}",
                when(&content.recorded_at),
                fit(&content.rm, 10),
                format_percent(content.probability, Language::En),
                content.model_decision.as_str(),
                content.final_decision.as_str(),
                now,
                content.reason_code.as_deref().unwrap_or("-"),
            );
            let selected = index == self.cursor && context.focus == Focus::Panel;
            lines.push(Line::styled(fit(&line, width), if selected { theme.selected } else { theme.text }));
        }
        frame.render_widget(Paragraph::new(lines), list);
        if let Some(event) = events.get(self.cursor) {
            frame.render_widget(Paragraph::new(details(context, event)).wrap(Wrap { trim: false }), detail);
        }
    }
}

/// `2026-12-01T10:00:00.123456Z` as `2026-12-01 10:00`.
pub fn when(recorded_at: &str) -> String {
    recorded_at.get(..16).map_or_else(|| recorded_at.to_string(), |text| text.replacen('T', " ", 1))
}

fn details(context: &Context<'_>, event: &DecisionEvent) -> Vec<Line<'static>> {
    let theme = context.theme;
    let content = &event.content;
    let pair = |name: &str, value: String| {
        Line::from(vec![Span::styled(format!("{name:<15}"), theme.heading), Span::raw(value)])
    };
    let mut lines = vec![
        Line::raw(""),
        pair("Decision", format!("#{} recorded {} UTC by {}", event.id, when(&content.recorded_at), content.rm)),
        pair(
            "Model",
            format!(
                "{} · probability {} against {} · {}",
                content.model_version,
                format_percent(content.probability, Language::En),
                format_percent(content.threshold, Language::En),
                content.model_decision
            ),
        ),
        pair(
            "Final",
            if content.overridden {
                format!("{} (override: {})", content.final_decision, content.reason_code.as_deref().unwrap_or("-"))
            } else {
                format!("{} (as proposed)", content.final_decision)
            },
        ),
    ];
    if let Some(justification) = &content.justification {
        lines.push(pair("Why", justification.clone()));
    }
    let case = format!("pad journal case {}", event.id);
    match context.case_states.get(&event.id) {
        Some(CaseState::Contested) => lines.push(pair(
            "Now",
            format!("contested by the customer, waiting for a second review (R, the reviewer's desk; {case})"),
        )),
        Some(CaseState::Upheld) => lines.push(pair("Now", format!("upheld on review ({case})"))),
        Some(CaseState::Overturned) => lines.push(pair(
            "Now",
            format!("overturned on review: the review's decision holds, not this one ({case})"),
        )),
        Some(CaseState::Decided) | None => {}
    }
    for reason in &content.reasons {
        lines.push(pair("Reason given", reason.text.clone()));
    }
    if let Some(change) = &content.counterfactual {
        lines.push(pair("Change offered", change.clone()));
    }
    if let Some(file) = &content.export_file {
        lines.push(pair("Sheet", file.clone()));
    }
    lines.push(Line::styled(format!("hash {}", event.hash), theme.dim));
    lines
}

/// Shown when the session records no decisions.
const NO_JOURNAL: &str = "no decision journal in this session";
/// Shown when the client has no recorded decision.
const NO_DECISIONS: &str = "no decision recorded for this client yet: predict (p), then record it (d)";
