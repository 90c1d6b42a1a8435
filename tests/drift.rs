//! `pad drift` as a user runs it: a deliberately shifted population is caught on exactly the
//! shifted features, an unshifted one is not, the report is written, and bad input is refused
//! with a clear message. Statistics themselves are checked against scipy in `src/drift/stats.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pad::data::synth::{Shift, SynthOptions, write};

fn pad(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pad")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Current applicants drawn by `pad synth`'s generator, with a shift.
fn applicants(dir: &Path, name: &str, seed: u64, shift: Shift) -> PathBuf {
    let path = dir.join(name);
    write(&SynthOptions { rows: 5000, seed, with_target: false, first_id: 500_001, shift }, &path).unwrap();
    path
}

/// The features `pad drift --format json` calls drifted, and the exit code.
fn drifted(current: &Path, report: Option<&Path>) -> (Vec<String>, Option<i32>, serde_json::Value) {
    let mut args = vec!["drift", "--reference", "data/history.parquet", "--current", s(current), "--format", "json"];
    if let Some(report) = report {
        args.extend(["--report", s(report)]);
    }
    let output = pad(&args);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&output.stderr)));
    let mut names: Vec<String> = json["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|feature| feature["verdict"] == "drifted")
        .map(|feature| feature["feature"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    (names, output.status.code(), json)
}

#[test]
fn a_shifted_population_drifts_on_exactly_the_shifted_features() {
    let dir = tempfile::tempdir().unwrap();
    let shift = Shift { income_scale: 1.5, ext_source_1_missing: 0.8 };
    let current = applicants(dir.path(), "shifted.csv", 11, shift);
    let report = dir.path().join("drift.html");
    let (names, code, json) = drifted(&current, Some(&report));
    // Incomes × 1.5 move the income and the two ratios computed from it; EXT_SOURCE_1 goes
    // from about 56 % to about 91 % missing. Nothing else was touched.
    assert_eq!(names, ["AMT_INCOME_TOTAL", "ANNUITY_INCOME_RATIO", "CREDIT_INCOME_RATIO", "EXT_SOURCE_1"]);
    assert_eq!(code, Some(3));
    let moderate = json["features"].as_array().unwrap().iter().filter(|f| f["verdict"] == "moderate").count();
    assert_eq!(moderate, 0);
    let ext = json["features"].as_array().unwrap().iter().find(|f| f["feature"] == "EXT_SOURCE_1").unwrap();
    assert!(ext["missing_current"].as_f64().unwrap() > 0.85, "{ext}");
    // Features come ranked by weighted PSI.
    let weighted: Vec<f64> =
        json["features"].as_array().unwrap().iter().map(|f| f["weighted_psi"].as_f64().unwrap()).collect();
    assert!(weighted.windows(2).all(|pair| pair[0] >= pair[1]));
    // The report: one file, charts inline, nothing fetched from the network.
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg") && html.contains("AMT_INCOME_TOTAL"));
    for fetch in ["<script", "<link", "<img", "src=", "@import", "url("] {
        assert!(!html.contains(fetch), "the report must not load anything: found {fetch}");
    }
}

#[test]
fn the_same_generator_with_another_seed_is_stable() {
    let dir = tempfile::tempdir().unwrap();
    let current = applicants(dir.path(), "same.csv", 12, Shift::NONE);
    let (names, code, json) = drifted(&current, None);
    assert!(names.is_empty(), "{names:?}");
    assert_eq!(code, Some(0));
    assert_eq!(json["score"]["verdict"], "stable");
    // The text table says the same, for people.
    let output = pad(&["drift", "--reference", "data/history.parquet", "--current", s(&current)]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Nothing drifted: exit code 0."), "{text}");
    assert!(text.contains("Approval rate at the threshold 8.4 %"), "{text}");
}

fn failure(args: &[&str]) -> String {
    let output = pad(args);
    let message = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{args:?}: {message}");
    assert!(message.starts_with("error: ") && !message.contains("panicked"), "{message}");
    message
}

#[test]
fn bad_input_is_refused_with_what_and_where() {
    let dir = tempfile::tempdir().unwrap();
    // A current table without a column the model needs (another schema).
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "SK_ID_CURR,AMT_CREDIT\n1,1000\n2,2000\n").unwrap();
    let message = failure(&["drift", "--reference", "data/history.parquet", "--current", s(&other)]);
    assert!(message.contains("current population") && message.contains("other.csv"), "{message}");
    assert!(message.contains("no column for the model feature(s) AMT_INCOME_TOTAL"), "{message}");
    // An empty file.
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let message = failure(&["drift", "--reference", "data/history.parquet", "--current", s(&empty)]);
    assert!(message.contains("empty.csv") && message.contains("empty"), "{message}");
    // A header and no clients.
    let header = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/applicants.csv")).unwrap();
    let header_only = dir.path().join("header.csv");
    std::fs::write(&header_only, format!("{}\n", header.lines().next().unwrap())).unwrap();
    let message = failure(&["drift", "--reference", "data/history.parquet", "--current", s(&header_only)]);
    assert!(message.contains("no clients"), "{message}");
    let message =
        failure(&["drift", "--reference", "data/history.parquet", "--current", s(&other), "--threshold", "2"]);
    assert!(message.contains("--threshold"), "{message}");
}

#[test]
fn a_feature_with_a_single_value_is_compared_without_fuss() {
    // Every current client with the same amount borrowed: one value, far from most of the
    // reference, which is drift; the run must still succeed.
    let dir = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/applicants.csv")).unwrap();
    let mut lines = source.lines();
    let header = lines.next().unwrap();
    let column = header.split(',').position(|name| name == "AMT_CREDIT").unwrap();
    let mut text = format!("{header}\n");
    for line in lines {
        let mut fields: Vec<&str> = line.split(',').collect();
        fields[column] = "500000.0";
        text.push_str(&fields.join(","));
        text.push('\n');
    }
    let current = dir.path().join("single.csv");
    std::fs::write(&current, text).unwrap();
    let (names, code, json) = drifted(&current, None);
    assert!(names.contains(&"AMT_CREDIT".to_string()), "{names:?}");
    assert_eq!(code, Some(3));
    let credit = json["features"].as_array().unwrap().iter().find(|f| f["feature"] == "AMT_CREDIT").unwrap();
    assert!(credit["psi"].as_f64().unwrap().is_finite());
}

#[test]
fn real_sample_against_the_bundled_history() {
    let Some(sample) = common::real_sample() else { return };
    let output = pad(&["drift", "--reference", "data/history.parquet", "--current", s(&sample), "--format", "json"]);
    assert!(matches!(output.status.code(), Some(0 | 3)), "{}", String::from_utf8_lossy(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut features: Vec<(f64, String)> = json["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["psi"].as_f64().unwrap(), f["feature"].as_str().unwrap().to_string()))
        .collect();
    features.sort_by(|a, b| b.0.total_cmp(&a.0));
    eprintln!("real sample A vs the synthetic history, largest PSI first:");
    for (psi, name) in features.iter().take(10) {
        eprintln!("  {name:<32} {psi:.4}");
    }
    eprintln!("score PSI {:.4}", json["score"]["psi"].as_f64().unwrap());
    // The synthetic history was calibrated on real figures: most features must be stable.
    let stable = features.iter().filter(|(psi, _)| *psi < 0.1).count();
    assert!(stable * 10 >= features.len() * 8, "only {stable} of {} stable", features.len());
}
