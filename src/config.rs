//! Checked settings for the scoring commands, built once from the raw CLI arguments.
//!
//! Uses: cli (raw arguments), domain (threshold, card summary), error.

use std::path::{Path, PathBuf};

use crate::cli::{Format, ScoringArgs};
use crate::domain::{CardSummary, Threshold};
use crate::error::ConfigError;

/// Checked settings shared by `predict` and `explain`.
#[derive(Debug, Clone)]
pub struct ScoringConfig {
    /// The LightGBM text model.
    pub model: PathBuf,
    /// The client table.
    pub data: PathBuf,
    /// Output format.
    pub format: Format,
    /// Output file; standard output when `None`.
    pub out: Option<PathBuf>,
    /// Whether to print throughput to standard error.
    pub timing: bool,
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
}

impl ScoringConfig {
    /// Checks the raw arguments.
    pub fn from_args(args: &ScoringArgs) -> Result<ScoringConfig, ConfigError> {
        if args.threads == Some(0) {
            return Err(ConfigError::Threads);
        }
        Ok(ScoringConfig {
            model: args.model.clone(),
            data: args.data.clone(),
            format: args.format,
            out: args.out.clone(),
            timing: args.timing,
            threads: args.threads,
        })
    }
}

/// Where the decision threshold came from.
#[derive(Debug, Clone, PartialEq)]
pub enum ThresholdSource {
    /// Given on the command line.
    Argument,
    /// Read from the model card at this path.
    Card(PathBuf),
    /// Neither: LightGBM's usual 0.5.
    Default,
}

/// The path of the model card beside a model file (`model.json` in the same folder).
pub fn card_path(model: &Path) -> PathBuf {
    model.with_file_name("model.json")
}

/// Reads the model card summary beside `model`, if there is one.
pub fn read_card(model: &Path) -> Result<Option<CardSummary>, ConfigError> {
    let path = card_path(model);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(cause) => return Err(ConfigError::CardRead { path, cause }),
    };
    serde_json::from_str(&text).map(Some).map_err(|cause| ConfigError::CardJson { path, cause })
}

/// The threshold to decide with: the argument, else the card's (read from beside `model`),
/// else 0.5; each checked.
pub fn resolve_threshold(
    argument: Option<f64>,
    card: Option<&CardSummary>,
    model: &Path,
) -> Result<(Threshold, ThresholdSource), ConfigError> {
    if let Some(value) = argument {
        let threshold = Threshold::new(value).ok_or(ConfigError::Threshold { value, origin: "--threshold".into() })?;
        return Ok((threshold, ThresholdSource::Argument));
    }
    match card.and_then(|card| card.threshold) {
        Some(value) => {
            let path = card_path(model);
            let threshold = Threshold::new(value)
                .ok_or_else(|| ConfigError::Threshold { value, origin: path.display().to_string() })?;
            Ok((threshold, ThresholdSource::Card(path)))
        }
        None => Ok((Threshold::DEFAULT, ThresholdSource::Default)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_rules() {
        let dir = tempfile::tempdir();
        assert!(dir.is_ok());
        let Ok(dir) = dir else { return };
        let model = dir.path().join("model.txt");
        // No card: 0.5.
        let resolve = |argument| resolve_threshold(argument, read_card(&model)?.as_ref(), &model);
        let resolved = resolve(None);
        assert!(matches!(resolved, Ok((t, ThresholdSource::Default)) if t.value() == 0.5));
        // The argument is checked.
        let error = resolve(Some(1.2)).err().map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some("the threshold 1.2 (--threshold) is not a probability between 0 and 1"));
        // A card's threshold is used when no argument is given.
        assert!(std::fs::write(dir.path().join("model.json"), r#"{"threshold": 0.31, "other": [1]}"#).is_ok());
        let resolved = resolve(None);
        assert!(matches!(resolved, Ok((t, ThresholdSource::Card(_))) if t.value() == 0.31));
        let resolved = resolve(Some(0.2));
        assert!(matches!(resolved, Ok((t, ThresholdSource::Argument)) if t.value() == 0.2));
        // A broken card is named.
        assert!(std::fs::write(dir.path().join("model.json"), "{\"threshold\": ").is_ok());
        let error = resolve(None).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("model.json is not a valid model card"), "{error}");
    }
}
