//! What front ends show about clients: summaries for a list, a client's fields, a score, its
//! explanation, feature distributions in the reference population and the portfolio view.
//!
//! Plain serialisable data, so a remote scorer can carry the same values over HTTP.

use super::Decision;

/// A client id (`SK_ID_CURR`).
pub type ClientId = i64;

/// One named input of a scoring request by features: a raw application column (as in the
/// Kaggle table) or a model feature, as JSON gives it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum InputValue {
    /// A number.
    Number(f64),
    /// A text, for categories.
    Text(String),
    /// No value (JSON `null`): a missing value, as an empty CSV field.
    Missing,
}

/// The named inputs of one applicant who is not in the portfolio, in request order.
pub type FeatureInputs = [(String, InputValue)];

/// One line of the client list: the id and a short summary free of protected attributes.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClientSummary {
    /// The client id.
    pub id: ClientId,
    /// Age in whole years, when the birth date is known.
    pub age_years: Option<u32>,
    /// Amount borrowed.
    pub amount: Option<f64>,
    /// Loan type as written in the data ("Cash loans", "Revolving loans").
    pub contract_type: Option<String>,
}

impl ClientSummary {
    /// The client's line in lower case (id, age, amount in whole euros, loan type), where a
    /// search looks for its words.
    pub fn search_text(&self) -> String {
        let mut text = self.id.to_string();
        if let Some(age) = self.age_years {
            text.push_str(&format!(" {age}"));
        }
        if let Some(amount) = self.amount {
            text.push_str(&format!(" {amount:.0}"));
        }
        if let Some(contract) = &self.contract_type {
            text.push(' ');
            text.push_str(&contract.to_lowercase());
        }
        text
    }
}

/// How a feature is read and shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FeatureDescription {
    /// Column name, as in the model.
    pub name: String,
    /// Short English label.
    pub label_en: String,
    /// Short French label.
    pub label_fr: String,
    /// Unit, as in `assets/labels.toml` ("currency", "days", "ratio", ...).
    pub unit: String,
    /// For a categorical feature, its categories in code order.
    pub categories: Option<Vec<String>>,
    /// The client can change it in the application.
    pub actionable: bool,
    /// Never a reason given to a customer.
    pub protected: bool,
    /// Computed from other columns by the feature pipeline.
    pub derived: bool,
    /// Whether the model splits on it at all.
    pub used: bool,
    /// Whether every decision needs it given (see [`super::CardInput::required`]).
    #[serde(default)]
    pub required: bool,
    /// Its class in the reason policy (`assets/policy.toml`).
    #[serde(default)]
    pub class: super::PolicyClass,
}

/// A feature value of one client.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum FieldValue {
    /// A number.
    Number(f64),
    /// A category.
    Category(String),
    /// No value.
    Missing,
}

/// One field of a client, with where the client stands in the reference population.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Field {
    /// The value.
    pub value: FieldValue,
    /// For a number: the percentage of reference clients with a smaller value, counting
    /// equal values as half (the mid-rank percentile), over those with a value. For durations
    /// in days (negative numbers in the data) it is taken over the durations: the percentage
    /// with a shorter one.
    pub percentile: Option<f64>,
    /// For a category, a yes/no flag or a missing value: the percentage of reference clients
    /// sharing it.
    pub share: Option<f64>,
}

/// Every model feature of one client, in model order.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClientRecord {
    /// The client id.
    pub id: ClientId,
    /// One field per model feature.
    pub fields: Vec<Field>,
    /// The required fields the client's application lacks (raw column names).
    #[serde(default)]
    pub missing: Vec<String>,
}

/// A client's probability of default and the decision at the threshold.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Score {
    /// The client id.
    pub client_id: ClientId,
    /// Probability of default, 0 to 1.
    pub probability: f64,
    /// The threshold decided against.
    pub threshold: f64,
    /// Refused when the probability is at or above the threshold; incomplete, and no
    /// decision, when a required field is missing.
    pub decision: Decision,
    /// The required fields the application lacks (raw column names), when incomplete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// A score with the TreeSHAP contributions behind it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Explanation {
    /// The score.
    pub score: Score,
    /// The raw score (log-odds).
    pub raw_score: f64,
    /// The expected raw score over the training data.
    pub expected_value: f64,
    /// The probability of the expected raw score: where an average client starts.
    pub base_probability: f64,
    /// Contributions in log-odds, one per model feature; with `expected_value` they add up
    /// to `raw_score`.
    pub log_odds: Vec<f64>,
    /// The same contributions in probability units (× 100 for percentage points); they add
    /// up to `probability − base_probability`.
    pub points: Vec<f64>,
    /// The principal reasons for the customer (at most four, protected attributes never).
    #[serde(default)]
    pub reasons: Vec<super::Reason>,
}

