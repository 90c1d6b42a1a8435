//! The form recording a customer's contest of a recorded decision (`C`, on the decision under
//! the Journal tab's cursor, else the client's latest): the customer's statement in their
//! words and the channel it came by. The contest is an event of the journal; the decision then
//! waits in the reviewers' queue.
//!
//! Uses: overlay, keymap, state, command, domain, journal.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::ClientId;
use crate::journal::Channel;
use crate::tui::command::Command;
use crate::tui::keymap::binds::Bind;
use crate::tui::overlay::{Effect, Input, Layer, Place, Typing};
use crate::tui::state::{Context, Mode};

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

impl Layer for ContestForm {
    /// Opens on the decision under the Journal tab's cursor (when that tab is shown), else the
    /// selected client's latest decision.
    fn open(context: &Context<'_>) -> Result<(ContestForm, Vec<Effect>), String> {
        if context.journal.is_none() {
            return Err("no journal: contests cannot be recorded in this session".into());
        }
        let index = context.journal_cursor.unwrap_or(0);
        let chosen = context.selected_history().and_then(|events| events.get(index).or(events.first()));
        let Some(event) = chosen else {
            return Err("this client has no recorded decision to contest (the Journal tab, 9, lists them)".into());
        };
        let decided = format!(
            "{} by {} on {}",
            event.content.final_decision,
            event.content.rm,
            event.content.recorded_at.get(..10).unwrap_or_default()
        );
        Ok((ContestForm::new(event.id, event.content.client_id, decided), Vec::new()))
    }

    fn mode(&self) -> Mode {
        Mode::Contest
    }

    fn place(&self) -> Place {
        Place::Panel
    }

    fn keys(&self) -> &'static [Bind] {
        &[Bind::Back, Bind::Submit, Bind::ContestChannelNext, Bind::ContestChannelPrevious, Bind::DeleteChar]
    }

    fn typing(&self) -> Typing {
        Typing::Any
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[("type", "statement"), ("{contest_channel_next}", "channel"), ("{submit}", "record"), ("{back}", "cancel")]
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Key(Bind::Back) | Input::ClientChanged => return vec![Effect::Close],
            Input::Key(Bind::Submit) => return self.submit(context),
            Input::Key(Bind::ContestChannelNext) => self.move_channel(1),
            Input::Key(Bind::ContestChannelPrevious) => self.move_channel(-1),
            Input::Key(Bind::DeleteChar) => {
                self.statement.pop();
            }
            Input::Text(character) if self.statement.chars().count() < crate::journal::MAX_TEXT_CHARS => {
                self.statement.push(character);
                self.message = None;
            }
            _ => {}
        }
        Vec::new()
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        draw(context, self, frame, area);
    }
}

impl ContestForm {
    /// Records the contest of the form.
    fn submit(&mut self, context: &Context<'_>) -> Vec<Effect> {
        if let Some(problem) = self.problem() {
            self.message = Some(problem);
            return Vec::new();
        }
        let draft = crate::journal::ContestDraft {
            decision_id: self.decision_id,
            statement: self.statement.trim().to_string(),
            channel: self.channel(),
            by: context.rm.to_string(),
        };
        vec![
            Effect::Info(format!("recording the contest of decision #{}…", self.decision_id)),
            Effect::Close,
            Effect::Command(Command::RecordContest(Box::new(draft))),
        ]
    }
}

/// Draws the form over `area` (the client panel).
fn draw(context: &Context<'_>, form: &ContestForm, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let keys = context.keymap;
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
        Line::from([vec![Span::styled(keys.expand("Channel ({contest_channel_next})  "), theme.heading)], channels].concat()),
        Line::raw(""),
        Line::styled("The customer's statement, in their words", theme.heading),
        Line::from(vec![Span::styled(form.statement.clone(), theme.text), Span::styled("▏", theme.key)]),
        Line::raw(""),
    ];
    if let Some(message) = &form.message {
        lines.push(Line::styled(message.clone(), theme.error));
    }
    lines.push(Line::styled(
        keys.expand(
            "{submit} records the contest in the journal (a reviewer who did not decide answers it within a month) \
             · {back} cancels",
        ),
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
