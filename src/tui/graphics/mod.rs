//! Charts as images, in terminals that can show them (kitty, sixel or iTerm2 graphics), with
//! `ratatui-image`; every other terminal keeps the text widgets.
//!
//! The customer view's chart is drawn by [`crate::charts`] into an RGB buffer off the UI task
//! (see [`super::action::Command::RenderChart`]); the buffer arrives in the app state, and the
//! image protocol made from it lives here, in the main loop's view state, because encoding it
//! for the terminal is the one thing drawing may mutate.
//!
//! Uses: app state (for what is on screen), views (where the chart sits), terminal (the
//! session the question is asked in). Only this module imports ratatui-image.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyEvent;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Clear;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::StatefulProtocol;
use ratatui_image::{FontSize, StatefulImage};

use super::app::App;
use super::state::ChartKey;
use super::terminal::Session;
use crate::config::GraphicsMode;

mod query;

/// How long the terminal has to answer the graphics question. Terminals answer in a few
/// milliseconds; one that does not answer at all (a serial line, an old emulator) costs
/// this much at start and gets text charts.
const QUERY_WAIT: Duration = Duration::from_millis(1000);

/// The first kitty version that shows images placed with Unicode placeholders (the only
/// placement ratatui-image uses for kitty); older ones draw the placeholders as boxes.
const KITTY_PLACEHOLDERS: (u32, u32, u32) = (0, 28, 0);

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
    /// Asks the terminal (once, inside the session's raw mode, before the input task reads
    /// the keyboard) which graphics protocol it really supports; `None` when none that draws
    /// reliably, so that the text widgets stay. Also returns the keys pressed during the
    /// question, for the input to handle first.
    ///
    /// In `auto` mode only terminals that announce themselves as graphics-capable are asked
    /// (kitty, WezTerm, iTerm2, Ghostty, foot, Konsole, mlterm, contour), and never inside tmux
    /// or screen, which answer for themselves.
    pub fn detect(mode: GraphicsMode, _session: &Session) -> (Option<Graphics>, Vec<KeyEvent>) {
        let ask = match mode {
            GraphicsMode::Off => false,
            GraphicsMode::On => true,
            GraphicsMode::Auto => announces_graphics(&|name| std::env::var(name).ok()),
        };
        if !ask {
            tracing::info!("terminal graphics: not asked ({mode:?}), text charts");
            return (None, Vec::new());
        }
        let (reply, keys) = match query::ask(QUERY_WAIT) {
            Ok(answer) => answer,
            Err(error) => {
                tracing::info!("terminal graphics: the query failed ({error}), text charts");
                return (None, Vec::new());
            }
        };
        let cell = reply.cell.or_else(cell_from_window_size);
        let choice = choose(&reply, cell);
        tracing::info!("terminal graphics: {reply:?}, cell {cell:?}: {choice:?}");
        let graphics = match (choice, cell) {
            (Ok(protocol), Some((width, height))) => {
                // The one way to build a picker for a font size found elsewhere.
                #[allow(deprecated)]
                let mut picker = Picker::from_fontsize(FontSize::new(width, height));
                picker.set_protocol_type(protocol);
                Some(Graphics::with_picker(picker))
            }
            _ => None,
        };
        (graphics, keys)
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

/// Why a terminal gets the text charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextOnly {
    /// It did not answer the whole question in time.
    NoAnswer,
    /// Its cell size in pixels is unknown, so an image cannot be fitted to the cells.
    NoCellSize,
    /// It speaks the kitty protocol but is not known to show Unicode placeholders.
    KittyWithoutPlaceholders,
    /// It speaks no image protocol.
    NoProtocol,
}

/// The protocol to draw images with, from what the terminal said: kitty only where its
/// version is known to show Unicode placeholders, iTerm2's where the terminal names itself
/// iTerm2 or WezTerm, else sixel where it has it, else none.
fn choose(reply: &query::Reply, cell: Option<(u16, u16)>) -> Result<ProtocolType, TextOnly> {
    if !reply.complete {
        return Err(TextOnly::NoAnswer);
    }
    if cell.is_none() {
        return Err(TextOnly::NoCellSize);
    }
    if reply.kitty && reply.version.as_deref().is_some_and(shows_kitty_placeholders) {
        return Ok(ProtocolType::Kitty);
    }
    // iTerm2's own protocol, which WezTerm also draws better than its sixel or kitty images.
    if reply.version.as_deref().is_some_and(|version| version.starts_with("iTerm2") || version.starts_with("WezTerm")) {
        return Ok(ProtocolType::Iterm2);
    }
    if reply.sixel {
        return Ok(ProtocolType::Sixel);
    }
    Err(if reply.kitty { TextOnly::KittyWithoutPlaceholders } else { TextOnly::NoProtocol })
}

