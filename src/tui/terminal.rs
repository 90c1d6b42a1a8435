//! Taking over the terminal and giving it back, on every path: a normal exit, an error at any
//! step of the start, and a panic.
//!
//! [`Session`] is the guard: each change it makes to the terminal (raw mode, the alternate
//! screen, mouse capture, a hidden cursor) is recorded as it succeeds, and dropping the guard
//! undoes exactly those, so a start that fails half way gives the terminal back before the
//! error is printed. The same record is kept in a process-wide flag set that the panic hook
//! reads, because a panic may unwind past the guard or abort before it is dropped.

use std::io::{Stdout, stdout};
use std::sync::Once;
use std::sync::atomic::{AtomicU8, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The dashboard's terminal.
pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Raw mode is on.
const RAW: u8 = 1;
/// The alternate screen is shown.
const ALTERNATE: u8 = 1 << 1;
/// Mouse reports are on.
const MOUSE: u8 = 1 << 2;
/// The cursor was hidden.
const HIDDEN_CURSOR: u8 = 1 << 3;

/// What the dashboard changed in the terminal and has not undone yet.
static CHANGED: AtomicU8 = AtomicU8::new(0);

static PANIC_HOOK: Once = Once::new();

/// The terminal taken over; dropping it gives the terminal back as it was.
#[derive(Debug)]
#[must_use = "dropping the session gives the terminal back at once"]
pub struct Session {
    _private: (),
}

impl Session {
    /// Raw mode and the alternate screen, with the panic hook that undoes them first.
    ///
    /// Raw mode is entered here once and stays until the session ends: anything that asks the
    /// terminal a question (the graphics query) does it inside the session, so no other code
    /// changes the terminal settings behind the dashboard's back.
    pub fn start() -> std::io::Result<Session> {
        PANIC_HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                // A damaged file's reader panicking is turned into an error: the dashboard goes on.
                if !crate::data::panic_is_contained() {
                    restore();
                }
                previous(info);
            }));
        });
        let session = Session { _private: () };
        enable_raw_mode()?;
        CHANGED.fetch_or(RAW, Ordering::SeqCst);
        execute!(stdout(), EnterAlternateScreen)?;
        CHANGED.fetch_or(ALTERNATE, Ordering::SeqCst);
        Ok(session)
    }

    /// Mouse clicks and wheel reported as input.
    pub fn capture_mouse(&mut self) -> std::io::Result<()> {
        // Recorded first: a failed write may still have reached the terminal in part.
        CHANGED.fetch_or(MOUSE, Ordering::SeqCst);
        execute!(stdout(), EnableMouseCapture)
    }

    /// The ratatui terminal over the session, cleared (ratatui hides the cursor while it draws).
    pub fn terminal(&mut self) -> std::io::Result<Tui> {
        CHANGED.fetch_or(HIDDEN_CURSOR, Ordering::SeqCst);
        execute!(stdout(), Hide)?;
        let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
        terminal.clear()?;
        Ok(terminal)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        restore();
    }
}

/// Undoes what the dashboard changed in the terminal, in the reverse order. Safe to call more
/// than once; errors are ignored because there is nothing left to restore them with.
pub fn restore() {
    let changed = CHANGED.swap(0, Ordering::SeqCst);
    if changed & MOUSE != 0 {
        let _ = execute!(stdout(), DisableMouseCapture);
    }
    if changed & HIDDEN_CURSOR != 0 {
        let _ = execute!(stdout(), Show);
    }
    if changed & ALTERNATE != 0 {
        let _ = execute!(stdout(), LeaveAlternateScreen);
    }
    if changed & RAW != 0 {
        let _ = disable_raw_mode();
    }
}
