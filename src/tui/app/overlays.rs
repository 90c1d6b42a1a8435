//! Routing to the overlays: opening one over the shared state, handing the one on top what
//! happened to it, and doing what it asks ([`Effect`]).

use super::App;
use crate::tui::command::Command;
use crate::tui::overlay::{Effect, Input};
use crate::tui::overlays::{Kind, Overlay};
use crate::tui::state::{Status, StatusKind};

impl App {
    /// Opens an overlay on top, or says in the status bar why it cannot open now.
    pub(super) fn open(&mut self, kind: Kind) -> Vec<Command> {
        match Overlay::open(kind, &self.context()) {
            Ok((overlay, effects)) => {
                self.overlays.push(overlay);
                self.effects(effects)
            }
            Err(message) => {
                self.error(message);
                Vec::new()
            }
        }
    }

    /// Hands an input to the overlay on top, then does what it asks.
    pub(super) fn overlay_input(&mut self, input: Input) -> Vec<Command> {
        let mode = self.mode();
        // The overlay is set aside while it reads the rest of the state.
        let Some(mut overlay) = self.overlays.pop() else { return Vec::new() };
        let effects = {
            let mut context = self.context();
            context.mode = mode;
            overlay.layer_mut().update(input, &context)
        };
        self.overlays.push(overlay);
        self.effects(effects)
    }

    /// Closes the overlay on top; a question in the status bar goes with it.
    pub(super) fn close_top(&mut self) {
        if self.overlays.pop().is_some_and(|overlay| overlay.kind() == Kind::ConfirmQuit) {
            self.status = None;
        }
    }

    /// Does what an overlay asks, in order.
    pub(super) fn effects(&mut self, effects: Vec<Effect>) -> Vec<Command> {
        let mut commands = Vec::new();
        for effect in effects {
            match effect {
                Effect::Close => self.close_top(),
                Effect::Command(command) => commands.push(command),
                Effect::Info(text) => self.status = Some(Status { text, kind: StatusKind::Info }),
                Effect::Error(text) => self.error(text),
                Effect::ClearStatus => self.status = None,
                Effect::ToggleLanguage => self.language = self.language.toggled(),
                Effect::Export => commands.extend(self.export()),
                Effect::Record(draft) => {
                    self.status = Some(Status {
                        text: format!("recording the decision on client {}…", draft.rm.client_id),
                        kind: StatusKind::Info,
                    });
                    self.pending = Some(draft.clone());
                    commands.push(Command::Record(draft, 0));
                }
                Effect::Quit => self.should_quit = true,
            }
        }
        commands
    }
}
