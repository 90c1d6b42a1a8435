//! What one journal event holds: the decision a relationship manager records (a
//! [`DecisionDraft`]), its checked, canonical form ([`Content`]) and the stored event
//! ([`DecisionEvent`]), with the hashes that chain events together.
//!
//! Uses: domain, and the override reasons of this module.

use sha2::{Digest, Sha256};

use super::JournalError;
use super::reasons::{OverrideReasons, Supports};
use super::text::{TextKind, check_chars};
use crate::domain::format::Language;
use crate::domain::{ClientId, ClientRecord, Counterfactual, Decision, Explanation, FeatureDescription, FieldValue};
use crate::domain::{InputValue, Reason};

/// The shortest justification of an override, in characters (spaces at the ends aside).
pub const MIN_JUSTIFICATION_CHARS: usize = 20;
/// The longest text field (justification, export file) taken, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// The longest name of who decides (`rm`) taken, in characters: decisions are listed, filtered
/// and indexed by it (an index entry of PostgreSQL holds at most 2,704 bytes).
pub const MAX_NAME_CHARS: usize = 200;
/// The hash before the first event: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Where the decision was taken: on the RM's machine, or through a `pad serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// The dashboard scored in process.
    Local,
    /// The decision came through the API (a remote dashboard or another tool).
    Remote,
}

/// A principal reason as the RM saw it: its code (the first feature it quotes) and the
/// sentence in the language shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ShownReason {
    /// The reason's code: the model feature it quotes first (e.g. `EXT_SOURCE_2`).
    pub code: String,
    /// The sentence shown.
    pub text: String,
}

/// What the RM decides: the part of a record only a person gives.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RmDecision {
    /// The client.
    pub client_id: ClientId,
    /// The final decision; the model's when not given.
    pub decision: Option<Decision>,
    /// For an override, a code of `assets/override_reasons.toml`.
    pub reason_code: Option<String>,
    /// For an override, why (at least [`MIN_JUSTIFICATION_CHARS`] characters).
    pub justification: Option<String>,
    /// The language the customer was spoken to in (the reasons are recorded in it).
    pub language: Language,
    /// Who decides.
    pub rm: String,
    /// The customer sheet exported for this decision, if any.
    pub export_file: Option<String>,
}

/// What a challenger model served in shadow said of the same inputs (`pad serve --shadow`):
/// recorded beside the served model's score, never shown to the customer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChallengerScore {
    /// The challenger's model version.
    pub model_version: String,
    /// Its probability of default.
    pub probability: f64,
    /// Its decision.
    pub decision: Decision,
}

/// Everything recorded about one decision, before the journal stamps the time and chains it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionDraft {
    /// The RM's part.
    pub rm: RmDecision,
    /// The model's inputs as scored: raw application fields, in model order.
    pub inputs: Vec<(String, InputValue)>,
    /// The model version (as the status bar shows it).
    pub model_version: String,
    /// The decision threshold.
    pub threshold: f64,
    /// The probability of default.
    pub probability: f64,
    /// The model's decision.
    pub model_decision: Decision,
    /// The principal reasons shown, in the RM's language.
    pub reasons: Vec<ShownReason>,
    /// What would change the decision, as shown, when it was.
    pub counterfactual: Option<String>,
    /// Local or through the API.
    pub origin: Origin,
    /// The shadow challenger's score of the same inputs, when one is served.
    pub challenger: Option<ChallengerScore>,
}

impl DecisionDraft {
    /// The draft of `rm`'s decision on a client scored and explained as `explanation`, with the
    /// client's fields (`record`, described by `features`) and the counterfactual shown.
    pub fn of_explanation(facts: ScoredFacts<'_>, rm: RmDecision, origin: Origin) -> DecisionDraft {
        let language = rm.language;
        DecisionDraft {
            inputs: inputs_of_record(facts.record, facts.features),
            model_version: facts.model_version.to_string(),
            threshold: facts.explanation.score.threshold,
            probability: facts.explanation.score.probability,
            model_decision: facts.explanation.score.decision,
            reasons: shown_reasons(&facts.explanation.reasons, language),
            counterfactual: facts
                .counterfactual
                .and_then(Counterfactual::text)
                .map(|text| text.get(language).to_string()),
            origin,
            rm,
            challenger: None,
        }
    }
}

