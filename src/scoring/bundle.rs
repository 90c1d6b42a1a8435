//! A model with the card beside it: reading both, checking that the card describes this
//! model, the features they describe together, and the completeness rule they set.
//!
//! Uses: model, data, domain, config.

use super::ScoringError;
use crate::config::{card_path, read_card};
use crate::data::completeness::{self, Completeness, CompletenessPolicy};
use crate::data::labels::Labels;
use crate::data::policy::ReasonPolicy;
use crate::data::{ClientTable, DataError};
use crate::domain::{CategoryLabel, FeatureDescription, FeatureSchema, ModelCard, PolicyClass};
use crate::model::Model;
use std::path::Path;

/// A model with its card and the input schema they describe together.
#[derive(Debug)]
pub struct ModelBundle {
    /// The model.
    pub model: Model,
    /// Its card, when present.
    pub card: Option<ModelCard>,
    /// The inputs it expects (categories from the card when there is one).
    pub schema: FeatureSchema,
}

impl ModelBundle {
    /// Reads a model and the card beside it, checking that the card describes this model.
    pub fn open(path: &Path) -> Result<ModelBundle, ScoringError> {
        let model = Model::from_path(path)?;
        let card = read_card(path)?;
        let schema = match &card {
            Some(card) => {
                check_card_version(card, path)?;
                let listed: Vec<&str> = card.features.iter().map(|feature| feature.name.as_str()).collect();
                if let Some(difference) = first_difference(&listed, model.feature_names()) {
                    return Err(ScoringError::CardMismatch {
                        card: card_path(path),
                        model: path.to_path_buf(),
                        difference,
                    });
                }
                model.schema().with_card(card)
            }
            None => model.schema(),
        };
        Ok(ModelBundle { model, card, schema })
    }

    /// The check of complete applications: the required fields the card lists, else those
    /// measured by the same rule in `history` (read only then), adjusted by
    /// `assets/policy.toml`. The note says when they were measured rather than read.
    pub fn completeness<T: std::borrow::Borrow<ClientTable>>(
        &self,
        history_path: &Path,
        history: impl FnOnce() -> Result<T, DataError>,
    ) -> Result<(Completeness, Option<String>), ScoringError> {
        completeness_of(&self.schema, self.card.as_ref(), history_path, history)
    }
}

/// [`ModelBundle::completeness`] of a model's schema and card.
pub fn completeness_of<T: std::borrow::Borrow<ClientTable>>(
    schema: &FeatureSchema,
    card: Option<&ModelCard>,
    history_path: &Path,
    history: impl FnOnce() -> Result<T, DataError>,
) -> Result<(Completeness, Option<String>), ScoringError> {
    {
        let policy = CompletenessPolicy::bundled()?;
        let listed = card.map(|card| card.inputs.as_slice()).unwrap_or_default();
        if !listed.is_empty() {
            return Ok((Completeness::new(schema, &completeness::required_of(listed), &policy)?, None));
        }
        let measured = completeness::input_rates(history()?.borrow(), schema, &policy);
        let required = completeness::required_of(&measured);
        if required.is_empty() {
            // A model that reads none of the application's fields: nothing to say.
            return Ok((Completeness::default(), None));
        }
        let note = format!(
            "the model card lists no required fields: {} required field(s) measured in {} ({})",
            required.len(),
            history_path.display(),
            completeness::rule()
        );
        Ok((Completeness::new(schema, &required, &policy)?, Some(note)))
    }
}

/// Longest `model_version` a card may give, in characters.
pub const MAX_VERSION_CHARS: usize = 64;

