//! The customer view: the decision explained full screen, large and calm, in the customer's
//! language. It shows the decision, the principal reasons, what would change a refusal and
//! one chart of the contributions with plain labels; nothing about other clients, no model
//! internals and no feature codes. `q` closes the view rather than quitting, so a customer's
//! stray key press never closes the dashboard.
//!
//! Uses: overlay, keymap, state, widgets, domain wording, export (the sheet's contribution
//! lines).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_big_text::{BigText, PixelSize};

use crate::domain::format::Language;
use crate::domain::wording;
use crate::domain::{Decision, Explanation};
use crate::tui::keymap::binds::Bind;
use crate::tui::overlay::{Effect, Input, Layer, Place};
use crate::tui::state::{ChartKey, Context, Mode, StatusKind};
use crate::tui::widgets::{Step, Waterfall, wrap};

/// The customer view: how far its text is scrolled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerView {
    /// Lines scrolled.
    pub scroll: usize,
}

impl Layer for CustomerView {
    fn open(context: &Context<'_>) -> Result<(CustomerView, Vec<Effect>), String> {
        match context.shown_explanation() {
            Some(_) => Ok((CustomerView::default(), Vec::new())),
            None => Err(context.keymap.expand(crate::tui::strings::PREDICT_FIRST)),
        }
    }

    fn mode(&self) -> Mode {
        Mode::Customer
    }

    fn place(&self) -> Place {
        Place::Full
    }

    fn keys(&self) -> &'static [Bind] {
        &[Bind::CustomerLanguage, Bind::Export, Bind::Up, Bind::Down, Bind::PageUp, Bind::PageDown, Bind::CustomerClose]
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[("{customer_language}", "English/Français"), ("{export}", "export"), ("{customer_close}", "back")]
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        match input {
            Input::Key(Bind::CustomerLanguage) => vec![Effect::ToggleLanguage],
            Input::Key(Bind::Export) => vec![Effect::Export],
            Input::Key(Bind::CustomerClose) | Input::ClientChanged => vec![Effect::Close],
            _ => {
                if let Some(delta) = input.scroll() {
                    // The text may have become shorter (another language) since the last scroll.
                    let most = max_scroll(context);
                    self.scroll = self.scroll.min(most).saturating_add_signed(delta).min(most);
                }
                Vec::new()
            }
        }
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        draw(context, self.scroll, frame, area);
    }
}

/// Contribution rows of the customer chart at most.
const CHART_ROWS: usize = 8;

/// Where the customer view's parts sit on a screen of this size.
struct CustomerLayout {
    title: Rect,
    keys: Rect,
    verdict: Rect,
    verdict_size: PixelSize,
    text: Rect,
    chart: Option<Rect>,
}

fn layout(area: Rect) -> CustomerLayout {
    let [title, body, keys] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    // A calm margin, but on small screens every line counts.
    let roomy = area.height >= 30;
    let top = u16::from(roomy);
    let body = Rect {
        x: body.x + 2,
        y: body.y + top,
        width: body.width.saturating_sub(4),
        height: body.height.saturating_sub(top),
    };
    // Side by side from 120 columns; the text above the chart otherwise.
    let (text_area, chart) = if body.width >= 120 {
        let [text, _, chart] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Length(3), Constraint::Min(0)]).areas(body);
        (text, Some(chart))
    } else {
        (body, None)
    };
    // Half-height and quadrant letters use block characters every terminal font has.
    let verdict_size = if roomy && text_area.width >= 72 { PixelSize::HalfHeight } else { PixelSize::Quadrant };
    let [verdict, text] = Layout::vertical([Constraint::Length(4), Constraint::Min(0)]).areas(text_area);
    CustomerLayout { title, keys, verdict, verdict_size, text, chart }
}

