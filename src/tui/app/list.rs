//! Browsing: the client list, its search and selection, the tabs and the focus between them,
//! clicks and the wheel outside overlays. What happens inside a tab is the tab's
//! ([`crate::tui::panel::Panel`]); this hands it over.

use super::App;
use crate::tui::action::Action;
use crate::tui::command::Command;
use crate::tui::layout;
use crate::tui::overlay::Input as OverlayInput;
use crate::tui::panel::{Effect, Input, scrolled};
use crate::tui::state::{Focus, Loadable, Prediction};
use crate::tui::strings;
use crate::tui::tabs::{Tab, tab_at};

impl App {
    /// Applies an action of the list, the search or the tabs.
    pub(super) fn browse(&mut self, action: Action) -> Vec<Command> {
        match action {
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
            Action::CycleSort => self.tab_input(self.tab, Input::Sort),
            Action::StartSearch => {
                self.searching = true;
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
                self.searching = false;
                Vec::new()
            }
            Action::SearchCancel => {
                self.searching = false;
                self.query.clear();
                self.filter()
            }
            _ => Vec::new(),
        }
    }

    /// Hands an input to a tab, then does what it asks.
    pub(super) fn tab_input(&mut self, tab: Tab, input: Input) -> Vec<Command> {
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
    pub(super) fn every_tab(&mut self, input: Input) -> Vec<Command> {
        Tab::ALL.into_iter().flat_map(|tab| self.tab_input(tab, input)).collect()
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

    /// A new client is selected: hide the decision, close what showed the last one, and load
    /// the new one's fields.
    pub(super) fn selection_changed(&mut self) -> Vec<Command> {
        self.prediction = Prediction::Hidden;
        self.counterfactual = None;
        let mut commands = self.overlay_input(OverlayInput::ClientChanged);
        commands.extend(self.every_tab(Input::ClientChanged));
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
            self.error(self.keymap.expand(strings::NO_CLIENT_TO_PREDICT));
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

    /// Esc: close the overlay on top, clear the search, or return the focus to the list.
    pub(super) fn back(&mut self) -> Vec<Command> {
        if !self.overlays.is_empty() {
            self.close_top();
        } else if self.searching || (self.focus == Focus::Clients && !self.query.is_empty()) {
            return self.browse(Action::SearchCancel);
        } else if self.focus == Focus::Panel {
            self.focus = Focus::Clients;
        }
        Vec::new()
    }

    pub(super) fn click(&mut self, column: u16, row: u16) -> Vec<Command> {
        if !self.overlays.is_empty() {
            return self.overlay_input(OverlayInput::Click(column, row));
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
            return self.browse(Action::StartSearch);
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

    pub(super) fn wheel(&mut self, column: u16, row: u16, delta: isize) -> Vec<Command> {
        if !self.overlays.is_empty() {
            return self.overlay_input(OverlayInput::Scroll(delta));
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
