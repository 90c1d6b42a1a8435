//! Terminal input in its own task: crossterm's event stream, key presses only, sent over a
//! channel with the moment each arrived (for the `--timing` latency figures).

use std::time::Instant;

use crossterm::event::{Event as TerminalEvent, EventStream, KeyEvent, KeyEventKind, MouseEvent};
use futures_util::StreamExt;
use tokio::sync::mpsc::UnboundedSender;

/// An input that matters to the dashboard.
#[derive(Debug, Clone)]
pub enum Event {
    /// A key was pressed (releases and repeats of releases are dropped).
    Key(KeyEvent, Instant),
    /// A mouse button or wheel.
    Mouse(MouseEvent),
    /// The terminal was resized to (columns, rows).
    Resize(u16, u16),
    /// The terminal input failed; the dashboard must stop.
    Failed(String),
}

/// Reads terminal events until the receiver is dropped or the input ends.
pub fn spawn(sender: UnboundedSender<Event>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut stream = EventStream::new();
        while let Some(next) = stream.next().await {
            let event = match next {
                Ok(TerminalEvent::Key(key)) if key.kind != KeyEventKind::Release => Event::Key(key, Instant::now()),
                Ok(TerminalEvent::Mouse(mouse)) => Event::Mouse(mouse),
                Ok(TerminalEvent::Resize(columns, rows)) => Event::Resize(columns, rows),
                Ok(_) => continue,
                Err(error) => Event::Failed(error.to_string()),
            };
            let failed = matches!(event, Event::Failed(_));
            // A send fails only when the main loop has ended; then there is nobody to tell.
            if sender.send(event).is_err() || failed {
                break;
            }
        }
    })
}