/// What a scorer said about a client, for [`DecisionDraft::of_explanation`].
#[derive(Debug, Clone, Copy)]
pub struct ScoredFacts<'a> {
    /// The model version.
    pub model_version: &'a str,
    /// The client's fields.
    pub record: &'a ClientRecord,
    /// The model's features, in model order.
    pub features: &'a [FeatureDescription],
    /// The score, its contributions and reasons.
    pub explanation: &'a Explanation,
    /// What would change the decision, when it was shown.
    pub counterfactual: Option<&'a Counterfactual>,
}

/// The principal reasons in `language`, each with its code.
pub fn shown_reasons(reasons: &[Reason], language: Language) -> Vec<ShownReason> {
    reasons
        .iter()
        .map(|reason| ShownReason {
            code: reason.features.first().cloned().unwrap_or_default(),
            text: reason.text.get(language).to_string(),
        })
        .collect()
}

/// The raw application fields behind a client's model features, by name in model order:
/// the features the pipeline does not derive, with `DAYS_EMPLOYED`'s "not employed"
/// placeholder (365243) given back where the model reads it as missing and flags it, so that
/// scoring them again gives the same row.
pub fn inputs_of_record(record: &ClientRecord, features: &[FeatureDescription]) -> Vec<(String, InputValue)> {
    let flagged_not_employed = features
        .iter()
        .zip(&record.fields)
        .any(|(feature, field)| feature.name == "DAYS_EMPLOYED_ANOM" && field.value == FieldValue::Number(1.0));
    features
        .iter()
        .zip(&record.fields)
        // Computed features are computed again from their inputs, but the credit-history
        // aggregates are the inputs themselves (their tables are not recorded).
        .filter(|(feature, _)| !feature.derived || crate::domain::history::is_history_feature(&feature.name))
        .map(|(feature, field)| {
            let value = match &field.value {
                FieldValue::Missing if feature.name == "DAYS_EMPLOYED" && flagged_not_employed => {
                    InputValue::Number(365_243.0)
                }
                FieldValue::Missing => InputValue::Missing,
                FieldValue::Number(number) => InputValue::Number(*number),
                FieldValue::Category(category) => InputValue::Text(category.clone()),
            };
            (feature.name.clone(), value)
        })
        .collect()
}

/// The canonical content of one event: the JSON whose SHA-256 is the event's content hash.
/// Its fields are written in this order, numbers in their shortest exact form.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Content {
    /// UTC time the journal recorded it (RFC 3339, microseconds).
    pub recorded_at: String,
    /// The client.
    pub client_id: ClientId,
    /// The model's inputs as scored (raw application fields by name).
    pub inputs: serde_json::Map<String, serde_json::Value>,
    /// SHA-256 of the JSON text of `inputs`.
    pub inputs_sha256: String,
    /// The model version.
    pub model_version: String,
    /// The decision threshold.
    pub threshold: f64,
    /// The probability of default.
    pub probability: f64,
    /// The model's decision.
    pub model_decision: Decision,
    /// The principal reasons shown.
    pub reasons: Vec<ShownReason>,
    /// What would change the decision, as shown.
    pub counterfactual: Option<String>,
    /// The language shown.
    pub language: Language,
    /// The RM's final decision.
    pub final_decision: Decision,
    /// Whether it differs from the model's.
    pub overridden: bool,
    /// The override's reason code.
    pub reason_code: Option<String>,
    /// The RM's justification.
    pub justification: Option<String>,
    /// Who decided.
    pub rm: String,
    /// Local or through the API.
    pub origin: Origin,
    /// The customer sheet exported, if any.
    pub export_file: Option<String>,
    /// The shadow challenger's score of the same inputs, when one was served (absent from
    /// the content otherwise, so that contents recorded before it hash as they did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenger: Option<ChallengerScore>,
}

