//! Where everything sits on the screen, as pure functions of the terminal size.
//!
//! Drawing and mouse hit-testing both use these, so a click lands on what is drawn there. Each
//! tab lays out its own content ([`super::tabs`]).

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest terminal the dashboard draws in.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal the dashboard draws in.
pub const MIN_HEIGHT: u16 = 24;

/// The parts of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// The title bar (one line).
    pub title: Rect,
    /// The client list with its border.
    pub list: Rect,
    /// The search line inside the list.
    pub search: Rect,
    /// The list's column headings.
    pub list_header: Rect,
    /// The client rows.
    pub list_rows: Rect,
    /// The tab bar.
    pub tabs: Rect,
    /// The selected tab's content, inside its border.
    pub content: Rect,
    /// The content's border.
    pub panel: Rect,
    /// The status bar (one line).
    pub status: Rect,
}

/// The main screen's parts, or `None` when the terminal is smaller than 80×24.
pub fn screen(area: Rect) -> Option<Screen> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [title, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let list_width = if area.width >= 120 { 40 } else { 33 };
    let [list, right] = Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(body);
    let inner = inset(list);
    let [search, list_header, list_rows] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let [tabs, panel] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(right);
    Some(Screen { title, list, search, list_header, list_rows, tabs, content: inset(panel), panel, status })
}

/// The area inside a one-cell border.
pub fn inset(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(1),
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

/// Whether a point lies in an area.
pub fn contains(area: Rect, column: u16, row: u16) -> bool {
    column >= area.x && column < area.x + area.width && row >= area.y && row < area.y + area.height
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_small_below_80_by_24() {
        assert!(screen(Rect::new(0, 0, 79, 24)).is_none());
        assert!(screen(Rect::new(0, 0, 80, 23)).is_none());
        let screen = screen(Rect::new(0, 0, 80, 24));
        assert!(screen.is_some());
        let Some(screen) = screen else { return };
        // Title, body of 22 lines, status.
        assert_eq!((screen.title.y, screen.status.y), (0, 23));
        assert_eq!(screen.list.height, 22);
        // Search and headings take two lines inside the border.
        assert_eq!(screen.list_rows.height, 18);
        // Title (0), border (1), search (2), headings (3), first row (4).
        assert_eq!(screen.list_rows.y, 4);
    }
}
