//! The dashboard's state and its one update function.
//!
//! [`App::update`] is the only place state changes: key presses, clicks and the results of
//! background work all arrive as [`Action`]s, and work to do leaves as [`Command`]s. Nothing
//! here touches a terminal, so tests drive the whole dashboard with actions.

use std::collections::HashMap;
use std::path::PathBuf;

use ratatui::layout::Rect;

use super::action::{Action, Command, ExportJob};
use super::layout;
use super::theme::Theme;
use crate::domain::format::Language;
use crate::domain::{
    ClientId, ClientRecord, ClientSummary, Counterfactual, Decision, Distribution, Explanation, FieldValue, Portfolio,
};
use crate::scoring::ScorerInfo;

/// The tabs of the client panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    /// The decision, the probability against the threshold, the contributions.
    Decision,
    /// Every field of the client with its population percentile.
    ClientData,
    /// One feature's distribution in the reference population, the client marked.
    Compare,
    /// Scores and global importance over all applicants.
    Portfolio,
    /// The model card.
    Model,
    /// Drift of the applicants against the reference population.
    Drift,
}

impl Tab {
    /// Every tab, in display order.
    pub const ALL: [Tab; 6] = [Tab::Decision, Tab::ClientData, Tab::Compare, Tab::Portfolio, Tab::Model, Tab::Drift];

    /// Position in [`Tab::ALL`].
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|&tab| tab == self).unwrap_or(0)
    }

    fn shifted(self, delta: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[(self.index() as isize + delta).rem_euclid(n) as usize]
    }
}

/// The order of the Drift table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftSort {
    /// PSI weighted by the model's importance, largest first (the report's order).
    Weighted,
    /// PSI, largest first.
    Psi,
    /// Feature name, A to Z.
    Name,
}

impl DriftSort {
    fn next(self) -> DriftSort {
        match self {
            DriftSort::Weighted => DriftSort::Psi,
            DriftSort::Psi => DriftSort::Name,
            DriftSort::Name => DriftSort::Weighted,
        }
    }
}

/// What keys do at the moment.
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
}

/// One editable input of the what-if form.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfField {
    /// The model feature.
    pub feature_idx: usize,
    /// The client's own value.
    pub original: f64,
    /// What is typed.
    pub text: String,
}

/// The what-if form: the client's actionable inputs, as typed, and the score they give.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIfForm {
    /// The client edited.
    pub client_id: ClientId,
    /// The editable inputs.
    pub fields: Vec<WhatIfField>,
    /// The field under the cursor.
    pub cursor: usize,
    /// Why the typed text cannot be used, when it cannot.
    pub message: Option<String>,
    /// The number of the latest edit sent for scoring (older answers are dropped).
    pub edit: u64,
    /// The score with the typed values, once asked for.
    pub result: Option<Loadable<Explanation>>,
    /// The score with the client's own values (the form's first edit), to compare with.
    pub baseline: Option<Explanation>,
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

/// The narrowest chart image, in pixels: at the smallest chart text (about 13 px letters)
/// a label of some 25 characters beside a bar still readable.
const MIN_CHART_WIDTH: u32 = 400;

/// The largest amount the what-if form accepts.
pub const WHAT_IF_MAX: f64 = 1e9;

