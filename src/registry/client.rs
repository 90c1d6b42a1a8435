//! MLflow's REST API (`/api/2.0/mlflow/...`) and its proxied artifact API
//! (`/api/2.0/mlflow-artifacts/artifacts/...`): the calls `pad` makes, with typed answers.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::RegistryError;

/// Longest wait for a connection to the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest wait for one call, an artifact download included.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// Characters of an unexpected answer quoted in an error.
const QUOTED_CHARS: usize = 200;

/// A connection to one MLflow tracking server.
#[derive(Clone)]
pub struct Tracking {
    base: String,
    http: reqwest::Client,
    auth: Auth,
}

#[derive(Clone)]
enum Auth {
    None,
    Bearer(String),
    Basic(String, String),
}

impl std::fmt::Debug for Tracking {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Tracking").field("base", &self.base).finish()
    }
}

/// A key and a value (MLflow's `Param`, `RunTag`, `ModelVersionTag`).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct KeyValue {
    /// The key.
    pub key: String,
    /// The value.
    #[serde(default)]
    pub value: String,
}

/// A metric as logged (MLflow's `Metric`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Metric {
    /// The metric's name.
    pub key: String,
    /// Its last value.
    pub value: f64,
    /// The step it was logged at.
    #[serde(default)]
    pub step: i64,
}

/// A model version of the registry (MLflow's `ModelVersion`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ModelVersion {
    /// The registered model.
    pub name: String,
    /// The version number, as MLflow writes it (a string).
    pub version: String,
    /// Where its files were registered from.
    #[serde(default)]
    pub source: String,
    /// The run that produced it, when known.
    #[serde(default)]
    pub run_id: String,
    /// `READY`, `PENDING_REGISTRATION` or `FAILED_REGISTRATION`.
    #[serde(default)]
    pub status: String,
    /// Creation time, milliseconds since the epoch.
    #[serde(default)]
    pub creation_timestamp: i64,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<KeyValue>,
    /// The aliases pointing to it.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl ModelVersion {
    /// The value of tag `key`, if set.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags.iter().find(|tag| tag.key == key).map(|tag| tag.value.as_str())
    }
}

/// A run's metadata and data (MLflow's `Run`).
#[derive(Debug, Clone, Deserialize)]
pub struct Run {
    /// Its identity and artifact location.
    pub info: RunInfo,
    /// Its parameters, metrics and tags.
    #[serde(default)]
    pub data: RunData,
}

/// MLflow's `RunInfo`.
#[derive(Debug, Clone, Deserialize)]
pub struct RunInfo {
    /// The run's id.
    pub run_id: String,
    /// Where its artifacts live (`mlflow-artifacts:/...` when the server proxies them).
    #[serde(default)]
    pub artifact_uri: String,
    /// The experiment it belongs to.
    #[serde(default)]
    pub experiment_id: String,
}

/// MLflow's `RunData`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RunData {
    /// Last value of each metric.
    #[serde(default)]
    pub metrics: Vec<Metric>,
    /// Parameters.
    #[serde(default)]
    pub params: Vec<KeyValue>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<KeyValue>,
}

/// One entry of an artifact folder listing.
#[derive(Debug, Clone, Deserialize)]
pub struct ArtifactEntry {
    /// Its path relative to the folder listed.
    pub path: String,
    /// Whether it is a folder.
    #[serde(default)]
    pub is_dir: bool,
}

