//! Key presses and mouse events to actions, for what is on screen: the client list or a tab
//! (by focus), the search, or the overlay on top (the bindings it answers, then the text it
//! takes). Nothing here changes state.
//!
//! Uses: keymap (its parent), action, overlay, overlays (their kinds and opening keys), panel,
//! state, tabs.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::Keymap;
use super::binds::Bind;
use crate::tui::action::Action;
use crate::tui::overlay::{Input, Layer, Typing};
use crate::tui::overlays::Kind;
use crate::tui::panel::PANEL_PAGE;
use crate::tui::state::Focus;
use crate::tui::tabs::Tab;

/// What the keys act on now.
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    /// The client list or the tab's content, by focus.
    Browse(Focus),
    /// The search being typed.
    Search,
    /// The overlay on top.
    Overlay(&'a dyn Layer),
}

/// The keys of a tab's content while it has the focus, before the list's.
const PANEL_KEYS: &[(Bind, Action)] = &[
    (Bind::Up, Action::MoveCursor(-1)),
    (Bind::Down, Action::MoveCursor(1)),
    (Bind::PageUp, Action::MoveCursor(-PANEL_PAGE)),
    (Bind::PageDown, Action::MoveCursor(PANEL_PAGE)),
    (Bind::First, Action::MoveCursor(isize::MIN / 2)),
    (Bind::Last, Action::MoveCursor(isize::MAX / 2)),
    (Bind::Compare, Action::CompareCursor),
];

/// The keys of the client list and of every tab.
const BROWSE_KEYS: &[(Bind, Action)] = &[
    (Bind::Quit, Action::Quit),
    (Bind::Up, Action::MoveClient(-1)),
    (Bind::Down, Action::MoveClient(1)),
    (Bind::PageUp, Action::PageClient(-1)),
    (Bind::PageDown, Action::PageClient(1)),
    (Bind::First, Action::FirstClient),
    (Bind::Last, Action::LastClient),
    (Bind::Predict, Action::Predict),
    (Bind::NextTab, Action::NextTab),
    (Bind::PreviousTab, Action::PreviousTab),
    (Bind::Sort, Action::CycleSort),
    (Bind::Export, Action::Export),
    (Bind::FocusClients, Action::FocusClients),
    (Bind::FocusPanel, Action::FocusPanel),
    (Bind::Search, Action::StartSearch),
    (Bind::Back, Action::Back),
];

/// The keys of the search.
const SEARCH_KEYS: &[(Bind, Action)] = &[
    (Bind::Back, Action::SearchCancel),
    (Bind::Submit, Action::SearchConfirm),
    (Bind::DeleteChar, Action::SearchBackspace),
    (Bind::SearchUp, Action::MoveClient(-1)),
    (Bind::SearchDown, Action::MoveClient(1)),
];

/// The action for a key press, if the key means anything in `scope`.
pub fn key_action(keymap: &Keymap, scope: Scope<'_>, key: KeyEvent) -> Option<Action> {
    if keymap.is(Bind::QuitNow, key) {
        return Some(Action::Quit);
    }
    let bound = |table: &[(Bind, Action)]| {
        table.iter().find(|(bind, _)| keymap.is(*bind, key)).map(|(_, action)| action.clone())
    };
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match scope {
        Scope::Overlay(layer) => {
            if let Some(bind) = keymap.find(layer.keys(), key) {
                return Some(Action::Overlay(Input::Key(bind)));
            }
            let typed = match (layer.typing(), key.code) {
                (Typing::Any, KeyCode::Char(character)) => Some(character),
                (Typing::Plain, KeyCode::Char(character)) if !control && !alt => Some(character),
                _ => None,
            };
            typed.filter(|character| !character.is_control()).map(|character| Action::Overlay(Input::Text(character)))
        }
        Scope::Search => bound(SEARCH_KEYS).or(match key.code {
            KeyCode::Char(character) if !control && !character.is_control() => Some(Action::SearchInput(character)),
            _ => None,
        }),
        Scope::Browse(focus) => {
            let panel = if focus == Focus::Panel { bound(PANEL_KEYS) } else { None };
            panel
                .or_else(|| bound(BROWSE_KEYS))
                .or_else(|| {
                    let opens = Kind::ALL.iter().find(|kind| kind.opened_by().is_some_and(|bind| keymap.is(bind, key)));
                    opens.map(|kind| Action::Open(*kind))
                })
                .or(match key.code {
                    // The tabs by their number in the tab bar.
                    KeyCode::Char(digit @ '1'..='9') if !control => {
                        Tab::ALL.get((digit as u8 - b'1') as usize).map(|tab| Action::ShowTab(*tab))
                    }
                    _ => None,
                })
        }
    }
}

