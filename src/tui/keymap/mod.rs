//! Every key of the dashboard, the user's to change: named bindings ([`binds::Bind`]) with
//! default keys, patched by a `keys.toml` (`--keys FILE`, `PAD_KEYS`, else
//! `keys.toml` in the user's configuration folder, `~/.config/pad/` on Linux). Key handlers
//! ask the [`Keymap`] whether a key press is a binding; hints, the help and the texts that name
//! keys are templates (`{up}{down} client`) the keymap fills in ([`Keymap::expand`]), so
//! that they always say the keys in force.
//!
//! [`actions`] turns a key press into an [`crate::tui::action::Action`] for what is on
//! screen (the list, a tab, the search or the top overlay).
//!
//! Uses: crossterm, toml, dirs. Nothing here but [`actions`] imports the dashboard's state or
//! actions, so that every part of the dashboard can read the keymap.

pub mod actions;
pub mod binds;
pub mod file;
pub mod key;

use std::path::{Path, PathBuf};

use crossterm::event::KeyEvent;

use self::binds::Bind;
pub use self::file::KeymapError;
use self::key::KeyPress;

/// The file name of the keys in the user's configuration folder.
pub const KEYS_FILE: &str = "keys.toml";

/// The keys of every binding.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    /// The keys of each binding, in the order of [`Bind::ALL`].
    keys: Vec<Vec<KeyPress>>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let keys = Bind::ALL
            .iter()
            .map(|bind| bind.defaults().iter().filter_map(|key| KeyPress::parse(key)).collect())
            .collect();
        Keymap { keys }
    }
}

impl Keymap {
    /// The keymap of `keys.toml` over the defaults: the file given (it must exist), else the
    /// one in the user's configuration folder when there is one, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Keymap, KeymapError> {
        let path = match explicit {
            Some(path) => path.to_path_buf(),
            None => match user_file() {
                Some(path) if path.is_file() => path,
                _ => return Ok(Keymap::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|source| KeymapError::Read { path: path.clone(), source })?;
        Keymap::from_toml(&text, &path)
    }

    /// The keymap of a keys file's text over the defaults; `path` names it in errors.
    pub fn from_toml(text: &str, path: &Path) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::default();
        for (bind, keys) in file::parse(text, path)? {
            if let Some(slot) = keymap.keys.get_mut(bind as usize) {
                *slot = keys;
            }
        }
        Ok(keymap)
    }

    /// A binding's keys, the one hints name first.
    pub fn keys(&self, bind: Bind) -> &[KeyPress] {
        self.keys.get(bind as usize).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Whether a key press is one of a binding's keys.
    pub fn is(&self, bind: Bind, key: KeyEvent) -> bool {
        self.keys(bind).iter().any(|press| press.matches(key))
    }

    /// The first of `binds` that a key press is.
    pub fn find(&self, binds: &[Bind], key: KeyEvent) -> Option<Bind> {
        binds.iter().copied().find(|&bind| self.is(bind, key))
    }

    /// A binding's key number `index` (from 0) as hints show it; empty when it has fewer.
    pub fn label(&self, bind: Bind, index: usize) -> String {
        self.keys(bind).get(index).map(KeyPress::label).unwrap_or_default()
    }

    /// A text with its key templates filled in: `{name}` is the first key of binding `name`,
    /// `{name:2}` its second (when it has none, the spaces, `/` or ` or ` before it go too);
    /// anything else stays as written.
    pub fn expand(&self, template: &str) -> String {
        let mut text = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let filled = after.find('}').and_then(|close| {
                let (name, index) = match after[..close].split_once(':') {
                    Some((name, number)) => (name, number.parse::<usize>().ok()?.checked_sub(1)?),
                    None => (&after[..close], 0),
                };
                let bind = Bind::ALL.iter().copied().find(|bind| bind.name() == name)?;
                Some((self.label(bind, index), close))
            });
            match filled {
                Some((label, close)) => {
                    if label.is_empty() {
                        // A binding without that many keys: its joiner goes too ("p or ").
                        let kept = text.trim_end_matches([' ', '/']);
                        let kept = kept.strip_suffix(" or").unwrap_or(kept).trim_end_matches([' ', '/']).len();
                        text.truncate(kept);
                    }
                    text.push_str(&label);
                    rest = &after[close + 1..];
                }
                None => {
                    text.push('{');
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        text
    }

    /// `(key, what it does)` pairs with both sides' templates filled in.
    pub fn expand_pairs(&self, pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(key, what)| (self.expand(key), self.expand(what))).collect()
    }
}

/// `keys.toml` in the user's configuration folder, when the system has one.
pub fn user_file() -> Option<PathBuf> {
    dirs::config_dir().map(|folder| folder.join("pad").join(KEYS_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_key_reads() {
        for bind in Bind::ALL {
            assert_eq!(Keymap::default().keys(*bind).len(), bind.defaults().len(), "{}", bind.name());
        }
    }

    #[test]
    fn templates_name_the_keys_in_force() {
        let keymap = Keymap::default();
        assert_eq!(keymap.expand("{up}{down} client"), "↑↓ client");
        assert_eq!(keymap.expand("{up} {down}  {up:2} {down:2}"), "↑ ↓  k j");
        assert_eq!(keymap.expand("{quit}  {quit_now}"), "q  Ctrl-C");
        assert_eq!(keymap.expand("{nothing} {up"), "{nothing} {up");
        let mine = Keymap::from_toml("up = [\"i\", \"Up\"]", Path::new("keys.toml")).unwrap();
        assert_eq!(mine.expand("{up}{down} client"), "i↓ client");
        let single = Keymap::from_toml("predict = \"P\"", Path::new("keys.toml")).unwrap();
        assert_eq!(single.expand(" press {predict} or {predict:2}, or click"), " press P, or click");
        assert_eq!(single.expand("{predict}  {predict:2}"), "P");
    }
}
