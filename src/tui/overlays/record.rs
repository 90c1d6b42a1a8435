//! The form recording the RM's final decision after Predict, over the client panel: as the
//! model proposed it, or overridden with a reason from the shipped list and a written
//! justification. Recording hands the decision to the dashboard, which keeps it until the
//! journal committed it; the journal checks the decision again.
//!
//! Uses: overlay, keymap, state, widgets, domain, journal (the draft and the reasons), scoring
//! (where the score came from).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::domain::format::{Language, format_percent};
use crate::domain::{ClientId, Decision};
use crate::journal::{DecisionDraft, MIN_JUSTIFICATION_CHARS, Origin, OverrideReasons, RmDecision, ScoredFacts};
use crate::scoring::Source;
use crate::tui::keymap::binds::Bind;
use crate::tui::overlay::{Effect, Input, Layer, Place, Typing};
use crate::tui::state::{Context, Loadable, Mode, Prediction};
use crate::tui::widgets::fit;

/// The record form.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordForm {
    /// The client decided on.
    pub client_id: ClientId,
    /// The model's decision.
    pub proposed: Decision,
    /// Whether the RM overrides it.
    pub overriding: bool,
    /// The reason chosen among those that can support the override.
    pub reason: usize,
    /// The justification typed.
    pub justification: String,
    /// Why the form cannot be recorded as it is, when it cannot.
    pub message: Option<String>,
}

impl RecordForm {
    /// A form for the model's decision on a client.
    pub fn new(client_id: ClientId, proposed: Decision) -> RecordForm {
        RecordForm { client_id, proposed, overriding: false, reason: 0, justification: String::new(), message: None }
    }

    /// The final decision the form records.
    pub fn final_decision(&self) -> Decision {
        match (self.overriding, self.proposed) {
            (false, decision) => decision,
            (true, Decision::Accepted) => Decision::Refused,
            (true, _) => Decision::Accepted,
        }
    }

    /// The reason code chosen, for an override.
    pub fn reason_code<'a>(&self, reasons: &'a OverrideReasons) -> Option<&'a str> {
        if !self.overriding {
            return None;
        }
        reasons.for_decision(self.final_decision()).get(self.reason).map(|reason| reason.code.as_str())
    }

    /// Moves the reason cursor.
    pub fn move_reason(&mut self, delta: isize, reasons: &OverrideReasons) {
        let count = reasons.for_decision(self.final_decision()).len();
        let last = count.saturating_sub(1) as isize;
        self.reason = (self.reason as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Why the form cannot be recorded yet, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let length = self.justification.trim().chars().count();
        (self.overriding && length < MIN_JUSTIFICATION_CHARS).then(|| {
            format!(
                "an override needs a justification of at least {MIN_JUSTIFICATION_CHARS} characters ({length} typed)"
            )
        })
    }
}

impl Layer for RecordForm {
    fn open(context: &Context<'_>) -> Result<(RecordForm, Vec<Effect>), String> {
        if context.journal.is_none() {
            return Err("no journal: decisions cannot be recorded in this session".into());
        }
        let Prediction::Shown(explanation) = context.prediction else {
            return Err(context.keymap.expand("predict first ({predict}), then record the decision ({record})"));
        };
        if !explanation.score.decision.is_decided() {
            return Err("the application is incomplete: there is no decision to record".into());
        }
        if context.pending {
            return Err("a decision is still waiting to be recorded; it is being retried".into());
        }
        Ok((RecordForm::new(explanation.score.client_id, explanation.score.decision), Vec::new()))
    }

    fn mode(&self) -> Mode {
        Mode::Record
    }

    fn place(&self) -> Place {
        Place::Panel
    }

    fn keys(&self) -> &'static [Bind] {
        &[Bind::Back, Bind::Submit, Bind::RecordToggle, Bind::RecordReasonUp, Bind::RecordReasonDown, Bind::DeleteChar]
    }

    fn typing(&self) -> Typing {
        Typing::Any
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("{record_toggle}", "as proposed/override"),
            ("{record_reason_up}{record_reason_down}", "reason"),
            ("type", "justification"),
            ("{submit}", "record"),
            ("{back}", "cancel"),
        ]
    }

    fn update(&mut self, input: Input, context: &Context<'_>) -> Vec<Effect> {
        let reasons = context.override_reasons;
        match input {
            Input::Key(Bind::Back) | Input::ClientChanged => return vec![Effect::Close],
            Input::Key(Bind::Submit) => return self.submit(context),
            Input::Key(Bind::RecordToggle) => {
                self.overriding = !self.overriding;
                self.reason = 0;
            }
            Input::Key(Bind::RecordReasonUp) => self.move_reason(-1, reasons),
            Input::Key(Bind::RecordReasonDown) => self.move_reason(1, reasons),
            Input::Key(Bind::DeleteChar) => {
                self.justification.pop();
            }
            Input::Text(character) => {
                if self.justification.chars().count() < crate::journal::MAX_TEXT_CHARS {
                    self.justification.push(character);
                }
            }
            _ => return Vec::new(),
        }
        self.message = None;
        Vec::new()
    }

    fn draw(&self, context: &Context<'_>, frame: &mut Frame, area: Rect) {
        draw(context, self, frame, area);
    }
}

