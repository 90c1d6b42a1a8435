//! `pad` against a real MLflow server, started here from the pinned `mlflow` of the virtual
//! environment `.ci/run` creates (`$HOME/.pad-tools/mlflow`, or `PAD_MLFLOW_VENV`): a SQLite
//! backend store and a local artifact folder in a temporary directory, a free loopback port,
//! stopped at the end. With `PAD_REQUIRE_MLFLOW=1` (set by `.ci/run`) a missing environment
//! fails the test; otherwise it is skipped with a message.
//!
//! Models registered from Python (`tests/fixtures/mlflow_models.py`: a `Booster`, an
//! `LGBMClassifier` with a pandas categorical, a scikit-learn model) load by their URIs and
//! give LightGBM's own predictions and contributions; `pad` registers the bundled model with
//! its hash, promotes it, serves it from the cache when the server is down, and refuses an
//! artifact changed after registration.

#![cfg_attr(feature = "train", allow(dead_code))]

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The mlflow virtual environment, or why there is none.
fn venv() -> Option<PathBuf> {
    let folder = std::env::var_os("PAD_MLFLOW_VENV")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".pad-tools/mlflow")))?;
    folder.join("bin/mlflow").exists().then_some(folder)
}

/// A running `mlflow server`, killed (with its workers) when dropped.
struct Server {
    child: Child,
    url: String,
    artifacts: PathBuf,
}

