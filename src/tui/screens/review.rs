//! The reviewer's desk, full screen (`R`): the contests waiting for a review, oldest first,
//! with the age of each and the date it must be answered by (one month, GDPR art. 12(3)); and
//! one contested decision opened for its second review: the inputs as recorded, the recorded
//! score beside the same inputs replayed on the current model, corrected inputs (each keeps
//! the recorded value beside it and the reviewer's note on where the new value comes from)
//! scored again, and the outcome (upheld or overturned) with its justification, recorded as an
//! event of the journal.
//!
//! The desk is the dashboard's state while it is open ([`super::super::app::App::review`]);
//! [`ReviewDesk::input`] turns a key into changes of it and the work to start.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::format::{Language, format_percent};
use crate::domain::{Decision, Explanation, InputValue};
use crate::journal::{
    Case, CaseEvent, Correction, MIN_JUSTIFICATION_CHARS, Outcome, Rescore, ReviewDraft, answer_deadline, days_between,
    shown_reasons,
};
use crate::tui::state::{Context, Loadable};
use crate::tui::widgets::fit;

/// The desk.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewDesk {
    /// The open contests, oldest first.
    pub queue: Loadable<Vec<Case>>,
    /// The contest under the cursor.
    pub cursor: usize,
    /// The contested decision being reviewed, if one is open.
    pub open: Option<CaseReview>,
    /// The UTC time the queue was loaded at (for the contests' ages).
    pub now: String,
}

/// One decision under review.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseReview {
    /// The decision and its contest.
    pub case: Case,
    /// Its recorded inputs, in order, with the corrections.
    pub fields: Vec<ReviewField>,
    /// The field under the cursor.
    pub cursor: usize,
    /// What is being typed, if anything.
    pub typing: Option<Typing>,
    /// The recorded inputs scored on the current model.
    pub replay: Loadable<Explanation>,
    /// The corrected inputs scored on the current model: the edit number asked for, and the
    /// answer for it.
    pub rescored: Option<(u64, Loadable<Explanation>)>,
    /// Corrections made so far (the edit number).
    pub edits: u64,
    /// The outcome chosen.
    pub outcome: Option<Outcome>,
    /// The justification typed.
    pub justification: String,
    /// What to tell the reviewer (a problem, or what was recorded).
    pub message: Option<(String, bool)>,
    /// The review, once recorded.
    pub recorded: Option<CaseEvent>,
    /// Whether the review was sent and is waiting for the journal.
    pub sending: bool,
}

/// A recorded input and its correction, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewField {
    /// The input's name.
    pub name: String,
    /// The value recorded with the decision.
    pub recorded: serde_json::Value,
    /// The corrected value and where it comes from.
    pub corrected: Option<(serde_json::Value, String)>,
}

/// What the reviewer is typing.
#[derive(Debug, Clone, PartialEq)]
pub enum Typing {
    /// The new value of the field under the cursor.
    Value(String),
    /// Where that value comes from (the value typed before).
    Source(serde_json::Value, String),
    /// The justification.
    Justification,
}

/// What a key on the desk asks of the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub enum DeskEffect {
    /// Close the desk.
    Close,
    /// Load the queue again.
    LoadQueue,
    /// Score these inputs on the current model for decision `id`, edit number `edit`.
    Score(i64, u64, Vec<(String, InputValue)>),
    /// Record this review.
    Submit(Box<ReviewDraft>),
    /// Write the customer sheet of the review's outcome: the explanation of the inputs as
    /// reviewed, in the customer's language.
    Export(Box<Explanation>, crate::export::ReviewNote, Language),
}

impl ReviewDesk {
    /// A desk waiting for its queue.
    pub fn new() -> ReviewDesk {
        ReviewDesk { queue: Loadable::Loading, cursor: 0, open: None, now: crate::journal::now_utc() }
    }

    /// The queue arrived.
    pub fn queue_loaded(&mut self, queue: Loadable<Vec<Case>>) {
        let count = match &queue {
            Loadable::Ready(cases) => cases.len(),
            _ => 0,
        };
        self.queue = queue;
        self.now = crate::journal::now_utc();
        self.cursor = self.cursor.min(count.saturating_sub(1));
    }

