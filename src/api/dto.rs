//! The JSON bodies of the API, with their OpenAPI schemas, and their conversions from and to
//! the domain types. [`crate::remote`] reads the same types, so both ends agree by
//! construction.
//!
//! Uses: domain, scoring (the scorer's description of itself).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{
    Bilingual, Bins, ClientRecord, ClientSummary, Counterfactual, Decision, Distribution, Effect, Explanation,
    FeatureChange, FeatureDescription, Field, FieldValue, LoanKind, Portfolio, Reason, Score, format::Language,
};
use crate::scoring::ScorerInfo;

/// `GET /health`: the server is up.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: String,
    /// The model version served.
    pub model_version: String,
}

/// An error: what went wrong and what to fix.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error inside [`ErrorBody`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `unknown_client`, `invalid_features`.
    pub code: String,
    /// A sentence for people: what was wrong and, for client errors, what to fix.
    pub message: String,
    /// The request field at fault, when there is one (e.g. `features.AMT_CREDIT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The language of the customer sentences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English (default).
    #[default]
    En,
    /// French.
    Fr,
}

impl<'de> Deserialize<'de> for Lang {
    /// `"en"` or `"fr"`. Read as a text first, so that another type (`"lang": 5`) is a wrong
    /// value of the field (serde_json reports a number given for an enum as a syntax error).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Lang, D::Error> {
        let text = String::deserialize(deserializer)?;
        match text.as_str() {
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            other => Err(serde::de::Error::unknown_variant(other, &["en", "fr"])),
        }
    }
}

impl From<Lang> for Language {
    fn from(lang: Lang) -> Language {
        match lang {
            Lang::En => Language::En,
            Lang::Fr => Language::Fr,
        }
    }
}

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

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum DecisionDto {
    /// The probability of default is below the threshold.
    Accepted,
    /// The probability of default is at or above the threshold.
    Refused,
    /// No decision: the application lacks required fields (`missing_required`); the
    /// probability is an exploration only (given when the request set `allow_incomplete`).
    Incomplete,
}

impl From<Decision> for DecisionDto {
    fn from(decision: Decision) -> DecisionDto {
        match decision {
            Decision::Accepted => DecisionDto::Accepted,
            Decision::Refused => DecisionDto::Refused,
            Decision::Incomplete => DecisionDto::Incomplete,
        }
    }
}

impl From<DecisionDto> for Decision {
    fn from(decision: DecisionDto) -> Decision {
        match decision {
            DecisionDto::Accepted => Decision::Accepted,
            DecisionDto::Refused => Decision::Refused,
            DecisionDto::Incomplete => Decision::Incomplete,
        }
    }
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

/// The kind of loan a counterfactual changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LoanKindDto {
    /// A loan repaid in instalments: amount borrowed, goods price, annual repayment.
    CashLoan,
    /// A revolving credit line: credit limit and required minimum payment.
    RevolvingCredit,
}

impl From<LoanKind> for LoanKindDto {
    fn from(kind: LoanKind) -> LoanKindDto {
        match kind {
            LoanKind::CashLoan => LoanKindDto::CashLoan,
            LoanKind::RevolvingCredit => LoanKindDto::RevolvingCredit,
        }
    }
}

impl From<LoanKindDto> for LoanKind {
    fn from(kind: LoanKindDto) -> LoanKind {
        match kind {
            LoanKindDto::CashLoan => LoanKind::CashLoan,
            LoanKindDto::RevolvingCredit => LoanKind::RevolvingCredit,
        }
    }
}

/// What an input changed by a counterfactual is, for the kind of loan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeverDto {
    /// `AMT_CREDIT` of a cash loan.
    AmountBorrowed,
    /// `AMT_ANNUITY` of a cash loan.
    AnnualRepayment,
    /// `AMT_GOODS_PRICE`.
    GoodsPrice,
    /// `AMT_CREDIT` of a revolving credit line.
    CreditLimit,
    /// `AMT_ANNUITY` of a revolving credit line: the required minimum payment (a year).
    MinimumPayment,
    /// Another actionable input.
    Other,
}

