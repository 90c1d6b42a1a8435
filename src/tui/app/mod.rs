//! The dashboard's state and its one update function.
//!
//! [`App::update`] is the only place state changes: key presses, clicks and the results of
//! background work all arrive as [`Action`]s, and work to do leaves as [`Command`]s. `App`
//! keeps what every tab shares (the client list and selection, the decision, the status bar,
//! the modes and overlays, the background work) and hands what happens inside the client
//! panel to the tab shown ([`super::tabs`]), which sees the shared state through a
//! [`Context`]. Nothing here touches a terminal, so tests drive the whole dashboard with
//! actions.
//!
//! Uses: action, command, state, panel, layout, strings, theme, tabs, screens.

mod customer_view;
mod link;
mod record;

use std::path::PathBuf;

use ratatui::layout::Rect;

use super::action::Action;
use super::command::Command;
use super::layout;
use super::panel::{Effect, Input, scrolled};
use super::screens::{help, what_if};
use super::strings;
use super::tabs::{Tabs, tab_at};
use super::theme::Theme;
use crate::domain::format::Language;
use crate::domain::{ClientId, ClientRecord, ClientSummary, Counterfactual, Decision, Explanation, Portfolio};
use crate::scoring::ScorerInfo;

pub use super::screens::what_if::{WhatIfField, WhatIfForm};
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
    /// What keys do.
    pub mode: Mode,
    /// What the arrow keys move.
    pub focus: Focus,
    /// The tab shown.
    pub tab: Tab,
    /// Every tab's own state.
    pub tabs: Tabs,
    /// The selected client's fields.
    pub record: Option<(ClientId, Loadable<ClientRecord>)>,
    /// The selected client's decision.
    pub prediction: Prediction,
    /// The portfolio: every applicant scored and explained.
    pub portfolio: Loadable<Portfolio>,
    /// Applicants done and in all, while the portfolio loads.
    pub portfolio_progress: (usize, usize),
    /// Lines scrolled in the help overlay.
    pub help_scroll: usize,
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
    /// The what-if form, while open.
    pub what_if: Option<WhatIfForm>,
    /// Where exports are written.
    pub export_dir: PathBuf,
    /// Lines scrolled in the customer view.
    pub customer_scroll: usize,
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
    /// The reviewer's desk, while it is open.
    pub review: Option<super::screens::review::ReviewDesk>,
    /// The contest form, while it is open.
    pub contest_form: Option<super::screens::contest::ContestForm>,
    /// The reasons an override may give.
    pub override_reasons: crate::journal::OverrideReasons,
    /// The record form, while open.
    pub record_form: Option<super::screens::record::RecordForm>,
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
            mode: Mode::Normal,
            focus: Focus::Clients,
            tab: Tab::Decision,
            tabs,
            record: None,
            prediction: Prediction::Hidden,
            portfolio: Loadable::Loading,
            portfolio_progress: (0, 0),
            help_scroll: 0,
            status,
            size,
            should_quit: false,
            theme,
            language: Language::En,
            counterfactual: None,
            what_if: None,
            export_dir: PathBuf::from("."),
            customer_scroll: 0,
            chart_pixels: None,
            chart_image: None,
            chart_pending: None,
            link: None,
            journal: None,
            signed_in: None,
            review: None,
            contest_form: None,
            rm: "rm".into(),
            override_reasons: crate::journal::OverrideReasons::shipped()
                .unwrap_or(crate::journal::OverrideReasons { reasons: Vec::new() }),
            record_form: None,
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

    /// What tabs and screens may read of the shared state.
    pub fn context(&self) -> Context<'_> {
        Context {
            info: &self.info,
            theme: &self.theme,
            mode: self.mode,
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

    /// Hands an input to a tab, then does what it asks.
    fn tab_input(&mut self, tab: Tab, input: Input) -> Vec<Command> {
        // The tabs are set aside while the tab reads the rest of the state.
        let mut tabs = std::mem::take(&mut self.tabs);
        let effects = tabs.get_mut(tab).update(input, &self.context());
        self.tabs = tabs;
        let mut commands = Vec::new();
        for effect in effects {
            match effect {
                Effect::Command(command) => commands.push(command),
                Effect::FocusPanel => self.focus = Focus::Panel,
                Effect::Predict => commands.extend(self.predict()),
                Effect::Compare(feature_idx) => commands.extend(self.compare_feature(feature_idx)),
            }
        }
        commands
    }

    /// Hands an input to every tab.
    fn every_tab(&mut self, input: Input) -> Vec<Command> {
        Tab::ALL.into_iter().flat_map(|tab| self.tab_input(tab, input)).collect()
    }

    fn apply(&mut self, action: Action) -> Vec<Command> {
        if is_user_input(&action) && self.status.as_ref().is_some_and(|status| status.kind == StatusKind::Info) {
            self.status = None;
        }
        match action {
            Action::Quit => {
                self.quit();
                Vec::new()
            }
            Action::Resize(width, height) => {
                self.size = (width, height);
                self.keep_in_view()
            }
            Action::MoveClient(delta) => self.select(self.selected as isize + delta),
            Action::PageClient(pages) => {
                let page = self.list_height().max(1) as isize;
                self.select(self.selected as isize + pages * page)
            }
            Action::FirstClient => self.select(0),
            Action::LastClient => self.select(self.visible.len() as isize - 1),
            Action::Predict => self.predict(),
            Action::NextTab => self.show_tab(self.tab.shifted(1)),
            Action::PreviousTab => self.show_tab(self.tab.shifted(-1)),
            Action::ShowTab(tab) => self.show_tab(tab),
            Action::ToggleFocus => {
                self.focus = match self.focus {
                    Focus::Clients => Focus::Panel,
                    Focus::Panel => Focus::Clients,
                };
                Vec::new()
            }
            Action::FocusClients => {
                self.focus = Focus::Clients;
                Vec::new()
            }
            Action::FocusPanel => {
                self.focus = Focus::Panel;
                Vec::new()
            }
            Action::MoveCursor(delta) => self.tab_input(self.tab, Input::Cursor(delta)),
            Action::CompareCursor => self.tab_input(self.tab, Input::Enter),
            Action::StartSearch => {
                self.mode = Mode::Search;
                self.focus = Focus::Clients;
                Vec::new()
            }
            Action::SearchInput(character) => {
                self.query.push(character);
                self.filter()
            }
            Action::SearchBackspace => {
                self.query.pop();
                self.filter()
            }
            Action::SearchConfirm => {
                self.mode = Mode::Normal;
                Vec::new()
            }
            Action::SearchCancel => {
                self.mode = Mode::Normal;
                self.query.clear();
                self.filter()
            }
            Action::ToggleHelp => {
                self.mode = if self.mode == Mode::Help { Mode::Normal } else { Mode::Help };
                self.help_scroll = 0;
                Vec::new()
            }
            Action::ScrollHelp(delta) => {
                self.help_scroll = self.help_scroll.saturating_add_signed(delta).min(help::max_scroll(&self.context()));
                Vec::new()
            }
            Action::Back => self.back(),
            Action::Click(column, row) => self.click(column, row),
            Action::Wheel(column, row, delta) => self.wheel(column, row, delta),
            Action::ClientLoaded(id, result) => {
                if self.record.as_ref().is_some_and(|(record_id, _)| *record_id == id) {
                    let loaded = self.loaded(result);
                    self.record = Some((id, loaded));
                }
                Vec::new()
            }
            Action::Explained(id, result) => {
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
            Action::CounterfactualLoaded(id, result) => {
                if self.counterfactual.as_ref().is_some_and(|(wanted, _)| *wanted == id) {
                    let loaded = self.loaded(result);
                    self.counterfactual = Some((id, loaded));
                }
                Vec::new()
            }
            Action::ShowCustomer => self.show_customer(),
            Action::ToggleLanguage => self.toggle_language(),
            Action::ScrollCustomer(delta) => self.scroll_customer(delta),
            Action::Export => self.export(),
            Action::Exported(result) => {
                // A review's sheet is not the sheet of the decision on screen.
                if let (Ok(paths), Some(explanation), false) =
                    (&result, self.shown_explanation(), self.mode == Mode::Review)
                {
                    let sheet = paths.iter().find(|path| path.extension().is_some_and(|extension| extension == "md"));
                    if let Some(sheet) = sheet.or(paths.first()) {
                        self.last_export = Some((explanation.score.client_id, sheet.display().to_string()));
                    }
                }
                self.exported(result)
            }
            Action::ChartRendered(key, result) => self.chart_rendered(key, result),
            Action::StartWhatIf => self.start_what_if(),
            Action::WhatIfInput(character) => self.edit_what_if(|text| text.push(character)),
            Action::WhatIfBackspace => self.edit_what_if(|text| {
                text.pop();
            }),
            Action::WhatIfMove(delta) => {
                if let Some(form) = &mut self.what_if {
                    form.move_cursor(delta);
                }
                Vec::new()
            }
            Action::WhatIfReset => {
                if let Some(form) = &mut self.what_if {
                    form.reset();
                }
                self.edit_what_if(|_| {})
            }
            Action::WhatIfScored(id, edit, result) => {
                if let Some(form) = &mut self.what_if {
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
            Action::Linked(link) => self.linked(link),
            Action::Reconnected(attempt, result) => self.reconnected(attempt, result),
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
            Action::CycleSort => self.tab_input(self.tab, Input::Sort),
            Action::StartRecord => self.start_record(),
            Action::RecordToggle => {
                self.edit_record(|form, _| {
                    form.overriding = !form.overriding;
                    form.reason = 0;
                });
                Vec::new()
            }
            Action::RecordReason(delta) => {
                self.edit_record(|form, reasons| form.move_reason(delta, reasons));
                Vec::new()
            }
            Action::RecordInput(character) => {
                self.edit_record(|form, _| {
                    if form.justification.chars().count() < crate::journal::MAX_TEXT_CHARS {
                        form.justification.push(character);
                    }
                });
                Vec::new()
            }
            Action::RecordBackspace => {
                self.edit_record(|form, _| {
                    form.justification.pop();
                });
                Vec::new()
            }
            Action::RecordSubmit => self.submit_record(),
            Action::Recorded(client_id, result) => self.recorded(client_id, result),
            Action::DecisionsLoaded(client_id, result) => {
                self.history_loaded(client_id, result);
                Vec::new()
            }
            Action::StartContest => self.start_contest(),
            Action::ContestInput(character) => {
                if let Some(form) = &mut self.contest_form
                    && form.statement.chars().count() < crate::journal::MAX_TEXT_CHARS
                {
                    form.statement.push(character);
                    form.message = None;
                }
                Vec::new()
            }
            Action::ContestBackspace => {
                if let Some(form) = &mut self.contest_form {
                    form.statement.pop();
                }
                Vec::new()
            }
            Action::ContestChannel(delta) => {
                if let Some(form) = &mut self.contest_form {
                    form.move_channel(delta);
                }
                Vec::new()
            }
            Action::ContestSubmit => self.submit_contest(),
            Action::ContestRecorded(result) => self.contest_recorded(result),
            Action::OpenReviews => self.open_reviews(),
            Action::ReviewKey(key) => self.review_key(key),
            Action::ContestsLoaded(result) => {
                let loaded = self.loaded(result);
                if let Some(desk) = &mut self.review {
                    desk.queue_loaded(loaded);
                }
                Vec::new()
            }
            Action::ReviewScored(id, edit, result) => {
                let loaded = self.loaded(result);
                if let Some(desk) = &mut self.review {
                    desk.scored(id, edit, loaded);
                }
                Vec::new()
            }
            Action::ReviewRecorded(result) => self.review_recorded(result),
        }
    }

    fn loaded<T>(&mut self, result: Result<T, String>) -> Loadable<T> {
        match result {
            Ok(value) => Loadable::Ready(value),
            Err(message) => {
                self.error(message.clone());
                Loadable::Failed(message)
            }
        }
    }

    fn error(&mut self, text: String) {
        self.status = Some(Status { text, kind: StatusKind::Error });
    }

    fn list_height(&self) -> usize {
        self.screen().map_or(1, |screen| screen.list_rows.height as usize)
    }

    /// Selects a position of the visible list (clamped) and starts what the new client needs.
    fn select(&mut self, position: isize) -> Vec<Command> {
        let last = self.visible.len().saturating_sub(1) as isize;
        let position = position.clamp(0, last.max(0)) as usize;
        let before = self.selected_client().map(|client| client.id);
        self.selected = position;
        let mut commands = self.keep_in_view();
        if self.selected_client().map(|client| client.id) != before {
            commands.extend(self.selection_changed());
        }
        commands
    }

    /// A new client is selected: hide the decision and load its fields.
    fn selection_changed(&mut self) -> Vec<Command> {
        self.prediction = Prediction::Hidden;
        self.counterfactual = None;
        self.what_if = None;
        if matches!(self.mode, Mode::Customer | Mode::WhatIf) {
            self.mode = Mode::Normal;
        }
        if matches!(self.mode, Mode::Record | Mode::Contest) {
            self.mode = Mode::Normal;
        }
        self.record_form = None;
        self.contest_form = None;
        let mut commands = self.every_tab(Input::ClientChanged);
        commands.extend(self.load_history());
        match self.selected_client().map(|client| client.id) {
            Some(id) => {
                self.record = Some((id, Loadable::Loading));
                commands.push(Command::LoadClient(id));
            }
            None => self.record = None,
        }
        commands
    }

    /// Scrolls the lists so that their cursors are visible.
    fn keep_in_view(&mut self) -> Vec<Command> {
        let height = self.list_height().max(1);
        self.list_offset = scrolled(self.list_offset, self.selected, height);
        self.every_tab(Input::Fit)
    }

    fn predict(&mut self) -> Vec<Command> {
        let Some(id) = self.selected_client().map(|client| client.id) else {
            self.error(strings::NO_CLIENT_TO_PREDICT.into());
            return Vec::new();
        };
        self.tab = Tab::Decision;
        match &self.prediction {
            Prediction::Shown(explanation) if explanation.score.client_id == id => Vec::new(),
            Prediction::Loading(loading) if *loading == id => Vec::new(),
            _ => {
                self.prediction = Prediction::Loading(id);
                vec![Command::Explain(id)]
            }
        }
    }

    fn show_tab(&mut self, tab: Tab) -> Vec<Command> {
        self.tab = tab;
        let mut commands = self.keep_in_view();
        commands.extend(self.tab_input(tab, Input::Opened));
        commands
    }

    /// Opens a feature in the Compare tab.
    fn compare_feature(&mut self, feature_idx: usize) -> Vec<Command> {
        self.tabs.compare.select(feature_idx);
        self.show_tab(Tab::Compare)
    }

    fn filter(&mut self) -> Vec<Command> {
        let before = self.selected_client().map(|client| client.id);
        let query = self.query.trim().to_lowercase();
        let terms: Vec<&str> = query.split_whitespace().collect();
        self.visible = (0..self.clients.len())
            .filter(|&index| terms.iter().all(|term| self.search_keys[index].contains(term)))
            .collect();
        let position =
            before.and_then(|id| self.visible.iter().position(|&index| self.clients[index].id == id)).unwrap_or(0);
        self.selected = position;
        self.list_offset = 0;
        let mut commands = self.keep_in_view();
        if self.selected_client().map(|client| client.id) != before {
            commands.extend(self.selection_changed());
        }
        commands
    }

    fn back(&mut self) -> Vec<Command> {
        match self.mode {
            Mode::Help | Mode::Customer => self.mode = Mode::Normal,
            Mode::WhatIf => {
                self.mode = Mode::Normal;
                self.what_if = None;
            }
            Mode::Record => {
                self.mode = Mode::Normal;
                self.record_form = None;
            }
            Mode::ConfirmQuit => {
                self.mode = Mode::Normal;
                self.status = None;
            }
            Mode::Review => {
                self.mode = Mode::Normal;
                self.review = None;
            }
            Mode::Contest => {
                self.mode = Mode::Normal;
                self.contest_form = None;
            }
            Mode::Search => return self.update(Action::SearchCancel),
            Mode::Normal if self.focus == Focus::Panel => self.focus = Focus::Clients,
            Mode::Normal if !self.query.is_empty() => return self.update(Action::SearchCancel),
            Mode::Normal => {}
        }
        Vec::new()
    }

    fn click(&mut self, column: u16, row: u16) -> Vec<Command> {
        if self.mode == Mode::Help {
            self.mode = Mode::Normal;
            return Vec::new();
        }
        if matches!(
            self.mode,
            Mode::Customer | Mode::WhatIf | Mode::Record | Mode::ConfirmQuit | Mode::Review | Mode::Contest
        ) {
            return Vec::new();
        }
        let Some(screen) = self.screen() else { return Vec::new() };
        if layout::contains(screen.list_rows, column, row) {
            self.focus = Focus::Clients;
            let position = self.list_offset + (row - screen.list_rows.y) as usize;
            if position < self.visible.len() {
                return self.select(position as isize);
            }
            return Vec::new();
        }
        if layout::contains(screen.search, column, row) {
            return self.update(Action::StartSearch);
        }
        if layout::contains(screen.tabs, column, row) {
            return match tab_at(screen.tabs, self.tab, column) {
                Some(tab) => self.show_tab(tab),
                None => Vec::new(),
            };
        }
        if !layout::contains(screen.content, column, row) {
            return Vec::new();
        }
        self.tab_input(self.tab, Input::Click(column, row))
    }

    fn start_what_if(&mut self) -> Vec<Command> {
        let Some(record) = self.selected_record() else {
            self.error(what_if::WHAT_IF_NEEDS_DATA.into());
            return Vec::new();
        };
        match WhatIfForm::open(&self.info.features, record) {
            Ok(form) => {
                self.what_if = Some(form);
                self.mode = Mode::WhatIf;
                self.edit_what_if(|_| {})
            }
            Err(message) => {
                self.error(message.into());
                Vec::new()
            }
        }
    }

    /// Applies an edit to the field under the cursor, then scores the form if every field
    /// reads as an amount.
    fn edit_what_if(&mut self, edit: impl FnOnce(&mut String)) -> Vec<Command> {
        let Some(form) = &mut self.what_if else { return Vec::new() };
        form.edit(&self.info.features, edit).into_iter().collect()
    }

    fn wheel(&mut self, column: u16, row: u16, delta: isize) -> Vec<Command> {
        if self.mode == Mode::Help {
            return self.update(Action::ScrollHelp(delta));
        }
        if self.mode == Mode::WhatIf {
            return self.update(Action::WhatIfMove(delta));
        }
        if self.mode == Mode::Customer {
            return self.update(Action::ScrollCustomer(delta));
        }
        if self.mode == Mode::Review {
            return Vec::new();
        }
        let Some(screen) = self.screen() else { return Vec::new() };
        if layout::contains(screen.list, column, row) {
            self.select(self.selected as isize + delta)
        } else if layout::contains(screen.panel, column, row) {
            self.tab_input(self.tab, Input::Cursor(delta))
        } else {
            Vec::new()
        }
    }
}

/// Whether an action comes from the person at the keyboard (which clears information messages).
fn is_user_input(action: &Action) -> bool {
    !matches!(
        action,
        Action::Resize(..)
            | Action::ClientLoaded(..)
            | Action::Explained(..)
            | Action::DistributionLoaded(..)
            | Action::HistoryLoaded(..)
            | Action::PortfolioProgress(..)
            | Action::PortfolioLoaded(..)
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
            | Action::ContestsLoaded(..)
            | Action::ReviewScored(..)
            | Action::ReviewRecorded(..)
            | Action::ContestRecorded(..)
            | Action::Superseded
    )
}