    /// A score arrived for decision `id`, edit `edit` (0: the replay of the recorded inputs).
    pub fn scored(&mut self, id: i64, edit: u64, result: Loadable<Explanation>) {
        let Some(open) = self.open.as_mut().filter(|open| open.case.decision.id == id) else { return };
        if edit == 0 {
            open.replay = result;
        } else if open.rescored.as_ref().is_some_and(|(asked, _)| *asked == edit) {
            open.rescored = Some((edit, result));
        }
    }

    /// The journal answered the review.
    pub fn recorded(&mut self, result: Result<CaseEvent, String>) -> Vec<DeskEffect> {
        let Some(open) = self.open.as_mut() else { return Vec::new() };
        open.sending = false;
        match result {
            Ok(event) => {
                let outcome = open.outcome.map_or("", Outcome::as_str);
                let now = match &event.content {
                    crate::journal::CaseContent::Review(review) => review.final_decision.as_str(),
                    _ => "",
                };
                open.message = Some((
                    format!(
                        "review recorded as event #{}: {outcome}; the decision is now {now} · x: the customer sheet \
                         · Esc: the queue",
                        event.id
                    ),
                    false,
                ));
                open.recorded = Some(event);
                vec![DeskEffect::LoadQueue]
            }
            Err(message) => {
                open.message = Some((format!("NOT recorded: {message}"), true));
                Vec::new()
            }
        }
    }

    /// A key on the desk.
    pub fn input(&mut self, key: KeyEvent, model_version: &str) -> Vec<DeskEffect> {
        let Some(open) = self.open.as_mut() else {
            return self.queue_input(key);
        };
        if let Some(typing) = open.typing.take() {
            return open.typing_input(typing, key);
        }
        match key.code {
            KeyCode::Esc => {
                self.open = None;
                vec![DeskEffect::LoadQueue]
            }
            KeyCode::Char('x') if open.recorded.is_some() => open.export().into_iter().collect(),
            _ if open.recorded.is_some() => Vec::new(),
            KeyCode::Up | KeyCode::Char('k') => {
                open.cursor = open.cursor.saturating_sub(1);
                Vec::new()
            }
            KeyCode::Down | KeyCode::Char('j') => {
                open.cursor = (open.cursor + 1).min(open.fields.len().saturating_sub(1));
                Vec::new()
            }
            KeyCode::Char('e') | KeyCode::Enter => {
                let current = open.fields.get(open.cursor).map(|field| {
                    let value = field.corrected.as_ref().map_or(&field.recorded, |(value, _)| value);
                    match value {
                        serde_json::Value::String(text) => text.clone(),
                        serde_json::Value::Null => String::new(),
                        other => other.to_string(),
                    }
                });
                open.typing = current.map(Typing::Value);
                Vec::new()
            }
            KeyCode::Char('z') => {
                if let Some(field) = open.fields.get_mut(open.cursor)
                    && field.corrected.take().is_some()
                {
                    return open.rescore();
                }
                Vec::new()
            }
            KeyCode::Char('u') => {
                open.outcome = Some(Outcome::Upheld);
                Vec::new()
            }
            KeyCode::Char('o') => {
                open.outcome = Some(Outcome::Overturned);
                Vec::new()
            }
            KeyCode::Char('t') => {
                open.typing = Some(Typing::Justification);
                Vec::new()
            }
            KeyCode::Char('r') => open.submit(model_version),
            _ => Vec::new(),
        }
    }

    fn queue_input(&mut self, key: KeyEvent) -> Vec<DeskEffect> {
        let cases = match &self.queue {
            Loadable::Ready(cases) => cases.as_slice(),
            _ => &[],
        };
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => vec![DeskEffect::Close],
            KeyCode::Up | KeyCode::Char('k') => {
                self.cursor = self.cursor.saturating_sub(1);
                Vec::new()
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.cursor = (self.cursor + 1).min(cases.len().saturating_sub(1));
                Vec::new()
            }
            KeyCode::Char('g') => {
                self.queue = Loadable::Loading;
                vec![DeskEffect::LoadQueue]
            }
            KeyCode::Enter => {
                let Some(case) = cases.get(self.cursor).cloned() else { return Vec::new() };
                let open = CaseReview::open(case);
                let id = open.case.decision.id;
                let inputs = open.case.decision.content.input_values();
                self.open = Some(open);
                vec![DeskEffect::Score(id, 0, inputs)]
            }
            _ => Vec::new(),
        }
    }
}

