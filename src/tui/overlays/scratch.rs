//! A scratch overlay: a popup that says hello and closes on Esc (an experiment in how much an
//! overlay costs).
//!
//! Uses: overlay, keymap, state.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};

use crate::tui::keymap::binds::Bind;
use crate::tui::overlay::{Effect, Input, Layer, Place};
use crate::tui::state::{Context, Mode};

/// The scratch popup; no state.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scratch;

impl Layer for Scratch {
    fn open(_context: &Context<'_>) -> Result<(Scratch, Vec<Effect>), String> {
        Ok((Scratch, Vec::new()))
    }

    fn mode(&self) -> Mode {
        Mode::Scratch
    }

    fn place(&self) -> Place {
        Place::Popup
    }

    fn keys(&self) -> &'static [Bind] {
        &[Bind::Back]
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[("{back}", "close")]
    }

    fn update(&mut self, input: Input, _context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Key(Bind::Back) | Input::Click(..) => vec![Effect::Close],
            _ => Vec::new(),
        }
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        let popup = Rect { x: area.x + 10, y: area.y + 5, width: 30.min(area.width), height: 3.min(area.height) };
        frame.render_widget(Clear, popup);
        frame.render_widget(Paragraph::new(context.keymap.expand("hello · {back} closes")), popup);
    }
}
