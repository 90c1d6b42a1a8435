//! Helpers shared by the integration tests: fixture paths and golden-file readers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pad::data::FeatureMatrix;
use pad::model::Model;

/// The repository's fixture folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// A golden model file produced by `tests/fixtures/make_fixtures.py`.
pub fn golden_model_path(name: &str) -> PathBuf {
    fixtures().join("lgbm").join(format!("{name}.model.txt"))
}

/// Parses a golden model.
pub fn golden_model(name: &str) -> Arc<Model> {
    let path = golden_model_path(name);
    Arc::new(Model::from_path(&path).unwrap_or_else(|error| panic!("{error}")))
}

/// The real Home Credit sample, or `None` (with the reason printed) when it is absent.
pub fn real_sample() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("data")
        .join("homecredit")
        .join("application_train_sample_A.csv");
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: the real sample {} is absent (a clone outside the team)", path.display());
        None
    }
}

/// LightGBM's outputs for one row.
#[derive(Debug, Clone)]
pub struct Expected {
    pub row: usize,
    pub raw: f64,
    pub probability: f64,
    /// pred_contrib: one value per feature, then the expected value.
    pub contrib: Vec<f64>,
}

/// Reads `NAME.expected.csv`; checks its contribution columns against the model's features.
pub fn expected(name: &str, model: &Model) -> Vec<Expected> {
    let path = fixtures().join("lgbm").join(format!("{name}.expected.csv"));
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    let names: Vec<String> =
        header[3..header.len() - 1].iter().map(|h| h.trim_start_matches("contrib_").to_string()).collect();
    assert_eq!(names, model.feature_names(), "{name}: expected columns differ from model features");
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let number = |i: usize| record[i].parse::<f64>().unwrap();
            Expected {
                row: record[0].parse().unwrap(),
                raw: number(1),
                probability: number(2),
                contrib: (3..record.len()).map(number).collect(),
            }
        })
        .collect()
}

/// Rows of a synthetic fixture's `NAME.input.csv`, in model order.
pub fn synthetic_inputs(name: &str, model: &Model) -> Vec<Vec<f64>> {
    let path = fixtures().join("lgbm").join(format!("{name}.input.csv"));
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, model.feature_names());
    reader.records().map(|record| record.unwrap().iter().map(|v| v.parse::<f64>().unwrap()).collect()).collect()
}

/// The first `n` rows of the real sample, read through the data layer.
pub fn real_inputs(sample: &Path, model: &Model, n: usize) -> Vec<Vec<f64>> {
    let matrix = FeatureMatrix::load(sample, &model.schema()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(matrix.repaired_lines(), 1667, "PROVENANCE.md counts 1,667 quoted lines");
    (0..n).map(|i| matrix.row(i).unwrap_or_default().to_vec()).collect()
}

/// The bundled model, applicants and history.
pub fn bundled_sources() -> pad::scoring::LocalSources {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    pad::scoring::LocalSources {
        model: root.join("assets/model.txt"),
        applicants: root.join("data/applicants.csv"),
        history: root.join("data/history.parquet"),
        threshold: None,
    }
}

/// The scorer over the bundled files, loaded once per test binary.
pub fn bundled_scorer() -> Arc<pad::scoring::LocalScorer> {
    static SCORER: std::sync::OnceLock<Arc<pad::scoring::LocalScorer>> = std::sync::OnceLock::new();
    Arc::clone(SCORER.get_or_init(|| {
        Arc::new(pad::scoring::LocalScorer::load(&bundled_sources()).unwrap_or_else(|error| panic!("{error}")))
    }))
}

/// The required fields of the bundled card (`inputs` of `assets/model.json`, read as JSON, not
/// through the scorer) among the raw fields the model reads, directly or through a derived
/// feature; `features` are the model's.
pub fn card_required_read(features: &[pad::domain::FeatureDescription]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("assets/model.json")).unwrap()).unwrap();
    let reads = |name: &str| {
        features.iter().any(|feature| {
            feature.used
                && (feature.name == name
                    || pad::data::pipeline::inputs_of(&feature.name).is_some_and(|inputs| inputs.contains(&name)))
        })
    };
    card["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|input| input["required"] == true)
        .map(|input| input["name"].as_str().unwrap().to_string())
        .filter(|name| reads(name))
        .collect()
}

/// The first applicant of `data/applicants.csv` whose row leaves one of `required` empty, with
/// that field (read from the CSV text).
pub fn first_incomplete_applicant(required: &[String]) -> (i64, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut reader = csv::Reader::from_path(root.join("data/applicants.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(Result::unwrap)
        .find_map(|record| {
            let empty = header
                .iter()
                .zip(record.iter())
                .find(|(name, value)| value.is_empty() && required.iter().any(|field| field == name));
            empty.map(|(name, _)| (record[0].parse().unwrap(), name.to_string()))
        })
        .expect("the bundled applicants include an incomplete application")
}
