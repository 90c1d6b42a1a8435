//! The dashboard's state and its one update function.
//!
//! [`App::update`] is the only place state changes: key presses, clicks and the results of
//! background work all arrive as [`Action`]s, and work to do leaves as [`Command`]s. `App`
//! keeps what every tab and overlay shares (the client list and selection, the decision, the
//! status bar, the keymap, the background work) and routes input: to the overlay on top
//! ([`super::overlays`]) when one is open, else to the list or the tab shown
//! ([`super::tabs`]). Tabs and overlays see the shared state through a [`Context`]. Nothing
//! here touches a terminal, so tests drive the whole dashboard with actions.
//!
//! Uses: action, command, state, panel, overlay, overlays, keymap, layout, strings, theme,
//! tabs.

mod answers;
mod customer_view;
mod link;
mod list;
mod overlays;
mod record;

use std::path::PathBuf;

use ratatui::layout::Rect;

use super::action::Action;
use super::command::Command;
use super::keymap::Keymap;
use super::keymap::actions::Scope;
use super::layout;
use super::overlays::Overlays;
use super::tabs::Tabs;
use super::theme::Theme;
use crate::domain::format::Language;
use crate::domain::{ClientId, ClientRecord, ClientSummary, Counterfactual, Explanation, Portfolio};
use crate::scoring::ScorerInfo;

pub use super::overlays::what_if::{WhatIfField, WhatIfForm};
pub use super::state::{
    ChartKey, Context, Focus, LinkStatus, Loadable, Mode, Prediction, Status, StatusKind, reconnect_delay,
};
pub use super::tabs::Tab;
pub use record::HISTORY_LIMIT;

/// The dashboard's whole state.
#[derive(Debug)]
pub struct App {
    /// The scorer's model, threshold and features.
    pub info: ScorerInfo,
    /// Every applicant.
    pub clients: Vec<ClientSummary>,
    /// Lower-case search text of each client.
    search_keys: Vec<String>,
    /// Indices into `clients` matching the search, in list order.
    pub visible: Vec<usize>,
    /// The selected position in `visible`.
    pub selected: usize,
    /// The first visible position shown in the list.
    pub list_offset: usize,
    /// The search text.
    pub query: String,
    /// Whether the search is being typed.
    pub searching: bool,
    /// What the arrow keys move.
    pub focus: Focus,
    /// The tab shown.
    pub tab: Tab,
    /// Every tab's own state.
    pub tabs: Tabs,
    /// The open overlays, the one on top getting the keys.
    pub overlays: Overlays,
    /// Every key.
    pub keymap: Keymap,
    /// The selected client's fields.
    pub record: Option<(ClientId, Loadable<ClientRecord>)>,
    /// The selected client's decision.
    pub prediction: Prediction,
    /// The portfolio: every applicant scored and explained.
    pub portfolio: Loadable<Portfolio>,
    /// Applicants done and in all, while the portfolio loads.
    pub portfolio_progress: (usize, usize),
    /// The status-bar message.
    pub status: Option<Status>,
    /// The terminal size (columns, rows).
    pub size: (u16, u16),
    /// Set when the user quits.
    pub should_quit: bool,
    /// Colours and styles.
    pub theme: Theme,
    /// The customer's language in the customer view and the exported sheet.
    pub language: Language,
    /// What would change the shown decision, for a refused client.
    pub counterfactual: Option<(ClientId, Loadable<Counterfactual>)>,
    /// Where exports are written.
    pub export_dir: PathBuf,
    /// The pixels of a character cell when the terminal shows images; `None` for text charts.
    pub chart_pixels: Option<(u16, u16)>,
    /// The customer view's chart as an image, for what it was drawn for.
    pub chart_image: Option<(ChartKey, std::sync::Arc<image::RgbImage>)>,
    /// The chart image being drawn.
    chart_pending: Option<ChartKey>,
    /// The server and how its answers arrive, in remote mode.
    pub link: Option<LinkStatus>,
    /// Where decisions are recorded (for the status bar); `None`: no journal in this session.
    pub journal: Option<String>,
    /// The relationship manager recording decisions.
    pub rm: String,
    /// Who the server signed this dashboard in as, in remote mode: `ana (rm)`.
    pub signed_in: Option<String>,
    /// The reasons an override may give.
    pub override_reasons: crate::journal::OverrideReasons,
    /// A decision sent to the journal and not yet committed (retried while it cannot be reached).
    pub pending: Option<Box<crate::journal::DecisionDraft>>,
    /// Failed attempts at recording the pending decision.
    pub record_attempt: u32,
    /// The selected client's recorded decisions, newest first.
    pub history: Option<(ClientId, Loadable<Vec<crate::journal::DecisionEvent>>)>,
    /// Where the decisions of `history` contested since stand.
    pub case_states: crate::journal::CaseStates,
    /// The last customer sheet exported, and for which client.
    pub last_export: Option<(ClientId, String)>,
}

