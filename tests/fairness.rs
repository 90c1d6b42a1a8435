//! `pad fairness`: the group metrics against Fairlearn's on the same rows (golden values from
//! `tests/fixtures/fairness_golden.py`), the bootstrap intervals and verdicts, the command on
//! the bundled history, and its bad inputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pad::data::policy::FairnessBounds;
use pad::fairness::{Grouping, Outcomes, Verdict, assess, text_groups};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pad(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pad")).args(args).current_dir(root()).output().unwrap()
}

fn bounds(min_group: usize) -> FairnessBounds {
    FairnessBounds {
        min_ratio: 0.8,
        max_difference: 0.1,
        min_group,
        bootstrap: 1000,
        seed: 7,
        proxy_auc: 0.7,
        age_bands: vec![25, 35],
    }
}

#[test]
fn group_metrics_equal_fairlearns() {
    let input = std::fs::read_to_string(root().join("tests/fixtures/fairness_input.csv")).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/fairness_expected.json")).unwrap())
            .unwrap();
    let (mut groups, mut targets, mut probabilities) = (Vec::new(), Vec::new(), Vec::new());
    for line in input.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        groups.push(Some(fields[0].to_string()));
        targets.push(fields[1].parse::<u8>().unwrap());
        probabilities.push(fields[2].parse::<f64>().unwrap());
    }
    let (names, groups) = text_groups(&groups, &[]);
    let grouping = Grouping { attribute: "group".into(), column: "group".into(), used_by_model: false, names, groups };
    let threshold = expected["threshold"].as_f64().unwrap();
    let min_group = expected["min_group"].as_u64().unwrap() as usize;
    let outcomes = Outcomes { targets: &targets, probabilities: &probabilities, threshold };
    let report = assess(&grouping, outcomes, &bounds(min_group));
    let close = |ours: f64, theirs: &serde_json::Value, what: &str| {
        let theirs = theirs.as_f64().unwrap();
        assert!((ours - theirs).abs() < 1e-9, "{what}: ours {ours}, Fairlearn {theirs}");
    };
    for group in &report.groups {
        let theirs = &expected["groups"][&group.group];
        assert_eq!(group.count as u64, theirs["count"].as_u64().unwrap());
        close(group.approval_rate, &theirs["approval_rate"], "approval");
        close(group.true_positive_rate.unwrap(), &theirs["true_positive_rate"], "TPR");
        close(group.false_positive_rate.unwrap(), &theirs["false_positive_rate"], "FPR");
        // The probabilities are read back from the CSV Python wrote (6 decimals): the same
        // numbers in both, so the means agree to rounding.
        close(group.mean_probability, &theirs["mean_probability"], "mean probability");
        close(group.default_rate, &theirs["default_rate"], "default rate");
        close(group.default_rate_accepted.unwrap(), &theirs["default_rate_accepted"], "defaults among accepted");
    }
    close(report.min_approval_ratio.unwrap(), &expected["demographic_parity_ratio_of_approvals"], "parity ratio");
    close(report.equalized_odds_difference.unwrap(), &expected["equalized_odds_difference"], "equalised odds");

    // A (78.75 % approved) is the favoured group; B's ratio 0.52875 / 0.7875 = 0.671 is below
    // 0.8 with ~2,000 clients, so its interval is too; C (40 clients) is not judged.
    assert_eq!(report.favoured.as_deref(), Some("A"));
    let verdicts: Vec<Verdict> = report.groups.iter().map(|group| group.verdict).collect();
    assert_eq!(verdicts, [Verdict::Reference, Verdict::Crossed, Verdict::TooSmall]);
    let ratio = report.groups[1].approval_ratio.unwrap();
    assert!((ratio.value - 0.52875 / 0.7875).abs() < 1e-12);
    // Binomial standard errors: approval of A sqrt(.7875 × .2125 / 1200) = 0.0118, of B
    // sqrt(.52875 × .47125 / 800) = 0.0176; by the delta method the ratio's is about
    // 0.671 × sqrt((0.0118/0.7875)² + (0.0176/0.52875)²) = 0.0245: a 95 % interval of about
    // ± 0.048. The bootstrap's must be near it.
    let half_width = (ratio.high - ratio.low) / 2.0;
    assert!(ratio.low < ratio.value && ratio.value < ratio.high, "{ratio:?}");
    assert!((half_width - 0.048).abs() < 0.01, "{ratio:?}: half width {half_width}");
    // The equal-opportunity gap is A's false positive rate minus B's: 0.1555 − 0.3501.
    let opportunity = report.groups[1].equal_opportunity_difference.unwrap();
    assert!((opportunity.value - (0.15553235908141963 - 0.3500931098696462)).abs() < 1e-12);
    // Calibration: B's mean probability and default rate with their intervals, near the
    // normal ones: 1.96 × the standard deviation of B's probabilities (computed here from the
    // file) over √800, and 1.96 × √(p (1 − p) / 800) for its default rate.
    let b: Vec<f64> = input
        .lines()
        .skip(1)
        .filter(|line| line.starts_with("B,"))
        .map(|line| line.split(',').nth(2).unwrap().parse::<f64>().unwrap())
        .collect();
    let n = b.len() as f64;
    let mean = b.iter().sum::<f64>() / n;
    let sd = (b.iter().map(|p| (p - mean) * (p - mean)).sum::<f64>() / n).sqrt();
    let group_b = &report.groups[1];
    let mean_interval = group_b.mean_probability_interval;
    assert!((mean_interval.value - mean).abs() < 1e-12);
    let half_width = (mean_interval.high - mean_interval.low) / 2.0;
    assert!((half_width / (1.96 * sd / n.sqrt()) - 1.0).abs() < 0.15, "{mean_interval:?}, sd {sd}");
    let rate = group_b.default_rate_interval;
    let expected = 1.96 * (rate.value * (1.0 - rate.value) / n).sqrt();
    let half_width = (rate.high - rate.low) / 2.0;
    assert!((half_width / expected - 1.0).abs() < 0.15, "{rate:?}: half width {half_width}, normal {expected}");
    // The favoured group against itself: ratio 1, no gap, interval of a point.
    let own = report.groups[0].approval_ratio.unwrap();
    assert_eq!((own.value, own.low, own.high), (1.0, 1.0, 1.0));
}

