//! The one interface between the dashboard and its overlays (the help, the customer view, the
//! forms, the reviewer's desk, the question before quitting), the twin of [`super::panel`] for
//! tabs: an overlay is told what happened ([`Input`]: a binding of the keymap, a character
//! typed, the wheel, a click), answers with what it needs done ([`Effect`]), draws itself from
//! its own state and the shared [`Context`], and says which keys it answers and which hints
//! the status bar shows for it.
//!
//! Uses: state, command, panel (the page size), keymap's bindings. An overlay never sees
//! `App` or `Action`.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::command::Command;
use super::keymap::binds::Bind;
use super::state::{Context, Mode};

/// What happened to an overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A key of one of the overlay's bindings ([`Layer::keys`]).
    Key(Bind),
    /// A character typed, for an overlay that takes text ([`Layer::typing`]).
    Text(char),
    /// The mouse wheel, or lines to scroll: positive scrolls down.
    Scroll(isize),
    /// A left click at (column, row).
    Click(u16, u16),
    /// Another client was selected.
    ClientChanged,
}

impl Input {
    /// The lines an input scrolls by, for an overlay that scrolls: the arrows a line, PgUp and
    /// PgDn a page ([`super::panel::PANEL_PAGE`]), the wheel its own count.
    pub fn scroll(self) -> Option<isize> {
        match self {
            Input::Key(Bind::Up) => Some(-1),
            Input::Key(Bind::Down) => Some(1),
            Input::Key(Bind::PageUp) => Some(-super::panel::PANEL_PAGE),
            Input::Key(Bind::PageDown) => Some(super::panel::PANEL_PAGE),
            Input::Scroll(delta) => Some(delta),
            _ => None,
        }
    }
}

/// Which characters an overlay takes as text, when no binding of it is the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typing {
    /// None: a key that is no binding does nothing.
    No,
    /// Every printable character, whatever the modifiers.
    Any,
    /// Printable characters without Ctrl or Alt (what a terminal sends for Esc then a key).
    Plain,
}

/// Where an overlay is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The whole screen, alone.
    Full,
    /// Over the client panel.
    Panel,
    /// Over everything but the status bar.
    Desk,
    /// A popup over everything, the status bar included.
    Popup,
}

/// What an overlay needs done outside its own state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Close the overlay.
    Close,
    /// Run this work in the background.
    Command(Command),
    /// Say this in the status bar.
    Info(String),
    /// Say this error in the status bar.
    Error(String),
    /// Clear the status bar (its hints show again).
    ClearStatus,
    /// Switch the customer's language.
    ToggleLanguage,
    /// Export the customer sheet of the decision on screen.
    Export,
    /// Record this decision in the journal (and keep it until it is committed).
    Record(Box<crate::journal::DecisionDraft>),
    /// Quit the dashboard.
    Quit,
}

/// An overlay: its state, how inputs change it, its keys, hints and drawing.
pub trait Layer: std::fmt::Debug {
    /// Opens the overlay over the shared state, with the work it starts; `Err` says why it
    /// cannot open now (shown in the status bar).
    fn open(context: &Context<'_>) -> Result<(Self, Vec<Effect>), String>
    where
        Self: Sized;

    /// What keys do while the overlay is on top.
    fn mode(&self) -> Mode;

    /// Where the overlay is drawn.
    fn place(&self) -> Place;

    /// The bindings the overlay answers, in the order they are tried.
    fn keys(&self) -> &'static [Bind];

    /// Which characters the overlay takes as text.
    fn typing(&self) -> Typing {
        Typing::No
    }

    /// The keys the status bar shows while the overlay is on top: `(key, what it does)`, key
    /// templates filled in by the keymap.
    fn hints(&self) -> &'static [(&'static str, &'static str)];

    /// Applies an input to the overlay's state; returns what else it needs done.
    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect>;

    /// Draws the overlay into `area` without changing anything.
    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect);
}
