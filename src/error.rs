//! Errors of the configuration layer. Library modules (`model`, `explain`, `data`) have their
//! own error enums; the commands join them with `anyhow` and add context.

use std::path::PathBuf;

/// Characters of a card's JSON error quoted at most (the parser may quote the card's text).
const CARD_ERROR_CHARS: usize = 300;

/// A setting that cannot be used, with what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The decision journal's address cannot be used.
    #[error("--journal: {0}")]
    Journal(String),
    /// A threshold outside [0, 1].
    #[error("the threshold {value} ({origin}) is not a probability between 0 and 1")]
    Threshold {
        /// The rejected value.
        value: f64,
        /// Where it came from (`--threshold` or the card's path).
        origin: String,
    },
    /// `--addr` is not an IP address and port.
    #[error("--addr {0}: expected an address and a port, e.g. 127.0.0.1:8000, localhost:8000 or [::1]:8000")]
    Address(String),
    /// `--checkpoint-key` cannot be read or used.
    #[error("--checkpoint-key {path}: {message}")]
    CheckpointKey {
        /// The key file.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// `PAD_API_TOKEN` is set but empty.
    #[error("PAD_API_TOKEN is set but empty; unset it, or set it to the token clients must send")]
    EmptyToken,
    /// `--service-name` is not a name the journal takes.
    #[error("--service-name: {0}")]
    ServiceName(String),
    /// A non-loopback address without a token.
    #[error(
        "--addr {0} is reachable from other machines, and without PAD_API_TOKEN or users anyone there could read \
         every client's data; add users (pad users add NAME --role rm), set PAD_API_TOKEN, listen on 127.0.0.1, or \
         pass --no-token to accept the risk"
    )]
    ExposedWithoutToken(std::net::SocketAddr),
    /// A limit set to zero.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    /// `--remote` is not an HTTP URL.
    #[error("--remote {0}: expected the server's URL, e.g. http://127.0.0.1:8000")]
    RemoteUrl(String),
    /// `--threads 0`.
    #[error("--threads must be at least 1")]
    Threads,
    /// The model card exists but cannot be read.
    #[error("cannot read the model card {path}: {cause}")]
    CardRead {
        /// The card.
        path: PathBuf,
        /// The operating system's reason.
        cause: std::io::Error,
    },
    /// The model card is larger than [`crate::config::MAX_CARD_BYTES`].
    #[error("the model card {path} is larger than {limit_mib} MiB: it is not a card written by pad train")]
    CardTooLarge {
        /// The card.
        path: PathBuf,
        /// The limit in MiB.
        limit_mib: u64,
    },
    /// The model card is JSON but not an object.
    #[error("{path} is not a model card: it holds {found}, not a JSON object")]
    CardNotObject {
        /// The card.
        path: PathBuf,
        /// What it holds instead.
        found: &'static str,
    },
    /// The model card is not valid JSON of the expected shape.
    #[error(
        "{path} is not a valid model card: {}",
        crate::domain::format::quote_external(&.cause.to_string(), CARD_ERROR_CHARS)
    )]
    CardJson {
        /// The card.
        path: PathBuf,
        /// What the JSON parser found.
        cause: serde_json::Error,
    },
    /// A history table given by a flag cannot be used (given twice).
    #[error(transparent)]
    History(Box<crate::data::DataError>),
}
