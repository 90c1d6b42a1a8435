//! The form recording a customer's contest of a recorded decision (`C`, on the decision under
//! the Journal tab's cursor, else the client's latest): the customer's statement in their
//! words and the channel it came by. The contest is an event of the journal; the decision then
//! waits in the reviewers' queue.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::ClientId;
use crate::journal::Channel;
use crate::tui::action::Action;
use crate::tui::state::Context;

/// The contest form.
#[derive(Debug, Clone, PartialEq)]
pub struct ContestForm {
    /// The decision contested.
    pub decision_id: i64,
    /// Its client.
    pub client_id: ClientId,
    /// When it was decided, and its final decision, for the heading.
    pub decided: String,
    /// The customer's statement typed.
    pub statement: String,
    /// The channel chosen, in [`Channel::ALL`].
    pub channel: usize,
    /// Why the form cannot be recorded as it is, when it cannot.
    pub message: Option<String>,
}

impl ContestForm {
    /// A form for a decision.
    pub fn new(decision_id: i64, client_id: ClientId, decided: String) -> ContestForm {
        ContestForm { decision_id, client_id, decided, statement: String::new(), channel: 0, message: None }
    }

    /// The channel chosen.
    pub fn channel(&self) -> Channel {
        Channel::ALL[self.channel % Channel::ALL.len()]
    }

    /// Moves the channel choice, round the list.
    pub fn move_channel(&mut self, delta: isize) {
        let count = Channel::ALL.len() as isize;
        self.channel = (self.channel as isize + delta).rem_euclid(count) as usize;
    }

    /// Why the form cannot be recorded yet, if it cannot.
    pub fn problem(&self) -> Option<String> {
        self.statement.trim().is_empty().then(|| "type the customer's statement, in their words".to_string())
    }
}

/// The action for a key in the form.
pub fn key(key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Enter => Some(Action::ContestSubmit),
        KeyCode::Tab | KeyCode::Down => Some(Action::ContestChannel(1)),
        KeyCode::BackTab | KeyCode::Up => Some(Action::ContestChannel(-1)),
        KeyCode::Backspace => Some(Action::ContestBackspace),
        KeyCode::Char(character) if !character.is_control() => Some(Action::ContestInput(character)),
        _ => None,
    }
}

/// Draws the form over `area` (the client panel).
pub fn draw(context: &Context<'_>, form: &ContestForm, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let inner = crate::tui::widgets::overlay(frame, area, " The customer contests the decision ", theme.border_focused);
    let channels: Vec<Span> = Channel::ALL
        .iter()
        .enumerate()
        .flat_map(|(index, channel)| {
            let style = if index == form.channel { theme.selected } else { theme.dim };
            [Span::styled(format!(" {} ", channel.as_str()), style), Span::raw(" ")]
        })
        .collect();
    let mut lines = vec![
        Line::styled(
            format!("Decision #{} on client {} · {}", form.decision_id, form.client_id, form.decided),
            theme.text,
        ),
        Line::raw(""),
        Line::from([vec![Span::styled("Channel (Tab)  ", theme.heading)], channels].concat()),
        Line::raw(""),
        Line::styled("The customer's statement, in their words", theme.heading),
        Line::from(vec![Span::styled(form.statement.clone(), theme.text), Span::styled("▏", theme.key)]),
        Line::raw(""),
    ];
    if let Some(message) = &form.message {
        lines.push(Line::styled(message.clone(), theme.error));
    }
    lines.push(Line::styled(
        "Enter records the contest in the journal (a reviewer who did not decide answers it within a month) · Esc cancels",
        theme.dim,
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_channel_goes_round_and_a_statement_is_needed() {
        let mut form = ContestForm::new(3, 400001, "REFUSED on 2026-12-01".into());
        assert!(form.problem().is_some());
        form.move_channel(-1);
        assert_eq!(form.channel(), Channel::Online);
        form.move_channel(2);
        assert_eq!(form.channel(), Channel::Phone);
        form.statement = "I was employed then".into();
        assert_eq!(form.problem(), None);
    }
}
