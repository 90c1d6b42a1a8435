//! Drawing the frame around the tabs: the title bar, the client list, the tab bar and the
//! panel's border, the status bar (its hints from the keymap), and the overlay on top where it
//! goes. Each tab and overlay draws its own content ([`super::tabs`], [`super::overlays`]);
//! nothing here changes state.
//!
//! Uses: app, state, layout, strings, tabs, overlay, overlays.

mod list;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use super::app::App;
use super::layout::{self, Screen};
use super::overlay::Place;
use super::overlays::customer;
use super::state::{ChartKey, Focus, Mode, StatusKind};
use super::strings;
use super::tabs::{Tab, TitleStyle, tab_positions};
use crate::domain::format::{Language, format_percent};
use crate::scoring::Source;

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let Some(screen) = layout::screen(area) else {
        too_small(app, frame, area);
        return;
    };
    let context = app.context();
    let top = app.overlays.top().map(|overlay| overlay.layer());
    let place = top.map(|layer| layer.place());
    if let (Some(layer), Some(Place::Full)) = (top, place) {
        layer.draw(&context, frame, area);
        return;
    }
    title(app, frame, screen.title);
    list::render(app, frame, &screen);
    panel(app, frame, &screen);
    match (top, place) {
        (Some(layer), Some(Place::Panel)) => layer.draw(&context, frame, screen.panel),
        (Some(layer), Some(Place::Desk)) => {
            layer.draw(&context, frame, Rect { height: area.height.saturating_sub(1), ..area });
        }
        _ => {}
    }
    status(app, frame, screen.status);
    if let (Some(layer), Some(Place::Popup)) = (top, place) {
        layer.draw(&context, frame, area);
    }
}

fn too_small(app: &App, frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::styled(strings::TOO_SMALL_TITLE, app.theme.heading),
        Line::raw(""),
        Line::raw(app.keymap.expand(&strings::too_small(area.width, area.height))),
    ];
    let height = 6.min(area.height);
    let [_, middle, _] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(height), Constraint::Min(0)]).areas(area);
    frame.render_widget(Paragraph::new(text).alignment(Alignment::Center).wrap(Wrap { trim: true }), middle);
}

fn title(app: &App, frame: &mut Frame, area: Rect) {
    let info = &app.info;
    let source = match &info.source {
        Source::Local { .. } => strings::LOCAL.to_string(),
        Source::Remote { url } => url.clone(),
    };
    let card = if info.card.is_some() { "" } else { " · no model card" };
    let text = format!(
        " {} │ threshold {} ({}) │ model {} ({source}){card}",
        strings::PRODUCT,
        format_percent(info.threshold, Language::En),
        info.threshold_origin,
        info.model_version,
    );
    frame.render_widget(Paragraph::new(text).style(app.theme.title), area);
}

fn panel(app: &App, frame: &mut Frame, screen: &Screen) {
    let theme = &app.theme;
    let mut spans = Vec::new();
    let titles = TitleStyle::fitting(screen.tabs.width, app.tab);
    let padding = " ".repeat(usize::from(titles.padding()));
    for (tab, _, _) in tab_positions(screen.tabs, app.tab) {
        let style = if tab == app.tab { theme.tab_active } else { theme.tab };
        spans.push(Span::styled(format!("{padding}{}{padding}", tab.title(titles)), style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), screen.tabs);
    let border =
        if app.focus == Focus::Panel && app.mode() == Mode::Normal { theme.border_focused } else { theme.border };
    let block = Block::default().borders(Borders::ALL).border_type(BorderType::Rounded).border_style(border);
    frame.render_widget(block, screen.panel);
    app.tabs.get(app.tab).draw(&app.context(), frame, screen.content);
}

fn status(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    // In remote mode the server and its latency (or that it is lost) take the right end.
    let area = match &app.link {
        Some(link) => {
            let text = match &app.signed_in {
                Some(user) => format!(" {} · {user} ", strings::link(link)),
                None => format!(" {} ", strings::link(link)),
            };
            let width = (text.chars().count() as u16).min(area.width / 2);
            let style = if link.failure.is_some() { theme.error } else { theme.key };
            let [left, right] = Layout::horizontal([Constraint::Min(0), Constraint::Length(width)]).areas(area);
            frame.render_widget(Paragraph::new(text).style(style), right);
            left
        }
        None => match &app.journal {
            Some(location) => {
                let (text, style) = match &app.pending {
                    Some(_) => (" 1 decision NOT recorded: retrying ".to_string(), theme.error),
                    None => (format!(" {} · journal {location} ", app.rm), theme.dim),
                };
                let width = (text.chars().count() as u16).min(area.width / 2);
                let [left, right] = Layout::horizontal([Constraint::Min(0), Constraint::Length(width)]).areas(area);
                let text = crate::tui::widgets::fit(&text, width as usize);
                frame.render_widget(Paragraph::new(text).style(style), right);
                left
            }
            None => area,
        },
    };
    let line = match &app.status {
        Some(status) => {
            let style = if status.kind == StatusKind::Error { theme.error } else { theme.status };
            let prefix = if status.kind == StatusKind::Error { " error: " } else { " " };
            Line::from(Span::styled(format!("{prefix}{}", status.text), style))
        }
        None => {
            let hints = match (app.overlays.top(), app.mode(), app.focus) {
                (Some(overlay), _, _) => {
                    overlay.layer().hints().iter().map(|&(key, what)| (key.to_string(), what)).collect()
                }
                (None, Mode::Normal, Focus::Panel) => {
                    app.tab.hints().iter().map(|&(key, what)| (key.to_string(), what)).collect()
                }
                (None, mode, _) => strings::hints(mode, Tab::ALL.len()),
            };
            let mut spans = vec![Span::styled(" ", theme.status)];
            for (key, what) in hints {
                spans.push(Span::styled(app.keymap.expand(&key), theme.key));
                spans.push(Span::styled(format!(" {what}  "), theme.status));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line).style(theme.status), area);
}

/// Where the customer view's chart sits at the app's size and scroll, with the key of the
/// image that fills it.
pub fn customer_chart(app: &App) -> Option<(ChartKey, Rect)> {
    customer::chart_area(&app.context(), app.overlays.customer()?.scroll)
}