/// A `pad serve` child, killed when the test ends however it ends.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // The server runs in its own process group: its uvicorn workers go with it.
        let _ = Command::new("kill").args(["-s", "TERM", "--", &format!("-{}", self.child.id())]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_server(venv: &Path, dir: &Path) -> Server {
    use std::os::unix::process::CommandExt;
    let port = free_port();
    let artifacts = dir.join("artifacts");
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = Command::new(venv.join("bin/mlflow"))
        .args(["server", "--host", "127.0.0.1", "--port", &port.to_string(), "--workers", "1"])
        .arg("--backend-store-uri")
        .arg(format!("sqlite:///{}", dir.join("mlflow.db").display()))
        .arg("--artifacts-destination")
        .arg(&artifacts)
        .stdout(Stdio::null())
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap();
    let server = Server { child, url: format!("http://127.0.0.1:{port}"), artifacts };
    // A loaded two-core machine takes up to a minute to start it.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        if http_ok(port, "/health") {
            return server;
        }
        assert!(Instant::now() < deadline, "mlflow server did not start: {}", log_tail(dir));
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn log_tail(dir: &Path) -> String {
    let text = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    text.lines().rev().take(20).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n")
}

/// A bare HTTP GET on loopback: whether it answered 200.
fn http_ok(port: u16, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200")
}

fn pad(args: &[&str], server: &str, cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pad"))
        .args(args)
        .env("MLFLOW_TRACKING_URI", server)
        .env("PAD_MODEL_CACHE", cache)
        .env_remove("PAD_API_TOKEN")
        .output()
        .unwrap()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "pad failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn failure(output: Output) -> String {
    assert!(!output.status.success(), "pad succeeded: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A CSV as a header and rows of fields.
fn csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(str::to_string).collect();
    let rows = reader.records().map(|record| record.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}

fn column<'a>(header: &[String], rows: &'a [Vec<String>], name: &str) -> Vec<&'a str> {
    let index = header.iter().position(|column| column == name).unwrap_or_else(|| panic!("no column {name}"));
    rows.iter().map(|row| row[index].as_str()).collect()
}

/// `pad predict` and `pad explain --method exact` on a model URI give LightGBM's own
/// probabilities and contributions, bit for bit.
fn check_against_lightgbm(uri: &str, name: &str, out: &Path, server: &str, cache: &Path) {
    let input = out.join(format!("{name}.input.csv"));
    let (expected_header, expected) = csv(&std::fs::read_to_string(out.join(format!("{name}.expected.csv"))).unwrap());
    let input = input.to_str().unwrap();
    let predicted = ok(pad(&["predict", "--model", uri, "--data", input, "--threshold", "0.5"], server, cache));
    let (header, rows) = csv(&predicted);
    let ours = column(&header, &rows, "probability");
    let theirs = column(&expected_header, &expected, "probability");
    assert_eq!(ours.len(), theirs.len(), "{name}: rows");
    for (row, (ours, theirs)) in ours.iter().zip(&theirs).enumerate() {
        let (ours, theirs): (f64, f64) = (ours.parse().unwrap(), theirs.parse().unwrap());
        assert_eq!(ours.to_bits(), theirs.to_bits(), "{name} row {row}: probability {ours} vs LightGBM {theirs}");
    }
    let explained = ok(pad(&["explain", "--model", uri, "--data", input, "--method", "exact"], server, cache));
    let (header, rows) = csv(&explained);
    let features: Vec<&String> =
        expected_header.iter().filter(|column| *column != "SK_ID_CURR" && *column != "probability").collect();
    assert!(features.len() >= 5, "{name}: {expected_header:?}");
    for feature in features {
        let ours = column(&header, &rows, feature);
        let theirs = column(&expected_header, &expected, feature);
        for (row, (ours, theirs)) in ours.iter().zip(&theirs).enumerate() {
            let (ours, theirs): (f64, f64) = (ours.parse().unwrap(), theirs.parse().unwrap());
            assert_eq!(ours.to_bits(), theirs.to_bits(), "{name} row {row} {feature}: {ours:e} vs LightGBM {theirs:e}");
        }
    }
}

/// The virtual environment, or `None` when the test is to be skipped (never under
/// `PAD_REQUIRE_MLFLOW`).
fn venv_or_skip() -> Option<PathBuf> {
    let venv = venv();
    if venv.is_none() {
        assert!(
            std::env::var_os("PAD_REQUIRE_MLFLOW").is_none(),
            "PAD_REQUIRE_MLFLOW is set but no mlflow virtual environment is at $HOME/.pad-tools/mlflow (.ci/run creates it)"
        );
        eprintln!("SKIPPED: no mlflow virtual environment at $HOME/.pad-tools/mlflow; run .ci/run once to create it");
    }
    venv
}

// The default build runs this one, the `train` build the next (each starts its own server).
#[cfg(not(feature = "train"))]
#[test]
fn models_from_python_and_pad_through_a_real_mlflow_server() {
    let Some(venv) = venv_or_skip() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&venv, dir.path());
    let url = server.url.clone();
    let cache = dir.path().join("cache");
    let out = dir.path().join("python");

    // Models registered from Python, as the data scientists do.
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mlflow_models.py");
    let status = Command::new(venv.join("bin/python"))
        .arg(&script)
        .arg(&out)
        .env("MLFLOW_TRACKING_URI", &url)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{} failed", script.display());
    check_against_lightgbm("models:/py-booster/1", "py-booster", &out, &url, &cache);
    check_against_lightgbm("models:/py-booster@champion", "py-booster", &out, &url, &cache);
    check_against_lightgbm("models:/py-classifier/1", "py-classifier", &out, &url, &cache);
    check_against_lightgbm("models:/py-pickled/1", "py-classifier", &out, &url, &cache);

    // No card: a threshold is needed, and the message says so.
    let data = out.join("py-booster.input.csv");
    let data = data.to_str().unwrap();
    let message = failure(pad(&["predict", "--model", "models:/py-booster/1", "--data", data], &url, &cache));
    assert!(message.contains("has no model card") && message.contains("--threshold"), "{message}");
    // Another flavour, unknown names: each named.
    let message = failure(pad(
        &["predict", "--model", "models:/py-sklearn/1", "--data", data, "--threshold", "0.5"],
        &url,
        &cache,
    ));
    assert!(message.contains("flavour sklearn"), "{message}");
    let message = failure(pad(
        &["predict", "--model", "models:/py-booster@nope", "--data", data, "--threshold", "0.5"],
        &url,
        &cache,
    ));
    assert!(message.contains("alias @nope of registered model py-booster does not exist"), "{message}");
    let message =
        failure(pad(&["predict", "--model", "models:/missing/3", "--data", data, "--threshold", "0.5"], &url, &cache));
    assert!(message.contains("version 3 of registered model missing does not exist"), "{message}");

    // pad registers the bundled model with its card and hash, then promotes it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let model_text = std::fs::read_to_string(root.join("assets/model.txt")).unwrap();
    let bundled = root.join("assets/model.txt");
    let registered = ok(pad(&["models", "register", "credit", "--model", bundled.to_str().unwrap()], &url, &cache));
    assert!(registered.starts_with("registered models:/credit/1 (alias @challenger)"), "{registered}");
    let tracking = pad::registry::Tracking::new(&url).unwrap();
    let listed = ok(pad(&["models", "list", "credit"], &url, &cache));
    assert!(
        listed.lines().nth(1).is_some_and(|line| line.starts_with("1 ") && line.contains("@challenger")),
        "{listed}"
    );
    let promoted = ok(pad(&["models", "promote", "credit", "1"], &url, &cache));
    assert!(promoted.contains("credit@champion: version 1"), "{promoted}");
    let applicants = root.join("data/applicants.csv");
    let applicants = applicants.to_str().unwrap();
    let from_registry = ok(pad(&["predict", "--model", "models:/credit@champion", "--data", applicants], &url, &cache));
    let from_file = ok(pad(&["predict", "--model", "assets/model.txt", "--data", applicants], &url, &cache));
    assert_eq!(from_registry, from_file);

    // Drift monitoring: every feature's PSI and the score's as metrics, the report as an artifact.
    let drift = pad(
        &["drift", "--model", "models:/credit@champion", "--experiment", "monitoring", "--format", "json"],
        &url,
        &cache,
    );
    assert!(matches!(drift.status.code(), Some(0 | 3)), "{}", String::from_utf8_lossy(&drift.stderr));
    let stderr = String::from_utf8_lossy(&drift.stderr).into_owned();
    let run_id = stderr.lines().find_map(|line| line.strip_prefix("drift logged to MLflow run ")).expect(&stderr);
    let report: serde_json::Value = serde_json::from_slice(&drift.stdout).unwrap();
    let run = pad::registry::block_on(tracking.run(run_id)).unwrap().unwrap();
    let features = report["features"].as_array().unwrap();
    assert!(features.len() > 20);
    for feature in features {
        let key = format!("psi.{}", feature["feature"].as_str().unwrap());
        let logged = run.data.metrics.iter().find(|metric| metric.key == key).map(|metric| metric.value);
        assert_eq!(logged, feature["psi"].as_f64(), "{key}");
    }
    let score_psi = run.data.metrics.iter().find(|metric| metric.key == "score.psi").map(|metric| metric.value);
    assert_eq!(score_psi, report["score"]["psi"].as_f64());
    let root = tracking.proxied_path(&run.info.artifact_uri).unwrap();
    let html =
        pad::registry::block_on(tracking.download(&format!("{root}/drift_report.html"), 1 << 26)).unwrap().unwrap();
    assert!(html.is_some_and(|bytes| String::from_utf8_lossy(&bytes).contains("<svg")));

    hot_swap_under_load(&tracking, &url, &cache, &model_text, applicants);
    // Back to version 1, seen once through the alias so that the cache remembers it.
    ok(pad(&["models", "promote", "credit", "1"], &url, &cache));
    assert_eq!(
        ok(pad(&["predict", "--model", "models:/credit@champion", "--data", applicants], &url, &cache)),
        from_file
    );

    // Python reads pad's model too.
    let check = "import mlflow, sys; m = mlflow.lightgbm.load_model('models:/credit/1'); print(m.num_trees())";
    let python =
        Command::new(venv.join("bin/python")).args(["-c", check]).env("MLFLOW_TRACKING_URI", &url).output().unwrap();
    assert!(python.status.success(), "{}", String::from_utf8_lossy(&python.stderr));
    let trees: usize = String::from_utf8_lossy(&python.stdout).trim().parse().unwrap();
    assert_eq!(trees, pad::model::Model::parse(&model_text).unwrap().n_trees());

    // An artifact changed on the server after registration is refused (fresh cache).
    let stored =
        find_file(&server.artifacts, "model.txt", &model_text).expect("the registered model.txt on the server");
    std::fs::write(&stored, model_text.replace("shrinkage=", "shrinkage= ")).unwrap();
    let fresh = dir.path().join("fresh-cache");
    let message = failure(pad(&["predict", "--model", "models:/credit/1", "--data", applicants], &url, &fresh));
    assert!(message.contains("was changed after registration"), "{message}");

    // The server gone, the cached version serves, and the note says so.
    drop(server);
    let output = pad(&["predict", "--model", "models:/credit@champion", "--data", applicants], &url, &cache);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(ok(output), from_file);
    assert!(stderr.contains("unreachable") && stderr.contains("cached version 1 of credit"), "{stderr}");
    let message = failure(pad(&["predict", "--model", "models:/credit@champion", "--data", applicants], &url, &fresh));
    assert!(message.contains("unreachable"), "{message}");
}

