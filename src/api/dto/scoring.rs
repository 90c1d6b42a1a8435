//! The bodies of the scoring routes: an applicant by id or by features, and the score, the
//! explanation and the what-if they get.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{DecisionDto, Lang};
use crate::domain::{Bilingual, Effect, Explanation, FeatureDescription, Reason, Score};

/// `POST /predict` and `POST /explain`: one applicant, by id or by features.
///
/// Give exactly one of `client_id` (a client of the served portfolio) and `features` (an
/// applicant who is not in it: raw application columns or model features by name; a name
/// not given is a missing value).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// `SK_ID_CURR` of a client of the served portfolio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<i64>,
    /// The applicant's inputs by name: numbers, texts for categories, `null` for missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, example = json!({"AMT_CREDIT": 450000.0, "AMT_INCOME_TOTAL": 135000.0, "NAME_CONTRACT_TYPE": "Cash loans", "EXT_SOURCE_3": null}))]
    pub features: Option<FeatureMap>,
    /// Language of the reasons (`/explain` only; default English, or the `lang` query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
    /// Score an application that lacks required fields anyway, as an exploration: the answer's
    /// decision is then `INCOMPLETE` (not a decision) and `missing_required` names the fields.
    /// Without it such an application is a 422 `incomplete_application`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_incomplete: bool,
}

/// A JSON object's members in order, a repeated name kept, so that it is refused rather than
/// silently overwritten by the last one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureMap(pub Vec<(String, serde_json::Value)>);

impl From<serde_json::Map<String, serde_json::Value>> for FeatureMap {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> FeatureMap {
        FeatureMap(map.into_iter().collect())
    }
}

impl Serialize for FeatureMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FeatureMap {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<FeatureMap, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = FeatureMap;
            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("an object of input names and values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut access: A) -> Result<FeatureMap, A::Error> {
                let mut members = Vec::with_capacity(access.size_hint().unwrap_or(0));
                while let Some(member) = access.next_entry::<String, serde_json::Value>()? {
                    members.push(member);
                }
                Ok(FeatureMap(members))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

/// `POST /predict/batch`: several applicants at once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// The applicants, each as in `POST /predict`.
    pub items: Vec<ScoreRequest>,
}

/// `POST /predict/batch`: one score per item, in order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchResponse {
    /// The scores, in the order of the request's items.
    pub results: Vec<PredictResponse>,
}

/// Whom a response is about: a served client asked by id, or an applicant given by
/// features, whose `SK_ID_CURR` (if any) is echoed as `applicant_id` and never taken for a
/// served client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Subject {
    /// A client of the served portfolio, asked by `client_id`.
    pub client_id: Option<i64>,
    /// The `SK_ID_CURR` given among `features`.
    pub applicant_id: Option<i64>,
}

impl Subject {
    /// A served client.
    pub fn client(id: i64) -> Subject {
        Subject { client_id: Some(id), applicant_id: None }
    }

    /// The domain's client id of a score: the client's, else the applicant's, else 0.
    fn scored_id(client_id: Option<i64>, applicant_id: Option<i64>) -> i64 {
        client_id.or(applicant_id).unwrap_or(0)
    }
}

/// `POST /predict`: the probability of default and the decision.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PredictResponse {
    /// The served client, when asked by `client_id`; `null` for an applicant given by
    /// `features`, even one whose features hold an `SK_ID_CURR`.
    pub client_id: Option<i64>,
    /// The `SK_ID_CURR` given among `features`, echoed as sent: the applicant's own
    /// reference, never looked up among the served clients (ask by `client_id` for that).
    #[serde(default)]
    pub applicant_id: Option<i64>,
    /// Probability of default (payment difficulties), between 0 and 1.
    pub probability: f64,
    /// The decision threshold: refused at or above it.
    pub threshold: f64,
    /// `ACCEPTED` or `REFUSED`; `INCOMPLETE` (no decision) when required fields are missing.
    pub decision: DecisionDto,
    /// The required fields the application lacks (empty when complete).
    #[serde(default)]
    pub missing_required: Vec<String>,
    /// The model version that scored it.
    pub model_version: String,
    /// What was ignored in the request: a derived feature given among `features` is computed
    /// from its inputs, the value sent ignored (absent when there is nothing to say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl PredictResponse {
    /// The response for a score.
    pub fn new(score: &Score, subject: Subject, model_version: &str) -> PredictResponse {
        PredictResponse {
            client_id: subject.client_id,
            applicant_id: subject.applicant_id,
            probability: score.probability,
            threshold: score.threshold,
            decision: score.decision.into(),
            missing_required: score.missing.clone(),
            model_version: model_version.to_string(),
            warnings: Vec::new(),
        }
    }

    /// Back to a domain score (client id 0 when there is none).
    pub fn to_score(&self) -> Score {
        Score {
            client_id: Subject::scored_id(self.client_id, self.applicant_id),
            probability: self.probability,
            threshold: self.threshold,
            decision: self.decision.into(),
            missing: self.missing_required.clone(),
        }
    }
}

