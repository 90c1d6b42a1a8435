//! `pad` / `pad dashboard`: logging to a file, then the terminal dashboard.

use anyhow::{Context, Result};

use crate::cli::DashboardArgs;
use crate::config::DashboardConfig;

/// Opens the dashboard.
pub fn run(args: &DashboardArgs) -> Result<()> {
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
    crate::tui::run(&config)
}