/// The file named `name` under `folder` whose content is `content`.
fn find_file(folder: &Path, name: &str, content: &str) -> Option<PathBuf> {
    for entry in std::fs::read_dir(folder).ok()?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(found) = find_file(&path, name, content) {
                return Some(found);
            }
        } else if path.file_name().is_some_and(|file| file == name)
            && std::fs::read_to_string(&path).is_ok_and(|text| text == content)
        {
            return Some(path);
        }
    }
    None
}

#[cfg(feature = "train")]
#[test]
fn pad_train_records_its_run_and_registers_its_model() {
    let Some(venv) = venv_or_skip() else { return };
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(&venv, dir.path());
    let url = server.url.clone();
    let cache = dir.path().join("cache");
    let history = dir.path().join("history.parquet");
    let history = history.to_str().unwrap();
    let out = dir.path().join("model");
    let out = out.to_str().unwrap();
    ok(pad(&["synth", "--rows", "3000", "--seed", "5", "--out", history], &url, &cache));
    let trained = pad(
        &[
            "train",
            "--history",
            history,
            "--out",
            out,
            "--folds",
            "3",
            "--experiment",
            "credit-dev",
            "--register",
            "credit",
        ],
        &url,
        &cache,
    );
    let stderr = String::from_utf8_lossy(&trained.stderr).into_owned();
    ok(trained);
    assert!(stderr.contains("registered models:/credit/1 (alias @challenger)"), "{stderr}");

    // The run as MLflow holds it: parameters, per-fold and final metrics, tags, artifacts.
    let tracking = pad::registry::Tracking::new(&url).unwrap();
    let version = pad::registry::block_on(tracking.model_version("credit", "1")).unwrap().unwrap();
    let run = pad::registry::block_on(tracking.run(&version.run_id)).unwrap().unwrap();
    let param = |key: &str| run.data.params.iter().find(|param| param.key == key).map(|param| param.value.clone());
    assert_eq!(param("folds").as_deref(), Some("3"));
    assert_eq!(param("lgbm.num_leaves").as_deref(), Some("7"));
    let metric = |key: &str| run.data.metrics.iter().find(|metric| metric.key == key).map(|metric| metric.value);
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{out}/model.json")).unwrap()).unwrap();
    assert_eq!(metric("oof_auc"), card["metrics"]["oof_auc"].as_f64());
    assert_eq!(metric("threshold"), card["threshold"].as_f64());
    assert!(metric("fold_auc").is_some_and(|auc| auc > 0.5 && auc < 1.0));
    let tag = |key: &str| run.data.tags.iter().find(|tag| tag.key == key).map(|tag| tag.value.clone());
    let data_sha = sha256(&std::fs::read(history).unwrap());
    assert_eq!(tag("data.sha256"), Some(data_sha));
    assert_eq!(tag("data.rows").as_deref(), Some("3000"));
    assert_eq!(tag("excluded_columns").as_deref(), Some("CODE_GENDER"));
    let model_text = std::fs::read_to_string(format!("{out}/model.txt")).unwrap();
    let model_sha = sha256(model_text.as_bytes());
    assert_eq!(version.tag(pad::registry::SHA_TAG), Some(model_sha.as_str()));
    let root = tracking.proxied_path(&run.info.artifact_uri).unwrap();
    let names: Vec<String> = pad::registry::block_on(tracking.list_artifacts(&root))
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|entry| entry.path)
        .collect();
    for expected in ["cost_curve.png", "importance.png", "oof_predictions.csv", "model"] {
        assert!(names.iter().any(|name| name.ends_with(expected)), "{expected} not in {names:?}");
    }
    // Per-fold metrics carry the fold as step.
    let history_of = |key: &str| {
        let answer = Command::new("curl")
            .args([
                "-s",
                &format!("{url}/api/2.0/mlflow/metrics/get-history?run_id={}&metric_key={key}", run.info.run_id),
            ])
            .output()
            .unwrap();
        let value: serde_json::Value = serde_json::from_slice(&answer.stdout).unwrap();
        let mut steps: Vec<i64> =
            value["metrics"].as_array().unwrap().iter().map(|m| m["step"].as_i64().unwrap_or(0)).collect();
        steps.sort_unstable();
        steps
    };
    assert_eq!(history_of("fold_auc"), vec![1, 2, 3]);

    // Promoted, it scores as the file it came from.
    let listed = ok(pad(&["models", "list", "credit"], &url, &cache));
    assert!(
        listed.contains("@challenger") && listed.contains(&format!("{:.4}", metric("oof_auc").unwrap())),
        "{listed}"
    );
    ok(pad(&["models", "promote", "credit", "1", "--alias", "champion"], &url, &cache));
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/applicants.csv");
    let data = data.to_str().unwrap();
    let from_registry = ok(pad(&["predict", "--model", "models:/credit@champion", "--data", data], &url, &cache));
    let from_file = ok(pad(&["predict", "--model", &format!("{out}/model.txt"), "--data", data], &url, &cache));
    assert_eq!(from_registry, from_file);
    drop(server);
}

