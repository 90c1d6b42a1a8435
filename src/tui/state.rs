//! The dashboard's shared state types: what every tab and screen may read of the selection,
//! the background work and the status bar, and the read-only [`Context`] they are handed.
//!
//! Uses: theme, keymap, and the domain, scorer and journal types. Nothing in `tui` below
//! `app` imports `app`: tabs and overlays see the shared state through [`Context`].

use ratatui::layout::Rect;

use super::keymap::Keymap;
use super::theme::Theme;
use crate::domain::format::Language;
use crate::domain::{ClientId, ClientRecord, ClientSummary, Counterfactual, Explanation, Portfolio};
use crate::scoring::ScorerInfo;

/// What keys do at the moment: browsing, searching, or the overlay on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Browsing.
    Normal,
    /// Typing a search.
    Search,
    /// The help overlay is open.
    Help,
    /// The customer view: the decision explained full screen, in the customer's language.
    Customer,
    /// The what-if form is open.
    WhatIf,
    /// The form recording the RM's decision is open.
    Record,
    /// Quitting would lose a decision not yet recorded: asking first.
    ConfirmQuit,
    /// The reviewer's desk: the contests waiting for a review, one opened for its review.
    Review,
    /// The form recording a customer's contest is open.
    Contest,
}

/// Which part of the screen the arrow keys move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The client list.
    Clients,
    /// The content of the current tab.
    Panel,
}

/// Something computed in the background.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    /// Asked for, not yet here.
    Loading,
    /// Here.
    Ready(T),
    /// Failed, with the reason for people.
    Failed(String),
}

impl<T> Loadable<T> {
    /// The value, when ready.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Loadable::Ready(value) => Some(value),
            _ => None,
        }
    }
}

/// The Predict result for the selected client.
#[derive(Debug, Clone, PartialEq)]
pub enum Prediction {
    /// Not asked for since this client was selected.
    Hidden,
    /// Being computed for this client.
    Loading(ClientId),
    /// The result.
    Shown(Box<Explanation>),
    /// Failed for this client, with the reason.
    Failed(ClientId, String),
}

/// How a status message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    /// For information.
    Info,
    /// Something went wrong.
    Error,
}

/// A message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The text.
    pub text: String,
    /// Information or error.
    pub kind: StatusKind,
}

/// What a chart image was drawn for: the client, the language and the cells it fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartKey {
    /// The client explained.
    pub client_id: ClientId,
    /// The customer's language.
    pub language: Language,
    /// Columns of the area.
    pub columns: u16,
    /// Rows of the area.
    pub rows: u16,
}

/// A remote scorer's connection, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinkStatus {
    /// The server.
    pub server: String,
    /// How long the last answer took.
    pub latency: Option<std::time::Duration>,
    /// Why the server cannot be reached, while it cannot.
    pub failure: Option<String>,
    /// The reconnection attempt under way, while the server cannot be reached.
    pub attempt: Option<u32>,
    /// The scorer's count of finished requests at this report ([`crate::scoring::Link::finished`]).
    pub finished: u64,
}

impl LinkStatus {
    /// A scorer's report, with the reconnection attempt under way.
    pub fn new(link: crate::scoring::Link, attempt: Option<u32>) -> LinkStatus {
        LinkStatus {
            server: link.server,
            latency: link.last_latency,
            failure: link.failure,
            attempt,
            finished: link.finished,
        }
    }
}

/// How long to wait before reconnection attempt `attempt`: 1 s, doubling, at most 30 s.
pub fn reconnect_delay(attempt: u32) -> std::time::Duration {
    std::time::Duration::from_secs(1u64.checked_shl(attempt).unwrap_or(u64::MAX).min(30))
}