impl Default for ReviewDesk {
    fn default() -> ReviewDesk {
        ReviewDesk::new()
    }
}

impl CaseReview {
    /// The review of a contested decision, its inputs as recorded.
    pub fn open(case: Case) -> CaseReview {
        let fields = case
            .decision
            .content
            .inputs
            .iter()
            .map(|(name, value)| ReviewField { name: name.clone(), recorded: value.clone(), corrected: None })
            .collect();
        CaseReview {
            case,
            fields,
            cursor: 0,
            typing: None,
            replay: Loadable::Loading,
            rescored: None,
            edits: 0,
            outcome: None,
            justification: String::new(),
            message: None,
            recorded: None,
            sending: false,
        }
    }

    fn typing_input(&mut self, typing: Typing, key: KeyEvent) -> Vec<DeskEffect> {
        let mut typing = typing;
        match (&mut typing, key.code) {
            (_, KeyCode::Esc) => return Vec::new(),
            (Typing::Value(text), KeyCode::Enter) => match value_of(text) {
                Ok(value) => self.typing = Some(Typing::Source(value, String::new())),
                Err(message) => {
                    self.message = Some((message, true));
                    self.typing = Some(typing);
                }
            },
            (Typing::Source(value, source), KeyCode::Enter) => {
                if source.trim().is_empty() {
                    self.message = Some(("say where the new value comes from (a payslip, a tax notice…)".into(), true));
                    self.typing = Some(typing);
                    return Vec::new();
                }
                if let Some(field) = self.fields.get_mut(self.cursor) {
                    field.corrected = Some((value.clone(), source.trim().to_string()));
                }
                self.message = None;
                return self.rescore();
            }
            (Typing::Justification, KeyCode::Enter) => {}
            (Typing::Value(text) | Typing::Source(_, text), KeyCode::Backspace) => {
                text.pop();
                self.typing = Some(typing);
            }
            (Typing::Justification, KeyCode::Backspace) => {
                self.justification.pop();
                self.typing = Some(typing);
            }
            (Typing::Value(text) | Typing::Source(_, text), KeyCode::Char(character)) if !character.is_control() => {
                if text.chars().count() < crate::journal::MAX_TEXT_CHARS {
                    text.push(character);
                }
                self.typing = Some(typing);
            }
            (Typing::Justification, KeyCode::Char(character)) if !character.is_control() => {
                if self.justification.chars().count() < crate::journal::MAX_TEXT_CHARS {
                    self.justification.push(character);
                }
                self.typing = Some(typing);
            }
            _ => self.typing = Some(typing),
        }
        Vec::new()
    }

    /// The inputs as reviewed: the recorded ones with the corrections.
    pub fn inputs(&self) -> Vec<(String, InputValue)> {
        self.fields
            .iter()
            .map(|field| {
                let value = field.corrected.as_ref().map_or(&field.recorded, |(value, _)| value);
                (field.name.clone(), input_of(value))
            })
            .collect()
    }

    fn corrections(&self) -> Vec<Correction> {
        self.fields
            .iter()
            .filter_map(|field| {
                let (value, source) = field.corrected.as_ref()?;
                Some(Correction {
                    field: field.name.clone(),
                    recorded: field.recorded.clone(),
                    corrected: value.clone(),
                    source: source.clone(),
                })
            })
            .collect()
    }

    fn rescore(&mut self) -> Vec<DeskEffect> {
        if self.fields.iter().all(|field| field.corrected.is_none()) {
            self.rescored = None;
            return Vec::new();
        }
        self.edits += 1;
        self.rescored = Some((self.edits, Loadable::Loading));
        vec![DeskEffect::Score(self.case.decision.id, self.edits, self.inputs())]
    }

