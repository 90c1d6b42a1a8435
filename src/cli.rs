//! Command-line arguments as typed (clap). Raw values only: `config` checks them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub mod journal;

const EXAMPLES: &str = "\
Every command reads the same files, the bundled ones unless told otherwise: --data (current
applicants, data/applicants.csv), --history (past clients with TARGET, data/history.parquet)
and --model (assets/model.txt, with its card model.json beside it).

Examples:
  pad                                  (the dashboard on the bundled data and model)
  pad predict                          (scores the bundled applicants)
  pad drift                            (the bundled applicants against the bundled history)
  pad --data applicants.csv --history history.parquet --model assets/model.txt
  pad predict --model assets/model.txt --data applicants.csv --out scores.csv
  pad synth --rows 1000 --no-target --out applicants.csv
  pad explain --format json --out contributions.json
  pad serve --addr 127.0.0.1:8000
  pad --remote http://127.0.0.1:8000   (the dashboard over a pad serve)";

/// Prêt à dépenser credit desk: score loan applicants with a LightGBM model and explain
/// each decision with exact SHAP contributions.
#[derive(Debug, Parser)]
#[command(name = "pad", version, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (the dashboard when omitted).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The dashboard's options, when no command is given.
    #[command(flatten)]
    pub dashboard: DashboardArgs,
    /// MLflow tracking server, for model URIs (models:/NAME@ALIAS, models:/NAME/VERSION,
    /// runs:/RUN_ID/PATH) given to --model, for `pad train --register` and `pad models`.
    #[arg(long, global = true, value_name = "URL", env = "MLFLOW_TRACKING_URI")]
    pub mlflow: Option<String>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal dashboard (default command).
    #[command(after_help = DASHBOARD_HELP)]
    Dashboard(DashboardArgs),
    /// Score clients: id, probability of default and decision, one row per client.
    #[command(after_help = PREDICT_HELP)]
    Predict(PredictArgs),
    /// Explain scores: TreeSHAP contribution of every model feature in log-odds, or one client's
    /// customer sheet (--id N --report DIR).
    #[command(after_help = EXPLAIN_HELP)]
    Explain(ExplainArgs),
    /// Write a synthetic portfolio shaped like the Kaggle application table.
    #[command(after_help = SYNTH_HELP)]
    Synth(SynthArgs),
    /// Train the LightGBM model, choose the cost-optimal threshold, write the model and its card.
    #[command(after_help = TRAIN_HELP)]
    Train(TrainArgs),
    /// Compare today's applicants with the training population, feature by feature.
    #[command(after_help = DRIFT_HELP)]
    Drift(DriftArgs),
    /// Serve scores and explanations over HTTP (JSON), from the same model and data.
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Check the model's decisions for bias by sex, age, family status and children, and find
    /// the features that stand in for them.
    #[command(after_help = FAIRNESS_HELP)]
    Fairness(FairnessArgs),
    /// The decision journal: verify, list, show, export and replay recorded decisions.
    #[command(after_help = journal::JOURNAL_HELP)]
    Journal(journal::JournalArgs),
    /// The people who sign in to `pad serve`: add, list, revoke, new token.
    #[command(after_help = journal::USERS_HELP)]
    Users(journal::UsersArgs),
    /// The models of an MLflow Model Registry: list a model's versions, promote one.
    #[command(subcommand, after_help = MODELS_HELP)]
    Models(ModelsCommand),
}

