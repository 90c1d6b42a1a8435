//! `pad` / `pad dashboard`: logging to a file, the scorer (in process, or a `pad serve` with
//! `--remote`), then the terminal dashboard.

use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::DashboardArgs;
use crate::config::DashboardConfig;
use crate::remote::RemoteScorer;
use crate::scoring::{LocalScorer, Scorer};

/// Opens the dashboard; `model_note` says where a registry model came from.
pub fn run(args: &DashboardArgs, model_note: Option<String>) -> Result<()> {
    let config = DashboardConfig::from_args(args)?;
    if let Some(path) = &config.log {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open the log file {}", path.display()))?;
        tracing_subscriber::fmt()
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .with_target(false)
            .try_init()
            .map_err(|error| anyhow::anyhow!("cannot start logging: {error}"))?;
    }
    let started = std::time::Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start tokio")?;
    let scorer: Arc<dyn Scorer> = match &config.remote {
        Some(remote) => {
            let scorer = runtime
                .block_on(RemoteScorer::connect(&remote.url, remote.token.clone()))
                .with_context(|| format!("cannot open the dashboard over {}", remote.url))?;
            tracing::info!(server = %remote.url, model_version = %scorer.info().model_version, "connected");
            Arc::new(scorer)
        }
        None => {
            let sources = &config.sources;
            // The reference's credit history is read while the clients are already shown.
            let mut scorer = LocalScorer::load_deferred(sources)?;
            if let Some(note) = model_note {
                scorer = scorer.with_note(note);
            }
            tracing::info!(
                model = %sources.model.display(),
                data = %sources.applicants.display(),
                history = %sources.history.display(),
                "loaded in {:?}",
                started.elapsed()
            );
            Arc::new(scorer)
        }
    };
    let recorder: Arc<dyn crate::journal::Recorder> = match &config.remote {
        Some(remote) => Arc::new(crate::remote_journal::RemoteRecorder::new(
            &remote.url,
            remote.token.clone(),
            runtime.handle().clone(),
        )?),
        None => {
            let journal = runtime
                .block_on(crate::journal::Journal::open(&config.journal))
                .with_context(|| format!("cannot open the decision journal {}", config.journal))?;
            Arc::new(crate::journal::LocalRecorder::new(journal, runtime.handle().clone()))
        }
    };
    crate::tui::run(&config, scorer, Some(recorder), &runtime, started)
}
