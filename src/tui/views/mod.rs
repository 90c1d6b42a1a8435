//! Drawing: pure functions of `&App` onto a frame. Nothing here changes state.

mod client_data;
mod compare;
mod customer;
mod decision;
mod drift;
mod list;
mod model;
mod portfolio;
mod what_if;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Focus, Mode, StatusKind, Tab};
use super::layout::{self, Screen};
use super::strings;
use crate::domain::format::{Language, format_percent};
use crate::scoring::Source;

/// Draws the whole screen.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let Some(screen) = layout::screen(area) else {
        too_small(app, frame, area);
        return;
    };
    if app.mode == Mode::Customer && app.shown_explanation().is_some() {
        customer::render(app, frame, area);
        return;
    }
    title(app, frame, screen.title);
    list::render(app, frame, &screen);
    panel(app, frame, &screen);
    if app.mode == Mode::WhatIf {
        what_if::render(app, frame, &screen);
    }
    status(app, frame, screen.status);
    if app.mode == Mode::Help {
        help(app, frame, area);
    }
}

fn too_small(app: &App, frame: &mut Frame, area: Rect) {
    let text = vec![
        Line::styled(strings::TOO_SMALL_TITLE, app.theme.heading),
        Line::raw(""),
        Line::raw(strings::too_small(area.width, area.height)),
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
    let narrow = layout::narrow_tabs(screen.tabs);
    for (tab, _, _) in layout::tab_positions(screen.tabs) {
        let style = if tab == app.tab { theme.tab_active } else { theme.tab };
        let title = strings::tab_title(tab, narrow);
        spans.push(Span::styled(if narrow { title.to_string() } else { format!(" {title} ") }, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), screen.tabs);
    let border =
        if app.focus == Focus::Panel && app.mode == Mode::Normal { theme.border_focused } else { theme.border };
    let block = Block::default().borders(Borders::ALL).border_type(BorderType::Rounded).border_style(border);
    frame.render_widget(block, screen.panel);
    match app.tab {
        Tab::Decision => decision::render(app, frame, screen.content),
        Tab::ClientData => client_data::render(app, frame, screen.content),
        Tab::Compare => compare::render(app, frame, screen.content),
        Tab::Portfolio => portfolio::render(app, frame, screen.content),
        Tab::Model => model::render(app, frame, screen.content),
        Tab::Drift => drift::render(app, frame, screen.content),
    }
}

fn status(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    // In remote mode the server and its latency (or that it is lost) take the right end.
    let area = match &app.link {
        Some(link) => {
            let text = format!(" {} ", strings::link(link));
            let width = (text.chars().count() as u16).min(area.width / 2);
            let style = if link.failure.is_some() { theme.error } else { theme.key };
            let [left, right] = Layout::horizontal([Constraint::Min(0), Constraint::Length(width)]).areas(area);
            frame.render_widget(Paragraph::new(text).style(style), right);
            left
        }
        None => area,
    };
    let line = match &app.status {
        Some(status) => {
            let style = if status.kind == StatusKind::Error { theme.error } else { theme.status };
            let prefix = if status.kind == StatusKind::Error { " error: " } else { " " };
            Line::from(Span::styled(format!("{prefix}{}", status.text), style))
        }
        None => {
            let mut spans = vec![Span::styled(" ", theme.status)];
            for (key, what) in strings::hints(app.mode, app.focus, app.tab) {
                spans.push(Span::styled(*key, theme.key));
                spans.push(Span::styled(format!(" {what}  "), theme.status));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line).style(theme.status), area);
}

/// What would change the shown refusal, as the customer reads it in `language`: the proposal
/// or the statement that none exists, the search's progress, or that it failed.
fn change_text(app: &App, language: Language) -> Option<String> {
    use crate::domain::wording;
    match app.shown_counterfactual() {
        Some(super::app::Loadable::Ready(counterfactual)) => {
            counterfactual.text().map(|text| text.get(language).to_string())
        }
        Some(super::app::Loadable::Failed(_)) => Some(wording::change_failed(language).to_string()),
        Some(super::app::Loadable::Loading) | None => Some(wording::change_loading(language).to_string()),
    }
}

/// Where the customer view's chart sits, with the key of the image that fills it.
pub fn customer_chart(app: &App) -> Option<(crate::tui::app::ChartKey, Rect)> {
    customer::chart_area(app)
}

/// How far the customer view scrolls at the app's size.
pub fn customer_max_scroll(app: &App) -> usize {
    customer::max_scroll(app)
}

/// Where the help overlay sits on a screen of this size.
fn help_popup(area: Rect) -> Rect {
    let width = area.width.saturating_sub(8).min(96);
    let height = area.height.saturating_sub(4);
    Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height }
}

/// The furthest the help overlay scrolls at the app's size: its lines less those that show.
pub fn help_max_scroll(app: &App) -> usize {
    let popup = help_popup(Rect::new(0, 0, app.size.0, app.size.1));
    help_lines(app, popup.width).len().saturating_sub(popup.height.saturating_sub(2) as usize)
}

/// The help overlay's lines for a popup `width` columns wide.
fn help_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let theme = &app.theme;
    const KEY_WIDTH: usize = 18;
    let text_width = (width as usize).saturating_sub(KEY_WIDTH + 4).max(20);
    let mut lines = Vec::new();
    for (key, what) in strings::HELP_KEYS {
        if key.is_empty() {
            if !lines.is_empty() {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(*what, theme.heading));
            continue;
        }
        for (index, part) in wrap(what, text_width).into_iter().enumerate() {
            let key = if index == 0 { *key } else { "" };
            lines.push(Line::from(vec![Span::styled(format!("  {key:<16}"), theme.key), Span::raw(part)]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(strings::HELP_NUMBERS_HEADING, theme.heading));
    let weights = app.info.card.as_ref().and_then(|card| card.cost_weights);
    let (cost_fn, cost_fp) = weights.map_or((10.0, 1.0), |weights| (weights.cost_fn, weights.cost_fp));
    for paragraph in strings::help_numbers(cost_fn, cost_fp) {
        lines.extend(
            wrap(&paragraph, (width as usize).saturating_sub(6)).into_iter().map(|part| Line::raw(format!("  {part}"))),
        );
        lines.push(Line::raw(""));
    }
    lines
}

fn help(app: &App, frame: &mut Frame, area: Rect) {
    let theme = &app.theme;
    let popup = help_popup(area);
    let lines = help_lines(app, popup.width);
    let block = Block::default()
        .title(format!(" {} ", strings::HELP_TITLE))
        .borders(Borders::ALL)
        .border_type(BorderType::Double)
        .border_style(theme.border_focused);
    frame.render_widget(Clear, popup);
    let scroll = u16::try_from(app.help_scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), popup);
}

/// Words laid out in lines of at most `width` characters (a longer word gets a line of its own).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
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

pub(super) use super::widgets::fit;

/// A centred one-line message in an area.
pub(super) fn message(frame: &mut Frame, area: Rect, text: &str, style: ratatui::style::Style) {
    let [_, middle, _] = Layout::vertical([Constraint::Min(0), Constraint::Length(2), Constraint::Min(0)]).areas(area);
    frame.render_widget(
        Paragraph::new(text).style(style).alignment(Alignment::Center).wrap(Wrap { trim: true }),
        middle,
    );
}
