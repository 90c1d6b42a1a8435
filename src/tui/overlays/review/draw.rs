//! Drawing the reviewer's desk: the queue of contests, or the decision under review beside
//! its scores and the review's outcome; the keys of each in the desk's last line.
//!
//! Uses: the desk's state (its parent), state, keymap (through the context), widgets, domain,
//! journal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{CaseReview, ReviewDesk, Typing};
use crate::domain::format::{Language, format_percent};
use crate::domain::{Decision, Explanation};
use crate::journal::{MIN_JUSTIFICATION_CHARS, answer_deadline, days_between};
use crate::tui::state::{Context, Loadable};
use crate::tui::widgets::fit;

/// The keys in the last line of the desk (key templates filled in by the keymap).
pub const QUEUE_KEYS: &str =
    "{up}{down} contest · {review_open} review it · {review_reload} reload · {review_close} close";
/// The keys while reviewing.
pub const REVIEW_KEYS: &str = "{up}{down} field · {review_correct} correct it · {review_undo} undo · {review_upheld} \
                               upheld · {review_overturned} overturned · {review_justify} justification · \
                               {review_record} record · {export} sheet · {back} queue";

/// Draws the desk over `area`.
pub fn draw(context: &Context<'_>, desk: &ReviewDesk, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let title = match &desk.open {
        Some(open) => format!(" Review of decision #{} ", open.case.decision.id),
        None => " Contests waiting for a review ".to_string(),
    };
    let inner = crate::tui::widgets::overlay(frame, area, title, theme.border_focused);
    let [body, keys] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(inner);
    match &desk.open {
        None => draw_queue(context, desk, frame, body),
        Some(open) => draw_review(context, open, frame, body),
    }
    let hint = if desk.open.is_some() { REVIEW_KEYS } else { QUEUE_KEYS };
    let hint = context.keymap.expand(hint);
    frame.render_widget(Paragraph::new(Line::styled(fit(&hint, keys.width as usize), theme.dim)), keys);
}

