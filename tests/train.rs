//! `pad train` (feature `train`): reproducibility, the shipped model and its card, bad input,
//! and quality on the real sample.
#![cfg(feature = "train")]

mod common;

use std::path::{Path, PathBuf};

use pad::data::synth::{SynthOptions, write};
use pad::evaluation::CostWeights;
use pad::model::Model;
use pad::train::{TrainOptions, train};
use sha2::{Digest, Sha256};

fn options(data: &Path, out: &Path) -> TrainOptions {
    TrainOptions {
        data: data.to_path_buf(),
        out: out.to_path_buf(),
        folds: 3,
        seed: 42,
        costs: CostWeights::DEFAULT,
        exclude: vec!["CODE_GENDER".into()],
        params: None,
        progress: false,
        tables: Default::default(),
    }
}

fn small_history(dir: &Path) -> PathBuf {
    let path = dir.join("history.parquet");
    write(
        &SynthOptions { rows: 3000, seed: 5, with_target: true, first_id: 1, shift: pad::data::synth::Shift::NONE },
        &path,
    )
    .unwrap();
    path
}

#[test]
fn the_same_data_seed_and_parameters_give_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let history = small_history(dir.path());
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    train(&options(&history, &a)).unwrap();
    train(&options(&history, &b)).unwrap();
    for file in ["model.txt", "model.json"] {
        assert!(std::fs::read(a.join(file)).unwrap() == std::fs::read(b.join(file)).unwrap(), "{file} differs");
    }
    let other = dir.path().join("c");
    train(&TrainOptions { seed: 43, ..options(&history, &other) }).unwrap();
    assert!(std::fs::read(a.join("model.txt")).unwrap() != std::fs::read(other.join("model.txt")).unwrap());
}

#[test]
fn the_shipped_card_matches_the_shipped_model() {
    let assets = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let text = std::fs::read_to_string(assets.join("model.txt")).unwrap();
    let model = Model::parse(&text).unwrap();
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(assets.join("model.json")).unwrap()).unwrap();
    let names: Vec<&str> = card["features"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, model.feature_names());
    assert!(!names.contains(&"CODE_GENDER"), "the protected attribute is left out");
    assert_eq!(card["excluded"], serde_json::json!(["CODE_GENDER"]));
    // The card names the policy it was trained under: the version line of assets/policy.toml.
    let policy = std::fs::read_to_string(assets.join("policy.toml")).unwrap();
    let version = policy.lines().find_map(|line| line.strip_prefix("version = ")).unwrap().trim_matches('"');
    assert_eq!(card["policy"], serde_json::json!({"file": "assets/policy.toml", "version": version}));
    let digest: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(card["model_version"], format!("sha256-{}", &digest[..12]));
    assert_eq!(card["pipeline"], pad::domain::PIPELINE_VERSION);
    // The out-of-fold figures agree with each other: the confusion matrix covers every row,
    // its cost is the reported cost, and the curve holds the chosen threshold at that cost.
    let rows = card["training_data"]["rows"].as_f64().unwrap();
    let confusion = &card["metrics"]["confusion"];
    let count = |key: &str| confusion[key].as_f64().unwrap();
    let total = count("true_positives") + count("false_positives") + count("true_negatives") + count("false_negatives");
    assert_eq!(total, rows);
    let cost = (10.0 * count("false_negatives") + count("false_positives")) / rows;
    assert!((cost - card["metrics"]["cost_per_client"].as_f64().unwrap()).abs() < 1e-12);
    let threshold = card["threshold"].as_f64().unwrap();
    let point = card["cost_curve"].as_array().unwrap().iter().find(|p| p[0].as_f64() == Some(threshold)).cloned();
    assert!(point.is_some_and(|p| (p[1].as_f64().unwrap_or(f64::NAN) - cost).abs() < 1e-12));
    let auc = card["metrics"]["oof_auc"].as_f64().unwrap();
    assert!((0.6..0.9).contains(&auc), "{auc}");
    assert_eq!(model.n_trees(), card["cross_validation"]["final_iterations"].as_u64().unwrap() as usize);
}

fn failure(options: &TrainOptions) -> String {
    match train(options) {
        Ok(_) => "trained".into(),
        Err(error) => error.to_string(),
    }
}

