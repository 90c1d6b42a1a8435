//! The reason policy (`assets/policy.toml`) over the bundled clients and the real sample:
//! no protected or not-for-customers feature is ever a customer-facing reason or a lever,
//! every reason names the class that allowed it, and every comparison a reason makes reads
//! the way its contribution points.
//!
//! The direction check recomputes, from the reference population itself (the rows of the
//! bundled history and their TARGET, read here), where the client's value stands among the
//! clients who repaid and among those who had payment difficulties, and so which way the
//! population goes at that value; it does not ask the code under test.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pad::data::policy::ReasonPolicy;
use pad::data::{ClientTable, FeatureMatrix};
use pad::domain::{
    ComparedWith, Counterfactual, Decision, Effect, Explanation, FeatureDescription, FieldValue, PolicyClass,
    ReasonComparison,
};
use pad::scoring::{LocalScorer, ModelBundle, Scorer};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(applicants: &Path) -> LocalScorer {
    LocalScorer::load(&common::sources_with(applicants)).unwrap_or_else(|error| panic!("{error}"))
}

/// Every model feature's reference values, repaid and defaulted apart (NaN kept as missing).
struct Reference {
    repaid: Vec<Vec<f64>>,
    defaulted: Vec<Vec<f64>>,
}

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let history = root().join("data/history.parquet");
        let bundle = ModelBundle::open(&root().join("assets/model.txt")).unwrap();
        // With its credit history: the shipped model reads it.
        let tables = pad::config::bundled_tables(pad::config::BUNDLED_HISTORY_TABLES);
        let table = ClientTable::load_with(&history, pad::data::history::Role::History, &tables).unwrap();
        let targets = table.numeric("TARGET").unwrap();
        let matrix = FeatureMatrix::from_table(&table, &bundle.schema).unwrap();
        let n = matrix.n_features();
        let mut reference = Reference { repaid: vec![Vec::new(); n], defaulted: vec![Vec::new(); n] };
        for (row, values) in matrix.values().chunks(n).enumerate() {
            let group = if targets[row] == 1.0 { &mut reference.defaulted } else { &mut reference.repaid };
            for (feature, &value) in values.iter().enumerate() {
                group[feature].push(value);
            }
        }
        reference
    })
}

/// Mid-rank percentile of `value` among the values present (equal ones counted half).
fn percentile(values: &[f64], value: f64) -> f64 {
    let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    let below = present.iter().filter(|&&v| v < value).count() as f64;
    let equal = present.iter().filter(|&&v| v == value).count() as f64;
    100.0 * (below + 0.5 * equal) / present.len() as f64
}

/// Percentage of all clients (missing values included) with the same value (NaN: missing).
fn share(values: &[f64], value: f64) -> f64 {
    let same = values.iter().filter(|&&v| if value.is_nan() { v.is_nan() } else { v == value }).count() as f64;
    100.0 * same / values.len() as f64
}

/// The model's number for a client's field (a category's code).
fn code(feature: &FeatureDescription, value: &FieldValue) -> f64 {
    match value {
        FieldValue::Number(number) => *number,
        FieldValue::Missing => f64::NAN,
        FieldValue::Category(name) => {
            let categories = feature.categories.as_ref().unwrap();
            categories.iter().position(|category| category == name).unwrap() as f64
        }
    }
}

