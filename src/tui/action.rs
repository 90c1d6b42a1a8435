//! Every change of dashboard state, as a value: key presses and clicks become actions, and
//! so do the results of background work. [`super::app::App::update`] is the only consumer.
//! What happens inside an overlay is one action, [`Action::Overlay`], which the overlay on
//! top interprets.
//!
//! Uses: command, state, tabs, overlay, overlays (their kinds), domain.

use std::path::PathBuf;

pub use super::command::{Command, ExportJob};
use super::overlay::Input;
use super::overlays::Kind;
use super::state::ChartKey;
use super::tabs::Tab;
use crate::domain::{ClientId, ClientRecord, Counterfactual, Distribution, Explanation, Portfolio};

/// One change of state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Leave the dashboard.
    Quit,
    /// The terminal now has this size (columns, rows).
    Resize(u16, u16),
    /// Move the client selection by this many rows (negative: up).
    MoveClient(isize),
    /// Move the client selection by this many pages (negative: up).
    PageClient(isize),
    /// Select the first client.
    FirstClient,
    /// Select the last client.
    LastClient,
    /// Score and explain the selected client.
    Predict,
    /// Show the next tab.
    NextTab,
    /// Show the previous tab.
    PreviousTab,
    /// Show this tab.
    ShowTab(Tab),
    /// Move the keyboard focus between the client list and the tab's content.
    ToggleFocus,
    /// Put the focus on the client list.
    FocusClients,
    /// Put the focus on the tab's content.
    FocusPanel,
    /// Move the cursor in the tab's content by this many rows.
    MoveCursor(isize),
    /// Open the feature under the cursor in the Compare tab.
    CompareCursor,
    /// Start typing a search.
    StartSearch,
    /// A character typed into the search.
    SearchInput(char),
    /// Delete the last character of the search.
    SearchBackspace,
    /// Keep the search and return to the list.
    SearchConfirm,
    /// Clear the search.
    SearchCancel,
    /// Open this overlay (over the list and the tabs).
    Open(Kind),
    /// Something for the overlay on top: a binding's key, a character typed, the wheel.
    Overlay(Input),
    /// Clear the search, else return the focus to the list.
    Back,
    /// A left click at (column, row).
    Click(u16, u16),
    /// The mouse wheel at (column, row): positive scrolls down.
    Wheel(u16, u16, isize),
    /// A client's fields arrived.
    ClientLoaded(ClientId, Result<ClientRecord, String>),
    /// A client's score and explanation arrived.
    Explained(ClientId, Result<Explanation, String>),
    /// A feature's distribution arrived.
    DistributionLoaded(String, Result<Distribution, String>),
    /// A client's credit-history records arrived (`None`: no history tables were given).
    HistoryLoaded(ClientId, Result<Option<crate::domain::history::ClientHistory>, String>),
    /// Portfolio work has done this many of so many applicants.
    PortfolioProgress(usize, usize),
    /// The portfolio arrived.
    PortfolioLoaded(Result<Portfolio, String>),
    /// A request was dropped because a newer one of its kind replaced it.
    Superseded,
    /// Change the order of the table in the tab (Drift).
    CycleSort,
    /// The drift report arrived.
    DriftLoaded(Result<crate::drift::DriftReport, String>),
    /// The fairness report arrived.
    FairnessLoaded(Result<crate::fairness::FairnessReport, String>),
    /// Write the customer explanation (PNG chart and Markdown sheet) to the export folder.
    Export,
    /// What would change the decision arrived.
    CounterfactualLoaded(ClientId, Result<Counterfactual, String>),
    /// A what-if score arrived for a client and the form's edit number.
    WhatIfScored(ClientId, u64, Result<Explanation, String>),
    /// The export finished: where the files are, or why not.
    Exported(Result<Vec<PathBuf>, String>),
    /// The customer view's chart image arrived, for what it was drawn for.
    ChartRendered(ChartKey, Result<std::sync::Arc<image::RgbImage>, String>),
    /// How a remote scorer's last request went (after each piece of background work).
    Linked(crate::scoring::Link),
    /// The server answered again (or not) at this reconnection attempt.
    Reconnected(u32, Result<crate::scoring::Link, String>),
    /// The journal committed a decision on this client, or failed to.
    Recorded(ClientId, Result<Box<crate::journal::DecisionEvent>, RecordFailure>),
    /// A client's recorded decisions arrived (newest first), with where those contested since
    /// stand.
    DecisionsLoaded(ClientId, Result<(Vec<crate::journal::DecisionEvent>, crate::journal::CaseStates), String>),
    /// The journal recorded a contest, or did not.
    ContestRecorded(Result<Box<crate::journal::CaseEvent>, String>),
    /// The contests waiting for a review arrived (oldest first).
    ContestsLoaded(Result<Vec<crate::journal::Case>, String>),
    /// Inputs of decision `id` under review were scored, for edit number `edit` (0: as recorded).
    ReviewScored(i64, u64, Result<Explanation, String>),
    /// The journal recorded a review, or did not.
    ReviewRecorded(Result<Box<crate::journal::CaseEvent>, String>),
}

impl Action {
    /// Whether the action comes from the person at the keyboard or the mouse (which clears
    /// an information message), rather than from background work. The match names every
    /// variant, so that a new one must be put on one side.
    pub fn is_user_input(&self) -> bool {
        match self {
            Action::Quit
            | Action::MoveClient(_)
            | Action::PageClient(_)
            | Action::FirstClient
            | Action::LastClient
            | Action::Predict
            | Action::NextTab
            | Action::PreviousTab
            | Action::ShowTab(_)
            | Action::ToggleFocus
            | Action::FocusClients
            | Action::FocusPanel
            | Action::MoveCursor(_)
            | Action::CompareCursor
            | Action::StartSearch
            | Action::SearchInput(_)
            | Action::SearchBackspace
            | Action::SearchConfirm
            | Action::SearchCancel
            | Action::Open(_)
            | Action::Overlay(_)
            | Action::Back
            | Action::Click(..)
            | Action::Wheel(..)
            | Action::CycleSort
            | Action::Export => true,
            Action::Resize(..)
            | Action::ClientLoaded(..)
            | Action::Explained(..)
            | Action::DistributionLoaded(..)
            | Action::HistoryLoaded(..)
            | Action::PortfolioProgress(..)
            | Action::PortfolioLoaded(..)
            | Action::Superseded
            | Action::DriftLoaded(..)
            | Action::FairnessLoaded(..)
            | Action::CounterfactualLoaded(..)
            | Action::WhatIfScored(..)
            | Action::Exported(..)
            | Action::ChartRendered(..)
            | Action::Linked(..)
            | Action::Reconnected(..)
            | Action::Recorded(..)
            | Action::DecisionsLoaded(..)
            | Action::ContestRecorded(..)
            | Action::ContestsLoaded(..)
            | Action::ReviewScored(..)
            | Action::ReviewRecorded(..) => false,
        }
    }
}

/// Why a decision was not recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFailure {
    /// For people.
    pub message: String,
    /// Whether trying again may succeed (the database was unreachable); else the decision
    /// itself was refused.
    pub transient: bool,
}