/// One feature's TreeSHAP contribution.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContributionDto {
    /// The model feature.
    pub feature: String,
    /// Contribution to the raw score, in log-odds (LightGBM's `pred_contrib`).
    pub log_odds: f64,
    /// The same contribution in probability units (× 100 for percentage points); these sum to
    /// the probability minus `base_probability`.
    pub points: f64,
}

/// Which way a reason moved the risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EffectDto {
    /// Towards default (towards a refusal).
    RaisesRisk,
    /// Away from default (in the client's favour).
    LowersRisk,
}

impl From<Effect> for EffectDto {
    fn from(effect: Effect) -> EffectDto {
        match effect {
            Effect::RaisesRisk => EffectDto::RaisesRisk,
            Effect::LowersRisk => EffectDto::LowersRisk,
        }
    }
}

impl From<EffectDto> for Effect {
    fn from(effect: EffectDto) -> Effect {
        match effect {
            EffectDto::RaisesRisk => Effect::RaisesRisk,
            EffectDto::LowersRisk => Effect::LowersRisk,
        }
    }
}

/// A sentence in both languages.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Translations {
    /// English.
    pub en: String,
    /// French.
    pub fr: String,
}

/// One principal reason, worded for the customer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReasonDto {
    /// The model features merged into this reason; the first is the one quoted.
    pub features: Vec<String>,
    /// Which way it moved the risk.
    pub effect: EffectDto,
    /// Their summed contribution in log-odds.
    pub log_odds: f64,
    /// Their summed contribution in probability units.
    pub points: f64,
    /// The sentence in the language asked.
    pub text: String,
    /// The sentence in both languages.
    pub translations: Translations,
    /// The reason policy's class that allowed it: `explained` or `actionable` for a reason
    /// quoting a feature, `not_for_customers` for the line folding the features a customer
    /// is not told about.
    #[serde(default)]
    #[schema(value_type = String, example = "explained")]
    pub class: crate::domain::PolicyClass,
    /// What the sentence compares the client with (`rank`: `population` repaid or
    /// defaulted, `above`, `percent`; `share`: `repaid`, `defaulted`), when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub comparison: Option<crate::domain::ReasonComparison>,
}