/// What a tab or an overlay may read of the shared state while it updates or draws. `App`
/// lends it out ([`super::app::App::context`]); holding only shared references, it cannot
/// change anything.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The scorer's model, threshold and features.
    pub info: &'a ScorerInfo,
    /// Colours and styles.
    pub theme: &'a Theme,
    /// The keys in force, to write hints and texts that name keys.
    pub keymap: &'a Keymap,
    /// What keys do.
    pub mode: Mode,
    /// What the arrow keys move.
    pub focus: Focus,
    /// The selected client, if the list is not empty.
    pub client: Option<&'a ClientSummary>,
    /// The fields of the client last asked for (the selected one, or loading).
    pub record: Option<&'a (ClientId, Loadable<ClientRecord>)>,
    /// The selected client's decision.
    pub prediction: &'a Prediction,
    /// What would change the shown refusal, when asked for.
    pub counterfactual: Option<&'a Loadable<Counterfactual>>,
    /// Every applicant scored and explained.
    pub portfolio: &'a Loadable<Portfolio>,
    /// Applicants done and in all, while the portfolio loads.
    pub portfolio_progress: (usize, usize),
    /// The terminal size (columns, rows).
    pub size: (u16, u16),
    /// The customer's language.
    pub language: Language,
    /// The status-bar message.
    pub status: Option<&'a Status>,
    /// The selected client's recorded decisions, newest first, when a journal is open.
    pub history: Option<&'a (ClientId, Loadable<Vec<crate::journal::DecisionEvent>>)>,
    /// Where the decisions of `history` contested since stand (by event id).
    pub case_states: &'a crate::journal::CaseStates,
    /// Where decisions are recorded; `None`: no journal in this session.
    pub journal: Option<&'a str>,
    /// Whether a decision sent to the journal is not committed yet.
    pub pending: bool,
    /// The Journal tab's cursor, when that tab is shown.
    pub journal_cursor: Option<usize>,
    /// The relationship manager recording decisions.
    pub rm: &'a str,
    /// The reasons an override may give.
    pub override_reasons: &'a crate::journal::OverrideReasons,
    /// The last customer sheet exported, and for which client.
    pub last_export: Option<&'a (ClientId, String)>,
    /// Where exports are written.
    pub export_dir: &'a std::path::Path,
    /// What the customer chart image on screen was drawn for, if one is.
    pub chart_image: Option<&'a ChartKey>,
}

impl<'a> Context<'a> {
    /// The selected client's fields, when loaded.
    pub fn selected_record(&self) -> Option<&'a ClientRecord> {
        let id = self.client?.id;
        match self.record {
            Some((record_id, Loadable::Ready(record))) if *record_id == id => Some(record),
            _ => None,
        }
    }

    /// The explanation shown for the selected client.
    pub fn shown_explanation(&self) -> Option<&'a Explanation> {
        match self.prediction {
            Prediction::Shown(explanation) => Some(explanation),
            _ => None,
        }
    }

    /// The selected client's recorded decisions (newest first), when loaded.
    pub fn selected_history(&self) -> Option<&'a [crate::journal::DecisionEvent]> {
        let id = self.client?.id;
        match self.history {
            Some((history_id, Loadable::Ready(events))) if *history_id == id => Some(events),
            _ => None,
        }
    }

    /// The tab content's area at the current size, `None` when the terminal is too small.
    pub fn content(&self) -> Option<Rect> {
        super::layout::screen(Rect::new(0, 0, self.size.0, self.size.1)).map(|screen| screen.content)
    }

    /// What would change the shown refusal, as the customer reads it in `language`: the
    /// proposal or the statement that none exists, the search's progress, or that it failed.
    pub fn change_text(&self, language: Language) -> Option<String> {
        use crate::domain::wording;
        match self.counterfactual {
            Some(Loadable::Ready(counterfactual)) => counterfactual.text().map(|text| text.get(language).to_string()),
            Some(Loadable::Failed(_)) => Some(wording::change_failed(language).to_string()),
            Some(Loadable::Loading) | None => Some(wording::change_loading(language).to_string()),
        }
    }
}
