//! The MLflow tracking server and Model Registry, through MLflow's REST API.
//!
//! - [`ModelUri`]: `models:/NAME/VERSION`, `models:/NAME@ALIAS` and `runs:/RUN_ID/PATH`, the
//!   names MLflow gives models, accepted wherever a model file is.
//! - [`fetch`]: downloads a model's files through the server's proxied artifact API into a
//!   local cache keyed by model version ([`cache`]), checks them against the SHA-256 recorded
//!   at registration, and falls back on the cache when the server is unreachable. Models
//!   logged from Python with `mlflow.lightgbm.log_model` (a `Booster` or an `LGBMClassifier`)
//!   are read from their own files ([`flavour`]).
//! - [`tracking`]: records a `pad train` run (parameters, per-fold metrics, tags, artifacts)
//!   and registers its model.
//! - [`client`]: the REST calls themselves.
//!
//! The server is given by `--mlflow URL` or, as MLflow's own tools do, `MLFLOW_TRACKING_URI`;
//! `MLFLOW_TRACKING_TOKEN` (bearer) or `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD`
//! (basic) authenticate when set.
//!
//! Uses: domain (card), files (atomic writes), model (limits).

pub mod cache;
pub mod client;
pub mod fetch;
pub mod flavour;
pub mod tracking;

pub use client::Tracking;
pub use fetch::{Fetched, fetch};

/// The environment variable MLflow's tools read the tracking server from.
pub const TRACKING_URI_VARIABLE: &str = "MLFLOW_TRACKING_URI";

/// The model-version tag holding the SHA-256 of the model file, set when `pad` registers it.
pub const SHA_TAG: &str = "pad.model_sha256";

/// A model named the MLflow way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelUri {
    /// `models:/NAME/VERSION`: one version of a registered model.
    Version {
        /// The registered model.
        name: String,
        /// Its version number.
        version: u64,
    },
    /// `models:/NAME@ALIAS`: the version an alias points to now.
    Alias {
        /// The registered model.
        name: String,
        /// The alias (`champion`, `challenger`...).
        alias: String,
    },
    /// `runs:/RUN_ID/PATH`: a model logged under a run's artifacts.
    Run {
        /// The run.
        run_id: String,
        /// The model's folder within the run's artifacts.
        path: String,
    },
}

impl ModelUri {
    /// Whether `text` names a model the MLflow way (rather than a file).
    pub fn is_uri(text: &str) -> bool {
        text.starts_with("models:/") || text.starts_with("runs:/")
    }

    /// Parses a model URI; the error says which form was expected.
    pub fn parse(text: &str) -> Result<ModelUri, RegistryError> {
        let bad = |expected: &str| RegistryError::BadUri { uri: text.to_string(), expected: expected.to_string() };
        if let Some(rest) = text.strip_prefix("models:/") {
            const FORMS: &str = "models:/NAME/VERSION or models:/NAME@ALIAS";
            if let Some((name, alias)) = rest.rsplit_once('@') {
                if name.is_empty() || name.contains('/') || alias.is_empty() || !alias.chars().all(alias_char) {
                    return Err(bad(FORMS));
                }
                return Ok(ModelUri::Alias { name: name.to_string(), alias: alias.to_string() });
            }
            let (name, version) = rest.rsplit_once('/').ok_or_else(|| bad(FORMS))?;
            let version = version.parse::<u64>().ok().filter(|v| *v > 0).ok_or_else(|| bad(FORMS))?;
            if name.is_empty() || name.contains('/') {
                return Err(bad(FORMS));
            }
            return Ok(ModelUri::Version { name: name.to_string(), version });
        }
        if let Some(rest) = text.strip_prefix("runs:/") {
            const FORM: &str = "runs:/RUN_ID/PATH";
            let (run_id, path) = rest.split_once('/').ok_or_else(|| bad(FORM))?;
            let path = path.trim_matches('/');
            let safe = path.split('/').all(|part| !part.is_empty() && part != "." && part != "..");
            if run_id.is_empty() || !run_id.chars().all(|c| c.is_ascii_alphanumeric()) || path.is_empty() || !safe {
                return Err(bad(FORM));
            }
            return Ok(ModelUri::Run { run_id: run_id.to_string(), path: path.to_string() });
        }
        Err(bad("models:/NAME/VERSION, models:/NAME@ALIAS or runs:/RUN_ID/PATH"))
    }
}

impl std::fmt::Display for ModelUri {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelUri::Version { name, version } => write!(formatter, "models:/{name}/{version}"),
            ModelUri::Alias { name, alias } => write!(formatter, "models:/{name}@{alias}"),
            ModelUri::Run { run_id, path } => write!(formatter, "runs:/{run_id}/{path}"),
        }
    }
}