/// Reads an amount typed by a person: digits with an optional decimal point (or a decimal
/// comma followed by one or two digits, as in French), spaces, thousands commas and a euro
/// sign allowed.
pub fn parse_amount(text: &str) -> Result<f64, String> {
    let cleaned: String = text.chars().filter(|c| !matches!(c, ' ' | '\u{202f}' | '\u{a0}' | '€' | '_')).collect();
    if cleaned.is_empty() {
        return Err("type an amount in euros, for example 250000".into());
    }
    let not_an_amount = || format!("“{}” is not an amount: type digits only, for example 250000", text.trim());
    // A last comma with one or two digits after it is a decimal comma ("24700,5").
    let decimal_comma = cleaned
        .rfind(',')
        .filter(|&at| (2..=3).contains(&(cleaned.len() - at)) && !cleaned.contains('.'))
        .filter(|&at| cleaned[at + 1..].chars().all(|c| c.is_ascii_digit()));
    let (whole, fraction) = match decimal_comma {
        Some(at) => (&cleaned[..at], Some(&cleaned[at + 1..])),
        None => match cleaned.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (cleaned.as_str(), None),
        },
    };
    // Other commas separate thousands: each group after one has three digits.
    let mut groups = whole.split(',');
    let first = groups.next().unwrap_or("");
    let grouped_well = groups.all(|group| group.len() == 3);
    let digits: String = whole.chars().filter(|c| *c != ',').collect();
    let valid = grouped_well
        && !first.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && fraction.is_none_or(|fraction| !fraction.is_empty() && fraction.chars().all(|c| c.is_ascii_digit()));
    if !valid {
        return Err(not_an_amount());
    }
    let number = match fraction {
        Some(fraction) => format!("{digits}.{fraction}"),
        None => digits,
    };
    let value: f64 = number.parse().map_err(|_| not_an_amount())?;
    if value <= 0.0 {
        return Err("the amount must be more than 0".into());
    }
    if value > WHAT_IF_MAX {
        return Err("the amount is larger than any loan (at most 1,000,000,000)".into());
    }
    Ok(value)
}

/// An amount as the what-if form first shows it: whole euros without decimals, else exactly.
fn amount_text(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value}") }
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

/// The contributions shown in the waterfall: the largest by absolute size, then the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Waterfall {
    /// Feature indices, largest absolute contribution first.
    pub top: Vec<usize>,
    /// Sum of the other contributions (probability units).
    pub rest: f64,
    /// How many other features contribute anything.
    pub rest_count: usize,
}

/// The largest `rows` contributions by absolute size in probability points; ties keep model
/// order.
pub fn waterfall(explanation: &Explanation, rows: usize) -> Waterfall {
    let mut order: Vec<usize> = (0..explanation.points.len()).filter(|&i| explanation.points[i] != 0.0).collect();
    order.sort_by(|&a, &b| explanation.points[b].abs().total_cmp(&explanation.points[a].abs()));
    let rest_indices = order.split_off(rows.min(order.len()));
    Waterfall {
        top: order,
        rest: rest_indices.iter().map(|&i| explanation.points[i]).sum(),
        rest_count: rest_indices.len(),
    }
}

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
    /// The selected client's fields.
    pub record: Option<(ClientId, Loadable<ClientRecord>)>,
    /// The selected client's decision.
    pub prediction: Prediction,
    /// Feature indices in the order of the Compare list.
    pub compare_order: Vec<usize>,
    /// The position in `compare_order` of the compared feature.
    pub compare_cursor: usize,
    /// The first position of `compare_order` shown.
    pub compare_offset: usize,
    /// Whether the Compare tab has been opened (until then it follows global importance).
    compare_visited: bool,
    /// Distributions by feature name.
    pub distributions: HashMap<String, Loadable<Distribution>>,
    /// The portfolio view.
    pub portfolio: Loadable<Portfolio>,
    /// Applicants done and in all, while the portfolio loads.
    pub portfolio_progress: (usize, usize),
    /// The waterfall row under the cursor.
    pub decision_cursor: usize,
    /// The Client data row under the cursor.
    pub data_cursor: usize,
    /// The first Client data row shown.
    pub data_offset: usize,
    /// Lines scrolled in the Model tab.
    pub model_scroll: usize,
    /// The drift report, once the Drift tab asked for it.
    pub drift: Option<Loadable<crate::drift::DriftReport>>,
    /// The order of the Drift table.
    pub drift_sort: DriftSort,
    /// The Drift table row under the cursor (in the sorted order).
    pub drift_cursor: usize,
    /// The first Drift table row shown.
    pub drift_offset: usize,
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

