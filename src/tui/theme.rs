//! Every colour and style of the dashboard, in one place.
//!
//! With `NO_COLOR` set (https://no-color.org) the theme has no colours at all; what matters
//! still reads, because decisions are words and emphasis uses bold, reverse and underline.

use ratatui::style::{Color, Modifier, Style};

/// The styles views draw with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// The title bar.
    pub title: Style,
    /// Ordinary text.
    pub text: Style,
    /// Less important text (units, hints).
    pub dim: Style,
    /// Headings and labels.
    pub heading: Style,
    /// A border around an unfocused panel.
    pub border: Style,
    /// A border around the focused panel.
    pub border_focused: Style,
    /// The selected row.
    pub selected: Style,
    /// The selected row of an unfocused list.
    pub selected_unfocused: Style,
    /// The current tab's title.
    pub tab_active: Style,
    /// Other tab titles.
    pub tab: Style,
    /// The word ACCEPTED and what supports acceptance.
    pub accepted: Style,
    /// The word REFUSED and what pushes towards refusal.
    pub refused: Style,
    /// The `[Predict]` button.
    pub button: Style,
    /// Bars of clients who repaid.
    pub repaid: Style,
    /// Bars of clients who defaulted.
    pub defaulted: Style,
    /// The marker of the selected client or of the threshold.
    pub marker: Style,
    /// The status bar.
    pub status: Style,
    /// Key names in the status bar and help.
    pub key: Style,
    /// An error message.
    pub error: Style,
    /// The bureau-balance status codes `C X 0 1 2 3 4 5`, in that order (a credit's months).
    pub bureau_status: [Style; 8],
}

impl Theme {
    /// The colour theme.
    pub const COLOR: Theme = Theme {
        title: Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD),
        text: Style::new(),
        dim: Style::new().fg(Color::DarkGray),
        heading: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
        border: Style::new().fg(Color::DarkGray),
        border_focused: Style::new().fg(Color::Cyan),
        selected: Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD),
        selected_unfocused: Style::new().add_modifier(Modifier::REVERSED),
        tab_active: Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD),
        tab: Style::new().fg(Color::Gray),
        accepted: Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        refused: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        button: Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD),
        repaid: Style::new().fg(Color::Blue),
        defaulted: Style::new().fg(Color::Magenta),
        marker: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        status: Style::new().fg(Color::Gray).bg(Color::Black),
        key: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        error: Style::new().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD),
        bureau_status: [
            Style::new().fg(Color::Black).bg(Color::Blue),
            Style::new().fg(Color::Black).bg(Color::Gray),
            Style::new().fg(Color::Black).bg(Color::Green),
            Style::new().fg(Color::Black).bg(Color::Yellow),
            Style::new().fg(Color::Black).bg(Color::LightRed),
            Style::new().fg(Color::White).bg(Color::Red),
            Style::new().fg(Color::White).bg(Color::Magenta),
            Style::new().fg(Color::White).bg(Color::Black).add_modifier(Modifier::BOLD),
        ],
    };

    /// The theme without colours.
    pub const MONOCHROME: Theme = Theme {
        title: Style::new().add_modifier(Modifier::REVERSED).add_modifier(Modifier::BOLD),
        text: Style::new(),
        dim: Style::new(),
        heading: Style::new().add_modifier(Modifier::BOLD),
        border: Style::new(),
        border_focused: Style::new().add_modifier(Modifier::BOLD),
        selected: Style::new().add_modifier(Modifier::REVERSED).add_modifier(Modifier::BOLD),
        selected_unfocused: Style::new().add_modifier(Modifier::UNDERLINED),
        tab_active: Style::new().add_modifier(Modifier::REVERSED).add_modifier(Modifier::BOLD),
        tab: Style::new(),
        accepted: Style::new().add_modifier(Modifier::BOLD),
        refused: Style::new().add_modifier(Modifier::BOLD),
        button: Style::new().add_modifier(Modifier::REVERSED).add_modifier(Modifier::BOLD),
        repaid: Style::new(),
        defaulted: Style::new(),
        marker: Style::new().add_modifier(Modifier::BOLD),
        status: Style::new().add_modifier(Modifier::REVERSED),
        key: Style::new().add_modifier(Modifier::BOLD),
        error: Style::new().add_modifier(Modifier::REVERSED).add_modifier(Modifier::BOLD),
        // Without colour the codes themselves are drawn; lateness is in bold.
        bureau_status: [
            Style::new(),
            Style::new(),
            Style::new(),
            Style::new().add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD),
            Style::new().add_modifier(Modifier::BOLD).add_modifier(Modifier::REVERSED),
        ],
    };

    /// The theme for this environment: monochrome when `NO_COLOR` is set and not empty.
    pub fn from_env() -> Theme {
        Theme::for_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// The theme for a value of `NO_COLOR`.
    pub fn for_no_color(value: Option<&std::ffi::OsStr>) -> Theme {
        match value {
            Some(value) if !value.is_empty() => Theme::MONOCHROME,
            _ => Theme::COLOR,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_means_no_colours() {
        assert_eq!(Theme::for_no_color(Some(std::ffi::OsStr::new("1"))), Theme::MONOCHROME);
        assert_eq!(Theme::for_no_color(Some(std::ffi::OsStr::new(""))), Theme::COLOR);
        assert_eq!(Theme::for_no_color(None), Theme::COLOR);
        let monochrome = Theme::MONOCHROME;
        let styles = [
            monochrome.title,
            monochrome.text,
            monochrome.dim,
            monochrome.heading,
            monochrome.selected,
            monochrome.accepted,
            monochrome.refused,
            monochrome.repaid,
            monochrome.defaulted,
            monochrome.marker,
            monochrome.status,
            monochrome.error,
        ];
        assert!(styles.iter().all(|style| style.fg.is_none() && style.bg.is_none()));
    }
}
