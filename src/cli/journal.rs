//! Arguments of `pad journal` and the `--journal URL` option the dashboard and `pad serve`
//! share. Raw values only: the journal module checks them.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

/// The default journal address shown in `--help`: `sqlite://` and the file in the user's data
/// folder.
pub fn default_journal() -> String {
    crate::journal::JournalUrl::default_sqlite().to_string()
}

pub(super) const JOURNAL_HELP: &str = "\
Every decision recorded in the dashboard (or through POST /decisions) is an event of one
append-only hash chain: each event carries the SHA-256 of its canonical content and the SHA-256
of the previous event's hash followed by that content hash.

  verify         recompute the whole chain; exit 0 when it holds, 1 naming the first broken event
  list           the decisions, filtered (--client, --rm, --from, --to, --decision, --overridden)
  show ID        one decision in full (inputs, reasons, hashes), as JSON
  export         the decisions, same filters, as CSV, JSON (one array) or Parquet
  replay ID      score the recorded inputs again, with the recorded model file when given
                 (--recorded-model) and with the current one; says whether probability and
                 decision are the same, bit for bit

--journal sqlite://PATH (one file; the default is in the user's data folder) or
postgres://USER:PASSWORD@HOST:PORT/DATABASE (a team: any number of `pad serve` on one database).

Examples:
  pad journal verify
  pad journal list --client 400005
  pad journal list --from 2026-12-01 --overridden true
  pad journal export --format csv --out decisions.csv
  pad journal export --journal postgres://pad@db/pad --format json
  pad journal replay 42";

/// Arguments of `pad journal`.
#[derive(Debug, Args)]
pub struct JournalArgs {
    /// The journal: sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long, value_name = "URL", global = true, default_value_t = default_journal())]
    pub journal: String,
    /// What to do.
    #[command(subcommand)]
    pub command: JournalCommand,
}

/// The journal subcommands.
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Recompute the hash chain; exit code 1 naming the first broken event.
    Verify,
    /// List decisions, oldest first.
    List {
        /// Which decisions.
        #[command(flatten)]
        filter: FilterArgs,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Show one decision in full, as JSON.
    Show {
        /// The decision's id.
        id: i64,
    },
    /// Export decisions.
    Export {
        /// Which decisions.
        #[command(flatten)]
        filter: FilterArgs,
        /// File format.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Write here instead of standard output (required for Parquet).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Score a recorded decision's inputs again and compare.
    Replay {
        /// The decision's id.
        id: i64,
        /// The current model [default: assets/model.txt].
        #[arg(long, value_name = "PATH")]
        model: Option<PathBuf>,
        /// The model file the decision was made with, when kept (its version must match the
        /// recorded one).
        #[arg(long, value_name = "PATH")]
        recorded_model: Option<PathBuf>,
        /// Past clients, for the required fields when the card does not list them
        /// [default: data/history.parquet].
        #[arg(long, value_name = "PATH")]
        history: Option<PathBuf>,
    },
}

/// Filters of `list` and `export`.
#[derive(Debug, Clone, Default, Args)]
pub struct FilterArgs {
    /// Only this client (SK_ID_CURR).
    #[arg(long, value_name = "ID", allow_negative_numbers = true)]
    pub client: Option<i64>,
    /// Only this relationship manager.
    #[arg(long, value_name = "NAME")]
    pub rm: Option<String>,
    /// Recorded at or after this UTC date or time (2026-12-01, 2026-12-01T10:00:00Z).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Recorded before this UTC time, or up to the end of this date.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Only this final decision.
    #[arg(long, value_enum)]
    pub decision: Option<DecisionArg>,
    /// Only overrides (true) or only decisions as proposed (false).
    #[arg(long, value_name = "BOOL")]
    pub overridden: Option<bool>,
}

/// A final decision, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    /// ACCEPTED.
    Accepted,
    /// REFUSED.
    Refused,
}

/// Formats of `pad journal list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// One aligned line per decision.
    Text,
    /// A JSON array of the decisions in full.
    Json,
}

/// Formats of `pad journal export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One row per decision, the main fields (inputs and reasons as JSON text).
    Csv,
    /// One JSON array of the decisions in full.
    Json,
    /// Parquet, the columns of the CSV.
    Parquet,
}
