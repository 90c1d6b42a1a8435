//! Complete applications: the raw fields every decision needs, learned from training data,
//! and the check of a model row against them.
//!
//! A missing value goes down LightGBM's learned default branch. That is right for a field
//! often missing in real files (external scores, building statistics), and wrong for a field
//! every real application gives: its default branch was learned from almost no clients, and
//! leaving the field out could lower a score. So a field missing in at most
//! [`REQUIRED_MAX_MISSING_RATE`] of the training rows is *required*: `pad train` records the
//! missing rate of every raw field in the card ([`input_rates`]), and an application without
//! a required field gets no decision ([`Completeness::missing`]).
//!
//! What counts as given: any number (the `DAYS_EMPLOYED` placeholder 365243 says "not
//! employed", an answer); any text except the values `assets/policy.toml` lists as standing
//! for "unknown" (`NAME_FAMILY_STATUS` "Unknown", for example). That file may also add or
//! remove required fields.

use std::collections::BTreeMap;
use std::path::Path;

use super::pipeline;
use super::schema::{ColumnKind, column_kind};
use super::{ClientTable, DataError};
use crate::domain::{CardInput, CategoryLabel, FeatureSchema, REQUIRED_MAX_MISSING_RATE};

/// The policy shipped with the package.
pub const BUNDLED_POLICY: &str = include_str!("../../assets/policy.toml");

/// The `[completeness]` part of `assets/policy.toml`.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletenessPolicy {
    /// Fields required in addition to the card's.
    #[serde(default)]
    pub add: Vec<String>,
    /// Fields never required.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Text values standing for "unknown", by field.
    #[serde(default)]
    pub unknown_values: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, serde::Deserialize)]
struct PolicyFile {
    #[serde(default)]
    completeness: CompletenessPolicy,
}

impl CompletenessPolicy {
    /// The policy shipped in `assets/policy.toml`.
    pub fn bundled() -> Result<CompletenessPolicy, DataError> {
        CompletenessPolicy::parse(BUNDLED_POLICY, Path::new("assets/policy.toml"))
    }

    /// Reads the `[completeness]` table of a policy file's text.
    pub fn parse(text: &str, path: &Path) -> Result<CompletenessPolicy, DataError> {
        let file: PolicyFile = toml::from_str(text)
            .map_err(|error| DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() })?;
        Ok(file.completeness)
    }

    /// Whether `text` stands for "unknown" in `field`.
    fn is_unknown(&self, field: &str, text: &str) -> bool {
        self.unknown_values.get(field).is_some_and(|values| values.iter().any(|value| value == text))
    }
}

/// The raw application fields a model reads, in model order: the features it uses that are
/// not derived, then the inputs of the derived features it uses. Credit-history aggregates
/// are not application fields: they come from other tables, whose absence is warned about
/// and scored as missing values, never asked of the application.
pub fn raw_inputs(schema: &FeatureSchema) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        if !names.iter().any(|known| known == name) {
            names.push(name.to_string());
        }
    };
    let history = crate::domain::history::HISTORY_FEATURE_NAMES;
    for feature in schema.features.iter().filter(|feature| feature.used && !history.contains(&feature.name.as_str())) {
        match pipeline::inputs_of(&feature.name) {
            Some(inputs) => inputs.iter().for_each(|input| push(input)),
            None => push(&feature.name),
        }
    }
    names
}

/// The missing rate of every raw field the model reads in `table`, and whether it is
/// required by the rule (missing in at most [`REQUIRED_MAX_MISSING_RATE`] of the rows). A
/// field absent from the table is missing everywhere.
pub fn input_rates(table: &ClientTable, schema: &FeatureSchema, policy: &CompletenessPolicy) -> Vec<CardInput> {
    let rows = table.n_rows();
    raw_inputs(schema)
        .iter()
        .map(|name| {
            let mut missing = 0;
            let is_text = table.is_text(name) || column_kind(name) == Some(ColumnKind::Text);
            let counted = if is_text {
                table.for_each_text(name, |value| {
                    if value.is_none_or(|text| text.is_empty() || policy.is_unknown(name, text)) {
                        missing += 1;
                    }
                })
            } else {
                table
                    .numeric(name)
                    .map(|values| missing = values.iter().filter(|value| value.is_nan()).count())
                    .is_some()
            };
            if !counted {
                missing = rows;
            }
            CardInput::measured(name, missing, rows)
        })
        .collect()
}