impl RecordForm {
    /// Records the form's decision: the draft goes to the journal; "recorded" is shown only
    /// once it committed.
    fn submit(&mut self, context: &Context<'_>) -> Vec<Effect> {
        if let Some(problem) = self.problem() {
            self.message = Some(problem);
            return Vec::new();
        }
        match self.draft(context) {
            Ok(draft) => vec![Effect::Record(Box::new(draft)), Effect::Close],
            Err(message) => {
                self.message = Some(message);
                Vec::new()
            }
        }
    }

    /// The journal's draft of the form's decision.
    fn draft(&self, context: &Context<'_>) -> Result<DecisionDraft, String> {
        let explanation = context.shown_explanation().filter(|explanation| explanation.score.client_id == self.client_id);
        let Some(explanation) = explanation else { return Err("the prediction shown is for another client".into()) };
        let Some(record) = context.selected_record() else {
            return Err("the client's data is still loading; try again in a moment".into());
        };
        let export_file =
            context.last_export.filter(|(client_id, _)| *client_id == self.client_id).map(|(_, path)| path.clone());
        let rm = RmDecision {
            client_id: self.client_id,
            decision: Some(self.final_decision()),
            reason_code: self.reason_code(context.override_reasons).map(str::to_string),
            justification: Some(self.justification.trim().to_string()).filter(|text| !text.is_empty()),
            language: context.language,
            rm: context.rm.to_string(),
            export_file,
        };
        let origin = match context.info.source {
            Source::Local { .. } => Origin::Local,
            Source::Remote { .. } => Origin::Remote,
        };
        let facts = ScoredFacts {
            model_version: &context.info.model_version,
            record,
            features: &context.info.features,
            explanation,
            counterfactual: context.counterfactual.and_then(Loadable::ready),
        };
        Ok(DecisionDraft::of_explanation(facts, rm, origin))
    }
}

/// Heading of the form.
const TITLE: &str = " Record the decision ";

/// Draws the form over `area` (the client panel).
fn draw(context: &Context<'_>, form: &RecordForm, frame: &mut Frame, area: Rect) {
    let theme = context.theme;
    let reasons = context.override_reasons;
    let keys = context.keymap;
    let inner = crate::tui::widgets::overlay(frame, area, TITLE, theme.border_focused);
    let width = inner.width as usize;
    let final_decision = form.final_decision();
    let mut lines = Vec::new();
    let probability = context
        .shown_explanation()
        .map(|explanation| format!(" (probability {})", format_percent(explanation.score.probability, Language::En)));
    lines.push(Line::from(vec![
        Span::styled(format!("Client {} · the model proposes ", form.client_id), theme.text),
        Span::styled(form.proposed.as_str(), decision_style(context, form.proposed)),
        Span::styled(probability.unwrap_or_default(), theme.dim),
    ]));
    lines.push(Line::raw(""));
    let choice = if form.overriding { "override: " } else { "as proposed: " };
    lines.push(Line::from(vec![
        Span::styled("Final decision  ", theme.heading),
        Span::styled(choice, theme.text),
        Span::styled(final_decision.as_str(), decision_style(context, final_decision)),
        Span::styled(keys.expand("   ({record_toggle} switches)"), theme.dim),
    ]));
    if form.overriding {
        lines.push(Line::raw(""));
        lines.push(Line::styled(keys.expand("Reason ({record_reason_up}{record_reason_down})"), theme.heading));
        for (index, reason) in reasons.for_decision(final_decision).iter().enumerate() {
            let style = if index == form.reason { theme.selected } else { theme.text };
            let marker = if index == form.reason { "▶ " } else { "  " };
            let text = format!("{marker}{} · {}", reason.code, reason.label(context.language));
            lines.push(Line::styled(fit(&text, width), style));
        }
        lines.push(Line::raw(""));
        let count = form.justification.trim().chars().count();
        lines.push(Line::from(vec![
            Span::styled("Justification ", theme.heading),
            Span::styled(format!("({count}/{MIN_JUSTIFICATION_CHARS} characters at least)"), theme.dim),
        ]));
        lines
            .push(Line::from(vec![Span::styled(form.justification.clone(), theme.text), Span::styled("▏", theme.key)]));
    }
    lines.push(Line::raw(""));
    if let Some(message) = &form.message {
        lines.push(Line::styled(message.clone(), theme.error));
    }
    lines.push(Line::styled(keys.expand("{submit} records in the journal · {back} cancels"), theme.dim));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn decision_style(context: &Context<'_>, decision: Decision) -> ratatui::style::Style {
    match decision {
        Decision::Accepted => context.theme.accepted,
        Decision::Refused => context.theme.refused,
        Decision::Incomplete => context.theme.error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_flips_the_decision_and_needs_a_justification() {
        let reasons = OverrideReasons::shipped().unwrap();
        let mut form = RecordForm::new(7, Decision::Refused);
        assert_eq!(form.final_decision(), Decision::Refused);
        assert_eq!(form.reason_code(&reasons), None);
        assert_eq!(form.problem(), None);
        form.overriding = true;
        assert_eq!(form.final_decision(), Decision::Accepted);
        // The first reason that can support an acceptance in the shipped list.
        assert_eq!(form.reason_code(&reasons), Some("ADDITIONAL_INCOME"));
        form.move_reason(-5, &reasons);
        assert_eq!(form.reason, 0);
        form.move_reason(100, &reasons);
        assert_eq!(form.reason, reasons.for_decision(Decision::Accepted).len() - 1);
        form.justification = "too short".into();
        assert!(form.problem().is_some_and(|problem| problem.contains("(9 typed)")));
        form.justification = "payslips of a second job checked".into();
        assert_eq!(form.problem(), None);
    }
}