impl LeverDto {
    /// The lever a feature is for a kind of loan.
    pub fn of(feature: &str, kind: LoanKind) -> LeverDto {
        match (feature, kind) {
            ("AMT_CREDIT", LoanKind::CashLoan) => LeverDto::AmountBorrowed,
            ("AMT_CREDIT", LoanKind::RevolvingCredit) => LeverDto::CreditLimit,
            ("AMT_ANNUITY", LoanKind::CashLoan) => LeverDto::AnnualRepayment,
            ("AMT_ANNUITY", LoanKind::RevolvingCredit) => LeverDto::MinimumPayment,
            ("AMT_GOODS_PRICE", _) => LeverDto::GoodsPrice,
            _ => LeverDto::Other,
        }
    }
}

/// What a counterfactual search found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted already: nothing needs to change.
    NotNeeded,
    /// A change that turns the refusal into an acceptance.
    Found,
    /// No change within the usual ranges is enough.
    NoneWithinBounds,
}

/// One input to change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangeDto {
    /// The model feature (a raw column such as `AMT_CREDIT`).
    pub feature: String,
    /// What the feature is for this kind of loan (`credit_limit` for the `AMT_CREDIT` of a
    /// revolving line, `amount_borrowed` for a cash loan's).
    pub lever: LeverDto,
    /// The client's value.
    pub from: f64,
    /// The proposed value.
    pub to: f64,
}

/// `POST /counterfactual`: what would change a refusal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CounterfactualResponse {
    /// The served client, when asked by `client_id`; `null` for an applicant given by
    /// `features`, even one whose features hold an `SK_ID_CURR`.
    pub client_id: Option<i64>,
    /// The `SK_ID_CURR` given among `features`, echoed as sent, never looked up among the
    /// served clients.
    #[serde(default)]
    pub applicant_id: Option<i64>,
    /// What the search found.
    pub outcome: Outcome,
    /// The kind of loan the levers are for (`null` when nothing needs to change).
    #[serde(default)]
    pub loan: Option<LoanKindDto>,
    /// Whether the change asks a heavier yearly repayment (or minimum payment) than now; the
    /// sentence then says by how much.
    #[serde(default)]
    pub raises_yearly_repayment: bool,
    /// The probability with the change (`found`), the client's own (`not_needed`), or the
    /// lowest reachable (`none_within_bounds`).
    pub probability: f64,
    /// The inputs to change (`found` only).
    pub changes: Vec<ChangeDto>,
    /// The sentence for the customer in the language asked (none when nothing is needed).
    pub text: Option<String>,
    /// The sentence in both languages.
    pub translations: Option<Translations>,
    /// The model version.
    pub model_version: String,
}

impl CounterfactualResponse {
    /// The response for a search's result.
    pub fn new(subject: Subject, counterfactual: &Counterfactual, model_version: &str, lang: Lang) -> Self {
        let (outcome, probability, changes, loan) = match counterfactual {
            Counterfactual::NotNeeded { probability } => (Outcome::NotNeeded, *probability, Vec::new(), None),
            Counterfactual::Found { changes, probability, loan, .. } => {
                (Outcome::Found, *probability, changes.clone(), Some(*loan))
            }
            Counterfactual::NoneWithinBounds { best_probability, loan, .. } => {
                (Outcome::NoneWithinBounds, *best_probability, Vec::new(), Some(*loan))
            }
        };
        let text = counterfactual.text();
        let raises_yearly_repayment =
            changes.iter().any(|change| change.feature == "AMT_ANNUITY" && change.to > change.from);
        CounterfactualResponse {
            client_id: subject.client_id,
            applicant_id: subject.applicant_id,
            outcome,
            loan: loan.map(LoanKindDto::from),
            raises_yearly_repayment,
            probability,
            changes: changes
                .into_iter()
                .map(|change| ChangeDto {
                    lever: LeverDto::of(&change.feature, loan.unwrap_or_default()),
                    feature: change.feature,
                    from: change.from,
                    to: change.to,
                })
                .collect(),
            text: text.map(|text| text.get(lang.into()).to_string()),
            translations: text.map(|text| Translations { en: text.en.clone(), fr: text.fr.clone() }),
            model_version: model_version.to_string(),
        }
    }