impl App {
    /// A dashboard over these clients, and the work to start at once (the first client's
    /// fields and the portfolio).
    pub fn new(info: ScorerInfo, clients: Vec<ClientSummary>, theme: Theme, size: (u16, u16)) -> (App, Vec<Command>) {
        let search_keys = clients.iter().map(ClientSummary::search_text).collect();
        let visible = (0..clients.len()).collect();
        let tabs = Tabs { compare: super::tabs::compare::CompareTab::new(&info), ..Tabs::default() };
        let status = match info.warnings.as_slice() {
            [] => None,
            [only] => Some(Status { text: only.clone(), kind: StatusKind::Info }),
            [first, rest @ ..] => {
                Some(Status { text: format!("{first} (and {} more in the log)", rest.len()), kind: StatusKind::Info })
            }
        };
        let mut app = App {
            info,
            clients,
            search_keys,
            visible,
            selected: 0,
            list_offset: 0,
            query: String::new(),
            searching: false,
            focus: Focus::Clients,
            tab: Tab::Decision,
            tabs,
            overlays: Overlays::default(),
            keymap: Keymap::default(),
            record: None,
            prediction: Prediction::Hidden,
            portfolio: Loadable::Loading,
            portfolio_progress: (0, 0),
            status,
            size,
            should_quit: false,
            theme,
            language: Language::En,
            counterfactual: None,
            export_dir: PathBuf::from("."),
            chart_pixels: None,
            chart_image: None,
            chart_pending: None,
            link: None,
            journal: None,
            signed_in: None,
            rm: "rm".into(),
            override_reasons: crate::journal::OverrideReasons::shipped()
                .unwrap_or(crate::journal::OverrideReasons { reasons: Vec::new() }),
            pending: None,
            record_attempt: 0,
            history: None,
            case_states: Default::default(),
            last_export: None,
        };
        let mut commands = app.selection_changed();
        commands.push(Command::LoadPortfolio);
        (app, commands)
    }

    /// The same dashboard recording decisions into the journal at `location` as `rm`, and the
    /// work to start (the selected client's history).
    pub fn with_journal(mut self, location: String, rm: String) -> (App, Vec<Command>) {
        self.journal = Some(location);
        self.rm = rm;
        let commands = self.load_history().into_iter().collect();
        (self, commands)
    }

    /// The same dashboard with the user's keys.
    pub fn with_keymap(self, keymap: Keymap) -> App {
        App { keymap, ..self }
    }

    /// What keys do now: the overlay on top's mode, else searching or browsing.
    pub fn mode(&self) -> Mode {
        match self.overlays.top() {
            Some(overlay) => overlay.layer().mode(),
            None if self.searching => Mode::Search,
            None => Mode::Normal,
        }
    }

