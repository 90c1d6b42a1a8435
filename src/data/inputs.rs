//! Model inputs from named values: one applicant sent by features (the API's
//! `{"features": {…}}`), through the same pipeline as a table row.
//!
//! A name may be a model feature or any column of the Kaggle application table (the raw inputs
//! of the derived features among them), so a front end can send a whole application row;
//! columns the model does not use are checked for type and otherwise ignored. Values are
//! stricter than in a file, where one bad field must not stop a portfolio: a category the
//! model does not know, a text for a number or a number for a text is an error naming the
//! field. A name not given is a missing value, as an empty CSV field. A derived feature is
//! always computed from its inputs: a value given for it is ignored ([`ignored_derived`]
//! names it for a warning). The result equals, bit
//! for bit, the row [`super::FeatureMatrix`] builds from a file with the same values.

use std::collections::HashMap;

use super::pipeline;
use super::schema::{ColumnKind, column_kind};
use crate::domain::{CategoryLabel, FeatureSchema, FeatureSpec, InputValue};

/// Categories listed in an error message before "…".
const LISTED_CATEGORIES: usize = 12;

/// A named input that cannot be used, naming the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    /// Neither a model feature nor a column of the application table.
    #[error("`{field}` is neither a feature of the model nor a column of the application table")]
    UnknownField {
        /// The name sent.
        field: String,
    },
    /// A number where a text is expected, or the reverse.
    #[error("`{field}` must be {expected}, not {found}")]
    WrongType {
        /// The name sent.
        field: String,
        /// What the field takes.
        expected: &'static str,
        /// What was sent, quoted.
        found: String,
    },
    /// A category outside the model's list.
    #[error("`{field}`: \"{value}\" is not one of the categories the model knows ({allowed})")]
    UnknownCategory {
        /// The name sent.
        field: String,
        /// The value sent.
        value: String,
        /// The categories it takes, the first few of them.
        allowed: String,
    },
    /// The same name twice.
    #[error("`{field}` is given twice")]
    Repeated {
        /// The name sent.
        field: String,
    },
}

impl InputError {
    /// The field the error is about.
    pub fn field(&self) -> &str {
        match self {
            InputError::UnknownField { field }
            | InputError::WrongType { field, .. }
            | InputError::UnknownCategory { field, .. }
            | InputError::Repeated { field } => field,
        }
    }
}

/// The model inputs `schema` describes, one per feature in model order, from named values.
pub fn row_from_inputs(inputs: &[(String, InputValue)], schema: &FeatureSchema) -> Result<Vec<f64>, InputError> {
    let mut by_name: HashMap<&str, &InputValue> = HashMap::with_capacity(inputs.len());
    for (name, value) in inputs {
        if by_name.insert(name.as_str(), value).is_some() {
            return Err(InputError::Repeated { field: name.clone() });
        }
    }
    for (name, value) in inputs {
        check(name, value, schema)?;
    }
    let mut row = Vec::with_capacity(schema.features.len());
    for feature in &schema.features {
        // A derived feature is computed even when given (see `ignored_derived`).
        let value = match by_name.get(feature.name.as_str()) {
            Some(value) if pipeline::inputs_of(&feature.name).is_none() => given(feature, value, schema)?,
            _ => derived(&feature.name, &by_name),
        };
        row.push(value);
    }
    Ok(row)
}

/// The warnings for the derived features of the model (`is_feature` says which names are its
/// features) given by name: their values are ignored, the features computed from their inputs
/// (one warning per feature, in input order).
pub fn ignored_derived(inputs: &[(String, InputValue)], is_feature: impl Fn(&str) -> bool) -> Vec<String> {
    inputs
        .iter()
        .filter(|(name, _)| is_feature(name))
        .filter_map(|(name, _)| pipeline::ignored_input_warning(name))
        .collect()
}

