//! Where everything sits on the screen, as pure functions of the terminal size.
//!
//! Drawing and mouse hit-testing both use these, so a click lands on what is drawn there.

use ratatui::layout::{Constraint, Layout, Rect};

use super::app::Tab;
use super::strings;

/// The smallest terminal the dashboard draws in.
pub const MIN_WIDTH: u16 = 80;
/// The smallest terminal the dashboard draws in.
pub const MIN_HEIGHT: u16 = 24;

/// Feature rows of the waterfall at most (the rest are grouped).
pub const WATERFALL_MAX_ROWS: usize = 10;

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

/// Whether the tab bar uses short titles without padding (below 70 columns).
pub fn narrow_tabs(tabs: Rect) -> bool {
    tabs.width < 70
}

/// The columns each tab title takes in the tab bar, padding included: `(tab, first column,
/// width)`. Titles are padded with a space each side, except in a narrow bar.
pub fn tab_positions(tabs: Rect) -> Vec<(Tab, u16, u16)> {
    let narrow = narrow_tabs(tabs);
    let padding = if narrow { 0 } else { 2 };
    let mut x = tabs.x;
    Tab::ALL
        .iter()
        .map(|&tab| {
            let width = strings::tab_title(tab, narrow).chars().count() as u16 + padding;
            let position = (tab, x, width);
            x = x.saturating_add(width + 1);
            position
        })
        .collect()
}

/// The tab whose title is at column `x` of the tab bar.
pub fn tab_at(tabs: Rect, x: u16) -> Option<Tab> {
    tab_positions(tabs).into_iter().find(|&(_, start, width)| x >= start && x < start + width).map(|(tab, _, _)| tab)
}

/// The parts of the Decision tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecisionLayout {
    /// The `[Predict]` button and the line it sits on.
    pub button: Rect,
    /// The decision in large letters.
    pub verdict: Rect,
    /// The probability against the threshold.
    pub gauge: Rect,
    /// The contribution waterfall, heading included.
    pub waterfall: Rect,
    /// The principal reasons and what would change the decision, below the waterfall when
    /// there is room (empty otherwise).
    pub reasons: Rect,
    /// The line between the gauge and the waterfall.
    pub gap: Rect,
}

/// Rows the waterfall takes when the reasons share its room: its heading, the average, ten
/// features, the rest and the client.
const WATERFALL_FULL: u16 = WATERFALL_MAX_ROWS as u16 + 4;

/// Rows the reasons need at least to be shown below the waterfall.
const REASONS_MIN: u16 = 8;

/// The Decision tab's parts within its content area.
pub fn decision(content: Rect) -> DecisionLayout {
    let [button, verdict, gauge, gap, waterfall] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(4),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(content);
    let button = Rect { width: (strings::PREDICT_BUTTON.chars().count() as u16).min(button.width), ..button };
    let (waterfall, reasons) = if waterfall.height >= WATERFALL_FULL + 1 + REASONS_MIN {
        let [waterfall, _, reasons] =
            Layout::vertical([Constraint::Length(WATERFALL_FULL), Constraint::Length(1), Constraint::Min(0)])
                .areas(waterfall);
        (waterfall, reasons)
    } else {
        (waterfall, Rect { height: 0, ..waterfall })
    };
    DecisionLayout { button, verdict, gauge, waterfall, reasons, gap }
}

/// Feature rows that fit in the waterfall area (heading, average, "other" and total lines
/// take four).
pub fn waterfall_rows(waterfall: Rect) -> usize {
    (waterfall.height as usize).saturating_sub(4).min(WATERFALL_MAX_ROWS)
}

/// The row of the waterfall area where feature row `index` is drawn (after the heading and
/// the average line).
pub fn waterfall_row_y(waterfall: Rect, index: usize) -> u16 {
    waterfall.y + 2 + index as u16
}

/// The rows of the Client data table (below its heading).
pub fn client_data_rows(content: Rect) -> Rect {
    Rect { y: content.y + 1, height: content.height.saturating_sub(1), ..content }
}

/// The Compare tab: the feature list on the left and the histogram on the right; below 90
/// columns there is no room for the list (an empty area), and the histogram takes it all.
pub fn compare(content: Rect) -> (Rect, Rect) {
    if content.width < 90 {
        return (Rect { width: 0, ..content }, content);
    }
    let [list, chart] = Layout::horizontal([Constraint::Length(34), Constraint::Min(0)]).areas(content);
    (list, chart)
}

/// The Drift tab: the table, and the selected feature's histograms (beside it from 110
/// columns, below it otherwise).
pub fn drift(content: Rect) -> (Rect, Rect) {
    if content.width >= 110 {
        let [table, chart] = Layout::horizontal([Constraint::Length(62), Constraint::Min(0)]).areas(content);
        (table, chart)
    } else {
        let [table, chart] = Layout::vertical([Constraint::Percentage(50), Constraint::Min(0)]).areas(content);
        (table, chart)
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

    #[test]
    fn tabs_are_found_where_their_titles_are() {
        let tabs = Rect::new(33, 1, 47, 1);
        let positions = tab_positions(tabs);
        // At 80 columns the short titles fit: the last one ends within the bar.
        let (_, start, width) = positions[4];
        assert!(start + width <= tabs.x + tabs.width);
        assert_eq!(positions.len(), Tab::ALL.len());
        let (tab, start, width) = positions[1];
        assert_eq!(tab_at(tabs, start), Some(tab));
        assert_eq!(tab_at(tabs, start + width - 1), Some(tab));
        assert_eq!(tab_at(tabs, start + width), None);
    }
}
