//! The decision journal's part of the dashboard's state changes: the decision waiting to be
//! recorded (retried while the journal cannot be reached), the client's history, the
//! journal's answers to contests and reviews, and asking before quitting with a decision not
//! recorded. The forms themselves are overlays ([`crate::tui::overlays`]).

use super::App;
use crate::domain::ClientId;
use crate::journal::DecisionEvent;
use crate::tui::action::RecordFailure;
use crate::tui::command::Command;
use crate::tui::overlays::{Kind, Overlay, open_mut};
use crate::tui::state::{Loadable, Mode, Status, StatusKind};

/// Most past decisions of a client loaded.
pub const HISTORY_LIMIT: usize = 50;

impl App {
    /// The journal answered: recorded (committed), refused, or unreachable (kept and retried).
    pub(super) fn recorded(
        &mut self,
        client_id: ClientId,
        result: Result<Box<DecisionEvent>, RecordFailure>,
    ) -> Vec<Command> {
        match result {
            Ok(event) => {
                self.pending = None;
                self.record_attempt = 0;
                let content = &event.content;
                let override_note = if content.overridden { " (override)" } else { "" };
                self.status = Some(Status {
                    text: format!(
                        "recorded: decision #{} on client {client_id}, {}{override_note}, by {}",
                        event.id, content.final_decision, content.rm
                    ),
                    kind: StatusKind::Info,
                });
                if let Some((history_id, Loadable::Ready(events))) = &mut self.history
                    && *history_id == client_id
                {
                    events.insert(0, *event);
                } else if self.selected_client().is_some_and(|client| client.id == client_id) {
                    self.history = Some((client_id, Loadable::Ready(vec![*event])));
                }
                Vec::new()
            }
            Err(failure) if failure.transient => {
                let next = self.record_attempt.saturating_add(1);
                self.record_attempt = next;
                let wait = crate::tui::state::reconnect_delay(next).as_secs();
                self.error(format!(
                    "NOT recorded yet (client {client_id}): {}; kept on screen and retried in {wait} s",
                    failure.message
                ));
                match &self.pending {
                    Some(draft) => vec![Command::Record(draft.clone(), next)],
                    None => Vec::new(),
                }
            }
            Err(failure) => {
                self.pending = None;
                self.record_attempt = 0;
                self.error(format!("not recorded (client {client_id}): {}", failure.message));
                Vec::new()
            }
        }
    }

    /// The client's history arrived.
    pub(super) fn history_loaded(
        &mut self,
        client_id: ClientId,
        result: Result<(Vec<DecisionEvent>, crate::journal::CaseStates), String>,
    ) {
        if self.history.as_ref().is_some_and(|(wanted, _)| *wanted == client_id) {
            let loaded = match result {
                Ok((events, states)) => {
                    self.case_states = states;
                    Loadable::Ready(events)
                }
                Err(message) => {
                    self.case_states.clear();
                    Loadable::Failed(message)
                }
            };
            self.history = Some((client_id, loaded));
        }
    }

    /// Loads the selected client's history, when a journal is open.
    pub(super) fn load_history(&mut self) -> Option<Command> {
        self.journal.as_ref()?;
        let id = self.selected_client()?.id;
        self.history = Some((id, Loadable::Loading));
        Some(Command::LoadDecisions(id))
    }

    /// The journal answered a contest.
    pub(super) fn contest_recorded(&mut self, result: Result<Box<crate::journal::CaseEvent>, String>) -> Vec<Command> {
        match result {
            Ok(event) => {
                let deadline = crate::journal::answer_deadline(event.content.recorded_at()).unwrap_or_default();
                let decision = event.content.columns().decision_id.unwrap_or_default();
                self.status = Some(Status {
                    text: format!(
                        "recorded: contest #{} of decision #{decision}, to be answered by {deadline} ({}: the \
                         reviewers' queue)",
                        event.id,
                        self.keymap.expand("{review}")
                    ),
                    kind: StatusKind::Info,
                });
                // The Journal tab shows the decision contested.
                self.load_history().into_iter().collect()
            }
            Err(message) => {
                self.error(format!("contest NOT recorded: {message}"));
                Vec::new()
            }
        }
    }

    /// The journal answered a review.
    pub(super) fn review_recorded(&mut self, result: Result<Box<crate::journal::CaseEvent>, String>) -> Vec<Command> {
        let Some(desk) = open_mut::review(&mut self.overlays) else { return Vec::new() };
        let effects = desk.recorded(result.map(|event| *event), &self.keymap);
        let mut commands = self.effects(effects);
        commands.extend(self.load_history());
        commands
    }

    /// Quits, unless a decision is not recorded yet: then asks first (a second quit quits).
    pub(super) fn quit(&mut self) {
        if self.pending.is_some() && self.mode() != Mode::ConfirmQuit {
            // The question replaces whatever was open, as a new client would.
            self.overlays.clear();
            self.searching = false;
            if let Ok((overlay, effects)) = Overlay::open(Kind::ConfirmQuit, &self.context()) {
                self.overlays.push(overlay);
                let _ = self.effects(effects);
            }
            return;
        }
        self.should_quit = true;
    }
}