/// Checks the card's `model_version`: at most [`MAX_VERSION_CHARS`] characters and, when it is
/// a file digest as `pad train` writes it (`sha256-` and the first 12 hex digits of the model
/// file's SHA-256), the digest of the model file beside it.
pub(super) fn check_card_version(card: &ModelCard, model: &Path) -> Result<(), ScoringError> {
    let Some(version) = card.model_version.as_deref() else { return Ok(()) };
    let length = version.chars().count();
    if length > MAX_VERSION_CHARS {
        return Err(ScoringError::CardVersionLength { card: card_path(model), length });
    }
    if version.starts_with("sha256-") {
        let model_version = file_version(model)?;
        if version != model_version {
            return Err(ScoringError::CardVersionMismatch {
                card: card_path(model),
                model: model.to_path_buf(),
                card_version: version.to_string(),
                model_version,
            });
        }
    }
    Ok(())
}

/// The first difference between the features a card lists and the model's, in words; `None`
/// when they agree or the card lists none.
pub(super) fn first_difference(card: &[&str], model: &[String]) -> Option<String> {
    if card.is_empty() {
        return None;
    }
    let position = card.iter().zip(model).position(|(card, model)| card != model);
    match position {
        Some(position) => Some(format!(
            "feature {position} is `{}` in the card but `{}` in the model (features reordered or renamed)",
            card[position], model[position]
        )),
        None if card.len() == model.len() => None,
        None => {
            let (longer, name) = if card.len() > model.len() {
                ("card", card[model.len()])
            } else {
                ("model", model[card.len()].as_str())
            };
            Some(format!(
                "the card lists {} features and the model has {}; the {longer} goes on with `{name}` at position {}",
                card.len(),
                model.len(),
                card.len().min(model.len())
            ))
        }
    }
}

/// `sha256-` and the first 12 hex digits of the file's SHA-256: the version of a model
/// without a card, as `pad train` computes it.
pub(super) fn file_version(path: &Path) -> Result<String, ScoringError> {
    let bytes = std::fs::read(path).map_err(|cause| DataError::Read { path: path.to_path_buf(), cause })?;
    Ok(format!("sha256-{}", &crate::domain::format::sha256_hex(&bytes)[..12]))
}

/// Labels and kinds of the model's features: `assets/labels.toml` first, then the card,
/// then the bare name; the class from the reason policy, which alone decides what is a lever
/// (an actionable raw amount) and what is protected (the policy's protected features, and
/// any the labels or the card mark protected).
pub fn describe_features(
    model: &Model,
    schema: &FeatureSchema,
    card: Option<&ModelCard>,
    labels: &Labels,
    policy: &ReasonPolicy,
) -> Vec<FeatureDescription> {
    schema
        .features
        .iter()
        .enumerate()
        .map(|(feature_idx, spec)| {
            let label = labels.get(&spec.name);
            let listed = card.and_then(|card| card.features.iter().find(|listed| listed.name == spec.name));
            let categories = spec.labels.as_ref().map(|labels| {
                labels
                    .iter()
                    .map(|label| match label {
                        CategoryLabel::Text(text) => text.clone(),
                        CategoryLabel::Number(number) => number.to_string(),
                    })
                    .collect()
            });
            let fallback = || listed.map(|listed| listed.name.clone()).unwrap_or_else(|| spec.name.clone());
            let protected = label.is_some_and(|label| label.protected)
                || listed.is_some_and(|listed| listed.protected == Some(true))
                || policy.class_of(&spec.name) == PolicyClass::Protected;
            let class = if protected { PolicyClass::Protected } else { policy.class_of(&spec.name) };
            let derived = label.is_some_and(|label| label.derived);
            FeatureDescription {
                name: spec.name.clone(),
                label_en: label.map_or_else(fallback, |label| label.en.clone()),
                label_fr: label.map_or_else(fallback, |label| label.fr.clone()),
                unit: label.map_or_else(
                    || if categories.is_some() { "category" } else { "" }.into(),
                    |label| label.unit.clone(),
                ),
                categories,
                // Derived ratios move with the amounts they are computed from, never alone.
                actionable: class == PolicyClass::Actionable && !derived,
                protected,
                derived,
                used: model.uses_feature(feature_idx),
                required: false,
                class,
            }
        })
        .collect()
}
