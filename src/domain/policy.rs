//! The classes of the reason policy (`assets/policy.toml`): what a customer may be told about
//! each feature, and which features may be changed to find what would change a decision.
//!
//! Depends on std and serde only.

/// What the reason policy lets the desk do with one feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyClass {
    /// A protected attribute: never a reason, never a lever, only counted among "other
    /// characteristics of the application".
    Protected,
    /// Not actionable or not understandable by a customer (building statistics, document
    /// flags, the hour of the application, age and family): shown to the relationship
    /// manager, folded into one line for the customer. The class of every unlisted feature.
    #[default]
    NotForCustomers,
    /// A fact about the customer that they understand (income, employment, external scores):
    /// a reason, but not a lever.
    Explained,
    /// A term of the loan (amount, annuity, term, goods price, down payment): a reason and
    /// the only kind of lever of the what-if and the counterfactual.
    Actionable,
}

impl PolicyClass {
    /// Every class, in the policy file's order.
    pub const ALL: [PolicyClass; 4] =
        [PolicyClass::Protected, PolicyClass::NotForCustomers, PolicyClass::Explained, PolicyClass::Actionable];

    /// Whether a feature of this class may be quoted to a customer by name.
    pub fn customer_facing(self) -> bool {
        matches!(self, PolicyClass::Explained | PolicyClass::Actionable)
    }

    /// The class's key in the policy file and in JSON.
    pub fn key(self) -> &'static str {
        match self {
            PolicyClass::Protected => "protected",
            PolicyClass::NotForCustomers => "not_for_customers",
            PolicyClass::Explained => "explained",
            PolicyClass::Actionable => "actionable",
        }
    }
}

impl std::fmt::Display for PolicyClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}