    /// The score the review records: of the corrected inputs when there are corrections, else
    /// the replay.
    fn shown_score(&self) -> Option<&Explanation> {
        match &self.rescored {
            Some((_, loaded)) => loaded.ready(),
            None => self.replay.ready(),
        }
    }

    /// The customer sheet of the recorded review.
    fn export(&mut self) -> Option<DeskEffect> {
        let Some(crate::journal::CaseContent::Review(review)) = self.recorded.as_ref().map(|event| &event.content)
        else {
            return None;
        };
        let note = crate::export::ReviewNote {
            final_decision: review.final_decision,
            overturned: review.outcome == Outcome::Overturned,
            reviewed_on: review.recorded_at.get(..10).unwrap_or_default().to_string(),
        };
        let mut explanation = self.shown_score()?.clone();
        // The inputs recorded carry no client id: the sheet is the decision's client's.
        explanation.score.client_id = self.case.decision.content.client_id;
        Some(DeskEffect::Export(Box::new(explanation), note, self.case.decision.content.language))
    }

    fn submit(&mut self, model_version: &str) -> Vec<DeskEffect> {
        if self.sending {
            return Vec::new();
        }
        let Some(outcome) = self.outcome else {
            self.message = Some(("choose the outcome: u upheld, o overturned".into(), true));
            return Vec::new();
        };
        let length = self.justification.trim().chars().count();
        if length < MIN_JUSTIFICATION_CHARS {
            self.message = Some((
                format!("t: type a justification of at least {MIN_JUSTIFICATION_CHARS} characters ({length} typed)"),
                true,
            ));
            return Vec::new();
        }
        let Some(score) = self.shown_score() else {
            self.message = Some(("the inputs are still being scored; a moment".into(), true));
            return Vec::new();
        };
        let rescored = Rescore {
            model_version: model_version.to_string(),
            threshold: score.score.threshold,
            probability: score.score.probability,
            decision: score.score.decision,
            reasons: shown_reasons(&score.reasons, self.case.decision.content.language),
        };
        self.sending = true;
        self.message = Some(("recording the review…".into(), false));
        vec![DeskEffect::Submit(Box::new(ReviewDraft {
            decision_id: self.case.decision.id,
            by: String::new(),
            outcome,
            justification: self.justification.trim().to_string(),
            corrections: self.corrections(),
            rescored: Some(rescored),
        }))]
    }
}

/// A typed value: a number, else a text; nothing is a missing value.
fn value_of(text: &str) -> Result<serde_json::Value, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(serde_json::Value::Null);
    }
    match trimmed.replace([' ', '\u{a0}'], "").parse::<f64>() {
        Ok(number) if number.is_finite() => Ok(serde_json::json!(number)),
        Ok(_) => Err(format!("`{trimmed}` is not a finite number")),
        Err(_) => Ok(serde_json::Value::String(trimmed.to_string())),
    }
}

fn input_of(value: &serde_json::Value) -> InputValue {
    match value {
        serde_json::Value::Number(number) => number.as_f64().map_or(InputValue::Missing, InputValue::Number),
        serde_json::Value::String(text) => InputValue::Text(text.clone()),
        _ => InputValue::Missing,
    }
}

fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The keys in the status line of the desk.
pub const QUEUE_KEYS: &str = "↑↓ contest · Enter review it · g reload · Esc close";
/// The keys while reviewing.
pub const REVIEW_KEYS: &str =
    "↑↓ field · e correct it · z undo · u upheld · o overturned · t justification · r record · x sheet · Esc queue";

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
    frame.render_widget(Paragraph::new(Line::styled(fit(hint, keys.width as usize), theme.dim)), keys);
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
        None => "— (u upheld, o overturned)".to_string(),
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
            Span::styled("▏ (Enter, then its source)", theme.key),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_are_numbers_texts_or_missing() {
        assert_eq!(value_of(" 250 000 ").unwrap(), serde_json::json!(250000.0));
        assert_eq!(value_of("Working").unwrap(), serde_json::json!("Working"));
        assert_eq!(value_of("").unwrap(), serde_json::Value::Null);
        assert!(value_of("1e400").is_err(), "beyond the numbers");
    }
}