impl App {
    /// A dashboard over these clients, and the work to start at once (the first client's
    /// fields and the portfolio).
    pub fn new(info: ScorerInfo, clients: Vec<ClientSummary>, theme: Theme, size: (u16, u16)) -> (App, Vec<Command>) {
        let search_keys = clients.iter().map(ClientSummary::search_text).collect();
        let visible = (0..clients.len()).collect();
        let compare_order = compare_order(&info);
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
            record: None,
            prediction: Prediction::Hidden,
            compare_order,
            compare_cursor: 0,
            compare_offset: 0,
            compare_visited: false,
            distributions: HashMap::new(),
            portfolio: Loadable::Loading,
            portfolio_progress: (0, 0),
            decision_cursor: 0,
            data_cursor: 0,
            data_offset: 0,
            model_scroll: 0,
            drift: None,
            drift_sort: DriftSort::Weighted,
            drift_cursor: 0,
            drift_offset: 0,
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
        };
        let mut commands = app.selection_changed();
        commands.push(Command::LoadPortfolio);
        (app, commands)
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

    /// The feature index compared in the Compare tab.
    pub fn compared_feature(&self) -> Option<usize> {
        self.compare_order.get(self.compare_cursor).copied()
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

    /// Asks for the customer view's chart image when the terminal shows images and the one
    /// on screen is not for what is shown.
    fn request_chart(&mut self) -> Vec<Command> {
        let Some((cell_width, cell_height)) = self.chart_pixels else { return Vec::new() };
        if self.mode != Mode::Customer {
            return Vec::new();
        }
        let Some((key, _)) = super::views::customer_chart(self) else { return Vec::new() };
        let current = self.chart_image.as_ref().is_some_and(|(shown, _)| *shown == key);
        if current || self.chart_pending.as_ref() == Some(&key) {
            return Vec::new();
        }
        let pixels = (u32::from(key.columns) * u32::from(cell_width), u32::from(key.rows) * u32::from(cell_height));
        // Too small for a legible image: the text chart stays.
        if crate::charts::waterfall_rows_that_fit(pixels.0, pixels.1) < crate::charts::MIN_ROWS
            || pixels.0 < MIN_CHART_WIDTH
        {
            return Vec::new();
        }
        let Some(explanation) = self.shown_explanation().cloned() else { return Vec::new() };
        let job = self.export_job(explanation, None);
        self.chart_pending = Some(key.clone());
        vec![Command::RenderChart(Box::new(job), key, pixels)]
    }

    fn apply(&mut self, action: Action) -> Vec<Command> {
        if is_user_input(&action) && self.status.as_ref().is_some_and(|status| status.kind == StatusKind::Info) {
            self.status = None;
        }
        match action {
            Action::Quit => {
                self.should_quit = true;
                Vec::new()
            }
            Action::Resize(width, height) => {
                self.size = (width, height);
                self.keep_in_view();
                Vec::new()
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
            Action::MoveCursor(delta) => self.move_cursor(delta),
            Action::CompareCursor => self.compare_cursor_feature(),
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
                self.help_scroll =
                    self.help_scroll.saturating_add_signed(delta).min(super::views::help_max_scroll(self));
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
            Action::ShowCustomer => {
                if self.shown_explanation().is_some() {
                    self.mode = Mode::Customer;
                    self.customer_scroll = 0;
                } else {
                    self.error(super::strings::PREDICT_FIRST.into());
                }
                Vec::new()
            }
            Action::ToggleLanguage => {
                self.language = self.language.toggled();
                self.customer_scroll = self.customer_scroll.min(super::views::customer_max_scroll(self));
                Vec::new()
            }
            Action::ScrollCustomer(delta) => {
                self.customer_scroll =
                    self.customer_scroll.saturating_add_signed(delta).min(super::views::customer_max_scroll(self));
                Vec::new()
            }
            Action::Export => self.export(),
            Action::Exported(result) => {
                match result {
                    Ok(paths) => {
                        let names: Vec<String> = paths.iter().map(|path| path.display().to_string()).collect();
                        let language = if self.mode == Mode::Customer { self.language } else { Language::En };
                        let text = super::strings::exported(&names, language);
                        self.status = Some(Status { text, kind: StatusKind::Info });
                    }
                    Err(message) => self.error(message),
                }
                Vec::new()
            }
            Action::ChartRendered(key, result) => {
                if self.chart_pending.as_ref() == Some(&key) {
                    self.chart_pending = None;
                }
                match result {
                    Ok(image) => self.chart_image = Some((key, image)),
                    Err(message) => {
                        // Back to the text chart rather than asking again and again.
                        self.chart_pixels = None;
                        self.error(message);
                    }
                }
                Vec::new()
            }
            Action::StartWhatIf => self.start_what_if(),
            Action::WhatIfInput(character) => self.edit_what_if(|text| text.push(character)),
            Action::WhatIfBackspace => self.edit_what_if(|text| {
                text.pop();
            }),
            Action::WhatIfMove(delta) => {
                if let Some(form) = &mut self.what_if {
                    let last = form.fields.len().saturating_sub(1) as isize;
                    form.cursor = (form.cursor as isize + delta).clamp(0, last) as usize;
                }
                Vec::new()
            }
            Action::WhatIfReset => {
                if let Some(form) = &mut self.what_if {
                    for field in &mut form.fields {
                        field.text = amount_text(field.original);
                    }
                }
                self.edit_what_if(|_| {})
            }
            Action::WhatIfScored(id, edit, result) => {
                if let Some(form) = &mut self.what_if
                    && form.client_id == id
                    && form.edit == edit
                {
                    form.result = Some(match result {
                        Ok(explanation) => {
                            if edit == 1 && form.baseline.is_none() {
                                form.baseline = Some(explanation.clone());
                            }
                            Loadable::Ready(explanation)
                        }
                        Err(message) => Loadable::Failed(message),
                    });
                }
                Vec::new()
            }
            Action::DistributionLoaded(feature, result) => {
                let loaded = self.loaded(result);
                self.distributions.insert(feature, loaded);
                Vec::new()
            }
            Action::PortfolioProgress(done, total) => {
                self.portfolio_progress = (done.max(self.portfolio_progress.0).min(total), total);
                Vec::new()
            }
            Action::PortfolioLoaded(result) => {
                self.portfolio = self.loaded(result);
                if !self.compare_visited
                    && let Some(most) = self.portfolio.ready().and_then(most_important)
                    && let Some(position) = self.compare_order.iter().position(|&idx| idx == most)
                {
                    self.compare_cursor = position;
                }
                Vec::new()
            }
            Action::Superseded => Vec::new(),
            Action::Linked(link) => self.linked(link),
            Action::Reconnected(attempt, result) => self.reconnected(attempt, result),
            Action::DriftLoaded(result) => {
                self.drift = Some(self.loaded(result));
                Vec::new()
            }
            Action::CycleSort => {
                if self.tab == Tab::Drift {
                    self.drift_sort = self.drift_sort.next();
                    self.drift_cursor = 0;
                    self.drift_offset = 0;
                }
                Vec::new()
            }
        }
    }

    /// A remote request went through or failed: show it, and start reconnecting on a failure.
    fn linked(&mut self, link: crate::scoring::Link) -> Vec<Command> {
        // Reports come from several tasks: one older than what is shown is out of date.
        if self.link.as_ref().is_some_and(|status| status.finished > link.finished) {
            return Vec::new();
        }
        let attempt = self.link.as_ref().and_then(|status| status.attempt);
        let failed = link.failure.is_some();
        // A pending attempt stays: its answer is ignored if the server answered meanwhile.
        let attempt = if failed { Some(attempt.unwrap_or(0)) } else { None };
        let starting = failed && self.link.as_ref().is_none_or(|status| status.attempt.is_none());
        self.link = Some(LinkStatus::new(link, attempt));
        if starting { vec![Command::Reconnect(0)] } else { Vec::new() }
    }

    /// The answer of a reconnection attempt: go on waiting, or reload what failed.
    fn reconnected(&mut self, attempt: u32, result: Result<crate::scoring::Link, String>) -> Vec<Command> {
        let Some(status) = self.link.as_mut() else { return Vec::new() };
        if status.attempt != Some(attempt) {
            return Vec::new(); // The server answered another request meanwhile.
        }
        match result {
            Err(message) => {
                status.failure = Some(message);
                status.attempt = Some(attempt + 1);
                vec![Command::Reconnect(attempt + 1)]
            }
            Ok(link) => {
                let server = link.server.clone();
                *status = LinkStatus::new(crate::scoring::Link { failure: None, ..link }, None);
                self.status = Some(Status { text: super::strings::reconnected(&server), kind: StatusKind::Info });
                let mut commands = Vec::new();
                if let Some((id, Loadable::Failed(_))) = &self.record {
                    let id = *id;
                    self.record = Some((id, Loadable::Loading));
                    commands.push(Command::LoadClient(id));
                }
                if matches!(self.portfolio, Loadable::Failed(_)) {
                    self.portfolio = Loadable::Loading;
                    commands.push(Command::LoadPortfolio);
                }
                if matches!(self.drift, Some(Loadable::Failed(_))) {
                    self.drift = Some(Loadable::Loading);
                    commands.push(Command::LoadDrift);
                }
                commands
            }
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
        self.keep_in_view();
        if self.selected_client().map(|client| client.id) == before { Vec::new() } else { self.selection_changed() }
    }

    /// A new client is selected: hide the decision and load its fields.
    fn selection_changed(&mut self) -> Vec<Command> {
        self.prediction = Prediction::Hidden;
        self.counterfactual = None;
        self.what_if = None;
        if matches!(self.mode, Mode::Customer | Mode::WhatIf) {
            self.mode = Mode::Normal;
        }
        self.decision_cursor = 0;
        match self.selected_client().map(|client| client.id) {
            Some(id) => {
                self.record = Some((id, Loadable::Loading));
                vec![Command::LoadClient(id)]
            }
            None => {
                self.record = None;
                Vec::new()
            }
        }
    }

    /// Scrolls the lists so that their cursors are visible.
    fn keep_in_view(&mut self) {
        let height = self.list_height().max(1);
        self.list_offset = scrolled(self.list_offset, self.selected, height);
        if let Some(screen) = self.screen() {
            let data_height = layout::client_data_rows(screen.content).height.max(1) as usize;
            self.data_offset = scrolled(self.data_offset, self.data_cursor, data_height);
            let (list, _) = layout::compare(screen.content);
            let compare_height = (list.height as usize).saturating_sub(1).max(1);
            self.compare_offset = scrolled(self.compare_offset, self.compare_cursor, compare_height);
        }
    }

    fn predict(&mut self) -> Vec<Command> {
        let Some(id) = self.selected_client().map(|client| client.id) else {
            self.error(super::strings::NO_CLIENT_TO_PREDICT.into());
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
        self.compare_visited |= tab == Tab::Compare;
        self.keep_in_view();
        match tab {
            Tab::Compare => self.load_compared(),
            // Drift is computed once, the first time the tab is opened.
            Tab::Drift if self.drift.is_none() => {
                self.drift = Some(Loadable::Loading);
                vec![Command::LoadDrift]
            }
            _ => Vec::new(),
        }
    }

    /// Indices into the drift report's features in the table's order.
    pub fn drift_order(&self) -> Vec<usize> {
        let Some(Loadable::Ready(report)) = &self.drift else { return Vec::new() };
        let mut order: Vec<usize> = (0..report.features.len()).collect();
        match self.drift_sort {
            DriftSort::Weighted => {}
            DriftSort::Psi => order.sort_by(|&a, &b| report.features[b].psi.total_cmp(&report.features[a].psi)),
            DriftSort::Name => order.sort_by(|&a, &b| report.features[a].feature.cmp(&report.features[b].feature)),
        }
        order
    }

    /// Asks for the compared feature's distribution unless it is here or on its way.
    fn load_compared(&mut self) -> Vec<Command> {
        let Some(feature) = self.compared_feature().and_then(|idx| self.info.features.get(idx)) else {
            return Vec::new();
        };
        let name = feature.name.clone();
        if matches!(self.distributions.get(&name), Some(Loadable::Ready(_) | Loadable::Loading)) {
            return Vec::new();
        }
        self.distributions.insert(name.clone(), Loadable::Loading);
        vec![Command::LoadDistribution(name)]
    }

    fn waterfall_rows(&self) -> usize {
        let rows = self.screen().map_or(0, |screen| layout::waterfall_rows(layout::decision(screen.content).waterfall));
        self.shown_explanation().map_or(0, |explanation| waterfall(explanation, rows).top.len())
    }

    fn move_cursor(&mut self, delta: isize) -> Vec<Command> {
        let step =
            |cursor: usize, len: usize| (cursor as isize + delta).clamp(0, len.saturating_sub(1) as isize) as usize;
        match self.tab {
            Tab::Decision => {
                self.decision_cursor = step(self.decision_cursor, self.waterfall_rows());
                Vec::new()
            }
            Tab::ClientData => {
                self.data_cursor = step(self.data_cursor, self.info.features.len());
                self.keep_in_view();
                Vec::new()
            }
            Tab::Compare => {
                self.compare_cursor = step(self.compare_cursor, self.compare_order.len());
                self.keep_in_view();
                self.load_compared()
            }
            Tab::Portfolio => Vec::new(),
            Tab::Model => {
                self.model_scroll = self.model_scroll.saturating_add_signed(delta);
                Vec::new()
            }
            Tab::Drift => {
                self.drift_cursor = step(self.drift_cursor, self.drift_order().len());
                let height =
                    self.screen().map_or(1, |screen| layout::drift(screen.content).0.height.saturating_sub(1).max(1));
                self.drift_offset = scrolled(self.drift_offset, self.drift_cursor, height as usize);
                Vec::new()
            }
        }
    }

    /// Opens a feature in the Compare tab.
    fn compare_feature(&mut self, feature_idx: usize) -> Vec<Command> {
        if let Some(position) = self.compare_order.iter().position(|&idx| idx == feature_idx) {
            self.compare_cursor = position;
        }
        self.show_tab(Tab::Compare)
    }

    fn compare_cursor_feature(&mut self) -> Vec<Command> {
        let feature = match self.tab {
            Tab::Decision => {
                let rows = self.waterfall_rows();
                self.shown_explanation().and_then(|explanation| {
                    waterfall(explanation, rows.max(self.decision_cursor + 1)).top.get(self.decision_cursor).copied()
                })
            }
            Tab::ClientData => Some(self.data_cursor).filter(|&idx| idx < self.info.features.len()),
            _ => None,
        };
        match feature {
            Some(feature_idx) => self.compare_feature(feature_idx),
            None => Vec::new(),
        }
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
        self.keep_in_view();
        if self.selected_client().map(|client| client.id) == before { Vec::new() } else { self.selection_changed() }
    }

    fn back(&mut self) -> Vec<Command> {
        match self.mode {
            Mode::Help | Mode::Customer => self.mode = Mode::Normal,
            Mode::WhatIf => {
                self.mode = Mode::Normal;
                self.what_if = None;
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
        if matches!(self.mode, Mode::Customer | Mode::WhatIf) {
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
            return match layout::tab_at(screen.tabs, column) {
                Some(tab) => self.show_tab(tab),
                None => Vec::new(),
            };
        }
        if !layout::contains(screen.content, column, row) {
            return Vec::new();
        }
        match self.tab {
            Tab::Decision => {
                let parts = layout::decision(screen.content);
                if layout::contains(parts.button, column, row) {
                    return self.predict();
                }
                let first = layout::waterfall_row_y(parts.waterfall, 0);
                let index = row.checked_sub(first).map(usize::from);
                match index {
                    Some(index) if index < self.waterfall_rows() && layout::contains(parts.waterfall, column, row) => {
                        self.focus = Focus::Panel;
                        self.decision_cursor = index;
                        self.compare_cursor_feature()
                    }
                    _ => Vec::new(),
                }
            }
            Tab::ClientData => {
                let rows = layout::client_data_rows(screen.content);
                if layout::contains(rows, column, row) {
                    let index = self.data_offset + (row - rows.y) as usize;
                    if index < self.info.features.len() {
                        self.focus = Focus::Panel;
                        self.data_cursor = index;
                    }
                }
                Vec::new()
            }
            Tab::Compare => {
                let (list, _) = layout::compare(screen.content);
                let first = list.y + 1;
                if layout::contains(list, column, row) && row >= first {
                    let position = self.compare_offset + (row - first) as usize;
                    if position < self.compare_order.len() {
                        self.focus = Focus::Panel;
                        self.compare_cursor = position;
                        return self.load_compared();
                    }
                }
                Vec::new()
            }
            Tab::Drift => {
                let (table, _) = layout::drift(screen.content);
                let first = table.y + 1;
                if layout::contains(table, column, row) && row >= first {
                    let position = self.drift_offset + (row - first) as usize;
                    if position < self.drift_order().len() {
                        self.focus = Focus::Panel;
                        self.drift_cursor = position;
                    }
                }
                Vec::new()
            }
            Tab::Portfolio | Tab::Model => Vec::new(),
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

    fn export(&mut self) -> Vec<Command> {
        let Some(explanation) = self.shown_explanation().cloned() else {
            self.error(super::strings::PREDICT_FIRST.into());
            return Vec::new();
        };
        if !explanation.score.decision.is_decided() {
            self.error(super::strings::export_incomplete(&explanation.score.missing));
            return Vec::new();
        }
        let counterfactual = self.shown_counterfactual().and_then(Loadable::ready).cloned();
        // A search still running is worth waiting for; a failed one is said so on the sheet.
        if explanation.score.decision == Decision::Refused
            && matches!(self.shown_counterfactual(), Some(Loadable::Loading))
        {
            self.error(super::strings::EXPORT_WAIT.into());
            return Vec::new();
        }
        let job = self.export_job(explanation, counterfactual);
        self.status = Some(Status { text: super::strings::EXPORTING.into(), kind: StatusKind::Info });
        vec![Command::Export(Box::new(job))]
    }

    /// What the customer sheet (or its chart) of a shown explanation needs.
    fn export_job(&self, explanation: Explanation, counterfactual: Option<Counterfactual>) -> ExportJob {
        ExportJob {
            record: self.selected_record().filter(|record| record.id == explanation.score.client_id).cloned(),
            explanation,
            counterfactual,
            features: self.info.features.clone(),
            model_version: self.info.model_version.clone(),
            language: self.language,
            folder: self.export_dir.clone(),
        }
    }

    fn start_what_if(&mut self) -> Vec<Command> {
        let Some(record) = self.selected_record() else {
            self.error(super::strings::WHAT_IF_NEEDS_DATA.into());
            return Vec::new();
        };
        let fields: Vec<WhatIfField> = self
            .info
            .features
            .iter()
            .enumerate()
            .filter(|(_, feature)| feature.actionable && feature.categories.is_none())
            .filter_map(|(feature_idx, _)| match record.fields.get(feature_idx).map(|field| &field.value) {
                Some(FieldValue::Number(value)) => {
                    Some(WhatIfField { feature_idx, original: *value, text: amount_text(*value) })
                }
                _ => None,
            })
            .collect();
        if fields.is_empty() {
            self.error(super::strings::WHAT_IF_NOTHING.into());
            return Vec::new();
        }
        self.what_if = Some(WhatIfForm {
            client_id: record.id,
            fields,
            cursor: 0,
            message: None,
            edit: 0,
            result: None,
            baseline: None,
        });
        self.mode = Mode::WhatIf;
        self.edit_what_if(|_| {})
    }

    /// Applies an edit to the field under the cursor, then scores the form if every field
    /// reads as an amount.
    fn edit_what_if(&mut self, edit: impl FnOnce(&mut String)) -> Vec<Command> {
        let Some(form) = &mut self.what_if else { return Vec::new() };
        if let Some(field) = form.fields.get_mut(form.cursor) {
            edit(&mut field.text);
        }
        let mut changes = Vec::new();
        form.message = None;
        for field in &form.fields {
            match parse_amount(&field.text) {
                // Only what differs from the client's own value is sent: the rest stays exact.
                Ok(value) if value == field.original => {}
                Ok(value) => {
                    if let Some(feature) = self.info.features.get(field.feature_idx) {
                        changes.push((feature.name.clone(), value));
                    }
                }
                Err(message) => {
                    let label = self.info.features.get(field.feature_idx).map_or("", |f| f.label_en.as_str());
                    form.message = Some(format!("{label}: {message}"));
                    return Vec::new();
                }
            }
        }
        form.edit += 1;
        form.result = Some(Loadable::Loading);
        vec![Command::WhatIf(form.client_id, form.edit, changes)]
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
        let Some(screen) = self.screen() else { return Vec::new() };
        if layout::contains(screen.list, column, row) {
            self.select(self.selected as isize + delta)
        } else if layout::contains(screen.panel, column, row) {
            self.move_cursor(delta)
        } else {
            Vec::new()
        }
    }
}

/// The offset that keeps `cursor` in a window of `height` rows, moving as little as possible.
fn scrolled(offset: usize, cursor: usize, height: usize) -> usize {
    if cursor < offset {
        cursor
    } else if cursor >= offset + height {
        cursor + 1 - height
    } else {
        offset
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
            | Action::PortfolioProgress(..)
            | Action::PortfolioLoaded(..)
            | Action::DriftLoaded(..)
            | Action::CounterfactualLoaded(..)
            | Action::WhatIfScored(..)
            | Action::Exported(..)
            | Action::ChartRendered(..)
            | Action::Linked(..)
            | Action::Reconnected(..)
            | Action::Superseded
    )
}

/// The feature with the largest mean absolute contribution.
fn most_important(portfolio: &Portfolio) -> Option<usize> {
    (0..portfolio.mean_abs_points.len())
        .max_by(|&a, &b| portfolio.mean_abs_points[a].total_cmp(&portfolio.mean_abs_points[b]))
}

/// The Compare list: features the model uses, by label, then the others.
fn compare_order(info: &ScorerInfo) -> Vec<usize> {
    let mut order: Vec<usize> = (0..info.features.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&info.features[a], &info.features[b]);
        b.used.cmp(&a.used).then_with(|| a.label_en.to_lowercase().cmp(&b.label_en.to_lowercase()))
    });
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_people_type_them() {
        assert_eq!(parse_amount("250000"), Ok(250_000.0));
        assert_eq!(parse_amount("250 000 €"), Ok(250_000.0));
        assert_eq!(parse_amount("€250,000"), Ok(250_000.0));
        assert_eq!(parse_amount("1,234,567.5"), Ok(1_234_567.5));
        // A French decimal comma: 24,700.5 euros, not 247,005.
        assert_eq!(parse_amount("24700,5"), Ok(24_700.5));
        assert_eq!(parse_amount("24 700,50"), Ok(24_700.5));
        assert_eq!(parse_amount("34233.5"), Ok(34_233.5));
        for bad in ["12a", "1,2,3", "24,70,0", "1.2.3", "-5", ".5", "12."] {
            let error = parse_amount(bad).unwrap_err();
            assert!(error.contains("not an amount"), "{bad}: {error}");
        }
        assert!(parse_amount("").unwrap_err().contains("type an amount"));
        assert!(parse_amount("0").unwrap_err().contains("more than 0"));
        assert!(parse_amount("2000000000").unwrap_err().contains("larger than any loan"));
    }

    #[test]
    fn the_form_shows_amounts_exactly() {
        assert_eq!(amount_text(555_400.0), "555400");
        assert_eq!(amount_text(34_233.5), "34233.5");
    }
}