    /// Back to the domain value.
    pub fn to_counterfactual(&self) -> Counterfactual {
        let text = self
            .translations
            .as_ref()
            .map(|text| Bilingual { en: text.en.clone(), fr: text.fr.clone() })
            .unwrap_or_default();
        let loan = self.loan.map(LoanKind::from).unwrap_or_default();
        match self.outcome {
            Outcome::NotNeeded => Counterfactual::NotNeeded { probability: self.probability },
            Outcome::Found => Counterfactual::Found {
                changes: self
                    .changes
                    .iter()
                    .map(|change| FeatureChange { feature: change.feature.clone(), from: change.from, to: change.to })
                    .collect(),
                probability: self.probability,
                text,
                loan,
            },
            Outcome::NoneWithinBounds => {
                Counterfactual::NoneWithinBounds { best_probability: self.probability, text, loan }
            }
        }
    }
}

/// `GET /clients`: query.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClientsQuery {
    /// Words that must all appear in the client's line (id, age, amount, loan type), any case.
    pub search: Option<String>,
    /// Clients to skip (default 0; empty is the default).
    #[serde(default, deserialize_with = "empty_as_absent")]
    pub offset: Option<usize>,
    /// Clients to return (default 100, at most 1000; empty is the default).
    #[serde(default, deserialize_with = "empty_as_absent")]
    pub limit: Option<usize>,
}

/// A query parameter given empty (`?limit=`) is absent, as a form sends it: the default.
pub fn empty_as_absent<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let text: Option<String> = Deserialize::deserialize(deserializer)?;
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// One client in a list: no protected attribute.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientSummaryDto {
    /// `SK_ID_CURR`.
    pub id: i64,
    /// Age in whole years.
    pub age_years: Option<u32>,
    /// Amount asked (`AMT_CREDIT`).
    pub amount: Option<f64>,
    /// Loan type (`NAME_CONTRACT_TYPE`).
    pub contract_type: Option<String>,
}

impl From<&ClientSummary> for ClientSummaryDto {
    fn from(summary: &ClientSummary) -> ClientSummaryDto {
        ClientSummaryDto {
            id: summary.id,
            age_years: summary.age_years,
            amount: summary.amount,
            contract_type: summary.contract_type.clone(),
        }
    }
}

impl From<ClientSummaryDto> for ClientSummary {
    fn from(summary: ClientSummaryDto) -> ClientSummary {
        ClientSummary {
            id: summary.id,
            age_years: summary.age_years,
            amount: summary.amount,
            contract_type: summary.contract_type,
        }
    }
}

/// `GET /clients`: one page of clients.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientsPage {
    /// Clients matching the search, in all pages.
    pub total: usize,
    /// Clients skipped.
    pub offset: usize,
    /// This page, in file order.
    pub clients: Vec<ClientSummaryDto>,
}

/// A value of a client's field: a number, a category's name, or `null` when missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum ValueDto {
    /// A number.
    Number(f64),
    /// A category's name.
    Category(String),
    /// Missing (`null`).
    Missing,
}

/// One field of a client, with where the client stands in the reference population.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FieldDto {
    /// The model feature.
    pub feature: String,
    /// The client's value.
    pub value: ValueDto,
    /// Percentile among the reference clients with a value (numbers).
    pub percentile: Option<f64>,
    /// Share (%) of reference clients with the same category, answer or missing value.
    pub share: Option<f64>,
}