impl Content {
    /// Checks a draft and stamps it with `recorded_at`: the texts a person typed hold no NUL or
    /// control character ([`check_chars`]), a final decision is accepted or refused, an override names a known reason for it and a justification of at least
    /// [`MIN_JUSTIFICATION_CHARS`] characters, numbers are finite.
    pub fn check(
        draft: &DecisionDraft,
        recorded_at: String,
        reasons: &OverrideReasons,
    ) -> Result<Content, JournalError> {
        let invalid = |field: &str, message: String| JournalError::Invalid { field: field.to_string(), message };
        // What a person typed, before anything else: no NUL or control character reaches a
        // database (see `journal::text`).
        check_chars("rm", &draft.rm.rm, TextKind::Line)?;
        for (field, text, kind) in [
            ("reason_code", &draft.rm.reason_code, TextKind::Line),
            ("justification", &draft.rm.justification, TextKind::Paragraphs),
            ("export_file", &draft.rm.export_file, TextKind::Line),
        ] {
            if let Some(text) = text {
                check_chars(field, text, kind)?;
            }
        }
        if !draft.model_decision.is_decided() {
            return Err(invalid(
                "client_id",
                "the application is incomplete: the model made no decision to record".into(),
            ));
        }
        if !(draft.probability.is_finite() && (0.0..=1.0).contains(&draft.probability)) {
            return Err(invalid("probability", "the probability must be a number from 0 to 1".into()));
        }
        if !(draft.threshold.is_finite() && (0.0..=1.0).contains(&draft.threshold)) {
            return Err(invalid("threshold", "the threshold must be a number from 0 to 1".into()));
        }
        let final_decision = draft.rm.decision.unwrap_or(draft.model_decision);
        if !final_decision.is_decided() {
            return Err(invalid("decision", "the final decision must be ACCEPTED or REFUSED".into()));
        }
        let overridden = final_decision != draft.model_decision;
        let justification = draft.rm.justification.as_deref().map(str::trim).filter(|text| !text.is_empty());
        let reason_code = draft.rm.reason_code.as_deref().map(str::trim).filter(|text| !text.is_empty());
        for (field, text, most) in
            [("justification", justification, MAX_TEXT_CHARS), ("rm", Some(draft.rm.rm.trim()), MAX_NAME_CHARS)]
        {
            if text.is_some_and(|text| text.chars().count() > most) {
                return Err(invalid(field, format!("at most {most} characters")));
            }
        }
        if draft.rm.rm.trim().is_empty() {
            return Err(invalid("rm", "say who decides (the relationship manager's name)".into()));
        }
        if overridden {
            let Some(code) = reason_code else {
                return Err(invalid(
                    "reason_code",
                    format!(
                        "an override ({} by the model, {final_decision} by the RM) needs a reason code: {}",
                        draft.model_decision,
                        reasons.codes_for(final_decision).join(", ")
                    ),
                ));
            };
            match reasons.find(code) {
                None => {
                    return Err(invalid(
                        "reason_code",
                        format!("unknown reason code `{}`; known: {}", quote(code), reasons.codes().join(", ")),
                    ));
                }
                Some(reason) if !reason.supports.allows(final_decision) => {
                    return Err(invalid(
                        "reason_code",
                        format!(
                            "`{code}` cannot support {final_decision}; reasons that can: {}",
                            reasons.codes_for(final_decision).join(", ")
                        ),
                    ));
                }
                Some(_) => {}
            }
            let length = justification.map_or(0, |text| text.chars().count());
            if length < MIN_JUSTIFICATION_CHARS {
                return Err(invalid(
                    "justification",
                    format!(
                        "an override needs a written justification of at least {MIN_JUSTIFICATION_CHARS} characters \
                         ({length} given)"
                    ),
                ));
            }
        } else if reason_code.is_some() {
            return Err(invalid(
                "reason_code",
                "a reason code is only for an override (a final decision other than the model's)".into(),
            ));
        }
        if let Some(challenger) = &draft.challenger
            && !(challenger.probability.is_finite() && (0.0..=1.0).contains(&challenger.probability))
        {
            return Err(invalid("challenger.probability", "the probability must be a number from 0 to 1".into()));
        }
        let mut inputs = serde_json::Map::with_capacity(draft.inputs.len());
        for (name, value) in &draft.inputs {
            let value = match value {
                InputValue::Number(number) if number.is_finite() => serde_json::json!(number),
                InputValue::Number(_) => {
                    return Err(invalid("inputs", format!("`{}` is not a finite number", quote(name))));
                }
                InputValue::Text(text) => serde_json::Value::String(text.clone()),
                InputValue::Missing => serde_json::Value::Null,
            };
            inputs.insert(name.clone(), value);
        }
        let inputs_sha256 = sha256_hex(serde_json::Value::Object(inputs.clone()).to_string().as_bytes());
        Ok(Content {
            recorded_at,
            client_id: draft.rm.client_id,
            inputs,
            inputs_sha256,
            model_version: draft.model_version.clone(),
            threshold: draft.threshold,
            probability: draft.probability,
            model_decision: draft.model_decision,
            reasons: draft.reasons.clone(),
            counterfactual: draft.counterfactual.clone(),
            language: draft.rm.language,
            final_decision,
            overridden,
            reason_code: reason_code.map(str::to_string),
            justification: justification.map(str::to_string),
            rm: draft.rm.rm.trim().to_string(),
            origin: draft.origin,
            export_file: draft.rm.export_file.clone(),
            challenger: draft.challenger.clone(),
        })
    }

