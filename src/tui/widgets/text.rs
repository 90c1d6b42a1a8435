//! Text helpers shared by the widgets, tabs and screens: cutting, wrapping, a centred
//! message, and the partial blocks bars are drawn with.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Wrap};

/// Eighths of a cell, for bars drawn with partial blocks (index = eighths filled).
pub const HORIZONTAL_EIGHTHS: [&str; 9] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"];
/// Eighths of a cell from the bottom.
pub const VERTICAL_EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

/// Text cut to `width` characters, with an ellipsis when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        cut.push('…');
    }
    cut
}

/// Words laid out in lines of at most `width` characters (a longer word gets a line of its own).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    // Break only at plain spaces: no-break spaces hold "450 000 €" together, and a lone "%",
    // "€", ":" or ";" stays with the word before it ("8,4 %").
    let mut words: Vec<String> = Vec::new();
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        match words.last_mut() {
            Some(last) if word.chars().all(|c| "%€:;?!»,.".contains(c)) => {
                last.push('\u{a0}');
                last.push_str(word);
            }
            _ => words.push(word.to_string()),
        }
    }
    for word in words.iter().map(String::as_str) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A centred one-line message in an area.
pub fn message(frame: &mut Frame, area: Rect, text: &str, style: ratatui::style::Style) {
    let [_, middle, _] = Layout::vertical([Constraint::Min(0), Constraint::Length(2), Constraint::Min(0)]).areas(area);
    frame.render_widget(
        Paragraph::new(text).style(style).alignment(Alignment::Center).wrap(Wrap { trim: true }),
        middle,
    );
}

/// Clears `area` and frames it as a form over the screen (rounded, focused border, `title`);
/// returns the inside.
pub fn overlay(frame: &mut Frame, area: Rect, title: impl Into<String>, border: ratatui::style::Style) -> Rect {
    frame.render_widget(ratatui::widgets::Clear, area);
    let block = ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::ALL)
        .border_type(ratatui::widgets::BorderType::Rounded)
        .border_style(border)
        .title(title.into());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