/// The text of the customer view, wrapped to `width` columns: the decision, the risk, the
/// reasons and, for a refusal, what would change it.
fn text_lines(context: &Context<'_>, explanation: &Explanation, width: usize) -> Vec<Line<'static>> {
    let theme = context.theme;
    let language = context.language;
    let decision = explanation.score.decision;
    let style = match decision {
        Decision::Accepted => theme.accepted,
        Decision::Refused => theme.refused,
        Decision::Incomplete => theme.error,
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let push = |text: &str, bullet: bool, style: ratatui::style::Style, lines: &mut Vec<Line<'static>>| {
        let first = if bullet { "  • " } else { "" };
        let hanging = " ".repeat(first.chars().count());
        for (index, part) in wrap(text, width.saturating_sub(hanging.len()).max(10)).into_iter().enumerate() {
            let lead = if index == 0 { first } else { hanging.as_str() };
            lines.push(Line::styled(format!("{lead}{part}"), style));
        }
    };
    if !decision.is_decided() {
        // No decision, so no risk figure and no reasons: only what the application lacks.
        push(wording::decision_sentence(decision, language), false, style, &mut lines);
        lines.push(Line::raw(""));
        lines.push(Line::styled(wording::reasons_heading(decision, language), theme.heading));
        for name in &explanation.score.missing {
            let feature = context.info.features.iter().find(|feature| &feature.name == name);
            let label = feature.map_or(name.as_str(), |feature| match language {
                Language::En => feature.label_en.as_str(),
                Language::Fr => feature.label_fr.as_str(),
            });
            push(label, true, theme.text, &mut lines);
        }
        return lines;
    }
    let opening = format!(
        "{} {}",
        wording::decision_sentence(decision, language),
        wording::risk_sentence(explanation.score.probability, explanation.score.threshold, language)
    );
    push(&opening, false, style, &mut lines);
    lines.push(Line::raw(""));
    lines.push(Line::styled(wording::reasons_heading(decision, language), theme.heading));
    if explanation.reasons.is_empty() {
        push(wording::no_reasons(language), false, theme.text, &mut lines);
    }
    for reason in &explanation.reasons {
        push(reason.text.get(language), true, theme.text, &mut lines);
    }
    if decision == Decision::Refused {
        lines.push(Line::raw(""));
        lines.push(Line::styled(wording::change_heading(language), theme.heading));
        if let Some(change) = context.change_text(language) {
            push(&change, false, theme.text, &mut lines);
        }
    }
    lines
}

/// How far the customer view's text scrolls at the terminal's size: its lines less those that
/// show.
pub fn max_scroll(context: &Context<'_>) -> usize {
    let Some(explanation) = context.shown_explanation() else { return 0 };
    let parts = layout(Rect::new(0, 0, context.size.0, context.size.1));
    let lines = text_lines(context, explanation, parts.text.width as usize).len();
    lines.saturating_sub(parts.text.height as usize)
}

/// Draws the customer view scrolled by `scroll` lines; where the chart image on screen
/// ([`Context::chart_image`]) was drawn for something else, or there is none, the text chart.
fn draw(context: &Context<'_>, scroll: usize, frame: &mut Frame, area: Rect) {
    let Some(explanation) = context.shown_explanation() else { return };
    let theme = context.theme;
    let language = context.language;
    let decision = explanation.score.decision;
    let parts = layout(area);
    let heading = format!(" {} · {}", PRODUCT_NAME, wording::title(explanation.score.client_id, language));
    frame.render_widget(Paragraph::new(heading).style(theme.title), parts.title);

    let lines = text_lines(context, explanation, parts.text.width as usize);
    let line_count = lines.len();
    let shown_scroll = scroll;
    let scroll = scroll.min(line_count.saturating_sub(parts.text.height as usize));
    let more = lines.len() > scroll + parts.text.height as usize;
    let mut spans = vec![Span::styled(" ", theme.status)];
    match context.status {
        // What the last key did (an export, an error) shows instead of the keys.
        Some(status) => {
            let style = if status.kind == StatusKind::Error { theme.error } else { theme.status };
            spans.push(Span::styled(status.text.clone(), style));
        }
        None => {
            for (key, what) in customer_keys(language) {
                spans.push(Span::styled(context.keymap.expand(key), theme.key));
                spans.push(Span::styled(format!(" {what}   "), theme.status));
            }
            if more || scroll > 0 {
                spans.push(Span::styled(context.keymap.expand("{up}{down}"), theme.key));
                spans.push(Span::styled(format!(" {}", customer_more(language)), theme.status));
            }
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme.status), parts.keys);

    let style = match decision {
        Decision::Accepted => theme.accepted,
        Decision::Refused => theme.refused,
        Decision::Incomplete => theme.error,
    };
    let big = BigText::builder()
        .pixel_size(parts.verdict_size)
        .style(style)
        .lines(vec![Line::from(wording::decision_word(decision, language))])
        .build();
    frame.render_widget(big, parts.verdict);

    let scroll_rows = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).scroll((scroll_rows, 0)), parts.text);
    if let Some((key, chart)) = chart_place(context, shown_scroll, explanation, &parts, line_count)
        && context.chart_image != Some(&key)
    {
        chart_view(context, frame, chart, explanation);
    }
}