impl Tracking {
    /// A client of the server at `uri` (`http://` or `https://`), authenticated from
    /// `MLFLOW_TRACKING_TOKEN` or `MLFLOW_TRACKING_USERNAME`/`MLFLOW_TRACKING_PASSWORD`.
    pub fn new(uri: &str) -> Result<Tracking, RegistryError> {
        let base = uri.trim().trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base).map_err(|_| RegistryError::BadServer(uri.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(RegistryError::BadServer(uri.to_string()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(CALL_TIMEOUT)
            .build()
            .map_err(|error| RegistryError::Unreachable { url: base.clone(), cause: error.to_string() })?;
        let variable = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
        let auth = match (
            variable("MLFLOW_TRACKING_TOKEN"),
            variable("MLFLOW_TRACKING_USERNAME"),
            variable("MLFLOW_TRACKING_PASSWORD"),
        ) {
            (Some(token), _, _) => Auth::Bearer(token),
            (None, Some(user), password) => Auth::Basic(user, password.unwrap_or_default()),
            _ => Auth::None,
        };
        Ok(Tracking { base, http, auth })
    }

    /// The server's URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.auth {
            Auth::None => request,
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Basic(user, password) => request.basic_auth(user, Some(password)),
        }
    }

    async fn send(&self, endpoint: &str, request: reqwest::RequestBuilder) -> Result<reqwest::Response, RegistryError> {
        let response = request.send().await.map_err(|error| self.unreachable(&error))?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        let parsed: Option<Value> = serde_json::from_str(&body).ok();
        let field = |key: &str| parsed.as_ref().and_then(|value| value.get(key)).and_then(Value::as_str);
        let code = field("error_code").map(|code| format!(" ({code})")).unwrap_or_default();
        let message = field("message").map(str::to_string).unwrap_or_else(|| quote(&body));
        Err(RegistryError::Api { endpoint: endpoint.to_string(), status: status.as_u16(), code, message })
    }

    fn unreachable(&self, error: &reqwest::Error) -> RegistryError {
        let mut cause = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(inner) = source {
            cause = format!("{cause}: {inner}");
            source = inner.source();
        }
        RegistryError::Unreachable { url: self.base.clone(), cause }
    }

    /// Calls a REST endpoint (`runs/create`...) with a JSON body or a query, and reads its answer.
    async fn call<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        endpoint: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Result<T, RegistryError> {
        let mut request = self.request(method, &format!("/api/2.0/mlflow/{endpoint}")).query(query);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = self.send(endpoint, request).await?;
        let text = response.text().await.map_err(|error| self.unreachable(&error))?;
        let text = if text.trim().is_empty() { "{}" } else { text.as_str() };
        serde_json::from_str(text).map_err(|error| RegistryError::Shape {
            endpoint: endpoint.to_string(),
            cause: format!("{error}: {}", quote(text)),
        })
    }

    async fn get<T: DeserializeOwned>(&self, endpoint: &str, query: &[(&str, &str)]) -> Result<T, RegistryError> {
        self.call(reqwest::Method::GET, endpoint, query, None).await
    }

    async fn post<T: DeserializeOwned>(&self, endpoint: &str, body: Value) -> Result<T, RegistryError> {
        self.call(reqwest::Method::POST, endpoint, &[], Some(body)).await
    }

    /// Turns MLflow's "does not exist" into [`RegistryError::NotFound`] naming `what`.
    fn named(&self, what: impl FnOnce() -> String) -> impl FnOnce(RegistryError) -> RegistryError {
        let url = self.base.clone();
        move |error| match error {
            RegistryError::Api { status: 404, .. } => RegistryError::NotFound { what: what(), url },
            RegistryError::Api { ref code, .. } if code.contains("RESOURCE_DOES_NOT_EXIST") => {
                RegistryError::NotFound { what: what(), url }
            }
            // MLflow answers an unknown alias with 400 INVALID_PARAMETER_VALUE "... not found".
            RegistryError::Api { status: 400, ref code, ref message, .. }
                if code.contains("INVALID_PARAMETER_VALUE") && message.contains("not found") =>
            {
                RegistryError::NotFound { what: what(), url }
            }
            other => other,
        }
    }

    // --- Tracking ---------------------------------------------------------------------------

    /// The id of experiment `name`, created when missing.
    pub async fn experiment_id(&self, name: &str) -> Result<String, RegistryError> {
        #[derive(Deserialize)]
        struct Experiment {
            experiment_id: String,
        }
        #[derive(Deserialize)]
        struct Found {
            experiment: Experiment,
        }
        match self.get::<Found>("experiments/get-by-name", &[("experiment_name", name)]).await {
            Ok(found) => Ok(found.experiment.experiment_id),
            Err(RegistryError::Api { status: 404, .. }) => {
                let created: Experiment = self.post("experiments/create", json!({ "name": name })).await?;
                Ok(created.experiment_id)
            }
            Err(RegistryError::Api { code, .. }) if code.contains("RESOURCE_DOES_NOT_EXIST") => {
                let created: Experiment = self.post("experiments/create", json!({ "name": name })).await?;
                Ok(created.experiment_id)
            }
            Err(other) => Err(other),
        }
    }

    /// Starts a run in `experiment_id`.
    pub async fn create_run(
        &self,
        experiment_id: &str,
        run_name: &str,
        start_ms: i64,
        tags: &[KeyValue],
    ) -> Result<RunInfo, RegistryError> {
        #[derive(Deserialize)]
        struct Created {
            run: Run,
        }
        let body =
            json!({ "experiment_id": experiment_id, "run_name": run_name, "start_time": start_ms, "tags": tags });
        let created: Created = self.post("runs/create", body).await?;
        Ok(created.run.info)
    }

    /// Logs parameters, metrics `(key, value, timestamp ms, step)` and tags, in batches of the
    /// sizes MLflow accepts.
    pub async fn log_batch(
        &self,
        run_id: &str,
        params: &[KeyValue],
        metrics: &[(String, f64, i64, i64)],
        tags: &[KeyValue],
    ) -> Result<(), RegistryError> {
        for chunk in params.chunks(100) {
            let _: Value = self.post("runs/log-batch", json!({ "run_id": run_id, "params": chunk })).await?;
        }
        for chunk in tags.chunks(100) {
            let _: Value = self.post("runs/log-batch", json!({ "run_id": run_id, "tags": chunk })).await?;
        }
        for chunk in metrics.chunks(1000) {
            let metrics: Vec<Value> = chunk
                .iter()
                .map(|(key, value, timestamp, step)| json!({ "key": key, "value": value, "timestamp": timestamp, "step": step }))
                .collect();
            let _: Value = self.post("runs/log-batch", json!({ "run_id": run_id, "metrics": metrics })).await?;
        }
        Ok(())
    }

    /// Ends a run as `FINISHED` or `FAILED`.
    pub async fn end_run(&self, run_id: &str, status: &str, end_ms: i64) -> Result<(), RegistryError> {
        let _: Value =
            self.post("runs/update", json!({ "run_id": run_id, "status": status, "end_time": end_ms })).await?;
        Ok(())
    }

    /// A run's metadata, parameters, metrics and tags.
    pub async fn run(&self, run_id: &str) -> Result<Run, RegistryError> {
        #[derive(Deserialize)]
        struct Found {
            run: Run,
        }
        let found: Found =
            self.get("runs/get", &[("run_id", run_id)]).await.map_err(self.named(|| format!("run {run_id}")))?;
        Ok(found.run)
    }

    // --- Artifacts (proxied by the server) -----------------------------------------------------

    /// The proxied path of an artifact URI, or why the server cannot serve it.
    pub fn proxied_path(&self, artifact_uri: &str) -> Result<String, RegistryError> {
        let path = artifact_uri
            .strip_prefix("mlflow-artifacts:")
            .map(|rest| {
                // `mlflow-artifacts://host:port/path` or `mlflow-artifacts:/path`.
                match rest.strip_prefix("//") {
                    Some(with_host) => with_host.split_once('/').map_or("", |(_, path)| path).to_string(),
                    None => rest.trim_start_matches('/').to_string(),
                }
            })
            .ok_or_else(|| RegistryError::Shape {
                endpoint: "artifacts".into(),
                cause: format!(
                    "the artifact location `{}` is not served by the tracking server (start it with --serve-artifacts, \
                     MLflow's default, so that clients need no storage credentials)",
                    quote(artifact_uri)
                ),
            })?;
        Ok(path.trim_end_matches('/').to_string())
    }

    fn artifact_url(path: &str) -> String {
        let encoded: Vec<String> = path.split('/').map(urlencode).collect();
        format!("/api/2.0/mlflow-artifacts/artifacts/{}", encoded.join("/"))
    }

    /// Downloads the artifact at proxied `path`, at most `limit` bytes; `None` when absent.
    pub async fn download(&self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, RegistryError> {
        let endpoint = format!("artifacts/{path}");
        let request = self.request(reqwest::Method::GET, &Self::artifact_url(path));
        let mut response = match self.send(&endpoint, request).await {
            Ok(response) => response,
            Err(RegistryError::Api { status: 404, .. }) => return Ok(None),
            Err(RegistryError::Api { code, .. }) if code.contains("RESOURCE_DOES_NOT_EXIST") => return Ok(None),
            Err(other) => return Err(other),
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| self.unreachable(&error))? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > limit {
                return Err(RegistryError::Shape {
                    endpoint,
                    cause: format!("the artifact is larger than {} MiB, more than any model pad reads", limit >> 20),
                });
            }
        }
        Ok(Some(bytes))
    }

    /// Uploads `bytes` as the artifact at proxied `path`.
    pub async fn upload(&self, path: &str, bytes: Vec<u8>) -> Result<(), RegistryError> {
        let request = self.request(reqwest::Method::PUT, &Self::artifact_url(path)).body(bytes);
        self.send(&format!("artifacts/{path}"), request).await.map(|_| ())
    }

    /// The entries of the artifact folder at proxied `path`.
    pub async fn list_artifacts(&self, path: &str) -> Result<Vec<ArtifactEntry>, RegistryError> {
        #[derive(Deserialize)]
        struct Listing {
            #[serde(default)]
            files: Vec<ArtifactEntry>,
        }
        let request =
            self.request(reqwest::Method::GET, "/api/2.0/mlflow-artifacts/artifacts").query(&[("path", path)]);
        let endpoint = format!("artifacts?path={path}");
        let response = self.send(&endpoint, request).await?;
        let listing: Listing =
            response.json().await.map_err(|error| RegistryError::Shape { endpoint, cause: error.to_string() })?;
        Ok(listing.files)
    }

    // --- Model Registry ----------------------------------------------------------------------------

    /// Creates registered model `name` unless it exists.
    pub async fn ensure_registered_model(&self, name: &str) -> Result<(), RegistryError> {
        match self.post::<Value>("registered-models/create", json!({ "name": name })).await {
            Ok(_) => Ok(()),
            Err(RegistryError::Api { code, .. }) if code.contains("RESOURCE_ALREADY_EXISTS") => Ok(()),
            Err(other) => Err(other),
        }
    }

    /// Registers a new version of `name` from `source`, produced by `run_id`.
    pub async fn create_model_version(
        &self,
        name: &str,
        source: &str,
        run_id: &str,
        tags: &[KeyValue],
    ) -> Result<ModelVersion, RegistryError> {
        #[derive(Deserialize)]
        struct Created {
            model_version: ModelVersion,
        }
        let body = json!({ "name": name, "source": source, "run_id": run_id, "tags": tags });
        let created: Created = self.post("model-versions/create", body).await?;
        Ok(created.model_version)
    }

    /// Points `alias` of `name` at `version`.
    pub async fn set_alias(&self, name: &str, alias: &str, version: &str) -> Result<(), RegistryError> {
        let body = json!({ "name": name, "alias": alias, "version": version });
        self.post::<Value>("registered-models/alias", body)
            .await
            .map_err(self.named(|| format!("version {version} of registered model {name}")))?;
        Ok(())
    }

    /// The version `alias` of `name` points to.
    pub async fn version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion, RegistryError> {
        #[derive(Deserialize)]
        struct Found {
            model_version: ModelVersion,
        }
        let found: Found = self
            .get("registered-models/alias", &[("name", name), ("alias", alias)])
            .await
            .map_err(self.named(|| format!("alias @{alias} of registered model {name}")))?;
        Ok(found.model_version)
    }

    /// Version `version` of `name`.
    pub async fn model_version(&self, name: &str, version: &str) -> Result<ModelVersion, RegistryError> {
        #[derive(Deserialize)]
        struct Found {
            model_version: ModelVersion,
        }
        let found: Found = self
            .get("model-versions/get", &[("name", name), ("version", version)])
            .await
            .map_err(self.named(|| format!("version {version} of registered model {name}")))?;
        Ok(found.model_version)
    }

    /// Where the files of version `version` of `name` can be downloaded from.
    pub async fn download_uri(&self, name: &str, version: &str) -> Result<String, RegistryError> {
        #[derive(Deserialize)]
        struct Found {
            artifact_uri: String,
        }
        let found: Found = self
            .get("model-versions/get-download-uri", &[("name", name), ("version", version)])
            .await
            .map_err(self.named(|| format!("version {version} of registered model {name}")))?;
        Ok(found.artifact_uri)
    }

    /// Every version of registered model `name`, newest first.
    pub async fn versions(&self, name: &str) -> Result<Vec<ModelVersion>, RegistryError> {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default)]
            model_versions: Vec<ModelVersion>,
            #[serde(default)]
            next_page_token: Option<String>,
        }
        // Confirms the model exists (a search for an unknown name is just empty).
        let _: Value = self
            .get("registered-models/get", &[("name", name)])
            .await
            .map_err(self.named(|| format!("registered model {name}")))?;
        let filter = format!("name='{}'", name.replace('\'', "\\'"));
        let mut versions = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("filter", filter.as_str()), ("max_results", "1000")];
            if let Some(token) = &token {
                query.push(("page_token", token.as_str()));
            }
            let page: Page = self.get("model-versions/search", &query).await?;
            versions.extend(page.model_versions);
            match page.next_page_token.filter(|token| !token.is_empty()) {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        versions.sort_by_key(|version| std::cmp::Reverse(version.version.parse::<u64>().unwrap_or(0)));
        Ok(versions)
    }

    /// The aliases of registered model `name`, as `(alias, version)`.
    pub async fn aliases(&self, name: &str) -> Result<Vec<(String, String)>, RegistryError> {
        #[derive(Deserialize)]
        struct Alias {
            alias: String,
            version: String,
        }
        #[derive(Deserialize)]
        struct Model {
            #[serde(default)]
            aliases: Vec<Alias>,
        }
        #[derive(Deserialize)]
        struct Found {
            registered_model: Model,
        }
        let found: Found = self
            .get("registered-models/get", &[("name", name)])
            .await
            .map_err(self.named(|| format!("registered model {name}")))?;
        Ok(found.registered_model.aliases.into_iter().map(|alias| (alias.alias, alias.version)).collect())
    }
}

