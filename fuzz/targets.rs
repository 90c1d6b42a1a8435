//! The bodies of the fuzz targets, shared by the `cargo fuzz` targets (`fuzz/fuzz_targets/`)
//! and the stable harness (`tests/fuzz_stable.rs`), which include this file with `#[path]`.
//! Each takes any bytes; an error is a correct answer, a panic or a wrong sum is a bug.
#![allow(dead_code)]

use std::sync::{Arc, OnceLock};

use pad::explain::{Explainer, Method};
use pad::model::{FeatureInfo, Model};

/// The model parser: any text either parses or is refused.
pub fn model_parse(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Model::parse(text);
    }
}

/// The evaluator and both TreeSHAP methods on every model the parser accepts: the
/// contributions plus the expected value add up to the raw score.
pub fn model_explain(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(model) = Model::parse(text) else { return };
    let model = Arc::new(model);
    let n = model.n_features();
    // Rows at both ends of each feature's training range, at zero, missing and far out.
    let mut rows = vec![vec![0.0; n], vec![f64::NAN; n], vec![1e30; n], vec![-1e30; n]];
    for pick_max in [false, true] {
        rows.push(
            model
                .feature_infos()
                .iter()
                .map(|info| match info {
                    FeatureInfo::Numeric { min, max } => {
                        if pick_max {
                            *max
                        } else {
                            *min
                        }
                    }
                    FeatureInfo::Categorical(categories) => {
                        let chosen = if pick_max { categories.last() } else { categories.first() };
                        chosen.map_or(0.0, |category| *category as f64)
                    }
                    FeatureInfo::Unused => f64::NAN,
                })
                .collect(),
        );
    }
    for method in [Method::Exact, Method::Fast] {
        let Ok(explainer) = Explainer::new(Arc::clone(&model), method) else { return };
        for row in &rows {
            let Ok(raw) = model.predict_raw(row) else { continue };
            let probability = model.predict_probability(row).unwrap_or(f64::NAN);
            assert!(probability.is_finite(), "probability {probability} for raw score {raw}");
            let explained = match explainer.explain(row) {
                Ok(explained) => explained,
                Err(error) => panic!("explaining a row of the right length failed: {error}"),
            };
            let total: f64 = explained.values.iter().sum::<f64>() + explained.expected_value;
            let scale: f64 = 1.0 + raw.abs() + explained.values.iter().map(|v| v.abs()).sum::<f64>();
            assert!(
                (total - raw).abs() <= 1e-6 * scale,
                "{method:?}: contributions + expected value = {total}, raw score = {raw}"
            );
        }
    }
}

/// The model card reader.
pub fn card(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(card) = pad::config::parse_card(text)
    {
        let _ = pad::config::resolve_threshold(None, Some(&card), std::path::Path::new("model.txt"));
    }
}

/// Writes the bytes to a temporary file named `data.{extension}`.
fn temporary(data: &[u8], extension: &str) -> Option<(tempfile::TempDir, std::path::PathBuf)> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join(format!("data.{extension}"));
    std::fs::write(&path, data).ok()?;
    Some((dir, path))
}

/// The CSV reader with its quoted-line repair, then the model's inputs from the table.
pub fn csv(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = pad::data::csv_source::repair_quoted_lines(text);
    }
    let Some((_dir, path)) = temporary(data, "csv") else { return };
    if let Ok(table) = pad::data::ClientTable::load(&path) {
        read_columns(&table);
    }
}

/// The Parquet reader, then the model's inputs from the table.
pub fn parquet(data: &[u8]) {
    let Some((_dir, path)) = temporary(data, "parquet") else { return };
    if let Ok(table) = pad::data::ClientTable::load(&path) {
        read_columns(&table);
    }
}

fn read_columns(table: &pad::data::ClientTable) {
    for name in table.column_names() {
        let _ = table.numbers_for_model(&name);
        let _ = table.text(&name);
    }
}

/// The API's JSON request bodies: the DTOs, then the real router (extraction, validation,
/// scoring) over the bundled model and data. No request may answer 5xx.
pub fn api_json(data: &[u8]) {
    use pad::api::dto::{BatchRequest, ClientRequest, ScoreRequest, WhatIfRequest};
    let _ = serde_json::from_slice::<ScoreRequest>(data);
    let _ = serde_json::from_slice::<BatchRequest>(data);
    let _ = serde_json::from_slice::<WhatIfRequest>(data);
    let _ = serde_json::from_slice::<ClientRequest>(data);
    let Some((runtime, state)) = api_state() else { return };
    for path in ["/predict", "/predict/batch", "/explain", "/what-if", "/counterfactual"] {
        let status = runtime.block_on(async {
            use tower::ServiceExt;
            let request = axum::http::Request::post(path)
                .header(axum::http::header::CONTENT_TYPE, "application/json")
                .body(axum::body::Body::from(data.to_vec()));
            let Ok(request) = request else { return None };
            pad::api::router(state.clone()).oneshot(request).await.ok().map(|response| response.status())
        });
        if let Some(status) = status {
            assert!(!status.is_server_error(), "POST {path} answered {status}");
        }
    }
}

/// A runtime and the server's state over the bundled files, made once.
fn api_state() -> Option<&'static (tokio::runtime::Runtime, pad::api::AppState)> {
    static STATE: OnceLock<Option<(tokio::runtime::Runtime, pad::api::AppState)>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(super::ROOT);
            let sources = pad::scoring::LocalSources {
                model: root.join("assets/model.txt"),
                applicants: root.join("data/applicants.csv"),
                history: root.join("data/history.parquet"),
                threshold: None,
                applicant_tables: pad::data::history::HistoryFiles::in_folder(&root.join("data/applicants"))
                    .unwrap_or_default(),
                history_tables: pad::data::history::HistoryFiles::in_folder(&root.join("data/history"))
                    .unwrap_or_default(),
            };
            let scorer = pad::scoring::LocalScorer::load(&sources).ok()?;
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().ok()?;
            let state = pad::api::AppState::new(Arc::new(scorer), None, pad::api::Limits::default());
            Some((runtime, state))
        })
        .as_ref()
}
