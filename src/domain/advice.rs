//! What a customer is told: the principal reasons behind a decision and what would change a
//! refusal, each worded in English and French.
//!
//! Plain serialisable data, so the dashboard, the API and exported sheets carry the same words.
//! std and serde only.

use super::format::Language;

/// A text for people, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Bilingual {
    /// English.
    pub en: String,
    /// French.
    pub fr: String,
}

impl Bilingual {
    /// The text in `language`.
    pub fn get(&self, language: Language) -> &str {
        match language {
            Language::En => &self.en,
            Language::Fr => &self.fr,
        }
    }
}

/// Which way a reason moved the estimated risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Towards default (towards a refusal).
    RaisesRisk,
    /// Away from default (in the client's favour).
    LowersRisk,
}

/// One principal reason: a fact about the client that moved the estimated risk, worded for
/// the customer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reason {
    /// The model features merged into this reason (the first is the one quoted), e.g.
    /// `DAYS_BIRTH` and `AGE_YEARS`.
    pub features: Vec<String>,
    /// Their summed contribution in probability units (× 100 for percentage points).
    pub points: f64,
    /// Their summed contribution in log-odds.
    pub log_odds: f64,
    /// Which way it moved the risk.
    pub effect: Effect,
    /// The sentence for the customer.
    pub text: Bilingual,
    /// The policy class that allowed it: `explained` or `actionable` for a reason quoting a
    /// feature, `not_for_customers` for the one line folding the features a customer is not
    /// told about.
    #[serde(default)]
    pub class: super::PolicyClass,
    /// What the sentence compares the client with, when it does: a favourable reason is
    /// compared with clients who had payment difficulties, an unfavourable one with clients
    /// who repaid, and only on the side that reads the way the contribution points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<ReasonComparison>,
}

/// The clients of the reference population a reason compares the client with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparedWith {
    /// Clients who repaid.
    Repaid,
    /// Clients who had payment difficulties.
    Defaulted,
}

/// The comparison a reason's sentence makes.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ReasonComparison {
    /// "higher than for 80 % of clients who repaid": the client's value (as the model reads
    /// it, before durations are turned positive) is above (or below) `percent` % of the
    /// clients of `population` who have a value.
    Rank {
        /// The clients compared with.
        population: ComparedWith,
        /// Whether the value is above them (else below).
        above: bool,
        /// The share of them on the other side, in percent.
        percent: f64,
    },
    /// "like 61 % of clients who repaid and 70 % of clients who had payment difficulties":
    /// the shares of each group giving the same answer (a category, a yes/no, no value).
    Share {
        /// Percentage of clients who repaid sharing it.
        repaid: f64,
        /// Percentage of clients who had payment difficulties sharing it.
        defaulted: f64,
    },
}

/// One input changed by a counterfactual or a what-if.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureChange {
    /// The model feature (a raw column such as `AMT_CREDIT`).
    pub feature: String,
    /// The client's value.
    pub from: f64,
    /// The proposed value.
    pub to: f64,
}

/// The kind of loan, which decides what can change and how it is worded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanKind {
    /// A loan repaid in instalments: an amount borrowed, goods financed, an annual repayment
    /// over a term.
    #[default]
    CashLoan,
    /// A revolving credit line: a credit limit and a required minimum payment.
    RevolvingCredit,
}

/// What would change a refusal into an acceptance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Counterfactual {
    /// The client is accepted: nothing needs to change.
    NotNeeded {
        /// The client's probability of default.
        probability: f64,
    },
    /// The smallest change found that brings the probability under the threshold.
    Found {
        /// The inputs to change (derived features follow from them).
        changes: Vec<FeatureChange>,
        /// The probability of default with the change.
        probability: f64,
        /// The proposal for the customer.
        text: Bilingual,
        /// The kind of loan changed.
        #[serde(default)]
        loan: LoanKind,
    },
    /// No change of the actionable inputs within the allowed ranges is enough.
    NoneWithinBounds {
        /// The lowest probability reached within the ranges.
        best_probability: f64,
        /// The statement for the customer.
        text: Bilingual,
        /// The kind of loan the levers were tried on.
        #[serde(default)]
        loan: LoanKind,
    },
}

impl Counterfactual {
    /// The sentence for the customer, if any (none when nothing needs to change).
    pub fn text(&self) -> Option<&Bilingual> {
        match self {
            Counterfactual::NotNeeded { .. } => None,
            Counterfactual::Found { text, .. } | Counterfactual::NoneWithinBounds { text, .. } => Some(text),
        }
    }
}