/// MLflow's rule for alias names: letters, digits, `_` and `-`.
fn alias_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// What went wrong talking to MLflow or reading what it holds.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// A model URI of no known form.
    #[error("`{uri}` is not a model URI: expected {expected}")]
    BadUri {
        /// The text given.
        uri: String,
        /// The forms accepted.
        expected: String,
    },
    /// A model URI without a server to ask.
    #[error(
        "{uri} names a model in an MLflow registry, but no server is given: pass --mlflow URL or set \
         MLFLOW_TRACKING_URI (e.g. http://127.0.0.1:5000)"
    )]
    NoServer {
        /// The model URI.
        uri: String,
    },
    /// The tracking URI is not an HTTP URL.
    #[error("the MLflow tracking URI `{0}` is not an http:// or https:// URL")]
    BadServer(String),
    /// The server did not answer.
    #[error("the MLflow server at {url} is unreachable: {cause}")]
    Unreachable {
        /// The server.
        url: String,
        /// Why.
        cause: String,
    },
    /// The server answered with an error.
    #[error("MLflow {endpoint} answered {status}{code}: {message}")]
    Api {
        /// The REST endpoint called.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// MLflow's error code, as ` (CODE)`, or nothing.
        code: String,
        /// MLflow's message, or the start of the body.
        message: String,
    },
    /// The server's answer is not of the documented shape.
    #[error("MLflow {endpoint} answered in an unexpected shape: {cause}")]
    Shape {
        /// The REST endpoint called.
        endpoint: String,
        /// What did not fit.
        cause: String,
    },
    /// Something named does not exist on the server.
    #[error("{what} does not exist on the MLflow server at {url}")]
    NotFound {
        /// What was looked for (`registered model credit`, `alias champion of model credit`...).
        what: String,
        /// The server.
        url: String,
    },
    /// The model's files are not a LightGBM model `pad` can read.
    #[error("{uri}: {reason}")]
    Unsupported {
        /// The model URI.
        uri: String,
        /// Why.
        reason: String,
    },
    /// The downloaded model is not the one registered.
    #[error(
        "{uri}: the model file's SHA-256 is {found} but {expected} was recorded at registration: the artifact \
         was changed after registration, refused"
    )]
    HashMismatch {
        /// The model URI.
        uri: String,
        /// The hash recorded.
        expected: String,
        /// The hash of the file downloaded.
        found: String,
    },
    /// The local cache cannot be read or written.
    #[error("model cache {path}: {cause}")]
    Cache {
        /// The file or folder.
        path: std::path::PathBuf,
        /// Why.
        cause: String,
    },
    /// A local file to upload cannot be read.
    #[error("cannot read {path} to log it to MLflow: {cause}")]
    ReadArtifact {
        /// The file.
        path: std::path::PathBuf,
        /// The operating system's reason.
        cause: std::io::Error,
    },
}

impl RegistryError {
    /// Whether the error means the server could not be reached (so the cache may serve).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, RegistryError::Unreachable { .. })
            || matches!(self, RegistryError::Api { status, .. } if *status >= 502 && *status <= 504)
    }
}

/// The tracking server: the one given, else `MLFLOW_TRACKING_URI`; `None` when neither is set.
pub fn tracking_uri(given: Option<&str>) -> Option<String> {
    given.map(str::to_string).or_else(|| std::env::var(TRACKING_URI_VARIABLE).ok()).filter(|uri| !uri.trim().is_empty())
}

/// Runs registry work to completion from synchronous code (the commands).
pub fn block_on<T>(work: impl std::future::Future<Output = T>) -> Result<T, RegistryError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| RegistryError::Unreachable { url: "(local runtime)".into(), cause: error.to_string() })?;
    Ok(runtime.block_on(work))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_forms() {
        assert_eq!(
            ModelUri::parse("models:/credit/3").unwrap(),
            ModelUri::Version { name: "credit".into(), version: 3 }
        );
        assert_eq!(
            ModelUri::parse("models:/credit@champion").unwrap(),
            ModelUri::Alias { name: "credit".into(), alias: "champion".into() }
        );
        assert_eq!(
            ModelUri::parse("runs:/0a1b2c/model").unwrap(),
            ModelUri::Run { run_id: "0a1b2c".into(), path: "model".into() }
        );
        for text in ["models:/credit@champion", "models:/credit/3", "runs:/0a1b2c/model"] {
            assert_eq!(ModelUri::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn bad_uris_say_the_form_expected() {
        for text in [
            "models:/credit",
            "models:/credit/0",
            "models:/credit/x",
            "models:/@champion",
            "models:/credit@",
            "models:/credit@a b",
            "runs:/abc",
            "runs:/abc/../../etc",
            "runs:/a-b/model",
            "s3://bucket/model",
        ] {
            let error = ModelUri::parse(text).unwrap_err().to_string();
            assert!(error.contains("expected"), "{text}: {error}");
            assert!(error.contains(text), "{text}: {error}");
        }
        assert!(
            ModelUri::is_uri("models:/x/1") && ModelUri::is_uri("runs:/x/y") && !ModelUri::is_uri("assets/model.txt")
        );
    }
}
