//! Errors of the configuration layer. Library modules (`model`, `explain`, `data`) have their
//! own error enums; the commands join them with `anyhow` and add context.

use std::path::PathBuf;

/// A setting that cannot be used, with what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A threshold outside [0, 1].
    #[error("the threshold {value} ({origin}) is not a probability between 0 and 1")]
    Threshold {
        /// The rejected value.
        value: f64,
        /// Where it came from (`--threshold` or the card's path).
        origin: String,
    },
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
    /// The model card is not valid JSON of the expected shape.
    #[error("{path} is not a valid model card: {cause}")]
    CardJson {
        /// The card.
        path: PathBuf,
        /// What the JSON parser found.
        cause: serde_json::Error,
    },
}
