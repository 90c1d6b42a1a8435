//! `pad serve`: logs to standard error, then the scoring API until Ctrl-C or SIGTERM. With
//! `--model models:/NAME@ALIAS`, a watcher thread checks the alias every `--poll` seconds and
//! on SIGHUP, and hands the server a scorer over the new version when the alias moves; a
//! version that fails to load is logged and the current one kept.

use anyhow::Result;
use tracing_subscriber::EnvFilter;

use std::sync::Arc;
use std::time::Duration;

use super::models::Resolved;
use crate::cli::ServeArgs;
use crate::config::{ServeConfig, TOKEN_VARIABLE};
use crate::registry::{ModelUri, Tracking, fetch};
use crate::scoring::{LocalScorer, Scorer};

/// Runs the API.
pub fn run(args: &ServeArgs, resolved: Option<Resolved>, mlflow: Option<&str>) -> Result<()> {
    let token = std::env::var(TOKEN_VARIABLE).ok();
    let config = ServeConfig::from_args(args, token)?;
    // RUST_LOG chooses what is logged; by default the server's events, not every request.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    let installed = if config.json_logs { builder.json().try_init() } else { builder.try_init() };
    installed.map_err(|error| anyhow::anyhow!("cannot start logging: {error}"))?;
    if args.poll == 0 {
        anyhow::bail!("--poll must be at least 1 second");
    }
    let swaps = match resolved {
        Some(Resolved { uri: ModelUri::Alias { name, alias }, server: Some(server), fetched, .. }) => {
            let (sender, receiver) = tokio::sync::mpsc::channel(1);
            let watcher = Watcher {
                name,
                alias,
                server,
                serving: fetched.version_number.unwrap_or_default(),
                failed: None,
                sources: config.sources.clone(),
                poll: Duration::from_secs(args.poll),
            };
            std::thread::Builder::new()
                .name("model-watcher".into())
                .spawn(move || watcher.run(sender))
                .map_err(|error| anyhow::anyhow!("cannot start the model watcher: {error}"))?;
            Some(receiver)
        }
        _ => None,
    };
    let shadow = args.shadow.as_deref().map(|model| shadow_scorer(model, &config.sources, mlflow)).transpose()?;
    crate::api::serve(&config, swaps, shadow)
}

/// The challenger of `--shadow`: its model (a file, or a registry URI fetched into the cache)
/// over the served data.
fn shadow_scorer(model: &str, sources: &crate::config::LocalSources, mlflow: Option<&str>) -> Result<Arc<dyn Scorer>> {
    let path = if ModelUri::is_uri(model) {
        let uri = ModelUri::parse(model)?;
        let server = crate::registry::tracking_uri(mlflow);
        let fetched = crate::registry::block_on(fetch(&uri, server.as_deref()))?
            .map_err(|error| anyhow::anyhow!("cannot fetch the shadow challenger {uri}: {error}"))?;
        if !fetched.has_card {
            anyhow::bail!(
                "the shadow challenger {} has no model card (model.json) in the registry, so no decision threshold to \
                 compare decisions with",
                fetched.describe()
            );
        }
        eprintln!("note: shadow challenger {} (cached at {})", fetched.describe(), fetched.model_path.display());
        fetched.model_path
    } else {
        std::path::PathBuf::from(model)
    };
    let mut sources = sources.clone();
    sources.model = path;
    // The served model's threshold given on the command line is not the challenger's.
    sources.threshold = None;
    let scorer =
        LocalScorer::load(&sources).map_err(|error| anyhow::anyhow!("cannot load the shadow challenger: {error:#}"))?;
    Ok(Arc::new(scorer))
}

/// Watches a registry alias and loads the version it moves to.
struct Watcher {
    name: String,
    alias: String,
    server: String,
    serving: String,
    /// The last version that failed to load: not tried again until the alias moves.
    failed: Option<String>,
    sources: crate::config::LocalSources,
    poll: Duration,
}

impl Watcher {
    fn run(mut self, sender: tokio::sync::mpsc::Sender<Arc<dyn Scorer>>) {
        let watched = crate::registry::block_on(async move {
            #[cfg(unix)]
            let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
            loop {
                #[cfg(unix)]
                let woken = async {
                    match hangup.as_mut() {
                        Some(signal) => signal.recv().await,
                        None => std::future::pending().await,
                    }
                };
                #[cfg(not(unix))]
                let woken = std::future::pending::<Option<()>>();
                tokio::select! {
                    () = tokio::time::sleep(self.poll) => {}
                    _ = woken => {
                        tracing::info!("SIGHUP: checking models:/{}@{}", self.name, self.alias);
                        self.failed = None;
                    }
                }
                if sender.is_closed() {
                    return;
                }
                if let Some(scorer) = self.check().await
                    && sender.send(scorer).await.is_err()
                {
                    return;
                }
            }
        });
        if let Err(error) = watched {
            tracing::error!("the model watcher stopped: {error}");
        }
    }

    /// A scorer over the version the alias points to, when it moved and loads.
    async fn check(&mut self) -> Option<Arc<dyn Scorer>> {
        let uri = ModelUri::Alias { name: self.name.clone(), alias: self.alias.clone() };
        let tracking = match Tracking::new(&self.server) {
            Ok(tracking) => tracking,
            Err(error) => {
                tracing::warn!("{error}");
                return None;
            }
        };
        let version = match tracking.version_by_alias(&self.name, &self.alias).await {
            Ok(found) => found.version,
            Err(error) => {
                tracing::warn!("cannot check {uri}: {error}; still serving version {}", self.serving);
                return None;
            }
        };
        if version == self.serving || self.failed.as_ref() == Some(&version) {
            return None;
        }
        tracing::info!("{uri} moved from version {} to {version}: loading it", self.serving);
        let loaded = async {
            let fetched = fetch(&uri, Some(&self.server)).await?;
            let mut sources = self.sources.clone();
            sources.model = fetched.model_path.clone();
            let scorer = tokio::task::spawn_blocking(move || LocalScorer::load(&sources))
                .await
                .map_err(|error| anyhow::anyhow!("loading stopped: {error}"))??;
            Ok::<_, anyhow::Error>((scorer, fetched))
        }
        .await;
        match loaded {
            Ok((scorer, fetched)) => {
                self.serving = fetched.version_number.unwrap_or(version);
                self.failed = None;
                Some(Arc::new(scorer))
            }
            Err(error) => {
                self.failed = Some(version.clone());
                tracing::error!(
                    "cannot swap to version {version} of {}: {error:#}; still serving version {}",
                    self.name,
                    self.serving
                );
                None
            }
        }
    }
}