const MODELS_HELP: &str = "\
The server is --mlflow URL or MLFLOW_TRACKING_URI (MLflow's own convention); set
MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, when it asks.
Wherever a model file is accepted (--model), a model URI is too: models:/NAME/VERSION,
models:/NAME@ALIAS or runs:/RUN_ID/PATH. Its files are downloaded once into a local cache
(PAD_MODEL_CACHE, else pad/models in the user's cache folder), checked against the SHA-256
recorded at registration, and the cache serves when the server is unreachable.

Examples:
  pad train --mlflow http://127.0.0.1:5000 --experiment credit --register credit
  pad models list credit --mlflow http://127.0.0.1:5000
  pad models register credit --model assets/model.txt
  pad models promote credit 3 --alias champion
  pad predict --model models:/credit@champion --data applicants.csv";

/// `pad models` subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// The versions of a registered model: aliases, status, run and the run's metrics side by side.
    List {
        /// The registered model.
        name: String,
    },
    /// Registers a model file (and its card model.json beside it) as a new version, recorded in
    /// a run of --experiment; the new version gets the alias `challenger`.
    Register {
        /// The registered model (created if missing).
        name: String,
        /// The LightGBM text model file.
        #[arg(long, value_name = "PATH")]
        model: std::path::PathBuf,
        /// The experiment of the run that records it.
        #[arg(long, value_name = "NAME", default_value = "pad-registered")]
        experiment: String,
    },
    /// Points an alias (champion by default) at a version.
    Promote {
        /// The registered model.
        name: String,
        /// The version to promote.
        version: u64,
        /// The alias to move.
        #[arg(long, default_value = "champion")]
        alias: String,
    },
}

