//! Keys and mouse events to actions, by mode and focus. Nothing here changes state.
//!
//! The keys follow common terminal tools: arrows and `j`/`k`, PgUp/PgDn, `g`/`G`, Tab and
//! the tab's number for tabs, `/` to search, `?` for help, `q` or Ctrl-C to quit, Esc to go back; `c`
//! opens the customer view (`l` switches its language), `w` the what-if form, `x` exports, `d` records the final decision in the journal, `R` opens the reviewer's desk.
//! The full-screen views and overlays have their keys in their modules ([`super::screens`]).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::action::Action;
use super::panel::PANEL_PAGE;
use super::screens::{contest, customer, help, record, what_if};
use super::state::{Focus, Mode};
use super::tabs::Tab;

/// The action for a key press, if the key means anything here.
pub fn key_action(mode: Mode, focus: Focus, key: KeyEvent) -> Option<Action> {
    let control = key.modifiers.contains(KeyModifiers::CONTROL);
    if control && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C')) {
        return Some(Action::Quit);
    }
    match mode {
        Mode::Help => help::key(key),
        Mode::Search => search_key(key, control),
        Mode::Customer => customer::key(key),
        Mode::WhatIf => what_if::key(key, control),
        Mode::Record => record::key(key),
        Mode::Review => Some(Action::ReviewKey(key)),
        Mode::Contest => contest::key(key),
        Mode::ConfirmQuit => match key.code {
            KeyCode::Char('q' | 'y') => Some(Action::Quit),
            KeyCode::Esc | KeyCode::Char('n') => Some(Action::Back),
            _ => None,
        },
        Mode::Normal if control => None,
        Mode::Normal => normal_key(focus, key),
    }
}

fn search_key(key: KeyEvent, control: bool) -> Option<Action> {
    match key.code {
        KeyCode::Esc => Some(Action::SearchCancel),
        KeyCode::Enter => Some(Action::SearchConfirm),
        KeyCode::Backspace => Some(Action::SearchBackspace),
        KeyCode::Up => Some(Action::MoveClient(-1)),
        KeyCode::Down => Some(Action::MoveClient(1)),
        KeyCode::Char(character) if !control && !character.is_control() => Some(Action::SearchInput(character)),
        _ => None,
    }
}

