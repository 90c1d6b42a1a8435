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
append-only hash chain: each event carries the SHA-256 of its canonical content, a decision
also the SHA-256 of the columns it is listed by, and its hash: the SHA-256 of the previous
event's hash followed by those.

  verify         recompute the whole chain; exit 0 when it holds, 1 naming the first broken event
  list           the decisions, filtered (--client, --rm, --from, --to, --decision, --overridden)
  show ID        one decision in full (inputs, reasons, hashes), as JSON
  export         the decisions, same filters, as CSV, JSON (one array) or Parquet
  replay ID      score the recorded inputs again, with the recorded model file when given
                 (--recorded-model) and with the current one; says whether probability and
                 decision are the same, bit for bit
  contest ID     record the customer's contest of a decision (--statement, --channel)
  review ID      record the review of a contested decision (--outcome upheld|overturned,
                 --justification), by someone who did not decide it; the recorded inputs are
                 scored again on the current model and that score is recorded with it
  case ID        a decision with where it stands and its contests and reviews, as JSON
  contests       the contests waiting for a review, oldest first, with the date each must be
                 answered by (one month, GDPR art. 12(3))
  purge          remove the history older than --before DATE (at least --retention-days old,
                 190 by default) whose contests are closed; a purge event records where the
                 chain was cut, so verify still holds over what remains
  access         who read which client's data or decisions through the API (--user)
  keygen         a checkpoint signing key and its verifier key (--name, --out DIR)
  checkpoint     sign the journal's Merkle tree as it is now (--key); print and keep it
  verify --checkpoint FILE --vkey FILE
                 prove the journal still holds what the checkpoint committed to, then verify
  prove ID       the inclusion proof of an event in a checkpoint's tree (--checkpoint), or a
                 consistency proof between two checkpoints (--from, --to), as JSON
  cosign         a witness countersigns a checkpoint that extends the last one it signed

A decision is decided, then contested, then upheld or overturned by a review. Contests,
reviews and purges are events of the same chain, and every event is a leaf of a Merkle tree
(RFC 9162) whose signed checkpoints (C2SP tlog-checkpoint) an auditor keeps outside the bank's
database: whoever controls the database cannot then rewrite or cut what a checkpoint covers
without `verify --checkpoint` saying so.

--journal sqlite://PATH (one file; the default is in the user's data folder) or
postgres://USER:PASSWORD@HOST:PORT/DATABASE (a team: any number of `pad serve` on one database).

