//! The reviewer's desk, full screen (`R`): the contests waiting for a review, oldest first,
//! with the age of each and the date it must be answered by (one month, GDPR art. 12(3)); and
//! one contested decision opened for its second review: the inputs as recorded, the recorded
//! score beside the same inputs replayed on the current model, corrected inputs (each keeps
//! the recorded value beside it and the reviewer's note on where the new value comes from)
//! scored again, and the outcome (upheld or overturned) with its justification, recorded as an
//! event of the journal.
//!
//! The desk's state and keys are here, its drawing in [`draw`].
//!
//! Uses: overlay, keymap, state, command, domain, journal, export (the review's note).

mod draw;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::domain::{Explanation, InputValue};
use crate::journal::{Case, CaseEvent, Correction, MIN_JUSTIFICATION_CHARS, Outcome, Rescore, ReviewDraft, shown_reasons};
use crate::tui::command::{Command, ExportJob};
use crate::tui::keymap::Keymap;
use crate::tui::keymap::binds::Bind;
use crate::tui::overlay::{Effect, Input, Layer, Place, Typing as TextInput};
use crate::tui::state::{Context, Loadable, Mode};

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

    /// The journal answered the review; what the desk then needs done (the queue again).
    pub fn recorded(&mut self, result: Result<CaseEvent, String>, keymap: &Keymap) -> Vec<Effect> {
        let Some(open) = self.open.as_mut() else { return Vec::new() };
        open.sending = false;
        match result {
            Ok(event) => {
                let outcome = open.outcome.map_or("", Outcome::as_str);
                let now = match &event.content {
                    crate::journal::CaseContent::Review(review) => review.final_decision.as_str(),
                    _ => "",
                };
                let keys = keymap.expand("{export}: the customer sheet · {back}: the queue");
                open.message =
                    Some((format!("review recorded as event #{}: {outcome}; the decision is now {now} · {keys}", event.id), false));
                open.recorded = Some(event);
                vec![Effect::Command(Command::LoadContests)]
            }
            Err(message) => {
                open.message = Some((format!("NOT recorded: {message}"), true));
                Vec::new()
            }
        }
    }

    /// A binding's key on the desk, or a character typed.
    fn input(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        let Some(open) = self.open.as_mut() else {
            return self.queue_input(input);
        };
        if let Some(typing) = open.typing.take() {
            return open.typing_input(typing, input);
        }
        match input {
            Input::Key(Bind::Back) => {
                self.open = None;
                vec![Effect::Command(Command::LoadContests)]
            }
            Input::Key(Bind::Export) if open.recorded.is_some() => open.export(context),
            _ if open.recorded.is_some() => Vec::new(),
            Input::Key(Bind::Up) => {
                open.cursor = open.cursor.saturating_sub(1);
                Vec::new()
            }
            Input::Key(Bind::Down) => {
                open.cursor = (open.cursor + 1).min(open.fields.len().saturating_sub(1));
                Vec::new()
            }
            Input::Key(Bind::ReviewCorrect) => {
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
            Input::Key(Bind::ReviewUndo) => {
                if let Some(field) = open.fields.get_mut(open.cursor)
                    && field.corrected.take().is_some()
                {
                    return open.rescore();
                }
                Vec::new()
            }
            Input::Key(Bind::ReviewUpheld) => {
                open.outcome = Some(Outcome::Upheld);
                Vec::new()
            }
            Input::Key(Bind::ReviewOverturned) => {
                open.outcome = Some(Outcome::Overturned);
                Vec::new()
            }
            Input::Key(Bind::ReviewJustify) => {
                open.typing = Some(Typing::Justification);
                Vec::new()
            }
            Input::Key(Bind::ReviewRecord) => open.submit(context),
            _ => Vec::new(),
        }
    }

    fn queue_input(&mut self, input: Input) -> Vec<Effect> {
        let cases = match &self.queue {
            Loadable::Ready(cases) => cases.as_slice(),
            _ => &[],
        };
        match input {
            Input::Key(Bind::ReviewClose) => vec![Effect::Close],
            Input::Key(Bind::Up) => {
                self.cursor = self.cursor.saturating_sub(1);
                Vec::new()
            }
            Input::Key(Bind::Down) => {
                self.cursor = (self.cursor + 1).min(cases.len().saturating_sub(1));
                Vec::new()
            }
            Input::Key(Bind::ReviewReload) => {
                self.queue = Loadable::Loading;
                vec![Effect::Command(Command::LoadContests)]
            }
            Input::Key(Bind::ReviewOpen) => {
                let Some(case) = cases.get(self.cursor).cloned() else { return Vec::new() };
                let open = CaseReview::open(case);
                let id = open.case.decision.id;
                let inputs = open.case.decision.content.input_values();
                self.open = Some(open);
                vec![Effect::Command(Command::ScoreInputs(id, 0, inputs))]
            }
            _ => Vec::new(),
        }
    }
}