/// `GET /clients/{id}`: a client's model inputs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientRecordDto {
    /// `SK_ID_CURR`.
    pub id: i64,
    /// One field per model feature, in model order.
    pub fields: Vec<FieldDto>,
    /// The required fields the client's application lacks (empty when complete).
    #[serde(default)]
    pub missing_required: Vec<String>,
}

impl ClientRecordDto {
    /// The response for a record; `features` are the model's, in model order.
    pub fn new(record: &ClientRecord, features: &[FeatureDescription]) -> ClientRecordDto {
        ClientRecordDto {
            id: record.id,
            fields: record
                .fields
                .iter()
                .zip(features)
                .map(|(field, feature)| FieldDto {
                    feature: feature.name.clone(),
                    value: match &field.value {
                        FieldValue::Number(number) => ValueDto::Number(*number),
                        FieldValue::Category(name) => ValueDto::Category(name.clone()),
                        FieldValue::Missing => ValueDto::Missing,
                    },
                    percentile: field.percentile,
                    share: field.share,
                })
                .collect(),
            missing_required: record.missing.clone(),
        }
    }

    /// Back to the domain record.
    pub fn to_record(&self) -> ClientRecord {
        ClientRecord {
            id: self.id,
            fields: self
                .fields
                .iter()
                .map(|field| Field {
                    value: match &field.value {
                        ValueDto::Number(number) => FieldValue::Number(*number),
                        ValueDto::Category(name) => FieldValue::Category(name.clone()),
                        ValueDto::Missing => FieldValue::Missing,
                    },
                    percentile: field.percentile,
                    share: field.share,
                })
                .collect(),
            missing: self.missing_required.clone(),
        }
    }
}

/// A model feature, as people read it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FeatureDto {
    /// The column name.
    pub name: String,
    /// English label.
    pub label_en: String,
    /// French label.
    pub label_fr: String,
    /// Unit: `EUR`, `days`, `years`, `ratio`, `flag`, `category`, … (empty when unknown).
    pub unit: String,
    /// The categories, in code order, for a categorical feature.
    pub categories: Option<Vec<String>>,
    /// Whether the client can change it in the application (what-if).
    pub actionable: bool,
    /// Whether it is a protected attribute, never quoted as a reason.
    pub protected: bool,
    /// Whether it is computed from other columns.
    pub derived: bool,
    /// Whether any tree of the model splits on it.
    pub used: bool,
    /// Whether every decision needs it given (an application without it is `INCOMPLETE`).
    #[serde(default)]
    pub required: bool,
}

impl From<&FeatureDescription> for FeatureDto {
    fn from(feature: &FeatureDescription) -> FeatureDto {
        FeatureDto {
            name: feature.name.clone(),
            label_en: feature.label_en.clone(),
            label_fr: feature.label_fr.clone(),
            unit: feature.unit.clone(),
            categories: feature.categories.clone(),
            actionable: feature.actionable,
            protected: feature.protected,
            derived: feature.derived,
            used: feature.used,
            required: feature.required,
        }
    }
}

impl From<FeatureDto> for FeatureDescription {
    fn from(feature: FeatureDto) -> FeatureDescription {
        FeatureDescription {
            name: feature.name,
            label_en: feature.label_en,
            label_fr: feature.label_fr,
            unit: feature.unit,
            categories: feature.categories,
            actionable: feature.actionable,
            protected: feature.protected,
            derived: feature.derived,
            used: feature.used,
            required: feature.required,
        }
    }
}

/// `GET /model`: the model served, its threshold, features and card.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ModelResponse {
    /// The model version: the card's, else `sha256-` and 12 hex digits of the model file.
    pub model_version: String,
    /// The decision threshold: refused at or above it.
    pub threshold: f64,
    /// Where the threshold comes from (`model card`, `--threshold`, or the default).
    pub threshold_origin: String,
    /// Clients in the reference population.
    pub reference_clients: usize,
    /// The model's features, in model order.
    pub features: Vec<FeatureDto>,
    /// The model card (training data, cross-validated metrics, cost curve), when there is one.
    #[schema(value_type = Option<Object>)]
    pub card: Option<crate::domain::ModelCard>,
    /// Things to know about the served data (repaired lines, unknown categories).
    pub warnings: Vec<String>,
}

