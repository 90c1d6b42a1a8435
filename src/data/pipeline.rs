//! The derived features: one definition for training, scoring, the API and the what-if editor.
//!
//! | feature | definition |
//! |---|---|
//! | `DAYS_EMPLOYED_ANOM` | 1 when `DAYS_EMPLOYED` holds the placeholder 365243 (not employed, mostly pensioners), else 0 |
//! | `CREDIT_INCOME_RATIO` | `AMT_CREDIT / AMT_INCOME_TOTAL` |
//! | `ANNUITY_INCOME_RATIO` | `AMT_ANNUITY / AMT_INCOME_TOTAL` |
//! | `CREDIT_TERM` | `AMT_ANNUITY / AMT_CREDIT`: the share of the credit repaid each year |
//! | `GOODS_CREDIT_RATIO` | `AMT_GOODS_PRICE / AMT_CREDIT` |
//! | `DAYS_EMPLOYED_RATIO` | `DAYS_EMPLOYED / DAYS_BIRTH`, with the placeholder read as missing |
//! | `AGE_YEARS` | `-DAYS_BIRTH / 365.25` |
//!
//! A derived feature is always computed: a column (or an API field) with its name is ignored,
//! with a warning naming it ([`ignored_input_warning`]), so that a stale or hand-made value
//! never replaces the computed one.
//!
//! A ratio with a missing or zero denominator is missing (NaN), never infinite. Models
//! trained by `pad train` also read `DAYS_EMPLOYED` itself with the placeholder as missing
//! (their card says so, and so does the model file alone: a model with `DAYS_EMPLOYED_ANOM`
//! reads the placeholder as missing, as the usual Kaggle pipeline does); models trained
//! elsewhere on raw columns get the raw values, so they score exactly as where they were trained.

use super::schema::DAYS_EMPLOYED_ANOMALY;

/// The derived features, in the order models trained here list them.
pub const DERIVED_FEATURES: [&str; 7] = [
    "DAYS_EMPLOYED_ANOM",
    "CREDIT_INCOME_RATIO",
    "ANNUITY_INCOME_RATIO",
    "CREDIT_TERM",
    "GOODS_CREDIT_RATIO",
    "DAYS_EMPLOYED_RATIO",
    "AGE_YEARS",
];

/// The raw columns a derived feature is computed from; `None` for a name that is not derived.
pub fn inputs_of(feature: &str) -> Option<&'static [&'static str]> {
    Some(match feature {
        "DAYS_EMPLOYED_ANOM" => &["DAYS_EMPLOYED"],
        "CREDIT_INCOME_RATIO" => &["AMT_CREDIT", "AMT_INCOME_TOTAL"],
        "ANNUITY_INCOME_RATIO" => &["AMT_ANNUITY", "AMT_INCOME_TOTAL"],
        "CREDIT_TERM" => &["AMT_ANNUITY", "AMT_CREDIT"],
        "GOODS_CREDIT_RATIO" => &["AMT_GOODS_PRICE", "AMT_CREDIT"],
        "DAYS_EMPLOYED_RATIO" => &["DAYS_EMPLOYED", "DAYS_BIRTH"],
        "AGE_YEARS" => &["DAYS_BIRTH"],
        _ => return None,
    })
}

/// The warning for a derived feature given as an input column (a file's column or an API
/// request's field): the value given is ignored, the feature is computed from its inputs.
/// `None` for a name that is not derived.
pub fn ignored_input_warning(feature: &str) -> Option<String> {
    let inputs = inputs_of(feature)?;
    Some(format!("`{feature}` is computed from {}: the value given for it is ignored", inputs.join(" and ")))
}

/// `DAYS_EMPLOYED` with the "not employed" placeholder read as missing.
pub fn clean_days_employed(days: f64) -> f64 {
    if days == DAYS_EMPLOYED_ANOMALY { f64::NAN } else { days }
}

/// A ratio that is missing rather than infinite when the denominator is zero or missing.
fn ratio(numerator: f64, denominator: f64) -> f64 {
    if denominator == 0.0 || denominator.is_nan() { f64::NAN } else { numerator / denominator }
}

/// Computes a derived feature from its inputs, given in the order of [`inputs_of`].
/// `None` for a name that is not derived.
pub fn derive(feature: &str, inputs: &[f64]) -> Option<f64> {
    let input = |index: usize| inputs.get(index).copied().unwrap_or(f64::NAN);
    Some(match feature {
        "DAYS_EMPLOYED_ANOM" => {
            let days = input(0);
            if days.is_nan() {
                f64::NAN
            } else if days == DAYS_EMPLOYED_ANOMALY {
                1.0
            } else {
                0.0
            }
        }
        "CREDIT_INCOME_RATIO" | "ANNUITY_INCOME_RATIO" | "CREDIT_TERM" | "GOODS_CREDIT_RATIO" => {
            ratio(input(0), input(1))
        }
        "DAYS_EMPLOYED_RATIO" => ratio(clean_days_employed(input(0)), input(1)),
        "AGE_YEARS" => -input(0) / 365.25,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_derived_feature_has_inputs_and_a_value() {
        for feature in DERIVED_FEATURES {
            let inputs = inputs_of(feature);
            assert!(inputs.is_some(), "{feature}");
            let n = inputs.map_or(0, <[&str]>::len);
            assert!(derive(feature, &vec![1000.0; n]).is_some(), "{feature}");
        }
        assert!(inputs_of("AMT_CREDIT").is_none());
        assert_eq!(
            ignored_input_warning("CREDIT_TERM").as_deref(),
            Some("`CREDIT_TERM` is computed from AMT_ANNUITY and AMT_CREDIT: the value given for it is ignored")
        );
        assert!(ignored_input_warning("AMT_CREDIT").is_none());
        assert!(derive("AMT_CREDIT", &[1.0]).is_none());
    }

    #[test]
    fn worked_values() {
        // 406,597.5 borrowed on an income of 202,500: 2.00789 times the income.
        assert_eq!(derive("CREDIT_INCOME_RATIO", &[406_597.5, 202_500.0]), Some(406_597.5 / 202_500.0));
        // An annuity of 24,700.5 on 406,597.5: about 6.07 % of the credit repaid each year.
        assert_eq!(derive("CREDIT_TERM", &[24_700.5, 406_597.5]), Some(24_700.5 / 406_597.5));
        // Born 9,461 days ago: 25.9 years.
        assert_eq!(derive("AGE_YEARS", &[-9461.0]), Some(9461.0 / 365.25));
        // The placeholder: flagged, and missing in the employment ratio.
        assert_eq!(derive("DAYS_EMPLOYED_ANOM", &[365_243.0]), Some(1.0));
        assert_eq!(derive("DAYS_EMPLOYED_ANOM", &[-637.0]), Some(0.0));
        assert!(derive("DAYS_EMPLOYED_RATIO", &[365_243.0, -9461.0]).is_some_and(f64::is_nan));
        assert_eq!(derive("DAYS_EMPLOYED_RATIO", &[-637.0, -9461.0]), Some(637.0 / 9461.0));
        // A zero or missing denominator gives a missing value, not infinity.
        assert!(derive("CREDIT_INCOME_RATIO", &[1.0, 0.0]).is_some_and(f64::is_nan));
        assert!(derive("CREDIT_TERM", &[1.0, f64::NAN]).is_some_and(f64::is_nan));
    }
}
