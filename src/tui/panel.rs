//! The one interface between the dashboard and its tabs: a tab is told what happened to its
//! content ([`Input`]), answers with what it needs done ([`Effect`]), and draws itself from
//! its own state and the shared [`Context`].
//!
//! Uses: state, command. A tab never sees `App`: what it needs of the shared state is in the
//! context, and what it needs done outside its own state is an effect.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::command::Command;
use super::state::Context;

/// What happened to a tab's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The tab was opened.
    Opened,
    /// Move the cursor by this many rows (negative: up); the wheel over the content too.
    Cursor(isize),
    /// A left click at (column, row), inside the content.
    Click(u16, u16),
    /// Enter on the content: open the feature under the cursor in Compare.
    Enter,
    /// Change the order of the tab's table.
    Sort,
    /// Another client was selected.
    ClientChanged,
    /// The size changed: scroll so that the cursor stays in view.
    Fit,
    /// A lost server answers again: ask again for what failed.
    Reconnected,
}

/// What a tab needs done outside its own state.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Run this work in the background.
    Command(Command),
    /// Put the keyboard focus on the tab's content.
    FocusPanel,
    /// Score and explain the selected client.
    Predict,
    /// Open this feature in the Compare tab.
    Compare(usize),
}

/// A tab of the client panel: its state, how inputs change it, and its drawing.
pub trait Panel: std::fmt::Debug {
    /// The tab's name in the tab bar (after its number key).
    fn name() -> &'static str
    where
        Self: Sized;

    /// The tab's name in a narrow tab bar.
    fn short_name() -> &'static str
    where
        Self: Sized;

    /// The keys worth showing in the status bar while the tab's content has the focus:
    /// `(key, what it does)`, key templates (`{up}{down}`) filled in by the keymap.
    fn hints() -> &'static [(&'static str, &'static str)]
    where
        Self: Sized;

    /// The tab's own keys, for the help overlay: `(key, what it does)`, key templates filled
    /// in by the keymap.
    fn help() -> &'static [(&'static str, &'static str)]
    where
        Self: Sized,
    {
        &[]
    }

    /// Applies an input to the tab's state; returns what else it needs done.
    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect>;

    /// Draws the tab's content into `area` without changing anything.
    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect);
}

/// The offset that keeps `cursor` in a window of `height` rows, moving as little as possible.
pub fn scrolled(offset: usize, cursor: usize, height: usize) -> usize {
    if cursor < offset {
        cursor
    } else if cursor >= offset + height {
        cursor + 1 - height
    } else {
        offset
    }
}

/// A cursor moved by `delta` within `len` rows (0 when there are none).
pub fn stepped(cursor: usize, delta: isize, len: usize) -> usize {
    (cursor as isize).saturating_add(delta).clamp(0, len.saturating_sub(1) as isize) as usize
}

/// Rows a PgUp/PgDn moves inside a tab's content or a screen.
pub const PANEL_PAGE: isize = 10;
