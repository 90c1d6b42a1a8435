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
        applicant_tables: pad::config::bundled_tables(pad::config::BUNDLED_APPLICANT_TABLES),
        history_tables: pad::config::bundled_tables(pad::config::BUNDLED_HISTORY_TABLES),
    }
}

/// The bundled sources with other applicants: the bundled applicants' tables go with the
/// bundled applicants only.
pub fn sources_with(applicants: &Path) -> pad::scoring::LocalSources {
    let bundled = bundled_sources();
    pad::scoring::LocalSources {
        applicant_tables: if applicants == bundled.applicants {
            bundled.applicant_tables.clone()
        } else {
            Default::default()
        },
        applicants: applicants.to_path_buf(),
        ..bundled
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

/// A LightGBM text model with 4 features and `n_trees` chain-shaped trees `depth` splits deep:
/// node i splits on feature i mod 4 and sends rows below `-1e30` (none) to leaf i and the rest
/// on to node i + 1, so every row reaches the last leaf. Each leaf holds one training row.
pub fn chain_model(depth: usize, n_trees: usize) -> String {
    chain_model_over(depth, n_trees, 4)
}

/// [`chain_model`] over `n_features` features `num_0`, `num_1`…: node i splits on feature
/// i mod `n_features`.
pub fn chain_model_over(depth: usize, n_trees: usize, n_features: usize) -> String {
    let join = |values: &mut dyn Iterator<Item = String>| values.collect::<Vec<_>>().join(" ");
    let leaves = depth + 1;
    let right = (1..depth).map(|node| node.to_string()).chain([format!("{}", -(depth as i64) - 1)]);
    let mut tree = format!("num_leaves={leaves}\nnum_cat=0\n");
    tree += &format!("split_feature={}\n", join(&mut (0..depth).map(|node| (node % n_features).to_string())));
    tree += &format!("threshold={}\n", join(&mut (0..depth).map(|_| "-1e30".to_string())));
    tree += &format!("decision_type={}\n", join(&mut (0..depth).map(|_| "2".to_string())));
    tree += &format!("left_child={}\n", join(&mut (0..depth).map(|node| (-(node as i64) - 1).to_string())));
    tree += &format!("right_child={}\n", join(&mut right.into_iter()));
    tree += &format!("leaf_value={}\n", join(&mut (0..leaves).map(|leaf| format!("{}", (leaf % 7) as f64 * 0.01))));
    tree += &format!("leaf_count={}\n", join(&mut (0..leaves).map(|_| "1".to_string())));
    tree += &format!("internal_count={}\n", join(&mut (0..depth).map(|node| (leaves - node).to_string())));
    tree += "shrinkage=1\n\n";
    let names: Vec<String> = (0..n_features).map(|feature| format!("num_{feature}")).collect();
    let mut text = format!(
        "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx={}\n\
         objective=binary sigmoid:1\nfeature_names={}\nfeature_infos={}\n\n",
        n_features - 1,
        names.join(" "),
        vec!["[-1:1]"; n_features].join(" ")
    );
    for index in 0..n_trees {
        text += &format!("Tree={index}\n{tree}");
    }
    text += "\nend of trees\n\nparameters:\n[boosting: gbdt]\nend of parameters\n\npandas_categorical:null\n";
    text
}

/// The real sample with credit-history tables (Kaggle layout), or `None` (with the reason
/// printed) when it is absent.
pub fn history_sample() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/homecredit/history_sample_C");
    if path.join("bureau.csv").exists() {
        Some(path)
    } else {
        eprintln!("skipped: the real history sample {} is absent (a clone outside the team)", path.display());
        None
    }
}

/// A second version of a model: tree 0's leaf values doubled (other probabilities, the same
/// features), with the bundled card relabelled for it. Returns the model text and its card.
pub fn doubled_first_tree(model_text: &str) -> (String, String) {
    let mut lines: Vec<String> = model_text.lines().map(str::to_string).collect();
    let leaf = lines.iter().position(|line| line.starts_with("leaf_value=")).unwrap();
    let doubled: Vec<String> = lines[leaf]["leaf_value=".len()..]
        .split(' ')
        .map(|value| format!("{}", value.parse::<f64>().unwrap() * 2.0))
        .collect();
    lines[leaf] = format!("leaf_value={}", doubled.join(" "));
    let second = lines.join("\n") + "\n";
    let card = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/model.json"))
        .unwrap()
        .replace(&version_label(model_text), &version_label(&second));
    (second, card)
}

/// The version label of a model text without a card of its own: `sha256-` and 12 hex digits.
pub fn version_label(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!("sha256-{}", &digest.iter().map(|byte| format!("{byte:02x}")).collect::<String>()[..12])
}

/// A `pad serve` process on a free loopback port with `args`, its URL once it listens (no
/// PAD_API_TOKEN).
pub fn serve_process(args: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pad"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PAD_API_TOKEN")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let url = line[at + "listening on ".len()..].split_whitespace().next().unwrap_or("").to_string();
                let _ = sender.send(url);
            }
        }
    });
    let url = receiver.recv_timeout(std::time::Duration::from_secs(120)).expect("pad serve did not start");
    (child, url)
}

/// The draft of `rm`'s decision on served client `client` as the model proposes it, from the
/// bundled scorer's own explanation (in English, scored in this process).
pub fn proposed_draft(client: i64, rm: &str) -> pad::journal::DecisionDraft {
    use pad::scoring::Scorer;
    let scorer = bundled_scorer();
    let (record, explanation) = (scorer.client(client).unwrap(), scorer.explain(client).unwrap());
    let facts = pad::journal::ScoredFacts {
        model_version: &scorer.info().model_version,
        record: &record,
        features: &scorer.info().features,
        explanation: &explanation,
        counterfactual: None,
    };
    let decision = pad::journal::RmDecision {
        client_id: client,
        decision: None,
        reason_code: None,
        justification: None,
        language: pad::domain::format::Language::En,
        rm: rm.into(),
        export_file: None,
    };
    pad::journal::DecisionDraft::of_explanation(facts, decision, pad::journal::Origin::Local)
}