const SERVE_HELP: &str = "\
Routes (JSON; GET /openapi.json describes them all):
  GET  /health                            open to all: {\"status\": \"ok\", \"model_version\"}
  GET  /model                             version, threshold, features and card
  GET  /clients?search=&offset=&limit=    the served clients, a page at a time
  GET  /clients/{id}                      a client's inputs and where they stand
  POST /predict        {\"client_id\": N} or {\"features\": {NAME: value}}
                       -> probability, threshold, decision, model_version
  POST /predict/batch  {\"items\": [request, ...]} (at most --max-batch)
  POST /explain        same body (+ \"lang\": \"fr\") -> expected_value, contributions in log-odds
                       and probability points, principal reasons
  POST /what-if        {\"client_id\": N, \"changes\": {NAME: number}}
  POST /counterfactual {\"client_id\": N} or {\"features\": {...}} (+ \"lang\") -> what would
                       change a refusal (a lower credit limit for a revolving line)
  POST /decisions      {\"client_id\": N} records the model's decision for client N as proposed
                       (+ \"decision\", \"reason_code\", \"justification\" for an override, \"lang\",
                       \"rm\"); header Idempotency-Key makes a retry record once (another body: 409)
  GET  /decisions?client_id=&rm=&from=&to=&decision=&overridden=&state=&after=&limit=
  GET  /decisions/{id}                    one recorded decision with its hashes
  POST /decisions/{id}/contest            {\"statement\", \"channel\"}: the customer contests it
  POST /decisions/{id}/review             {\"outcome\": \"upheld\"|\"overturned\", \"justification\",
                                          \"corrections\"}: a reviewer other than the decider
  GET  /decisions/{id}/case               the decision, where it stands, contests and reviews
  GET  /contests                          the reviewers' queue, oldest first, with deadlines
  GET  /access-log?user=                  who read which client or decision (auditor, admin)
  GET  /me                                who the server takes the caller for
  GET  /features/{name}/distribution      the reference population, repaid and defaulted apart
  GET  /portfolio, GET /drift             the applicants as a whole
  GET  /fairness                          decisions by sex, age, family, children; proxies
  GET  /metrics                           request counts and latency histograms (OpenMetrics)

Security: every route but /health needs `Authorization: Bearer <token>`: a user's token
(`pad users add NAME --role rm|reviewer|auditor|admin`, kept in the journal's database and
checked on every request, so a revocation holds at once) or PAD_API_TOKEN (the service
account, an admin named `service` or --service-name). Each records under its own name only: a
body naming another `rm` or `by` is refused (422); acting for a user needs that user's token.
A role that may not use a route gets 403 naming the roles that may. Reads of clients and
decisions, scores included, are logged with the client's id (GET /access-log), query strings
without credentials. Idempotency-Key is per caller. With neither users nor PAD_API_TOKEN the
server is open.
The default address is on the loopback interface; another address needs users or
PAD_API_TOKEN (or --no-token to accept the risk). Errors are {\"error\": {\"code\", \"message\"}} with 400, 401,
403, 404, 405, 409, 413, 415, 422, 500 or 503.

Logs go to standard error, one line per event; RUST_LOG=debug adds one line per request with
its id (x-request-id, echoed in the response). Ctrl-C or SIGTERM stops after the requests under
way.

Examples:
  pad serve
  PAD_API_TOKEN=s3cret pad serve --addr 0.0.0.0:8000 --log-format json
  curl -s localhost:8000/predict -H 'Content-Type: application/json' -d '{\"client_id\": 400005}'";

/// Arguments of `pad serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:8000")]
    pub addr: String,
    /// The model and data.
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Largest request body, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body: usize,
    /// Most items in one POST /predict/batch.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub max_batch: usize,
    /// Longest time one request may take, in seconds (then 503).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Most pieces of scoring work (TreeSHAP, searches) running at once; more wait their turn
    /// within the timeout.
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub concurrency: usize,
    /// Longest wait, in seconds, for a request's header on a connection (a new one, or one kept
    /// open between requests); then the connection is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub header_timeout: u64,
    /// Log format on standard error.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// With --model models:/NAME@ALIAS: seconds between checks of the alias (also checked on
    /// SIGHUP); when it moves, the new version is loaded and swapped in atomically.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub poll: u64,
    /// A challenger model scored in the shadow of the served one: a model file, or
    /// models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID/PATH. Every applicant the API
    /// scores is scored by both; the answer is the served model's, and GET /metrics counts
    /// the decisions they agree and disagree on (pad_http_shadow_decisions_total, by route);
    /// recorded decisions keep the challenger's probability beside the served one's.
    #[arg(long, value_name = "MODEL")]
    pub shadow: Option<String>,
    /// The name of the service account PAD_API_TOKEN signs in as: what it records, contests or
    /// reviews is recorded under this name, never under a user's (acting for a user needs
    /// that user's token). No user may have it (pad serve refuses to start otherwise).
    #[arg(long, value_name = "NAME", env = "PAD_SERVICE_NAME", default_value = "service")]
    pub service_name: String,
    /// Listen on a non-loopback address with neither PAD_API_TOKEN nor users in the journal
    /// (anyone who reaches it can read every client's data).
    #[arg(long)]
    pub no_token: bool,
    /// The decision journal POST /decisions records into: sqlite://PATH or
    /// postgres://USER:PASSWORD@HOST:PORT/DATABASE (several servers may share one).
    #[arg(long, value_name = "URL", default_value_t = journal::default_journal())]
    pub journal: String,
    /// Sign a checkpoint of the journal's Merkle tree with this key (`pad journal keygen`) at
    /// start and every --checkpoint-every seconds while the journal grows; GET /checkpoint
    /// serves the latest.
    #[arg(long, value_name = "FILE")]
    pub checkpoint_key: Option<PathBuf>,
    /// Seconds between two checkpoints signed with --checkpoint-key.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub checkpoint_every: u64,
}

/// Log formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// key=value lines for people.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

const DRIFT_HELP: &str = "\
For every model feature (raw and derived, through the same feature pipeline as scoring), the
values are cut into bins, plus one for missing values: one bin per category; one bin per value
for numbers with at most 20 distinct values in the reference (flags, small counts); the
reference's deciles for other numbers. Over those bins:
  - the population stability index (PSI);
  - the PSI two samples of one population give by chance at these sizes and bins:
    (bins - 1) x (1/n + 1/m) for n reference and m current clients;
  - Pearson's chi-squared test of homogeneity, without continuity correction (scipy's
    chi2_contingency(..., correction=False)), its p-values adjusted over all features by
    Benjamini-Hochberg (q-values).
Numbers also get the Kolmogorov-Smirnov test on the values present (asymptotic p-value), for
information, and every feature its missing rate in each population.

Verdict: a feature is flagged only when both the size and the significance of its shift say
so. Stable: q-value 0.05 or more (the shift could be chance). Otherwise, by the PSI beyond
chance (PSI minus the PSI by chance): drifted from 0.25, moderate from 0.1, slight below (a
significant shift too small to matter: reported, not flagged). The predicted probability of
default is judged the same way on its own p-value, with the approval rate at the threshold.
P-values too small for a double are shown <1e-300 (in JSON: 1e-300 and p_value_underflow).

Features are ranked by PSI weighted by the model's global importance (mean |SHAP| over the
current clients): drift on a feature the model barely uses matters less. The rank by PSI alone
is given beside it.

Exit code: 0 when nothing drifted, 3 when a feature or the score drifted, 1 on error; so
`pad drift` can gate a pipeline.

Without --data and --history it compares the bundled applicants with the bundled history
(--current and --reference are the old names of --data and --history).

Examples:
  pad drift
  pad drift --history data/history.parquet --data data/applicants.csv --report drift.html";

/// Arguments of `pad drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The reference population, usually the training history (CSV or Parquet)
    /// [default: data/history.parquet].
    #[arg(long = "history", visible_alias = "reference", value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// The current population, for example today's applicants (CSV or Parquet)
    /// [default: data/applicants.csv].
    #[arg(long = "data", visible_alias = "current", value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// LightGBM text model whose features are compared (its model.json card beside it is read)
    /// [default: assets/model.txt].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Threshold for the approval rates (default: the model card's, else 0.5).
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// Also write a self-contained HTML report (charts inline, no network).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Output format on standard output (or --out).
    #[arg(long, value_enum, default_value_t = DriftFormat::Text)]
    pub format: DriftFormat,
    /// Write the table to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Print the time of each step to standard error.
    #[arg(long)]
    pub timing: bool,
    /// Credit-history tables given apart.
    #[command(flatten)]
    pub tables: HistoryArgs,
    /// Logs every feature's PSI, the score's drift and the HTML report to this MLflow run.
    #[arg(long, value_name = "RUN_ID")]
    pub run: Option<String>,
    /// Logs them to a new run of this MLflow experiment (created if missing) instead.
    #[arg(long, value_name = "NAME", conflicts_with = "run")]
    pub experiment: Option<String>,
}

/// Output formats of `pad drift`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriftFormat {
    /// An aligned table for people.
    Text,
    /// The whole comparison as JSON.
    Json,
}

const DASHBOARD_HELP: &str = "\
Pick a client with the arrow keys, press p (or Enter) to predict, and read the decision, the
contributions behind it, the principal reasons and what would change a refusal. Then c turns
it into the customer view (l: English/French), w opens the what-if form, x exports the
customer sheet (Markdown and PNG) to --export-dir, d records the final decision (as proposed,
or overridden with a reason and a justification) in the decision journal (--journal). Press ?
inside for every key.

Without options it opens the bundled data and model (data/applicants.csv, data/history.parquet,
assets/model.txt), looked up in the current folder, then beside the package's sources.
A bad file stops before the screen is taken over, with the file, line and what to fix.

With --remote URL, clients, scores and explanations come from a `pad serve` there; the status
bar shows the server and the last answer's latency, and a lost server is retried with
increasing waits while the screens keep what they have.

Examples:
  pad dashboard
  pad dashboard --data new_applicants.csv --log pad.log --timing
  pad --remote http://127.0.0.1:8000 --token s3cret
  pad dashboard --lang fr --export-dir ~/sheets";

/// The model and the data the dashboard and the API score with; the bundled files when
/// not given.
#[derive(Debug, Clone, Default, Args)]
pub struct SourceArgs {
    /// Current applicants: CSV or Parquet with SK_ID_CURR [default: data/applicants.csv].
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// Reference population, a history with TARGET, for comparisons [default: data/history.parquet].
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// LightGBM text model; its model.json card beside it is read if present
    /// [default: assets/model.txt].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Decision threshold on the probability of default (default: the model card's, else 0.5).
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// Credit-history tables given apart.
    #[command(flatten)]
    pub tables: HistoryArgs,
}

/// Arguments of the dashboard.
#[derive(Debug, Clone, Default, Args)]
pub struct DashboardArgs {
    /// The model and data.
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Write logs to this file (the screen never shows them).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Read the dashboard's keys from this TOML file (default: keys.toml in the user's
    /// configuration folder, ~/.config/pad/ on Linux, when it exists).
    #[arg(long, value_name = "FILE", env = "PAD_KEYS")]
    pub keys: Option<PathBuf>,
    /// On exit, print the time to the first frame and the key-press-to-frame latencies.
    #[arg(long)]
    pub timing: bool,
    /// Score through a `pad serve` at this address instead of in process (then --data,
    /// --history, --model and --threshold are the server's).
    #[arg(long, value_name = "URL", conflicts_with_all = ["data", "history", "model", "threshold"])]
    pub remote: Option<String>,
    /// The server's bearer token (default: the PAD_API_TOKEN environment variable).
    #[arg(long, value_name = "TOKEN", requires = "remote", env = "PAD_API_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Folder where `x` writes the customer sheet (Markdown and PNG).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub export_dir: PathBuf,
    /// The customer's language when the customer view opens (`l` switches it).
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
    /// Charts as images where the terminal shows them (kitty, sixel, iTerm2 protocols): `auto`
    /// asks terminals that announce it (kitty, WezTerm, iTerm2, Ghostty, foot, Konsole...,
    /// never inside tmux or screen), `on` asks any terminal, `off` keeps the text charts.
    #[arg(long, value_enum, default_value_t = Graphics::Auto)]
    pub graphics: Graphics,
    /// The decision journal decisions are recorded into: sqlite://PATH or
    /// postgres://USER:PASSWORD@HOST:PORT/DATABASE (with --remote, the server's journal).
    #[arg(long, value_name = "URL", default_value_t = journal::default_journal())]
    pub journal: String,
    /// Who records decisions (local mode; in remote mode the server records the signed-in
    /// user) [default: the operating-system user].
    #[arg(long = "user", visible_alias = "rm", value_name = "NAME", env = "PAD_USER")]
    pub rm: Option<String>,
    /// For the terminal tests: fail right after taking over the terminal, with an error or a
    /// panic, to check that the terminal is given back.
    #[arg(long, value_enum, value_name = "HOW", hide = true)]
    pub fail_at_start: Option<StartFailure>,
}

/// How `--fail-at-start` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StartFailure {
    /// Return an error.
    Error,
    /// Panic.
    Panic,
}

/// Whether to show charts as terminal images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Graphics {
    /// Images where the terminal announces support for them, text charts elsewhere.
    #[default]
    Auto,
    /// Ask the terminal for image support whatever it announces.
    On,
    /// Text charts only.
    Off,
}

/// Languages of what customers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

const TRAIN_HELP: &str = "\
Needs the cargo feature `train` (LightGBM itself): cargo build --release --features train.

The history goes through the same feature pipeline as scoring. Stratified k-fold
cross-validation with early stopping gives out-of-fold probabilities; the threshold minimising
cost-fn x defaulters accepted + cost-fp x good clients refused is searched over every distinct
out-of-fold score; the final model is refit on all rows. CODE_GENDER and the features
assets/policy.toml classes as protected are always left out (they cannot be a reason given to a
customer), and the card names the policy's version; --exclude leaves out more columns. Both
files are written only when everything succeeded.

Example:
  pad train --history data/history.parquet --out assets --folds 5 --seed 42";

/// Arguments of `pad train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The history: CSV or Parquet with TARGET (1 = payment difficulties)
    /// [default: data/history.parquet].
    #[arg(long = "history", visible_alias = "data", value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// Folder receiving model.txt and model.json.
    #[arg(long, value_name = "DIR", default_value = "assets")]
    pub out: PathBuf,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Seed of the folds and of LightGBM: the same data, seed and parameters give the same model.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Cost of accepting a client who defaults.
    #[arg(long, default_value_t = 10.0, allow_negative_numbers = true)]
    pub cost_fn: f64,
    /// Cost of refusing a client who would have repaid.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    pub cost_fp: f64,
    /// Columns to leave out besides CODE_GENDER and the policy's protected features.
    #[arg(long, value_name = "COLUMN", num_args = 1..)]
    pub exclude: Vec<String>,
    /// A TOML file of LightGBM parameters overriding the defaults.
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// Credit-history tables given apart.
    #[command(flatten)]
    pub tables: HistoryArgs,
    /// Records the run in this MLflow experiment (created if missing) on the --mlflow server.
    #[arg(long, value_name = "NAME")]
    pub experiment: Option<String>,
    /// Also registers the model as a new version of this registered model, alias `challenger`.
    #[arg(long, value_name = "NAME")]
    pub register: Option<String>,
}

const SYNTH_HELP: &str = "\
The portfolio has the 122 columns of Kaggle's application_train.csv (121 without TARGET), with
marginal distributions, missing rates, correlations and a default mechanism calibrated on real
figures (no real rows). The same options and seed always give the same file.

Examples:
  pad synth --rows 30000 --seed 42 --out history.parquet
  pad synth --rows 1000 --seed 7 --no-target --first-id 400001 --out applicants.csv
  pad synth --rows 5000 --seed 7 --no-target --income-scale 1.3 --out drifted.csv
  pad synth --rows 30000 --seed 42 --out kaggle/application_train.parquet --tables kaggle";

/// Arguments of `pad synth`.
#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of clients.
    #[arg(long, default_value_t = 1000)]
    pub rows: usize,
    /// Seed of the random generator.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output file: `.parquet` for Parquet, anything else for CSV.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Leave out TARGET (current applicants rather than a history).
    #[arg(long)]
    pub no_target: bool,
    /// The first client id (SK_ID_CURR); the others follow.
    #[arg(long, default_value_t = 100_001, value_name = "ID", allow_negative_numbers = true)]
    pub first_id: i64,
    /// Multiply every income (AMT_INCOME_TOTAL) by this factor: a deliberate drift.
    #[arg(long, default_value_t = 1.0, value_name = "F", allow_negative_numbers = true)]
    pub income_scale: f64,
    /// Make this extra share of EXT_SOURCE_1 missing (0 to 1): a deliberate drift.
    #[arg(long, default_value_t = 0.0, value_name = "P", allow_negative_numbers = true)]
    pub ext_source_1_missing: f64,
    /// Also write the clients' credit history into this folder: bureau.parquet,
    /// bureau_balance.parquet and credit_card_balance.parquet (Kaggle's layout), drawn from
    /// the real sample's figures, apart for clients who repaid and who defaulted.
    #[arg(long, value_name = "DIR")]
    pub tables: Option<PathBuf>,
}

const PREDICT_HELP: &str = "\
Output columns: SK_ID_CURR (when the data has it), probability (of default, 0 to 1), decision
(REFUSED when the probability is at or above the threshold, else ACCEPTED).

The threshold is --threshold if given, else the `threshold` of the model card (model.json
beside the model file), else 0.5.

Data: CSV (with a header) or Parquet; columns are matched to the model's features by name, extra
columns are ignored, empty fields are missing values. Derived features (CREDIT_INCOME_RATIO,
AGE_YEARS, ...) are computed from their columns. Text categories are encoded with the category
lists of the model card (model.json beside the model), else with the model's pandas lists; a
category the model has never seen is treated as missing, as LightGBM does, with a warning that
counts them.

Without --model and --data it scores the bundled applicants with the shipped model.

Examples:
  pad predict
  pad predict --model assets/model.txt --data data/applicants.csv --out scores.csv --timing";

const EXPLAIN_HELP: &str = "\
Output columns: SK_ID_CURR (when the data has it), one column per model feature in model order,
then expected_value: LightGBM's pred_contrib layout. Values are in log-odds: for every row the
contributions plus expected_value add up to the model's raw score, and the probability of
default is 1 / (1 + exp(-raw score)) (for the usual sigmoid of 1; a random forest averages the
raw score over its trees first). A positive contribution pushes towards refusal.

With --id N only that client is written. With --id N --report DIR, the customer sheet of
that client is written instead: DIR/client-N-LANG-TIME.md (the decision, at most four
principal reasons worded for the customer, what would change a refusal, the model version,
the threshold, the date and time) and the .png chart it shows.

--lang, --history and --threshold belong to the sheet: they need --report (which needs --id),
and --report writes the sheet in place of the table, so it takes no --method, --format or --out.

Examples:
  pad explain --format json --out explain.json
  pad explain --model assets/model.txt --data data/applicants.csv --id 400003 --report sheets --lang fr";

/// Where to read the model and the clients, and where to write the result.
#[derive(Debug, Args)]
pub struct ScoringArgs {
    /// LightGBM text model file (its model.json card beside it is read if present)
    /// [default: assets/model.txt].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Client table: CSV with a header line, or Parquet (by the `.parquet` extension)
    /// [default: data/applicants.csv].
    #[arg(long, value_name = "PATH")]
    pub data: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Print the rows per second of the scoring step to standard error.
    #[arg(long)]
    pub timing: bool,
    /// Worker threads (default: one per core; at most 4 per core, or 256 on fewer than 64 cores).
    #[arg(long, value_name = "N", value_parser = thread_count)]
    pub threads: Option<usize>,
    /// Credit-history tables given apart.
    #[command(flatten)]
    pub tables: HistoryArgs,
}

/// Arguments of `pad predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// Model, data and output.
    #[command(flatten)]
    pub scoring: ScoringArgs,
    /// Decision threshold on the probability of default, between 0 and 1.
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// Past clients in which to measure the required fields (those missing in at most 0.5 %
    /// of rows) when the model card does not list them [default: data/history.parquet].
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
}

/// The help heading of `pad explain`'s customer-sheet options, which need --report.
const SHEET: &str = "Customer sheet (--id N --report DIR; these need --report)";

/// Arguments of `pad explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Model, data and output.
    #[command(flatten)]
    pub scoring: ScoringArgs,
    /// Algorithm: `fast` (precomputed per-leaf tables, default) or `exact` (LightGBM's own
    /// recursion, bit for bit). Both agree to 1e-9.
    #[arg(long, value_enum, default_value_t = ExplainMethod::Fast)]
    pub method: ExplainMethod,
    /// Only this client (SK_ID_CURR); with --report, the client whose sheet is written.
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub id: Option<i64>,
    /// Write the customer sheet of --id into this folder: a Markdown file with the decision,
    /// the principal reasons and what would change it, and a PNG of the contributions.
    #[arg(long, value_name = "DIR", requires = "id", conflicts_with_all = ["out", "format", "method"], help_heading = SHEET)]
    pub report: Option<PathBuf>,
    /// Language of the sheet.
    #[arg(long, value_enum, default_value_t = Lang::En, requires = "report", help_heading = SHEET)]
    pub lang: Lang,
    /// Reference population for the sheet's comparisons, a history with TARGET
    /// [default: data/history.parquet].
    #[arg(long, value_name = "PATH", requires = "report", help_heading = SHEET)]
    pub history: Option<PathBuf>,
    /// Decision threshold of the sheet (default: the model card's, else 0.5).
    #[arg(long, value_name = "P", requires = "report", allow_negative_numbers = true, help_heading = SHEET)]
    pub threshold: Option<f64>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header line.
    Csv,
    /// A JSON array with one object per row, keyed like the CSV columns.
    Json,
}

