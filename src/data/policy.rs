//! The reason policy of `assets/policy.toml`: its version, the class of every feature (what a
//! customer may be told, what may be changed) and the fairness bounds `pad fairness` checks.
//!
//! Every feature the file names must be a known raw or derived column (`assets/labels.toml`),
//! in one class only; a feature the file does not name is `not_for_customers`, so a feature
//! nobody looked at is never quoted to a customer.
//!
//! Uses: domain.

use std::collections::BTreeMap;
use std::path::Path;

use super::DataError;
use super::completeness::BUNDLED_POLICY;
use super::labels::Labels;
use crate::domain::PolicyClass;

/// The fairness bounds of the policy (`[fairness]`).
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FairnessBounds {
    /// Smallest ratio of a group's approval rate to the most favoured group's (the
    /// four-fifths rule: 0.8).
    pub min_ratio: f64,
    /// Largest difference of true or false positive rates between two groups
    /// (equal-opportunity and equalised-odds differences).
    pub max_difference: f64,
    /// Groups with fewer clients are reported as too small, not judged.
    pub min_group: usize,
    /// Bootstrap resamples for the 95 % confidence intervals.
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// A feature whose AUC alone for an attribute is at least this (or at most one minus it)
    /// is a strong proxy of the attribute.
    pub proxy_auc: f64,
    /// Lower edges of the age bands, in whole years, increasing.
    pub age_bands: Vec<u32>,
}

#[derive(Debug, serde::Deserialize)]
struct RawFile {
    version: Option<String>,
    #[serde(default)]
    classes: BTreeMap<String, Vec<String>>,
    fairness: Option<FairnessBounds>,
}

/// The reason policy: its version, the class of every feature it names, the fairness bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct ReasonPolicy {
    /// The version of the policy, stamped on every customer sheet.
    pub version: String,
    classes: BTreeMap<String, PolicyClass>,
    /// The bounds of `pad fairness`.
    pub fairness: FairnessBounds,
}

impl ReasonPolicy {
    /// The policy shipped in `assets/policy.toml`.
    pub fn bundled() -> Result<ReasonPolicy, DataError> {
        ReasonPolicy::parse(BUNDLED_POLICY, Path::new("assets/policy.toml"), &Labels::bundled()?)
    }

    /// The bundled policy, parsed once (`None` only if it could not be, which a test rules out).
    pub fn shared() -> Option<&'static ReasonPolicy> {
        static SHARED: std::sync::OnceLock<Option<ReasonPolicy>> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| ReasonPolicy::bundled().ok()).as_ref()
    }

    /// Reads a policy file's text: every named feature must be in `labels`, in one class.
    pub fn parse(text: &str, path: &Path, labels: &Labels) -> Result<ReasonPolicy, DataError> {
        let bad = |message: String| DataError::Unreadable { path: path.to_path_buf(), message };
        let raw: RawFile = toml::from_str(text).map_err(|error| bad(error.to_string()))?;
        let version = raw
            .version
            .filter(|version| !version.trim().is_empty())
            .ok_or_else(|| bad("no `version`: the policy must say which version it is".into()))?;
        let fairness = raw.fairness.ok_or_else(|| bad("no [fairness] table with the fairness bounds".into()))?;
        check_bounds(&fairness).map_err(bad)?;
        let mut classes: BTreeMap<String, PolicyClass> = BTreeMap::new();
        for (key, names) in &raw.classes {
            let class = PolicyClass::ALL.into_iter().find(|class| class.key() == key).ok_or_else(|| {
                bad(format!(
                    "[classes] `{key}` is not a class: the classes are protected, not_for_customers, explained and actionable"
                ))
            })?;
            for name in names {
                if labels.get(name).is_none() {
                    return Err(bad(format!(
                        "[classes] {key}: `{name}` is not a feature (not a column of the application table nor a derived feature)"
                    )));
                }
                if let Some(previous) = classes.insert(name.clone(), class)
                    && previous != class
                {
                    return Err(bad(format!(
                        "[classes]: `{name}` is both {previous} and {class}: a feature has one class"
                    )));
                }
            }
        }
        Ok(ReasonPolicy { version, classes, fairness })
    }

    /// The class of a feature: the one the file gives, else `not_for_customers`.
    pub fn class_of(&self, feature: &str) -> PolicyClass {
        self.classes.get(feature).copied().unwrap_or_default()
    }

    /// The features the file names in `class`, by name.
    pub fn named(&self, class: PolicyClass) -> Vec<&str> {
        self.classes.iter().filter(|(_, named)| **named == class).map(|(name, _)| name.as_str()).collect()
    }
}