/// Checks that a name is known and its value has the right type.
fn check(name: &str, value: &InputValue, schema: &FeatureSchema) -> Result<(), InputError> {
    if let Some(feature) = schema.features.iter().find(|feature| feature.name == name) {
        return given(feature, value, schema).map(|_| ());
    }
    let derived_input = schema
        .features
        .iter()
        .any(|feature| pipeline::inputs_of(&feature.name).is_some_and(|inputs| inputs.contains(&name)));
    match (column_kind(name), value) {
        (None, _) if !derived_input => Err(InputError::UnknownField { field: name.to_string() }),
        (_, InputValue::Missing) => Ok(()),
        (Some(ColumnKind::Text), InputValue::Number(number)) => Err(wrong_type(name, "a text", &number.to_string())),
        (Some(ColumnKind::Text), InputValue::Text(_)) => Ok(()),
        (_, InputValue::Text(text)) => Err(wrong_type(name, "a number", &format!("the text \"{text}\""))),
        (_, InputValue::Number(_)) => Ok(()),
    }
}

/// The value of a feature given by name: a category's position in the model's list, or the
/// number (with the `DAYS_EMPLOYED` placeholder cleaned when the model expects it).
fn given(feature: &FeatureSpec, value: &InputValue, schema: &FeatureSchema) -> Result<f64, InputError> {
    let name = feature.name.as_str();
    match (feature.labels.as_deref(), value) {
        (_, InputValue::Missing) => Ok(f64::NAN),
        (Some(labels), InputValue::Text(text)) => {
            let position = labels.iter().position(|label| matches!(label, CategoryLabel::Text(known) if known == text));
            position.map(|position| position as f64).ok_or_else(|| unknown_category(name, text, labels))
        }
        (Some(labels), InputValue::Number(number)) => {
            let position =
                labels.iter().position(|label| matches!(label, CategoryLabel::Number(known) if known == number));
            position.map(|position| position as f64).ok_or_else(|| unknown_category(name, &number.to_string(), labels))
        }
        (None, InputValue::Text(text)) => Err(wrong_type(name, "a number", &format!("the text \"{text}\""))),
        (None, InputValue::Number(number)) if schema.clean_days_employed && name == "DAYS_EMPLOYED" => {
            Ok(pipeline::clean_days_employed(*number))
        }
        (None, InputValue::Number(number)) => Ok(*number),
    }
}

/// A derived feature from its raw inputs (missing when it is not derived); inputs not given
/// are missing, as in a table without them.
fn derived(name: &str, by_name: &HashMap<&str, &InputValue>) -> f64 {
    let Some(inputs) = pipeline::inputs_of(name) else {
        return f64::NAN;
    };
    let values: Vec<f64> = inputs
        .iter()
        .map(|input| match by_name.get(input) {
            Some(InputValue::Number(number)) => *number,
            _ => f64::NAN,
        })
        .collect();
    pipeline::derive(name, &values).unwrap_or(f64::NAN)
}

fn wrong_type(field: &str, expected: &'static str, found: &str) -> InputError {
    InputError::WrongType { field: field.to_string(), expected, found: found.to_string() }
}