/// The action for a mouse event: left click, or wheel.
pub fn mouse_action(mouse: MouseEvent) -> Option<Action> {
    match mouse.kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Action::Click(mouse.column, mouse.row)),
        MouseEventKind::ScrollDown => Some(Action::Wheel(mouse.column, mouse.row, 1)),
        MouseEventKind::ScrollUp => Some(Action::Wheel(mouse.column, mouse.row, -1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::overlays::customer::CustomerView;
    use crate::tui::overlays::help::Help;
    use crate::tui::overlays::record::RecordForm;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn action(scope: Scope<'_>, code: KeyCode) -> Option<Action> {
        key_action(&Keymap::default(), scope, press(code))
    }

    const CLIENTS: Scope<'static> = Scope::Browse(Focus::Clients);
    const PANEL: Scope<'static> = Scope::Browse(Focus::Panel);

    #[test]
    fn arrows_move_what_has_the_focus() {
        assert_eq!(action(CLIENTS, KeyCode::Down), Some(Action::MoveClient(1)));
        assert_eq!(action(PANEL, KeyCode::Down), Some(Action::MoveCursor(1)));
        assert_eq!(action(CLIENTS, KeyCode::Char('k')), Some(Action::MoveClient(-1)));
        assert_eq!(action(CLIENTS, KeyCode::Enter), Some(Action::Predict));
        assert_eq!(action(PANEL, KeyCode::Enter), Some(Action::CompareCursor));
        assert_eq!(action(PANEL, KeyCode::Char('p')), Some(Action::Predict));
    }

    #[test]
    fn typing_in_search_is_text_not_commands() {
        assert_eq!(action(Scope::Search, KeyCode::Char('q')), Some(Action::SearchInput('q')));
        assert_eq!(action(Scope::Search, KeyCode::Char('1')), Some(Action::SearchInput('1')));
        assert_eq!(action(Scope::Search, KeyCode::Esc), Some(Action::SearchCancel));
        let control_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(key_action(&Keymap::default(), Scope::Search, control_c), Some(Action::Quit));
    }

    #[test]
    fn tabs_by_number_and_help_closes_with_q() {
        assert_eq!(action(CLIENTS, KeyCode::Char('3')), Some(Action::ShowTab(Tab::Compare)));
        assert_eq!(action(CLIENTS, KeyCode::Char('9')), Some(Action::ShowTab(Tab::Journal)));
        assert_eq!(action(CLIENTS, KeyCode::Char('0')), None);
        assert_eq!(action(CLIENTS, KeyCode::Char('?')), Some(Action::Open(Kind::Help)));
        let help = Help::default();
        assert_eq!(
            action(Scope::Overlay(&help), KeyCode::Char('q')),
            Some(Action::Overlay(Input::Key(Bind::HelpClose)))
        );
        assert_eq!(action(CLIENTS, KeyCode::F(5)), None);
    }

    #[test]
    fn the_customer_view_toggles_language_and_never_quits_on_q() {
        let view = CustomerView::default();
        let customer = Scope::Overlay(&view);
        let key = |bind| Some(Action::Overlay(Input::Key(bind)));
        assert_eq!(action(CLIENTS, KeyCode::Char('c')), Some(Action::Open(Kind::Customer)));
        assert_eq!(action(customer, KeyCode::Char('l')), key(Bind::CustomerLanguage));
        assert_eq!(action(customer, KeyCode::Char('q')), key(Bind::CustomerClose));
        assert_eq!(action(customer, KeyCode::Esc), key(Bind::CustomerClose));
        assert_eq!(action(customer, KeyCode::Char('x')), key(Bind::Export));
        assert_eq!(action(customer, KeyCode::Down), key(Bind::Down));
        assert_eq!(action(customer, KeyCode::Char('p')), None);
    }

    #[test]
    fn the_record_form_takes_text() {
        let form = RecordForm::new(7, crate::domain::Decision::Refused);
        let record = Scope::Overlay(&form);
        assert_eq!(action(CLIENTS, KeyCode::Char('d')), Some(Action::Open(Kind::Record)));
        assert_eq!(action(record, KeyCode::Char('q')), Some(Action::Overlay(Input::Text('q'))));
        assert_eq!(action(record, KeyCode::Tab), Some(Action::Overlay(Input::Key(Bind::RecordToggle))));
        assert_eq!(action(record, KeyCode::Enter), Some(Action::Overlay(Input::Key(Bind::Submit))));
        assert_eq!(action(record, KeyCode::Down), Some(Action::Overlay(Input::Key(Bind::RecordReasonDown))));
    }

    #[test]
    fn a_key_changed_in_a_keys_file_does_the_binding_and_the_old_one_nothing() {
        let keymap = Keymap::from_toml("help = \"F1\"\nquit = [\"Q\"]", std::path::Path::new("keys.toml")).unwrap();
        assert_eq!(key_action(&keymap, CLIENTS, press(KeyCode::F(1))), Some(Action::Open(Kind::Help)));
        assert_eq!(key_action(&keymap, CLIENTS, press(KeyCode::Char('?'))), None);
        assert_eq!(key_action(&keymap, CLIENTS, press(KeyCode::Char('Q'))), Some(Action::Quit));
        assert_eq!(key_action(&keymap, CLIENTS, press(KeyCode::Char('q'))), None);
    }
}
