//! Charts as images, in terminals that can show them (kitty, sixel or iTerm2 graphics), with
//! `ratatui-image`; every other terminal keeps the text widgets.
//!
//! The customer view's chart is drawn by [`crate::charts`] into an RGB buffer off the UI task
//! (see [`super::action::Command::RenderChart`]); the buffer arrives in the app state, and the
//! image protocol made from it lives here, in the main loop's view state, because encoding it
//! for the terminal is the one thing drawing may mutate.
//!
//! Uses: app state (for what is on screen), views (where the chart sits). Only this file
//! imports ratatui-image.

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Clear;
use ratatui_image::StatefulImage;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::StatefulProtocol;

use super::app::{App, ChartKey};
use crate::config::GraphicsMode;

/// The terminal's image support and the image shown.
pub struct Graphics {
    picker: Picker,
    shown: Option<(ChartKey, StatefulProtocol)>,
}

impl std::fmt::Debug for Graphics {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Graphics")
            .field("protocol", &self.picker.protocol_type())
            .field("shown", &self.shown.as_ref().map(|(key, _)| key))
            .finish()
    }
}

impl Graphics {
    /// Asks the terminal (once, before it is taken over) which graphics protocol it speaks;
    /// `None` when it speaks none, so that the text widgets stay. Unicode half blocks are not
    /// worth an image: the text charts read better.
    ///
    /// In `auto` mode only terminals that announce themselves as graphics-capable are asked
    /// (kitty, WezTerm, iTerm2, Ghostty, foot, Konsole, mlterm, contour), and never inside tmux
    /// or screen: ratatui-image reads the answer on a thread of its own, which, when no answer
    /// comes, goes on reading the keyboard and swallows the first key presses.
    pub fn detect(mode: GraphicsMode) -> Option<Graphics> {
        let ask = match mode {
            GraphicsMode::Off => false,
            GraphicsMode::On => true,
            GraphicsMode::Auto => announces_graphics(&|name| std::env::var(name).ok()),
        };
        if !ask {
            tracing::info!("terminal graphics: not asked ({mode:?}), text charts");
            return None;
        }
        match Picker::from_query_stdio() {
            Ok(picker) if picker.protocol_type() != ProtocolType::Halfblocks => {
                tracing::info!("terminal graphics: {:?}", picker.protocol_type());
                Some(Graphics::with_picker(picker))
            }
            Ok(_) => {
                tracing::info!("terminal graphics: none, text charts");
                None
            }
            Err(error) => {
                tracing::info!("terminal graphics: the query failed ({error}), text charts");
                None
            }
        }
    }

    /// Graphics through a given picker (tests use half blocks, which draw into any buffer).
    pub fn with_picker(picker: Picker) -> Graphics {
        Graphics { picker, shown: None }
    }

    /// The pixels of one character cell.
    pub fn cell_pixels(&self) -> (u16, u16) {
        let size = self.picker.font_size();
        (size.width.max(1), size.height.max(1))
    }

    /// Draws the app's chart image where the customer view shows its chart, when the image is
    /// the one for what is on screen.
    pub fn render(&mut self, app: &App, frame: &mut Frame) {
        let Some((key, image)) = app.chart_image.as_ref() else { return };
        let Some((wanted, area)) = super::views::customer_chart(app) else { return };
        if *key != wanted {
            return;
        }
        if self.shown.as_ref().is_none_or(|(shown, _)| shown != key) {
            let protocol = self
                .picker
                .new_resize_protocol(image::DynamicImage::ImageRgb8(Arc::unwrap_or_clone(Arc::clone(image))));
            self.shown = Some((key.clone(), protocol));
        }
        if let Some((_, protocol)) = self.shown.as_mut() {
            draw(frame, area, protocol);
        }
    }
}

/// Whether the environment names a terminal known to show images, outside any multiplexer.
fn announces_graphics(variable: &dyn Fn(&str) -> Option<String>) -> bool {
    let has = |name: &str| variable(name).is_some_and(|value| !value.is_empty());
    if has("TMUX")
        || has("STY")
        || variable("TERM").is_some_and(|term| term.starts_with("screen") || term.starts_with("tmux"))
    {
        return false;
    }
    let term = variable("TERM").unwrap_or_default();
    let program = variable("TERM_PROGRAM").unwrap_or_default();
    has("KITTY_WINDOW_ID")
        || has("WEZTERM_EXECUTABLE")
        || has("KONSOLE_VERSION")
        || ["kitty", "foot", "mlterm", "contour", "ghostty", "wezterm"].iter().any(|name| term.contains(name))
        || ["iTerm.app", "WezTerm", "ghostty"].contains(&program.as_str())
}

fn draw(frame: &mut Frame, area: Rect, protocol: &mut StatefulProtocol) {
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(StatefulImage::default(), area, protocol);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
    }

    #[test]
    fn only_terminals_that_announce_graphics_are_asked_and_never_in_tmux() {
        assert!(announces_graphics(&environment(&[("TERM", "xterm-kitty")])));
        assert!(announces_graphics(&environment(&[("TERM", "xterm-256color"), ("TERM_PROGRAM", "iTerm.app")])));
        assert!(announces_graphics(&environment(&[("TERM", "foot")])));
        assert!(!announces_graphics(&environment(&[("TERM", "xterm-256color")])));
        assert!(!announces_graphics(&environment(&[])));
        assert!(!announces_graphics(&environment(&[("TERM", "tmux-256color"), ("KITTY_WINDOW_ID", "1")])));
        assert!(!announces_graphics(&environment(&[("TERM", "xterm-kitty"), ("TMUX", "/tmp/tmux-0/default,1,0")])));
    }
}
