//! The form recording the RM's final decision after Predict, over the client panel: as the
//! model proposed it, or overridden with a reason from the shipped list and a written
//! justification. The form is the dashboard's state while it is open
//! ([`super::super::app::App::record_form`]); the journal checks the decision again.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::format::{Language, format_percent};
use crate::domain::{ClientId, Decision};
use crate::journal::{MIN_JUSTIFICATION_CHARS, OverrideReasons};
use crate::tui::action::Action;
use crate::tui::state::Context;
use crate::tui::widgets::fit;

/// The record form.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordForm {
    /// The client decided on.
    pub client_id: ClientId,
    /// The model's decision.
    pub proposed: Decision,
    /// Whether the RM overrides it.
    pub overriding: bool,
    /// The reason chosen among those that can support the override.
    pub reason: usize,
    /// The justification typed.
    pub justification: String,
    /// Why the form cannot be recorded as it is, when it cannot.
    pub message: Option<String>,
}

impl RecordForm {
    /// A form for the model's decision on a client.
    pub fn new(client_id: ClientId, proposed: Decision) -> RecordForm {
        RecordForm { client_id, proposed, overriding: false, reason: 0, justification: String::new(), message: None }
    }

    /// The final decision the form records.
    pub fn final_decision(&self) -> Decision {
        match (self.overriding, self.proposed) {
            (false, decision) => decision,
            (true, Decision::Accepted) => Decision::Refused,
            (true, _) => Decision::Accepted,
        }
    }

    /// The reason code chosen, for an override.
    pub fn reason_code<'a>(&self, reasons: &'a OverrideReasons) -> Option<&'a str> {
        if !self.overriding {
            return None;
        }
        reasons.for_decision(self.final_decision()).get(self.reason).map(|reason| reason.code.as_str())
    }

    /// Moves the reason cursor.
    pub fn move_reason(&mut self, delta: isize, reasons: &OverrideReasons) {
        let count = reasons.for_decision(self.final_decision()).len();
        let last = count.saturating_sub(1) as isize;
        self.reason = (self.reason as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Why the form cannot be recorded yet, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let length = self.justification.trim().chars().count();
        (self.overriding && length < MIN_JUSTIFICATION_CHARS).then(|| {
            format!(
                "an override needs a justification of at least {MIN_JUSTIFICATION_CHARS} characters ({length} typed)"
            )
        })
    }
}

/// The action for a key in the form.
pub fn key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Enter => Some(Action::RecordSubmit),
        KeyCode::Tab | KeyCode::BackTab => Some(Action::RecordToggle),
        KeyCode::Up => Some(Action::RecordReason(-1)),
        KeyCode::Down => Some(Action::RecordReason(1)),
        KeyCode::Backspace => Some(Action::RecordBackspace),
        KeyCode::Char(character) if !character.is_control() => Some(Action::RecordInput(character)),
        _ => None,
    }
}

/// Heading of the form.
const TITLE: &str = " Record the decision ";

/// Draws the form over `area` (the client panel).
pub fn draw(context: &Context<'_>, form: &RecordForm, reasons: &OverrideReasons, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let inner = crate::tui::widgets::overlay(frame, area, TITLE, theme.border_focused);
    let width = inner.width as usize;
    let final_decision = form.final_decision();
    let mut lines = Vec::new();
    let probability = context
        .shown_explanation()
        .map(|explanation| format!(" (probability {})", format_percent(explanation.score.probability, Language::En)));
    lines.push(Line::from(vec![
        Span::styled(format!("Client {} · the model proposes ", form.client_id), theme.text),
        Span::styled(form.proposed.as_str(), decision_style(context, form.proposed)),
        Span::styled(probability.unwrap_or_default(), theme.dim),
    ]));
    lines.push(Line::raw(""));
    let choice = if form.overriding { "override: " } else { "as proposed: " };
    lines.push(Line::from(vec![
        Span::styled("Final decision  ", theme.heading),
        Span::styled(choice, theme.text),
        Span::styled(final_decision.as_str(), decision_style(context, final_decision)),
        Span::styled("   (Tab switches)", theme.dim),
    ]));
    if form.overriding {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Reason (↑↓)", theme.heading));
        for (index, reason) in reasons.for_decision(final_decision).iter().enumerate() {
            let style = if index == form.reason { theme.selected } else { theme.text };
            let marker = if index == form.reason { "▶ " } else { "  " };
            let text = format!("{marker}{} · {}", reason.code, reason.label(context.language));
            lines.push(Line::styled(fit(&text, width), style));
        }
        lines.push(Line::raw(""));
        let count = form.justification.trim().chars().count();
        lines.push(Line::from(vec![
            Span::styled("Justification ", theme.heading),
            Span::styled(format!("({count}/{MIN_JUSTIFICATION_CHARS} characters at least)"), theme.dim),
        ]));
        lines
            .push(Line::from(vec![Span::styled(form.justification.clone(), theme.text), Span::styled("▏", theme.key)]));
    }
    lines.push(Line::raw(""));
    if let Some(message) = &form.message {
        lines.push(Line::styled(message.clone(), theme.error));
    }
    lines.push(Line::styled("Enter records in the journal · Esc cancels", theme.dim));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn decision_style(context: &Context<'_>, decision: Decision) -> ratatui::style::Style {
    match decision {
        Decision::Accepted => context.theme.accepted,
        Decision::Refused => context.theme.refused,
        Decision::Incomplete => context.theme.error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_flips_the_decision_and_needs_a_justification() {
        let reasons = OverrideReasons::shipped().unwrap();
        let mut form = RecordForm::new(7, Decision::Refused);
        assert_eq!(form.final_decision(), Decision::Refused);
        assert_eq!(form.reason_code(&reasons), None);
        assert_eq!(form.problem(), None);
        form.overriding = true;
        assert_eq!(form.final_decision(), Decision::Accepted);
        // The first reason that can support an acceptance in the shipped list.
        assert_eq!(form.reason_code(&reasons), Some("ADDITIONAL_INCOME"));
        form.move_reason(-5, &reasons);
        assert_eq!(form.reason, 0);
        form.move_reason(100, &reasons);
        assert_eq!(form.reason, reasons.for_decision(Decision::Accepted).len() - 1);
        form.justification = "too short".into();
        assert!(form.problem().is_some_and(|problem| problem.contains("(9 typed)")));
        form.justification = "payslips of a second job checked".into();
        assert_eq!(form.problem(), None);
    }
}
