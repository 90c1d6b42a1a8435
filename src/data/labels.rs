//! Human labels of features (`assets/labels.toml`): short English and French names, the
//! unit, and the flags that decide what may be changed or said to a customer.
//!
//! The file is embedded in the binary, so labels are always available; a file given at run
//! time replaces it.

use std::collections::BTreeMap;
use std::path::Path;

use super::DataError;

/// The labels shipped with the package.
pub const BUNDLED: &str = include_str!("../../assets/labels.toml");

/// What a feature is called and how it may be used.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureLabel {
    /// Short English label.
    pub en: String,
    /// Short French label.
    pub fr: String,
    /// Unit: "", "currency", "days", "years", "hours", "ratio", "count", "score", "flag",
    /// "category", "rating" or "id".
    pub unit: String,
    /// The client can change it in the application (amount, annuity, goods price).
    pub actionable: bool,
    /// Never a reason given to a customer (for example gender).
    pub protected: bool,
    /// Computed by the feature pipeline rather than read from the data.
    pub derived: bool,
}

#[derive(Debug, serde::Deserialize)]
struct LabelFile {
    features: BTreeMap<String, FeatureLabel>,
}

/// Every feature's label, by feature name.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    features: BTreeMap<String, FeatureLabel>,
}

const UNITS: [&str; 12] =
    ["", "currency", "days", "years", "hours", "ratio", "count", "score", "flag", "category", "rating", "id"];

impl Labels {
    /// The labels shipped with the package.
    pub fn bundled() -> Result<Labels, DataError> {
        Labels::parse(BUNDLED, Path::new("assets/labels.toml"))
    }

    /// Reads a labels file.
    pub fn load(path: &Path) -> Result<Labels, DataError> {
        let text =
            std::fs::read_to_string(path).map_err(|cause| DataError::Read { path: path.to_path_buf(), cause })?;
        Labels::parse(&text, path)
    }

    /// Parses labels; `path` only names the text in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Labels, DataError> {
        let file: LabelFile = toml::from_str(text)
            .map_err(|error| DataError::Unreadable { path: path.to_path_buf(), message: error.to_string() })?;
        for (name, label) in &file.features {
            if !UNITS.contains(&label.unit.as_str()) {
                return Err(DataError::Unreadable {
                    path: path.to_path_buf(),
                    message: format!(
                        "feature `{name}` has the unknown unit `{}` (expected one of {})",
                        label.unit,
                        UNITS.join(", ")
                    ),
                });
            }
            if label.en.trim().is_empty() || label.fr.trim().is_empty() {
                return Err(DataError::Unreadable {
                    path: path.to_path_buf(),
                    message: format!("feature `{name}` has an empty label"),
                });
            }
        }
        Ok(Labels { features: file.features })
    }

    /// The label of a feature.
    pub fn get(&self, feature: &str) -> Option<&FeatureLabel> {
        self.features.get(feature)
    }

    /// Names of the given features that have no label.
    pub fn missing<'a>(&self, features: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        features.into_iter().filter(|name| !self.features.contains_key(*name)).map(str::to_string).collect()
    }

    /// Every labelled feature with its label, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &FeatureLabel)> {
        self.features.iter().map(|(name, label)| (name.as_str(), label))
    }

    /// Number of labelled features.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether no feature is labelled.
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::pipeline::DERIVED_FEATURES;
    use crate::data::schema::COLUMNS;

    #[test]
    fn every_column_and_derived_feature_has_a_label() {
        let labels = Labels::bundled();
        assert!(labels.is_ok(), "{labels:?}");
        let Ok(labels) = labels else { return };
        let history = crate::domain::history::HISTORY_FEATURE_NAMES;
        let names = COLUMNS.iter().map(|(name, _)| *name).chain(DERIVED_FEATURES).chain(history);
        assert_eq!(labels.missing(names), Vec::<String>::new());
        // 122 columns, 7 derived features, 20 history features.
        assert_eq!(labels.len(), 149);
        let gender = labels.get("CODE_GENDER");
        assert!(gender.is_some_and(|label| label.protected && !label.actionable));
        let actionable: Vec<&String> = labels.features.iter().filter(|(_, l)| l.actionable).map(|(n, _)| n).collect();
        assert_eq!(actionable, ["AMT_ANNUITY", "AMT_CREDIT", "AMT_GOODS_PRICE"]);
    }

    #[test]
    fn a_bad_unit_is_named() {
        let text = "[features.X]\nen = \"x\"\nfr = \"x\"\nunit = \"furlongs\"\nactionable = false\nprotected = false\nderived = false\n";
        let error = Labels::parse(text, Path::new("l.toml")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("feature `X` has the unknown unit `furlongs`"), "{error}");
    }
}