/// TreeSHAP algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainMethod {
    /// Precomputed per-leaf tables where they fit.
    Fast,
    /// LightGBM's recursion, bit for bit.
    Exact,
}

/// The most worker threads `--threads` takes: 4 per core, and at least 256.
pub fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).saturating_mul(4).max(256)
}

/// `--threads N`: a whole number from 1 to [`max_threads`] (threads are started one by one,
/// so a mistyped 100000 would take minutes before any work).
fn thread_count(text: &str) -> Result<usize, String> {
    let most = max_threads();
    match text.trim().parse::<usize>() {
        Ok(count) if (1..=most).contains(&count) => Ok(count),
        _ => Err(format!("expected a number of threads from 1 to {most}")),
    }
}

const FAIRNESS_HELP: &str = "\
For each sensitive attribute (sex from CODE_GENDER, age bands from DAYS_BIRTH, family status,
number of children, and every --attribute COLUMN), whether the model reads it or not, per group
of clients with a known outcome: the count, the approval rate, the default rate among the
accepted, the true and false positive rates (a refusal is the positive prediction, TARGET 1 the
positive label, as in Fairlearn), the mean predicted probability against the observed default
rate, and the gaps to the most favoured group (highest approval rate): the approval ratio
(disparate impact, the four-fifths rule), the equal-opportunity difference (approval among
clients who repaid) and the equalised-odds difference (the larger of the true and false
positive rate gaps), with bootstrap 95 % intervals. Groups too small to judge are listed as
such. Then every model feature's AUC alone for each attribute's groups: strong proxies.

