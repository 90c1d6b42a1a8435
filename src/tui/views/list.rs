//! The client list: search line, headings, one row per client, and the count in the border.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use crate::domain::ClientSummary;
use crate::domain::format::{Language, format_number};
use crate::tui::app::App;
use crate::tui::layout::Screen;
use crate::tui::state::{Focus, Mode};
use crate::tui::strings;
use crate::tui::widgets::fit;

/// Width of each column but the last.
const ID_WIDTH: usize = 7;
const AGE_WIDTH: usize = 3;
const AMOUNT_WIDTH: usize = 11;

pub(super) fn render(app: &App, frame: &mut Frame, screen: &Screen) {
    let theme = &app.theme;
    let focused = app.focus == Focus::Clients && app.mode() != Mode::Help;
    let count = if app.visible.len() == app.clients.len() {
        format!(" {} {} ", strings::CLIENTS, app.clients.len())
    } else {
        format!(" {} {} of {} ", strings::CLIENTS, app.visible.len(), app.clients.len())
    };
    let block = Block::default()
        .title(count)
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(if focused { theme.border_focused } else { theme.border });
    frame.render_widget(block, screen.list);

    let search = match app.mode() {
        Mode::Search => Line::from(vec![
            Span::styled(app.keymap.expand(strings::SEARCH_PROMPT), theme.key),
            Span::raw(app.query.clone()),
            Span::styled("▏", theme.key),
        ]),
        _ if !app.query.is_empty() => Line::from(vec![
            Span::styled(app.keymap.expand(strings::SEARCH_PROMPT), theme.dim),
            Span::raw(app.query.clone()),
        ]),
        _ => Line::styled(app.keymap.expand(strings::SEARCH_HINT), theme.dim),
    };
    frame.render_widget(Paragraph::new(search), screen.search);

    let width = screen.list_rows.width as usize;
    let [id, age, amount, kind] = strings::LIST_HEADINGS;
    let heading = format!("{id:<ID_WIDTH$}{age:>AGE_WIDTH$}{amount:>AMOUNT_WIDTH$} {kind}");
    frame.render_widget(Paragraph::new(fit(&heading, width)).style(theme.heading), screen.list_header);

    if app.visible.is_empty() {
        frame.render_widget(Paragraph::new(strings::NO_CLIENTS).style(theme.dim), screen.list_rows);
        return;
    }
    let rows: Vec<Line> = app
        .visible
        .iter()
        .enumerate()
        .skip(app.list_offset)
        .take(screen.list_rows.height as usize)
        .filter_map(|(position, &index)| {
            let client = app.clients.get(index)?;
            let text = format!("{:<width$}", fit(&row_text(client), width));
            let style = match (position == app.selected, focused) {
                (true, true) => theme.selected,
                (true, false) => theme.selected_unfocused,
                (false, _) => theme.text,
            };
            Some(Line::styled(text, style))
        })
        .collect();
    frame.render_widget(Paragraph::new(rows), screen.list_rows);
}

/// One client's row: id, age, amount, loan type (gender-free).
fn row_text(client: &ClientSummary) -> String {
    let age = client.age_years.map_or_else(|| "–".to_string(), |age| age.to_string());
    let amount =
        client.amount.map_or_else(|| "–".to_string(), |amount| format_number(amount, "currency", Language::En));
    let kind = client.contract_type.as_deref().map_or("–", |kind| kind.strip_suffix(" loans").unwrap_or(kind));
    format!("{:<ID_WIDTH$}{age:>AGE_WIDTH$}{amount:>AMOUNT_WIDTH$} {kind}", client.id)
}
