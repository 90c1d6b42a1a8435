//! The answers of background work: a client's fields, a decision, a report, a score asked
//! by an overlay. Each is kept if it still answers what is on screen, and handed to the tab or
//! the overlay that asked for it.

use super::App;
use crate::domain::{ClientId, Decision, Explanation};
use crate::tui::action::Action;
use crate::tui::command::Command;
use crate::tui::overlays::open_mut;
use crate::tui::state::{Loadable, Prediction, Status, StatusKind};

impl App {
    /// Applies the answer of background work.
    pub(super) fn answer(&mut self, action: Action) -> Vec<Command> {
        match action {
            Action::ClientLoaded(id, result) => {
                if self.record.as_ref().is_some_and(|(record_id, _)| *record_id == id) {
                    let loaded = self.loaded(result);
                    self.record = Some((id, loaded));
                }
                Vec::new()
            }
            Action::Explained(id, result) => self.explained(id, result),
            Action::CounterfactualLoaded(id, result) => {
                if self.counterfactual.as_ref().is_some_and(|(wanted, _)| *wanted == id) {
                    let loaded = self.loaded(result);
                    self.counterfactual = Some((id, loaded));
                }
                Vec::new()
            }
            Action::WhatIfScored(id, edit, result) => {
                if let Some(form) = open_mut::what_if(&mut self.overlays) {
                    form.scored(id, edit, result);
                }
                Vec::new()
            }
            Action::HistoryLoaded(id, result) => {
                let loaded = self.loaded(result);
                self.tabs.credit_history.loaded(id, loaded);
                Vec::new()
            }
            Action::DistributionLoaded(feature, result) => {
                let loaded = self.loaded(result);
                self.tabs.compare.distribution_loaded(feature, loaded);
                Vec::new()
            }
            Action::PortfolioProgress(done, total) => {
                self.portfolio_progress = (done.max(self.portfolio_progress.0).min(total), total);
                Vec::new()
            }
            Action::PortfolioLoaded(result) => {
                self.portfolio = self.loaded(result);
                if let Loadable::Ready(portfolio) = &self.portfolio {
                    self.tabs.compare.portfolio_loaded(portfolio);
                }
                Vec::new()
            }
            Action::Superseded => Vec::new(),
            Action::DriftLoaded(result) => {
                let loaded = self.loaded(result);
                self.tabs.drift.loaded(loaded);
                Vec::new()
            }
            Action::FairnessLoaded(result) => {
                let loaded = self.loaded(result);
                self.tabs.fairness.loaded(loaded);
                Vec::new()
            }
            Action::DecisionsLoaded(client_id, result) => {
                self.history_loaded(client_id, result);
                Vec::new()
            }
            Action::ContestsLoaded(result) => {
                let loaded = self.loaded(result);
                if let Some(desk) = open_mut::review(&mut self.overlays) {
                    desk.queue_loaded(loaded);
                }
                Vec::new()
            }
            Action::ReviewScored(id, edit, result) => {
                let loaded = self.loaded(result);
                if let Some(desk) = open_mut::review(&mut self.overlays) {
                    desk.scored(id, edit, loaded);
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// A client's score and explanation arrived: shown if it is still the one asked for.
    fn explained(&mut self, id: ClientId, result: Result<Explanation, String>) -> Vec<Command> {
        let mut commands = Vec::new();
        if self.prediction == Prediction::Loading(id) {
            self.prediction = match result {
                Ok(explanation) => {
                    if explanation.score.decision == Decision::Refused {
                        self.counterfactual = Some((id, Loadable::Loading));
                        commands.push(Command::LoadCounterfactual(id));
                    } else {
                        self.counterfactual = None;
                    }
                    Prediction::Shown(Box::new(explanation))
                }
                Err(message) => {
                    self.error(format!("client {id}: {message}"));
                    Prediction::Failed(id, message)
                }
            };
        }
        commands
    }

    pub(super) fn loaded<T>(&mut self, result: Result<T, String>) -> Loadable<T> {
        match result {
            Ok(value) => Loadable::Ready(value),
            Err(message) => {
                self.error(message.clone());
                Loadable::Failed(message)
            }
        }
    }

    pub(super) fn error(&mut self, text: String) {
        self.status = Some(Status { text, kind: StatusKind::Error });
    }
}
