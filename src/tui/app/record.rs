//! The decision journal's part of the dashboard's state changes: the record form, the
//! decision waiting to be recorded (retried while the journal cannot be reached), the
//! client's history, and asking before quitting with a decision not recorded.

use super::App;
use crate::domain::ClientId;
use crate::journal::{DecisionDraft, DecisionEvent, Origin, RmDecision, ScoredFacts};
use crate::scoring::Source;
use crate::tui::action::RecordFailure;
use crate::tui::command::Command;
use crate::tui::screens::record::RecordForm;
use crate::tui::state::{Loadable, Mode, Prediction, Status, StatusKind};

/// Most past decisions of a client loaded.
pub const HISTORY_LIMIT: usize = 50;

impl App {
    /// Opens the record form on the shown decision.
    pub(super) fn start_record(&mut self) -> Vec<Command> {
        if self.journal.is_none() {
            self.error("no journal: decisions cannot be recorded in this session".into());
            return Vec::new();
        }
        let Prediction::Shown(explanation) = &self.prediction else {
            self.error("predict first (p), then record the decision (d)".into());
            return Vec::new();
        };
        if !explanation.score.decision.is_decided() {
            self.error("the application is incomplete: there is no decision to record".into());
            return Vec::new();
        }
        if self.pending.is_some() {
            self.error("a decision is still waiting to be recorded; it is being retried".into());
            return Vec::new();
        }
        self.record_form = Some(RecordForm::new(explanation.score.client_id, explanation.score.decision));
        self.mode = Mode::Record;
        Vec::new()
    }

    /// Applies a change to the open form.
    pub(super) fn edit_record(&mut self, edit: impl FnOnce(&mut RecordForm, &crate::journal::OverrideReasons)) {
        if let Some(form) = &mut self.record_form {
            form.message = None;
            edit(form, &self.override_reasons);
        }
    }

    /// Records the form's decision: the draft goes to the journal; "recorded" is shown only
    /// once it committed.
    pub(super) fn submit_record(&mut self) -> Vec<Command> {
        let Some(form) = &self.record_form else { return Vec::new() };
        if let Some(problem) = form.problem() {
            self.edit_record(|form, _| form.message = Some(problem));
            return Vec::new();
        }
        let draft = match self.draft(form) {
            Ok(draft) => draft,
            Err(message) => {
                self.edit_record(|form, _| form.message = Some(message));
                return Vec::new();
            }
        };
        self.pending = Some(Box::new(draft.clone()));
        self.status = Some(Status {
            text: format!("recording the decision on client {}…", form.client_id),
            kind: StatusKind::Info,
        });
        self.record_form = None;
        self.mode = Mode::Normal;
        vec![Command::Record(Box::new(draft), 0)]
    }

    fn draft(&self, form: &RecordForm) -> Result<DecisionDraft, String> {
        let explanation = self.shown_explanation().filter(|explanation| explanation.score.client_id == form.client_id);
        let Some(explanation) = explanation else { return Err("the prediction shown is for another client".into()) };
        let Some(record) = self.selected_record() else {
            return Err("the client's data is still loading; try again in a moment".into());
        };
        let export_file = self
            .last_export
            .as_ref()
            .filter(|(client_id, _)| *client_id == form.client_id)
            .map(|(_, path)| path.clone());
        let rm = RmDecision {
            client_id: form.client_id,
            decision: Some(form.final_decision()),
            reason_code: form.reason_code(&self.override_reasons).map(str::to_string),
            justification: Some(form.justification.trim().to_string()).filter(|text| !text.is_empty()),
            language: self.language,
            rm: self.rm.clone(),
            export_file,
        };
        let origin = match self.info.source {
            Source::Local { .. } => Origin::Local,
            Source::Remote { .. } => Origin::Remote,
        };
        let facts = ScoredFacts {
            model_version: &self.info.model_version,
            record,
            features: &self.info.features,
            explanation,
            counterfactual: self.shown_counterfactual().and_then(Loadable::ready),
        };
        Ok(DecisionDraft::of_explanation(facts, rm, origin))
    }