#[test]
fn bad_input_is_named_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("assets");
    let csv = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let no_target = csv("no_target.csv", "SK_ID_CURR,EXT_SOURCE_2\n1,0.5\n2,0.4\n");
    assert!(failure(&options(&no_target, &out)).contains("no_target.csv: no TARGET column"));
    let bad_target = csv("bad.csv", "SK_ID_CURR,TARGET,EXT_SOURCE_2\n1,0,0.5\n2,2,0.4\n");
    assert!(failure(&options(&bad_target, &out)).contains("bad.csv: outcome 2 at row 2 is neither 0 nor 1"));
    let one_class = csv("one.csv", "SK_ID_CURR,TARGET,EXT_SOURCE_2\n1,0,0.5\n2,0,0.4\n3,0,0.1\n");
    assert!(failure(&options(&one_class, &out)).contains("every outcome is 0"));
    let few = csv("few.csv", "SK_ID_CURR,TARGET,EXT_SOURCE_2\n1,0,0.5\n2,1,0.4\n3,0,0.1\n4,1,0.2\n");
    let message = failure(&options(&few, &out));
    assert!(message.contains("3 folds need at least 3 clients of each class, but only 2 have outcome"), "{message}");
    let history = small_history(dir.path());
    let message = failure(&TrainOptions { exclude: vec!["NOT_A_COLUMN".into()], ..options(&history, &out) });
    assert_eq!(message, "--exclude NOT_A_COLUMN: the history has no such column");
    let missing = dir.path().join("missing.toml");
    let message = failure(&TrainOptions { params: Some(missing), ..options(&history, &out) });
    assert!(message.contains("missing.toml: cannot read the parameters file"), "{message}");
    let broken = csv("broken.toml", "num_leaves = [1, 2]\n");
    let message = failure(&TrainOptions { params: Some(broken), ..options(&history, &out) });
    assert!(message.contains("broken.toml: parameter `num_leaves` must be a number"), "{message}");
    assert!(!out.exists(), "nothing was written");
}

#[test]
fn quality_on_the_real_sample() {
    // The plain Python LightGBM pipeline of the training issue reached an out-of-fold AUC of
    // 0.740 and a cost of 0.529 per client there (with CODE_GENDER); the same pipeline rerun
    // here gave 0.722–0.738 and 0.533–0.539 over four fold seeds.
    let Some(sample) = common::real_sample() else { return };
    let dir = tempfile::tempdir().unwrap();
    let report = train(&TrainOptions { folds: 5, ..options(&sample, dir.path()) }).unwrap();
    eprintln!("real sample: out-of-fold AUC {:.4}, cost per client {:.4}", report.oof_auc, report.cost_per_client);
    assert!(report.oof_auc >= 0.74, "AUC {}", report.oof_auc);
    assert!(report.cost_per_client <= 0.53, "cost {}", report.cost_per_client);
}

#[test]
fn the_card_records_every_raw_fields_missing_rate_and_the_required_ones() {
    let dir = tempfile::tempdir().unwrap();
    // The same synthetic clients as CSV, so that empty fields can be counted by reading the text.
    let history = dir.path().join("history.csv");
    write(
        &SynthOptions { rows: 3000, seed: 5, with_target: true, first_id: 1, shift: pad::data::synth::Shift::NONE },
        &history,
    )
    .unwrap();
    let out = dir.path().join("assets");
    train(&options(&history, &out)).unwrap();
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    let inputs = card["inputs"].as_array().unwrap();
    let mut reader = csv::Reader::from_path(&history).unwrap();
    let header = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut checked = 0;
    for input in inputs {
        let name = input["name"].as_str().unwrap();
        let column = header.iter().position(|field| field == name).unwrap();
        let empty = records.iter().filter(|record| record[column].is_empty()).count();
        let rate = empty as f64 / records.len() as f64;
        assert_eq!(input["missing_rate"].as_f64().unwrap(), rate, "{name}");
        // Required: missing in at most 0.5 % of rows, i.e. at most 15 of these 3,000.
        assert_eq!(input["required"].as_bool().unwrap(), empty <= 15, "{name}: {empty} empty");
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
    let required = |name: &str| inputs.iter().any(|input| input["name"] == name && input["required"] == true);
    assert!(required("AMT_CREDIT") && required("DAYS_BIRTH") && required("DAYS_EMPLOYED"));
    assert!(!required("EXT_SOURCE_1") && !required("CODE_GENDER"), "often missing, or left out");
}

#[cfg(unix)]
#[test]
fn results_never_replace_a_link_and_follow_none() {
    let dir = tempfile::tempdir().unwrap();
    let history = small_history(dir.path());
    let out = dir.path().join("assets");
    std::fs::create_dir(&out).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "keep me\n").unwrap();
    std::os::unix::fs::symlink(&victim, out.join("model.json")).unwrap();
    let message = failure(&options(&history, &out));
    assert!(message.contains("model.json is a symbolic link, not a regular file"), "{message}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me\n");
    // Nothing was written beside it either: no model, no temporary file.
    let names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names, ["model.json"]);
}
