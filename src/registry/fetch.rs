//! From a model URI to a local model file: the version resolved on the server, its files
//! downloaded through the proxied artifact API once and kept in the [`Cache`], checked against
//! the SHA-256 recorded at registration; the cached version when the server is unreachable.

use std::path::PathBuf;

use super::cache::{Cache, Meta, now_utc, sha256_hex};
use super::client::{ModelVersion, Tracking};
use super::flavour::{Storage, lightgbm_flavour, model_text_from_pickle, model_text_from_skops};
use super::{ModelUri, RegistryError, SHA_TAG};

/// A model fetched from the registry, ready to read from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct Fetched {
    /// The local model file (its card `model.json` beside it when the model has one).
    pub model_path: PathBuf,
    /// The URI as given.
    pub uri: String,
    /// The version it resolved to (`credit v3`), for registry models.
    pub version: Option<String>,
    /// The version number alone (`3`), for registry models.
    pub version_number: Option<String>,
    /// Whether the model came with a card.
    pub has_card: bool,
    /// A note for the user: the cache used because the server is unreachable, a hash that
    /// could not be checked.
    pub note: Option<String>,
}

impl Fetched {
    /// The URI and, for an alias, the version it resolved to.
    pub fn describe(&self) -> String {
        match &self.version {
            Some(version) if self.uri.contains('@') => format!("{} → {version}", self.uri),
            _ => self.uri.clone(),
        }
    }
}

/// Fetches the model `uri` names from the server at `server` (`None`: only the cache can
/// serve, and an alias cannot be resolved without the server).
pub async fn fetch(uri: &ModelUri, server: Option<&str>) -> Result<Fetched, RegistryError> {
    let server = server.ok_or_else(|| RegistryError::NoServer { uri: uri.to_string() })?;
    let tracking = Tracking::new(server)?;
    let cache = Cache::for_server(tracking.url())?;
    match uri {
        ModelUri::Version { name, version } => {
            let version = version.to_string();
            let folder = cache.version_folder(name, &version);
            if let Some(meta) = Cache::load(&folder)? {
                return Ok(fetched(uri, &folder, &meta, None));
            }
            let found = tracking.model_version(name, &version).await?;
            download_version(&tracking, &cache, uri, &found).await
        }
        ModelUri::Alias { name, alias } => match tracking.version_by_alias(name, alias).await {
            Ok(found) => {
                let folder = cache.version_folder(name, &found.version);
                let result = match Cache::load(&folder)? {
                    Some(meta) => fetched(uri, &folder, &meta, None),
                    None => download_version(&tracking, &cache, uri, &found).await?,
                };
                cache.remember_alias(name, alias, &found.version)?;
                Ok(result)
            }
            Err(error) if error.is_unreachable() => {
                let Some((version, seen)) = cache.remembered_alias(name, alias) else { return Err(error) };
                let folder = cache.version_folder(name, &version);
                let Some(meta) = Cache::load(&folder)? else { return Err(error) };
                let note = format!(
                    "{error}; using the cached version {version} of {name}, which @{alias} pointed to on {seen}"
                );
                Ok(fetched(uri, &folder, &meta, Some(note)))
            }
            Err(error) => Err(error),
        },
        ModelUri::Run { run_id, path } => {
            let folder = cache.run_folder(run_id, path);
            if let Some(meta) = Cache::load(&folder)? {
                return Ok(fetched(uri, &folder, &meta, None));
            }
            let run = tracking.run(run_id).await?;
            let location = format!("{}/{path}", run.info.artifact_uri.trim_end_matches('/'));
            let download = download_model(&tracking, uri, &location).await?;
            let meta = Meta {
                uri: uri.to_string(),
                name: None,
                version: None,
                run_id: Some(run_id.clone()),
                sha256: sha256_hex(download.text.as_bytes()),
                registered_sha256: false,
                has_card: download.card.is_some(),
                model_class: download.model_class,
                downloaded: now_utc(),
            };
            Cache::store(&folder, &download.text, download.card.as_deref(), &meta)?;
            Ok(fetched(uri, &folder, &meta, None))
        }
    }
}