The bounds (minimum ratio, maximum difference, smallest group judged, resamples, proxy AUC,
age bands) are in the [fairness] table of assets/policy.toml. Exit code: 0 within the bounds,
3 when some group's whole interval lies beyond one, 1 on error.

Examples:
  pad fairness
  pad fairness --history data/history.parquet --attribute NAME_EDUCATION_TYPE --format json
  pad fairness --report fairness.html";

/// Arguments of `pad fairness`.
#[derive(Debug, Args)]
pub struct FairnessArgs {
    /// Clients with known outcomes (a TARGET column), CSV or Parquet
    /// [default: data/history.parquet].
    #[arg(long = "history", visible_alias = "data", value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// LightGBM text model whose decisions are assessed (its model.json card beside it is read)
    /// [default: assets/model.txt].
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Decision threshold (default: the model card's, else 0.5).
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    pub threshold: Option<f64>,
    /// Another column to assess as a sensitive attribute (text: one group per value; numbers:
    /// one per value up to 12 values, else quartiles). Repeat for several.
    #[arg(long = "attribute", value_name = "COLUMN")]
    pub attributes: Vec<String>,
    /// Bootstrap resamples for the intervals (default: the policy's).
    #[arg(long, value_name = "N")]
    pub bootstrap: Option<usize>,
    /// Output format on standard output (or --out).
    #[arg(long, value_enum, default_value_t = FairnessFormat::Text)]
    pub format: FairnessFormat,
    /// Write the table to this file instead of standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Also write the report as one HTML file (inline charts, no network).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Print the time of each step to standard error.
    #[arg(long)]
    pub timing: bool,
    /// Credit-history tables given apart.
    #[command(flatten)]
    pub tables: HistoryArgs,
}

/// Output formats of `pad fairness`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FairnessFormat {
    /// Aligned tables for people.
    Text,
    /// The whole report as JSON.
    Json,
}