#[test]
fn the_bundled_history_is_assessed_in_json_with_every_attribute() {
    let dir = tempfile::tempdir().unwrap();
    let html_path = dir.path().join("fairness.html");
    let html_arg = html_path.to_str().unwrap();
    let output = pad(&["fairness", "--format", "json", "--bootstrap", "200", "--report", html_arg]);
    let code = output.status.code();
    assert!(code == Some(0) || code == Some(3), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // The HTML report holds every attribute's groups as the JSON does, and one chart each.
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="), "no script, no link");
    for attribute in report["attributes"].as_array().unwrap() {
        let column = attribute["column"].as_str().unwrap();
        assert!(html.contains(&format!("<small>({column})</small>")), "{column}");
        for group in attribute["groups"].as_array().unwrap() {
            let name = group["group"].as_str().unwrap().replace('<', "&lt;").replace('>', "&gt;");
            assert!(html.contains(&format!("<td>{name}</td>")), "{column}: {name}");
        }
    }
    assert_eq!(html.matches("<svg").count(), report["attributes"].as_array().unwrap().len());
    let columns: Vec<&str> =
        report["attributes"].as_array().unwrap().iter().map(|a| a["column"].as_str().unwrap()).collect();
    assert_eq!(columns, ["CODE_GENDER", "DAYS_BIRTH", "NAME_FAMILY_STATUS", "CNT_CHILDREN"]);
    assert_eq!(report["bounds"]["bootstrap"], 200);
    assert!(!report["policy_version"].as_str().unwrap().is_empty());
    // Exit code 3 exactly when some group's interval lies beyond a bound.
    let crossed = report["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["groups"].as_array().unwrap())
        .any(|group| group["verdict"] == "crossed");
    assert_eq!(code == Some(3), crossed);
    // The age bands of the policy, in order.
    let bands: Vec<&str> =
        report["attributes"][1]["groups"].as_array().unwrap().iter().map(|g| g["group"].as_str().unwrap()).collect();
    assert_eq!(bands, ["under 25", "25–34", "35–44", "45–54", "55–64", "65 and over"]);
    // Employment length tells the oldest band apart (pensioners): a strong proxy of age.
    let proxies = report["proxies"].as_array().unwrap();
    assert!(
        proxies
            .iter()
            .any(|p| p["feature"] == "DAYS_EMPLOYED" && p["attribute"] == "DAYS_BIRTH" && p["strong"] == true)
    );
    // Age is no proxy of itself.
    assert!(!proxies.iter().any(|p| p["feature"] == "AGE_YEARS" && p["attribute"] == "DAYS_BIRTH"));
}

fn fails_with(args: &[&str], words: &[&str]) {
    let output = pad(args);
    assert_eq!(output.status.code(), Some(1), "{args:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for word in words {
        assert!(stderr.contains(word), "{args:?}: `{word}` not in: {stderr}");
    }
}

#[test]
fn bad_inputs_name_the_file_and_the_item() {
    // No TARGET: current applicants.
    fails_with(&["fairness", "--history", "data/applicants.csv"], &["data/applicants.csv", "no TARGET column"]);
    // An attribute that is not a column.
    fails_with(&["fairness", "--attribute", "RELIGION"], &["history.parquet", "no column `RELIGION`"]);
    // An attribute column without any value.
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("empty-column.csv");
    write_history_with_empty_column(&path);
    let shown = path.display().to_string();
    fails_with(
        &["fairness", "--history", &shown, "--attribute", "OWN_CAR_AGE"],
        &[shown.as_str(), "`OWN_CAR_AGE`", "no value in any row"],
    );
}

/// A small history in the Kaggle layout (the first 300 bundled applicants given outcomes)
/// whose `OWN_CAR_AGE` is empty everywhere.
fn write_history_with_empty_column(path: &Path) {
    let applicants = std::fs::read_to_string(root().join("data/applicants.csv")).unwrap();
    let mut lines = applicants.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let car = header.iter().position(|name| *name == "OWN_CAR_AGE").unwrap();
    let mut out = format!("{},TARGET\n", header.join(","));
    // Lines without quotes, so that commas only separate fields.
    for (row, line) in lines.filter(|line| !line.contains('"')).take(300).enumerate() {
        let mut fields: Vec<&str> = line.split(',').collect();
        fields[car] = "";
        out.push_str(&format!("{},{}\n", fields.join(","), u8::from(row % 10 == 0)));
    }
    std::fs::write(path, out).unwrap();
}