/// The keys of the queue, in the order they are tried.
const QUEUE_BINDS: &[Bind] = &[Bind::ReviewClose, Bind::Up, Bind::Down, Bind::ReviewReload, Bind::ReviewOpen];
/// The keys while reviewing a decision.
const REVIEW_BINDS: &[Bind] = &[
    Bind::Back,
    Bind::Export,
    Bind::Up,
    Bind::Down,
    Bind::ReviewCorrect,
    Bind::ReviewUndo,
    Bind::ReviewUpheld,
    Bind::ReviewOverturned,
    Bind::ReviewJustify,
    Bind::ReviewRecord,
];
/// The keys while typing a value, its source or the justification.
const TYPING_BINDS: &[Bind] = &[Bind::Back, Bind::Submit, Bind::DeleteChar];

impl Layer for ReviewDesk {
    fn open(context: &Context<'_>) -> Result<(ReviewDesk, Vec<Effect>), String> {
        if context.journal.is_none() {
            return Err("no journal: there are no contests to review in this session".into());
        }
        Ok((ReviewDesk::new(), vec![Effect::Command(Command::LoadContests)]))
    }

    fn mode(&self) -> Mode {
        Mode::Review
    }

    fn place(&self) -> Place {
        Place::Desk
    }

    fn keys(&self) -> &'static [Bind] {
        match &self.open {
            None => QUEUE_BINDS,
            Some(open) if open.typing.is_some() => TYPING_BINDS,
            Some(_) => REVIEW_BINDS,
        }
    }

    fn typing(&self) -> TextInput {
        match &self.open {
            Some(open) if open.typing.is_some() => TextInput::Any,
            _ => TextInput::No,
        }
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("{review_open}", "review"),
            ("{review_correct}", "correct"),
            ("{review_upheld}/{review_overturned}", "outcome"),
            ("{review_justify}", "why"),
            ("{review_record}", "record"),
            ("{back}", "back"),
        ]
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        self.input(input, context)
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        draw::draw(context, self, frame, area);
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

    fn typing_input(&mut self, typing: Typing, input: Input) -> Vec<Effect> {
        let mut typing = typing;
        match (&mut typing, input) {
            (_, Input::Key(Bind::Back)) => return Vec::new(),
            (Typing::Value(text), Input::Key(Bind::Submit)) => match value_of(text) {
                Ok(value) => self.typing = Some(Typing::Source(value, String::new())),
                Err(message) => {
                    self.message = Some((message, true));
                    self.typing = Some(typing);
                }
            },
            (Typing::Source(value, source), Input::Key(Bind::Submit)) => {
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
            (Typing::Justification, Input::Key(Bind::Submit)) => {}
            (Typing::Value(text) | Typing::Source(_, text), Input::Key(Bind::DeleteChar)) => {
                text.pop();
                self.typing = Some(typing);
            }
            (Typing::Justification, Input::Key(Bind::DeleteChar)) => {
                self.justification.pop();
                self.typing = Some(typing);
            }
            (Typing::Value(text) | Typing::Source(_, text), Input::Text(character)) => {
                if text.chars().count() < crate::journal::MAX_TEXT_CHARS {
                    text.push(character);
                }
                self.typing = Some(typing);
            }
            (Typing::Justification, Input::Text(character)) => {
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

    fn rescore(&mut self) -> Vec<Effect> {
        if self.fields.iter().all(|field| field.corrected.is_none()) {
            self.rescored = None;
            return Vec::new();
        }
        self.edits += 1;
        self.rescored = Some((self.edits, Loadable::Loading));
        vec![Effect::Command(Command::ScoreInputs(self.case.decision.id, self.edits, self.inputs()))]
    }

    /// The score the review records: of the corrected inputs when there are corrections, else
    /// the replay.
    fn shown_score(&self) -> Option<&Explanation> {
        match &self.rescored {
            Some((_, loaded)) => loaded.ready(),
            None => self.replay.ready(),
        }
    }

    /// The customer sheet of the recorded review: the explanation of the inputs as reviewed,
    /// in the customer's language.
    fn export(&mut self, context: &Context<'_>) -> Vec<Effect> {
        let Some(crate::journal::CaseContent::Review(review)) = self.recorded.as_ref().map(|event| &event.content)
        else {
            return Vec::new();
        };
        let note = crate::export::ReviewNote {
            final_decision: review.final_decision,
            overturned: review.outcome == Outcome::Overturned,
            reviewed_on: review.recorded_at.get(..10).unwrap_or_default().to_string(),
        };
        let Some(mut explanation) = self.shown_score().cloned() else { return Vec::new() };
        // The inputs recorded carry no client id: the sheet is the decision's client's.
        explanation.score.client_id = self.case.decision.content.client_id;
        let job = ExportJob {
            record: None,
            explanation,
            counterfactual: None,
            features: context.info.features.clone(),
            model_version: context.info.model_version.clone(),
            policy_version: context.info.policy_version.clone(),
            language: self.case.decision.content.language,
            folder: context.export_dir.to_path_buf(),
            review: Some(note),
        };
        vec![Effect::Info(crate::tui::strings::EXPORTING.into()), Effect::Command(Command::Export(Box::new(job)))]
    }

    fn submit(&mut self, context: &Context<'_>) -> Vec<Effect> {
        if self.sending {
            return Vec::new();
        }
        let Some(outcome) = self.outcome else {
            let text = context.keymap.expand("choose the outcome: {review_upheld} upheld, {review_overturned} overturned");
            self.message = Some((text, true));
            return Vec::new();
        };
        let length = self.justification.trim().chars().count();
        if length < MIN_JUSTIFICATION_CHARS {
            self.message = Some((
                format!(
                    "{}: type a justification of at least {MIN_JUSTIFICATION_CHARS} characters ({length} typed)",
                    context.keymap.expand("{review_justify}")
                ),
                true,
            ));
            return Vec::new();
        }
        let Some(score) = self.shown_score() else {
            self.message = Some(("the inputs are still being scored; a moment".into(), true));
            return Vec::new();
        };
        let rescored = Rescore {
            model_version: context.info.model_version.clone(),
            threshold: score.score.threshold,
            probability: score.score.probability,
            decision: score.score.decision,
            reasons: shown_reasons(&score.reasons, self.case.decision.content.language),
        };
        self.sending = true;
        self.message = Some(("recording the review…".into(), false));
        vec![Effect::Command(Command::RecordReview(Box::new(ReviewDraft {
            decision_id: self.case.decision.id,
            by: context.rm.to_string(),
            outcome,
            justification: self.justification.trim().to_string(),
            corrections: self.corrections(),
            rescored: Some(rescored),
        })))]
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