/// Percent-encodes one path segment.
fn urlencode(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The start of a text from the server, escaped, for an error message.
fn quote(text: &str) -> String {
    crate::domain::format::quote_external(text, QUOTED_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxied_paths() {
        let tracking = Tracking::new("http://127.0.0.1:5000/").unwrap();
        assert_eq!(tracking.url(), "http://127.0.0.1:5000");
        assert_eq!(tracking.proxied_path("mlflow-artifacts:/1/abc/artifacts/model").unwrap(), "1/abc/artifacts/model");
        assert_eq!(
            tracking.proxied_path("mlflow-artifacts://127.0.0.1:5000/1/models/m-1/artifacts/").unwrap(),
            "1/models/m-1/artifacts"
        );
        let error = tracking.proxied_path("s3://bucket/1/abc").unwrap_err().to_string();
        assert!(error.contains("--serve-artifacts"), "{error}");
        assert_eq!(Tracking::artifact_url("1/a b/model.txt"), "/api/2.0/mlflow-artifacts/artifacts/1/a%20b/model.txt");
    }

    #[test]
    fn servers_must_be_http() {
        for bad in ["ftp://x", "databricks", "file:///tmp/mlruns", ""] {
            assert!(matches!(Tracking::new(bad), Err(RegistryError::BadServer(_))), "{bad}");
        }
    }
}