/// How a feature is spread in the reference population, repaid and defaulted clients apart.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Distribution {
    /// The feature name.
    pub feature: String,
    /// The bins.
    pub bins: Bins,
    /// Clients who repaid, per bin.
    pub repaid: Vec<u64>,
    /// Clients who defaulted, per bin.
    pub defaulted: Vec<u64>,
    /// Clients with no value: repaid, defaulted.
    pub missing: (u64, u64),
}

/// The bins of a [`Distribution`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Bins {
    /// Equal-width bins between `edges[i]` and `edges[i + 1]`; values beyond the ends (the
    /// outer half percent of each side) are counted in the end bins.
    Numeric {
        /// `n + 1` increasing edges.
        edges: Vec<f64>,
    },
    /// One bin per category, in code order.
    Categorical {
        /// The category names.
        categories: Vec<String>,
    },
}

impl Bins {
    /// The bin holding `value`, if any.
    pub fn locate(&self, value: &FieldValue) -> Option<usize> {
        match (self, value) {
            (Bins::Numeric { edges }, FieldValue::Number(number)) => {
                let n_bins = edges.len().checked_sub(1).filter(|&n| n > 0)?;
                let inner = edges[1..n_bins].partition_point(|edge| edge <= number);
                Some(inner.min(n_bins - 1))
            }
            (Bins::Categorical { categories }, FieldValue::Category(name)) => {
                categories.iter().position(|category| category == name)
            }
            _ => None,
        }
    }

    /// Number of bins.
    pub fn len(&self) -> usize {
        match self {
            Bins::Numeric { edges } => edges.len().saturating_sub(1),
            Bins::Categorical { categories } => categories.len(),
        }
    }

    /// Whether there are no bins.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The portfolio of current applicants: scores, approval rate and global importance.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Portfolio {
    /// The probability of default of every applicant.
    pub probabilities: Vec<f64>,
    /// The threshold.
    pub threshold: f64,
    /// Mean absolute contribution of each feature (model order) in log-odds: global importance.
    pub mean_abs_log_odds: Vec<f64>,
    /// The same in probability units.
    pub mean_abs_points: Vec<f64>,
}

impl Portfolio {
    /// Number of applicants accepted at the threshold.
    pub fn accepted(&self) -> usize {
        let threshold = super::Threshold::new(self.threshold).unwrap_or(super::Threshold::DEFAULT);
        self.probabilities
            .iter()
            .filter(|&&probability| Decision::from_probability(probability, threshold) == Decision::Accepted)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_locate_values_with_the_ends_open() {
        let bins = Bins::Numeric { edges: vec![0.0, 1.0, 2.0, 3.0] };
        // Edges belong to the bin on their right; beyond the ends, the end bins.
        assert_eq!(bins.locate(&FieldValue::Number(-5.0)), Some(0));
        assert_eq!(bins.locate(&FieldValue::Number(0.999)), Some(0));
        assert_eq!(bins.locate(&FieldValue::Number(1.0)), Some(1));
        assert_eq!(bins.locate(&FieldValue::Number(3.0)), Some(2));
        assert_eq!(bins.locate(&FieldValue::Number(9.0)), Some(2));
        assert_eq!(bins.locate(&FieldValue::Missing), None);
        let categories = Bins::Categorical { categories: vec!["a".into(), "b".into()] };
        assert_eq!(categories.locate(&FieldValue::Category("b".into())), Some(1));
        assert_eq!(categories.locate(&FieldValue::Category("c".into())), None);
    }

    #[test]
    fn accepted_counts_probabilities_below_the_threshold() {
        let portfolio = Portfolio {
            probabilities: vec![0.1, 0.2, 0.3, 0.29],
            threshold: 0.3,
            mean_abs_log_odds: vec![],
            mean_abs_points: vec![],
        };
        assert_eq!(portfolio.accepted(), 3);
    }
}
