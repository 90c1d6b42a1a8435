//! Work the dashboard asks for, as values: [`super::app::App::update`] and the tabs return
//! [`Command`]s, and [`super::tasks`] runs them off the UI task.
//!
//! Uses: state.

use std::path::PathBuf;

use super::state::ChartKey;
use crate::domain::format::Language;
use crate::domain::{ClientId, ClientRecord, Counterfactual, Explanation, FeatureDescription};

/// Everything the customer sheet needs, copied so that the export runs off the UI task.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportJob {
    /// The decision and its contributions.
    pub explanation: Explanation,
    /// What would change it, when known.
    pub counterfactual: Option<Counterfactual>,
    /// The client's fields, for the values shown next to the chart's labels.
    pub record: Option<ClientRecord>,
    /// The model's features.
    pub features: Vec<FeatureDescription>,
    /// The model version stamped on the sheet.
    pub model_version: String,
    /// The version of the reason policy.
    pub policy_version: String,
    /// The customer's language.
    pub language: Language,
    /// The folder to write into.
    pub folder: PathBuf,
    /// The review the sheet follows, if it follows one.
    pub review: Option<crate::export::ReviewNote>,
}

impl ExportJob {
    /// The customer sheet this job writes.
    pub fn sheet(&self) -> crate::export::Sheet<'_> {
        crate::export::Sheet {
            explanation: &self.explanation,
            counterfactual: self.counterfactual.as_ref(),
            record: self.record.as_ref(),
            features: &self.features,
            model_version: &self.model_version,
            policy_version: &self.policy_version,
            language: self.language,
            review: self.review.as_ref(),
        }
    }
}

/// Work the dashboard asks for; each result comes back as an [`Action`].
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Load a client's fields and percentiles.
    LoadClient(ClientId),
    /// Score and explain a client.
    Explain(ClientId),
    /// Load a feature's distribution in the reference population.
    LoadDistribution(String),
    /// Load a client's credit-history records.
    LoadHistory(ClientId),
    /// Score and explain every applicant.
    LoadPortfolio,
    /// Compare the applicants with the reference population.
    LoadDrift,
    /// Assess the decisions on the reference population by sensitive attribute.
    LoadFairness,
    /// Search what would change a refused client's decision.
    LoadCounterfactual(ClientId),
    /// Score a client with some inputs changed (`(feature, value)`), for the form's edit number.
    WhatIf(ClientId, u64, Vec<(String, f64)>),
    /// Write the customer sheet.
    Export(Box<ExportJob>),
    /// Draw the customer view's chart as an image of `(width, height)` pixels.
    RenderChart(Box<ExportJob>, ChartKey, (u32, u32)),
    /// Wait (longer at each attempt) and ask a lost server whether it answers again.
    Reconnect(u32),
    /// Record a decision in the journal; after a failure, wait first (longer at each attempt).
    Record(Box<crate::journal::DecisionDraft>, u32),
    /// Load a client's recorded decisions.
    LoadDecisions(ClientId),
    /// Load the contests waiting for a review.
    LoadContests,
    /// Score the inputs of decision `id` under review, for edit number `edit`.
    ScoreInputs(i64, u64, Vec<(String, crate::domain::InputValue)>),
    /// Record a review in the journal.
    RecordReview(Box<crate::journal::ReviewDraft>),
    /// Record a customer's contest in the journal.
    RecordContest(Box<crate::journal::ContestDraft>),
}
