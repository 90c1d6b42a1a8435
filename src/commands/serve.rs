//! `pad serve`: logs to standard error, then the scoring API until Ctrl-C or SIGTERM.

use anyhow::Result;
use tracing_subscriber::EnvFilter;

use crate::cli::ServeArgs;
use crate::config::{ServeConfig, TOKEN_VARIABLE};

/// Runs the API.
pub fn run(args: &ServeArgs) -> Result<()> {
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
    crate::api::serve(&config)
}