fn normal_key(focus: Focus, key: KeyEvent) -> Option<Action> {
    let in_panel = focus == Focus::Panel;
    let action = match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Up | KeyCode::Char('k') if in_panel => Action::MoveCursor(-1),
        KeyCode::Down | KeyCode::Char('j') if in_panel => Action::MoveCursor(1),
        KeyCode::PageUp if in_panel => Action::MoveCursor(-PANEL_PAGE),
        KeyCode::PageDown if in_panel => Action::MoveCursor(PANEL_PAGE),
        KeyCode::Home | KeyCode::Char('g') if in_panel => Action::MoveCursor(isize::MIN / 2),
        KeyCode::End | KeyCode::Char('G') if in_panel => Action::MoveCursor(isize::MAX / 2),
        KeyCode::Enter if in_panel => Action::CompareCursor,
        KeyCode::Up | KeyCode::Char('k') => Action::MoveClient(-1),
        KeyCode::Down | KeyCode::Char('j') => Action::MoveClient(1),
        KeyCode::PageUp => Action::PageClient(-1),
        KeyCode::PageDown => Action::PageClient(1),
        KeyCode::Home | KeyCode::Char('g') => Action::FirstClient,
        KeyCode::End | KeyCode::Char('G') => Action::LastClient,
        KeyCode::Enter | KeyCode::Char('p') => Action::Predict,
        KeyCode::Tab => Action::NextTab,
        KeyCode::BackTab => Action::PreviousTab,
        KeyCode::Char(digit @ '1'..='9') => Action::ShowTab(*Tab::ALL.get((digit as u8 - b'1') as usize)?),
        KeyCode::Char('s') => Action::CycleSort,
        KeyCode::Char('c') => Action::ShowCustomer,
        KeyCode::Char('w') => Action::StartWhatIf,
        KeyCode::Char('x') => Action::Export,
        KeyCode::Char('d') => Action::StartRecord,
        KeyCode::Char('R') => Action::OpenReviews,
        KeyCode::Char('C') => Action::StartContest,
        KeyCode::Left | KeyCode::Char('h') => Action::FocusClients,
        KeyCode::Right | KeyCode::Char('l') => Action::FocusPanel,
        KeyCode::Char('/') => Action::StartSearch,
        KeyCode::Char('?') => Action::ToggleHelp,
        KeyCode::Esc => Action::Back,
        _ => return None,
    };
    Some(action)
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

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn arrows_move_what_has_the_focus() {
        assert_eq!(key_action(Mode::Normal, Focus::Clients, press(KeyCode::Down)), Some(Action::MoveClient(1)));
        assert_eq!(key_action(Mode::Normal, Focus::Panel, press(KeyCode::Down)), Some(Action::MoveCursor(1)));
        assert_eq!(key_action(Mode::Normal, Focus::Clients, press(KeyCode::Char('k'))), Some(Action::MoveClient(-1)));
        assert_eq!(key_action(Mode::Normal, Focus::Clients, press(KeyCode::Enter)), Some(Action::Predict));
        assert_eq!(key_action(Mode::Normal, Focus::Panel, press(KeyCode::Enter)), Some(Action::CompareCursor));
        assert_eq!(key_action(Mode::Normal, Focus::Panel, press(KeyCode::Char('p'))), Some(Action::Predict));
    }

    #[test]
    fn typing_in_search_is_text_not_commands() {
        assert_eq!(key_action(Mode::Search, Focus::Clients, press(KeyCode::Char('q'))), Some(Action::SearchInput('q')));
        assert_eq!(key_action(Mode::Search, Focus::Clients, press(KeyCode::Char('1'))), Some(Action::SearchInput('1')));
        assert_eq!(key_action(Mode::Search, Focus::Clients, press(KeyCode::Esc)), Some(Action::SearchCancel));
        let control_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(key_action(Mode::Search, Focus::Clients, control_c), Some(Action::Quit));
    }

    #[test]
    fn tabs_by_number_and_help_closes_with_q() {
        assert_eq!(
            key_action(Mode::Normal, Focus::Clients, press(KeyCode::Char('3'))),
            Some(Action::ShowTab(Tab::Compare))
        );
        assert_eq!(
            key_action(Mode::Normal, Focus::Clients, press(KeyCode::Char('9'))),
            Some(Action::ShowTab(Tab::Journal))
        );
        assert_eq!(key_action(Mode::Normal, Focus::Clients, press(KeyCode::Char('0'))), None);
        assert_eq!(key_action(Mode::Help, Focus::Clients, press(KeyCode::Char('q'))), Some(Action::ToggleHelp));
        assert_eq!(key_action(Mode::Normal, Focus::Clients, press(KeyCode::F(5))), None);
    }

    #[test]
    fn the_customer_view_toggles_language_and_never_quits_on_q() {
        assert_eq!(key_action(Mode::Normal, Focus::Clients, press(KeyCode::Char('c'))), Some(Action::ShowCustomer));
        assert_eq!(key_action(Mode::Customer, Focus::Clients, press(KeyCode::Char('l'))), Some(Action::ToggleLanguage));
        assert_eq!(key_action(Mode::Customer, Focus::Clients, press(KeyCode::Char('q'))), Some(Action::Back));
        assert_eq!(key_action(Mode::Customer, Focus::Clients, press(KeyCode::Esc)), Some(Action::Back));
        assert_eq!(key_action(Mode::Customer, Focus::Clients, press(KeyCode::Char('x'))), Some(Action::Export));
        assert_eq!(key_action(Mode::Customer, Focus::Clients, press(KeyCode::Down)), Some(Action::ScrollCustomer(1)));
        assert_eq!(key_action(Mode::Customer, Focus::Clients, press(KeyCode::Char('p'))), None);
    }

    #[test]
    fn the_record_form_takes_text_and_quitting_with_a_pending_decision_asks() {
        assert_eq!(key_action(Mode::Normal, Focus::Clients, press(KeyCode::Char('d'))), Some(Action::StartRecord));
        assert_eq!(key_action(Mode::Record, Focus::Clients, press(KeyCode::Char('q'))), Some(Action::RecordInput('q')));
        assert_eq!(key_action(Mode::Record, Focus::Clients, press(KeyCode::Tab)), Some(Action::RecordToggle));
        assert_eq!(key_action(Mode::Record, Focus::Clients, press(KeyCode::Enter)), Some(Action::RecordSubmit));
        assert_eq!(key_action(Mode::Record, Focus::Clients, press(KeyCode::Down)), Some(Action::RecordReason(1)));
        assert_eq!(key_action(Mode::ConfirmQuit, Focus::Clients, press(KeyCode::Char('q'))), Some(Action::Quit));
        assert_eq!(key_action(Mode::ConfirmQuit, Focus::Clients, press(KeyCode::Esc)), Some(Action::Back));
    }

    #[test]
    fn the_what_if_form_takes_text_and_resets_with_r() {
        assert_eq!(key_action(Mode::Normal, Focus::Clients, press(KeyCode::Char('w'))), Some(Action::StartWhatIf));
        assert_eq!(key_action(Mode::WhatIf, Focus::Clients, press(KeyCode::Char('5'))), Some(Action::WhatIfInput('5')));
        assert_eq!(key_action(Mode::WhatIf, Focus::Clients, press(KeyCode::Char('q'))), Some(Action::WhatIfInput('q')));
        assert_eq!(key_action(Mode::WhatIf, Focus::Clients, press(KeyCode::Char('r'))), Some(Action::WhatIfReset));
        assert_eq!(key_action(Mode::WhatIf, Focus::Clients, press(KeyCode::Enter)), Some(Action::WhatIfMove(1)));
        assert_eq!(key_action(Mode::WhatIf, Focus::Clients, press(KeyCode::Esc)), Some(Action::Back));
    }
}