    /// The canonical JSON text.
    pub fn canonical(&self) -> Result<String, JournalError> {
        serde_json::to_string(self).map_err(|error| JournalError::Corrupt { id: 0, message: error.to_string() })
    }

    /// The recorded inputs as named values, for scoring them again.
    pub fn input_values(&self) -> Vec<(String, InputValue)> {
        self.inputs
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    serde_json::Value::Number(number) => {
                        number.as_f64().map_or(InputValue::Missing, InputValue::Number)
                    }
                    serde_json::Value::String(text) => InputValue::Text(text.clone()),
                    _ => InputValue::Missing,
                };
                (name.clone(), value)
            })
            .collect()
    }
}

/// One recorded decision, as stored: its place in the chain, its content and its hashes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DecisionEvent {
    /// The event's number in the chain (1, 2, ...).
    pub id: i64,
    /// What was recorded.
    #[serde(flatten)]
    pub content: Content,
    /// SHA-256 of the canonical content.
    pub content_hash: String,
    /// SHA-256 of the event's columns ([`DecisionColumns::hash`]); absent from the events
    /// recorded before schema 4, whose hash does not cover their columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns_hash: Option<String>,
    /// The previous event's hash ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// The event's hash: [`decision_hash`] of `prev_hash`, `content_hash` and `columns_hash`.
    pub hash: String,
}

/// The columns a decision is listed and filtered by, stored beside its content (which says
/// the same).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecisionColumns<'a> {
    /// UTC time recorded.
    pub recorded_at: &'a str,
    /// The client.
    pub client_id: ClientId,
    /// Who decided.
    pub rm: &'a str,
    /// The RM's final decision (`ACCEPTED`/`REFUSED`, as stored).
    pub final_decision: &'a str,
    /// The model's decision, as stored.
    pub model_decision: &'a str,
    /// 1 when overridden, else 0.
    pub overridden: i64,
    /// The override's reason code.
    pub reason_code: Option<&'a str>,
    /// The probability of default.
    pub probability: f64,
    /// The model version.
    pub model_version: &'a str,
}