    /// The journal answered: recorded (committed), refused, or unreachable (kept and retried).
    pub(super) fn recorded(
        &mut self,
        client_id: ClientId,
        result: Result<Box<DecisionEvent>, RecordFailure>,
    ) -> Vec<Command> {
        match result {
            Ok(event) => {
                self.pending = None;
                self.record_attempt = 0;
                let content = &event.content;
                let override_note = if content.overridden { " (override)" } else { "" };
                self.status = Some(Status {
                    text: format!(
                        "recorded: decision #{} on client {client_id}, {}{override_note}, by {}",
                        event.id, content.final_decision, content.rm
                    ),
                    kind: StatusKind::Info,
                });
                if let Some((history_id, Loadable::Ready(events))) = &mut self.history
                    && *history_id == client_id
                {
                    events.insert(0, *event);
                } else if self.selected_client().is_some_and(|client| client.id == client_id) {
                    self.history = Some((client_id, Loadable::Ready(vec![*event])));
                }
                Vec::new()
            }
            Err(failure) if failure.transient => {
                let next = self.record_attempt.saturating_add(1);
                self.record_attempt = next;
                let wait = crate::tui::state::reconnect_delay(next).as_secs();
                self.error(format!(
                    "NOT recorded yet (client {client_id}): {}; kept on screen and retried in {wait} s",
                    failure.message
                ));
                match &self.pending {
                    Some(draft) => vec![Command::Record(draft.clone(), next)],
                    None => Vec::new(),
                }
            }
            Err(failure) => {
                self.pending = None;
                self.record_attempt = 0;
                self.error(format!("not recorded (client {client_id}): {}", failure.message));
                Vec::new()
            }
        }
    }

    /// The client's history arrived.
    pub(super) fn history_loaded(
        &mut self,
        client_id: ClientId,
        result: Result<(Vec<DecisionEvent>, crate::journal::CaseStates), String>,
    ) {
        if self.history.as_ref().is_some_and(|(wanted, _)| *wanted == client_id) {
            let loaded = match result {
                Ok((events, states)) => {
                    self.case_states = states;
                    Loadable::Ready(events)
                }
                Err(message) => {
                    self.case_states.clear();
                    Loadable::Failed(message)
                }
            };
            self.history = Some((client_id, loaded));
        }
    }

    /// Loads the selected client's history, when a journal is open.
    pub(super) fn load_history(&mut self) -> Option<Command> {
        self.journal.as_ref()?;
        let id = self.selected_client()?.id;
        self.history = Some((id, Loadable::Loading));
        Some(Command::LoadDecisions(id))
    }

    /// Opens the contest form on the decision under the Journal tab's cursor (when that tab is
    /// shown), else the selected client's latest decision.
    pub(super) fn start_contest(&mut self) -> Vec<Command> {
        if self.journal.is_none() {
            self.error("no journal: contests cannot be recorded in this session".into());
            return Vec::new();
        }
        let index = if self.tab == crate::tui::tabs::Tab::Journal { self.tabs.journal.cursor } else { 0 };
        let selected = self.selected_client().map(|client| client.id);
        let chosen = match &self.history {
            Some((client_id, Loadable::Ready(events))) if selected == Some(*client_id) => {
                events.get(index).or(events.first())
            }
            _ => None,
        };
        let Some(event) = chosen else {
            self.error("this client has no recorded decision to contest (the Journal tab, 9, lists them)".into());
            return Vec::new();
        };
        let decided = format!(
            "{} by {} on {}",
            event.content.final_decision,
            event.content.rm,
            event.content.recorded_at.get(..10).unwrap_or_default()
        );
        let form = crate::tui::screens::contest::ContestForm::new(event.id, event.content.client_id, decided);
        self.contest_form = Some(form);
        self.mode = Mode::Contest;
        Vec::new()
    }