/// The help heading of the credit-history tables' flags.
const HISTORY_TABLES: &str = "Credit history tables (also found in a Kaggle folder given as data)";

/// Credit-history tables that live apart from the client tables (a folder in Kaggle's layout
/// given as `--data` or `--history` brings its own). Given here, a table applies to every
/// client table read; its rows of other clients are counted and ignored.
#[derive(Debug, Clone, Default, Args)]
pub struct HistoryArgs {
    /// Kaggle's bureau.csv (or .parquet): credits with other lenders.
    #[arg(long, value_name = "FILE", help_heading = HISTORY_TABLES)]
    pub bureau: Option<PathBuf>,
    /// Kaggle's bureau_balance.csv (or .parquet): monthly status of each bureau credit.
    #[arg(long, value_name = "FILE", help_heading = HISTORY_TABLES)]
    pub bureau_balance: Option<PathBuf>,
    /// Kaggle's credit_card_balance.csv (or .parquet): monthly card balances.
    #[arg(long, value_name = "FILE", help_heading = HISTORY_TABLES)]
    pub credit_card_balance: Option<PathBuf>,
    /// Kaggle's previous_application.csv (or .parquet): read and checked.
    #[arg(long, value_name = "FILE", help_heading = HISTORY_TABLES)]
    pub previous_application: Option<PathBuf>,
    /// Kaggle's POS_CASH_balance.csv (or .parquet): read and checked.
    #[arg(long, value_name = "FILE", help_heading = HISTORY_TABLES)]
    pub pos_cash_balance: Option<PathBuf>,
    /// Kaggle's installments_payments.csv (or .parquet): read and checked.
    #[arg(long, value_name = "FILE", help_heading = HISTORY_TABLES)]
    pub installments_payments: Option<PathBuf>,
}
