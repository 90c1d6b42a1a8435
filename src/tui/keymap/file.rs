//! Reading `keys.toml`: the user's keys over the defaults, and what is wrong with a file that
//! cannot be read, naming the file, the line and the key.
//!
//! The file is flat: `name = "key"` or `name = ["key", "key"]`, the names those of
//! [`super::binds::Bind`]. A binding the file does not name keeps its default keys.
//!
//! Uses: toml.

use std::path::{Path, PathBuf};

use super::binds::Bind;
use super::key::{KEY_SYNTAX, KeyPress};

/// Why the keys file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// The file named with `--keys` or `PAD_KEYS`, or found in the configuration folder,
    /// cannot be read.
    #[error("cannot read the keys file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not TOML.
    #[error("{path}, line {line}: {message} (the keys file is TOML: name = \"key\" or name = [\"key\", \"key\"])")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What the TOML reader says.
        message: String,
    },
    /// A name that is no binding of the dashboard.
    #[error("{path}, line {line}: `{name}` is not a key binding of pad; the names are listed in the README (Keys)")]
    UnknownName {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The name written.
        name: String,
    },
    /// A binding given something other than a key or a list of keys.
    #[error("{path}, line {line}: `{name}` takes a key or a list of keys, for example {name} = [\"j\", \"Down\"]")]
    NotKeys {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The binding.
        name: String,
    },
    /// A key that cannot be read.
    #[error("{path}, line {line}: `{key}` (for {name}) is not a key: write {KEY_SYNTAX}")]
    BadKey {
        /// The file.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The binding.
        name: String,
        /// The key written.
        key: String,
    },
}

/// The bindings a keys file sets, with their keys.
pub fn parse(text: &str, path: &Path) -> Result<Vec<(Bind, Vec<KeyPress>)>, KeymapError> {
    let table: toml::Table = text.parse().map_err(|error: toml::de::Error| KeymapError::Syntax {
        path: path.to_path_buf(),
        line: error.span().map_or(1, |span| line_at(text, span.start)),
        message: error.message().trim().to_string(),
    })?;
    let mut bindings = Vec::new();
    for (name, value) in &table {
        let line = line_of(text, name);
        let Some(bind) = Bind::ALL.iter().copied().find(|bind| bind.name() == name) else {
            return Err(KeymapError::UnknownName { path: path.to_path_buf(), line, name: name.clone() });
        };
        let not_keys = || KeymapError::NotKeys { path: path.to_path_buf(), line, name: name.clone() };
        let written: Vec<&str> = match value {
            toml::Value::String(key) => vec![key.as_str()],
            toml::Value::Array(keys) if !keys.is_empty() => {
                keys.iter().map(toml::Value::as_str).collect::<Option<Vec<&str>>>().ok_or_else(not_keys)?
            }
            _ => return Err(not_keys()),
        };
        let keys = written
            .into_iter()
            .map(|key| {
                KeyPress::parse(key).ok_or_else(|| KeymapError::BadKey {
                    path: path.to_path_buf(),
                    line,
                    name: name.clone(),
                    key: key.to_string(),
                })
            })
            .collect::<Result<Vec<KeyPress>, KeymapError>>()?;
        bindings.push((bind, keys));
    }
    Ok(bindings)
}

/// The line, from 1, of byte `offset`.
fn line_at(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |before| before.matches('\n').count() + 1)
}

/// The line, from 1, where a binding is named (`name =`, maybe quoted).
fn line_of(text: &str, name: &str) -> usize {
    let named = |line: &str| {
        let line = line.trim_start();
        let rest = line
            .strip_prefix(name)
            .or_else(|| line.strip_prefix('"').and_then(|quoted| quoted.strip_prefix(name)?.strip_prefix('"')))
            .or_else(|| line.strip_prefix('\'').and_then(|quoted| quoted.strip_prefix(name)?.strip_prefix('\'')));
        rest.is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    text.lines().position(named).map_or(1, |index| index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_sets_the_bindings_it_names() {
        let bindings = parse("# mine\nquit = \"Q\"\ndown = [\"Down\", \"n\"]\n", Path::new("keys.toml")).unwrap();
        assert_eq!(bindings.len(), 2);
        assert!(bindings.contains(&(Bind::Quit, vec![KeyPress::parse("Q").unwrap()])));
    }

    #[test]
    fn each_mistake_names_the_file_the_line_and_the_key() {
        let path = Path::new("/home/ana/.config/pad/keys.toml");
        let error = |text: &str| parse(text, path).unwrap_err().to_string();
        assert_eq!(
            error("quit = \"q\"\n\nqiut = \"x\"\n"),
            "/home/ana/.config/pad/keys.toml, line 3: `qiut` is not a key binding of pad; the names are listed \
             in the README (Keys)"
        );
        assert!(
            error("quit = \"q\"\ndown = [\"Down\", \"Dwn\"]\n").starts_with(
                "/home/ana/.config/pad/keys.toml, line 2: `Dwn` (for down) is not a key: write a character"
            )
        );
        assert!(error("help = 3\n").contains("line 1: `help` takes a key or a list of keys"));
        assert!(error("help = []\n").contains("line 1: `help` takes a key or a list of keys"));
        let syntax = error("quit = \"q\"\nhelp = \n");
        assert!(syntax.starts_with("/home/ana/.config/pad/keys.toml, line 2: "), "{syntax}");
    }
}