fn fetched(uri: &ModelUri, folder: &std::path::Path, meta: &Meta, note: Option<String>) -> Fetched {
    let version = match (&meta.name, &meta.version) {
        (Some(name), Some(version)) => Some(format!("{name} v{version}")),
        _ => None,
    };
    let unchecked = (!meta.registered_sha256 && meta.version.is_some()).then(|| {
        format!(
            "no SHA-256 was recorded when {} was registered (a model registered outside pad): checked against the \
             hash taken at its first download on {}",
            version.as_deref().unwrap_or("it"),
            meta.downloaded
        )
    });
    let note = match (note, unchecked) {
        (Some(note), Some(unchecked)) => Some(format!("{note}; {unchecked}")),
        (note, unchecked) => note.or(unchecked),
    };
    Fetched {
        model_path: folder.join("model.txt"),
        uri: uri.to_string(),
        version,
        version_number: meta.version.clone(),
        has_card: meta.has_card,
        note,
    }
}

/// Downloads a registered version into the cache, checking its recorded hash.
async fn download_version(
    tracking: &Tracking,
    cache: &Cache,
    uri: &ModelUri,
    found: &ModelVersion,
) -> Result<Fetched, RegistryError> {
    if !found.status.is_empty() && found.status != "READY" {
        return Err(RegistryError::Unsupported {
            uri: uri.to_string(),
            reason: format!("version {} of {} is {}, not READY", found.version, found.name, found.status),
        });
    }
    let location = tracking.download_uri(&found.name, &found.version).await?;
    let download = download_model(tracking, uri, &location).await?;
    let sha256 = sha256_hex(download.text.as_bytes());
    let recorded = found.tag(SHA_TAG).map(str::to_ascii_lowercase);
    if let Some(expected) = &recorded
        && *expected != sha256
    {
        return Err(RegistryError::HashMismatch { uri: uri.to_string(), expected: expected.clone(), found: sha256 });
    }
    let meta = Meta {
        uri: format!("models:/{}/{}", found.name, found.version),
        name: Some(found.name.clone()),
        version: Some(found.version.clone()),
        run_id: Some(found.run_id.clone()).filter(|id| !id.is_empty()),
        sha256,
        registered_sha256: recorded.is_some(),
        has_card: download.card.is_some(),
        model_class: download.model_class,
        downloaded: now_utc(),
    };
    let folder = cache.version_folder(&found.name, &found.version);
    Cache::store(&folder, &download.text, download.card.as_deref(), &meta)?;
    Ok(fetched(uri, &folder, &meta, None))
}

/// Largest card downloaded (the card reader refuses larger ones with its own message).
const MAX_CARD_BYTES: u64 = 16 << 20;

/// A model's files as downloaded.
struct Download {
    text: String,
    card: Option<Vec<u8>>,
    model_class: String,
}

/// Downloads the MLflow model folder at artifact URI `location`: its `MLmodel`, the model
/// file its lightgbm flavour names, and `model.json` when there is one.
async fn download_model(tracking: &Tracking, uri: &ModelUri, location: &str) -> Result<Download, RegistryError> {
    let unsupported = |reason: String| RegistryError::Unsupported { uri: uri.to_string(), reason };
    let folder = tracking.proxied_path(location)?;
    let mlmodel = tracking.download(&format!("{folder}/MLmodel"), 1 << 20).await?.ok_or_else(|| {
        unsupported(format!("no MLmodel file at {location}: not an MLflow model (a run without a model?)"))
    })?;
    let mlmodel = String::from_utf8_lossy(&mlmodel);
    let flavour = lightgbm_flavour(&mlmodel).map_err(unsupported)?;
    let data =
        tracking.download(&format!("{folder}/{}", flavour.data), crate::model::MAX_MODEL_BYTES).await?.ok_or_else(
            || unsupported(format!("its MLmodel names the model file {}, absent from {location}", flavour.data)),
        )?;
    let text = match flavour.storage() {
        Storage::Text => String::from_utf8(data)
            .map_err(|_| unsupported(format!("its model file {} is not text (UTF-8)", flavour.data)))?,
        Storage::Pickle => model_text_from_pickle(&data).map_err(unsupported)?,
        Storage::Skops => model_text_from_skops(&data).map_err(unsupported)?,
    };
    let card = tracking.download(&format!("{folder}/model.json"), MAX_CARD_BYTES).await?;
    Ok(Download { text, card, model_class: flavour.model_class })
}