/// `POST /explain` and `POST /what-if`: the score with its contributions and reasons.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExplainResponse {
    /// The served client, when asked by `client_id`; `null` for an applicant given by
    /// `features`, even one whose features hold an `SK_ID_CURR`.
    pub client_id: Option<i64>,
    /// The `SK_ID_CURR` given among `features`, echoed as sent: the applicant's own
    /// reference, never looked up among the served clients.
    #[serde(default)]
    pub applicant_id: Option<i64>,
    /// Probability of default, between 0 and 1.
    pub probability: f64,
    /// The decision threshold: refused at or above it.
    pub threshold: f64,
    /// `ACCEPTED` or `REFUSED`; `INCOMPLETE` (no decision, no reasons) when required fields
    /// are missing.
    pub decision: DecisionDto,
    /// The required fields the application lacks (empty when complete).
    #[serde(default)]
    pub missing_required: Vec<String>,
    /// The model version that scored it.
    pub model_version: String,
    /// The raw score (log-odds): `expected_value` plus the contributions.
    pub raw_score: f64,
    /// The expected raw score over the training data (TreeSHAP's base value, log-odds).
    pub expected_value: f64,
    /// `expected_value` as a probability.
    pub base_probability: f64,
    /// Every model feature's contribution, in model order.
    pub contributions: Vec<ContributionDto>,
    /// The principal reasons (at most four), strongest first.
    pub reasons: Vec<ReasonDto>,
    /// The language of `reasons[].text`.
    pub lang: Lang,
    /// What was ignored in the request: a derived feature given among `features` is computed
    /// from its inputs, the value sent ignored (absent when there is nothing to say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl ExplainResponse {
    /// The response for an explanation; `features` are the model's, in model order.
    pub fn new(
        explanation: &Explanation,
        subject: Subject,
        features: &[FeatureDescription],
        model_version: &str,
        lang: Lang,
    ) -> ExplainResponse {
        let contributions = features
            .iter()
            .zip(explanation.log_odds.iter().zip(&explanation.points))
            .map(|(feature, (&log_odds, &points))| ContributionDto { feature: feature.name.clone(), log_odds, points })
            .collect();
        let reasons = explanation
            .reasons
            .iter()
            .map(|reason| ReasonDto {
                features: reason.features.clone(),
                effect: reason.effect.into(),
                log_odds: reason.log_odds,
                points: reason.points,
                text: reason.text.get(lang.into()).to_string(),
                translations: Translations { en: reason.text.en.clone(), fr: reason.text.fr.clone() },
                class: reason.class,
                comparison: reason.comparison,
            })
            .collect();
        ExplainResponse {
            client_id: subject.client_id,
            applicant_id: subject.applicant_id,
            probability: explanation.score.probability,
            threshold: explanation.score.threshold,
            decision: explanation.score.decision.into(),
            missing_required: explanation.score.missing.clone(),
            model_version: model_version.to_string(),
            raw_score: explanation.raw_score,
            expected_value: explanation.expected_value,
            base_probability: explanation.base_probability,
            contributions,
            reasons,
            lang,
            warnings: Vec::new(),
        }
    }

    /// Back to a domain explanation; `None` when the contributions are not the model's
    /// features in model order.
    pub fn to_explanation(&self, features: &[FeatureDescription]) -> Option<Explanation> {
        let in_order = self.contributions.len() == features.len()
            && self
                .contributions
                .iter()
                .zip(features)
                .all(|(contribution, feature)| contribution.feature == feature.name);
        if !in_order {
            return None;
        }
        Some(Explanation {
            score: Score {
                client_id: Subject::scored_id(self.client_id, self.applicant_id),
                probability: self.probability,
                threshold: self.threshold,
                decision: self.decision.into(),
                missing: self.missing_required.clone(),
            },
            raw_score: self.raw_score,
            expected_value: self.expected_value,
            base_probability: self.base_probability,
            log_odds: self.contributions.iter().map(|contribution| contribution.log_odds).collect(),
            points: self.contributions.iter().map(|contribution| contribution.points).collect(),
            reasons: self
                .reasons
                .iter()
                .map(|reason| Reason {
                    features: reason.features.clone(),
                    points: reason.points,
                    log_odds: reason.log_odds,
                    effect: reason.effect.into(),
                    text: Bilingual { en: reason.translations.en.clone(), fr: reason.translations.fr.clone() },
                    class: reason.class,
                    comparison: reason.comparison,
                })
                .collect(),
        })
    }
}

/// `POST /what-if`: a client's explanation with some inputs set to other values.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// The client.
    #[schema(example = 400005)]
    pub client_id: i64,
    /// Actionable numeric inputs and their new values (derived features follow).
    #[schema(example = json!({"AMT_CREDIT": 300000.0, "AMT_ANNUITY": 15000.0}))]
    pub changes: serde_json::Map<String, serde_json::Value>,
    /// Language of the reasons (default English).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
    /// As in `/explain`: answer `INCOMPLETE` rather than 422 for a client lacking required fields.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_incomplete: bool,
}

/// `POST /counterfactual`: one applicant, by id or by features, as in `POST /predict`.
///
/// Give exactly one of `client_id` and `features`. There is no `allow_incomplete`: an
/// application that lacks required fields has no decision to change (422
/// `incomplete_application`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientRequest {
    /// `SK_ID_CURR` of a client of the served portfolio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 400005)]
    pub client_id: Option<i64>,
    /// The applicant's inputs by name: numbers, texts for categories, `null` for missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, example = json!({"AMT_CREDIT": 450000.0, "AMT_ANNUITY": 24000.0, "AMT_INCOME_TOTAL": 135000.0, "NAME_CONTRACT_TYPE": "Revolving loans"}))]
    pub features: Option<FeatureMap>,
    /// Language of the sentence (default English, or the `lang` query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
}

impl ClientRequest {
    /// The same applicant as a scoring request (never an exploratory one).
    pub fn to_score_request(&self) -> ScoreRequest {
        ScoreRequest {
            client_id: self.client_id,
            features: self.features.clone(),
            lang: self.lang,
            allow_incomplete: false,
        }
    }
}