impl DecisionColumns<'_> {
    /// The columns of a content, as the journal stores them.
    pub fn of(content: &Content) -> DecisionColumns<'_> {
        DecisionColumns {
            recorded_at: &content.recorded_at,
            client_id: content.client_id,
            rm: &content.rm,
            final_decision: content.final_decision.as_str(),
            model_decision: content.model_decision.as_str(),
            overridden: i64::from(content.overridden),
            reason_code: content.reason_code.as_deref(),
            probability: content.probability,
            model_version: &content.model_version,
        }
    }

    /// SHA-256 of the columns as one JSON array, in the order of the fields above (texts as
    /// JSON strings, `overridden` as 0 or 1, a missing reason code as `null`, the probability
    /// as the shortest decimal that reads back to the same double).
    pub fn hash(&self) -> String {
        let array = (
            self.recorded_at,
            self.client_id,
            self.rm,
            self.final_decision,
            self.model_decision,
            self.overridden,
            self.reason_code,
            // As JSON writes a double: NaN and the infinities (which no decision holds) as null.
            serde_json::Number::from_f64(self.probability),
            self.model_version,
        );
        // A tuple of texts, integers and numbers always serializes.
        sha256_hex(serde_json::to_string(&array).unwrap_or_default().as_bytes())
    }
}

pub use crate::domain::format::sha256_hex;

/// The hash of an event without a columns hash (a contest, review or purge, and a decision
/// recorded before schema 4): SHA-256 of the previous hash followed by the content hash, both
/// as hex text.
pub fn chain_hash(prev_hash: &str, content_hash: &str) -> String {
    decision_hash(prev_hash, content_hash, None)
}

/// The hash of a decision: SHA-256 of the previous hash, the content hash and the columns
/// hash when it has one, as hex texts one after the other.
pub fn decision_hash(prev_hash: &str, content_hash: &str, columns_hash: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(content_hash.as_bytes());
    if let Some(columns_hash) = columns_hash {
        hasher.update(columns_hash.as_bytes());
    }
    crate::domain::format::hex(&hasher.finalize())
}

fn quote(text: &str) -> String {
    crate::domain::format::quote_external(text, crate::domain::format::QUOTE_MAX_CHARS)
}

impl Supports {
    /// Whether a reason with this scope can support `decision`.
    pub fn allows(self, decision: Decision) -> bool {
        match self {
            Supports::Either => true,
            Supports::Accepted => decision == Decision::Accepted,
            Supports::Refused => decision == Decision::Refused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_in_hex() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        // The chain hash hashes the two hex texts one after the other: "ab" + "c" = "abc".
        assert_eq!(chain_hash("ab", "c"), sha256_hex(b"abc"));
        assert_eq!(decision_hash("a", "b", Some("c")), sha256_hex(b"abc"));
    }

    #[test]
    fn the_columns_hash_hashes_the_columns_as_one_json_array() {
        let columns = DecisionColumns {
            recorded_at: "2026-12-01T10:00:00.000000Z",
            client_id: 400001,
            rm: "ana \"a\"",
            final_decision: "ACCEPTED",
            model_decision: "REFUSED",
            overridden: 1,
            reason_code: None,
            probability: 0.1,
            model_version: "abc123",
        };
        // Written by hand: the JSON array of the columns, the quotes of the name escaped.
        let text = r#"["2026-12-01T10:00:00.000000Z",400001,"ana \"a\"","ACCEPTED","REFUSED",1,null,0.1,"abc123"]"#;
        assert_eq!(columns.hash(), sha256_hex(text.as_bytes()));
        let changed = DecisionColumns { probability: f64::from_bits(0.1_f64.to_bits() + 1), ..columns };
        assert_ne!(changed.hash(), columns.hash(), "the next double is another probability");
    }
}