/// Where the customer view's chart goes at the terminal's size, scrolled by `scroll` lines
/// (beside the text from 120 columns, else below it when there is room), with the key of the
/// image that fills it.
pub fn chart_area(context: &Context<'_>, scroll: usize) -> Option<(ChartKey, Rect)> {
    if context.mode != Mode::Customer {
        return None;
    }
    let explanation = context.shown_explanation()?;
    let parts = layout(Rect::new(0, 0, context.size.0, context.size.1));
    let lines = text_lines(context, explanation, parts.text.width as usize).len();
    chart_place(context, scroll, explanation, &parts, lines)
}

/// Where the chart goes in a laid-out customer view whose text has `lines` lines.
fn chart_place(
    context: &Context<'_>,
    scroll: usize,
    explanation: &Explanation,
    parts: &CustomerLayout,
    lines: usize,
) -> Option<(ChartKey, Rect)> {
    // An incomplete application has no decision to explain: no chart of contributions.
    if !explanation.score.decision.is_decided() {
        return None;
    }
    let scroll = scroll.min(lines.saturating_sub(parts.text.height as usize));
    let text_height = u16::try_from(lines.saturating_sub(scroll)).unwrap_or(u16::MAX);
    let area = parts.chart.or_else(|| {
        // Below the text when the chart's heading, its two levels and three rows fit.
        let free = parts.text.height.saturating_sub(text_height.saturating_add(1));
        (free >= 7).then(|| Rect { y: parts.text.y + text_height + 1, height: free, ..parts.text })
    })?;
    let key = ChartKey {
        client_id: explanation.score.client_id,
        language: context.language,
        columns: area.width,
        rows: area.height,
    };
    Some((key, area))
}

/// The contributions in percentage points from the average applicant to the customer, with
/// plain labels in the customer's language; features the reason policy keeps from customers
/// (protected ones among them) are only in the rest.
fn chart_view(context: &Context<'_>, frame: &mut Frame, area: Rect, explanation: &Explanation) {
    let theme = context.theme;
    let language = context.language;
    let [heading, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    frame.render_widget(
        Paragraph::new(wording::chart_heading(language)).style(theme.heading).wrap(Wrap { trim: true }),
        heading,
    );
    let rows = (body.height as usize).saturating_sub(3).min(CHART_ROWS);
    let steps = customer_steps(context, explanation, rows, language);
    let widget = Waterfall {
        steps: &steps,
        text: theme.text,
        level: theme.heading,
        up: theme.refused,
        down: theme.accepted,
        highlight: theme.text,
        language,
    };
    frame.render_widget(&widget, body);
}

/// The chart's lines: the average applicant, the customer's largest contributions (the
/// exported sheet's own lines), everything else together, and the customer.
fn customer_steps(context: &Context<'_>, explanation: &Explanation, rows: usize, language: Language) -> Vec<Step> {
    let features = &context.info.features;
    let lines = crate::export::contribution_lines(explanation, features, context.selected_record(), rows, language);
    let mut steps = vec![Step::Level {
        label: wording::chart_start(language).to_string(),
        probability: explanation.base_probability,
    }];
    steps.extend(lines.into_iter().map(|line| Step::Move {
        label: line.label,
        points: line.points,
        highlighted: false,
    }));
    steps.push(Step::Level {
        label: wording::chart_end(language).to_string(),
        probability: explanation.score.probability,
    });
    steps
}

/// The bank's name, in the customer view.
pub const PRODUCT_NAME: &str = crate::domain::wording::BANK;

/// The customer view's keys, in the customer's language (key templates filled in by the
/// keymap).
pub fn customer_keys(language: crate::domain::format::Language) -> &'static [(&'static str, &'static str)] {
    match language {
        crate::domain::format::Language::En => {
            &[("{customer_language}", "Français"), ("{export}", "save a copy"), ("{customer_close}", "back")]
        }
        crate::domain::format::Language::Fr => {
            &[("{customer_language}", "English"), ("{export}", "enregistrer une copie"), ("{customer_close}", "retour")]
        }
    }
}

/// The scroll hint of the customer view.
pub fn customer_more(language: crate::domain::format::Language) -> &'static str {
    match language {
        crate::domain::format::Language::En => "more",
        crate::domain::format::Language::Fr => "suite",
    }
}
