//! One tool: the same source flags, names and defaults in every command, help that says which
//! flags go together, and the small traps a newcomer meets (negative numbers, missing output
//! folders, empty query parameters), each with its bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `pad` from the package folder, as a newcomer in the checkout would.
fn pad(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pad")).args(args).current_dir(root()).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn bundled(relative: &str) -> PathBuf {
    root().join(relative)
}

#[test]
fn predict_and_explain_default_to_the_bundled_files_as_the_dashboard_does() {
    let plain = pad(&["predict"]);
    assert!(plain.status.success(), "{}", stderr(&plain));
    let given =
        pad(&["predict", "--model", s(&bundled("assets/model.txt")), "--data", s(&bundled("data/applicants.csv"))]);
    assert!(given.status.success(), "{}", stderr(&given));
    assert_eq!(stdout(&plain), stdout(&given));
    // The header and the 1,000 bundled applicants.
    assert_eq!(stdout(&plain).lines().count(), 1001);

    let explained = pad(&["explain", "--id", "400005"]);
    assert!(explained.status.success(), "{}", stderr(&explained));
    assert_eq!(stdout(&explained).lines().count(), 2);
    assert!(stdout(&explained).lines().nth(1).unwrap().starts_with("400005,"));
}

#[test]
fn drift_without_arguments_compares_the_bundled_applicants_with_the_bundled_history() {
    let plain = pad(&["drift", "--format", "json"]);
    assert!(matches!(plain.status.code(), Some(0 | 3)), "{}", stderr(&plain));
    let report: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert_eq!(report["current_rows"], 1000);
    assert_eq!(report["reference_rows"], 30000);
    // The new names and the old ones (kept for scripts) say the same.
    let (history, data) = (bundled("data/history.parquet"), bundled("data/applicants.csv"));
    let named = pad(&["drift", "--history", s(&history), "--data", s(&data), "--format", "json"]);
    let old = pad(&["drift", "--reference", s(&history), "--current", s(&data), "--format", "json"]);
    assert_eq!(named.stdout, plain.stdout);
    assert_eq!(old.stdout, plain.stdout);
    // The help names the one flag with its old name and its default.
    let help = stdout(&pad(&["drift", "--help"]));
    assert!(help.contains("--history <PATH>") && help.contains("[alias: --reference]"), "{help}");
    assert!(help.contains("--data <PATH>") && help.contains("[alias: --current]"), "{help}");
    assert!(help.contains("data/history.parquet]") && help.contains("data/applicants.csv]"), "{help}");
}