#[cfg(feature = "train")]
fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `pad serve --model models:/credit@champion --poll 1` under 16 clients of `/predict` while
/// the alias moves to a version 2 with other leaf values: no failed answer, and every answer
/// carries the probability of the model version it names (none mixes the two). Version 2 is
/// also the shadow challenger (`--shadow models:/credit/2`): `/metrics` counts as
/// disagreements exactly the answers of version 1 whose decision version 2 does not share.
#[cfg(not(feature = "train"))]
fn hot_swap_under_load(
    tracking: &pad::registry::Tracking,
    url: &str,
    cache: &Path,
    model_text: &str,
    applicants: &str,
) {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Version 2: tree 0's leaf values doubled, and the card's version label of that text.
    let (second, card) = common::doubled_first_tree(model_text);
    let label = common::version_label;
    let record = pad::registry::tracking::RunRecord {
        experiment: "pad-tests".into(),
        run_name: "doubled".into(),
        model_text: second.clone(),
        card: Some(card.into_bytes()),
        ..Default::default()
    };
    let recorded = pad::registry::block_on(pad::registry::tracking::record_run(tracking, &record, Some("credit")))
        .unwrap()
        .unwrap();
    assert_eq!(recorded.version.as_deref(), Some("2"));

    // Each version's probabilities, from its file.
    let expected = |text: &str| -> HashMap<String, (String, String)> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("model.txt"), text).unwrap();
        let card =
            std::fs::read_to_string(root.join("assets/model.json")).unwrap().replace(&label(model_text), &label(text));
        std::fs::write(dir.path().join("model.json"), card).unwrap();
        let model = dir.path().join("model.txt");
        let (header, rows) =
            csv(&ok(pad(&["predict", "--model", model.to_str().unwrap(), "--data", applicants], url, cache)));
        let ids = column(&header, &rows, "SK_ID_CURR");
        let probabilities = column(&header, &rows, "probability");
        let decisions = column(&header, &rows, "decision");
        // Incomplete applications are refused with 422: only complete ones are sent.
        ids.into_iter()
            .zip(probabilities)
            .zip(decisions)
            .filter(|(_, decision)| *decision != "INCOMPLETE")
            .map(|((id, p), decision)| (id.to_string(), (p.to_string(), decision.to_string())))
            .collect()
    };
    let by_version: HashMap<String, HashMap<String, (String, String)>> =
        [(label(model_text), expected(model_text)), (label(&second), expected(&second))].into_iter().collect();
    let ids: Vec<String> = by_version[&label(model_text)].keys().take(50).cloned().collect();

    let port = free_port();
    let mut server = Serving(
        Command::new(env!("CARGO_BIN_EXE_pad"))
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--model",
                "models:/credit@champion",
                "--poll",
                "1",
                "--shadow",
                "models:/credit/2",
            ])
            .args(["--data", applicants])
            .env("MLFLOW_TRACKING_URI", url)
            .env("PAD_MODEL_CACHE", cache)
            .env_remove("PAD_API_TOKEN")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(cache.join("serve.log")).unwrap())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    while !http_ok(port, "/health") {
        assert!(Instant::now() < deadline, "pad serve did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    let stop = Arc::new(AtomicBool::new(false));
    // Each answer: status, client id, model version, probability.
    type Answer = (u16, String, String, String);
    let answers: Arc<Mutex<Vec<Answer>>> = Arc::default();
    let clients: Vec<_> = (0..16)
        .map(|client| {
            let (stop, answers, ids) = (Arc::clone(&stop), Arc::clone(&answers), ids.clone());
            std::thread::spawn(move || {
                let mut turn = client;
                while !stop.load(Ordering::Relaxed) {
                    let id = &ids[turn % ids.len()];
                    turn += 1;
                    let (status, body) = post(port, "/predict", &format!("{{\"client_id\": {id}}}"));
                    let value: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                    let version = value["model_version"].as_str().unwrap_or_default().to_string();
                    let probability = value["probability"].as_f64().map(|p| p.to_string()).unwrap_or_default();
                    answers.lock().unwrap().push((status, id.clone(), version, probability));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    pad::registry::block_on(tracking.set_alias("credit", "champion", "2")).unwrap().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !answers.lock().unwrap().iter().any(|(_, _, version, _)| *version == label(&second)) {
        assert!(Instant::now() < deadline, "the server never swapped to version 2");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap();
    }
    let metrics = get(port, "/metrics");
    let _ = Command::new("kill").args(["-TERM", &server.0.id().to_string()]).status();
    server.0.wait().unwrap();
    let log = std::fs::read_to_string(cache.join("serve.log")).unwrap();
    assert!(log.contains("model swapped"), "{log}");

    let answers = answers.lock().unwrap();
    assert!(answers.len() > 100, "{} answers", answers.len());
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (status, id, version, probability) in answers.iter() {
        assert_eq!(*status, 200, "client {id}: {version}");
        let expected = by_version.get(version).unwrap_or_else(|| panic!("unknown model version {version}"));
        let ours: f64 = probability.parse().unwrap();
        let theirs: f64 = expected[id].0.parse().unwrap();
        assert_eq!(ours.to_bits(), theirs.to_bits(), "client {id} answered by {version}");
        *seen.entry(version.as_str()).or_default() += 1;
    }
    assert_eq!(seen.len(), 2, "{seen:?}");
    // The shadow: version 2 scored every answered request; it disagrees where the served
    // version 1 decided otherwise, never with itself once served.
    let first = &by_version[&label(model_text)];
    let second_decisions = &by_version[&label(&second)];
    let disagreements = answers
        .iter()
        .filter(|(_, id, version, _)| *version == label(model_text) && first[id].1 != second_decisions[id].1)
        .count();
    let count = |outcome: &str| -> usize {
        metrics
            .lines()
            .filter(|line| line.starts_with("pad_http_shadow_decisions_total{") && line.contains("route=\"/predict\""))
            .filter(|line| line.contains(&format!("outcome=\"{outcome}\"")) && line.contains(&label(&second)))
            .map(|line| line.rsplit(' ').next().unwrap().parse::<usize>().unwrap())
            .sum()
    };
    assert_eq!(count("disagree"), disagreements, "{metrics}");
    assert_eq!(count("agree") + count("disagree"), answers.len(), "{metrics}");
    assert_eq!(count("failed"), 0, "{metrics}");
}

/// A POST of a JSON body on loopback: the status and the body.
fn post(port: u16, path: &str, body: &str) -> (u16, String) {
    exchange(port, &format!("POST {path}"), Some(body))
}

/// A GET on loopback: the body of a 200.
#[cfg(not(feature = "train"))]
fn get(port: u16, path: &str) -> String {
    let (status, body) = exchange(port, &format!("GET {path}"), None);
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

/// One request (`line`: method and path) on its own connection: the status and the body.
fn exchange(port: u16, line: &str, body: Option<&str>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let request = match body {
        Some(body) => format!(
            "{line} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
        None => format!("{line} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    };
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.get(9..12).and_then(|code| code.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body).to_string();
    (status, body)
}
