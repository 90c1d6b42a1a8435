//! The fixed list of reasons an RM may give for overriding the model
//! (`assets/override_reasons.toml`, built into the binary), with English and French labels.
//!
//! Uses: domain.

use super::JournalError;
use crate::domain::Decision;
use crate::domain::format::Language;

/// The shipped list.
const SHIPPED: &str = include_str!("../../assets/override_reasons.toml");

/// Which final decision a reason can support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
pub enum Supports {
    /// Accepting a client the model refused.
    #[serde(rename = "ACCEPTED")]
    Accepted,
    /// Refusing a client the model accepted.
    #[serde(rename = "REFUSED")]
    Refused,
    /// Either.
    #[serde(rename = "either")]
    Either,
}

/// One reason for an override.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct OverrideReason {
    /// The code stored in the journal.
    pub code: String,
    /// The final decision it can support.
    #[serde(rename = "decision")]
    pub supports: Supports,
    /// English label.
    pub en: String,
    /// French label.
    pub fr: String,
}

impl OverrideReason {
    /// The label in `language`.
    pub fn label(&self, language: Language) -> &str {
        match language {
            Language::En => &self.en,
            Language::Fr => &self.fr,
        }
    }
}

/// The list of override reasons.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct OverrideReasons {
    /// The reasons, in file order.
    #[serde(rename = "reason")]
    pub reasons: Vec<OverrideReason>,
}

impl OverrideReasons {
    /// The shipped list.
    pub fn shipped() -> Result<OverrideReasons, JournalError> {
        OverrideReasons::parse(SHIPPED)
    }

    /// A list from TOML text.
    pub fn parse(text: &str) -> Result<OverrideReasons, JournalError> {
        let reasons: OverrideReasons = toml::from_str(text)
            .map_err(|error| JournalError::Reasons(format!("assets/override_reasons.toml: {error}")))?;
        for (index, reason) in reasons.reasons.iter().enumerate() {
            if reasons.reasons[..index].iter().any(|earlier| earlier.code == reason.code) {
                return Err(JournalError::Reasons(format!(
                    "assets/override_reasons.toml: the code {} is listed twice",
                    reason.code
                )));
            }
        }
        Ok(reasons)
    }

    /// The reason with this code.
    pub fn find(&self, code: &str) -> Option<&OverrideReason> {
        self.reasons.iter().find(|reason| reason.code == code)
    }

    /// Every code.
    pub fn codes(&self) -> Vec<&str> {
        self.reasons.iter().map(|reason| reason.code.as_str()).collect()
    }

    /// The reasons that can support `decision`, in file order.
    pub fn for_decision(&self, decision: Decision) -> Vec<&OverrideReason> {
        self.reasons.iter().filter(|reason| reason.supports.allows(decision)).collect()
    }

    /// The codes that can support `decision`.
    pub fn codes_for(&self, decision: Decision) -> Vec<&str> {
        self.for_decision(decision).into_iter().map(|reason| reason.code.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_has_reasons_both_ways_in_both_languages() {
        let reasons = OverrideReasons::shipped().unwrap();
        assert!(reasons.reasons.len() >= 6);
        assert!(reasons.codes_for(Decision::Accepted).contains(&"ADDITIONAL_INCOME"));
        assert!(!reasons.codes_for(Decision::Accepted).contains(&"FRAUD_SUSPICION"));
        assert!(reasons.codes_for(Decision::Refused).contains(&"FRAUD_SUSPICION"));
        for reason in &reasons.reasons {
            assert!(!reason.en.is_empty() && !reason.fr.is_empty(), "{}", reason.code);
            assert_ne!(reason.en, reason.fr, "{}", reason.code);
        }
    }

    #[test]
    fn a_code_listed_twice_is_refused() {
        let text = "[[reason]]\ncode = \"A\"\ndecision = \"either\"\nen = \"a\"\nfr = \"b\"\n\
                    [[reason]]\ncode = \"A\"\ndecision = \"either\"\nen = \"c\"\nfr = \"d\"\n";
        let error = OverrideReasons::parse(text).unwrap_err().to_string();
        assert!(error.contains("listed twice"), "{error}");
    }
}