#[test]
fn a_missing_source_names_its_flag() {
    let output = pad(&["drift", "--history", "no/such/history.parquet"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("(--history)") && message.contains("no/such/history.parquet"), "{message}");
    let output = pad(&["predict", "--data", "no/such/applicants.csv"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no/such/applicants.csv"), "{}", stderr(&output));
    // train reads the history under the same name (its old --data still parses).
    for flag in ["--history", "--data"] {
        let output = pad(&["train", flag, "no/such/history.parquet"]);
        assert_eq!(output.status.code(), Some(1), "{flag}: {}", stderr(&output));
    }
}

#[test]
fn the_sheet_options_say_they_need_report() {
    let help = stdout(&pad(&["explain", "--help"]));
    assert!(help.contains("Customer sheet (--id N --report DIR; these need --report)"), "{help}");
    let sheet = help.split("Customer sheet (").nth(1).unwrap();
    for flag in ["--report <DIR>", "--lang <LANG>", "--history <PATH>", "--threshold <P>"] {
        assert!(sheet.contains(flag), "{flag} under the sheet's heading: {help}");
    }
    // Still refused without --report, naming it.
    let output = pad(&["explain", "--lang", "fr"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--report"), "{}", stderr(&output));
}

#[test]
fn negative_numbers_get_the_real_message() {
    let output = pad(&["predict", "--threshold", "-0.1"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("the threshold -0.1 (--threshold) is not a probability between 0 and 1"), "{message}");
    let output = pad(&["synth", "--rows", "5", "--income-scale", "-2", "--out", "/tmp/never.csv"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("--income-scale must be a positive number, not -2"), "{}", stderr(&output));
    let output = pad(&["drift", "--threshold", "-1"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("not a probability between 0 and 1"), "{}", stderr(&output));
}

#[test]
fn every_command_creates_a_missing_output_folder() {
    let dir = tempfile::tempdir().unwrap();
    let scores = dir.path().join("a/b/scores.csv");
    let output = pad(&["predict", "--out", s(&scores)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(scores.is_file());
    let synth = dir.path().join("c/d/applicants.csv");
    let output = pad(&["synth", "--rows", "3", "--no-target", "--out", s(&synth)]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(synth.is_file());
    let report = dir.path().join("e/f/drift.html");
    let table = dir.path().join("g/drift.txt");
    let output = pad(&["drift", "--report", s(&report), "--out", s(&table)]);
    assert!(matches!(output.status.code(), Some(0 | 3)), "{}", stderr(&output));
    assert!(report.is_file() && table.is_file());
    // A file where a folder should be is still one clear message naming the path.
    std::fs::write(dir.path().join("plain"), "x").unwrap();
    let blocked = dir.path().join("plain/scores.csv");
    let output = pad(&["predict", "--out", s(&blocked)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains(s(&blocked)), "{}", stderr(&output));
}

#[test]
fn drift_names_its_importance_column_for_what_it_is() {
    let output = pad(&["drift"]);
    let table = stdout(&output);
    let header = table.lines().find(|line| line.trim_start().starts_with("rank")).unwrap();
    assert!(header.contains("mean |SHAP|"), "{header}");
    assert!(!header.contains("importance"), "{header}");
}

#[test]
fn the_shipped_model_scores_alone() {
    // assets/model.txt copied without its card: the text columns are encoded with the model's
    // own pandas_categorical lists, so every probability is the one the card gives, bit for bit.
    let dir = tempfile::tempdir().unwrap();
    let alone = dir.path().join("model.txt");
    std::fs::copy(bundled("assets/model.txt"), &alone).unwrap();
    let data = bundled("data/applicants.csv");
    let with_card = pad(&["predict", "--format", "json"]);
    let without = pad(&["predict", "--model", s(&alone), "--data", s(&data), "--format", "json"]);
    assert!(without.status.success(), "{}", stderr(&without));
    assert!(!stderr(&without).contains("category"), "{}", stderr(&without));
    let rows = |output: &Output| -> Vec<serde_json::Value> { serde_json::from_slice(&output.stdout).unwrap() };
    let (with_card, without) = (rows(&with_card), rows(&without));
    assert_eq!(with_card.len(), 1000);
    for (a, b) in with_card.iter().zip(&without) {
        assert_eq!(a["SK_ID_CURR"], b["SK_ID_CURR"]);
        assert_eq!(a["probability"].as_f64().unwrap().to_bits(), b["probability"].as_f64().unwrap().to_bits());
    }
    // The lists in the file are the card's, in the order of the card's text features.
    let text = std::fs::read_to_string(bundled("assets/model.txt")).unwrap();
    let line = text.lines().find_map(|line| line.strip_prefix("pandas_categorical:")).unwrap();
    let lists: Vec<Vec<String>> = serde_json::from_str(line).unwrap();
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundled("assets/model.json")).unwrap()).unwrap();
    let card_lists: Vec<Vec<String>> = card["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|feature| serde_json::from_value(feature["categories"].clone()).ok())
        .collect();
    assert_eq!(lists, card_lists);
    assert_eq!(lists.len(), 15);
}

#[test]
fn pandas_categorical_is_written_as_the_python_package_writes_it() {
    // Python 3: json.dumps([["Cash loans", "Revolving loans"], ["N", "Y"], ["é"]]) gives
    // [["Cash loans", "Revolving loans"], ["N", "Y"], ["\u00e9"]]; the package writes it after
    // "\npandas_categorical:" and ends the line.
    let lists = vec![
        vec!["Cash loans".to_string(), "Revolving loans".to_string()],
        vec!["N".to_string(), "Y".to_string()],
        vec!["é".to_string()],
    ];
    assert_eq!(
        pad::model::with_pandas_categorical("end of parameters\n", &lists),
        "end of parameters\n\npandas_categorical:[[\"Cash loans\", \"Revolving loans\"], [\"N\", \"Y\"], [\"\\u00e9\"]]\n"
    );
}

#[test]
fn lists_that_match_no_columns_are_still_refused() {
    // Two lists for a model whose features hold 15 text columns: which is which cannot be told.
    let text = std::fs::read_to_string(bundled("assets/model.txt")).unwrap();
    let (head, _) = text.split_once("\npandas_categorical:").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.txt");
    std::fs::write(&model, format!("{head}\npandas_categorical:[[\"a\"], [\"b\"]]\n")).unwrap();
    let output = pad(&["predict", "--model", s(&model)]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("pandas_categorical has 2 category lists"), "{message}");
    assert!(message.contains("15 text columns of the application table"), "{message}");
}
