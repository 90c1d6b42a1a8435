//! One key as `keys.toml` writes it (`q`, `Ctrl-c`, `Shift-Tab`, `PgDn`, `F5`), as a hint shows
//! it (`↑`, `Ctrl-C`), and whether a key press is it.
//!
//! Uses: crossterm.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key with the modifiers that change what it means: Ctrl and Alt. Shift is in the key
/// itself (`G`, `Shift-Tab`), as terminals send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPress {
    /// The key.
    pub code: KeyCode,
    /// Whether Ctrl is held.
    pub control: bool,
    /// Whether Alt is held.
    pub alt: bool,
}

/// The names of keys that are not characters, as `keys.toml` writes them, with the key.
const NAMED: &[(&str, KeyCode)] = &[
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("Shift-Tab", KeyCode::BackTab),
    ("Backspace", KeyCode::Backspace),
    ("PgUp", KeyCode::PageUp),
    ("PgDn", KeyCode::PageDown),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("Delete", KeyCode::Delete),
    ("Insert", KeyCode::Insert),
    ("Space", KeyCode::Char(' ')),
];

/// Other spellings accepted in `keys.toml`.
const ALIASES: &[(&str, KeyCode)] = &[
    ("↑", KeyCode::Up),
    ("↓", KeyCode::Down),
    ("←", KeyCode::Left),
    ("→", KeyCode::Right),
    ("Escape", KeyCode::Esc),
    ("Return", KeyCode::Enter),
    ("BackTab", KeyCode::BackTab),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Del", KeyCode::Delete),
];

/// How `keys.toml` may write a key, for error messages.
pub const KEY_SYNTAX: &str = "a character (q, G, ?), or Up, Down, Left, Right, Enter, Esc, Tab, Shift-Tab, \
     Backspace, PgUp, PgDn, Home, End, Delete, Insert, Space, F1 to F12, each maybe after Ctrl- or Alt-";

impl KeyPress {
    /// Reads a key as `keys.toml` writes it; `None` when it is not one.
    pub fn parse(text: &str) -> Option<KeyPress> {
        let mut rest = text;
        let (mut control, mut alt) = (false, false);
        loop {
            if let Some(after) = strip_prefix_ignoring_case(rest, "Ctrl-") {
                control = true;
                rest = after;
            } else if let Some(after) = strip_prefix_ignoring_case(rest, "Alt-") {
                alt = true;
                rest = after;
            } else {
                break;
            }
        }
        let code = code_of(rest)?;
        Some(KeyPress { code, control, alt })
    }

    /// The key as hints and the help show it: arrows as arrows, `Ctrl-C`, `Shift-Tab`.
    pub fn label(&self) -> String {
        let key = match self.code {
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::F(number) => format!("F{number}"),
            // Ctrl with a letter reads as the capital letter, as manuals write it.
            KeyCode::Char(character) if self.control => character.to_uppercase().to_string(),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(character) => character.to_string(),
            code => NAMED.iter().find(|(_, named)| *named == code).map_or("?", |(name, _)| *name).to_string(),
        };
        let control = if self.control { "Ctrl-" } else { "" };
        let alt = if self.alt { "Alt-" } else { "" };
        format!("{control}{alt}{key}")
    }

    /// Whether a key press is this key (Shift aside: it is in the key itself).
    pub fn matches(&self, key: KeyEvent) -> bool {
        key.code == self.code
            && key.modifiers.contains(KeyModifiers::CONTROL) == self.control
            && key.modifiers.contains(KeyModifiers::ALT) == self.alt
    }
}

fn strip_prefix_ignoring_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    // A lone `-` after the prefix is the key itself (`Ctrl--`), not the end of a prefix.
    (head.eq_ignore_ascii_case(prefix) && text.len() > prefix.len()).then(|| &text[prefix.len()..])
}

fn code_of(text: &str) -> Option<KeyCode> {
    let mut characters = text.chars();
    if let (Some(character), None) = (characters.next(), characters.next()) {
        return (!character.is_control()).then_some(KeyCode::Char(character));
    }
    let named = NAMED.iter().chain(ALIASES).find(|(name, _)| name.eq_ignore_ascii_case(text));
    if let Some((_, code)) = named {
        return Some(*code);
    }
    let number: u8 = text.strip_prefix(['F', 'f'])?.parse().ok()?;
    (1..=12).contains(&number).then_some(KeyCode::F(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_and_show_as_people_write_them() {
        let control_c = KeyPress::parse("Ctrl-c").unwrap();
        assert_eq!(control_c, KeyPress { code: KeyCode::Char('c'), control: true, alt: false });
        assert_eq!(control_c.label(), "Ctrl-C");
        assert_eq!(KeyPress::parse("Shift-Tab").unwrap().label(), "Shift-Tab");
        assert_eq!(KeyPress::parse("pgdn").unwrap().label(), "PgDn");
        assert_eq!(KeyPress::parse("Up").unwrap().label(), "↑");
        assert_eq!(KeyPress::parse("F5").unwrap().code, KeyCode::F(5));
        assert_eq!(KeyPress::parse("G").unwrap().label(), "G");
        assert_eq!(KeyPress::parse("alt-x").unwrap().label(), "Alt-x");
        for bad in ["", "Ctrl-", "Upp", "F13", "qq", "\t"] {
            assert_eq!(KeyPress::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_key_matches_with_its_modifiers_and_shift_aside() {
        let q = KeyPress::parse("q").unwrap();
        assert!(q.matches(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE)));
        assert!(!q.matches(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL)));
        let back_tab = KeyPress::parse("Shift-Tab").unwrap();
        assert!(back_tab.matches(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
    }
}
