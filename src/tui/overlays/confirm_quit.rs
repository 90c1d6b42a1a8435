//! The question before quitting with a decision the journal has not committed: the status bar
//! asks, `q` quits and loses it, `Esc` stays (and the decision keeps being retried). Nothing is
//! drawn but the question in the status bar.
//!
//! Uses: overlay, keymap, state.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::tui::keymap::binds::Bind;
use crate::tui::overlay::{Effect, Input, Layer, Place};
use crate::tui::state::{Context, Mode};

/// The question; it has no state of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConfirmQuit;

/// The question, key templates filled in by the keymap.
const QUESTION: &str = "a decision is NOT recorded yet (the journal cannot be reached): {confirm_quit} quits and loses \
                        it, {confirm_stay} stays and keeps retrying";

impl Layer for ConfirmQuit {
    fn open(context: &Context<'_>) -> Result<(ConfirmQuit, Vec<Effect>), String> {
        Ok((ConfirmQuit, vec![Effect::Error(context.keymap.expand(QUESTION))]))
    }

    fn mode(&self) -> Mode {
        Mode::ConfirmQuit
    }

    fn place(&self) -> Place {
        Place::Popup
    }

    fn keys(&self) -> &'static [Bind] {
        &[Bind::ConfirmQuit, Bind::ConfirmStay]
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[("{confirm_quit}", "quit and lose it"), ("{confirm_stay}", "stay")]
    }

    fn update(&mut self, input: Input, _context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Key(Bind::ConfirmQuit) => vec![Effect::Quit],
            Input::Key(Bind::ConfirmStay) => vec![Effect::Close, Effect::ClearStatus],
            _ => Vec::new(),
        }
    }

    fn draw(&self, _context: &Context<'_>, _frame: &mut Frame, _area: Rect) {}
}