    /// What the keys act on now, for [`super::keymap::actions::key_action`].
    pub fn scope(&self) -> Scope<'_> {
        match self.overlays.top() {
            Some(overlay) => Scope::Overlay(overlay.layer()),
            None if self.searching => Scope::Search,
            None => Scope::Browse(self.focus),
        }
    }

    /// What tabs and overlays may read of the shared state.
    pub fn context(&self) -> Context<'_> {
        Context {
            info: &self.info,
            theme: &self.theme,
            keymap: &self.keymap,
            mode: self.mode(),
            focus: self.focus,
            client: self.selected_client(),
            record: self.record.as_ref(),
            prediction: &self.prediction,
            counterfactual: self.shown_counterfactual(),
            portfolio: &self.portfolio,
            portfolio_progress: self.portfolio_progress,
            size: self.size,
            language: self.language,
            status: self.status.as_ref(),
            history: self.history.as_ref(),
            case_states: &self.case_states,
            journal: self.journal.as_deref(),
            pending: self.pending.is_some(),
            journal_cursor: (self.tab == Tab::Journal).then_some(self.tabs.journal.cursor),
            rm: &self.rm,
            override_reasons: &self.override_reasons,
            last_export: self.last_export.as_ref(),
            export_dir: &self.export_dir,
            chart_image: self.chart_image.as_ref().map(|(key, _)| key),
        }
    }

    /// The selected client, if the list is not empty.
    pub fn selected_client(&self) -> Option<&ClientSummary> {
        self.visible.get(self.selected).and_then(|&index| self.clients.get(index))
    }

    /// The selected client's fields, when loaded.
    pub fn selected_record(&self) -> Option<&ClientRecord> {
        let id = self.selected_client()?.id;
        match &self.record {
            Some((record_id, Loadable::Ready(record))) if *record_id == id => Some(record),
            _ => None,
        }
    }

    /// The explanation shown for the selected client.
    pub fn shown_explanation(&self) -> Option<&Explanation> {
        match &self.prediction {
            Prediction::Shown(explanation) => Some(explanation),
            _ => None,
        }
    }

    /// The counterfactual of the shown decision, when it is for the same client.
    /// (`None` before it was asked for, for an accepted client.)
    pub fn shown_counterfactual(&self) -> Option<&Loadable<Counterfactual>> {
        let id = self.shown_explanation()?.score.client_id;
        match &self.counterfactual {
            Some((wanted, loadable)) if *wanted == id => Some(loadable),
            _ => None,
        }
    }

    /// The feature index compared in the Compare tab.
    pub fn compared_feature(&self) -> Option<usize> {
        self.tabs.compare.compared_feature()
    }

    /// The screen's parts at the current size.
    pub fn screen(&self) -> Option<layout::Screen> {
        layout::screen(Rect::new(0, 0, self.size.0, self.size.1))
    }

    /// Applies one action; returns the background work it needs.
    pub fn update(&mut self, action: Action) -> Vec<Command> {
        let mut commands = self.apply(action);
        commands.extend(self.request_chart());
        commands
    }

    fn apply(&mut self, action: Action) -> Vec<Command> {
        if action.is_user_input() && self.status.as_ref().is_some_and(|status| status.kind == StatusKind::Info) {
            self.status = None;
        }
        match action {
            Action::Quit => {
                self.quit();
                Vec::new()
            }
            Action::Open(kind) => self.open(kind),
            Action::Overlay(input) => self.overlay_input(input),
            Action::Back => self.back(),
            Action::Click(column, row) => self.click(column, row),
            Action::Wheel(column, row, delta) => self.wheel(column, row, delta),
            Action::Export => self.export(),
            Action::Exported(result) => self.exported(result),
            Action::ChartRendered(key, result) => self.chart_rendered(key, result),
            Action::Linked(link) => self.linked(link),
            Action::Reconnected(attempt, result) => self.reconnected(attempt, result),
            Action::Recorded(client_id, result) => self.recorded(client_id, result),
            Action::ContestRecorded(result) => self.contest_recorded(result),
            Action::ReviewRecorded(result) => self.review_recorded(result),
            Action::ClientLoaded(..)
            | Action::Explained(..)
            | Action::CounterfactualLoaded(..)
            | Action::WhatIfScored(..)
            | Action::HistoryLoaded(..)
            | Action::DistributionLoaded(..)
            | Action::PortfolioProgress(..)
            | Action::PortfolioLoaded(..)
            | Action::Superseded
            | Action::DriftLoaded(..)
            | Action::FairnessLoaded(..)
            | Action::DecisionsLoaded(..)
            | Action::ContestsLoaded(..)
            | Action::ReviewScored(..) => self.answer(action),
            browsing => self.browse(browsing),
        }
    }
}