Examples:
  pad journal verify
  pad journal keygen --name example.bank/pad-journal --out keys
  pad journal checkpoint --key keys/journal.key > cp-1.txt
  pad journal verify --checkpoint cp-1.txt --vkey keys/journal.vkey
  pad journal prove 42 --checkpoint cp-1.txt
  pad journal list --client 400005
  pad journal list --from 2026-12-01 --overridden true
  pad journal export --format csv --out decisions.csv
  pad journal export --journal postgres://pad@db/pad --format json
  pad journal replay 42
  pad journal contest 42 --statement \"My income is higher now\" --channel branch --by ana
  pad journal list --state contested
  pad journal purge --before 2026-05-01";

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
    ///
    /// Every content hash, columns hash and link is recomputed, every event counted, and the
    /// head checked. On PostgreSQL the server hashes the contents where they are stored (in one
    /// parallel scan) while pad follows the chain from the other columns; on SQLite pad reads
    /// and hashes the contents itself.
    ///
    /// With --checkpoint (a checkpoint kept outside the bank's database) and --vkey, first
    /// checks the checkpoint's signature, then proves that the journal holds exactly the tree
    /// the checkpoint committed to, extended only by appends: the Merkle tree is recomputed
    /// from scratch from every event's chain hash (history purged stands as the stored
    /// subtrees that cover it), its root at the checkpoint's size compared with the
    /// checkpoint's, and the stored tree (which proofs are answered from) compared with it. The
    /// access log's own tree is recomputed the same way and compared with the checkpoint's
    /// `access-log` line. A rewrite, a swap, a cut end or a truncation made after the
    /// checkpoint fails, naming the checkpoint and the first event (or access-log entry) that
    /// no longer matches.
    Verify {
        /// A signed checkpoint the journal must still extend (a file, as `pad journal
        /// checkpoint` or `GET /checkpoint` gave it).
        #[arg(long, value_name = "FILE", requires = "vkey")]
        checkpoint: Option<PathBuf>,
        /// The verifier key (`pad journal keygen` wrote it beside the signing key) whose
        /// signature the checkpoint must carry; repeat it to require a witness's cosignature
        /// too.
        #[arg(long, value_name = "FILE", requires = "checkpoint")]
        vkey: Vec<PathBuf>,
    },
    /// Write a new checkpoint signing key (DIR/journal.key, mode 0600) and its verifier key
    /// (DIR/journal.vkey) for the journal, or for a witness.
    Keygen {
        /// The signer's name, also the checkpoints' origin line by default (no spaces, no '+';
        /// for example example.bank/pad-journal).
        #[arg(long, value_name = "NAME")]
        name: String,
        /// The folder to write the two files into (created when missing; existing keys are
        /// never overwritten).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Sign a checkpoint of the journal as it is now, keep it in the journal, and print it.
    ///
    /// The journal's tree is first extended to every event recorded (their chain hashes
    /// hashed into the stored tree).
    Checkpoint {
        /// The signing key (journal.key from `pad journal keygen`).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// The checkpoint's origin line [default: the key's name].
        #[arg(long, value_name = "NAME")]
        origin: Option<String>,
    },
    /// Print a proof as JSON: event ID's inclusion in a checkpoint's tree (--checkpoint), or
    /// the consistency of two checkpoints (--from, --to). The proof is checked against the
    /// checkpoints' roots before it is printed (exit code 1 when it does not hold).
    Prove {
        /// The event's id (with --checkpoint).
        #[arg(required_unless_present = "from", conflicts_with_all = ["from", "to"], requires = "checkpoint")]
        id: Option<i64>,
        /// The checkpoint whose tree the event is proven in.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        /// The older checkpoint of a consistency proof.
        #[arg(long, value_name = "FILE", requires = "to")]
        from: Option<PathBuf>,
        /// The newer checkpoint of a consistency proof.
        #[arg(long, value_name = "FILE", requires = "from")]
        to: Option<PathBuf>,
    },
    /// Countersign a checkpoint as a witness: checks the journal's signature and that the
    /// checkpoint extends the last one this witness signed (a consistency proof from the
    /// journal, checked here), then prints the checkpoint with the witness's signature added
    /// and remembers it.
    Cosign {
        /// The checkpoint to countersign.
        #[arg(long, value_name = "FILE")]
        checkpoint: PathBuf,
        /// The journal's verifier key.
        #[arg(long, value_name = "FILE")]
        vkey: PathBuf,
        /// The witness's signing key (its own `pad journal keygen`).
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        /// Where the witness keeps the last checkpoint it signed [default: the key's file with
        /// `.last` added].
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
        /// Also write the cosigned checkpoint here.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
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
    /// Record a customer's contest of a decision.
    Contest {
        /// The decision's id.
        id: i64,
        /// The customer's statement, in their words.
        #[arg(long)]
        statement: String,
        /// How it came.
        #[arg(long, value_enum)]
        channel: ChannelArg,
        /// Who records it [default: PAD_USER, else the operating-system user].
        #[arg(long, value_name = "NAME", env = "PAD_USER")]
        by: Option<String>,
    },
    /// Record the review of a contested decision (not by its decider).
    Review {
        /// The decision's id.
        id: i64,
        /// Upheld or overturned.
        #[arg(long, value_enum)]
        outcome: OutcomeArg,
        /// Why, at least 20 characters.
        #[arg(long)]
        justification: String,
        /// Who reviews [default: PAD_USER, else the operating-system user].
        #[arg(long, value_name = "NAME", env = "PAD_USER")]
        by: Option<String>,
        /// The current model, the recorded inputs are scored on [default: assets/model.txt].
        #[arg(long, value_name = "PATH")]
        model: Option<PathBuf>,
        /// Past clients, for the required fields when the card does not list them
        /// [default: data/history.parquet].
        #[arg(long, value_name = "PATH")]
        history: Option<PathBuf>,
    },
    /// A decision, where it stands, and its contests and reviews, as JSON.
    Case {
        /// The decision's id.
        id: i64,
    },
    /// The contests waiting for a review, oldest first.
    Contests {
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Remove old history whose contests are closed; verify still holds over what remains.
    Purge {
        /// Remove what was recorded before this UTC date (2026-05-01).
        #[arg(long, value_name = "DATE")]
        before: String,
        /// The retention: history younger than this many days is kept (at least 183, six
        /// months).
        #[arg(long, value_name = "DAYS", default_value_t = crate::journal::DEFAULT_RETENTION_DAYS)]
        retention_days: u32,
        /// Who purges [default: PAD_USER, else the operating-system user].
        #[arg(long, value_name = "NAME", env = "PAD_USER")]
        by: Option<String>,
    },
    /// Who read which client's data or decisions through the API, newest first.
    Access {
        /// Only this user's reads.
        #[arg(long, value_name = "NAME")]
        user: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

pub(super) const USERS_HELP: &str = "\
The people who sign in to `pad serve`, kept in the journal's database (--journal, the same for
every server of a team). Each has a role:

  rm        scores applicants, records decisions and customers' contests
  reviewer  what an rm does, and reviews contested decisions of others
  auditor   reads decisions, exports and the access log; scores and records nothing
  admin     everything

PAD_API_TOKEN, when set, is the service account (an admin named `service`, or pad serve
--service-name): it records under that name only, never a user's.

A name is kept in lower case and Unicode NFKC (RM1 is rm1, full-width ａｎａ is ana); a name
that reads like an existing one (Unicode TR39 confusables: аdm1 with a Cyrillic а beside adm1,
rml beside rm1) or like `service` is refused, naming it. `add` prints the user's token once,
alone on the last line: hand it to them; the journal keeps only its SHA-256. A revocation holds
on the next request of every server.

Examples:
  pad users add ana.martin --role rm
  pad users add rita --role reviewer --journal postgres://pad@db/pad
  pad users list
  pad users revoke ana.martin
  pad users token rita";

/// Arguments of `pad users`.
#[derive(Debug, Args)]
pub struct UsersArgs {
    /// The journal the users live in: sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long, value_name = "URL", global = true, default_value_t = default_journal())]
    pub journal: String,
    /// What to do.
    #[command(subcommand)]
    pub command: UsersCommand,
}

/// The users subcommands.
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a user; prints their token once.
    Add {
        /// Their login (letters, digits, . - _ @; kept in lower case, NFKC).
        name: String,
        /// Their role: rm, reviewer, auditor or admin.
        #[arg(long)]
        role: String,
        /// Days the token works.
        #[arg(long, value_name = "DAYS", default_value_t = crate::journal::DEFAULT_VALID_DAYS)]
        valid_days: u32,
    },
    /// List the users (never their tokens).
    List,
    /// Revoke a user: their token stops working at once, on every server.
    Revoke {
        /// Their login.
        name: String,
    },
    /// Give a user a new token (the old one stops working); prints it once.
    Token {
        /// Their login.
        name: String,
        /// Days the token works.
        #[arg(long, value_name = "DAYS", default_value_t = crate::journal::DEFAULT_VALID_DAYS)]
        valid_days: u32,
    },
}

/// How a contest came, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChannelArg {
    /// In person, at the branch.
    Branch,
    /// By telephone.
    Phone,
    /// By e-mail.
    Email,
    /// By post.
    Letter,
    /// Through the website or app.
    Online,
}

/// A review's outcome, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutcomeArg {
    /// The decision stands.
    Upheld,
    /// The decision is reversed.
    Overturned,
}

/// Where a decision stands, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    /// Never contested.
    Decided,
    /// A contest waits for its review.
    Contested,
    /// Reviewed, upheld or overturned.
    Reviewed,
    /// Reviewed; the decision stands.
    Upheld,
    /// Reviewed; the decision was reversed.
    Overturned,
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
    /// Only decisions that stand so (decided, contested, reviewed, upheld, overturned).
    #[arg(long, value_enum)]
    pub state: Option<StateArg>,
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