/// What the customer may be told, checked against the policy file and against the
/// population: returns how many comparisons were checked.
fn check(scorer: &LocalScorer, id: i64, explanation: &Explanation) -> usize {
    let policy = ReasonPolicy::bundled().unwrap();
    let features = &scorer.info().features;
    let index = |name: &str| features.iter().position(|feature| feature.name == name).unwrap();
    let record = scorer.client(id).unwrap();
    let mut compared = 0;
    for reason in &explanation.reasons {
        let classes: Vec<PolicyClass> = reason.features.iter().map(|name| policy.class_of(name)).collect();
        assert!(!classes.contains(&PolicyClass::Protected), "client {id}: a protected feature in {reason:?}");
        for never in ["CODE_GENDER", "DAYS_BIRTH", "AGE_YEARS", "NAME_FAMILY_STATUS", "CNT_CHILDREN", "CNT_FAM_MEMBERS"]
        {
            let quoted = reason.features.first().is_some_and(|name| name == never);
            assert!(!(quoted && reason.class.customer_facing()), "client {id}: {never} quoted in {reason:?}");
        }
        match reason.class {
            PolicyClass::Explained | PolicyClass::Actionable => {
                assert_eq!(classes[0], reason.class, "client {id}: {reason:?}");
                assert!(classes.iter().all(|class| class.customer_facing()), "client {id}: {reason:?}");
            }
            PolicyClass::NotForCustomers => {
                assert!(classes.iter().all(|class| *class == PolicyClass::NotForCustomers), "{reason:?}");
                assert_eq!(reason.text.en, "Other characteristics of the application, taken together.");
                assert!(reason.comparison.is_none());
            }
            PolicyClass::Protected => panic!("client {id}: a reason of class protected: {reason:?}"),
        }
        let Some(comparison) = reason.comparison else {
            // No comparison: the sentence says none.
            assert!(!reason.text.en.contains("clients who"), "client {id}: {}", reason.text.en);
            continue;
        };
        let quoted = index(&reason.features[0]);
        let feature = &features[quoted];
        let mut value = code(feature, &record.fields[quoted].value);
        if feature.name == "DAYS_EMPLOYED" && value == 365243.0 {
            value = f64::NAN;
        }
        let (repaid, defaulted) = (&reference().repaid[quoted], &reference().defaulted[quoted]);
        let raises = reason.effect == Effect::RaisesRisk;
        match comparison {
            ReasonComparison::Rank { population, above, percent } => {
                let flip = |p: f64| if feature.unit == "days" { 100.0 - p } else { p };
                let (p_repaid, p_defaulted) = (flip(percentile(repaid, value)), flip(percentile(defaulted, value)));
                // Where more of the repaid than of the defaulted lie below, a higher value
                // goes with more difficulties.
                let higher_riskier = p_repaid > p_defaulted;
                let (expected_population, p) =
                    if raises { (ComparedWith::Repaid, p_repaid) } else { (ComparedWith::Defaulted, p_defaulted) };
                assert_eq!(population, expected_population, "client {id}: {reason:?}");
                assert_eq!(above, p >= 50.0, "client {id}: {reason:?} ({p})");
                let expected_percent = if above { p } else { 100.0 - p };
                assert!((percent - expected_percent).abs() < 1e-9, "client {id}: {reason:?} ({expected_percent})");
                // Unfavourable: beyond the repaid on the defaulted side; favourable: beyond the
                // defaulted on the repaid side.
                assert_eq!(above == higher_riskier, raises, "client {id}: reads the wrong way: {}", reason.text.en);
                let group = if raises { "of clients who repaid" } else { "of clients who had payment difficulties" };
                let all = if raises { "all clients who repaid" } else { "all clients who had payment difficulties" };
                assert!(reason.text.en.contains(group) || reason.text.en.contains(all), "{}", reason.text.en);
            }
            ReasonComparison::Share { repaid: r, defaulted: d } => {
                assert!((r - share(repaid, value)).abs() < 1e-9, "client {id}: {reason:?}");
                assert!((d - share(defaulted, value)).abs() < 1e-9, "client {id}: {reason:?}");
                assert_eq!(d > r, raises, "client {id}: reads the wrong way: {}", reason.text.en);
                assert!(reason.text.en.contains("of clients who had payment difficulties"), "{}", reason.text.en);
            }
        }
        compared += 1;
    }
    compared
}

fn check_all(scorer: &LocalScorer, limit: usize) -> (usize, usize, usize) {
    let (mut reasons, mut compared, mut folded) = (0, 0, 0);
    for client in scorer.clients().unwrap().iter().take(limit) {
        let explanation = scorer.explain(client.id).unwrap();
        if explanation.score.decision == Decision::Incomplete {
            continue;
        }
        compared += check(scorer, client.id, &explanation);
        reasons += explanation.reasons.len();
        folded += explanation.reasons.iter().filter(|reason| !reason.class.customer_facing()).count();
    }
    (reasons, compared, folded)
}

#[test]
fn bundled_clients_get_only_reasons_the_policy_allows_reading_the_right_way() {
    let scorer = common::bundled_scorer();
    let (reasons, compared, folded) = check_all(&scorer, usize::MAX);
    // Enough of each for the checks to mean something.
    assert!(
        reasons > 2000 && compared > 1000 && folded > 100,
        "{reasons} reasons, {compared} compared, {folded} folded"
    );
}

#[test]
fn real_clients_get_only_reasons_the_policy_allows_reading_the_right_way() {
    let Some(sample) = common::real_sample() else { return };
    let scorer = load(&sample);
    let (reasons, compared, _) = check_all(&scorer, 1500);
    assert!(reasons > 2000 && compared > 1000, "{reasons} reasons, {compared} compared");
}

#[test]
fn only_actionable_features_are_levers() {
    let scorer = common::bundled_scorer();
    let policy = ReasonPolicy::bundled().unwrap();
    for feature in &scorer.info().features {
        if feature.actionable {
            assert_eq!(policy.class_of(&feature.name), PolicyClass::Actionable, "{}", feature.name);
            assert!(!feature.derived, "{}: a derived ratio moves with its amounts", feature.name);
        }
    }
    // The what-if refuses any other input.
    let client = scorer.clients().unwrap()[0].id;
    for name in ["DAYS_BIRTH", "CNT_CHILDREN", "EXT_SOURCE_3", "AMT_INCOME_TOTAL"] {
        let error = scorer.what_if(client, &[(name.to_string(), 1.0)]).unwrap_err().to_string();
        assert!(error.contains("only the inputs a client can change"), "{name}: {error}");
    }
    // What would change a refusal moves only actionable amounts.
    let mut proposals = 0;
    for client in scorer.clients().unwrap().iter().take(150) {
        if scorer.predict(client.id).unwrap().decision != Decision::Refused {
            continue;
        }
        if let Counterfactual::Found { changes, .. } = scorer.counterfactual(client.id).unwrap() {
            proposals += 1;
            for change in changes {
                assert_eq!(policy.class_of(&change.feature), PolicyClass::Actionable, "{change:?}");
            }
        }
    }
    assert!(proposals >= 3, "{proposals} proposals");
}
