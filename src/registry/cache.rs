//! The local copy of registry models: one folder per server and model version (versions never
//! change once registered), holding `model.txt`, the card `model.json` when the model has one,
//! and `meta.json` (written last: a folder without it is incomplete). An alias remembers the
//! version it last pointed to, so that a cached model serves when the server is unreachable.
//!
//! The folder is `PAD_MODEL_CACHE` when set, else `pad/models` in the user's cache folder.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::RegistryError;

/// The environment variable that moves the cache.
pub const CACHE_VARIABLE: &str = "PAD_MODEL_CACHE";

/// What is known of a cached model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// The URI it was fetched for, with the version resolved (`models:/credit/3`).
    pub uri: String,
    /// The registered model, for registry models.
    pub name: Option<String>,
    /// The version, for registry models.
    pub version: Option<String>,
    /// The run that produced it, when known.
    pub run_id: Option<String>,
    /// SHA-256 of `model.txt`, hexadecimal.
    pub sha256: String,
    /// Whether that hash was recorded at registration (and checked), or only at download.
    pub registered_sha256: bool,
    /// Whether the model came with a card.
    pub has_card: bool,
    /// The Python class logged, for models logged from Python.
    pub model_class: String,
    /// When it was downloaded (UTC, RFC 3339).
    pub downloaded: String,
}

/// The cache of one tracking server.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// The cache of the server at `server_url`.
    pub fn for_server(server_url: &str) -> Result<Cache, RegistryError> {
        let base = match std::env::var_os(CACHE_VARIABLE).filter(|value| !value.is_empty()) {
            Some(folder) => PathBuf::from(folder),
            None => dirs::cache_dir()
                .ok_or_else(|| RegistryError::Cache {
                    path: PathBuf::from("~/.cache"),
                    cause: format!("no cache folder is known for this user; set {CACHE_VARIABLE}"),
                })?
                .join("pad")
                .join("models"),
        };
        let server = server_url.split_once("://").map_or(server_url, |(_, rest)| rest);
        Ok(Cache { root: base.join(segment(server)) })
    }

    /// The folder of version `version` of registered model `name`.
    pub fn version_folder(&self, name: &str, version: &str) -> PathBuf {
        self.root.join("models").join(segment(name)).join(segment(version))
    }

    /// The folder of the model at `path` in run `run_id`'s artifacts.
    pub fn run_folder(&self, run_id: &str, path: &str) -> PathBuf {
        self.root.join("runs").join(segment(run_id)).join(segment(path))
    }

    fn alias_file(&self, name: &str, alias: &str) -> PathBuf {
        self.root.join("aliases").join(segment(name)).join(segment(alias))
    }

    /// Remembers that `alias` of `name` points to `version`.
    pub fn remember_alias(&self, name: &str, alias: &str, version: &str) -> Result<(), RegistryError> {
        let record = serde_json::json!({ "version": version, "seen": now_utc() }).to_string();
        write(&self.alias_file(name, alias), record.as_bytes())
    }

    /// The version `alias` of `name` last pointed to, and when that was seen.
    pub fn remembered_alias(&self, name: &str, alias: &str) -> Option<(String, String)> {
        let text = std::fs::read_to_string(self.alias_file(name, alias)).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        Some((value.get("version")?.as_str()?.to_string(), value.get("seen")?.as_str()?.to_string()))
    }

    /// The cached model in `folder`, checked against its recorded hash; `None` when absent or
    /// incomplete; an error when the files no longer match the hash.
    pub fn load(folder: &Path) -> Result<Option<Meta>, RegistryError> {
        let meta_path = folder.join("meta.json");
        let Ok(text) = std::fs::read_to_string(&meta_path) else { return Ok(None) };
        let Ok(meta) = serde_json::from_str::<Meta>(&text) else { return Ok(None) };
        let model_path = folder.join("model.txt");
        let bytes = std::fs::read(&model_path)
            .map_err(|cause| RegistryError::Cache { path: model_path.clone(), cause: cause.to_string() })?;
        let found = sha256_hex(&bytes);
        if found != meta.sha256 {
            return Err(RegistryError::Cache {
                path: model_path,
                cause: format!(
                    "its SHA-256 is {found}, not the {} recorded when it was downloaded: the cached file was changed; \
                     delete the folder to download it again",
                    meta.sha256
                ),
            });
        }
        Ok(Some(meta))
    }

    /// Stores a model in `folder`: the model, its card if any, then the meta that completes it.
    pub fn store(folder: &Path, model_text: &str, card: Option<&[u8]>, meta: &Meta) -> Result<(), RegistryError> {
        write(&folder.join("model.txt"), model_text.as_bytes())?;
        let card_path = folder.join("model.json");
        match card {
            Some(card) => write(&card_path, card)?,
            None => {
                if card_path.exists() {
                    std::fs::remove_file(&card_path)
                        .map_err(|cause| RegistryError::Cache { path: card_path.clone(), cause: cause.to_string() })?;
                }
            }
        }
        let meta_text = serde_json::to_string_pretty(meta)
            .map_err(|cause| RegistryError::Cache { path: folder.join("meta.json"), cause: cause.to_string() })?;
        write(&folder.join("meta.json"), meta_text.as_bytes())
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), RegistryError> {
    crate::files::write_atomically(path, bytes)
        .map_err(|cause| RegistryError::Cache { path: path.to_path_buf(), cause: cause.to_string() })
}

/// A name as one safe path segment: letters, digits, `-`, `_` and `.` kept, the rest
/// percent-encoded (so `..` or `/` never escape the cache).
fn segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_') || (byte == b'.' && !out.is_empty()) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    if out.is_empty() { "%".to_string() } else { out }
}

pub use crate::domain::format::sha256_hex;

/// The current UTC time, RFC 3339 to the second.
pub fn now_utc() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_never_escape() {
        assert_eq!(segment("credit"), "credit");
        assert_eq!(segment(".."), "%2E.");
        assert_eq!(segment("a/b"), "a%2Fb");
        assert_eq!(segment("127.0.0.1:5000"), "127.0.0.1%3A5000");
        assert_eq!(segment(""), "%");
    }

    #[test]
    fn stored_models_are_checked_when_loaded() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("credit/3");
        let meta = Meta {
            uri: "models:/credit/3".into(),
            name: Some("credit".into()),
            version: Some("3".into()),
            run_id: None,
            sha256: sha256_hex(b"tree\n"),
            registered_sha256: true,
            has_card: true,
            model_class: "lightgbm.basic.Booster".into(),
            downloaded: now_utc(),
        };
        assert_eq!(Cache::load(&folder).unwrap(), None);
        Cache::store(&folder, "tree\n", Some(b"{}"), &meta).unwrap();
        assert_eq!(Cache::load(&folder).unwrap(), Some(meta));
        std::fs::write(folder.join("model.txt"), "tree\nchanged").unwrap();
        let error = Cache::load(&folder).unwrap_err().to_string();
        assert!(error.contains("was changed"), "{error}");
    }
}