fn check_bounds(bounds: &FairnessBounds) -> Result<(), String> {
    if !(bounds.min_ratio > 0.0 && bounds.min_ratio <= 1.0) {
        return Err(format!("[fairness] min_ratio is {}: it must be in (0, 1]", bounds.min_ratio));
    }
    if !(bounds.max_difference >= 0.0 && bounds.max_difference <= 1.0) {
        return Err(format!("[fairness] max_difference is {}: it must be in [0, 1]", bounds.max_difference));
    }
    if !(bounds.proxy_auc > 0.5 && bounds.proxy_auc <= 1.0) {
        return Err(format!("[fairness] proxy_auc is {}: it must be in (0.5, 1]", bounds.proxy_auc));
    }
    if bounds.min_group == 0 {
        return Err("[fairness] min_group must be at least 1".into());
    }
    if bounds.age_bands.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err("[fairness] age_bands must increase".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAIRNESS: &str = "[fairness]\nmin_ratio = 0.8\nmax_difference = 0.1\nmin_group = 50\nbootstrap = 100\n\
                            seed = 1\nproxy_auc = 0.7\nage_bands = [25, 35]\n";

    #[test]
    fn the_bundled_policy_classes_gender_age_and_the_loan() {
        let policy = ReasonPolicy::bundled().unwrap();
        assert!(ReasonPolicy::shared().is_some());
        assert!(!policy.version.is_empty());
        assert_eq!(policy.class_of("CODE_GENDER"), PolicyClass::Protected);
        assert_eq!(policy.class_of("DAYS_BIRTH"), PolicyClass::NotForCustomers);
        assert_eq!(policy.class_of("NAME_FAMILY_STATUS"), PolicyClass::NotForCustomers);
        assert_eq!(policy.class_of("CNT_CHILDREN"), PolicyClass::NotForCustomers);
        assert_eq!(policy.class_of("EXT_SOURCE_3"), PolicyClass::Explained);
        for lever in ["AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE", "CREDIT_TERM", "GOODS_CREDIT_RATIO"] {
            assert_eq!(policy.class_of(lever), PolicyClass::Actionable, "{lever}");
        }
        // Not named: never quoted.
        assert_eq!(policy.class_of("BASEMENTAREA_AVG"), PolicyClass::NotForCustomers);
        assert_eq!(policy.class_of("HOUR_APPR_PROCESS_START"), PolicyClass::NotForCustomers);
        assert_eq!(policy.fairness.min_ratio, 0.8);
    }

    #[test]
    fn an_unknown_feature_or_one_in_two_classes_is_named() {
        let labels = Labels::bundled().unwrap();
        let path = Path::new("bank-policy.toml");
        let unknown = format!("version = \"1\"\n[classes]\nprotected = [\"CODE_GENDER\", \"RELIGION\"]\n{FAIRNESS}");
        let error = ReasonPolicy::parse(&unknown, path, &labels).unwrap_err().to_string();
        assert!(error.contains("bank-policy.toml") && error.contains("`RELIGION` is not a feature"), "{error}");
        let twice = format!(
            "version = \"1\"\n[classes]\nprotected = [\"CODE_GENDER\"]\nexplained = [\"CODE_GENDER\"]\n{FAIRNESS}"
        );
        let error = ReasonPolicy::parse(&twice, path, &labels).unwrap_err().to_string();
        assert!(error.contains("`CODE_GENDER` is both explained and protected"), "{error}");
        let no_version = format!("[classes]\nprotected = [\"CODE_GENDER\"]\n{FAIRNESS}");
        let error = ReasonPolicy::parse(&no_version, path, &labels).unwrap_err().to_string();
        assert!(error.contains("no `version`"), "{error}");
        let bad_class = format!("version = \"1\"\n[classes]\nsecret = [\"CODE_GENDER\"]\n{FAIRNESS}");
        let error = ReasonPolicy::parse(&bad_class, path, &labels).unwrap_err().to_string();
        assert!(error.contains("`secret` is not a class"), "{error}");
        let bad_ratio = format!("version = \"1\"\n{}", FAIRNESS.replace("0.8", "1.5"));
        let error = ReasonPolicy::parse(&bad_ratio, path, &labels).unwrap_err().to_string();
        assert!(error.contains("min_ratio is 1.5"), "{error}");
    }
}