/// A required field whose card names nothing the model reads.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "the required field `{field}` ({origin}) is not a field the model reads: \
     name a feature of the model or an input of one of its derived features"
)]
pub struct UnknownRequiredField {
    /// The name given.
    pub field: String,
    /// Where it was listed ("the model card", "assets/policy.toml").
    pub origin: &'static str,
}

/// How one required field is seen in a model row.
#[derive(Debug, Clone)]
struct RequiredField {
    /// The raw field.
    name: String,
    /// The model feature holding it, or a derived feature computed from it.
    feature: usize,
    /// For a cleaned `DAYS_EMPLOYED`: the flag feature that says the placeholder was given.
    given_when_flagged: Option<usize>,
    /// Category codes that stand for "unknown".
    unknown_codes: Vec<f64>,
}

/// The required fields of one model and the check of its rows.
#[derive(Debug, Clone, Default)]
pub struct Completeness {
    fields: Vec<RequiredField>,
}

impl Completeness {
    /// The check of `required` (raw field names, from the card or [`input_rates`]) adjusted
    /// by the policy, over rows of `schema`.
    pub fn new(
        schema: &FeatureSchema,
        required: &[String],
        policy: &CompletenessPolicy,
    ) -> Result<Completeness, UnknownRequiredField> {
        let position = |name: &str| schema.features.iter().position(|feature| feature.name == name);
        let mut names: Vec<(&str, &'static str)> =
            required.iter().map(|name| (name.as_str(), "the model card")).collect();
        names.extend(policy.add.iter().map(|name| (name.as_str(), "assets/policy.toml")));
        let read = raw_inputs(schema);
        let mut fields: Vec<RequiredField> = Vec::new();
        for (name, origin) in names {
            if policy.remove.iter().any(|removed| removed == name) || fields.iter().any(|field| field.name == name) {
                continue;
            }
            // The field itself, else a derived feature the model uses that is computed from it.
            let feature = position(name).or_else(|| {
                schema.features.iter().position(|feature| {
                    feature.used && pipeline::inputs_of(&feature.name).is_some_and(|inputs| inputs.contains(&name))
                })
            });
            let Some(feature) = feature else {
                return Err(UnknownRequiredField { field: name.to_string(), origin });
            };
            // A feature no tree splits on (and no derived feature the trees use reads) cannot
            // change a decision: nothing to require.
            if !schema.features[feature].used && !read.iter().any(|input| input == name) {
                continue;
            }
            let given_when_flagged = (name == "DAYS_EMPLOYED" && schema.clean_days_employed)
                .then(|| position("DAYS_EMPLOYED_ANOM"))
                .flatten();
            let unknown_codes = match (&schema.features[feature].labels, policy.unknown_values.get(name)) {
                (Some(labels), Some(unknown)) if schema.features[feature].name == name => labels
                    .iter()
                    .enumerate()
                    .filter(|(_, label)| matches!(label, CategoryLabel::Text(text) if unknown.contains(text)))
                    .map(|(code, _)| code as f64)
                    .collect(),
                _ => Vec::new(),
            };
            fields.push(RequiredField { name: name.to_string(), feature, given_when_flagged, unknown_codes });
        }
        Ok(Completeness { fields })
    }

    /// The required fields, in the order they are checked.
    pub fn required(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|field| field.name.as_str())
    }

    /// Whether `name` is required.
    pub fn is_required(&self, name: &str) -> bool {
        self.fields.iter().any(|field| field.name == name)
    }

    /// The required fields a model row lacks (empty for a complete application).
    pub fn missing(&self, row: &[f64]) -> Vec<String> {
        self.fields
            .iter()
            .filter(|field| {
                let value = row.get(field.feature).copied().unwrap_or(f64::NAN);
                let flagged = field.given_when_flagged.and_then(|flag| row.get(flag)).is_some_and(|&flag| flag == 1.0);
                (value.is_nan() && !flagged) || field.unknown_codes.contains(&value)
            })
            .map(|field| field.name.clone())
            .collect()
    }
}

/// The required fields of a card's inputs.
pub fn required_of(inputs: &[CardInput]) -> Vec<String> {
    inputs.iter().filter(|input| input.required).map(|input| input.name.clone()).collect()
}

