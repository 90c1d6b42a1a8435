//! Recording a training run in MLflow: one run with its parameters, metrics (per fold with the
//! fold as step, and final), tags and artifacts, the model logged as an MLflow model folder
//! (`model/`: `MLmodel`, `model.txt`, `model.json`), and optionally a new version of a
//! registered model with the alias `challenger`, tagged with the model file's SHA-256.

use super::cache::{now_utc, sha256_hex};
use super::client::{KeyValue, Tracking};
use super::flavour::mlmodel_for_text_model;
use super::{RegistryError, SHA_TAG};

/// The alias a newly registered version gets.
pub const NEW_VERSION_ALIAS: &str = "challenger";

/// A metric to log: its name, value and step (the fold, or 0 for final figures).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPoint {
    /// The metric's name.
    pub key: String,
    /// Its value.
    pub value: f64,
    /// The step.
    pub step: i64,
}

/// Everything a run records.
#[derive(Debug, Clone, Default)]
pub struct RunRecord {
    /// The experiment, created if missing.
    pub experiment: String,
    /// The run's name.
    pub run_name: String,
    /// Parameters (values of at most 6,000 characters, MLflow's limit).
    pub params: Vec<KeyValue>,
    /// Metrics.
    pub metrics: Vec<MetricPoint>,
    /// Tags.
    pub tags: Vec<KeyValue>,
    /// Files logged at the run's artifact root: name and content.
    pub artifacts: Vec<(String, Vec<u8>)>,
    /// The model text, logged as `model/model.txt` with an `MLmodel`.
    pub model_text: String,
    /// The card, logged as `model/model.json`.
    pub card: Option<Vec<u8>>,
}

/// What a recorded run left on the server.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRun {
    /// The run's id.
    pub run_id: String,
    /// The registered version, when registered.
    pub version: Option<String>,
}

/// MLflow's limit on a parameter value's length.
const MAX_PARAM_CHARS: usize = 6000;

/// Records `record` as a new run; registers its model as a new version of `register` when given.
pub async fn record_run(
    tracking: &Tracking,
    record: &RunRecord,
    register: Option<&str>,
) -> Result<RecordedRun, RegistryError> {
    let experiment_id = tracking.experiment_id(&record.experiment).await?;
    let start = now_ms();
    let info = tracking.create_run(&experiment_id, &record.run_name, start, &[]).await?;
    let run_id = info.run_id.clone();
    let result = log_everything(tracking, record, &info.artifact_uri, &run_id).await;
    let status = if result.is_ok() { "FINISHED" } else { "FAILED" };
    tracking.end_run(&run_id, status, now_ms()).await?;
    result?;
    let version = match register {
        Some(name) => {
            tracking.ensure_registered_model(name).await?;
            let source = format!("{}/model", info.artifact_uri.trim_end_matches('/'));
            let tags = [KeyValue { key: SHA_TAG.into(), value: sha256_hex(record.model_text.as_bytes()) }];
            let version = tracking.create_model_version(name, &source, &run_id, &tags).await?;
            tracking.set_alias(name, NEW_VERSION_ALIAS, &version.version).await?;
            Some(version.version)
        }
        None => None,
    };
    Ok(RecordedRun { run_id, version })
}

async fn log_everything(
    tracking: &Tracking,
    record: &RunRecord,
    artifact_uri: &str,
    run_id: &str,
) -> Result<(), RegistryError> {
    let params: Vec<KeyValue> = record
        .params
        .iter()
        .map(|param| KeyValue { key: param.key.clone(), value: param.value.chars().take(MAX_PARAM_CHARS).collect() })
        .collect();
    let timestamp = now_ms();
    let metrics: Vec<(String, f64, i64, i64)> = record
        .metrics
        .iter()
        .filter(|metric| metric.value.is_finite())
        .map(|metric| (metric.key.clone(), metric.value, timestamp, metric.step))
        .collect();
    tracking.log_batch(run_id, &params, &metrics, &record.tags).await?;
    let root = tracking.proxied_path(artifact_uri)?;
    for (name, bytes) in &record.artifacts {
        tracking.upload(&format!("{root}/{name}"), bytes.clone()).await?;
    }
    let mlmodel = mlmodel_for_text_model(run_id, &now_utc(), &sha256_hex(record.model_text.as_bytes())[..32]);
    tracking.upload(&format!("{root}/model/MLmodel"), mlmodel.into_bytes()).await?;
    tracking.upload(&format!("{root}/model/model.txt"), record.model_text.clone().into_bytes()).await?;
    if let Some(card) = &record.card {
        tracking.upload(&format!("{root}/model/model.json"), card.clone()).await?;
    }
    Ok(())
}

/// Logs monitoring figures and files to run `run` when given, else to a new run of
/// `experiment`; returns the run's id.
pub async fn record_monitoring(
    tracking: &Tracking,
    run: Option<&str>,
    experiment: &str,
    run_name: &str,
    metrics: &[MetricPoint],
    artifacts: &[(String, Vec<u8>)],
) -> Result<String, RegistryError> {
    let (run_id, artifact_uri, created) = match run {
        Some(run_id) => {
            let found = tracking.run(run_id).await?;
            (found.info.run_id, found.info.artifact_uri, false)
        }
        None => {
            let experiment_id = tracking.experiment_id(experiment).await?;
            let info = tracking.create_run(&experiment_id, run_name, now_ms(), &[]).await?;
            (info.run_id, info.artifact_uri, true)
        }
    };
    let timestamp = now_ms();
    let points: Vec<(String, f64, i64, i64)> = metrics
        .iter()
        .filter(|metric| metric.value.is_finite())
        .map(|metric| (metric_key(&metric.key), metric.value, timestamp, metric.step))
        .collect();
    let logged = async {
        tracking.log_batch(&run_id, &[], &points, &[]).await?;
        let root = tracking.proxied_path(&artifact_uri)?;
        for (name, bytes) in artifacts {
            tracking.upload(&format!("{root}/{name}"), bytes.clone()).await?;
        }
        Ok::<(), RegistryError>(())
    }
    .await;
    if created {
        tracking.end_run(&run_id, if logged.is_ok() { "FINISHED" } else { "FAILED" }, now_ms()).await?;
    }
    logged.map(|()| run_id)
}

/// A metric name MLflow accepts: letters, digits, `_ - . / ` and spaces kept, the rest `_`.
fn metric_key(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' ') { c } else { '_' })
        .collect()
}

/// Milliseconds since the epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_millis() as i64)
}
