//! Every change of dashboard state, as a value: key presses and clicks become actions, and
//! so do the results of background work. [`super::app::App::update`] is the only consumer.

use crate::domain::{ClientId, ClientRecord, Distribution, Explanation, Portfolio};

use super::app::Tab;

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
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Scroll the help overlay.
    ScrollHelp(isize),
    /// Close what is open (help, search), else return the focus to the list.
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
}

/// Work the dashboard asks for; each result comes back as an [`Action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Load a client's fields and percentiles.
    LoadClient(ClientId),
    /// Score and explain a client.
    Explain(ClientId),
    /// Load a feature's distribution in the reference population.
    LoadDistribution(String),
    /// Score and explain every applicant.
    LoadPortfolio,
    /// Compare the applicants with the reference population.
    LoadDrift,
}