impl From<&ScorerInfo> for ModelResponse {
    fn from(info: &ScorerInfo) -> ModelResponse {
        ModelResponse {
            model_version: info.model_version.clone(),
            threshold: info.threshold,
            threshold_origin: info.threshold_origin.clone(),
            reference_clients: info.reference_clients,
            features: info.features.iter().map(FeatureDto::from).collect(),
            card: info.card.clone(),
            warnings: info.warnings.clone(),
        }
    }
}

/// `GET /features/{name}/distribution`: a feature in the reference population.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DistributionResponse {
    /// The feature.
    pub feature: String,
    /// `n + 1` increasing bin edges, for a numeric feature (the end bins also hold the tails).
    pub edges: Option<Vec<f64>>,
    /// One bin per category, in code order, for a categorical feature.
    pub categories: Option<Vec<String>>,
    /// Clients who repaid, per bin.
    pub repaid: Vec<u64>,
    /// Clients who defaulted, per bin.
    pub defaulted: Vec<u64>,
    /// Clients who repaid with no value.
    pub missing_repaid: u64,
    /// Clients who defaulted with no value.
    pub missing_defaulted: u64,
}

impl From<&Distribution> for DistributionResponse {
    fn from(distribution: &Distribution) -> DistributionResponse {
        let (edges, categories) = match &distribution.bins {
            Bins::Numeric { edges } => (Some(edges.clone()), None),
            Bins::Categorical { categories } => (None, Some(categories.clone())),
        };
        DistributionResponse {
            feature: distribution.feature.clone(),
            edges,
            categories,
            repaid: distribution.repaid.clone(),
            defaulted: distribution.defaulted.clone(),
            missing_repaid: distribution.missing.0,
            missing_defaulted: distribution.missing.1,
        }
    }
}

impl DistributionResponse {
    /// Back to the domain value; `None` when it has neither edges nor categories.
    pub fn to_distribution(&self) -> Option<Distribution> {
        let bins = match (&self.edges, &self.categories) {
            (Some(edges), None) => Bins::Numeric { edges: edges.clone() },
            (None, Some(categories)) => Bins::Categorical { categories: categories.clone() },
            _ => return None,
        };
        Some(Distribution {
            feature: self.feature.clone(),
            bins,
            repaid: self.repaid.clone(),
            defaulted: self.defaulted.clone(),
            missing: (self.missing_repaid, self.missing_defaulted),
        })
    }
}

/// `GET /portfolio`: the served applicants as a whole.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PortfolioResponse {
    /// Every applicant's probability of default, in file order.
    pub probabilities: Vec<f64>,
    /// The decision threshold.
    pub threshold: f64,
    /// Global importance: mean |contribution| per model feature, in log-odds.
    pub mean_abs_log_odds: Vec<f64>,
    /// The same in probability units.
    pub mean_abs_points: Vec<f64>,
}

impl From<&Portfolio> for PortfolioResponse {
    fn from(portfolio: &Portfolio) -> PortfolioResponse {
        PortfolioResponse {
            probabilities: portfolio.probabilities.clone(),
            threshold: portfolio.threshold,
            mean_abs_log_odds: portfolio.mean_abs_log_odds.clone(),
            mean_abs_points: portfolio.mean_abs_points.clone(),
        }
    }
}

impl From<PortfolioResponse> for Portfolio {
    fn from(portfolio: PortfolioResponse) -> Portfolio {
        Portfolio {
            probabilities: portfolio.probabilities,
            threshold: portfolio.threshold,
            mean_abs_log_odds: portfolio.mean_abs_log_odds,
            mean_abs_points: portfolio.mean_abs_points,
        }
    }
}
