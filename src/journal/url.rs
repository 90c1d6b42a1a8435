//! Journal addresses: `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/DB`, and the
//! default file in the user's data folder.
//!
//! Uses: std only.

use std::path::{Path, PathBuf};

use super::JournalError;

/// A checked journal address.
#[derive(Clone, PartialEq, Eq)]
pub enum JournalUrl {
    /// An SQLite file (created when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL database; the URL as given.
    Postgres(String),
}

impl JournalUrl {
    /// Reads an address: `sqlite://PATH` (`sqlite:///abs/path` or `sqlite://relative/path`)
    /// or `postgres://…` / `postgresql://…`.
    pub fn parse(text: &str) -> Result<JournalUrl, JournalError> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(JournalError::Url(format!(
                    "`{text}` names no file: write sqlite://PATH, e.g. sqlite:///home/me/journal.sqlite"
                )));
            }
            return Ok(JournalUrl::Sqlite(PathBuf::from(path)));
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            let rest = text.split_once("://").map_or("", |(_, rest)| rest);
            if rest.is_empty() || rest.starts_with('/') && rest.len() == 1 {
                return Err(JournalError::Url(format!(
                    "`{}` names no server: write postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                    redact(text)
                )));
            }
            return Ok(JournalUrl::Postgres(text.to_string()));
        }
        let shown = crate::domain::format::quote_external(&redact(text), 200);
        Err(JournalError::Url(format!(
            "unsupported journal URL `{shown}`: use sqlite://PATH (one file) or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
        )))
    }

    /// The default journal: `journal.sqlite` in the user's data folder.
    pub fn default_sqlite() -> JournalUrl {
        JournalUrl::Sqlite(default_sqlite_path())
    }
}

impl std::fmt::Display for JournalUrl {
    /// The address with any password hidden.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalUrl::Sqlite(path) => write!(formatter, "sqlite://{}", path.display()),
            JournalUrl::Postgres(url) => formatter.write_str(&redact(url)),
        }
    }
}

impl std::fmt::Debug for JournalUrl {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "JournalUrl({self})")
    }
}

/// `postgres://user:secret@host/db` as `postgres://user:***@host/db`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, tail) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// `journal.sqlite` in the user's data folder: `$XDG_DATA_HOME/pad`, else
/// `~/.local/share/pad` (`~/Library/Application Support/pad` on macOS, `%APPDATA%\pad` on
/// Windows), else the current folder.
pub fn default_sqlite_path() -> PathBuf {
    data_folder().join("pad").join("journal.sqlite")
}

fn data_folder() -> PathBuf {
    let from_env = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty()).map(PathBuf::from);
    if cfg!(windows) {
        return from_env("APPDATA").unwrap_or_else(|| PathBuf::from("."));
    }
    if let Some(folder) = from_env("XDG_DATA_HOME").filter(|folder| folder.is_absolute()) {
        return folder;
    }
    match from_env("HOME") {
        Some(home) if cfg!(target_os = "macos") => home.join("Library").join("Application Support"),
        Some(home) => home.join(".local").join("share"),
        None => Path::new(".").to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_and_passwords_never_shown() {
        assert_eq!(JournalUrl::parse("sqlite:///tmp/j.sqlite").unwrap(), JournalUrl::Sqlite("/tmp/j.sqlite".into()));
        assert_eq!(JournalUrl::parse("sqlite://j.sqlite").unwrap(), JournalUrl::Sqlite("j.sqlite".into()));
        let postgres = JournalUrl::parse("postgres://pad:s3cret@db.example:5432/journal").unwrap();
        assert_eq!(postgres.to_string(), "postgres://pad:***@db.example:5432/journal");
        assert!(!format!("{postgres:?}").contains("s3cret"));
        let error = JournalUrl::parse("mysql://root:s3cret@host/db").unwrap_err().to_string();
        assert!(error.contains("unsupported journal URL") && !error.contains("s3cret"), "{error}");
        assert!(JournalUrl::parse("sqlite://").is_err());
        assert!(JournalUrl::parse("postgres://").is_err());
    }
}