/// Whether a terminal that names itself so in its XTVERSION reply shows kitty images placed
/// with Unicode placeholders: kitty from 0.28.0 (`kitty(0.28.0)`) and Ghostty (`ghostty 1.0.1`,
/// which has them since its first release). WezTerm and Konsole answer the kitty query but do
/// not draw placeholders correctly; an unknown terminal is not trusted with them either.
fn shows_kitty_placeholders(version: &str) -> bool {
    if version.starts_with("ghostty") {
        return true;
    }
    let Some(number) = version.strip_prefix("kitty(").and_then(|rest| rest.strip_suffix(')')) else { return false };
    let mut parts = number.split('.').map(|part| part.parse::<u32>());
    match (parts.next(), parts.next(), parts.next().unwrap_or(Ok(0))) {
        (Some(Ok(major)), Some(Ok(minor)), Ok(patch)) => (major, minor, patch) >= KITTY_PLACEHOLDERS,
        _ => false,
    }
}

/// The cell size from the window size in pixels that some terminals report to the kernel
/// (others report zero).
fn cell_from_window_size() -> Option<(u16, u16)> {
    let size = rustix::termios::tcgetwinsize(std::io::stdout()).ok()?;
    if size.ws_col == 0 || size.ws_row == 0 || size.ws_xpixel == 0 || size.ws_ypixel == 0 {
        return None;
    }
    Some((size.ws_xpixel / size.ws_col, size.ws_ypixel / size.ws_row))
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

    fn reply(kitty: bool, sixel: bool, version: Option<&str>) -> query::Reply {
        query::Reply { complete: true, kitty, sixel, cell: Some((10, 20)), version: version.map(str::to_string) }
    }

    #[test]
    fn kitty_images_only_where_placeholders_are_known_to_work() {
        // kitty added Unicode placeholders in 0.28.0 (its changelog); 0.26.5 is Debian 12's.
        let cell = Some((10, 20));
        assert_eq!(choose(&reply(true, false, Some("kitty(0.28.0)")), cell), Ok(ProtocolType::Kitty));
        assert_eq!(choose(&reply(true, false, Some("kitty(0.35.2)")), cell), Ok(ProtocolType::Kitty));
        assert_eq!(choose(&reply(true, false, Some("kitty(1.0)")), cell), Ok(ProtocolType::Kitty));
        assert_eq!(choose(&reply(true, false, Some("ghostty 1.1.3")), cell), Ok(ProtocolType::Kitty));
        assert_eq!(choose(&reply(true, false, Some("kitty(0.26.5)")), cell), Err(TextOnly::KittyWithoutPlaceholders));
        assert_eq!(choose(&reply(true, false, Some("kitty(0.27.99)")), cell), Err(TextOnly::KittyWithoutPlaceholders));
        assert_eq!(choose(&reply(true, false, None), cell), Err(TextOnly::KittyWithoutPlaceholders));
        assert_eq!(
            choose(&reply(true, false, Some("WezTerm 20240203-110809-5046fc22")), cell),
            Ok(ProtocolType::Iterm2)
        );
        assert_eq!(choose(&reply(false, false, Some("iTerm2 3.5.0")), cell), Ok(ProtocolType::Iterm2));
        assert_eq!(choose(&reply(true, false, Some("Konsole 24.02")), cell), Err(TextOnly::KittyWithoutPlaceholders));
        assert_eq!(choose(&reply(true, false, Some("kitty(garbage)")), cell), Err(TextOnly::KittyWithoutPlaceholders));
        // A terminal with both, but not trusted with placeholders, gets sixel.
        assert_eq!(choose(&reply(true, true, Some("foot(1.16.2)")), cell), Ok(ProtocolType::Sixel));
    }

    #[test]
    fn sixel_needs_a_cell_size_and_a_whole_answer() {
        assert_eq!(choose(&reply(false, true, Some("XTerm(379)")), Some((7, 15))), Ok(ProtocolType::Sixel));
        assert_eq!(choose(&reply(false, true, Some("XTerm(379)")), None), Err(TextOnly::NoCellSize));
        let partial = query::Reply { complete: false, ..reply(false, true, None) };
        assert_eq!(choose(&partial, Some((7, 15))), Err(TextOnly::NoAnswer));
        assert_eq!(choose(&reply(false, false, Some("XTerm(379)")), Some((7, 15))), Err(TextOnly::NoProtocol));
    }
}