fn draw_queue(context: &Context<'_>, desk: &ReviewDesk, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let width = area.width as usize;
    let cases = match &desk.queue {
        Loadable::Loading => {
            return frame.render_widget(Paragraph::new("loading the contests…").style(theme.dim), area);
        }
        Loadable::Failed(message) => {
            return frame.render_widget(Paragraph::new(message.clone()).style(theme.error), area);
        }
        Loadable::Ready(cases) => cases,
    };
    if cases.is_empty() {
        return frame.render_widget(Paragraph::new("no contest waits for a review").style(theme.dim), area);
    }
    let today = desk.now.get(..10).unwrap_or_default();
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "{:>8}  {:>9}  {:<12}  {:<8}  {:<10}  {:>4}  {:<10}  {}",
                "decision", "client", "decided by", "final", "contested", "days", "answer by", "statement"
            ),
            width,
        ),
        theme.heading,
    )];
    for (index, case) in cases.iter().enumerate() {
        let Some((_, contest)) = case.open_contest() else { continue };
        let deadline = answer_deadline(&contest.recorded_at).unwrap_or_default();
        let late = deadline.as_str() < today;
        let text = format!(
            "{:>8}  {:>9}  {:<12}  {:<8}  {:<10}  {:>4}  {:<10}  {}",
            case.decision.id,
            case.decision.content.client_id,
            fit(&case.decision.content.rm, 12),
            case.final_decision().as_str(),
            contest.recorded_at.get(..10).unwrap_or_default(),
            days_between(&contest.recorded_at, &desk.now).unwrap_or_default(),
            if late { format!("{deadline} LATE") } else { deadline },
            contest.statement
        );
        let style = if index == desk.cursor {
            theme.selected
        } else if late {
            theme.error
        } else {
            theme.text
        };
        lines.push(Line::styled(fit(&text, width), style));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn score_line(label: &str, version: &str, probability: f64, decision: Decision) -> String {
    format!("{label:<22} {version:<20} {:>7}  {}", format_percent(probability, Language::En), decision.as_str())
}

fn draw_review(context: &Context<'_>, open: &CaseReview, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let content = &open.case.decision.content;
    let [left, right] = Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    // The inputs as recorded, with the corrections beside them.
    let width = left.width as usize;
    let mut lines = vec![Line::styled(fit("Inputs as recorded → corrected", width), theme.heading)];
    let visible = left.height.saturating_sub(1) as usize;
    let first = open.cursor.saturating_sub(visible.saturating_sub(1));
    for (index, field) in open.fields.iter().enumerate().skip(first).take(visible) {
        let mut text = format!("{:<24} {}", fit(&field.name, 24), shown(&field.recorded));
        if let Some((value, _)) = &field.corrected {
            text.push_str(&format!(" → {}", shown(value)));
        }
        let style = if index == open.cursor {
            theme.selected
        } else if field.corrected.is_some() {
            theme.key
        } else {
            theme.text
        };
        lines.push(Line::styled(fit(&text, width), style));
    }
    frame.render_widget(Paragraph::new(lines), left);
    // The case, the scores side by side, the outcome.
    let mut lines = Vec::new();
    let (contest_at, statement, channel) = match open.case.open_contest() {
        Some((_, contest)) => (contest.recorded_at.clone(), contest.statement.clone(), contest.channel.as_str()),
        None => (String::new(), String::new(), ""),
    };
    lines.push(Line::from(vec![
        Span::styled("Decision ", theme.heading),
        Span::raw(format!(
            "client {} · {} by {} on {}",
            content.client_id,
            content.final_decision.as_str(),
            content.rm,
            content.recorded_at.get(..10).unwrap_or_default()
        )),
    ]));
    if !contest_at.is_empty() {
        lines.push(Line::from(vec![
            Span::styled("Contest  ", theme.heading),
            Span::raw(format!(
                "{} ({channel}), to answer by {}: “{statement}”",
                contest_at.get(..10).unwrap_or_default(),
                answer_deadline(&contest_at).unwrap_or_default()
            )),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        score_line("Recorded", &content.model_version, content.probability, content.model_decision),
        theme.text,
    ));
    let current = &context.info.model_version;
    match &open.replay {
        Loadable::Loading => lines.push(Line::styled("Replayed now: scoring…", theme.dim)),
        Loadable::Failed(message) => lines.push(Line::styled(format!("Replayed now: {message}"), theme.error)),
        Loadable::Ready(explanation) => {
            let score = &explanation.score;
            lines.push(Line::styled(
                score_line("Replayed, current model", current, score.probability, score.decision),
                theme.text,
            ));
            let verdict = if *current != content.model_version {
                "another model than the recorded one (pad journal replay ID --recorded-model FILE replays that one)"
                    .to_string()
            } else if score.probability.to_bits() == content.probability.to_bits()
                && score.decision == content.model_decision
            {
                "the same model: the same probability and decision, bit for bit".to_string()
            } else {
                "the same model, but a DIFFERENT result".to_string()
            };
            lines.push(Line::styled(format!("  {verdict}"), theme.dim));
        }
    }
    let shown_reasons_of = |explanation: &Explanation| {
        explanation
            .reasons
            .iter()
            .take(3)
            .map(|reason| format!("  · {}", reason.text.get(context.language)))
            .collect::<Vec<_>>()
    };
    match &open.rescored {
        None => {
            if let Some(explanation) = open.replay.ready() {
                lines.extend(shown_reasons_of(explanation).into_iter().map(Line::raw));
            }
        }
        Some((_, Loadable::Loading)) => lines.push(Line::styled("With the corrections: scoring…", theme.dim)),
        Some((_, Loadable::Failed(message))) => {
            lines.push(Line::styled(format!("With the corrections: {message}"), theme.error));
        }
        Some((_, Loadable::Ready(explanation))) => {
            let score = &explanation.score;
            lines.push(Line::styled(
                score_line("With the corrections", current, score.probability, score.decision),
                theme.key,
            ));
            lines.extend(shown_reasons_of(explanation).into_iter().map(Line::raw));
        }
    }
    for field in open.fields.iter().filter(|field| field.corrected.is_some()) {
        if let Some((value, source)) = &field.corrected {
            lines.push(Line::styled(
                format!("  {} {} → {} (source: {source})", field.name, shown(&field.recorded), shown(value)),
                theme.dim,
            ));
        }
    }
    lines.push(Line::raw(""));
    let outcome = match open.outcome {
        None => context.keymap.expand("— ({review_upheld} upheld, {review_overturned} overturned)"),
        Some(outcome) => format!(
            "{} → the decision becomes {}",
            outcome.as_str(),
            outcome.final_decision(open.case.final_decision()).as_str()
        ),
    };
    lines.push(Line::from(vec![Span::styled("Outcome  ", theme.heading), Span::raw(outcome)]));
    let count = open.justification.trim().chars().count();
    lines.push(Line::from(vec![
        Span::styled("Why      ", theme.heading),
        Span::raw(open.justification.clone()),
        Span::styled(if open.typing == Some(Typing::Justification) { "▏" } else { "" }, theme.key),
        Span::styled(format!("  ({count}/{MIN_JUSTIFICATION_CHARS})"), theme.dim),
    ]));
    match &open.typing {
        Some(Typing::Value(text)) => lines.push(Line::from(vec![
            Span::styled("New value of the field under the cursor: ", theme.heading),
            Span::raw(text.clone()),
            Span::styled(context.keymap.expand("▏ ({submit}, then its source)"), theme.key),
        ])),
        Some(Typing::Source(value, text)) => lines.push(Line::from(vec![
            Span::styled(format!("Where does {} come from? ", shown(value)), theme.heading),
            Span::raw(text.clone()),
            Span::styled("▏", theme.key),
        ])),
        _ => {}
    }
    if let Some((message, error)) = &open.message {
        lines.push(Line::styled(message.clone(), if *error { theme.error } else { theme.key }));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), right);
}


pub(super) fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