    /// Records the contest of the form.
    pub(super) fn submit_contest(&mut self) -> Vec<Command> {
        let Some(form) = &mut self.contest_form else { return Vec::new() };
        if let Some(problem) = form.problem() {
            form.message = Some(problem);
            return Vec::new();
        }
        let draft = crate::journal::ContestDraft {
            decision_id: form.decision_id,
            statement: form.statement.trim().to_string(),
            channel: form.channel(),
            by: self.rm.clone(),
        };
        self.status = Some(Status {
            text: format!("recording the contest of decision #{}…", form.decision_id),
            kind: StatusKind::Info,
        });
        self.contest_form = None;
        self.mode = Mode::Normal;
        vec![Command::RecordContest(Box::new(draft))]
    }

    /// The journal answered a contest.
    pub(super) fn contest_recorded(&mut self, result: Result<Box<crate::journal::CaseEvent>, String>) -> Vec<Command> {
        match result {
            Ok(event) => {
                let deadline = crate::journal::answer_deadline(event.content.recorded_at()).unwrap_or_default();
                let decision = event.content.columns().decision_id.unwrap_or_default();
                self.status = Some(Status {
                    text: format!(
                        "recorded: contest #{} of decision #{decision}, to be answered by {deadline} (R: the reviewers' queue)",
                        event.id
                    ),
                    kind: StatusKind::Info,
                });
                // The Journal tab shows the decision contested.
                self.load_history().into_iter().collect()
            }
            Err(message) => {
                self.error(format!("contest NOT recorded: {message}"));
                Vec::new()
            }
        }
    }

    /// Opens the reviewer's desk and loads its queue.
    pub(super) fn open_reviews(&mut self) -> Vec<Command> {
        if self.journal.is_none() {
            self.error("no journal: there are no contests to review in this session".into());
            return Vec::new();
        }
        self.review = Some(crate::tui::screens::review::ReviewDesk::new());
        self.mode = Mode::Review;
        vec![Command::LoadContests]
    }

    /// A key on the reviewer's desk.
    pub(super) fn review_key(&mut self, key: crossterm::event::KeyEvent) -> Vec<Command> {
        use crate::tui::screens::review::DeskEffect;
        let Some(desk) = &mut self.review else { return Vec::new() };
        let effects = desk.input(key, &self.info.model_version);
        let mut commands = Vec::new();
        for effect in effects {
            match effect {
                DeskEffect::Close => {
                    self.review = None;
                    self.mode = Mode::Normal;
                }
                DeskEffect::LoadQueue => commands.push(Command::LoadContests),
                DeskEffect::Score(id, edit, inputs) => commands.push(Command::ScoreInputs(id, edit, inputs)),
                DeskEffect::Submit(mut draft) => {
                    draft.by = self.rm.clone();
                    commands.push(Command::RecordReview(draft));
                }
                DeskEffect::Export(explanation, note, language) => {
                    let job = crate::tui::command::ExportJob {
                        record: None,
                        explanation: *explanation,
                        counterfactual: None,
                        features: self.info.features.clone(),
                        model_version: self.info.model_version.clone(),
                        policy_version: self.info.policy_version.clone(),
                        language,
                        folder: self.export_dir.clone(),
                        review: Some(note),
                    };
                    self.status = Some(Status { text: crate::tui::strings::EXPORTING.into(), kind: StatusKind::Info });
                    commands.push(Command::Export(Box::new(job)));
                }
            }
        }
        commands
    }

    /// The journal answered a review.
    pub(super) fn review_recorded(&mut self, result: Result<Box<crate::journal::CaseEvent>, String>) -> Vec<Command> {
        let Some(desk) = &mut self.review else { return Vec::new() };
        desk.recorded(result.map(|event| *event))
            .into_iter()
            .map(|_| Command::LoadContests)
            .chain(self.load_history())
            .collect()
    }

    /// Quits, unless a decision is not recorded yet: then asks first (a second quit quits).
    pub(super) fn quit(&mut self) {
        if self.pending.is_some() && self.mode != Mode::ConfirmQuit {
            self.mode = Mode::ConfirmQuit;
            self.error(
                "a decision is NOT recorded yet (the journal cannot be reached): q quits and loses it, Esc stays and keeps retrying"
                    .into(),
            );
            return;
        }
        self.should_quit = true;
    }
}