/// The rule, for people: "missing in at most 0.5 % of the training rows".
pub fn rule() -> String {
    format!("missing in at most {} % of the training rows", REQUIRED_MAX_MISSING_RATE * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FeatureSpec;

    fn spec(name: &str, labels: Option<&[&str]>) -> FeatureSpec {
        FeatureSpec {
            name: name.into(),
            labels: labels.map(|labels| labels.iter().map(|label| CategoryLabel::Text((*label).into())).collect()),
            used: true,
        }
    }

    fn schema() -> FeatureSchema {
        FeatureSchema {
            features: vec![
                spec("AMT_INCOME_TOTAL", None),
                spec("DAYS_EMPLOYED", None),
                spec("DAYS_EMPLOYED_ANOM", None),
                spec("AGE_YEARS", None),
                spec("NAME_FAMILY_STATUS", Some(&["Married", "Unknown", "Single"])),
                spec("EXT_SOURCE_2", None),
            ],
            clean_days_employed: true,
        }
    }

    fn required(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn raw_inputs_are_the_plain_features_and_the_inputs_of_derived_ones() {
        // AGE_YEARS is read from DAYS_BIRTH, DAYS_EMPLOYED_ANOM from DAYS_EMPLOYED (already listed).
        assert_eq!(
            raw_inputs(&schema()),
            required(&["AMT_INCOME_TOTAL", "DAYS_EMPLOYED", "AGE_YEARS", "NAME_FAMILY_STATUS", "EXT_SOURCE_2"])
                .into_iter()
                .map(|name| if name == "AGE_YEARS" { "DAYS_BIRTH".to_string() } else { name })
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_rule_is_half_a_percent() {
        // 5 missing in 1,000 rows is 0.5 %: required; 6 is not.
        assert!(CardInput::measured("A", 5, 1000).required);
        assert!(!CardInput::measured("A", 6, 1000).required);
        assert!(!CardInput::measured("A", 0, 0).required);
    }

    #[test]
    fn a_row_lacks_what_is_missing_unknown_or_only_derivable() {
        let policy = CompletenessPolicy::bundled().unwrap();
        let completeness = Completeness::new(
            &schema(),
            &required(&["AMT_INCOME_TOTAL", "DAYS_EMPLOYED", "DAYS_BIRTH", "NAME_FAMILY_STATUS"]),
            &policy,
        )
        .unwrap();
        let nan = f64::NAN;
        // Complete: income, employed 1000 days, age 30, married; EXT_SOURCE_2 is not required.
        assert!(completeness.missing(&[1e5, -1000.0, 0.0, 30.0, 0.0, nan]).is_empty());
        // The placeholder (cleaned to NaN, flagged) counts as given.
        assert!(completeness.missing(&[1e5, nan, 1.0, 30.0, 0.0, 0.5]).is_empty());
        // Not given at all: NaN and no flag.
        assert_eq!(completeness.missing(&[1e5, nan, nan, 30.0, 0.0, 0.5]), required(&["DAYS_EMPLOYED"]));
        // "Unknown" family status (code 1), no income, no birth date (AGE_YEARS missing).
        assert_eq!(
            completeness.missing(&[nan, -1000.0, 0.0, nan, 1.0, 0.5]),
            required(&["AMT_INCOME_TOTAL", "DAYS_BIRTH", "NAME_FAMILY_STATUS"])
        );
    }

    #[test]
    fn the_policy_adds_and_removes_and_unknown_names_are_refused() {
        let policy = CompletenessPolicy::parse(
            "[completeness]\nadd = [\"EXT_SOURCE_2\"]\nremove = [\"AMT_INCOME_TOTAL\"]\n",
            Path::new("policy.toml"),
        )
        .unwrap();
        let completeness = Completeness::new(&schema(), &required(&["AMT_INCOME_TOTAL"]), &policy).unwrap();
        assert_eq!(completeness.required().collect::<Vec<_>>(), vec!["EXT_SOURCE_2"]);

        let error = Completeness::new(&schema(), &required(&["AMT_CREDIT"]), &policy).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the required field `AMT_CREDIT` (the model card) is not a field the model reads: \
             name a feature of the model or an input of one of its derived features"
        );
        let bad = CompletenessPolicy::parse("[completeness]\nrequired = 1\n", Path::new("policy.toml"));
        assert!(bad.is_err_and(|error| error.to_string().contains("unknown field `required`")));
    }
}