fn unknown_category(field: &str, value: &str, labels: &[CategoryLabel]) -> InputError {
    let mut allowed: Vec<String> = labels
        .iter()
        .take(LISTED_CATEGORIES)
        .map(|label| match label {
            CategoryLabel::Text(text) => format!("\"{text}\""),
            CategoryLabel::Number(number) => number.to_string(),
        })
        .collect();
    if labels.len() > LISTED_CATEGORIES {
        allowed.push(format!("and {} more", labels.len() - LISTED_CATEGORIES));
    }
    InputError::UnknownCategory { field: field.to_string(), value: value.to_string(), allowed: allowed.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> FeatureSchema {
        let spec =
            |name: &str, labels: Option<Vec<CategoryLabel>>| FeatureSpec { name: name.to_string(), labels, used: true };
        FeatureSchema {
            features: vec![
                spec("AMT_CREDIT", None),
                spec(
                    "NAME_CONTRACT_TYPE",
                    Some(vec![CategoryLabel::Text("Cash loans".into()), CategoryLabel::Text("Revolving loans".into())]),
                ),
                spec("CREDIT_INCOME_RATIO", None),
                spec("DAYS_EMPLOYED", None),
            ],
            clean_days_employed: true,
        }
    }

    fn inputs(pairs: &[(&str, InputValue)]) -> Vec<(String, InputValue)> {
        pairs.iter().map(|(name, value)| (name.to_string(), value.clone())).collect()
    }

    #[test]
    fn builds_the_row_with_categories_derivations_and_missing_values() {
        let row = row_from_inputs(
            &inputs(&[
                ("AMT_CREDIT", InputValue::Number(300_000.0)),
                ("AMT_INCOME_TOTAL", InputValue::Number(120_000.0)),
                ("NAME_CONTRACT_TYPE", InputValue::Text("Revolving loans".into())),
                ("DAYS_EMPLOYED", InputValue::Number(crate::data::schema::DAYS_EMPLOYED_ANOMALY)),
                ("FLAG_OWN_CAR", InputValue::Text("Y".into())),
            ]),
            &schema(),
        )
        .unwrap();
        assert_eq!(row[0], 300_000.0);
        // Second category in the list.
        assert_eq!(row[1], 1.0);
        // 300000 / 120000.
        assert_eq!(row[2], 2.5);
        // The placeholder reads as missing for a model that asks it.
        assert!(row[3].is_nan());

        let row = row_from_inputs(&inputs(&[("AMT_CREDIT", InputValue::Missing)]), &schema()).unwrap();
        assert!(row.iter().all(|value| value.is_nan()));
    }

    #[test]
    fn a_derived_feature_given_is_ignored_and_named() {
        let given = inputs(&[
            ("AMT_CREDIT", InputValue::Number(300_000.0)),
            ("AMT_INCOME_TOTAL", InputValue::Number(120_000.0)),
            ("CREDIT_INCOME_RATIO", InputValue::Number(5.0)),
        ]);
        let row = row_from_inputs(&given, &schema()).unwrap();
        // 300000 / 120000, not the 5 given.
        assert_eq!(row[2], 2.5);
        assert_eq!(
            ignored_derived(&given, |name| schema().features.iter().any(|feature| feature.name == name)),
            [
                "`CREDIT_INCOME_RATIO` is computed from AMT_CREDIT and AMT_INCOME_TOTAL: the value given for it is ignored"
            ]
        );
        // A derived feature the model does not have is an extra column: nothing to say.
        let is_feature = |name: &str| schema().features.iter().any(|feature| feature.name == name);
        assert!(ignored_derived(&inputs(&[("CREDIT_TERM", InputValue::Number(5.0))]), is_feature).is_empty());
    }

    #[test]
    fn names_the_field_of_every_bad_input() {
        let error = |pairs: &[(&str, InputValue)]| row_from_inputs(&inputs(pairs), &schema()).unwrap_err();
        let unknown = error(&[("AMT_CREDITT", InputValue::Number(1.0))]);
        assert_eq!(unknown, InputError::UnknownField { field: "AMT_CREDITT".into() });
        let text = error(&[("AMT_CREDIT", InputValue::Text("lots".into()))]);
        assert_eq!(text.to_string(), "`AMT_CREDIT` must be a number, not the text \"lots\"");
        let category = error(&[("NAME_CONTRACT_TYPE", InputValue::Text("Car loans".into()))]);
        assert_eq!(
            category.to_string(),
            "`NAME_CONTRACT_TYPE`: \"Car loans\" is not one of the categories the model knows \
             (\"Cash loans\", \"Revolving loans\")"
        );
        let number_for_text = error(&[("FLAG_OWN_CAR", InputValue::Number(1.0))]);
        assert_eq!(number_for_text.field(), "FLAG_OWN_CAR");
        let twice = error(&[("AMT_CREDIT", InputValue::Number(1.0)), ("AMT_CREDIT", InputValue::Number(2.0))]);
        assert_eq!(twice, InputError::Repeated { field: "AMT_CREDIT".into() });
    }
}
