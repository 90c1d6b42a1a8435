//! The body of `POST /counterfactual`: what would change a refusal, lever by lever.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Lang, Subject, Translations};
use crate::domain::{Bilingual, Counterfactual, FeatureChange, LoanKind};

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
